"""What the prose says about the display that follows it: a case (when i = j), K = 2, a one-hot target."""
from __future__ import annotations

import re
from dataclasses import dataclass

# inline math: $...$, \(...\), and \\(...\\) as Markdown engines want it escaped
_INLINE_RE = re.compile(r"\\\\\((.+?)\\\\\)|\\\((.+?)\\\)|(?<!\$)\$(?!\$)([^$\n]+?)\$(?!\$)")
_COND_RE = re.compile(r"^\s*\{?\s*([a-zA-Z])\s*\}?\s*(==|=|\\neq|\\ne|\\not\s*=|≠)\s*\{?\s*([a-zA-Z])\s*\}?\s*$")
_CASE_WORDS = re.compile(r"(when|if|for|case|assume|suppose|当|若|如果|对于|假设|时)", re.I)
_BINARY_RE = re.compile(r"二元情形|二分类|两类|binary case|two classes|two-class|\bK\s*=\s*2\b|\$\s*K\s*=\s*2\s*\$")
_ONE_HOT_RE = re.compile(r"one[- ]?hot|独热", re.I)
_NAME_RE = re.compile(r"^\s*(?:\\(?:because|therefore|text\s*\{[^{}]*\})\s*)?(?:\\(?:mathbf|boldsymbol|bm|mathbb|textbf)\s*\{?\s*)?([A-Za-z])\s*\}?\s*(?:_.*)?$")
_SENTENCE_END = re.compile(r"[.。;；!?！？]\s|[.。;；!?！？]$|\n\s*\n")
NEAR = 70   # characters between a stated case and its display: "when i = j, by the quotient rule:"


@dataclass(frozen=True)
class Context:
    """The case and size the sentence before a display states, and where it says so."""

    conditions: tuple[tuple[str, str, str], ...] = ()   # (a, "=" | "!=", b)
    size: int | None = None
    line: int = 0


def _math_pieces(prose: str):
    for m in _INLINE_RE.finditer(prose):
        yield m.start(), m.end(), next(g for g in m.groups() if g is not None)


def _bare_case(prose: str):
    """A case written without $...$ (1. \\(k = i\\) is caught above; `if i = j:` in plain text here)."""
    for m in re.finditer(r"(?<![A-Za-z\\])([a-zA-Z])\s*(==|=|≠|\\neq|\\ne)\s*([a-zA-Z])(?![A-Za-z])", prose):
        yield m.start(), m.end(), m.group(0)


def before_display(prose: str, line_of) -> Context:
    """The context set by the end of `prose` (the text just before a display); line_of(offset) -> line."""
    tail_start = max(0, len(prose) - 240)
    cut = [m.end() for m in _SENTENCE_END.finditer(prose, tail_start) if m.end() < len(prose.rstrip())]
    start = cut[-1] if cut else tail_start
    sentence = prose[start:]
    conds, where = [], 0
    pieces = list(_math_pieces(sentence)) or list(_bare_case(sentence))
    for a, b, math in pieces:
        m = _COND_RE.match(math.replace("$", ""))
        if not m or m.group(1) == m.group(3):
            continue
        after = sentence[b:].strip()
        words = sentence[max(0, a - 30):a] + sentence[b:b + 8]
        near = NEAR if not after.endswith((":", "：")) else 3 * NEAR   # "When $i=j$ (using ...), ... gives us:"
        if len(after) > near or not (_CASE_WORDS.search(words) or not sentence[:a].strip() or re.match(r"^\s*\d+\.\s*$", sentence[:a])):
            continue
        op = "=" if m.group(2) in ("=", "==") else "!="
        conds.append((m.group(1), op, m.group(3)))
        where = start + a
    if not conds:   # a case as its own line: "1. \\(k = i\\)" or "$i = j$", then a sentence, then the display
        for lm in re.finditer(r"(?m)^[ \t>*-]*(?:\d+[.)]\s*|case\s*)?(.+?)[ \t:,.]*$", prose):
            pieces_here = list(_math_pieces(lm.group(1)))
            if len(pieces_here) == 1 and pieces_here[0][0] == 0 and pieces_here[0][1] == len(lm.group(1)):
                m = _COND_RE.match(pieces_here[0][2])
                if m and m.group(1) != m.group(3):
                    op = "=" if m.group(2) in ("=", "==") else "!="
                    conds, where = [(m.group(1), op, m.group(3))], lm.start(1)
        if conds:
            start = 0
    binary = _BINARY_RE.search(sentence)
    size = 2 if binary else None
    if binary and not where:
        where = start + binary.start()
    if len({(a, b) for a, _, b in conds}) < len({(a, op, b) for a, op, b in conds}):
        conds = []   # "for when $i = j$ and $i \ne j$": both cases named, neither is the display's
    if not conds and size is None:
        return Context()
    return Context(tuple(conds[-1:]), size, line_of(where))


def one_hot_names(prose: str) -> list[tuple[str, int]]:
    """Vectors the text calls one-hot ("$y$ is a one-hot vector", "$\\mathbf{y}$ 是 one-hot 向量"), with offsets."""
    out = []
    for m in _ONE_HOT_RE.finditer(prose):
        window_start = max(0, m.start() - 90)
        window = prose[window_start:m.start()]
        ends = [e.end() for e in _SENTENCE_END.finditer(window)]
        if ends:
            window_start += ends[-1]
            window = prose[window_start:m.start()]
        matched = [(a, _NAME_RE.match(math)) for a, _, math in _math_pieces(window)]
        names = [(a, n.group(1)) for a, n in matched if n]
        if not names:   # "one-hot编码相当于样本的真实概率分布p": the name after the phrase
            after = prose[m.end():m.end() + 40]
            k = re.search(r"(?:分布|distribution|vector|向量)\s*\$?\\?(?:mathbf\{)?([A-Za-z])\b", after)
            if k:
                out.append((k.group(1), m.start()))
            continue
        out.append((names[-1][1], window_start + names[-1][0]))
    return out


_HOT_RE = re.compile(r"^\s*([A-Za-z])\s*_\s*\{?\s*([a-z])\s*\}?\s*=\s*1\s*$")


def hot_indices(prose: str) -> list[tuple[str, str, int]]:
    """(name, letter, offset) for "let $p_k = 1$" in prose: the index where a one-hot vector has its 1."""
    out = []
    for a, b, math in _math_pieces(prose):
        m = _HOT_RE.match(math)
        if m:
            out.append((m.group(1), m.group(2), a))
        elif False and (n := _HOT_NAME_RE.match(math)) and _IS_ONE_RE.match(prose, b):   # "the $t_j$ is 1 for only the actual class"
            out.append((n.group(1), n.group(2), a))
    return out


_HOT_NAME_RE = re.compile(r"^\s*([A-Za-z])\s*_\s*\{?\s*([a-z])\s*\}?\s*$")
_IS_ONE_RE = re.compile(r"\s*(?:is|equals|=|为|等于|是)\s*\$?\s*1\s*\$?\s*(?:for only|only for|only|for the (?:actual|true|correct)|仅|只)", re.I)


_FORMULA_RE = re.compile(r"\\frac|\\sum|\\exp|\\log|\\ln|e\^|\\delta_|\\sigma_|softmax")
_HEAD_RE = re.compile(r"^\s*(?:\\displaystyle\s*)?(\\mathcal\s*\{\s*[A-Za-z]\s*\}|\\hat\s*\{?\s*[A-Za-z]\s*(?:_\s*\{?[a-z]\}?)?\s*\}?(?:_\s*\{?[a-z]\}?)?|[A-Za-z](?:\s*_\s*\{?\s*[a-z]{1,2}\s*\}?)?|[A-Za-z]+\s*\([^()]*\))\s*$")
# "with $\\sum_i y_i = 1$": the text's assumption that a vector sums to one
_SUM_ONE_RE = re.compile(r"^\s*\\sum\s*_\s*(?:\{[^{}]*\}|[a-z])(?:\s*\^\s*(?:\{[^{}]*\}|[A-Za-z]))?\s*"
                         r"[a-z]\s*_\s*\{?\s*[a-z]\s*\}?\s*=\s*1\s*[.,;]?\s*$")
_MACRO_RE = re.compile(r"^\s*(\\sum\s*_\s*\{?\s*[A-Za-z]\s*\}?|\\Sigma(?:\s*_\s*\{?\s*[A-Za-z]\s*\}?)?)\s*$")
_K_RE = re.compile(r"(?:in this case|here|where)\s*\$?\s*([A-Z])\s*=\s*(\d+)\s*\$?")


def inline_definitions(prose: str) -> list[tuple[str, str, int]]:
    """Definitions written in running text: ("prose-define", "y_i = \\frac{...}", offset) for
    $\\hat{y_i} = \\operatorname{softmax}(\\theta)_i = \\frac{...}$, ("macro", "\\sum_K = ...") for
    "define $\\sum_K = \\sum_{j=1}^{K} \\exp(\\theta_j)$", ("K", "K = 3") for "in this case K = 3"."""
    out = []
    for a, _, math in _math_pieces(prose):
        if _SUM_ONE_RE.match(math):
            out.append(("assume", math.strip().rstrip(".,;").strip(), a))
            continue
        math = re.sub(r"\s*,?\s*\\forall.*$", "", math)
        parts = _top_level_sides(math)
        if len(parts) < 2:
            continue
        body = re.sub(r"\s*,\s*\\forall.*$|\s*,\s*$", "", parts[-1]).strip()
        if not _FORMULA_RE.search(body):
            continue
        if _MACRO_RE.match(parts[0]):
            out.append(("macro", f"{parts[0]} = {body}", a))
        elif _HEAD_RE.match(parts[0]):
            out.append(("prose-define", f"{parts[0]} = {body}", a))
    for m in _K_RE.finditer(prose):
        out.append(("K", f"{m.group(1)} = {m.group(2)}", m.start(1)))
    return out


def _top_level_sides(math: str) -> list[str]:
    """The sides of a = b = c split at '=' outside braces (\\sum_{j=1} keeps its =)."""
    parts, depth, start = [], 0, 0
    for pos, ch in enumerate(math):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "=" and depth == 0 and math[pos - 1:pos] not in ("<", ">", "!", ":", "\\"):
            parts.append(math[start:pos].strip())
            start = pos + 1
    parts.append(math[start:].strip())
    return parts
