"""Document styles (full, paper, teaching) and Markdown flavors: names, defaults, checks."""
from __future__ import annotations

from ..errors import UsageError, quoted

STYLES = ("full", "paper", "teaching")
# The fragment is what goes into a paper; every other format shows the complete verified route.
DEFAULT_STYLE = {"latex-fragment": "paper"}
# standard: $$ blocks as written. marked / markdown-it: the math escaped so that their Markdown pass
# (backslash escapes, emphasis) gives back exactly our LaTeX. hexo is marked after Nunjucks.
FLAVORS = ("standard", "marked", "hexo", "markdown-it")


def check_style(style: str | None, fmt: str) -> str:
    if style is None:
        return DEFAULT_STYLE.get(fmt, "full")
    if style not in STYLES:
        raise UsageError(f"unknown style {quoted(style)} (use {', '.join(STYLES)})")
    return style


def check_flavor(flavor: str | None, fmt: str) -> str:
    if flavor is None:
        return "standard"
    if flavor not in FLAVORS:
        raise UsageError(f"unknown flavor {quoted(flavor)} (use {', '.join(FLAVORS)})")
    if flavor != "standard" and fmt != "markdown":
        raise UsageError(f"--flavor {flavor} is for --format markdown")
    return flavor
