"""The Markdown (and the notebook LaTeX) draws with KaTeX: every formula, strict, under node."""
from __future__ import annotations

import pytest
from render.render_helpers import SEED_Z, derived, katex_failures, math_chunks

from derive.render import LANGS, notebook_latex, render

CASES = [("softmax-jacobian", "2", (("z", "0.5,-0.5"),)),
         ("softmax-cross-entropy", "3", (("z", SEED_Z), ("target", "0"))),
         ("softmax-jacobian", "K", ()), ("softmax-cross-entropy", "K", ())]


@pytest.mark.parametrize("lang", LANGS)
def test_every_markdown_formula_renders_with_katex(lang):
    chunks = [c for case in CASES for c in math_chunks(render(derived(*case), "markdown", lang))]
    assert len(chunks) > 50
    assert katex_failures(chunks) == []


def test_notebook_latex_renders_with_katex():
    chunks = [c for case in CASES for c in math_chunks(notebook_latex(derived(*case)))]
    assert katex_failures(chunks) == []


def test_the_katex_check_catches_errors():
    """The checker is not vacuous: an unknown macro and prose in math mode both fail."""
    bad = katex_failures([(r"\nosuchmacro{x}", True), ("当 i = j", False), (r"\text{当 } i = j", False)])
    assert [b["tex"] for b in bad] == [r"\nosuchmacro{x}", "当 i = j"]


def test_derived_losses_render_with_katex():
    """`derive grad` documents (every engine loss, and binary cross-entropy on a scalar) in both languages."""
    import derive
    from engine.losses import LOSSES

    docs = [derive.gradient(loss, define=defs, assume=facts) for loss, defs, facts, _v, _fn in LOSSES.values()]
    docs.append(derive.gradient(r"L = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))", values={"x": "0.3", "y": "1"}))
    chunks = [c for d in docs for lang in LANGS for c in math_chunks(render(d, "markdown", lang))]
    assert len(chunks) > 500
    assert katex_failures(chunks) == []
