"""Bounded work (issue 13): sizes refused before computing, a line that does not parse reported on its
line, a time budget per document with each step's share, and what was cut off said in the report."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.checker.budget import Budget
from derive.checker.command import check

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes | None = None) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "derive", "check", *args], input=stdin, capture_output=True,
                       env=env, cwd=ROOT, timeout=60)
    return r, time.monotonic() - start


@pytest.mark.parametrize("math,needle", [
    (r"10^{10^{10}} = 1", "too large to evaluate"),
    (r"9^{9^{9}} = 1", "too large to evaluate"),
    (r"2^{2^{2^{2^{2^{2}}}}} = 1", "too large to evaluate"),
    (r"\log(10^{-100000000}) = 1", "too large to evaluate"),
    (r"\sum_{k=1}^{10^{10^{10}}} 1 = 1", "too large to evaluate"),
    (r"\sum_{k=1}^{1000000000} 1 = 1", "a sum of more than"),
    (r"x = " + "x + " * 2000 + "x", "longer than"),
    (r"x = " + "{" * 60 + "x" + "}" * 60, "nested more than"),
    (r"x^{10^{9999}} = x", "an exponent too large"),
])
def test_a_size_that_cannot_be_afforded_makes_that_step_unverified(math, needle):
    start = time.monotonic()
    result = check(f"$$ y = y $$\n$$ {math} $$\n", fmt="md")
    assert time.monotonic() - start < 10
    ok, cut = result.steps
    assert ok.status == "ok"
    assert cut.status == "unverified" and needle in cut.reason and cut.line == 2


def test_a_line_that_does_not_parse_is_reported_on_its_line_and_the_rest_is_judged():
    result = check("$$ a = \\frac{1}{ $$\n\n$$ x + x = 2x $$\n$$ x \\cdot x = 2x $$\n", fmt="md")
    bad, good, wrong = result.steps
    assert (bad.line, bad.status) == (1, "unverified") and "cannot read this math" in bad.reason
    assert (good.line, good.status) == (3, "ok")
    assert (wrong.line, wrong.status) == (4, "wrong")


def test_only_when_nothing_can_be_read_is_the_input_unusable():
    r, _ = run("-", "--format", "md", stdin=b"$$ a = \\frac{1}{ $$\n$$ b = ) $$\n")
    err = r.stderr.decode()
    assert r.returncode == 2 and "nothing could be read; line 1" in err and "\n" not in err.strip()
    r, _ = run("-", "--format", "md", stdin=b"$$ a = \\frac{1}{ $$\n$$ x + x = 2x $$\n")
    assert r.returncode == 1 and "1 ok" in r.stdout.decode()


def test_a_define_too_large_to_evaluate_is_a_usage_error():
    r, seconds = run("-", "--format", "md", "--define", "x = 10^{10^{10}}", stdin=b"$$ x = x $$\n")
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "--define" in err and "too large to evaluate" in err and "\n" not in err
    assert seconds < 30


def test_the_document_time_budget_cuts_off_steps_and_says_which(monkeypatch):
    def endless(lhs, rhs, ctx):   # a verifier that never decides: the budget alone must stop it
        while True:
            time.sleep(0.01)

    monkeypatch.setattr("derive.checker.checker.verify", endless)
    start = time.monotonic()
    result = check("$$ x + x = 2x $$\n" * 6, fmt="md", budget=Budget(total=1.5, step=0.5))
    assert time.monotonic() - start < 4
    assert all(s.status == "unverified" for s in result.steps)
    reasons = [s.reason for s in result.steps]
    assert reasons[0].startswith("no verdict within 0.5 s (this step's share of the time)")
    assert reasons[-1] == "not judged: the document's time budget of 1.5 s ran out"


def test_too_many_claims_are_cut_off_and_reported():
    result = check("$$ x = x $$\n" * 700, fmt="md")
    cut = result.steps[-1]
    assert sum(s.status == "ok" for s in result.steps) == 600
    assert cut.status == "unverified" and "cut off" in cut.reason and cut.line == 601


@pytest.mark.parametrize("name,content", [
    ("x_eq_x.md", b"$$ " + b"x = " * 249_990 + b"x $$\n"),
    ("nested_aligned.tex", b"\\[ " + b"\\begin{aligned} " * 30_000 + b"x &= x" + b" \\end{aligned}" * 30_000 + b" \\]\n"),
    ("brackets.tex", b"\\\\[" * 333_000),
    ("rows.md", b"$$ " + b"x = x \\\\ " * 110_000 + b" $$\n"),
    ("spaces.md", b"$$ " + (b" " * 19_000 + b"x = x \\\\ ") * 50 + b" $$\n"),
])
def test_a_megabyte_of_hostile_math_is_answered_quickly(tmp_path, name, content):
    f = tmp_path / name
    f.write_bytes(content)
    r, seconds = run(str(f))
    assert seconds < 30, f"{name}: {seconds:.1f} s"
    assert r.returncode in (0, 1, 2) and b"Traceback" not in r.stderr
    if r.returncode == 2:
        err = r.stderr.decode().strip()
        assert "\n" not in err and ("nothing could be read" in err or "no display math" in err)
