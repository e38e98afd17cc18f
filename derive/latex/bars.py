"""Vertical bars paired before lexing: |x| and \\|v\\| open and close, the one bar of P(a|b) separates arguments."""
from __future__ import annotations

import re

# a bar: | \vert \lvert \rvert (single), \| \Vert \lVert \rVert (double); \right|_{x=1} is an evaluation
_BAR_RE = re.compile(r"\\(?:[lr]?[vV]ert)(?![a-zA-Z])|\\\||\|")
_EVALUATED = re.compile(r"\\(right|big|Big|bigg|Bigg)\s*$")
_OPEN, _CLOSE = "([", ")]"
_LEFT = re.compile(r"\\(left|bigl|Bigl|biggl|Biggl)\s*$")
_RIGHT = re.compile(r"\\(right|bigr|Bigr|biggr|Biggr)\s*$")
# after these an opening bar is expected (an operand begins): |x| + |y|, f(|x|), a = |b|
_OPERAND_BEGINS = re.compile(r"(^|[-+*/=(\[{,;^_&]|\\[a-zA-Z]+|\\mid)\s*$")


def mark_bars(text: str) -> str:
    """The text with its bars as the grammar's tokens (see marked_bars)."""
    return marked_bars(text)[0]


def as_written(marked: str, start: int, end: int, marks: tuple) -> str:
    """The user's text of marked[start:end]: each bar token put back as it was written (P(a|b), not P(a\\mid b))."""
    out, pos = [], start
    for at, length, original in marks:
        if start <= at and at + length <= end:
            out += [marked[pos:at], original]
            pos = at + length
    out.append(marked[pos:end])
    return "".join(out)


def marked_bars(text: str) -> tuple[str, tuple]:
    """Each bar as the grammar's unambiguous token: \\lvert/\\rvert (|x|), \\lVert/\\rVert (\\|v\\|), or
    \\mid when it is the only bar inside its parentheses or brackets (P(y|x), E[y|x], KL(p\\|q)).

    Why before lexing: an LALR grammar cannot tell the closing bar of |x| from the opening bar of a
    second |y| in a product, nor the bar of (a | b) from an absolute value; the bars' order can."""
    if "|" not in text and "vert" not in text and "Vert" not in text:
        return text, ()
    bars = [m for m in _BAR_RE.finditer(text)
            if not (_EVALUATED.search(text, 0, m.start()) and re.match(r"\s*_", text[m.end():]))]
    if not bars:
        return text, ()
    depth_of = _depths(text)
    kinds: dict[int, str] = {}
    groups: dict[tuple[int, int], list] = {}
    for m in bars:
        groups.setdefault(depth_of[m.start()], []).append(m)
    for (depth, _group), members in groups.items():
        if depth > 0 and len(members) == 1:
            kinds[members[0].start()] = "\\mid "
            continue
        open_: list[bool] = []   # a stack of the bars opened (True: double)
        for m in members:
            double = "V" in m.group() or m.group() == "\\|"
            before = text[:m.start()]
            if m.group().startswith("\\l") or _LEFT.search(before):
                closing = False
            elif m.group().startswith("\\r") or _RIGHT.search(before):
                closing = True
            else:
                closing = bool(open_) and open_[-1] == double and not _OPERAND_BEGINS.search(before)
            if closing and open_:
                open_.pop()
            else:
                open_.append(double)
            kinds[m.start()] = ("\\rVert " if double else "\\rvert ") if closing else ("\\lVert " if double else "\\lvert ")
    out, last, marks, at = [], 0, [], 0
    for m in bars:
        at += m.start() - last
        out += [text[last:m.start()], kinds[m.start()]]
        marks.append((at, len(kinds[m.start()]), m.group()))
        at += len(kinds[m.start()])
        last = m.end()
    out.append(text[last:])
    return "".join(out), tuple(marks)


def _depths(text: str) -> dict[int, tuple[int, int]]:
    """For each position: (paren depth, which group at that depth), so bars of one group are counted together."""
    out, depth, serial = {}, 0, [0]
    for pos, ch in enumerate(text):
        if ch in _OPEN and text[pos - 1:pos] != "\\":
            depth += 1
            if len(serial) <= depth:
                serial.append(0)
            serial[depth] += 1
        elif ch in _CLOSE and text[pos - 1:pos] != "\\" and depth > 0:
            depth -= 1
        out[pos] = (depth, serial[depth] if depth < len(serial) else 0)
    return out
