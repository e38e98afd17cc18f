"""PDF output: latexmk with pdflatex (en) or xelatex (zh), no shell escape, openin_any=p."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError

DEBIAN_PACKAGES = "texlive-latex-base texlive-latex-recommended latexmk lmodern (and texlive-xetex texlive-lang-chinese for zh)"
TIMEOUT = 180


def compile_pdf(tex: Path, lang: str = "en") -> Path:
    """Compile tex into a PDF beside it, in a scratch directory, moved into place only on success."""
    tex = Path(tex)
    engine = "-xelatex" if lang == "zh" else "-pdf"
    if shutil.which("latexmk") is None or shutil.which("xelatex" if lang == "zh" else "pdflatex") is None:
        raise RenderError(f"--pdf needs TeX: install the Debian packages {DEBIAN_PACKAGES}")
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as work:
        src = Path(work) / tex.name
        shutil.copyfile(tex, src)
        cmd = ["latexmk", engine, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               "-file-line-error", src.name]
        try:
            proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"TeX did not finish within {TIMEOUT} s on {tex}") from None
        pdf = src.with_suffix(".pdf")
        if proc.returncode != 0 or not pdf.exists():
            raise RenderError(f"TeX failed on {tex}: {_log_excerpt(src.with_suffix('.log'), proc.stdout)}")
        target = tex.with_suffix(".pdf")
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(pdf, tmp)
        os.replace(tmp, target)
    return target


_ERROR_LINE = re.compile(r"^(!|\S+\.\w+:\d+: )")


def _log_excerpt(log: Path, stdout: str) -> str:
    """The lines of the log that say what went wrong ('! ...' or 'file.tex:12: ...' and the two
    lines of context after it), not the whole log."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else stdout
    lines = text.splitlines()
    bad = [n for n, line in enumerate(lines) if _ERROR_LINE.match(line)]
    if not bad:
        return " | ".join(line.strip() for line in lines[-3:] if line.strip())
    n = bad[0]
    return " | ".join(s.strip() for s in lines[n:n + 3] if s.strip())
