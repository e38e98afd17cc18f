"""The README shows real output: its LaTeX excerpt stands word for word in the committed gallery."""
from __future__ import annotations

import re

from conftest import ROOT


def test_readme_excerpt_is_real_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```latex\n(.*?)```", readme, re.S).group(1)
    gallery = (ROOT / "output" / "softmax-cross-entropy-K3.tex").read_text(encoding="utf-8")
    for line in excerpt.strip().splitlines():
        assert line in gallery, line


def test_readme_quick_start_has_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 2
    assert "derive render" in blocks[0] and "pytest" in blocks[1]
