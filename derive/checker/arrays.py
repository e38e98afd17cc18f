"""Written-out vectors and matrices (bmatrix, pmatrix, [a_1, a_2, \\cdots, a_n]) read by their pattern, judged entry by entry."""
from __future__ import annotations

from typing import Any
import re
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import MatAdd, MatMul, MatrixExpr, MatrixSymbol, Transpose

from ..calculus.objects import Diag, Grad, Jac
from ..calculus.symbols import index

_DOTS = {r"\cdots", r"\dots", r"\ldots", r"\vdots", r"\ddots", r"\dotsc", r"\dotsb", "...", "⋯", "…", "⋮", "⋱"}
_ENV_RE = re.compile(r"^\\begin\s*\{([pbvBV]?matrix)\*?\}(.*)\\end\s*\{\1\*?\}$", re.S)
_TRANSPOSE_RE = re.compile(r"\s*\^\s*(\{\s*)?(T|\\top|\\intercal|\\mathrm\s*\{\s*T\s*\}|\\mathsf\s*\{\s*T\s*\})(\s*\})?\s*$")
_SIZER_RE = re.compile(r"\\(left|right|bigl|bigr|Bigl|Bigr|big|Big|biggl|biggr)(?![a-zA-Z])")
_ROW_RE = re.compile(r"\\\\(\[[^\]]*\])?")
_OPEN = {"[": "]", "(": ")"}
MAX_CELLS = 400   # a written-out matrix larger than this is not read (it would not be hand-written)


@dataclass(frozen=True)
class Cell:
    text: str
    offset: int     # within the side's text


@dataclass(frozen=True)
class Array:
    """Rows of cells (a vector is one row); None marks an elision (\\cdots, \\vdots, \\ddots)."""

    rows: tuple[tuple[Cell | None, ...], ...]
    row_dots: tuple[bool, ...]         # a row made only of elisions
    matrix: bool                       # written as a matrix environment (rows and columns)

    @property
    def is_vector(self) -> bool:
        real = [r for r, d in zip(self.rows, self.row_dots) if not d]
        return len(real) == 1 or all(len(r) == 1 for r in real)

    def vector_cells(self) -> tuple[Cell | None, ...]:
        """A row vector's cells, or a column vector's cells top to bottom."""
        real = [(r, d) for r, d in zip(self.rows, self.row_dots)]
        if len([r for r, d in real if not d]) == 1 and not any(d for _, d in real):
            return real[0][0]
        return tuple(None if d else r[0] for r, d in real)


def is_dots(text: str) -> bool:
    return text.strip().rstrip(",").strip() in _DOTS


def _strip(text: str) -> str:
    t = _SIZER_RE.sub(" ", text).strip()
    return re.sub(r"[.,;]\s*$", "", t).strip()


def _matching(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start` (brackets of either kind, braces respected)."""
    depth = 0
    for pos in range(start, len(text)):
        ch = text[pos]
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
            if depth == 0:
                return pos
    return -1


def _split_top(text: str, sep: str) -> list[tuple[int, str]]:
    """Pieces of text between separators at depth 0 (braces and brackets), with their offsets."""
    out, depth, start = [], 0, 0
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "\\" and pos + 1 < len(text):
            if text.startswith(sep, pos) and depth == 0 and sep.startswith("\\"):
                out.append((start, text[start:pos]))
                pos += len(sep)
                start = pos
                continue
            pos += 2
            continue
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
        elif depth == 0 and text.startswith(sep, pos):
            out.append((start, text[start:pos]))
            pos += len(sep)
            start = pos
            continue
        pos += 1
    out.append((start, text[start:]))
    return out


def read_array(text: str) -> tuple[Array, bool] | None:
    """(the array, transposed?) when the whole side is one written-out vector or matrix."""
    raw = text.replace("&amp;", "&")
    body = _strip(raw)
    transposed = False
    m = _TRANSPOSE_RE.search(body)
    if m:
        body, transposed = body[:m.start()].rstrip(), True
    base = raw.find(body[:8]) if body else 0
    base = max(base, 0)
    env = _ENV_RE.match(body)
    if env:
        inner_off = base + env.start(2)
        rows, dots = [], []
        for r_off, r_text in _split_top(env.group(2), "\\\\"):
            cells = [(c_off, c) for c_off, c in _split_top(r_text, "&")]
            if all(not c.strip() for _, c in cells):
                continue   # an empty row (\\\\ doubled by a Markdown engine)
            row = tuple(None if is_dots(c) else Cell(c.strip(), inner_off + r_off + c_off) for c_off, c in cells)
            rows.append(row)
            dots.append(all(x is None for x in row))
        if not rows or sum(len(r) for r in rows) > MAX_CELLS:
            return None
        return Array(tuple(rows), tuple(dots), True), transposed
    if body[:1] in _OPEN and _matching(body, 0) == len(body) - 1:
        pieces = _split_top(body[1:-1], ",")
        if len(pieces) < 2 or len(pieces) > MAX_CELLS:
            return None
        row = tuple(None if is_dots(c) else Cell(c.strip(), base + 1 + off) for off, c in pieces)
        if any(x is not None and not x.text for x in row):
            return None
        return Array((row,), (False,), False), transposed
    return None


# -- positions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pos:
    """Where a written entry sits: a number (1, 2), the end (n, n-1) or a letter between elisions (k)."""

    kind: str        # "num" | "end" | "piv"
    value: Any       # int offset for num/end, a letter for piv

    def label(self, size_name: str) -> str:
        if self.kind == "num":
            return str(self.value)
        if self.kind == "end":
            return size_name if self.value == 0 else f"{size_name}-{self.value}"
        return str(self.value)


def positions(cells: tuple, pivot_of) -> list[Pos | None] | None:
    """Positions of a run of cells with elisions; None when the pattern cannot be read."""
    if None not in cells:
        return [Pos("num", n + 1) for n in range(len(cells))]
    first = cells.index(None)
    last = len(cells) - 1 - cells[::-1].index(None)
    out: list[Pos | None] = []
    for n, c in enumerate(cells):
        if c is None:
            out.append(None)
        elif n < first:
            out.append(Pos("num", n + 1))
        elif n > last:
            out.append(Pos("end", len(cells) - 1 - n))
        else:
            letter = pivot_of(c)
            if letter is None:
                return None
            out.append(Pos("piv", letter))
    return out


def realise(all_pos: list[Pos], K: int) -> dict | None:
    """Concrete values of positions at size K: numbers first, pivots spaced inside the gap, the end last."""
    nums = [p.value for p in all_pos if p.kind == "num"]
    ends = [p.value for p in all_pos if p.kind == "end"]
    pivots = sorted({p.value for p in all_pos if p.kind == "piv"}, key=str)
    lo = max(nums, default=0)
    val: dict = {}
    nxt = lo + 2
    for letter in pivots:
        val[("piv", letter)] = nxt
        nxt += 2
    if nxt - 1 > K - max(ends, default=0) - 1 + 1 or lo >= K - max(ends, default=0):
        return None
    for p in all_pos:
        if p.kind == "num":
            val[("num", p.value)] = p.value
        elif p.kind == "end":
            val[("end", p.value)] = K - p.value
    return val


def sizes_for(all_pos: list[Pos]) -> tuple[int, ...]:
    """Two sizes large enough that every written position is distinct and each elision hides one entry."""
    if not any(p.kind in ("end", "piv") for p in all_pos):
        n = max((p.value for p in all_pos), default=1)
        return (n,)
    nums = max((p.value for p in all_pos if p.kind == "num"), default=0)
    pivots = len({p.value for p in all_pos if p.kind == "piv"})
    ends = max((p.value for p in all_pos if p.kind == "end"), default=0)
    K = max(3, nums + 2 * pivots + ends + 2)
    return (K, K + 1)


# -- entries of a matrix expression at concrete positions ------------------------------------------
class NoEntry(Exception):
    """The expression has no entry form we can build."""


def entry(e, r: int, c: int | None, K: int):
    """Entry (r, c) (1-based; c None for a vector) of an engine matrix expression, as a scalar."""
    if isinstance(e, Transpose):
        inner = e.args[0]
        return entry(inner, c if c is not None else r, r if c is not None else None, K) if c is not None else entry(inner, r, None, K)
    if isinstance(e, MatrixSymbol):
        if c is not None and e.shape[1] != 1:
            raise NoEntry(f"the matrix {e.name}")
        return sp.IndexedBase(e.name)[r]
    if isinstance(e, Grad):
        L, v = e.args
        return sp.Derivative(L, sp.IndexedBase(v.name)[r])
    if isinstance(e, Jac):
        f, v = e.args
        if c is None:
            raise NoEntry("a Jacobian read as a vector")
        return sp.Derivative(sp.IndexedBase(f.name)[r], sp.IndexedBase(v.name)[c])
    if isinstance(e, Diag):
        if c is None:
            raise NoEntry("a diagonal matrix read as a vector")
        return sp.IndexedBase(e.args[0].name)[r] if r == c else sp.Integer(0)
    if isinstance(e, MatAdd):
        return sp.Add(*[entry(a, r, c, K) for a in e.args])
    if isinstance(e, MatMul):
        scalars = [a for a in e.args if not isinstance(a, MatrixExpr)]
        mats = [a for a in e.args if isinstance(a, MatrixExpr)]
        coeff = sp.Mul(*scalars)
        if len(mats) == 1:
            return coeff * entry(mats[0], r, c, K)
        if len(mats) == 2:
            A, B = mats
            a_vec, b_vec = _is_vec(A), _is_vec(B)
            if a_vec and b_vec:
                if c is None:
                    raise NoEntry("a product of two vectors")
                return coeff * entry(A, r, None, K) * entry(B, c, None, K)   # an outer product
            if a_vec:      # a (row) vector times a matrix: entry c of the row
                return coeff * sp.Add(*[entry(A, m, None, K) * entry(B, m, r, K) for m in range(1, K + 1)])
            if b_vec:      # a matrix times a vector
                return coeff * sp.Add(*[entry(A, r, m, K) * entry(B, m, None, K) for m in range(1, K + 1)])
            if c is None:
                raise NoEntry("a product of matrices read as a vector")
            return coeff * sp.Add(*[entry(A, r, m, K) * entry(B, m, c, K) for m in range(1, K + 1)])
        raise NoEntry("a product of three matrices")
    if isinstance(e, MatrixExpr):
        raise NoEntry(type(e).__name__)
    if e.is_number:
        return e   # a number: the same at every entry
    raise NoEntry("a scalar read as a vector (is a name here the vector of its entries?)")


def _is_vec(e) -> bool:
    if isinstance(e, Transpose):
        return _is_vec(e.args[0])
    if isinstance(e, (Jac, Diag)):
        return False
    return getattr(e, "shape", (0, 0))[1] == 1 or getattr(e, "shape", (0, 0))[0] == 1


def pivot_letter(expr, size_symbols: set) -> str | None:
    """The one index letter an entry between two elisions is written for (-\\frac{1}{a_k} -> k)."""
    letters = {str(s) for s in expr.atoms(sp.Symbol) if s.is_integer and s not in size_symbols}
    return letters.pop() if len(letters) == 1 else None


def index_symbol(letter: str):
    return index(letter)


_SUB_LETTER_RE = re.compile(r"_\s*\{?\s*([A-Za-z])\s*\}?")


def elision_sizes(math: str, index_letters) -> list[str]:
    """Letters written as the last position after an elision ([a_1, \\cdots, a_n], \\frac{\\partial y_1}{\\partial x_n}):
    they are sizes, unless used as a summation index."""
    summed = set(re.findall(r"\\sum\s*(?:\\limits)?\s*_\s*\{?\s*([A-Za-z])", math))
    out = []
    for m in re.finditer(r"(?:\\[cvl]?dots|\\dotsc|\\dotsb|\.\.\.)(?![a-zA-Z])\s*(?:,|&amp;|&|\\;|\\,|\s)*(.{0,80})", math):
        tail = m.group(1)
        cell = re.split(r",|&|\\\\|\]|\)|\\end|\\right", tail, maxsplit=1)
        if len(cell) < 2:
            continue
        rest = tail[len(cell[0]):]
        if not re.match(r"\s*(\]|\)|\\end|\\right|\\\\)", rest):
            continue   # not the last entry of its list
        letters = set(_SUB_LETTER_RE.findall(cell[0])) - set("0123456789")
        if len(letters) == 1:   # \frac{e^{z_n}}{\sum e^{z_k}} names two letters: not a plain last entry
            letter = letters.pop()
            if letter not in summed and letter not in ("i", "j"):
                out.append(letter)
    return out


@dataclass(frozen=True)
class Term:
    sign: int
    cell: Cell | None    # None: the elision (+ \cdots +)


def read_elided_sum(text: str) -> tuple[Term, ...] | None:
    """a_1 b_1 + a_2 b_2 + \\cdots + a_n b_n: the terms, or None when the side is not such a sum."""
    raw = text
    terms: list[Term] = []
    depth, start, sign = 0, 0, 1
    pos = 0

    def close(end: int, next_sign: int):
        nonlocal start, sign
        piece = raw[start:end]
        if piece.strip():
            terms.append(Term(sign, None if is_dots(piece) else Cell(piece.strip(), start + len(piece) - len(piece.lstrip()))))
        start, sign = end + 1, next_sign

    while pos < len(raw):
        ch = raw[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
        elif depth == 0 and ch in "+-":
            close(pos, 1 if ch == "+" else -1)
        pos += 1
    close(len(raw), 1)
    if sum(t.cell is None for t in terms) != 1 or len(terms) < 3 or terms[-1].cell is None or terms[0].cell is None:
        return None
    return tuple(terms)
