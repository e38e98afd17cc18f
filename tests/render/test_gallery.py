"""The committed gallery in output/ is current (byte for byte), and its LaTeX compiles into PDFs with ink."""
from __future__ import annotations

import pytest
from conftest import ROOT, require_tool
from render.render_helpers import katex_failures, math_chunks

from derive import gallery

OUTPUT = ROOT / "output"


@pytest.fixture(scope="module")
def fresh():
    return gallery.build()


def test_gallery_is_current(fresh):
    stale = [name for name, text in fresh.items()
             if not (OUTPUT / name).is_file() or (OUTPUT / name).read_text(encoding="utf-8") != text]
    assert not stale, f"output/ is stale ({', '.join(stale[:5])}...): run python -m derive.gallery"


def test_gallery_covers_sizes_formats_and_languages(fresh):
    for recipe in gallery.RECIPES:
        for K in ("2", "3", "K"):
            for suffix in ("", "-zh"):
                for ext in ("tex", "md"):
                    assert f"{recipe}-K{K}{suffix}.{ext}" in fresh
        for style, _, ext, n in gallery.STYLED:
            assert f"{recipe}-K{gallery.CASES[n].K}-{style}.{ext}" in fresh
    readme = fresh["README.md"]
    assert all(f"({name})" in readme for name in fresh if name != "README.md")


def test_gallery_recipes_exist():
    from derive.recipebook import all_recipes

    assert set(gallery.RECIPES) <= {r.name for r in all_recipes()}


def test_gallery_markdown_draws_with_katex(fresh):
    chunks = [c for name, text in fresh.items() if name.endswith(".md") for c in math_chunks(text)]
    assert katex_failures(chunks) == []


@pytest.mark.tex
def test_gallery_pdfs_build_and_have_ink(fresh, tmp_path):
    """Every .tex of the gallery compiles (pdflatex en, xelatex zh); one page each is rendered and inked."""
    from render.test_pdf import dark_fraction

    for tool in ("latexmk", "pdflatex", "xelatex"):
        require_tool(tool)
    gallery.write(tmp_path, fresh)
    pdfs = gallery.build_pdfs(tmp_path)
    assert len(pdfs) == 12 + 4 * len(gallery.RECIPES)       # and the paper and teaching styles, en and zh
    for pdf in pdfs:   # a two-column paper page of a short derivation has less ink
        assert dark_fraction(pdf, 1, tmp_path) > (0.002 if "-paper" in pdf.name else 0.005), pdf.name
