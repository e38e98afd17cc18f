"""`derive check` end to end: exit codes, JSON contract, annotate, stdin, bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require_tool
from derive.checker.command import check
from derive.latex.extract import extract

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("corpus")


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "derive", "check", *args], input=stdin, capture_output=True,
                          env=env, cwd=ROOT, timeout=120)


def test_ok_file_exits_0():
    r = run(str(CORPUS / "softmax_jacobian_zh.tex"), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "0 wrong" in r.stdout.decode()
    r = run(str(CORPUS / "softmax_jacobian_zh.tex"))   # a Chinese document gets a Chinese report
    assert r.returncode == 0 and "0 步错误" in r.stdout.decode(), r.stdout.decode()


def test_wrong_file_exits_1_and_marks_the_line():
    r = run(str(CORPUS / "ce_gradient_en_sign.md"))
    assert r.returncode == 1
    out = r.stdout.decode()
    assert ">> line   20" in out and "counterexample" in out and "first wrong line: 20" in out


def test_an_unverified_step_is_not_passed_as_true():
    doc = b"$$\\frac{\\partial L}{\\partial z_j} = a_j - y_j$$\n"  # L is never defined
    r = run("-", "--format", "md", stdin=doc)
    assert r.returncode == 1, r.stdout.decode()
    assert "unverified" in r.stdout.decode() and "0 wrong" in r.stdout.decode()


def test_json_contract():
    r = run(str(CORPUS / "batch_pq_zh_swapped.tex"), "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert set(data) >= {"file", "ok", "first_wrong_line", "steps"}
    assert data["ok"] is False and data["first_wrong_line"] == 19
    for step in data["steps"]:
        assert set(step) >= {"line", "lhs", "rhs", "status", "reason", "counterexample"}
        assert step["status"] in ("ok", "wrong", "definition", "unverified")
    wrong = next(s for s in data["steps"] if s["status"] == "wrong")
    ce = wrong["counterexample"]
    assert isinstance(ce["K"], int) and {"i", "j", "a", "lhs", "rhs"} <= set(ce)
    assert ce["lhs"] != ce["rhs"]


def test_stdin_and_options():
    text = b"$$ \\frac{\\partial a_i}{\\partial z_j} = a_i(\\delta_{ij} - a_j) $$\n$$ \\frac{\\partial L}{\\partial z_j} = a_j - y_j $$\n"
    r = run("-", "--define", r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}", "--define", r"L = -\sum_k y_k \log a_k",
            "--assume", r"y one-hot", "-K", "4", "--json", stdin=text)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [s["status"] for s in data["steps"]] == ["ok", "ok"]
    r = run("-", "--define", r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}", "--define", r"L = -\sum_k y_k \log a_k", stdin=text)
    assert r.returncode == 1   # without the assumption a_j - y_j does not follow


@pytest.mark.parametrize("content,needle", [
    (b"\xff\xfe not utf8 $$a$$", "not UTF-8"),
    (b"$$ a_i = \\frac{1}{ $$", "line 1"),
    (b"no math here", "no display math"),
    (b"% derive: asume x > 0\n\\[ a = b \\]", "unknown declaration"),   # a keyword mistyped
])
def test_unusable_input_exits_2_with_one_line(tmp_path, content, needle):
    f = tmp_path / "in.tex"
    f.write_bytes(content)
    r = run(str(f))
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert needle in err and "\n" not in err and "Traceback" not in err


def test_huge_file_is_refused(tmp_path):
    f = tmp_path / "big.tex"
    f.write_bytes(b"% x\n" * 300_000)
    r = run(str(f))
    assert r.returncode == 2 and "MB" in r.stderr.decode()


def test_missing_file_and_bad_K(tmp_path):
    assert run(str(tmp_path / "nope.tex")).returncode == 2
    r = run(str(CORPUS / "softmax_jacobian_zh.tex"), "-K", "1")
    assert r.returncode == 2 and "-K" in r.stderr.decode()


def test_derivative_of_undefined_name_is_explained():
    result = check("$$ \\frac{\\partial L}{\\partial z_j} = a_j - y_j $$\n", fmt="md")
    (step,) = result.steps
    assert step.status == "unverified" and "never defined" in step.reason


@pytest.mark.parametrize("name", ["softmax_jacobian_zh_sign.tex", "aq_onehot_cases_sign.md", "batch_pq_zh.tex"])
def test_annotate_keeps_the_document_readable(tmp_path, name):
    out = tmp_path / ("ann" + Path(name).suffix)
    r = run(str(CORPUS / name), "--annotate", str(out))
    assert r.returncode in (0, 1)
    text = out.read_text(encoding="utf-8")
    assert "[derive:" in text
    original = check(CORPUS / name)
    again = check(out)
    assert [(s.line, s.status) for s in again.steps] == [(s.line, s.status) for s in original.steps]
    assert len(extract(text, "md" if name.endswith(".md") else "tex").items) == len(original.document.items)


@pytest.mark.tex
def test_annotated_tex_compiles(tmp_path):
    require_tool("pdflatex")
    out = tmp_path / "ann.tex"
    run(str(CORPUS / "batch_pq_zh_sign.tex"), "--annotate", str(out))
    # the corpus uses Chinese prose: compile the annotated math with the prose replaced by ASCII
    text = "".join(ch if ord(ch) < 128 else "x" for ch in out.read_text(encoding="utf-8"))
    out.write_text(text, encoding="utf-8")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", out.name],
                       cwd=tmp_path, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stdout.decode(errors="replace")[-2000:]
