"""Reading rows: every equation of a line, the conditions beside it (and their negations), budgets."""
from __future__ import annotations

import time

import pytest

from derive.latex.extract import MAX_ROW_CHARS, Row, Unread, extract


def rows(math: str) -> list[tuple[list[str], list[str], str]]:
    """(sides, conditions as 'i!=j', problem) of every row of one $$ block."""
    doc = extract(f"$$ {math} $$\n", "md")
    out = []
    for r in doc.items:
        assert isinstance(r, Row)
        conds = [f"{a}{op}{b}" for (a, b), op in zip(r.conditions, r.condition_ops)]
        out.append(([s.text for s in r.sides], conds, r.problem))
    return out


CASES = [
    # every equation on a line is read; single letters that are not indices are an equation
    (r"a_i = a_i, \quad u = v", [(["a_i", "a_i"], [], ""), (["u", "v"], [], "")]),
    (r"A = B, \quad C = D", [(["A", "B"], [], ""), (["C", "D"], [], "")]),
    # conditions: beside, in parentheses, after \forall, in prose, negated by unless/except
    (r"\delta_{ij} = 0, \quad i \neq j", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{ij} = 0 \quad (i \neq j)", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{ij} = 0 \; (i \neq j).", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{ij} = 0 \quad \forall i \neq j", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{ij} = 1 \quad \text{if } i = j", [([r"\delta_{ij}", "1"], ["i=j"], "")]),
    (r"\delta_{ij} = 1 \quad \text{when $i = j$}", [([r"\delta_{ij}", "1"], ["i=j"], "")]),
    (r"\delta_{ij} = 1 \quad \text{unless } i = j", [([r"\delta_{ij}", "1"], ["i!=j"], "")]),
    (r"\delta_{ij} = 0 \quad \text{except } i = j", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{ij} = 0 \quad \text{当 } i \neq j \text{ 时}", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{ij} = 0 \quad \text{除非 } i = j", [([r"\delta_{ij}", "0"], ["i!=j"], "")]),
    (r"\delta_{i1} = 1 \quad (i = 1)", [([r"\delta_{i1}", "1"], ["i=1"], "")]),
    (r"a_i = \delta_{i1}, \quad i = 1, \dots, K", [(["a_i", r"\delta_{i1}"], [], "")]),   # a range, no condition
    # conditions it cannot use make the row unverified, never judged without them
    (r"\delta_{ij} = 0 \quad (i < j)", [([r"\delta_{ij}", "0"], [], "cannot read the condition i < j (only = and \\neq between indices)")]),
    (r"\delta_{ij} = 0 \quad \text{if } i > j", [([r"\delta_{ij}", "0"], [], "cannot read the condition 'if i > j' (only = and \\neq between indices)")]),
    (r"\delta_{ij} = 1 \quad \text{if } i = j \text{ or } i = 1",
     [([r"\delta_{ij}", "1"], ["i=j"], "cannot read the condition 'or i = 1' (conditions joined by 'or')")]),
    (r"x_i = 1 \quad \text{if } x \text{ is one-hot}", [(["x_i", "1"], [], "cannot read the condition 'if x'")]),
    # cases: & parts value and condition; 'otherwise' is the negation of the other branch
    (r"\delta_{ij} = \begin{cases} 1 & i = j \\ 0 & \text{otherwise} \end{cases}",
     [([r"\delta_{ij}", "1"], ["i=j"], ""), ([r"\delta_{ij}", "0"], ["i!=j"], "")]),
]


@pytest.mark.parametrize("math,expected", CASES, ids=[c[0] for c in CASES])
def test_rows_and_conditions(math, expected):
    assert rows(math) == expected


def test_a_letter_equal_to_a_number_is_a_range_only_for_an_index():
    assert rows(r"a_i = \delta_{i1}, \quad i = 1") == [(["a_i", r"\delta_{i1}"], [], "")]
    assert rows(r"x = 2, \quad y = 3") == [(["x", "2"], [], ""), (["y", "3"], [], "")]


@pytest.mark.parametrize("text,fmt", [
    ("\\\\[" * 333_000, "tex"),                       # 1 MB of unclosed \[ (a lazy regex is quadratic here)
    ("\\begin{align}" * 70_000, "tex"),
    ("<!--" * 250_000, "md"),
    ("```\n" + "~~~\n" * 200_000, "md"),
    ("$$ " + "\\begin{aligned} " * 50_000 + "x &= x" + " \\end{aligned}" * 50_000 + " $$", "md"),
    ("$$ " + "x = x \\\\ " * 110_000 + " $$", "md"),
    ("$$ x = x $$\n" * 80_000, "md"),
])
def test_reading_is_linear(text, fmt):
    start = time.monotonic()
    extract(text, fmt)
    assert time.monotonic() - start < 10


def test_long_rows_and_too_many_claims_are_reported_not_read():
    doc = extract("$$ " + "x = " * 250_000 + "x $$\n", "md")
    (item,) = doc.items
    assert isinstance(item, Unread) and not item.cut and str(MAX_ROW_CHARS) in item.reason
    doc = extract("intro\n$$ " + "x = " * 4000 + "x $$\n" + "$$ y = y $$\n" * 10, "md", max_claims=50)
    row, cut = doc.items
    assert len(row.sides) == 51 and isinstance(cut, Unread) and cut.cut
    assert "lines 2 to 13" in cut.reason


def test_a_dollar_display_does_not_cross_a_blank_line():
    # "$$ a = b" left open: Markdown ends the paragraph (and the math) at the blank line, so the next $$
    # opens a display of its own instead of closing one that swallows the prose
    text = "Intro $$ a = b\n\nSome prose here.\n\n$$\nx + x = 2x\n$$\n"
    items = extract(text, "md").items
    assert isinstance(items[0], Unread) and items[0].line == 1 and "not closed" in items[0].reason
    assert [s.text for s in items[1].sides] == ["x + x", "2x"] and items[1].sides[0].line == 6
    assert len(items) == 2


def test_a_math_block_on_its_own_lines_may_hold_a_blank_line():
    # Typora and Obsidian write $$ alone on its line and allow blank lines inside the block
    text = "Text\n\n$$\na_i = b_i\n\n= b_i\n$$\n"
    items = extract(text, "md").items
    assert len(items) == 1 and isinstance(items[0], Row)
    assert [s.text for s in items[0].sides] == ["a_i", "b_i", "b_i"] and items[0].sides[0].line == 4
