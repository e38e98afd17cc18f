"""A rough width of printed LaTeX (in points at 10pt), to break paper displays before they overflow a column.

Not TeX: an estimate from the structure (a fraction is as wide as its wider part, scripts are smaller,
\\left( \\right) add a little). Its error is absorbed by a margin; the two-column test compiles every
paper fragment and asserts on TeX's own overfull-box warnings.
"""
from __future__ import annotations

import re

COLUMN = 229.5          # \columnwidth of a two-column article (10pt, letter)
EQUATION_NUMBER = 22    # "(12)" and its separation
CHAR = 5.6              # an average math glyph
_WIDE = {r"\sum": 12, r"\prod": 12, r"\partial": 5.5, r"\operatorname": 0, r"\mathbf": 0, r"\mathrm": 0,
         r"\left": 0, r"\right": 0, r"\frac": 0, r"\quad": 10, r"\qquad": 20, r"\cdots": 13, r"\dots": 13,
         r"\ldots": 13, r"\vdots": 4, r"\ddots": 13, r"\top": 6, r"\log": 15, r"\max": 18, r"\sigma": 6,
         r"\delta": 4.5, r"\epsilon": 4.5, r"\text": 0, r"\begin": 0, r"\end": 0, r"\mathbb": 0}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}_^&]|\s+|.", re.S)


def width(tex: str) -> float:
    """Points of a formula set in display style."""
    return _span(_TOKEN.findall(tex), 0, 1.0)[0]


def _group(tokens: list[str], i: int, scale: float) -> tuple[float, int]:
    """The width of one argument starting at tokens[i] (a {group} or a single token)."""
    while i < len(tokens) and tokens[i].isspace():
        i += 1
    if i < len(tokens) and tokens[i] == "{":
        return _span(tokens, i + 1, scale, closing=True)
    return _span(tokens[i:i + 1], 0, scale)[0], i + 1


def _span(tokens: list[str], i: int, scale: float, closing: bool = False) -> tuple[float, int]:
    total = 0.0
    while i < len(tokens):
        t = tokens[i]
        if t == "}" and closing:
            return total, i + 1
        if t == "{":
            w, i = _span(tokens, i + 1, scale, closing=True)
            total += w
            continue
        if t in ("_", "^"):
            w, i = _group(tokens, i + 1, scale * 0.7)
            total += w
            continue
        if t == r"\frac":
            num, i = _group(tokens, i + 1, scale * 0.85)
            den, i = _group(tokens, i, scale * 0.85)
            total += max(num, den) + 2 * scale
            continue
        if t in (r"\text", r"\mbox", r"\operatorname", r"\mathrm"):
            inner, j = _group(tokens, i + 1, scale)
            total += inner * (0.95 if t != r"\operatorname" else 1.0)
            i = j
            continue
        if t in (r"\begin", r"\end"):
            _, i = _group(tokens, i + 1, scale)
            continue
        if t in (r"\left", r"\right"):
            total += 4.5 * scale
            i += 2
            continue
        i += 1
        if t.isspace():
            continue
        if t.startswith("\\") and len(t) > 2:
            total += _WIDE.get(t, CHAR) * scale
        elif t in "+-=":
            total += 13 * scale if scale == 1.0 else 8 * scale
        elif t in "(),.;&":
            total += 3.5 * scale if t != "&" else 0
        else:
            total += CHAR * scale
    return total, i
