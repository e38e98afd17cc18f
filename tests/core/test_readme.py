"""The README and docs/ show real output: excerpts stand word for word in the committed gallery, the
check example's verdicts are what `derive check` says, pictures and links exist."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, run_cli

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("fence,gallery_file", [("latex", "softmax-cross-entropy-K3.tex"),
                                                 ("markdown", "softmax-cross-entropy-KK-zh.md"),
                                                 ("tex", "softmax-cross-entropy-KK-paper.tex")])
def test_format_excerpts_are_real_output(fence, gallery_file):
    doc = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    excerpt = re.search(rf"```{fence}\n(.*?)```", doc, re.S).group(1)
    gallery = (ROOT / "output" / gallery_file).read_text(encoding="utf-8")
    for line in excerpt.strip().splitlines():
        assert line in gallery, line


def test_readme_quick_start_has_two_commands():
    readme = README.read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 2
    assert "derive render" in blocks[0] and "pytest" in blocks[1]


def test_the_check_example_shows_what_derive_check_says():
    readme = README.read_text(encoding="utf-8")
    shown = re.search(r"```sh\nderive check (\S+)\n```\n\n```text\n(.*?)```", readme, re.S)
    r = run_cli("check", shown.group(1))
    assert r.returncode == 1, r.stderr

    def verdicts(text: str) -> list[tuple[str, str]]:
        return re.findall(r"line\s+(\d+)\s+(ok|WRONG|unverified|definition)", text)

    assert verdicts(shown.group(2)) == verdicts(r.stdout) and len(verdicts(r.stdout)) >= 3
    def counts(text: str) -> list[str]:   # the summary's counts (its wording may grow)
        return re.findall(r"\d+ (?:ok|wrong|unverified|definitions)\b", text.strip().splitlines()[-1])

    assert counts(shown.group(2)) == counts(r.stdout) != []


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.name)
def test_links_and_pictures_exist(page):
    text = page.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    for target in targets:
        if "://" in target:
            continue
        path = (page.parent / target).resolve()
        assert path.exists(), f"{page.name}: {target}"
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_the_readme_is_for_a_newcomer():
    """Short, with its pictures, and the reference moved to docs/ rather than lost."""
    readme = README.read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 140
    assert readme.count("![") >= 2
    for doc in ("commands", "formats", "python", "verification", "benchmarks"):
        assert f"docs/{doc}.md" in readme
