"""Breaking a printed formula over lines without changing what it says: pieces of its own LaTeX.

The pieces are cut from the one printed string, never printed again from parts: joined, with the
inserted \\biggl( \\biggr) read back as the \\left( \\right) they replace and the \\biggl[ \\biggr] that
mark a sum's scope dropped, they are that string token for token (`same` checks it, and a break
that fails the check is not made: a line too wide is a typographic fault, a wrong one is a false
equation). Breaks are made, in this order of preference, before a + or - of the top level; inside
one pair of parentheses (made fixed-size, so they may open on one line and close on another),
before a + or - of that pair's top level; between the factors of a product (a sum's summand then
set in brackets, so its scope stays plain).
"""
from __future__ import annotations

import re

from markupsafe import Markup

from .width import width

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)
_SUM_HEAD = re.compile(r"^((?:\\sum|\\prod)_\{[^{}]*\}\^\{[^{}]*\}\s*)+")
_OPENERS = {r"\left", r"\Bigl", r"\bigl", r"\biggl"}
_CLOSERS = {r"\right", r"\Bigr", r"\bigr", r"\biggr"}
GROUP = 15     # points an opened bracket and its indentation take


def _depths(tokens: list[str]) -> list[int]:
    """The nesting depth before each token (braces and sized delimiters; the delimiter after
    \\left is inside its group, the one after \\right outside)."""
    out, depth = [0] * len(tokens), 0
    for n, t in enumerate(tokens):
        if n and tokens[n - 1] in _CLOSERS:
            out[n] = depth
            continue
        out[n] = depth
        if t == "{" or t in _OPENERS:
            depth += 1
        elif t == "}" or t in _CLOSERS:
            depth -= 1
            out[n] = depth + 1
    return out


def _tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex)


def _operators(tokens: list[str], depths: list[int]) -> list[int]:
    """Token positions of the binary + and - of the top level (not a leading sign)."""
    out = []
    for n, t in enumerate(tokens):
        if t in "+-" and depths[n] == 0 and n > 1 and tokens[n - 1].isspace() \
                and n + 1 < len(tokens) and tokens[n + 1].isspace() and tokens[n - 2] not in ("=", "(", "{"):
            out.append(n)
    return out


def _cut(tokens: list[str], at: list[int]) -> list[str]:
    pieces, start = [], 0
    for n in at:
        pieces.append("".join(tokens[start:n]).strip())
        start = n
    pieces.append("".join(tokens[start:]).strip())
    return [p for p in pieces if p]


def split_tex(tex: str, room: float) -> list[str]:
    """The formula in pieces no wider than room where it can be (see the module docstring)."""
    pieces = _split(tex, room)
    return pieces if same(pieces, tex) else [tex]


def _split(tex: str, room: float) -> list[str]:
    if width(tex) <= room:
        return [tex]
    tokens = _tokens(tex)
    depths = _depths(tokens)
    terms = _cut(tokens, _operators(tokens, depths))
    lines: list[str] = []
    for term in terms:
        if width(term) > room:
            lines += _break_term(term, room)
        elif lines and width(lines[-1] + " " + term) <= room:
            lines[-1] += " " + term
        else:
            lines.append(term)
    return lines


def _break_term(term: str, room: float) -> list[str]:
    """One term of a sum too wide for a line: inside its widest parentheses holding a sum, else
    between its factors."""
    tokens = _tokens(term)
    depths = _depths(tokens)
    groups = []
    for n, t in enumerate(tokens):
        if t == r"\left" and depths[n] == 0 and n + 1 < len(tokens) and tokens[n + 1] == "(":
            close = next(m for m in range(n + 2, len(tokens)) if tokens[m] == r"\right" and depths[m] == 1)
            inner = tokens[n + 2:close]
            if _operators(inner, _depths(inner)) and width("".join(inner)) > room / 3:   # not a small (1 - a_i)
                groups.append((width("".join(inner)), n, close))
    if groups:
        _, n, close = max(groups)
        opener, closer = tokens[n + 1], tokens[close + 1]
        head, middle, tail = "".join(tokens[:n]), "".join(tokens[n + 2:close]), "".join(tokens[close + 2:])
        parts = _split(middle, room - GROUP)
        if len(parts) > 1:
            return [f"{head}\\biggl{opener}{parts[0]}", *parts[1:-1], f"{parts[-1]}\\biggr{closer}{tail}".rstrip()]
    return _factors(term, room)


def _factors(term: str, room: float) -> list[str]:
    """A product over lines, cut after a closed group (a subscript, parentheses) and before the
    next factor. After a sum's limits (at the top level) the rest of the term is its summand: it is
    set in brackets, and the cuts are made inside them only."""
    tokens = _tokens(term)
    depths = _depths(tokens)
    start = 0
    for n, t in enumerate(tokens):
        if t in (r"\sum", r"\prod") and depths[n] == 0:
            m = _SUM_HEAD.match("".join(tokens[n:]))
            head_tokens = len(_tokens(m.group(0))) if m else 1
            start = n + head_tokens
            break
    head, body = "".join(tokens[:start]), tokens[start:]
    depths = depths[start:]
    cuts = [n for n in range(1, len(body) - 1)
            if body[n].isspace() and depths[n] == 0 and body[n - 1] in ("}", ")")
            and (body[n + 1][0].isalpha() or body[n + 1] in (r"\left", r"\frac", r"\sum", r"\log", r"\sigma",
                                                              r"\delta", r"\operatorname", r"\mathbf"))
            and not _SUM_HEAD.search("".join(body[:n]).strip().rsplit(" ", 1)[-1] + " ")]
    if not cuts:
        return [term]
    lines: list[str] = []
    for f in _cut(body, cuts):
        if lines and width(lines[-1] + " " + f) <= room - GROUP:
            lines[-1] += " " + f
        else:
            lines.append(f)
    if len(lines) < 2:
        return [term]
    if head:
        return [f"{head.rstrip()} \\biggl[{lines[0]}", *lines[1:-1], f"{lines[-1]}\\biggr]"]
    return lines


def same(pieces: list[str], tex: str) -> bool:
    """Whether the pieces, joined, are the formula (sizes of delimiters and scope brackets aside)."""
    joined = " ".join(str(p) for p in pieces)
    joined = joined.replace(r"\biggl[", "").replace(r"\biggr]", "")
    joined = joined.replace(r"\biggl(", r"\left(").replace(r"\biggr)", r"\right)")
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    return squash(joined) == squash(tex)


def split_terms(expr, room: float) -> list[Markup]:
    """The printed expression in pieces no wider than room."""
    from .printer import latex

    return [Markup(p) for p in split_tex(latex(expr), room)]
