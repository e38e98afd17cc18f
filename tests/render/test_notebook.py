"""A Derivation displays itself in Jupyter: text/latex is one $$ aligned $$ block, text/markdown the post."""
from __future__ import annotations

from render.render_helpers import derived, katex_failures, math_chunks


def test_repr_latex_is_display_math_only():
    tex = derived("softmax-cross-entropy", "K")._repr_latex_()
    assert tex.startswith("$$\n\\begin{aligned}\n") and tex.endswith("\\end{aligned}\n$$\n")
    assert tex.count("$$") == 2 and r"\subsection" not in tex and r"\tag" not in tex
    assert r"\text{chain rule}" in tex and "a_{j} - y_{j}" in tex
    assert katex_failures(math_chunks(tex)) == []


def test_repr_markdown_is_the_markdown_document():
    from derive.render import render

    d = derived("softmax-jacobian", "3")
    assert d._repr_markdown_() == render(d, "markdown", "en")
    assert d._repr_markdown_().startswith("# The Jacobian of the softmax function")


def test_ipython_display_formatter_picks_them_up():
    from conftest import require_module

    formatters = require_module("IPython.core.formatters")
    d = derived("softmax-jacobian", "2")
    assert formatters.LatexFormatter()(d).startswith("$$")
    assert formatters.MarkdownFormatter()(d).startswith("# ")
