"""Read a .tex or .md document: display math, chains of equalities, conditions, cases, declarations."""
from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass

from . import prose

MAX_BYTES = 1_000_000   # a hand derivation is a few kilobytes; refuse anything absurd

# display math: .tex environments and \[ \] / $$ $$ (both formats)
_TEX_ENVS = r"align|align\*|equation|equation\*|gather|gather\*|multline|multline\*|eqnarray|eqnarray\*|displaymath|flalign|flalign\*"
_BLOCK_RE = re.compile(r"\\begin\{(" + _TEX_ENVS + r")\}(.*?)\\end\{\1\}|\\\[(.*?)\\\]|\$\$(.*?)\$\$", re.S)
_MD_BLOCK_RE = re.compile(r"\$\$(.*?)\$\$|\\\[(.*?)\\\]", re.S)
_TEX_DECL_RE = re.compile(r"^[ \t]*%+[ \t]*derive:[ \t]*(.*?)[ \t]*$", re.M)
_MD_DECL_RE = re.compile(r"<!--[ \t]*derive:(.*?)-->", re.S)
# wrappers whose rows are the rows of the block; a cases brace keeps its own environment
_WRAPPERS = r"aligned|split|gathered|alignedat|align\*?|equation\*?|gather\*?|multline\*?"
_WRAP_RE = re.compile(r"\\(begin|end)\{(" + _WRAPPERS + r")\}(\{\d+\})?")
_BRACE_OPEN_RE = re.compile(r"(\\left\s*\\lbrace|\\left\s*\\\{|\\lbrace|\\\{)\s*$")
_NOISE_RE = re.compile(r"\\(label|tag\*?|eqref|ref)\s*\{[^{}]*\}|\\(nonumber|notag|displaystyle|hfill|allowbreak|nobreak|limits)(?![a-zA-Z])")
_TEXT_RE = re.compile(r"\\(text|mbox|textrm|textnormal|textbf|textit|hbox|intertext|mathrm)\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_MATH_WORDS = {"softmax", "log", "exp", "ln", "sigmoid", "T", "d"}
_SPACE_SEP_RE = re.compile(r"\\(quad|qquad)(?![a-zA-Z])")
_COND_RE = re.compile(r"^\s*\$?\s*([a-zA-Z])\s*(=|\\neq|\\ne|\\not\s*=|≠)\s*([a-zA-Z])\s*\$?\s*[.,;]?\s*$")
_COND_IN_TEXT_RE = re.compile(r"(?<![A-Za-z\\])([a-zA-Z])\s*(=|\\neq|\\ne(?![a-zA-Z])|\\not\s*=|≠)\s*([a-zA-Z])(?![A-Za-z])")
_RANGE_RE = re.compile(r"^\s*(?:\\forall\s*)?[a-zA-Z]\s*=\s*(\d+\s*(\\sim|\\dots|\\ldots|\\cdots|,|$)|[a-zA-Z]\s*$)")
_RELATION_RE = re.compile(r"(:=|\\coloneqq(?![a-zA-Z])|\\triangleq(?![a-zA-Z])|\\stackrel\s*\{[^{}]*\}\s*\{=\}|\\overset\s*\{[^{}]*\}\s*\{=\}|\\equiv(?![a-zA-Z])|=|\\approx(?![a-zA-Z])|\\simeq(?![a-zA-Z])|\\propto(?![a-zA-Z])|\\leq?(?![a-zA-Z])|\\geq?(?![a-zA-Z])|\\leqslant|\\geqslant|<|>|\\neq(?![a-zA-Z])|\\ne(?![a-zA-Z]))")


@dataclass(frozen=True)
class Side:
    """One side of an equation as the user wrote it, with where it starts in the file."""

    text: str
    offset: int
    line: int
    column: int


@dataclass(frozen=True)
class Row:
    """One row of display math: a chain of sides claimed equal, under index conditions."""

    line: int
    sides: tuple[Side, ...]
    carried: bool                             # sides[0] is the last side of an earlier row
    conditions: tuple[tuple[str, str], ...]   # ("i", "j") pairs with op "=" or "!="
    condition_ops: tuple[str, ...]
    define: bool                              # written with := (an explicit definition)
    end: int                                  # file offset where the row ends (annotate marks it)
    note: str = ""                            # set when the row holds a relation we do not judge
    context_line: int = 0                     # the line of the prose that stated its case or size
    size: int | None = None                   # K stated by the prose before it ("the binary case")


@dataclass(frozen=True)
class Declaration:
    """`derive: define ...`, `derive: assume ...` or `derive: K = 3` in a comment."""

    kind: str          # "define" | "assume" | "K"
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Document:
    items: tuple            # Row and Declaration in file order
    math: str               # every math block, for scanning which letters are indices
    text: str               # the whole input (annotate writes it back)
    fmt: str


class _Lines:
    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        n = bisect.bisect_right(self.starts, offset) - 1
        return n + 1, offset - self.starts[n] + 1


def _mask(text: str, pattern: re.Pattern) -> str:
    """Blank out matches (same length, newlines kept) so offsets still point into the user's file."""
    def blank(m: re.Match) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))
    return pattern.sub(blank, text)


_TEX_COMMENT_RE = re.compile(r"(?<!\\)%[^\n]*")
_MD_CODE_RE = re.compile(r"^(```|~~~).*?^\1[^\n]*$|`[^`\n]*`", re.S | re.M)
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


def extract(text: str, fmt: str) -> Document:
    """Every display-math row and declaration of a document, in order, with the user's line numbers."""
    lines = _Lines(text)
    items: list[tuple[int, object]] = []
    if fmt == "md":
        masked = _mask(_mask(text, _MD_CODE_RE), _HTML_COMMENT_RE)
        for m in _MD_DECL_RE.finditer(_mask(text, _MD_CODE_RE)):
            items.extend(_declarations(m.group(1), m.start(1), lines))
        found = [(m.start(g), m.group(g), m.start(), m.end()) for m in _MD_BLOCK_RE.finditer(masked) for g in (1, 2) if m.group(g) is not None]
    else:
        masked = _mask(text, _TEX_COMMENT_RE)
        masked = _mask(masked, re.compile(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", re.S))
        for m in _TEX_DECL_RE.finditer(text):
            items.extend(_declarations(m.group(1), m.start(1), lines))
        found = [(m.start(g), m.group(g), m.start(), m.end()) for m in _BLOCK_RE.finditer(masked) for g in (2, 3, 4) if m.group(g) is not None]
    blocks = [(start, body) for start, body, _, _ in found]
    rows: list[tuple[int, object]] = []
    last: Side | None = None
    case_anchor: Side | None = None   # "If i = j, = ..." and "If i != j, = ..." continue the same chain
    in_cases = False
    prev_end = 0
    for start, body, b_start, b_end in found:
        before = masked[prev_end:b_start]
        ctx = prose.before_display(before, lambda off, base=prev_end: lines.at(base + off)[0])
        for name, off in prose.one_hot_names(before):
            line, col = lines.at(prev_end + off)
            items.append((prev_end + off, Declaration("assume", f"{name} one-hot", line, col)))
        for kind, text_, off in prose.inline_definitions(before):
            line, col = lines.at(prev_end + off)
            # "in this case K = 3" describes the whole text, not only what follows it
            items.append((-1 if kind == "K" else prev_end + off, Declaration(kind, text_, line, col)))
        for name, letter, off in prose.hot_indices(before):
            line, col = lines.at(prev_end + off)
            items.append((prev_end + off, Declaration("hot", f"{name} {letter}", line, col)))
        prev_end = b_end
        if ctx.conditions:
            if not in_cases:
                case_anchor, in_cases = last, True
            anchor = case_anchor
        else:
            in_cases, anchor = False, last
        for row in _block_rows(body, start, lines, anchor):
            row = _in_context(row, ctx)
            rows.append((row.sides[1].offset if row.carried else row.sides[0].offset, row))
            if row.sides:
                last = row.sides[-1] if not row.note else None
    for name, off in prose.one_hot_names(masked[prev_end:]):
        line, col = lines.at(prev_end + off)
        items.append((prev_end + off, Declaration("assume", f"{name} one-hot", line, col)))
    items.extend(rows)
    items.sort(key=lambda p: p[0])
    math = "\n".join(b for _, b in blocks)
    return Document(tuple(it for _, it in items), math, text, fmt)


def _in_context(row: Row, ctx: prose.Context) -> Row:
    """A row under the case or size its prose states (a case written beside the row wins)."""
    if ctx.conditions and not row.conditions:
        pairs = tuple((a, b) for a, _, b in ctx.conditions)
        ops = tuple(op for _, op, _ in ctx.conditions)
        return dataclasses.replace(row, conditions=pairs, condition_ops=ops, context_line=ctx.line, size=ctx.size)
    if ctx.size:
        return dataclasses.replace(row, context_line=ctx.line, size=ctx.size)
    return row


def _declarations(body: str, offset: int, lines: _Lines) -> list[tuple[int, Declaration]]:
    out = []
    pos = 0
    for raw in body.split("\n"):
        here = offset + pos
        pos += len(raw) + 1
        s = raw.strip()
        s = re.sub(r"^derive:\s*", "", s)
        if not s:
            continue
        col_off = here + raw.find(s[:1]) if s else here
        line, col = lines.at(col_off)
        m = re.match(r"(define|assume)\b\s*(.*)$", s)
        if m:
            out.append((col_off, Declaration(m.group(1), m.group(2).strip().rstrip(".,;"), line, col)))
            continue
        m = re.match(r"([A-Za-z])\s*=\s*(\w+)\s*$", s)
        if m:
            out.append((col_off, Declaration("K", m.group(0), line, col)))
            continue
        out.append((col_off, Declaration("unknown", s, line, col)))
    return out


# -- inside one block -----------------------------------------------------------------------
def _depth_scan(s: str):
    """Yield (pos, depth) with depth counting braces, \\left..\\right and nested environments."""
    depth = 0
    i = 0
    n = len(s)
    prev = ""
    while i < n:
        c = s[i]
        if c == "\\":
            m = re.match(r"\\(begin|end)\s*\{[^{}]*\}|\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|\\.", s[i:])
            tok = m.group(0) if m else "\\"
            before, prev = prev, tok
            # 1\{k = i\} (an indicator) is a group; \left\{ ... \right. is counted by \left alone
            if tok == "\\{" and before != "\\left" and "\\}" in s[i:]:
                yield i, depth
                depth += 1
                i += 2
                continue
            if tok == "\\}" and before != "\\right" and depth > 0:
                depth -= 1
                yield i, depth
                i += 2
                continue
            if tok.startswith("\\begin") or tok == "\\left":
                yield i, depth
                depth += 1
                i += len(tok)
                continue
            if tok.startswith("\\end") or tok == "\\right":
                depth -= 1
                yield i, depth
                i += len(tok)
                continue
            yield i, depth
            i += len(tok)
            continue
        if c == "{":
            yield i, depth
            depth += 1
        elif c == "}":
            depth -= 1
            yield i, depth
        else:
            yield i, depth
        i += 1


def _split_top(s: str, sep: re.Pattern, parens: bool = False) -> list[tuple[int, int]]:
    """Spans of s between separators found at depth 0 (optionally also outside ( ) and [ ])."""
    spans, start = [], 0
    pdepth = 0
    skip_to = -1
    for pos, depth in _depth_scan(s):
        if pos < skip_to:
            continue
        c = s[pos]
        if parens and depth == 0:
            if c in "([":
                pdepth += 1
            elif c in ")]":
                pdepth = max(0, pdepth - 1)
        if depth == 0 and pdepth == 0:
            m = sep.match(s, pos)
            if m and m.end() > pos:
                spans.append((start, pos))
                start = m.end()
                skip_to = m.end()
    spans.append((start, len(s)))
    return spans


_ROW_SEP = re.compile(r"\\\\(\[[^\]]*\])?|\\cr(?![a-zA-Z])")


def _unwrap(body: str) -> str:
    """Blank the begin/end of wrapper environments, unless the environment is a cases brace."""
    out = list(body)
    stack: list[tuple[str, bool]] = []
    for m in _WRAP_RE.finditer(body):
        if m.group(1) == "begin":
            cases = bool(_BRACE_OPEN_RE.search(body[:m.start()]))
            stack.append((m.group(2), cases))
            if not cases:
                out[m.start():m.end()] = " " * (m.end() - m.start())
        else:
            cases = stack.pop()[1] if stack else False
            if not cases:
                out[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(out)


def _block_rows(body: str, start: int, lines: _Lines, last: Side | None) -> list[Row]:
    body = _mask(_mask(body, _TEX_COMMENT_RE), _NOISE_RE)
    body = _unwrap(body)
    rows: list[Row] = []
    case: tuple = ()   # "if i \neq j:" on a row of its own holds for the rows below it
    for a, b in _split_top(body, _ROW_SEP):
        m = _CASE_ROW_RE.match(body[a:b])
        if m and m.group(1) != m.group(3):
            case = ((m.group(1), m.group(3)), "=" if m.group(2) in ("=", "==") else "!=")
            continue
        for row in _row(body[a:b], start + a, lines, last):
            if case and not row.conditions:
                row = dataclasses.replace(row, conditions=(case[0],), condition_ops=(case[1],))
            rows.append(row)
            if row.sides and not row.note:
                last = row.sides[-1]
    return rows


_CASE_ROW_RE = re.compile(r"^(?:\s|&|\\[:,;! ]|\\quad|\\qquad)*(?:if|when|for|case|当|若)?(?:\s|&|\\[:,;! ])*"
                          r"([a-zA-Z])\s*(==|=|\\neq|\\ne|\\not\s*=)\s*([a-zA-Z])(?:\s|&|\\[:,;! ]|:|,|时)*$")


_CASES_RE = re.compile(
    r"(\\left\s*\\lbrace|\\left\s*\\\{|\\lbrace|\\\{)?\s*\\begin\{(cases|dcases|aligned|array|rcases)\}(\{[^{}]*\})?(.*)\\end\{\2\}\s*(\\right\s*\.)?", re.S)


_MATRIX_ENV_RE = re.compile(r"\\begin\{([pbvBV]?matrix)\*?\}.*?\\end\{\1\*?\}", re.S)


def _drop_alignment(text: str) -> str:
    """& aligns a row, except inside a written-out matrix, where it separates the entries."""
    keep = [(m.start(), m.end()) for m in _MATRIX_ENV_RE.finditer(text)]
    return "".join(" " if ch == "&" and not any(a <= n < b for a, b in keep) else ch for n, ch in enumerate(text))


def _row(text: str, offset: int, lines: _Lines, last: Side | None) -> list[Row]:
    text = _drop_alignment(text.replace("&amp;", "&    "))
    m = _CASES_RE.search(text)
    if m and (m.group(2) in ("cases", "dcases") or m.group(1)):
        return _cases_row(text, offset, m, lines, last)
    return _plain_row(text, offset, lines, last, ())


def _cases_row(text: str, offset: int, m: re.Match, lines: _Lines, last: Side | None) -> list[Row]:
    """A = \\begin{cases} B, i = j \\\\ C, i \\ne j \\end{cases}: A = B when i = j, A = C when i != j."""
    out: list[Row] = []
    head = _mask_text_prose(text[:m.start()])
    anchor = last
    if not head.strip():   # a brace with nothing before it: a system of equations, not branches
        inner_start, inner = m.start(4), m.group(4)
        rows: list[Row] = []
        for a, b in _split_top(inner, _ROW_SEP):
            rows.extend(_plain_row(inner[a:b], offset + inner_start + a, lines, None, ()))
        return rows
    if head.strip():
        sides, kinds = _chain_sides(head, offset, lines)
        if len(sides) >= 2 and not sides[-1].text:
            sides = sides[:-1]
            if not sides[0].text:
                sides = ([last] if last is not None else []) + sides[1:]
            if len(sides) >= 2:
                out.append(Row(sides[1].line, tuple(sides), sides[0] is last, (), (), False, offset + len(head.rstrip())))
            anchor = sides[-1] if sides else None
        else:
            anchor = None   # the cases are not the right side of an equation: nothing to anchor
    if anchor is None:
        return out
    inner_start = m.start(4)
    inner = m.group(4)
    for a, b in _split_top(inner, _ROW_SEP):
        piece = inner[a:b]
        if not piece.strip():
            continue
        out.extend(_plain_row(piece, offset + inner_start + a, lines, None, (), branch_anchor=anchor))
    return out


def _plain_row(text: str, offset: int, lines: _Lines, last: Side | None, conds: tuple,
               cases_head: bool = False, branch_anchor: Side | None = None) -> list[Row]:
    # segments: the equation, conditions beside it, prose
    text = _mask_text_prose(text)
    # prose \text{...} was marked with \x00 above; a \text{softmax} left unmarked is math, not a break
    seps = re.compile(r",|;|\\quad(?![a-zA-Z])|\\qquad(?![a-zA-Z])|\\intertext\b|\x00")
    conditions: list[tuple[str, str, str]] = []
    equations: list[tuple[int, str]] = []
    bare: list[tuple[int, str]] = []     # "a = b" alone: a condition only beside an equation
    for a, b in _split_top(text, seps, parens=True):
        seg = text[a:b]
        if not seg.strip():
            continue
        if "\x01" in seg:   # prose: only conditions are read from it
            for cm in _COND_IN_TEXT_RE.finditer(seg.replace("\x01", " ")):
                conditions.append(_cond(cm))
            continue
        cm = _COND_RE.match(seg)
        if cm and cm.group(1) != cm.group(3):
            conditions.append(_cond(cm))
            bare.append((a, seg))
            continue
        if equations and _RANGE_RE.match(seg):   # "i = 1, 2, ..., N" beside a definition
            continue
        if _RELATION_RE.search(_strip_braced(seg)) or branch_anchor is not None or cases_head:
            equations.append((a, seg))
    if not equations and bare and branch_anchor is None and not cases_head and len(bare) == len(conditions):
        equations, conditions = bare[:1], []
    rows = []
    pairs = tuple((c[0], c[2]) for c in conditions)
    ops = tuple(c[1] for c in conditions)
    for a, seg in equations:
        row = _chain(seg, offset + a, lines, last, pairs, ops, branch_anchor)
        if row is not None:
            rows.append(row)
            last = row.sides[-1] if not row.note else last
            branch_anchor = None
    return rows


def _cond(m: re.Match) -> tuple[str, str, str]:
    op = "=" if m.group(2) == "=" else "!="
    return (m.group(1), op, m.group(3))


def _strip_braced(s: str) -> str:
    out, depth = [], 0
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _mask_text_prose(text: str) -> str:
    """Mark \\text{...} prose with \\x01 so it becomes its own segment; math words stay math."""
    def repl(m: re.Match) -> str:
        content = m.group(2).strip()
        if text[m.end():m.end() + 1] == "(":   # \text{cross entropy}(a, y): the name of a function
            return m.group(0)
        if m.group(1) == "textbf" and re.fullmatch(r"[A-Za-z]", content):   # \textbf{z}: a bold vector
            return m.group(0)
        if m.group(1) in ("mathrm", "text", "textrm") and content in _MATH_WORDS:
            return m.group(0)
        if m.group(1) == "mathrm":
            return m.group(0)
        inner = m.group(0)
        return "\x00" + "\x01" + inner[2:].replace("\x00", " ") if len(inner) > 2 else inner
    return _TEXT_RE.sub(repl, text)


def _chain_sides(seg: str, offset: int, lines: _Lines) -> tuple[list[Side], list[str]]:
    """The sides of an equation segment, split at its top-level relations, and the relations."""
    seg = _unbrace(seg)
    rels = []
    for pos, depth in _depth_scan(seg):
        if depth == 0:
            m = _RELATION_RE.match(seg, pos)
            if m and (not rels or pos >= rels[-1][1]):
                rels.append((pos, m.end(), m.group(0)))
    spans, start = [], 0
    for a, b, _ in rels:
        spans.append((start, a))
        start = b
    spans.append((start, len(seg)))
    sides: list[Side] = []
    for a, b in spans:
        raw = seg[a:b]
        stripped = raw.strip().rstrip(".,;").strip()
        lead = len(raw) - len(raw.lstrip())
        line, col = lines.at(offset + a + lead)
        sides.append(Side(stripped, offset + a + lead, line, col))
    return sides, [r[2] for r in rels]


def _unbrace(seg: str) -> str:
    """{ A = B } (an equation wrapped in a group, as inside cases) -> the same text without the group."""
    core = seg.strip()
    while core.startswith("{") and core.endswith("}"):
        depth_zero_inside = any(d == 0 and p < len(core) - 1 for p, d in _depth_scan(core) if p > 0 and core[p] == "}")
        if depth_zero_inside:
            break
        start = seg.index(core)
        seg = seg[:start] + " " + core[1:-1] + " " + seg[start + len(core):]
        core = seg.strip()
    return seg


def _chain(seg: str, offset: int, lines: _Lines, last: Side | None, pairs, ops, anchor: Side | None) -> Row | None:
    """One equation segment as a Row; a leading '=' continues the previous row's chain."""
    sides, kinds = _chain_sides(seg, offset, lines)
    end = offset + len(seg.rstrip())
    note = ""
    bad = [k for k in kinds if not (k == "=" or k in (":=", "\\coloneqq", "\\triangleq", "\\equiv") or k.startswith("\\stackrel") or k.startswith("\\overset"))]
    if bad:
        note = f"the relation {bad[0].strip()} is not an equality; not judged"
    carried = False
    if anchor is not None:
        if sides and not sides[0].text:
            sides = sides[1:]
        sides = [anchor] + sides
        carried = True
    elif sides and not sides[0].text:
        if last is None:
            sides = sides[1:]
            if len(sides) < 2:
                return None
        else:
            sides = [last] + sides[1:]
            carried = True
    if any(not s.text for s in sides[1:]) and not note:
        note = "an empty side"
    if len(sides) < 2:
        return None
    define = bool(kinds) and (kinds[0] in (":=", "\\coloneqq", "\\triangleq") or kinds[0].startswith(("\\stackrel", "\\overset")))
    line = sides[1].line if carried else sides[0].line
    return Row(line, tuple(sides), carried, pairs, ops, define, end, note)
