"""Every registered recipe renders in every format and both languages; its Markdown draws with KaTeX."""
from __future__ import annotations

import pytest
from conftest import require_tool
from render.render_helpers import derived, katex_failures, math_chunks

from derive.recipebook import all_recipes
from derive.render import FORMATS, LANGS, render

NAMES = [r.name for r in all_recipes()]


@pytest.mark.parametrize("K", ["3", "K"])
@pytest.mark.parametrize("recipe", NAMES)
def test_recipe_renders_everywhere(recipe, K):
    d = derived(recipe, "2" if recipe == "sigmoid-cross-entropy" and K == "3" else K)
    chunks = []
    for lang in LANGS:
        for fmt in FORMATS:
            text = render(d, fmt, lang)
            assert text.strip()
            if fmt == "markdown":
                chunks += math_chunks(text)
    assert katex_failures(chunks) == []


@pytest.mark.tex
@pytest.mark.parametrize("recipe", NAMES)
def test_recipe_latex_compiles_in_both_languages(recipe, tmp_path):
    from derive.render.pdf import compile_pdf

    for tool in ("latexmk", "pdflatex", "xelatex"):
        require_tool(tool)
    for lang in LANGS:
        tex = tmp_path / f"{recipe}-{lang}.tex"
        tex.write_text(render(derived(recipe, "2" if recipe == "sigmoid-cross-entropy" else "3"), "latex", lang),
                       encoding="utf-8")
        assert compile_pdf(tex, lang).stat().st_size > 10_000


WORKED = {"sigmoid-cross-entropy": ("2", (("z", "0.5,-1"), ("y", "0"))),
          "stop-gradient-form": ("3", (("a", "0.2,0.3,0.5"), ("q", "0.1,0.6,0.3"))),
          "batch-cross-entropy": ("3", (("z", "0.5,-1,2;1,2,3"), ("y", "0;2")))}


@pytest.mark.parametrize("recipe", NAMES)
def test_worked_example_renders_everywhere(recipe):
    """With --values: every format and language shows the numbers (the text worked example once
    asked every recipe's numbers for probabilities that a batch-style example does not have)."""
    K, values = WORKED.get(recipe, ("3", (("z", "0.5,-1,2"), ("y", "0,0,1"))))
    d = derived(recipe, K, values)
    for lang in LANGS:
        for fmt in FORMATS:
            assert render(d, fmt, lang).strip(), (fmt, lang)
    text = render(d, "text", "en")
    assert "A worked example" in text and "0.5" in text
