"""Judge a claim with a written-out vector or matrix on a side: every written entry at its position."""
from __future__ import annotations

from typing import Any
import dataclasses
import re
from dataclasses import dataclass

import sympy as sp

from ..verifier.evaluate import Definition
from ..calculus.symbols import basic, index, indexed, size
from ..errors import ParseError
from ..verifier import verify as verify_module
from ..verifier.verify import _free_indices, verify
from .arrays import Array, NoEntry, Pos, entry, pivot_letter, positions, read_array, read_elided_sum, realise, sizes_for
from ..latex.normalize import normalize
from ..latex.parse import Unsupported


def _line_col(side, offset: int) -> tuple[int, int]:
    before = side.text[:offset]
    nl = before.count("\n")
    if nl:
        return side.line + nl, offset - before.rfind("\n")
    return side.line, side.column + offset


_SOFTMAX_VEC_RE = re.compile(r"(?:\\text|\\operatorname|\\mathrm)?\s*\{?\s*softmax\s*\}?\s*(?:\\left)?\(\s*(?:\\mathbf\s*\{?\s*)?([A-Za-z])\s*\}?\s*(?:\\right)?\)")


@dataclass(frozen=True)
class _Softmax:
    """softmax(z) written as a vector: entry m is e^{z_m} / sum_u e^{z_u}."""

    name: str

    def entry_text(self, m) -> str:
        return rf"\frac{{e^{{{self.name}_{{{m}}}}}}}{{\sum_{{u}} e^{{{self.name}_{{u}}}}}}"


def softmax_side(text: str) -> _Softmax | None:
    m = _SOFTMAX_VEC_RE.fullmatch(normalize(text).strip().rstrip(".,;").strip())
    return _Softmax(m.group(1)) if m else None


# Q = [q_{ik}]_{N \times K}: notation naming a matrix by its entries, nothing to compute
_SHAPE_NOTATION_RE = re.compile(r"^\[[^\[\]]*\]\s*_\s*\{[^{}]*\\times[^{}]*\}$")


class _Reader:
    """Parses cells of one side and says where each written entry sits."""

    def __init__(self, side, arr: Array, setup, parse):
        self.side, self.arr, self.setup, self.parse = side, arr, setup, parse
        self.sizes = {size(n) for n in setup.size_names}
        self._cache: dict = {}

    def value(self, cell):
        if cell.offset not in self._cache:
            line, col = _line_col(self.side, cell.offset)
            self._cache[cell.offset] = self.parse(cell.text, self.setup, line, col)
        return self._cache[cell.offset]

    def pivot(self, cell):
        try:
            return pivot_letter(self.value(cell), self.sizes)
        except ParseError:
            return None

    def cells(self) -> list[tuple[tuple, object]] | None:
        """[((row Pos, col Pos or None), cell)] for every written entry; None if the pattern is unreadable."""
        arr = self.arr
        if arr.is_vector:
            cells = arr.vector_cells()
            pos = positions(cells, self.pivot)
            if pos is None:
                return None
            return [((p, None), c) for p, c in zip(pos, cells) if c is not None]
        rows = tuple(None if d else r for r, d in zip(arr.rows, arr.row_dots))
        rpos = positions(tuple(None if r is None else r for r in rows), lambda r: None)
        if rpos is None:
            return None
        out: list = []
        for rp, row in zip(rpos, rows):
            if row is None:
                continue
            cpos = positions(row, lambda c: None)
            if cpos is None:
                return None
            out.extend(((rp, cp), c) for cp, c in zip(cpos, row) if c is not None)
        return out


def _at(pos: Pos, val: dict) -> int:
    return val[(pos.kind, pos.value)]


def _label(key: tuple, size_name: str) -> str:
    r, c = key
    return f"({r.label(size_name)}, {c.label(size_name)})" if c is not None else r.label(size_name)


def _negated(text: str) -> str:
    t = text.strip()
    return t[1:].strip() if t.startswith("-") else f"-{t}"


def judge(claim, setup, concrete, euler, ref=None):
    """A StepResult for a claim with an array on a side, or None when neither side is one."""
    from .budget import STEP_SECONDS, Timeout as _Timeout, time_bound as _time_bound
    from .checker import StepResult, conditions_shown, _context, _flatten, _parse, _undefined_derivative, _undefined_name

    row, left, right = claim.row, claim.left, claim.right
    if any(_SHAPE_NOTATION_RE.match(side.text.strip()) for side in (left, right)):
        base = dict(line=right.line, column=right.column, lhs=left.text, rhs=right.text,
                    conditions=conditions_shown(row), end=row.end)
        return StepResult(status="definition", reason="names a matrix by its entries and shape", **base)
    arrays = [read_array(left.text), read_array(right.text)]
    if arrays == [None, None]:
        sums = [read_elided_sum(left.text), read_elided_sum(right.text)]
        if sums != [None, None]:
            return _elided_sums(claim, sums, setup, concrete, euler)
        return _vector_function(claim, setup, concrete, euler)
    conds = conditions_shown(row)
    base = dict(line=right.line, column=right.column, lhs=left.text, rhs=right.text, conditions=conds, end=row.end)
    readers: list = []
    exprs: list = []
    try:
        for side, got in zip((left, right), arrays):
            if got is None:
                readers.append(None)
                soft = softmax_side(side.text)
                exprs.append(soft if soft is not None else _parse(side.text, setup, side.line, side.column))
            else:
                readers.append(_Reader(side, got[0], setup, _parse))
                exprs.append(None)
        if ref is not None and all(r is not None for r in readers):
            ref_expr = _parse(ref.text, setup, ref.line, ref.column) if read_array(ref.text) is None else None
        else:
            ref_expr = None
        placed = [r.cells() if r is not None else None for r in readers]
    except Unsupported as exc:
        return StepResult(status="unverified", reason=f"unsupported: {exc}", **base)
    if any(r is not None and p is None for r, p in zip(readers, placed)):
        return StepResult(status="unverified", reason="the pattern of this written-out array cannot be read (an elision between entries with no index)", **base)
    # a name = a written vector of its own entries (z = [z_1, ..., z_n]) only names the vector
    if readers[0] is None and isinstance(exprs[0], sp.Symbol) and (
            str(exprs[0]) not in setup.definitions or setup.definitions[str(exprs[0])].indices):
        return StepResult(status="definition", reason=f"names the vector of the {exprs[0]}_i", **base)
    all_pos = [p for cells in placed if cells for key, _ in cells for p in key if p is not None]
    Ks = sizes_for(all_pos)
    if concrete is not None and not any(p.kind in ("end", "piv") for p in all_pos) and Ks != (concrete,):
        return StepResult(status="wrong", reason=f"{Ks[0]} entries written, but K = {concrete}", **base)
    if concrete is not None and any(p.kind in ("end", "piv") for p in all_pos):
        Ks = (concrete,) if concrete >= Ks[0] else Ks
    size_name = setup.size_name
    checked = 0
    wrongs: list = []      # every wrong written entry, reported together ("entry (2, 1) ..., entry (n, 1) ...")
    first_ce: dict = {}
    try:
        with _time_bound(STEP_SECONDS):
            for K in Ks:
                val = realise(all_pos, K)
                if val is None:
                    continue
                pivots = {index(p.value): sp.Integer(v) for (kind, p_val), v in val.items() if kind == "piv" for p in [Pos(kind, p_val)]}
                # the entries to compare: every position written on either side
                keys = []
                for cells in placed:
                    for key, _ in cells or []:
                        if key not in keys:
                            keys.append(key)
                for key in keys:
                    r = _at(key[0], val)
                    c = None if key[1] is None else _at(key[1], val)
                    values, texts = [], []
                    for n in (0, 1):
                        if readers[n] is not None:
                            cell: Any = dict((k, x) for k, x in placed[n] or ()).get(key)
                            if cell is not None:
                                v = readers[n].value(cell).subs(pivots)
                                if key[1] is None and key[0].kind == "end":   # (..., s_i) ends with the general entry
                                    v = v.xreplace({x: sp.Integer(r) for x in v.free_symbols
                                                    if x.is_integer and x not in readers[n].sizes})
                                values.append(v)
                                texts.append(cell.text)
                                continue
                            source = ref_expr
                        else:
                            source = exprs[n]
                        if source is None:
                            values = []
                            break
                        if isinstance(source, _Softmax):
                            values.append(_parse(source.entry_text(r), setup, row.line, 1))
                        else:
                            values.append(entry(source, r, c, K))
                        texts.append(None)
                    if len(values) != 2:
                        continue
                    problem = (_undefined_derivative(values[0], setup) or _undefined_derivative(values[1], setup)
                               or _undefined_name(values[0], values[1], setup))
                    if problem:
                        return StepResult(status="unverified", reason=f"entry {_label(key, size_name)}: {problem}", **base)
                    ctx, lv, rv = _context(values[0], values[1], row, setup, K, euler)
                    if pivots:   # k stands for its position, also inside l := -log a_k and y_i := delta_ik
                        lv, rv = lv.subs(pivots), rv.subs(pivots)   # subs: a \sum over k keeps its own k
                        ctx = dataclasses.replace(ctx, definitions=tuple(
                            Definition(d.head, d.body.subs(pivots)) for d in ctx.definitions))
                    verdict = _at_size(lv, rv, ctx)
                    checked += 1
                    if verdict.status == "refuted":
                        where = _label(key, size_name)
                        hint = ""
                        written = texts[1] if texts[1] is not None else texts[0]
                        if written is not None and _at_size(lv, -rv, ctx).status == "verified":
                            hint = f": expected {_negated(written)}, written {written}"
                        elif written is not None:
                            hint = f": written {written}"
                        if not wrongs:
                            first_ce = _flatten(verdict.counterexample, setup) or {}
                            first_ce["entry"] = where
                        if all(w[0] != where for w in wrongs):
                            wrongs.append((where, hint, K))
                        continue
                    if verdict.status != "verified":
                        return StepResult(status="unverified", reason=f"entry {_label(key, size_name)}: {verdict.detail}", **base)
    except _Timeout:
        return StepResult(status="unverified", reason=f"no verdict within {STEP_SECONDS:g} s", **base)
    except NoEntry as exc:
        return StepResult(status="unverified", reason=f"unsupported: entries of {exc}", **base)
    except (ArithmeticError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return StepResult(status="unverified", reason=f"the written-out array could not be evaluated ({type(exc).__name__}: {exc})", **base)
    if wrongs:
        shown = "; ".join(f"entry {w}{h}" for w, h, _ in wrongs[:4]) + ("; ..." if len(wrongs) > 4 else "")
        return StepResult(status="wrong", reason=f"{shown} (K={wrongs[0][2]})", counterexample=first_ce, **base)
    if not checked:
        return StepResult(status="unverified", reason="no entry of the written-out array could be compared", **base)
    where = f"K={Ks[0]}" if len(Ks) == 1 else f"K={Ks[0]}, {Ks[1]}"
    return StepResult(status="ok", reason=f"entry by entry: {checked} comparisons of the written entries at {where}", **base)


def vector_definition(row, setup):
    """`a = \\text{softmax}(z) = [\\frac{e^{z_1}}{...}, \\cdots, \\frac{e^{z_n}}{...}]` defines a_i; None otherwise."""
    from .checker import _parse

    head = row.sides[0]
    try:
        name = _parse(head.text, setup, head.line, head.column)
    except ParseError:
        return None
    if isinstance(name, sp.MatrixSymbol):   # \mathbf{z} = softmax(a) names the vector z too
        name = sp.Symbol(name.name)
    if not isinstance(name, sp.Symbol) or str(name) in setup.definitions or str(name) in setup.size_names:
        return None
    sizes = {size(n) for n in setup.size_names}
    for side in row.sides[1:]:
        soft = softmax_side(side.text)
        if soft is not None and soft.name != str(name):   # z = softmax(a): z_i = e^{a_i} / sum_u e^{a_u}
            i = index("i")
            try:
                return Definition(indexed(str(name))[i], _parse(soft.entry_text("i"), setup, side.line, side.column))
            except ParseError:
                return None
        got = read_array(side.text)
        if got is None or not got[0].is_vector:
            continue
        reader = _Reader(side, got[0], setup, _parse)
        try:
            placed = reader.cells()
            if not placed:
                return None
            ends = [(p, c) for (p, _), c in placed if p.kind == "end" and p.value == 0]
            if not ends:
                return None
            i = index("i") if "i" not in {str(s) for s in reader.value(ends[0][1]).atoms(sp.Symbol)} else index("m")
            # n -> i inside subscripts only: the limit of a \sum_{k=1}^n in the entry stays n
            template = reader.value(ends[0][1]).replace(
                lambda x: isinstance(x, sp.Indexed),
                lambda x, i=i: x.base[tuple(t.xreplace({s: i for s in sizes}) for t in x.indices)])
            for (p, _), c in placed:
                if p.kind == "num" and reader.value(c) != template.xreplace({i: sp.Integer(p.value)}):
                    return None
        except ParseError:
            return None
        if template.has(indexed(str(name))):
            return None
        return Definition(indexed(str(name))[i], template)
    return None


def _vector_function(claim, setup, concrete, euler):
    """`a = \\text{softmax}(z)`: the claim a_i = e^{z_i} / sum_u e^{z_u} for every i."""
    from .checker import StepResult, conditions_shown, _context, _parse

    sides = [claim.left, claim.right]
    soft = [softmax_side(s.text) for s in sides]
    if soft == [None, None]:
        return None
    row = claim.row
    base = dict(line=claim.right.line, column=claim.right.column, lhs=claim.left.text, rhs=claim.right.text,
                conditions=conditions_shown(row), end=row.end)
    i = index("m")
    try:
        values = []
        for side, sm in zip(sides, soft):
            if sm is not None:
                values.append(_parse(sm.entry_text("m"), setup, side.line, side.column))
                continue
            e = _parse(side.text, setup, side.line, side.column)
            name = getattr(e, "name", None) or (str(e) if isinstance(e, sp.Symbol) else None)
            if name is None or not (name in setup.vectors or name in setup.definitions):
                return None
            values.append(indexed(name)[i])
    except ParseError:
        return None
    ctx, lv, rv = _context(values[0], values[1], row, setup, concrete, euler)
    verdict = verify(lv, rv, ctx)
    status = {"verified": "ok", "refuted": "wrong"}.get(verdict.status, "unverified")
    return StepResult(status=status, reason=f"entry by entry (entry m): {verdict.detail}", **base)


def vector_claim(lhs, rhs, claim, setup, concrete, euler, base: dict):
    """Two vector sides whose shapes disagree only by the row-vector convention (dl/da da/dz):
    compared entry by entry at concrete sizes; None when an entry cannot be formed."""
    from .checker import StepResult, _context

    Ks = (concrete,) if concrete is not None else (3, 4)
    checked = 0
    try:
        for K in Ks:
            for r in range(1, K + 1):
                ctx, lv, rv = _context(entry(lhs, r, None, K), entry(rhs, r, None, K), claim.row, setup, K, euler)
                verdict = _at_size(lv, rv, ctx)
                checked += 1
                if verdict.status == "refuted":
                    return StepResult(status="wrong", reason=f"entry {r} differs (K={K}), reading the vectors entry by entry", **base)
                if verdict.status != "verified":
                    return None
    except (NoEntry, ArithmeticError, TypeError, ValueError):
        return None
    return StepResult(status="ok", reason=f"entry by entry ({checked} entries at K={', '.join(map(str, Ks))}; a gradient written as a row)", **base)


def _elided_sums(claim, sums, setup, concrete, euler):
    """t_1 + t_2 + \\cdots + t_n: the written terms at their positions, the hidden ones from the last term's
    pattern (its position letter, absent from the first term, runs over the gap), compared at two sizes."""
    from .budget import STEP_SECONDS, Timeout as _Timeout, time_bound as _time_bound
    from .checker import StepResult, conditions_shown, _context, _parse, _undefined_derivative, _undefined_name

    row, left, right = claim.row, claim.left, claim.right
    base = dict(line=right.line, column=right.column, lhs=left.text, rhs=right.text,
                conditions=conditions_shown(row), end=row.end)
    sizes_syms = {size(n) for n in setup.size_names}
    try:
        plans = []
        for side, terms in zip((left, right), sums):
            if terms is None:
                plans.append(_parse(side.text, setup, side.line, side.column))
                continue
            vals = [None if t.cell is None else t.sign * _parse(t.cell.text, setup, *_line_col(side, t.cell.offset)) for t in terms]
            first, last = vals[0], vals[-1]
            letters = _free_indices(last) - _free_indices(first)   # not free_symbols: a Derivative hides its variable's index
            if len(letters) != 1:
                return StepResult(status="unverified", reason="the pattern of this elided sum cannot be read", **base)
            plans.append((vals, letters.pop()))
        written = max((vals.index(None) for p in plans if isinstance(p, tuple) for vals in [p[0]]), default=0)
        Ks = (concrete,) if concrete is not None and concrete > written + 1 else (written + 2, written + 3)
        with _time_bound(STEP_SECONDS):
            for K in Ks:
                values = []
                for p in plans:
                    if not isinstance(p, tuple):
                        values.append(p)
                        continue
                    vals, letter = p
                    gap = vals.index(None)
                    after = len(vals) - gap - 1
                    # the last written position before the gap, read from the terms themselves
                    # (-y_1 + y_1^2/z_1 + y_2 z_1 + ...: two terms at position 1)
                    shown = _positions(vals[:gap], vals[-1], letter) or [gap]
                    total = sp.Add(*[v for v in vals[:gap]])
                    total += sp.Add(*[vals[-1].subs(letter, m) for m in range(max(shown) + 1, K - after + 1)])
                    total += sp.Add(*[v.subs(letter, K - (len(vals) - 1 - n)) if letter not in sizes_syms else v
                                      for n, v in enumerate(vals[gap + 1:], start=gap + 1)])
                    values.append(total)
                problem = (_undefined_derivative(values[0], setup) or _undefined_derivative(values[1], setup)
                           or _undefined_name(values[0], values[1], setup))
                if problem:
                    return StepResult(status="unverified", reason=problem, **base)
                ctx, lv, rv = _context(values[0], values[1], row, setup, K, euler)
                verdict = _at_size(lv, rv, ctx)
                if verdict.status == "refuted":
                    return StepResult(status="wrong", reason=f"the sides differ at K={K} (the elided terms read by the pattern of the last one)", **base)
                if verdict.status != "verified":
                    return StepResult(status="unverified", reason=verdict.detail, **base)
    except ParseError as exc:
        return StepResult(status="unverified", reason=f"cannot read this step: {exc}", **base)
    except _Timeout:
        return StepResult(status="unverified", reason=f"no verdict within {STEP_SECONDS:g} s", **base)
    except (ArithmeticError, TypeError, ValueError, AttributeError) as exc:
        return StepResult(status="unverified", reason=f"the elided sum could not be evaluated ({type(exc).__name__}: {exc})", **base)
    return StepResult(status="ok", reason=f"the elided sum written out at K={', '.join(map(str, Ks))}", **base)


def _positions(terms, template, letter) -> list[int]:
    """The integer each written term has where the template has its position letter (y_3 z_1 -> 3)."""
    slots = {(str(x.base.label), n) for x in template.atoms(sp.Indexed) for n, t in enumerate(x.indices) if t == letter}
    out = []
    for term in terms:
        for x in term.atoms(sp.Indexed):
            for n, t in enumerate(x.indices):
                if (str(x.base.label), n) in slots and t.is_Integer:
                    out.append(int(t))
    return out


def _at_size(lhs, rhs, ctx):
    """One entry at a concrete K: the verifier's numeric test (random points, relative tolerance, precision
    doubling), without its general-K prover, which costs seconds on a K-term sum of derivatives and has
    nothing to prove at a fixed size."""
    numeric = getattr(verify_module, "_numeric", None)
    if numeric is None or not isinstance(ctx.size, int):
        return verify(lhs, rhs, ctx)
    return numeric(basic(lhs), basic(rhs), ctx)
