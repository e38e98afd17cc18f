"""Every place math lives and the words around it, through the real `derive check` path: a document per
case, the status of each step in order (true claims "ok", false ones "wrong", unreadable context
"unverified"), English and Chinese."""
from __future__ import annotations

import json

import pytest

from derive.checker.command import check

SOFTMAX = r"<!-- derive: define a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}} -->"


def _nb(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "markdown", "source": [l + "\n" for l in c.split("\n")]} for c in cells]
                      + [{"cell_type": "code", "source": ["x = 1\n"], "outputs": []}], "nbformat": 4}, indent=1)


CONTAINERS = [
    # inline math is judged, in Markdown and LaTeX, with $ and \( \)
    ("md", r"We have $x + x = 2x$ and $x \cdot x = 2x$.", ("ok", "wrong")),
    ("tex", r"We have \(x + x = 2x\) and $x \cdot x = 2x$.", ("ok", "wrong")),
    ("md", r"A post whose math is all inline: $(x+1)^2 = x^2 + 2x + 1$.", ("ok",)),
    ("md", r"It costs $5 and $10 (prices, not math); $2x = x + x$.", ("ok",)),
    # displays: ```math fences, bare environments in Markdown, eqnarray, gather, multline
    ("md", "```math\nx + x = 2x\n```\n```python\nx = 2\n```", ("ok",)),
    ("md", "\\begin{align}\nx + x &= 2x \\\\\n&= 3x\n\\end{align}", ("ok", "wrong")),
    ("tex", "\\begin{eqnarray}\nx + x &=& 2x \\\\\n&=& x \\cdot 2\n\\end{eqnarray}", ("ok", "ok")),
    ("tex", "\\begin{gather}\nx + x = 2x \\\\ x x = x^2\n\\end{gather}", ("ok", "ok")),
    ("tex", "\\begin{multline}\nx + x \\\\ = 2x\n\\end{multline}", ("ok",)),
    # reStructuredText: .. math:: (each paragraph one display) and :math:`...`
    ("rst", "Text.\n\n.. math::\n\n   x + x = 2x\n\n   x x = 2x\n\nand :math:`3x = x + 2x`.", ("ok", "wrong", "ok")),
    # Jupyter: the Markdown cells, on the notebook's own lines
    ("ipynb", _nb("# Notes", "$$ x + x = 2x $$", "and $x x = x^2$"), ("ok", "ok")),
    # the annotation column of an align is an annotation, not a claim
    ("md", "$$\\begin{aligned} x + x &= 2x && \\sum_k \\delta_{kj} f_k = f_j \\end{aligned}$$", ("ok",)),
    ("md", "$$\\begin{aligned} x + x &= 2x && \\text{by } x = 1 \\cdot x \\end{aligned}$$", ("ok",)),
    # derive's own header is a remark, not a declaration
    ("tex", "% derive: softmax-cross-entropy, K = K, paper style. Every equality below is verified.\n\\[ x + x = 2x \\]", ("ok",)),
]

CONTEXT = [
    # definitions in running text and inline math
    ("md", r"Let $u = x + 1$. Then $$ u^2 = x^2 + 2x + 1 $$", ("definition", "ok")),
    ("md", r"Let $u = x + 1$. Then $$ u^2 = x^2 + 1 $$", ("definition", "wrong")),
    ("md", r"令 $u = x + 1$，则 $$ u^2 = x^2 + 2x + 1 $$", ("definition", "ok")),
    ("md", r"设 $u = x + 1$，则 $$ u - 1 = x + 2 $$", ("definition", "wrong")),
    # conditions on values in the sentence before a display, and in parentheses after it
    ("md", r"When $x > 0$, $$ \sqrt{x^2} = x $$", ("ok",)),
    ("md", r"当 $x > 0$ 时，$$ \sqrt{x^2} = x $$", ("ok",)),
    ("md", r"When $x > 0$, $$ \sqrt{x^2} = -x $$", ("wrong",)),
    ("md", r"$$ x^2 + 1 = 10 \quad (x = 3) $$", ("ok",)),
    ("md", r"$$ x^2 + 1 = 11 \quad (x = 3) $$", ("wrong",)),
    ("md", r"When $x \in (0, 1)$, $$ \sqrt{x^2} = x $$", ("unverified",)),   # a condition it cannot read
    # a case stated after an inline claim, and in the sentence before it
    (None, SOFTMAX + "\n" + r"$\frac{\partial a_i}{\partial z_j} = a_i(1 - a_i)$ if $i = j$.", ("ok",)),
    (None, SOFTMAX + "\n" + r"$\frac{\partial a_i}{\partial z_j} = a_i - a_i$ if $i = j$.", ("wrong",)),
    (None, SOFTMAX + "\n" + r"When $i \neq j$, $\frac{\partial a_i}{\partial z_j} = -a_i a_j$.", ("ok",)),
    # a case on the first row of an align governs the block; per-row cases start again from the left side
    (None, SOFTMAX + "\n" + "$$\\begin{aligned} \\text{If } i = j:\\ \\frac{\\partial a_i}{\\partial z_j} &= a_i(1 - a_i) \\\\ "
     "&= a_i - a_i^2 \\end{aligned}$$", ("ok", "ok")),
    (None, SOFTMAX + "\n" + "$$\\begin{aligned} \\text{if}\\; i = j :& \\frac{\\partial a_i}{\\partial z_j} = a_i(1 - a_i) "
     "\\end{aligned}$$", ("ok",)),
    (None, SOFTMAX + "\n" + "$$\\begin{aligned} \\frac{\\partial a_i}{\\partial z_j} &= a_i(1 - a_i) && \\text{if } i = j \\\\ "
     "&= -a_i a_j && \\text{if } i \\neq j \\end{aligned}$$", ("ok", "ok")),
    (None, SOFTMAX + "\n" + "$$\\begin{aligned} \\frac{\\partial a_i}{\\partial z_j} &= a_i(1 - a_i) && \\text{if } i = j \\\\ "
     "&= a_i a_j && \\text{if } i \\neq j \\end{aligned}$$", ("ok", "wrong")),
    # mentions are not claims: a range, a value named in passing, a symbol named
    ("md", r"For $i = 1, \dots, K$ and the event $y = 1$, the signs \(=\) and \(\neq\); $x + x = 2x$.", ("ok",)),
]


@pytest.mark.parametrize("fmt,text,expected", CONTAINERS + CONTEXT, ids=[c[1][:60] for c in CONTAINERS + CONTEXT])
def test_statuses(fmt, text, expected):
    result = check(text + "\n", fmt=fmt or "md")
    assert tuple(s.status for s in result.steps) == expected, [(s.line, s.lhs, s.rhs, s.status, s.reason) for s in result.steps]


def test_inline_steps_are_shown_as_inline():
    result = check("We have $x + x = 2x$.\n$$ x x = x^2 $$\n", fmt="md")
    assert [s.inline for s in result.steps] == [True, False]
    assert result.as_json()["steps"][0]["inline"] is True


def test_notebook_lines_are_the_files_lines():
    text = _nb("# Notes", "$$ x + x = 3x $$")
    want = next(n for n, line in enumerate(text.split("\n"), start=1) if "3x" in line)
    (step,) = check(text, fmt="ipynb").steps
    assert (step.status, step.line) == ("wrong", want)
