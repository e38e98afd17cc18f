"""Read the rows of a document's math: chains of equalities, conditions beside them, cases, declarations."""
from __future__ import annotations

import bisect
import difflib
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from . import containers, context, prose
from .containers import _TEX_COMMENT_RE, _mask
from ..checker.budget import MAX_CLAIMS
from .parse import scan_letters

MAX_BYTES = 1_000_000   # a hand derivation is a few kilobytes; refuse anything absurd
MAX_ROW_CHARS = 20_000  # one row of display math (between \\\\); a longer one is reported, not read

# wrappers whose rows are the rows of the block; a cases brace keeps its own environment
_WRAPPERS = r"aligned|split|gathered|alignedat|align\*?|equation\*?|gather\*?|multline\*?"
_WRAP_RE = re.compile(r"\\(begin|end)\{(" + _WRAPPERS + r")\}(\{\d+\})?")
_BRACE_OPEN_RE = re.compile(r"(\\left\s*\\lbrace|\\left\s*\\\{|\\lbrace|\\\{)\s*$")
_NOISE_RE = re.compile(r"\\(label|tag\*?|eqref|ref)\s*\{[^{}]*\}|\\(nonumber|notag|displaystyle|hfill|allowbreak|nobreak|limits)(?![a-zA-Z])")
_TEXT_RE = re.compile(r"\\(text|mbox|textrm|textnormal|textbf|textit|hbox|intertext|mathrm)\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_MATH_WORDS = {"softmax", "log", "exp", "ln", "sigmoid", "T", "d"}
_SPACE_SEP_RE = re.compile(r"\\(quad|qquad)(?![a-zA-Z])")
_NEQ = r"=|\\neq(?![a-zA-Z])|\\ne(?![a-zA-Z])|\\not\s*=|≠"
_ORDER = r"<|>|≤|≥|\\l[et]q?(?:slant)?(?![a-zA-Z])|\\g[et]q?(?:slant)?(?![a-zA-Z])"
_COND_RE = re.compile(r"^\s*\$?\s*([a-zA-Z])\s*(" + _NEQ + r")\s*([a-zA-Z])\s*\$?\s*[.,;]?(?:\s|\\[,;:! ]|~)*$")
_COND_IN_TEXT_RE = re.compile(r"(?<![A-Za-z\\_^])([a-zA-Z])\s*(" + _NEQ + r")\s*([a-zA-Z]|\d+)(?![A-Za-z0-9_^])")
_ORDER_COND_RE = re.compile(r"(?<![A-Za-z\\_^])[a-zA-Z]\s*(?:" + _ORDER + r")\s*(?:[a-zA-Z]|\d+)(?![A-Za-z0-9_^])")
# (i \neq j), (i = 1): a condition in parentheses; its parentheses become a separator
_PAREN_COND_RE = re.compile(r"\(\s*[a-zA-Z]\s*(?:" + _NEQ + "|" + _ORDER + r")\s*(?:[a-zA-Z]|\d+)\s*\)")
_FORALL_RE = re.compile(r"\\forall(?![a-zA-Z])")
# prose that makes what follows a condition; the negating words turn "i = j" into "i != j"
_IF_WORDS = re.compile(r"(?<![A-Za-z])(if|when|whenever|unless|except|provided|given|assuming|otherwise|else)(?![A-Za-z])|(?<!相)当|若|如果|除非|除了|否则", re.I)
_NEGATING = re.compile(r"(?<![A-Za-z])(unless|except)(?![A-Za-z])|除非|除了", re.I)
_OR_WORDS = re.compile(r"(?<![A-Za-z])or(?![A-Za-z])|或", re.I)
_RANGE_RE = re.compile(r"^\s*[a-zA-Z]\s*=\s*\d+\s*(\\sim|\\dots|\\ldots|\\cdots)?\s*$")
_SPAN_RE = re.compile(r"^\s*[a-zA-Z]\s*=\s*\d+\s*(?:\\sim|\\to|-|\\dots|\\ldots|\\cdots|\.\.\.)\s*[A-Za-z0-9]+\s*$")   # i = 1 \sim c
_TRAILING_RE = re.compile(r"(?:\\[,;:! ]|\\q?quad|~|(?<!\\)[.,;]|(?<!\\)\\)\Z")
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
    problem: str = ""                         # a condition beside it that cannot be read: not judged
    inline: bool = False                      # $...$ in running text (the report says so)
    role: str = ""                            # "define" | "assume" from the prose around it; "" a claim
    values: tuple[str, ...] = ()              # conditions on values as written (x = 3, x > 0): the checker applies them
    approx: tuple[bool, ...] = ()             # per relation: written \approx (judged to the digits written)


@dataclass(frozen=True)
class Unread:
    """A stretch of display math that is not read at all (too long); reported on its line."""

    line: int
    column: int
    text: str
    reason: str
    end: int
    cut: bool = False       # left out by the document's budget (not a reading failure)


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

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1


def extract(text: str, fmt: str, max_claims: int = MAX_CLAIMS) -> Document:
    """Every row of math (display and inline) and declaration of a document, in order, with the user's
    line numbers; past max_claims claimed equalities the rest is one Unread item saying what was cut off."""
    lay = containers.layout(text, fmt)
    text, fmt, masked = lay.text, lay.fmt, lay.masked
    lines = _Lines(text)
    items: list[tuple[int, Any]] = []   # (offset, a Declaration or a Row), in file order
    for body, offset in lay.declarations:
        items.extend(_declarations(body, offset, lines))
    found = [(b.body_start, b.body, b.start, b.end) for b in lay.blocks if not b.inline]
    math = "\n".join(b.body for b in lay.blocks)
    decls = "\n".join(d.text for _, d in items)
    letters = scan_letters(math + "\n" + decls)[0]
    rows: list[tuple[int, object]] = []
    used: set[int] = set()   # inline math the prose readers took (a definition, an assumption, a case)
    last: Side | None = None
    case_anchor: Side | None = None   # "If i = j, = ..." and "If i != j, = ..." continue the same chain
    in_cases = False
    prev_end = 0
    carried: tuple = (prose.Context(), (), "")
    allowance = _Allowance(max_claims, max_claims)
    for start, body, b_start, b_end in found:
        if allowance.cut:
            break
        before = masked[prev_end:b_start]
        ctx = prose.before_display(before, lambda off, base=prev_end: lines.at(base + off)[0])
        if not before.strip() and not ctx.conditions and not ctx.size:
            # two displays with nothing between them: the case stated before the first holds on
            ctx, values, role = carried
        else:
            sentence = before[context.sentence_start(before):]
            values = tuple(v for v, _ in context.stated_conditions(sentence))
            role = context.display_role(before)
        carried = (ctx, values, role)
        used |= _prose_declarations(before, prev_end, lines, items)
        for m in _DISPLAY_ONE_HOT_RE.finditer(body):   # y \text{ one-hot} beside the definitions of a display
            if _IF_BEFORE_RE.search(body, max(0, m.start() - 30), m.start()):
                continue   # "\text{if } x \text{ is one-hot}" is a condition, not the text's assumption
            line, col = lines.at(start + m.start())
            items.append((start + m.start(), Declaration("assume", f"{m.group(1) or m.group(2)} one-hot", line, col)))
        prev_end = b_end
        if ctx.conditions:
            if not in_cases:
                case_anchor, in_cases = last, True
            anchor = case_anchor
        else:
            in_cases, anchor = False, last
        for row in _block_rows(body, start, lines, anchor, letters, allowance):
            if isinstance(row, Unread):
                rows.append((lines.offset(row.line, row.column), row))
                last = None
                continue
            row = _in_context(row, ctx)
            if values and not row.values:
                row = dataclasses.replace(row, values=values, context_line=row.context_line or lines.at(b_start)[0])
            if role:
                row = dataclasses.replace(row, role=role)
            rows.append((row.sides[1].offset if row.carried else row.sides[0].offset, row))
            if row.sides:
                last = row.sides[-1] if not row.note else None
    for off in lay.unclosed:   # nothing after an unclosed $$ is taken for math up to the blank line: say so
        line, col = lines.at(off)
        rows.append((off, Unread(line, col, " ".join(text[off:off + 60].split("\n", 1)[0].split()),
                                 "cannot read: this $$ is not closed before the blank line after it "
                                 "(a $$ … $$ display holds no blank line)", off)))
    if not allowance.cut:
        used |= _prose_declarations(masked[prev_end:], prev_end, lines, items, tail=True)
        rows.extend(_inline_rows(lay, used, lines, letters, allowance))
    items.extend(rows)
    items.sort(key=lambda p: p[0])
    return Document(tuple(it for _, it in items), math, text, fmt)


def _prose_declarations(before: str, base: int, lines: _Lines, items: list, tail: bool = False) -> set[int]:
    """What running text declares (one-hot vectors, definitions, K, the index of a one-hot's 1); the
    offsets of the inline math it took."""
    used: set[int] = set()
    for name, off in prose.one_hot_names(before):
        line, col = lines.at(base + off)
        items.append((base + off, Declaration("assume", f"{name} one-hot", line, col)))
    if tail:
        return used
    for kind, text_, off in prose.inline_definitions(before):
        line, col = lines.at(base + off)
        # "in this case K = 3" describes the whole text, not only what follows it
        items.append((-1 if kind == "K" else base + off, Declaration(kind, text_, line, col)))
        used.add(base + off)
    for name, letter, off in prose.hot_indices(before):
        line, col = lines.at(base + off)
        items.append((base + off, Declaration("hot", f"{name} {letter}", line, col)))
        used.add(base + off)
    return used


_AFTER_CASE_RE = re.compile(r"\s*,?\s*(if|when|for|unless|当|若)\s*\$\s*([a-zA-Z])\s*(==|=|\\neq|\\ne|\\not\s*=|≠)\s*([a-zA-Z])\s*\$", re.I)


def _inline_rows(lay, used: set[int], lines: _Lines, letters: frozenset, allowance: _Allowance) -> list:
    """Inline equalities ($...$, \\(...\\)) as rows of their own, unless the prose makes them a case, a
    definition the prose readers took, or a mention (i = 1, \\dots, K)."""
    out: list[tuple[int, object]] = []
    for block in lay.blocks:
        if not block.inline or block.start in used or not _RELATION_RE.search(_strip_braced(block.body)):
            continue
        role = context.inline_role(lay.masked, block.start, block.end, block.body)
        if role == "skip" or allowance.left <= 0:
            continue
        if role == "assume":   # "Assume $x > 0$", "逻辑回归假设 $\ln\frac{p}{1-p} = wx + b$": a premise
            line, col = lines.at(block.body_start)
            out.append((block.start, Declaration("premise", " ".join(block.body.split()).rstrip(".,;"), line, col)))
            continue
        para = lay.masked[max(0, block.start - 240):block.start]
        para = para[para.rfind("\n\n") + 1:]   # the case of an inline claim is stated in its paragraph
        base = block.start - len(para)
        ctx = prose.before_display(para, lambda off, base=base: lines.at(base + off)[0])
        values = tuple(v for v, _ in context.stated_conditions(para[context.sentence_start(para):]))
        after = _AFTER_CASE_RE.match(lay.masked, block.end)   # $A = B$ if $i = j$
        if after and after.group(2) != after.group(4):
            ctx = prose.Context(((after.group(2), "=" if after.group(3) in ("=", "==") else "!=", after.group(4)),),
                                None, lines.at(after.start(2))[0])
        for row in _block_rows(block.body, block.body_start, lines, None, letters, allowance):
            if isinstance(row, Unread):
                out.append((lines.offset(row.line, row.column), row))
                continue
            if any(not side.text for side in row.sides) or row.note:
                continue   # an inequality in running text ($x > 0$) is a condition or a remark, not a claim   # "the \\(=\\) and \\(\\not=\\) signs": a symbol named, not an equation
            row = dataclasses.replace(_in_context(row, ctx), inline=True, role=role if role != "claim" else "",
                                      values=row.values or values)
            out.append((row.sides[0].offset, row))
    return out


def _in_context(row: Row, ctx: prose.Context) -> Row:
    """A row under the case or size its prose states (a case written beside the row wins)."""
    if ctx.conditions and not row.conditions:
        pairs = tuple((a, b) for a, _, b in ctx.conditions)
        ops = tuple(op for _, op, _ in ctx.conditions)
        return dataclasses.replace(row, conditions=pairs, condition_ops=ops, context_line=ctx.line, size=ctx.size)
    if ctx.size:
        return dataclasses.replace(row, context_line=ctx.line, size=ctx.size)
    return row


@dataclass
class _Allowance:
    """Claims still allowed in the document; once spent the rest is cut off (and said so)."""

    claims: int
    left: int
    cut: bool = False


def _cut(body: str, a: int, start: int, lines: _Lines, allowance: _Allowance) -> Unread:
    allowance.cut = True
    lead = len(body[a:]) - len(body[a:].lstrip())
    line, col = lines.at(start + a + lead)
    return Unread(line, col, " ".join(body[a + lead:a + lead + 60].split()),
                  f"not judged: past the limit of {allowance.claims} claims per document; lines {line} to "
                  f"{len(lines.starts)} were cut off", start + a + lead, cut=True)


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
        letters_m = re.match(r"[A-Za-z]*", s)   # always matches (perhaps the empty word)
        word = letters_m.group(0).lower() if letters_m else ""
        if difflib.get_close_matches(word, ("define", "assume"), n=1, cutoff=0.7):
            out.append((col_off, Declaration("unknown", s, line, col)))   # a typo of a keyword: said so
        # anything else after "derive:" is a remark (derive's own header says what it verified), not a declaration
    return out


# -- inside one block -----------------------------------------------------------------------
_COMMAND_RE = re.compile(r"\\(begin|end)\s*\{[^{}]*\}|\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|\\.", re.S)


def _depth_scan(s: str):
    """Yield (pos, depth) with depth counting braces, \\left..\\right and nested environments."""
    depth = 0
    i = 0
    n = len(s)
    prev = ""
    while i < n:
        c = s[i]
        if c == "\\":
            m = _COMMAND_RE.match(s, i)
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


# a display's own statement that a vector is one-hot: y \text{ one-hot}, \mathbf{y} \text{ is one-hot}
_DISPLAY_ONE_HOT_RE = re.compile(r"(?:(?<![\\A-Za-z])([A-Za-z])|\\mathbf\s*\{\s*([A-Za-z])\s*\})\s*\\(?:text|mbox|textrm)\s*\{\s*"
                                 r"(?:is\s+)?(?:an?\s+)?one[- ]?hot[^{}]*\}")
_IF_BEFORE_RE = re.compile(r"\\(?:text|mbox|textrm)\s*\{\s*(?:if|when|for|unless)\s*\}\s*$")
_ROW_SEP = re.compile(r"\\\\(\[[^\]\\]{0,20}\])?|\\cr(?![a-zA-Z])")


def _unwrap(body: str) -> str:
    """Blank the begin/end of wrapper environments, unless the environment is a cases brace."""
    out = list(body)
    stack: list[tuple[str, bool]] = []
    for m in _WRAP_RE.finditer(body):
        if m.group(1) == "begin":
            cases = bool(_BRACE_OPEN_RE.search(body, max(0, m.start() - 40), m.start()))
            stack.append((m.group(2), cases))
            if not cases:
                out[m.start():m.end()] = " " * (m.end() - m.start())
        else:
            cases = stack.pop()[1] if stack else False
            if not cases:
                out[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(out)


_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")


def _unbox(body: str) -> str:
    """\\boxed{A = B}: the equation inside the box (its command and braces blanked, offsets kept)."""
    for _ in range(20):
        m = _BOXED_RE.search(body)
        if not m:
            return body
        depth, end = 0, -1
        for pos in range(m.end(), len(body)):
            ch = body[pos]
            if ch == "{" and body[pos - 1] != "\\":
                depth += 1
            elif ch == "}" and body[pos - 1] != "\\":
                if depth == 0:
                    end = pos
                    break
                depth -= 1
        if end < 0:
            return body
        body = body[:m.start()] + " " * (m.end() - m.start()) + body[m.end():end] + " " + body[end + 1:]
    return body


def _join_continued(body: str, spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], str]:
    """A row ending in '=' goes on in the next row (A = -& B = \\\\ -& C): the two are one chain; the
    row break between them is blanked (lengths kept, offsets stay right)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and body[out[-1][0]:out[-1][1]].rstrip(" \t\n&").endswith("=") \
                and body[a:b].strip(" \t\n&")[:1] not in ("=", ""):
            prev_a, prev_b = out[-1]
            body = body[:prev_b] + re.sub(r"[^\n]", " ", body[prev_b:a]) + body[a:]
            out[-1] = (prev_a, b)
        else:
            out.append((a, b))
    return out, body


def _block_rows(body: str, start: int, lines: _Lines, last: Side | None, letters: frozenset,
                allowance: _Allowance) -> list:
    """The rows of one block, as far as the document's allowance of claims goes."""
    body = _unbox(_mask(_mask(body, _TEX_COMMENT_RE), _NOISE_RE))
    body = _unwrap(body)
    rows: list = []
    case: tuple = ()   # "if i \\neq j:" on a row of its own holds for the rows below it
    branch: Side | None = None   # the side the cases of a chain start from (A in A &= B && i = j)
    prev_conds: tuple = ()
    spans, body = _join_continued(body, _split_top(body, _ROW_SEP))
    for a, b in spans:
        if allowance.left <= 0 and body[a:b].strip():
            rows.append(_cut(body, a, start, lines, allowance))
            break
        if b - a > MAX_ROW_CHARS:
            lead = len(body[a:b]) - len(body[a:b].lstrip())
            line, col = lines.at(start + a + lead)
            rows.append(Unread(line, col, " ".join(body[a + lead:a + lead + 60].split()),
                               f"a row of {b - a} characters (more than {MAX_ROW_CHARS}); not read", start + b))
            last = None
            continue
        m = _CASE_ROW_RE.match(body[a:b].strip()) if len(body[a:b].strip()) < 80 else None   # (its regex is
        if m and m.group(1) != m.group(3):                                                  # slow on long rows)
            case = ((m.group(1), m.group(3)), "=" if m.group(2) in ("=", "==") else "!=")
            continue
        opening = _LEAD_CASE_RE.match(body, a, b) if b - a < MAX_ROW_CHARS else None
        if opening and opening.group(2) != opening.group(4) and body[opening.end():b].strip():
            # \text{If } i = j:\ A &= B (or \text{if}\; i = j :& A = B): the case governs the block below it
            case = ((opening.group(2), opening.group(4)), "=" if opening.group(3) in ("=", "==") else "!=")
            body = body[:a] + " " * (opening.end() - a) + body[opening.end():]
        for row in _row(body[a:b], start + a, lines, last, letters):
            if case and not row.conditions:
                row = dataclasses.replace(row, conditions=(case[0],), condition_ops=(case[1],))
            follows = row.carried and bool(rows) and isinstance(rows[-1], Row) and row.sides[0] is rows[-1].sides[-1]
            if follows and row.conditions and branch is not None and prev_conds and \
                    (row.conditions, row.condition_ops) != prev_conds:
                # A &= B && i = j \\ &= C && i \neq j: the second case starts again from A
                row = dataclasses.replace(row, sides=(branch,) + row.sides[1:])
            if row.conditions and (row.conditions, row.condition_ops) != prev_conds and len(row.sides) >= 2 \
                    and not (follows and branch is not None and prev_conds):
                branch = row.sides[-2]
            prev_conds = (row.conditions, row.condition_ops) if row.conditions else ()
            if not row.conditions:
                branch = None
            if len(row.sides) - 1 > allowance.left > 0:   # a long chain: judged up to the allowance
                row = dataclasses.replace(row, sides=row.sides[:allowance.left + 1],
                                          end=row.sides[allowance.left].offset + len(row.sides[allowance.left].text))
                rows.append(row)
                allowance.left = 0
                rows.append(_cut(body, row.end - start, start, lines, allowance))
                return rows
            if allowance.left <= 0:
                rows.append(_cut(body, row.sides[0].offset - start, start, lines, allowance))
                return rows
            rows.append(row)
            allowance.left -= len(row.sides) - 1
            if row.sides and not row.note:
                last = row.sides[-1]
    return rows


_LEAD_CASE_RE = re.compile(
    r"(?:\s|&)*\\(?:text|mbox|textrm|textnormal)\s*\{\s*(if|when|for|case|当|若|如果|对于)\s*(?:\$\s*)?"
    r"(?:\}\s*(?:\\[,;:! ]|~|\s)*)?([a-zA-Z])\s*(==|=|\\neq|\\ne|\\not\s*=|≠)\s*([a-zA-Z])\s*(?:\$\s*)?"
    r"(?:\\(?:text|mbox)\s*\{\s*(?:时|:|,)?\s*\}|\})?(?:\s|&|\\[,;:! ]|\\quad|\\qquad|:|,|~|\\colon|时)*", re.I)
_CASE_ROW_RE = re.compile(r"^(?:\s|&|\\[:,;! ]|\\quad|\\qquad)*(?:if|when|for|case|当|若)?(?:\s|&|\\[:,;! ])*"
                          r"([a-zA-Z])\s*(==|=|\\neq|\\ne|\\not\s*=)\s*([a-zA-Z])(?:\s|&|\\[:,;! ]|:|,|时)*$")


_CASES_RE = re.compile(
    r"(\\left\s*\\lbrace|\\left\s*\\\{|\\lbrace|\\\{)?\s*\\begin\{(cases|dcases|aligned|array|rcases)\}(\{[^{}]*\})?(.*)\\end\{\2\}\s*(\\right\s*\.)?", re.S)


_CASES_BEGIN_RE = re.compile(r"\\begin\{(cases|dcases|aligned|array|rcases)\}")


def _cases_search(text: str) -> re.Match | None:
    """_CASES_RE from just before the first brace environment (searched from the start, its leading
    optional parts make it quadratic on a long run of spaces)."""
    b = _CASES_BEGIN_RE.search(text)
    return _CASES_RE.search(text, max(0, b.start() - 60)) if b else None


_MATRIX_ENV_RE = re.compile(r"\\begin\{([pbvBV]?matrix)\*?\}.*?\\end\{\1\*?\}", re.S)


def _drop_alignment(text: str, by: str = " ") -> str:
    """& aligns a row, except inside a written-out matrix, where it separates the entries."""
    if "&" not in text:
        return text
    keep = [(m.start(), m.end()) for m in _MATRIX_ENV_RE.finditer(text)]
    if not keep:
        return text.replace("&", by)
    return "".join(by if ch == "&" and not any(a <= n < b for a, b in keep) else ch for n, ch in enumerate(text))


# the indicator of two indices equal, \mathbb{1}[k = y], \mathbf{1}\{k = y\}, \mathbb{I}(k = y),
# \mathbb{1}_{k = y}: the Kronecker delta (its '=' is not a relation of the row)
_EQ_PAIR = r"\s*([a-z])\s*=\s*([a-z])\s*"
_INDICATOR_ROW_RE = re.compile(r"\\(?:mathbb|mathbf|mathds|bm)\s*\{\s*[1I]\s*\}\s*(?:"
                               r"\[" + _EQ_PAIR + r"\]|\\\{" + _EQ_PAIR + r"\\\}|\(" + _EQ_PAIR + r"\)"
                               r"|_\s*\{\s*(?:\\\{)?" + _EQ_PAIR + r"(?:\\\})?\s*\})")


def _indicators(text: str) -> str:
    """\\mathbb{1}[k = y] -> \\delta_{ky}, padded with spaces so that every offset stays right."""
    def repl(m: re.Match) -> str:
        k, y = [g for g in m.groups() if g is not None]
        new = rf"\delta_{{{k}{y}}}"
        return new + " " * (len(m.group(0)) - len(new))
    return _INDICATOR_ROW_RE.sub(repl, text)


_ANNOTATION_RE = re.compile(r"&[ \t]*&")
_ANNOTATION_NOISE_RE = re.compile(r"\\(?:quad|qquad|checkmark|[,;:! ])(?![a-zA-Z])|[()~]|\$")


def _annotation(text: str) -> str:
    """The annotation column of an align (A &= B && why): its words and a bare case (i = j) are read;
    any other math in it (&& \\sum_k \\delta_{kj} f_k = f_j, the rule used) is not a claim: blanked."""
    pos = next((p for p, d in _depth_scan(text) if d == 0 and _ANNOTATION_RE.match(text, p)), -1)
    if pos < 0:
        return text
    head, ann = text[:pos], text[pos:]
    words = [(m.start(), m.end()) for m in _TEXT_RE.finditer(ann)]
    rest = _ANNOTATION_NOISE_RE.sub(" ", containers.mask_spans(ann, words)).replace("&", " ").strip()
    if not rest or re.fullmatch(_COND_IN_TEXT_RE.pattern + "|" + _ORDER_COND_RE.pattern, rest):
        return head + "\x00" + ann[1:]
    kept = "".join(ch if any(a <= n < b for a, b in words) else (" " if ch != "\n" else ch) for n, ch in enumerate(ann))
    return head + "\x00" + kept[1:]


def _row(text: str, offset: int, lines: _Lines, last: Side | None, letters: frozenset) -> list[Row]:
    text = _annotation(_indicators(text.replace("&amp;", "&    ")))
    m = _cases_search(_drop_alignment(text))
    if m and (m.group(2) in ("cases", "dcases") or m.group(1)):
        # inside the brace, & parts a branch's value from its condition (1 & i = j)
        text = _drop_alignment(text[:m.start(4)]) + _drop_alignment(text[m.start(4):m.end(4)], "\x00") + \
            _drop_alignment(text[m.end(4):])
        cases = _cases_search(text)
        if cases is not None:   # found again after the alignment is dropped (else: read as a plain row)
            return _cases_row(text, offset, cases, lines, last, letters)
    text = _drop_alignment(text)
    return _plain_row(text, offset, lines, last, letters)


def _cases_row(text: str, offset: int, m: re.Match, lines: _Lines, last: Side | None, letters: frozenset) -> list[Row]:
    """A = \\begin{cases} B, i = j \\\\ C, i \\ne j \\end{cases}: A = B when i = j, A = C when i != j."""
    out: list[Row] = []
    head = _mask_text_prose(text[:m.start()])
    anchor = last
    if not head.strip():   # a brace with nothing before it: a system of equations, not branches
        inner_start, inner = m.start(4), m.group(4)
        rows: list[Row] = []
        for a, b in _split_top(inner, _ROW_SEP):
            rows.extend(_plain_row(inner[a:b], offset + inner_start + a, lines, None, letters))
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
    branches: list[list[Row]] = []
    for a, b in _split_top(inner, _ROW_SEP):
        piece = inner[a:b]
        if not piece.strip():
            continue
        branches.append(_plain_row(piece, offset + inner_start + a, lines, None, letters, branch_anchor=anchor))
    return out + [row for branch in _otherwise(branches) for row in branch]


def _otherwise(branches: list[list[Row]]) -> list[list[Row]]:
    """Two branches, one under a single condition and one 'otherwise': the second gets the negation."""
    if len(branches) != 2:
        return branches
    for n in (0, 1):
        other, rest = branches[n], branches[1 - n]
        if other and rest and all(r.problem == _OTHERWISE for r in other) \
                and all(len(r.conditions) == 1 and not r.problem for r in rest) \
                and len({(r.conditions, r.condition_ops) for r in rest}) == 1:
            flipped = tuple("!=" if op == "=" else "=" for op in rest[0].condition_ops)
            fixed = [dataclasses.replace(r, conditions=rest[0].conditions, condition_ops=flipped, problem="") for r in other]
            return [fixed, rest] if n == 0 else [rest, fixed]
    return branches


_OTHERWISE = "cannot read the condition 'otherwise' (name it, e.g. i \\neq j)"
# prose \\text{...} is marked with \x00 first; a \\text{softmax} left unmarked is math, not a break
_SEPS = re.compile(r",|;|\\quad(?![a-zA-Z])|\\qquad(?![a-zA-Z])|\\intertext\b|\x00")


def _mark_conditions(text: str) -> str:
    """(i \\neq j) and \\forall: their opening becomes a separator (\\x00), so the condition is a segment
    of its own even without a comma or \\quad before it. Lengths are kept (offsets stay right)."""
    text = _PAREN_COND_RE.sub(lambda m: "\x00" + m.group(0)[1:-1] + " ", text)
    return _FORALL_RE.sub(lambda m: "\x00" + " " * (len(m.group(0)) - 1), text)


def _plain_row(text: str, offset: int, lines: _Lines, last: Side | None, letters: frozenset = frozenset(),
               cases_head: bool = False, branch_anchor: Side | None = None) -> list[Row]:
    # segments: the equation(s), conditions beside them, prose
    text = _mark_conditions(_mask_text_prose(text))
    conditions: list[tuple[str, str, str]] = []
    equations: list[tuple[int, str]] = []
    bare: list[tuple[int, str]] = []     # "i = j" alone: a condition only beside an equation
    problems: list[str] = []
    alternatives: list[int] = []   # where a bare \text{or} stands between two equations
    for a, b in _split_top(text, _SEPS, parens=True):
        seg = text[a:b]
        if not seg.strip():
            continue
        if "\x01" in seg:   # prose: only conditions are read from it
            om = _OR_HEAD_RE.match(seg)
            if om and "\x01" not in seg[om.end():] and not re.fullmatch(
                    r"\s*(?:" + _COND_IN_TEXT_RE.pattern + "|" + _ORDER_COND_RE.pattern + r")\s*[.,;]?\s*", seg[om.end():]):
                # A = B \text{ or } = C: the rest of the segment is an equation (not a condition: if i = j or i = 1)
                alternatives.append(a)
                rest = re.sub(r"^(?:\s|\\[,;:! ])+", lambda m: " " * len(m.group(0)), seg[om.end():])
                if _RELATION_RE.search(_strip_braced(rest)):
                    equations.append((a + om.end(), rest))
                continue
            _prose_conditions(seg, conditions, problems)
            continue
        cm = _COND_RE.match(seg)
        if cm and cm.group(1) != cm.group(3):
            c = _cond(cm)
            # "u = v" between names that are not indices is an equation of its own (A = B, \\quad u = v);
            # in parentheses an index against a capital (j = K: the last class) is a condition
            boxed = text[a - 1:a] == "\x00" and c[0] in letters and c[2].isupper()
            if c[1] == "!=" or (c[0] in letters and c[2] in letters) or boxed:
                conditions.append(c)
                bare.append((a, seg))
            else:
                equations.append((a, seg))
            continue
        if re.fullmatch(r"\s*[a-zA-Z]\s*(?:" + _NEQ + r")\s*\d+\s*", seg) and text[a - 1:a] == "\x00":
            cm = _COND_IN_TEXT_RE.search(seg)
            if cm is not None:
                conditions.append(_cond(cm))   # (i = 1)
            else:  # never dropped: the steps it governs are unverified
                problems.append(f"cannot read the condition {' '.join(seg.split())}")
            continue
        if re.fullmatch(r"\s*" + _ORDER_COND_RE.pattern + r"\s*", seg):
            problems.append(f"cannot read the condition {' '.join(seg.split())} (only = and \\neq between indices)")
            continue
        if _SPAN_RE.match(seg):
            continue
        rm = _RANGE_RE.match(seg)
        if equations and rm and (rm.group(1) or rm.group(0).split("=")[0].strip() in letters):   # "i = 1, ..., N"
            continue
        if _RELATION_RE.search(_strip_braced(seg)) or branch_anchor is not None or cases_head:
            equations.append((a, seg))
    if not equations and bare and branch_anchor is None and not cases_head and len(bare) == len(conditions):
        equations, conditions = bare[:1], []
    rows: list[Row] = []
    pairs = tuple((c[0], c[2]) for c in conditions)
    ops = tuple(c[1] for c in conditions)
    for a, seg in equations:
        alternative = bool(rows) and any(rows[-1].sides[-1].offset - offset < o < a for o in alternatives)
        if alternative and len(rows[-1].sides) >= 2 and re.match(r"\s*(?:\\[,;:! ]\s*)*=", seg):
            branch_anchor = rows[-1].sides[-2]   # A = B \text{ or } = C: the second branch is A = C
        row = _chain(seg, offset + a, lines, last, pairs, ops, branch_anchor)
        if row is not None:
            if problems:
                row = dataclasses.replace(row, problem=problems[0])
            if alternative:   # each branch alone is not what the text claims
                why = _ALTERNATIVE if not conditions else _BRANCH_CONDITIONS
                rows[-1] = dataclasses.replace(rows[-1], problem=rows[-1].problem or why)
                row = dataclasses.replace(row, problem=row.problem or why)
            rows.append(row)
            last = row.sides[-1] if not row.note else last
            branch_anchor = None
    return rows


_OR_HEAD_RE = re.compile(r"\s*\x01[a-zA-Z]*\s*\{\s*(?:or|或者?)\s*\}", re.I)
_BRANCH_CONDITIONS = "cannot read which condition goes with which branch (branches joined by 'or')"
_ALTERNATIVE = "one of two alternatives joined by 'or' (each alone is not what the text claims; derive judges them one at a time)"


def _prose_conditions(seg: str, conditions: list, problems: list) -> None:
    """Conditions written in words: if/when/当 i = j (时), unless/except/除非 i = j (the negation)."""
    text = re.sub(r"\x01[a-zA-Z]*\s*\{", "  ", seg)
    words = " ".join(re.sub(r"\\[a-zA-Z]+|[{}$\x00]", " ", text).split())
    found = list(_COND_IN_TEXT_RE.finditer(text))
    keyword = _IF_WORDS.search(text)
    if keyword and _ORDER_COND_RE.search(text):
        problems.append(f"cannot read the condition '{words}' (only = and \\neq between indices)")
        return
    if not found:
        if keyword and keyword.group(0).lower() in ("otherwise", "else", "否则"):
            problems.append(_OTHERWISE)
        elif keyword:
            problems.append(f"cannot read the condition '{words}'")
        return
    if _OR_WORDS.search(text):
        problems.append(f"cannot read the condition '{words}' (conditions joined by 'or')")
        return
    for cm in found:
        a, op, b = _cond(cm)
        if b.isdigit() and not keyword:
            continue   # "for i = 1, ..., K": a range, not a condition
        negate = _NEGATING.search(text, 0, cm.start())
        conditions.append((a, ("!=" if op == "=" else "=") if negate else op, b))


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
    rels: list[tuple[int, int, str]] = []
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
        stripped = _strip_trailing(raw)
        lead = len(raw) - len(raw.lstrip())
        line, col = lines.at(offset + a + lead)
        sides.append(Side(stripped, offset + a + lead, line, col))
    return sides, [r[2] for r in rels]


def _strip_trailing(raw: str) -> str:
    """A side without the spacing and punctuation after it (\\; and \\quad, '.', ',')."""
    out = raw.strip()
    while (m := _TRAILING_RE.search(out)) is not None:
        out = out[:m.start()].rstrip()
    return out


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
    bad = [k for k in kinds if not (k in ("=", "\\approx") or k in (":=", "\\coloneqq", "\\triangleq", "\\equiv") or k.startswith("\\stackrel") or k.startswith("\\overset"))]
    approx = tuple(k == "\\approx" for k in kinds)
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
    if carried and len(approx) < len(sides) - 1:
        approx = (False,) * (len(sides) - 1 - len(approx)) + approx
    return Row(line, tuple(sides), carried, pairs, ops, define, end, note, approx=approx if any(approx) else ())
