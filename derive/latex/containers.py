"""Where math lives: display and inline math of .tex, .md, .ipynb and .rst documents, with their offsets."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import UsageError

# display environments of amsmath (and eqnarray); each is closed by the first matching closer after it
# (found linearly: a lazy regex such as \\\[(.*?)\\\] is quadratic on a megabyte of unclosed \\[)
_ENVS = r"align|align\*|equation|equation\*|gather|gather\*|multline|multline\*|eqnarray|eqnarray\*|displaymath|flalign|flalign\*"
_TEX_OPEN_RE = re.compile(r"\\begin\{(" + _ENVS + r")\}|\\\[|\$\$")
# Markdown: $$, \[ and the environments MathJax and KaTeX draw outside $$ (many blogs write them bare)
_MD_OPEN_RE = re.compile(r"\$\$|\\\[|\\begin\{(" + _ENVS + r")\}")
_TEX_DECL_RE = re.compile(r"^[ \t]*%+[ \t]*derive:[ \t]*(.*?)[ \t]*$", re.M)
_MD_DECL_RE = re.compile(r"[ \t]*derive:")
_TEX_COMMENT_RE = re.compile(r"(?<!\\)%[^\n]*")
_MD_CODE_RE = re.compile(r"`[^`\n]*`")
_FENCE_RE = re.compile(r"^[ \t]{0,3}(```+|~~~+)[ \t]*([A-Za-z]*)[^\n]*$", re.M)
_HTML_OPEN_RE = re.compile(r"<!--")
_VERBATIM_RE = re.compile(r"\\begin\{(verbatim|lstlisting|minted)\}")
# inline math: \(..\), \\(..\\) as Markdown engines want it escaped, and $..$ (not $$, not \$, not a
# price: the closing $ is not followed by a digit); no blank line inside
_INLINE_PAREN_RE = re.compile(r"\\\\\((.+?)\\\\\)|(?<!\\)\\\((.+?)\\\)", re.S)
_INLINE_DOLLAR_RE = re.compile(r"(?<![\\$])\$(?!\$)((?:[^$\\\n]|\\.|\n(?![ \t]*\n)){1,4000}?)(?<!\\)\$(?![$0-9])")
_RST_MATH_RE = re.compile(r"^([ \t]*)\.\.[ \t]+math::[ \t]*(.*)$", re.M)
_RST_ROLE_RE = re.compile(r":math:`([^`]+)`")
_RST_DECL_RE = re.compile(r"^[ \t]*\.\.[ \t]+derive:[ \t]*(.*?)[ \t]*$", re.M)


@dataclass(frozen=True)
class Block:
    """One stretch of math: its body and where it starts, and the span of the whole construct."""

    body_start: int
    body: str
    start: int
    end: int
    inline: bool = False


@dataclass(frozen=True)
class Layout:
    """A document as the reader sees it: the text offsets point into, prose (code and comments blanked),
    the bodies of `derive:` comments, and every math block in file order."""

    text: str
    masked: str
    declarations: tuple[tuple[str, int], ...]
    blocks: tuple[Block, ...]
    fmt: str   # "tex" or "md": how rows are read and marks are written
    unclosed: tuple[int, ...] = ()   # offsets of Markdown $$ whose display would cross a blank line


def _blank(s: str) -> str:
    return re.sub(r"[^\n]", " ", s)


def _mask(text: str, pattern: re.Pattern) -> str:
    """Blank out matches (same length, newlines kept) so offsets still point into the user's file."""
    return pattern.sub(lambda m: _blank(m.group(0)), text)


def mask_spans(text: str, spans) -> str:
    if not spans:
        return text
    out, last = [], 0
    for a, b in spans:
        out += [text[last:a], _blank(text[a:b])]
        last = b
    out.append(text[last:])
    return "".join(out)


def closed_spans(text: str, opener: re.Pattern, closer_of, refused: list[int] | None = None) -> list[tuple[re.Match, int, int]]:
    """(opening match, content end, span end) of every opener closed by the first closer after it.

    Linear: a closer that is missing after one position is missing after every later one too. With
    `refused`, a Markdown $$ whose display would cross a blank line is not closed there: its offset is
    put in `refused` and its would-be closer opens the next display."""
    out: list[tuple[re.Match, int, int]] = []
    pos, missing = 0, set()
    while True:
        m = opener.search(text, pos)
        if not m:
            return out
        closer = closer_of(m)
        at = -1 if closer in missing else text.find(closer, m.end())
        if at < 0:
            missing.add(closer)
            pos = m.end()
            continue
        if refused is not None and m.group(0) == "$$" and not _md_display_closes(text, m.start(), at):
            refused.append(m.start())
            pos = m.end()
            continue
        out.append((m, at, at + len(closer)))
        pos = at + len(closer)


_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def _alone_on_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return not text[line_start:start].strip() and not text[end:len(text) if line_end < 0 else line_end].strip()


def _md_display_closes(text: str, start: int, closer_at: int) -> bool:
    """A $$ display holds no blank line (Markdown ends the paragraph there, and the math with it),
    except a math block whose $$ lines stand alone (Typora, Obsidian, markdown-it-texmath write them so)."""
    if not _BLANK_LINE_RE.search(text, start + 2, closer_at):
        return True
    return _alone_on_line(text, start, start + 2) and _alone_on_line(text, closer_at, closer_at + 2)


def _closer(m: re.Match) -> str:
    if m.group(0).startswith("\\begin"):
        return "\\end{" + m.group(1) + "}"
    return "\\]" if m.group(0) == "\\[" else "$$"


def _fences(text: str) -> tuple[list[tuple[int, int]], list[Block]]:
    """Code fences (blanked) and GitHub's ```math fences (display math)."""
    spans, blocks, pos = [], [], 0
    while (m := _FENCE_RE.search(text, pos)) is not None:
        mark = m.group(1)
        close = re.compile(r"^[ \t]{0,3}" + re.escape(mark[0]) + "{" + str(len(mark)) + r",}[ \t]*$", re.M)
        c = close.search(text, m.end())
        end = c.end() if c else len(text)
        if m.group(2).lower() == "math" and c:
            blocks.append(Block(m.end() + 1, text[m.end() + 1:c.start()], m.start(), end))
        spans.append((m.start(), end))
        pos = end
    return spans, blocks


def _inline(masked: str) -> list[Block]:
    """Inline math in prose whose display math is already blanked."""
    out = []
    for m in _INLINE_PAREN_RE.finditer(masked):
        g = 1 if m.group(1) is not None else 2
        out.append(Block(m.start(g), m.group(g), m.start(), m.end(), inline=True))
    rest = mask_spans(masked, [(b.start, b.end) for b in out])
    for m in _INLINE_DOLLAR_RE.finditer(rest):
        out.append(Block(m.start(1), m.group(1), m.start(), m.end(), inline=True))
    return sorted(out, key=lambda b: b.start)


def _displays(masked: str, opener: re.Pattern, refused: list[int] | None = None) -> list[Block]:
    out = []
    for m, c, e in closed_spans(masked, opener, _closer, refused):
        body = masked[m.end():c]
        if m.group(0).startswith("\\begin{multline"):   # its \\ breaks one equation over lines
            body = body.replace("\\\\", "  ")
        out.append(Block(m.end(), body, m.start(), e))
    return out


def _markdown(text: str) -> Layout:
    fence_spans, fenced = _fences(text)
    code = _mask(mask_spans(text, fence_spans), _MD_CODE_RE)
    comments = closed_spans(code, _HTML_OPEN_RE, lambda m: "-->")
    decls = []
    for m, content_end, _ in comments:
        d = _MD_DECL_RE.match(code, m.end())
        if d and d.end() <= content_end:
            decls.append((code[d.end():content_end], d.end()))
    masked = mask_spans(code, [(m.start(), e) for m, _, e in comments])
    refused: list[int] = []
    displays = _displays(masked, _MD_OPEN_RE, refused)
    return _assemble(text, masked, decls, displays + fenced, "md", refused)


def _assemble(text: str, masked: str, decls, displays: list[Block], fmt: str, unclosed=()) -> Layout:
    displays.sort(key=lambda b: b.start)
    prose = mask_spans(masked, [(b.start, b.end) for b in displays])
    blocks = sorted(displays + _inline(prose), key=lambda b: b.start)
    return Layout(text, masked, tuple(decls), tuple(blocks), fmt, tuple(unclosed))


def _latex(text: str) -> Layout:
    masked = _mask(text, _TEX_COMMENT_RE)
    masked = mask_spans(masked, [(m.start(), e) for m, _, e in closed_spans(masked, _VERBATIM_RE, lambda m: "\\end{" + m.group(1) + "}")])
    decls = [(m.group(1), m.start(1)) for m in _TEX_DECL_RE.finditer(text)]
    return _assemble(text, masked, decls, _displays(masked, _TEX_OPEN_RE), "tex")


def _rst(text: str) -> Layout:
    """reStructuredText: `.. math::` directives (each paragraph of the body one display), :math:`..`,
    and `.. derive: ...` comments."""
    blocks: list[Block] = []
    spans = []
    for m in _RST_MATH_RE.finditer(text):
        indent = len(m.group(1).expandtabs())
        if m.group(2).strip():
            blocks.append(Block(m.start(2), m.group(2), m.start(), m.end()))
        pos, end = m.end() + 1, m.end()
        para_start = None
        while pos <= len(text):
            nl = text.find("\n", pos)
            line_end = len(text) if nl < 0 else nl
            line = text[pos:line_end]
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            if line.strip() and not re.match(r"\s*:[a-z-]+:", line):   # options such as :label:
                para_start = pos if para_start is None else para_start
                end = line_end
            elif para_start is not None:
                blocks.append(Block(para_start, text[para_start:end], para_start, end))
                para_start = None
            if nl < 0:
                break
            pos = nl + 1
        if para_start is not None:
            blocks.append(Block(para_start, text[para_start:end], para_start, end))
        spans.append((m.start(), end))
    prose = mask_spans(text, spans)
    inline = [Block(m.start(1), m.group(1), m.start(), m.end(), inline=True) for m in _RST_ROLE_RE.finditer(prose)]
    decls = [(m.group(1), m.start(1)) for m in _RST_DECL_RE.finditer(text)]
    masked = _mask(prose, _RST_DECL_RE)
    return Layout(text, masked, tuple(decls), tuple(sorted(blocks + inline, key=lambda b: b.start)), "md")


def notebook_text(raw: str, name: str = "notebook") -> str:
    """The Markdown cells of a Jupyter notebook, each source line on the line it has in the .ipynb file
    (so the report's line numbers are the file's); code and output are left out (blank lines)."""
    try:
        nb = json.loads(raw)
        cells = nb["cells"] if isinstance(nb, dict) else None
    except (ValueError, KeyError, TypeError):
        cells = None
    if not isinstance(cells, list):
        raise UsageError(f"{name}: not a Jupyter notebook (no list of cells)")
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            src = "".join(s for s in src if isinstance(s, str)) if isinstance(src, list) else str(src)
            sources.append(src)
    raw_lines = raw.split("\n")
    placed: dict[int, str] = {}
    cursor = 0
    for src in sources:
        for line in src.split("\n"):
            if not line.strip():
                continue
            at = _find_line(raw_lines, line, cursor)
            if at is None:   # written in a way we cannot locate (one long string): cells one after another
                return "\n\n".join(sources) + "\n"
            placed[at], cursor = line, at + 1
    out = [placed.get(n, "") for n in range(len(raw_lines))]
    return "\n".join(out) + "\n"


def _find_line(raw_lines: list[str], line: str, cursor: int) -> int | None:
    for ascii_ in (False, True):
        encoded = '"' + json.dumps(line, ensure_ascii=ascii_)[1:-1]
        for n in range(cursor, len(raw_lines)):
            if encoded + '"' in raw_lines[n] or encoded + '\\n"' in raw_lines[n]:
                return n
    return None


def layout(text: str, fmt: str) -> Layout:
    """Every math block and declaration of a document in one of the formats: tex, md, ipynb, rst."""
    if fmt == "tex":
        return _latex(text)
    if fmt == "rst":
        return _rst(text)
    if fmt == "ipynb":
        return _markdown(notebook_text(text))
    return _markdown(text)
