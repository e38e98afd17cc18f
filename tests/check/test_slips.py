"""Planted slips in correct derivations: each found on its line, most with a hint, every hint re-verified.

The slips are planted in the corpus's correct documents (English and Chinese, .md and .tex): the sign
of a right side, a factor 2 or 1/2, two indices swapped, a dropped term, a declared sum-to-one removed.
Every hint shown is checked independently: the document with the hint applied (the right side replaced
by the hint's LaTeX, or the assumption declared) is checked again, and that step must then be ok."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("corpus")
CORRECT = ("ce_gradient_en.md", "softmax_jacobian_zh.tex", "batch_pq_zh.tex", "xsy_multilabel_zh.md",
           "aq_onehot_cases.md", "binary_sigmoid_K2.tex")
WANTED = 64


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "derive", "check", *args], capture_output=True, env=env, cwd=ROOT,
                          timeout=1800, text=True)


def _top_split(rhs: str) -> int:
    """Offset of the last + or - at brace depth 0 (not the leading sign), or -1."""
    depth, at = 0, -1
    for n, ch in enumerate(rhs):
        depth += ch in "{(["
        depth -= ch in "})]"
        if ch in "+-" and depth == 0 and n > 0 and rhs[:n].strip():
            at = n
    return at


def _swap(rhs: str) -> str:
    """i and j exchanged in every subscript (_i, _{j}, _{ij})."""
    other = {"i": "j", "j": "i"}
    rhs = re.sub(r"_\{([ij])([ij])\}", lambda m: "_{" + other[m.group(1)] + other[m.group(2)] + "}", rhs)
    rhs = re.sub(r"_\{([ij])\}", lambda m: "_{" + other[m.group(1)] + "}", rhs)
    return re.sub(r"_([ij])(?![A-Za-z])", lambda m: "_" + other[m.group(1)], rhs)


def _mutations(rhs: str):
    yield "sign", rhs[1:].lstrip() if rhs.startswith("-") and _top_split(rhs) < 0 else f"-\\left({rhs}\\right)"
    yield "factor", f"2 \\left({rhs}\\right)"
    yield "half", f"\\frac{{1}}{{2}} \\left({rhs}\\right)"
    swapped = _swap(rhs)
    shown = set(re.findall(r"_\{?([ij])(?![A-Za-z])", rhs))
    if len(shown) == 1 and sorted(swapped) != sorted(rhs):   # with both, a swap may be no slip (the Jacobian is symmetric)
        yield "index", swapped
    cut = _top_split(rhs)
    if cut > 0:
        yield "term", rhs[:cut].rstrip()


def _ok_steps(text: str, name: str) -> list[dict]:
    from derive.checker.command import judge

    return [s.as_json() for s in judge(text, name).steps if s.status == "ok" and not s.inline]


def _plant() -> list[dict]:
    """(file text, the line of the slip, its kind) for WANTED slips, spread over the files and kinds."""
    per_file, first = [], []
    for fname in CORRECT:
        text = (CORPUS / fname).read_text(encoding="utf-8")
        lines = text.split("\n")
        found = []
        for s in _ok_steps(text, fname):
            line = lines[s["line"] - 1]
            at = s["column"] - 1
            if line[at:at + len(s["rhs"])] != s["rhs"]:
                continue
            for kind, new in _mutations(s["rhs"]):
                mutated = lines[:s["line"] - 1] + [line[:at] + new + line[at + len(s["rhs"]):]] + lines[s["line"]:]
                found.append({"kind": kind, "line": s["line"], "text": "\n".join(mutated), "source": fname,
                              "column": s["column"], "rhs": new})
        declared = re.search(r"(?m)^.*derive: assume \\sum[^\n]*= ?1.*\n", text)
        if declared:   # the assumption removed: the step that uses it is wrong without it
            first.append({"kind": "missing-sum-one", "line": None, "text": text.replace(declared.group(0), "\n"),
                          "source": fname})
        per_file.append(found)
    out = first
    while len(out) < WANTED and any(per_file):
        for found in per_file:
            if found and len(out) < WANTED:
                out.append(found.pop(0 if len(out) % 2 else len(found) // 2))
    return out


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("posts")
    slips = _plant()
    for n, slip in enumerate(slips):
        suffix = Path(slip["source"]).suffix
        slip["path"] = str(folder / f"post{n:02d}_{slip['kind']}{suffix}")
        Path(slip["path"]).write_text(slip["text"], encoding="utf-8")
    r = _cli(str(folder), "--report", "json")
    assert r.returncode == 1, r.stderr
    reports = {f["file"]: f for f in json.loads(r.stdout)["files"]}
    return folder, slips, reports


def test_enough_slips_of_every_kind_in_both_languages(planted):
    _, slips, _ = planted
    assert len(slips) >= 60
    assert {s["kind"] for s in slips} >= {"sign", "factor", "half", "index", "term", "missing-sum-one"}
    assert any("zh" in s["source"] for s in slips) and any("en" in s["source"] for s in slips)


def test_each_slip_is_found_on_its_line_and_most_get_a_hint(planted):
    _, slips, reports = planted
    hinted, missed = 0, []
    for slip in slips:
        rep = reports[slip["path"]]
        wrong = [s for s in rep["steps"] if s["status"] == "wrong"]
        if not wrong or slip["line"] is not None and not any(s["line"] == slip["line"] for s in wrong):
            missed.append((Path(slip["path"]).name, slip["line"], slip.get("rhs"),
                           [(s["line"], s["status"], s["reason"][:80]) for s in rep["steps"] if s["line"] == slip["line"]]))
            continue
        if slip["line"] is not None:
            at = [s for s in wrong if s["line"] == slip["line"]]
        else:
            at = wrong[:1]
        hinted += any(s["hint"] for s in at)
    print(f"\n{len(slips)} slips, {len(slips) - len(missed)} found on their line, {hinted} with a hint ({hinted / len(slips):.0%})")
    assert not missed, missed
    assert hinted >= 0.8 * len(slips)


def test_every_hint_shown_is_confirmed_when_applied(planted, tmp_path):
    """The hint applied to the document: the step it corrects is then judged ok by a fresh check."""
    _, slips, reports = planted
    fixed = []
    for slip in slips:
        rep = reports[slip["path"]]
        for s in rep["steps"]:
            if not s["hint"]:
                continue
            text = Path(slip["path"]).read_text(encoding="utf-8")
            fix = s["fix"]
            if fix["kind"].startswith("assume"):
                decl = f"\n<!-- derive: assume {fix['latex']} -->\n" if slip["path"].endswith(".md") else None
                if decl is None:
                    text = text.replace("\\begin{document}", f"\\begin{{document}}\n% derive: assume {fix['latex']}", 1)
                    shift = 1
                else:
                    text, shift = decl + text, 2
                line = s["line"] + shift
            else:
                lines = text.split("\n")
                row = lines[s["line"] - 1]
                at = s["column"] - 1
                assert row[at:at + len(s["rhs"])] == s["rhs"]
                lines[s["line"] - 1] = row[:at] + fix["latex"] + row[at + len(s["rhs"]):]
                text, line = "\n".join(lines), s["line"]
            out = tmp_path / f"fixed{len(fixed):03d}{Path(slip['path']).suffix}"
            out.write_text(text, encoding="utf-8")
            fixed.append((str(out), line, s["column"] if not fix["kind"].startswith("assume") else None, fix))
    assert fixed
    r = _cli(*[f for f, *_ in fixed], "--report", "json")
    reports = {f["file"]: f for f in json.loads(r.stdout)["files"]}
    for path, line, column, fix in fixed:
        steps = [s for s in reports[path]["steps"] if s["line"] == line and (column is None or s["column"] == column)]
        assert steps and all(s["status"] == "ok" for s in steps), (path, line, fix, steps)


def test_a_folder_of_posts_in_one_command_summary_and_github(planted):
    folder, slips, _ = planted
    posts = sorted(folder.iterdir())[:50]
    r = _cli(*map(str, posts))
    assert r.returncode == 1
    assert r.stdout.strip().splitlines()[-1] == "50 files: 0 ok, 50 with a wrong step, 0 with an unverified step, 0 unreadable"
    r = _cli(*map(str, posts), "--report", "github")
    by_path = {s["path"]: s for s in slips}
    for post in posts:
        slip = by_path[str(post)]
        found = re.findall(rf"^::error file={re.escape(str(post))},line=(\d+),col=\d+,title=derive%3A wrong step::.+$",
                           r.stdout, re.M)
        assert found, post
        if slip["line"] is not None:
            assert str(slip["line"]) in found
