"""Every corpus derivation: correct ones pass with no false alarm, planted errors are caught on their line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.checker.command import check

CORPUS = Path(__file__).with_name("corpus")
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".tex", ".md"))


def expected(path: Path) -> int | None:
    """`% expect-wrong: 12` / `<!-- expect-wrong: 12 -->` names the planted line; `expect: ok` none."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"expect-wrong:\s*(\d+)", text)
    if m:
        return int(m.group(1))
    assert re.search(r"expect:\s*ok", text), f"{path.name} says neither expect: ok nor expect-wrong: N"
    return None


def test_corpus_has_both_kinds():
    kinds = [expected(p) is None for p in FILES]
    assert sum(kinds) >= 5 and len(kinds) - sum(kinds) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file(path: Path):
    result = check(path)
    want = expected(path)
    wrong = [s for s in result.steps if s.status == "wrong"]
    if want is None:
        assert not wrong, f"false alarm on line {wrong[0].line}: {wrong[0].lhs} = {wrong[0].rhs} ({wrong[0].reason})"
        assert not [s for s in result.steps if s.status == "unverified"], "a correct corpus file should be fully checked"
        assert sum(s.status == "ok" for s in result.steps) >= 3
    else:
        assert result.first_wrong_line == want
        assert wrong[0].counterexample and "K" in wrong[0].counterexample


@pytest.mark.parametrize("path", [p for p in FILES if expected(p) is not None], ids=lambda p: p.name)
def test_planted_error_differs_from_its_original_on_that_line_only(path: Path):
    original = CORPUS / (re.sub(r"_(sign|swapped|missing|unassumed|sumonly|logsm)$", "", path.stem) + path.suffix)
    assert original.exists(), f"{path.name}: no original {original.name}"
    a = original.read_text(encoding="utf-8").splitlines()
    b = path.read_text(encoding="utf-8").splitlines()
    assert len(a) == len(b)
    changed = [n + 1 for n, (x, y) in enumerate(zip(a, b)) if x != y and "expect" not in x]
    assert changed == [expected(path)] or (path.stem.endswith("unassumed") and len(changed) == 1)
