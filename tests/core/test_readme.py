"""The README shows real output: its LaTeX excerpt stands word for word in the committed gallery."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT


@pytest.mark.parametrize("fence,gallery_file", [("latex", "softmax-cross-entropy-K3.tex"),
                                                 ("markdown", "softmax-cross-entropy-KK-zh.md"),
                                                 ("tex", "softmax-cross-entropy-KK-paper.tex")])
def test_readme_excerpts_are_real_output(fence, gallery_file):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.search(rf"```{fence}\n(.*?)```", readme, re.S).group(1)
    gallery = (ROOT / "output" / gallery_file).read_text(encoding="utf-8")
    for line in excerpt.strip().splitlines():
        assert line in gallery, line


def test_readme_quick_start_has_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 2
    assert "derive render" in blocks[0] and "pytest" in blocks[1]
