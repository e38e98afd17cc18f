"""The command line's promises to scripts and readers: help for every option, JSON `ok` = exit code 0."""
from __future__ import annotations

import argparse
import json

import pytest

from conftest import run_cli
from derive.cli import build_parser

DOCS = {  # a document, its exit code
    "right": ("$$\\frac{\\partial}{\\partial x} x^3 = 3x^2$$\n", 0),
    "wrong": ("$$\\frac{\\partial}{\\partial x} x^3 = 2x^2$$\n", 1),
    "unverified": ("$$\\frac{\\partial L}{\\partial z_j} = a_j - y_j$$\n", 1),   # L never defined
}


def _parsers(parser: argparse.ArgumentParser, name: str = "derive"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, p in action.choices.items():
                yield from _parsers(p, f"{name} {sub}")


def test_every_option_and_argument_has_help_text():
    missing = [f"{name} {'/'.join(a.option_strings) or a.dest}" for name, p in _parsers(build_parser())
               for a in p._actions if not isinstance(a, argparse._SubParsersAction)
               and a.help in (None, "") and a.dest != "help"]
    assert missing == []


@pytest.mark.parametrize("kind", DOCS)
def test_check_json_ok_agrees_with_the_exit_code(kind, tmp_path):
    text, code = DOCS[kind]
    f = tmp_path / "notes.md"
    f.write_text(text, encoding="utf-8")
    r = run_cli("check", str(f), "--json")
    assert r.returncode == code, r.stderr
    data = json.loads(r.stdout)
    assert data["ok"] is (code == 0)
    assert data["summary"][kind if kind != "right" else "ok"] == 1


def test_messages_quote_latex_as_written(tmp_path):
    r = run_cli("grad", r"L = \frac{", "--define", r"a_i = \frac{e^{z_i}}{\sum_k e^{z_k}}", cwd=tmp_path)
    assert r.returncode == 2
    assert r"loss 'L = \frac{'" in r.stderr or r"loss '\frac{'" in r.stderr, r.stderr
    assert "\\\\" not in r.stderr
    r = run_cli("check", "-", "--define", r"a_i = \frac{", stdin="$$x = x$$\n", cwd=tmp_path)
    assert r.returncode == 2 and r"--define 'a_i = \frac{'" in r.stderr and "\\\\" not in r.stderr, r.stderr
