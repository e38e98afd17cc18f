"""--pdf: pdflatex for English, xelatex + ctex for Chinese; a page looked at; missing TeX and TeX failures."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, require_tool, run_cli

SEED = ["--values", "z=1.1316,-0.7943,0.1328", "--values", "target=0"]


def dark_fraction(pdf: Path, page: int, tmp_path: Path) -> float:
    """Render one page to a grey PNG and PGM with pdftoppm: the share of ink (dark pixels)."""
    pdftoppm = require_tool("pdftoppm")
    stem = tmp_path / f"page{page}"
    for fmt in ("-png", None):
        cmd = [pdftoppm, "-gray", "-r", "50", "-f", str(page), "-l", str(page), *([fmt] if fmt else []),
               "-singlefile", str(pdf), str(stem)]
        subprocess.run(cmd, check=True, timeout=60)
    assert stem.with_suffix(".png").stat().st_size > 1000
    data = stem.with_suffix(".pgm").read_bytes()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    pixels = pixels[: int(width) * int(height)]
    return sum(1 for p in pixels if p < 128) / len(pixels)


@pytest.mark.tex
@pytest.mark.parametrize("lang,engine", [("en", "pdflatex"), ("zh", "xelatex")])
def test_pdf_compiles_and_a_page_has_ink(lang, engine, tmp_path):
    require_tool("latexmk")
    require_tool(engine)
    tex = tmp_path / f"sce-{lang}.tex"
    proc = run_cli("render", "softmax-cross-entropy", "-K", "3", "--lang", lang, "-o", str(tex), "--pdf", *SEED)
    assert proc.returncode == 0, proc.stderr
    pdf = tex.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    if lang == "zh":
        assert "Fandol" in info or "CJK" in info or "Noto" in info, info   # a Chinese font is embedded
    assert 0.005 < dark_fraction(pdf, 1, tmp_path) < 0.5


@pytest.mark.tex
def test_missing_tex_is_one_line_naming_the_debian_packages(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    os.symlink(sys.executable, bare / "python3")
    env = {"PATH": str(bare), "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    tex = tmp_path / "x.tex"
    proc = subprocess.run([sys.executable, "-m", "derive", "render", "softmax-jacobian", "-K", "2", "-o", str(tex),
                           "--pdf"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.startswith("derive:")]
    assert len(lines) == 1 and "texlive-latex-base" in lines[0] and "latexmk" in lines[0]
    assert "texlive-xetex" in lines[0] and "texlive-lang-chinese" in lines[0]
    assert not tex.with_suffix(".pdf").exists()


@pytest.mark.tex
def test_tex_failure_shows_the_relevant_log_lines(tmp_path):
    require_tool("latexmk")
    require_tool("pdflatex")
    house = tmp_path / "house" / "latex"
    house.mkdir(parents=True)
    (house / "document.tex.j2").write_text(
        "\\documentclass{article}\n\\begin{document}\n((( title )))\n\\nosuchcommand\n\\end{document}\n")
    tex = tmp_path / "broken.tex"
    proc = run_cli("render", "softmax-jacobian", "-K", "2", "--templates", str(tmp_path / "house"),
                   "-o", str(tex), "--pdf")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") <= 2 and "Undefined control sequence" in proc.stderr
    assert len(proc.stderr) < 600                       # the relevant lines, not the whole log
    assert not tex.with_suffix(".pdf").exists()
