"""Markdown flavors: the math written so that a blog engine's Markdown pass gives back our LaTeX.

marked (Hexo) and markdown-it treat `\\` as an escaped backslash and `_`/`*` as emphasis, so every
`\\\\` of an aligned chain or a matrix collapses. In their flavor each math span has its Markdown
specials backslash-escaped: after their pass (which removes exactly those escapes) KaTeX or MathJax
reads the LaTeX we wrote. No flavor has `{{`; the escaped ones have no `}}` either (Nunjucks, Liquid and Hugo read them as tags).
"""
from __future__ import annotations

import re

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_SPECIAL = re.compile(r"[\\_*~\[\]`<>|]")


def markdown_flavor(text: str, flavor: str) -> str:
    if flavor == "standard":  # Liquid (Jekyll) and Nunjucks read {{ as the start of a tag
        return _MATH.sub(lambda m: _unbrace(m.group(0), "{{"), text)
    return _MATH.sub(lambda m: _escape(_unbrace(m.group(0), "{{", "}}")), text)


def _unbrace(math: str, *pairs: str) -> str:
    """A space between two braces changes nothing in math and ends a template tag."""
    while any(p in math for p in pairs):
        for p in pairs:
            math = math.replace(p, p[0] + " " + p[1])
    return math


def _escape(math: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), math)
