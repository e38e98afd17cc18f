"""The command line as a user runs it: exit codes, one-line errors, files written whole or not at all."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli

BAD = [
    (["render", "softmax-cross-entropy", "-K", "1"], "at least 2"),
    (["render", "softmax-cross-entropy", "-K", "0"], "at least 2"),
    (["render", "softmax-cross-entropy", "-K", "-3"], "at least 2"),
    (["render", "softmax-cross-entropy", "-K", "2.5"], "-K"),
    (["render", "softmax-cross-entropy", "-K", ""], "-K"),
    (["render", "softmax-cross-entropy", "-K", "1000000"], "limit"),
    (["render", "softmax-cross-entropy", "-K", "Kx"], "one-letter"),
    (["render", "softmax-cross-entropy", "-K", "z"], "collides"),
    (["render", "softmax-cross-entropy", "-K", "i"], "collides"),
    (["render", "softmax-crossentropy"], "did you mean softmax-cross-entropy"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,2"], "K = 3"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,x,2", "--values", "target=0"], "not a number"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,nan,2", "--values", "target=0"], "finite"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,2,3", "--values", "target=3"], "out of range"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,2,3", "--values", "target=-0.2,0.6,0.6"], "negative"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,2,3", "--values", "target=0.2,0.3,0.6"], "sums to"),
    (["render", "softmax-cross-entropy", "-K", "3", "--values", "z=1,2,3"], "target is missing"),
    (["render", "softmax-cross-entropy", "--notation", "logits=z,probs=z"], "used twice"),
    (["render", "softmax-cross-entropy", "--notation", "logits=1x"], "not a usable name"),
    (["render", "softmax-cross-entropy", "--notation", "colour=red"], "unknown name"),
    (["render", "softmax-cross-entropy", "--format", "docx"], "unknown format"),
    (["render", "softmax-cross-entropy", "--lang", "fr"], "unknown language"),
    (["render", "softmax-cross-entropy", "--param", "eps=0.1"], "does not take"),
    (["render", "softmax-cross-entropy", "--templates", "/nonexistent/dir"], "not a directory"),
    (["render", "softmax-cross-entropy", "-o", "/nonexistent/dir/x.tex"], "does not exist"),
    (["describe", "nope"], "unknown recipe"),
    (["render"], "recipe"),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("args,needle", BAD, ids=[" ".join(a[1:]) or a[0] for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(args, needle, tmp_path):
    before = set(tmp_path.iterdir())
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error:"), r.stderr
    assert needle in lines[0]
    assert "Traceback" not in r.stderr
    assert set(tmp_path.iterdir()) == before  # nothing written, not even output/


def test_render_writes_output_by_default(tmp_path):
    r = run_cli("render", "softmax-cross-entropy", "-K", "3", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "output" / "softmax-cross-entropy-K3.tex"
    assert out.read_text().startswith(r"\documentclass")
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_json_contract(tmp_path):
    r = run_cli("render", "softmax-cross-entropy", "-K", "3", "--format", "json", "-o", "-",
                "--values", "z=1.1316,-0.7943,0.1328", "--values", "target=0", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["recipe"] == "softmax-cross-entropy" and d["K"] == 3
    assert d["notation"] == {"logits": "z", "probs": "a", "target": "y", "loss": "L"}
    for s in d["steps"]:
        assert {"rule", "lhs", "rhs", "justification", "verified", "method"} <= set(s)
        assert s["verified"] in (True, None)
    assert {"latex", "srepr"} <= set(d["result"])
    assert set(d["numeric"]) >= {"probs", "loss", "gradient"}


def test_list_and_describe():
    r = run_cli("list")
    assert r.returncode == 0 and "softmax-cross-entropy" in r.stdout and "softmax-jacobian" in r.stdout
    items = json.loads(run_cli("list", "--json").stdout)
    assert {"name", "group", "summary"} <= set(items[0])
    r = run_cli("describe", "softmax-cross-entropy")
    assert r.returncode == 0 and "a - y" in r.stdout


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("derive ")
    r = run_cli("--help")
    assert r.returncode == 0 and "render" in r.stdout


def test_help_does_not_import_sympy():
    import subprocess
    import sys

    code = "import sys; from derive.cli import build_parser; build_parser(); print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert out == "False"


def test_the_process_entry_leaves_the_collector_on():
    # run() keeps the garbage collector out of SymPy's import only: a long command still collects
    import subprocess
    import sys

    code = ("import gc, sys; sys.argv = ['derive', 'list']; from derive.cli import run; rc = run(); "
            "print(rc, gc.isenabled(), 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip().splitlines()
    assert out[-1] == "0 True True"
    code = ("import sys; sys.argv = ['derive', '--version']; from derive.cli import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\nprint('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
    assert out[0] == "derive" and out[-1] == "False"  # --version stays fast


def test_written_files_have_the_usual_mode(tmp_path):
    import os
    import stat

    r = run_cli("render", "softmax-jacobian", "-K", "2", "-o", str(tmp_path / "j.tex"))
    assert r.returncode == 0, r.stderr
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE((tmp_path / "j.tex").stat().st_mode) == 0o666 & ~mask


def test_default_output_names_keep_apart_styles_fragments_and_losses(tmp_path):
    # each document its own file: a style other than the format's default, the fragment beside the
    # standalone .tex, and each derived loss (named by a digest of what was written)
    for args in (["render", "softmax-cross-entropy", "-K", "3"],
                 ["render", "softmax-cross-entropy", "-K", "3", "-f", "latex-fragment"],
                 ["render", "softmax-cross-entropy", "-K", "3", "-f", "markdown", "--style", "teaching"],
                 ["render", "softmax-cross-entropy", "-K", "3", "-f", "markdown", "--style", "full"],
                 ["grad", r"L = -\log a_c", "--define", r"a_i = \frac{e^{z_i}}{\sum_k e^{z_k}}"],
                 ["grad", r"L = -\log a_d", "--define", r"a_i = \frac{e^{z_i}}{\sum_k e^{z_k}}"]):
        r = run_cli(*args, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "output").iterdir())
    assert [n for n in names if not n.startswith("grad-")] == [
        "softmax-cross-entropy-K3-teaching.md", "softmax-cross-entropy-K3.fragment.tex",
        "softmax-cross-entropy-K3.md", "softmax-cross-entropy-K3.tex"]
    assert len([n for n in names if n.startswith("grad-") and n.endswith("-KK.tex")]) == 2, names
