"""The verifier: is lhs = rhs? Cheap exact algebra first, else a numeric identity test (mpmath)."""
from __future__ import annotations

import hashlib
import itertools
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp
from sympy.matrices.expressions import MatrixExpr, MatrixSymbol

from . import normal
from .verdict import Outcome, Reason, outcome
from ..calculus.definition import Definition, EvalError, LogDomain, Undefined
from ..calculus.objects import Entrywise, sigmoid
from ..calculus.symbols import basic

if TYPE_CHECKING:
    from .evaluate import Evaluator

DPS = 60                 # working precision of the numeric test (digits)
ONE_HOT_EVERY = 8   # up to this size a one-hot vector is tried hot at every position
GENERAL_SIZES = (2, 3, 4, 5)   # the K a general-K claim is always checked at; more are drawn (see _general_sizes)
DRAWN_SIZES = ((6, 16), (6, 16), (17, 32), (33, 64))   # a size drawn from each range, seeded by the claim
DOMAINS = ("real", "positive", "unit", "simplex", "one-hot", "nonnegative", "sum-one", "class")


@dataclass(frozen=True)
class Context:
    """What a step may assume: definitions, the domain of each leaf, index conditions, K."""

    definitions: tuple[Definition, ...] = ()
    domains: tuple[tuple[str, str], ...] = ()      # (name, domain) for leaves; default "real"
    conditions: tuple[sp.Basic, ...] = ()          # Eq(i, j), Ne(i, j) on free indices
    size: int | sp.Symbol = sp.Symbol("K", integer=True, positive=True)
    sizes: tuple[int, ...] = GENERAL_SIZES          # the K tried when size is a symbol
    points: int = 2                                  # random points per size
    seed: int = 20261121
    time_limit: float = 20.0                         # seconds per step, then "unconfirmed"
    values: tuple[tuple[str, object], ...] = ()      # fixed leaf values (parameters such as T)
    shapes: tuple[tuple[str, tuple], ...] = ()       # (name, size of each index position): matrices, batches
    classes: tuple[tuple[str, object], ...] = ()     # (name, range) of a vector of class indices (c_n)

    def __post_init__(self):
        # a domain is a name, or a function K -> values: a fixed point (a claim at one input)
        unknown = [dom for _, dom in self.domains if not callable(dom) and dom not in DOMAINS]
        if unknown:  # a typo here would silently sample the wrong values
            raise ValueError(f"unknown domain {unknown[0]!r} (use one of {', '.join(DOMAINS)})")

    def with_conditions(self, *conds) -> Context:
        return Context(**{**self.__dict__, "conditions": self.conditions + tuple(conds)})

    def defs(self) -> dict:
        return {d.name: d for d in self.definitions}


@dataclass(frozen=True)
class Verdict:
    status: str                       # "verified" | "refuted" | "unconfirmed"
    method: str | None = None         # "symbolic" | "numeric"
    detail: str = ""
    counterexample: dict | None = field(default=None, compare=False)
    reason: Reason = field(default=Reason.NONE, compare=False)   # what code decides on (never the detail's text)

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def outcome(self) -> Outcome:
        return outcome(self.status, self.method)


class ShapeMismatch(EvalError):
    """The two sides are matrices of different shapes."""


def verify(lhs, rhs, ctx: Context) -> Verdict:
    """Decide lhs = rhs under ctx. Never says "verified" without a passed test."""
    lhs, rhs = _basic(lhs), _basic(rhs)
    proof = normal.prove(lhs, rhs, ctx)
    if proof is not None:
        return Verdict("verified", "symbolic", proof)
    try:
        exact = _exact(lhs, rhs, ctx)
    except (EvalError, TypeError, ValueError, RecursionError, sp.PolynomialError):
        exact = None  # the cheap route is optional; the numeric test decides
    if exact is not None:
        return exact
    return _numeric(lhs, rhs, ctx)


def _basic(x):
    return basic(x)


# -- exact route ------------------------------------------------------------------------------
_SYMBOLIC_MAX_OPS = 400
EXACT_MAX_K = 16   # sums written out term by term only up to this K


def _exact(lhs, rhs, ctx: Context) -> Verdict | None:
    """Closed forms (a concrete K, or no sums at all): proved when the difference cancels to 0,
    refuted when it is a nonzero number (1 = 1 + 10^{-31}); None when this route cannot tell."""
    if _is_matrix(lhs) or _is_matrix(rhs):
        return None
    if any(side.has(sp.Derivative) for side in (lhs, rhs)):
        return None  # derivatives are the numeric test's job (doit would misread held variables)
    if (not isinstance(ctx.size, int) or ctx.size > EXACT_MAX_K) and any(_reaches_sum(side, ctx) for side in (lhs, rhs)):
        return None  # SymPy's summation of a general (or large) K hangs or crawls: the normal form's job
    diff = _expand_definitions(lhs - rhs, ctx)
    if diff is None or diff.has(sp.Derivative) or (not isinstance(ctx.size, int) and diff.has(sp.Sum, sp.Product)):
        return None
    if isinstance(ctx.size, int) and _free_indices(diff):
        return None
    for name, dom in ctx.domains:  # a sum-one constraint: eliminate the last component
        if dom in ("sum-one", "simplex") and isinstance(ctx.size, int):
            base = sp.IndexedBase(name)
            last = base[ctx.size]
            diff = diff.xreplace({last: 1 - sum(base[k] for k in range(1, ctx.size))})
    if sp.count_ops(diff) > _SYMBOLIC_MAX_OPS:
        return None
    diff = diff.replace(lambda x: isinstance(x, sigmoid), lambda x: 1 / (1 + sp.exp(-x.args[0])))
    residue = sp.cancel(sp.together(sp.expand(diff)))
    if residue == 0:
        return Verdict("verified", "symbolic", "exact algebra (cancel/together/expand)")
    K = ctx.size if isinstance(ctx.size, int) else None
    ce = {"K": K, "indices": {}, "lhs": _exact_float(lhs, ctx), "rhs": _exact_float(rhs, ctx)}
    if residue.is_Rational:
        return Verdict("refuted", "symbolic", f"the sides differ by exactly {residue}",
                       {**ce, "difference": _exact_float(residue, ctx)})
    if not residue.free_symbols and not residue.has(sp.Indexed) and residue.is_zero is False:
        # a constant SymPy proves nonzero (sigma(2000) - 1 = -1/(1 + e^{2000})): however tiny,
        # a difference; its size comes from SymPy's adaptive evaluation, not our precision
        size = _exact_float(residue, ctx)
        return Verdict("refuted", "symbolic", f"the sides differ by {size}, a nonzero constant", {**ce, "difference": size})
    return None


def _reaches_sum(e, ctx: Context) -> bool:
    defs, seen, todo = ctx.defs(), set(), [e]
    while todo:
        x = todo.pop()
        if x.has(sp.Sum, sp.Product):
            return True
        for atom in x.atoms(sp.Symbol, sp.Indexed):
            name = str(atom.base.label) if isinstance(atom, sp.Indexed) else str(atom)
            if name in defs and name not in seen:
                seen.add(name)
                todo.append(defs[name].body)
    return False


def _exact_float(x, ctx: Context):
    """A number for the counterexample: a float, or its decimal string when a float would show
    0 (e^{-2000}) or overflow; None when x is not a closed number."""
    try:
        v = _expand_definitions(x, ctx)
        if v is None or v.free_symbols or v.has(sp.Indexed):
            return None
        v = v.replace(lambda t: isinstance(t, sigmoid), lambda t: 1 / (1 + sp.exp(-t.args[0])))
        for digits in (17, 300, 3000):  # SymPy's evaluation, at more digits until a tiny value shows
            n = sp.N(v, digits)
            if n != 0 or digits == 3000:
                break
        f = float(n)
        if (f == 0 and n != 0) or f in (float("inf"), float("-inf")):
            return str(sp.N(n, 3))
        return f
    except (TypeError, ValueError, OverflowError):
        return None


def _expand_definitions(e, ctx: Context, depth: int = 0):
    if depth > 8:
        return None
    defs = ctx.defs()
    e = e.doit(deep=True) if e.has(sp.Sum) else e

    def sub(x):
        if isinstance(x, sp.Indexed) and str(x.base.label) in defs:
            d = defs[str(x.base.label)]
            return d.body.xreplace(dict(zip(d.indices, x.indices)))
        if isinstance(x, sp.Symbol) and str(x) in defs and not defs[str(x)].indices:
            return defs[str(x)].body
        return None

    mapping = {}
    for x in sp.preorder_traversal(e):
        r = sub(x)
        if r is not None:
            mapping[x] = r
    if not mapping:
        return e
    return _expand_definitions(e.xreplace(mapping), ctx, depth + 1)


# -- numeric route ----------------------------------------------------------------------------
# The decision at one point compares the two sides at doubling precision. Rounding noise shrinks
# as the precision grows (a true identity's difference falls by many orders of magnitude from one
# level to the next); the difference of a false identity converges to a stable nonzero value (the
# same to STABLE_DIGITS significant digits at two levels). Neither happening up to the last level
# is "unconfirmed", never a guess. Numbers are never compared with an absolute tolerance.
LEVELS = (DPS, 2 * DPS, 4 * DPS, 8 * DPS)
STABLE_DIGITS = 10
SAME, DIFFER, UNSURE = "same", "differ", "unsure"


def _numeric(lhs, rhs, ctx: Context, only_sizes: tuple | None = None) -> Verdict:
    from .evaluate import Evaluator  # imported by the numeric test alone (a proof needs none)

    rng = random.Random(_claim_seed(ctx.seed, lhs, rhs))
    deadline = time.monotonic() + ctx.time_limit
    size_symbol = None if isinstance(ctx.size, int) else ctx.size
    # an index a definition leaves free (the true class c in L := -log a_c) varies like the claim's own
    params = set().union(*(_index_params(d) for d in ctx.definitions))
    free = sorted(_free_indices(lhs) | _free_indices(rhs) | params, key=str)
    if size_symbol is not None:
        free = [s for s in free if s != size_symbol]
    others = _other_sizes(ctx)   # D, N of matrices and batches: sizes with values, not indices
    free = [s for s in free if s not in others]
    leaves = _leaves([lhs, rhs], ctx, set(free) | ({size_symbol} if size_symbol else set()) | set(others))
    constants = _index_constants([lhs, rhs] + [d.body for d in ctx.definitions], set(free), size_symbol)
    # a general K is also tried at each index constant written (y_{17}: K = 17 and 18), so the
    # constant is inside the range at least once
    written = constants(0) | _written_integers([lhs, rhs] + [d.body for d in ctx.definitions])
    sizes = (ctx.size,) if isinstance(ctx.size, int) else \
        _general_sizes(rng, tuple(ctx.sizes) + tuple(c + d for c in written if 2 <= c <= MAX_CONSTANT_SIZE for d in (0, 1)))
    sizes = only_sizes or sizes
    checked = undefined = 0
    unsure: str | None = None
    digits = LEVELS[-1]
    sampled = False
    tried: set = set()
    for K in sizes:
        dims = {s: _other_value(K, n) for n, s in enumerate(others)}
        if others and not _mentions_size(lhs, rhs, ctx):  # K itself unused: only the other sizes vary
            if tuple(dims.values()) in tried:
                continue
            tried.add(tuple(dims.values()))
        tops = [_top(f, [lhs, rhs], ctx, K, dims) for f in free]
        combos, cut = _index_patterns(rng, free, K, constants(K), ctx.conditions, size_symbol, tops)
        sampled = sampled or cut
        # a general K is tried at many sizes: the larger ones, which have the most index
        # combinations, get one point fewer
        points = ctx.points if size_symbol is None or K <= 4 else max(1, ctx.points - 1)
        if _all_fixed(leaves, ctx):
            points = 1  # a claim at one fixed point: every sample would be the same
        elif K <= ONE_HOT_EVERY and any(dom == "one-hot" for _, dom in ctx.domains):
            # a one-hot vector is hot at each position in turn: a difference that shows only where
            # y_1 = 1 (a flipped -y_1) is never missed by a draw that happened to pick another class
            points = max(points, K)
        for point in range(points):
            values = _sample_leaves(rng, leaves, K, ctx, point, dims)
            evaluators: dict = {}

            for combo in combos:
                if time.monotonic() > deadline:
                    return Verdict("unconfirmed", None, f"time limit of {ctx.time_limit:g} s reached after {checked} numeric checks",
                                   reason=Reason.TIME)
                idx = dict(zip(free, combo))
                # a definition's free index is a value of the point: one evaluator (and memo) per value
                fixed = tuple(sorted(((p.name, ()), idx[p]) for p in params if p in idx))
                top_K = max([K, *dims.values()])   # the evaluator's bound on every index

                def at(dps, _values=values, _K=top_K, _evs=evaluators, _fixed=fixed):
                    if (dps, _fixed) not in _evs:
                        vals = {**_values, **{k: mpmath.mpf(v) for k, v in _fixed}}
                        _evs[(dps, _fixed)] = Evaluator(vals, _K, ctx.defs(), size_symbol, dps=dps)
                    return _evs[(dps, _fixed)]

                try:
                    probes = _probes(rng, lhs, rhs, at(LEVELS[0]), idx)
                    outcome, l, r, why = _decide(at, lhs, rhs, idx, probes)
                except EvalError as exc:
                    why = Reason.SHAPES if isinstance(exc, ShapeMismatch) else \
                        Reason.LOG_DOMAIN if isinstance(exc, LogDomain) else Reason.NO_VALUE
                    return Verdict("unconfirmed", None, f"no numeric value: {exc}", reason=why)
                if outcome is None:  # neither side has a value at this point
                    undefined += 1
                    continue
                checked += 1
                if outcome == DIFFER:
                    return Verdict("refuted", "numeric", why, _counterexample(K, idx, values, l, r, size_symbol))
                if outcome == UNSURE:
                    unsure = unsure or why
                else:
                    digits = min(digits, why)
    if unsure:
        return Verdict("unconfirmed", None, unsure, reason=Reason.UNSEPARATED)
    if checked == 0:
        why = "no index values satisfy the conditions" if not undefined else "neither side has a value at any point tried"
        return Verdict("unconfirmed", None, why, reason=Reason.NO_POINT)
    where = f"K = {sizes[0]}" if len(sizes) == 1 else "K = " + ", ".join(map(str, sizes))
    patterns = (", sampled index values" if sampled else ", all index patterns") if free else ""
    return Verdict("verified", "numeric",
                   f"checked at {checked} points, {where}{patterns}; the sides agree to {digits // 2}+ digits (precision doubled from {DPS})")


def _other_sizes(ctx: Context) -> list:
    """The sizes of matrices and batches besides K (D, N), as the shapes name them."""
    found = {n for _, shape in ctx.shapes for n in shape if isinstance(n, sp.Symbol) and n != ctx.size}
    return sorted(found, key=str)


def _mentions_size(lhs, rhs, ctx: Context) -> bool:
    if isinstance(ctx.size, int):
        return True
    exprs = [lhs, rhs] + [d.body for d in ctx.definitions] + [sp.Tuple(*shape) for _, shape in ctx.shapes]
    return any(ctx.size in basic(e).free_symbols for e in exprs if isinstance(e, sp.Basic))


def _other_value(K: int, n: int) -> int:
    """D, N at the K tried: small, and mostly different from K and from each other (a transposed
    index then reads outside its range or meets another value)."""
    return 2 + (K + 1 + n) % 4


def _top(f, exprs, ctx: Context, K: int, dims: dict) -> int:
    """The size a free index runs to: that of the position it indexes (W_{jd}: d up to D), else K."""
    shapes = dict(ctx.shapes)
    for e in exprs:
        for x in sp.preorder_traversal(e):
            if isinstance(x, sp.Indexed) and f in x.indices and len(shapes.get(str(x.base.label), ())) == len(x.indices):
                n = shapes[str(x.base.label)][list(x.indices).index(f)]
                return int(basic(n).xreplace({**dims, **({ctx.size: K} if not isinstance(ctx.size, int) else {})}))
    return K


def _all_fixed(leaves: dict, ctx: Context) -> bool:
    fixed = {n for n, _ in ctx.values} | {n for n, dom in ctx.domains if callable(dom)}
    return all(n in fixed for n in leaves)


def _general_sizes(rng, sizes) -> tuple:
    """The K tried for a general K: the requested ones (every constant written, and the one after it),
    the smallest (2..5), and one drawn from each of DRAWN_SIZES by a generator seeded by the claim, so
    that a claim cannot be written to hold at exactly the sizes tried."""
    drawn = {rng.randint(lo, hi) for lo, hi in DRAWN_SIZES}
    return tuple(sorted(set(sizes) | set(GENERAL_SIZES) | drawn))


def _claim_seed(seed: int, lhs, rhs) -> int:
    """A seed from the claim itself (stable across runs and processes, unlike hash())."""
    text = f"{seed}|{sp.srepr(lhs)}|{sp.srepr(rhs)}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def _written_integers(exprs) -> set:
    """Every whole number written in the expressions (the 16 of K - 16), as a size to try."""
    out = set()
    for root in exprs:
        if isinstance(root, sp.Basic):
            out |= {abs(int(n)) for n in root.atoms(sp.Integer)}
    return out


def _decide(at, lhs, rhs, idx, probes):
    """(outcome, lhs value, rhs value, detail) at one point, raising the precision until the sides
    are separated (DIFFER) or their difference shrinks like rounding noise (SAME). outcome None:
    neither side has a value here. For SAME the detail is the number of digits the sides agree to."""
    history = []
    for level, dps in enumerate(LEVELS):
        ev = at(dps)
        try:
            l = _side_value(ev, lhs, idx, probes)
        except Undefined as exc:
            l = exc
        try:
            r = _side_value(ev, rhs, idx, probes)
        except Undefined as exc:
            r = exc
        if isinstance(l, Undefined) and isinstance(r, Undefined):
            return None, None, None, ""
        if isinstance(l, Undefined) or isinstance(r, Undefined):
            side, other = ("left", "right") if isinstance(l, Undefined) else ("right", "left")
            return DIFFER, l if not isinstance(l, Undefined) else None, r if not isinstance(r, Undefined) else None, \
                f"the {side} side has no value here ({l if isinstance(l, Undefined) else r}) but the {other} side has"
        with mpmath.workdps(2 * dps):
            d = l - r
            scale = max(abs(l), abs(r))
        if ev.absorbed:  # a term vanished below this precision (1 + e^{-2000}): no "same" here
            history.append((dps, d, scale))
            if level and history[-2][1] != 0 and d != 0 and abs(d - history[-2][1]) <= mpmath.mpf(10) ** -STABLE_DIGITS * abs(d):
                return DIFFER, l, r, f"the two sides differ (by {mpmath.nstr(d, 3)}, the same at {history[-2][0]} and {dps} digits)"
            if level == len(LEVELS) - 1:
                return UNSURE, l, r, f"a term is below the precision even at {dps} digits: cannot separate the sides"
            continue
        history.append((dps, d, scale))
        if level == 0:
            continue
        (p0, d0, _), (p1, d1, s1) = history[-2], history[-1]
        with mpmath.workdps(2 * p1):
            if d1 != 0 and d0 != 0 and abs(d1 - d0) <= mpmath.mpf(10) ** -STABLE_DIGITS * abs(d1):
                return DIFFER, l, r, f"the two sides differ (by {mpmath.nstr(d1, 3)}, the same at {p0} and {p1} digits)"
            # a difference seen to shrink like rounding noise; an exact 0 proves nothing (a term
            # below the precision, as e^{-300} next to 1, is simply lost): go on to the next level
            if d0 != 0 and (d1 == 0 or abs(d1) <= mpmath.mpf(10) ** (-(p1 - p0) // 2) * abs(d0)):
                if abs(d1) <= mpmath.mpf(10) ** (-p1 // 2) * s1:
                    return SAME, l, r, p1 // 2
                if _shrinking(history[-3:]) and len(history) >= 3:
                    # the sides' true value is far below the size of their terms (an identity
                    # "X = 0" with cancellation): the difference fell like rounding noise twice
                    return SAME, l, r, p0 // 2
    p, d, s = history[-1]
    with mpmath.workdps(2 * p):
        if abs(d) <= mpmath.mpf(10) ** -(p - STABLE_DIGITS) * s:
            return SAME, l, r, p - STABLE_DIGITS   # equal to the last digits even at the top level
    return UNSURE, l, r, f"cannot separate the sides at {LEVELS[-1]} digits"


def _shrinking(history) -> bool:
    for (p0, d0, _), (p1, d1, _) in zip(history, history[1:]):
        if d0 == 0 or not (d1 == 0 or abs(d1) <= mpmath.mpf(10) ** (-(p1 - p0) // 2) * abs(d0)):
            return False
    return True


def _side_value(ev: Evaluator, side, idx, probes):
    """One side as a number: a scalar, or a matrix/vector through the random probes u^T M w."""
    if probes is None:
        return ev.scalar(side, idx)
    u, w = probes
    if not _is_matrix(side):  # a scalar against a 1 x 1 matrix: probed the same way
        with mpmath.workdps(ev.dps):
            return u[0] * w[0] * ev.scalar(side, idx)
    with mpmath.workdps(ev.dps):
        if len(w) == 1:
            return w[0] * ev.apply_t(side, u, idx)[0]
        return mpmath.fsum(a * b for a, b in zip(u, ev.apply(side, w, idx)))


def _probes(rng, lhs, rhs, ev: Evaluator, idx):
    """Random vectors u, w for comparing matrices as u^T M w (the same at every precision)."""
    if not (_is_matrix(lhs) or _is_matrix(rhs)):
        return None
    shape = ev.shape(lhs if _is_matrix(lhs) else rhs, idx)
    if _is_matrix(lhs) and _is_matrix(rhs) and ev.shape(rhs, idx) != shape:
        raise ShapeMismatch(f"the sides have different shapes {shape} and {ev.shape(rhs, idx)}")
    # Equal matrices give equal numbers; different ones almost never do. Vectors are probed from
    # the left (a gradient then costs one directional derivative), matrices from the right (a
    # Jacobian then costs one directional derivative).
    return [_rand(rng, -1, 1) for _ in range(shape[0])], [_rand(rng, -1, 1) for _ in range(shape[1])]


def _is_matrix(e) -> bool:
    return isinstance(e, (MatrixExpr, sp.MatrixBase))


def _conditions_hold(conditions, idx) -> bool:
    for c in conditions:
        a, b = (x.xreplace(idx) for x in c.args)
        if isinstance(c, sp.Eq) and a != b or isinstance(c, sp.Ne) and a == b:
            return False
    return True


MAX_PATTERNS = 2000
MAX_CONSTANT_SIZE = 64   # an index constant up to this is also tried as K (beyond it: too costly)


def _index_patterns(rng, free, K: int, constants: set, conditions, size_symbol=None, tops=None) -> tuple[list, bool]:
    """Every distinct index pattern at size K: each free index equal to 1, to K, to a constant of
    the expression, to an earlier free index, or to a value distinct from all of those; for a
    small K every combination. (combos, cut): cut when there were too many and some were left out."""
    if not free:
        return [()], False
    tops = tops or [K] * len(free)   # each index's own size (W_{jd}: j up to K, d up to D)
    if any(t != K for t in tops):
        combos = set(itertools.product(*[range(1, t + 1) for t in tops]))
        if len(combos) > MAX_PATTERNS:
            return rng.sample(sorted(combos), MAX_PATTERNS), True
        return sorted(combos), False
    if K ** len(free) <= 64:
        combos = set(itertools.product(range(1, K + 1), repeat=len(free)))
    else:
        special = sorted({1, K} | {c for c in constants if 1 <= c <= K})
        combos = set()

        def extend(prefix):
            if len(combos) > MAX_PATTERNS:
                return
            if len(prefix) == len(free):
                combos.add(tuple(prefix))
                return
            used = set(prefix) | set(special)
            fresh = [v for v in range(2, K) if v not in used]
            options = set(special) | set(prefix)
            if fresh:  # a generic value, away from the ends and the constants
                options.add(fresh[rng.randrange(len(fresh))])
            for v in sorted(options):
                extend(prefix + [v])

        extend([])
    # a condition may name the size (j != K): it is read at this K too
    at_K = {size_symbol: sp.Integer(K)} if size_symbol is not None else {}
    ok = sorted(c for c in combos if _conditions_hold(conditions, {**dict(zip(free, c)), **at_K}))
    if len(ok) > MAX_PATTERNS:
        return rng.sample(ok, MAX_PATTERNS), True
    return ok, False


def _index_constants(exprs, free: set, size_symbol):
    """A function K -> the index values written in the expressions (17 in y_{17}, K - 1 in
    delta_{i,K-1}), so that every pattern also tries a free index equal to each of them."""
    found = set()
    for root in exprs:
        if not isinstance(root, sp.Basic):
            continue
        for x in sp.preorder_traversal(root):
            if isinstance(x, sp.Indexed):
                found.update(x.indices)
            elif isinstance(x, sp.KroneckerDelta):
                found.update(x.args)
    exprs = []
    for t in found:
        t = basic(t)
        if t.free_symbols <= ({size_symbol} if size_symbol is not None else set()):
            exprs.append(t)

    def at(K: int) -> set:
        out = set()
        for t in exprs:
            v = t.xreplace({size_symbol: sp.Integer(K)}) if size_symbol is not None else t
            if v.is_Integer:
                out.add(int(v))
        return out
    return at


def _free_indices(e) -> set:
    """Index symbols used without being bound by a Sum or an Entrywise matrix."""
    if isinstance(e, (sp.Sum, sp.Product)):
        inner = _free_indices(e.function)
        bound = {lim[0] for lim in e.limits}
        bounds = set().union(*(_free_indices(x) | _syms(x) for lim in e.limits for x in lim[1:]))
        return (inner - bound) | (bounds - bound)
    if isinstance(e, Entrywise):
        return _free_indices(e.args[0]) - {e.args[1], e.args[2]} | _syms(e.args[3]) | _syms(e.args[4])
    if isinstance(e, sp.Indexed):
        return set().union(*(_syms(t) for t in e.indices))
    if isinstance(e, sp.KroneckerDelta):
        return _syms(e.args[0]) | _syms(e.args[1])
    if isinstance(e, MatrixSymbol):
        return _syms(e.shape[0]) | _syms(e.shape[1])
    if not isinstance(e, sp.Basic):
        return set()
    return set().union(set(), *(_free_indices(a) for a in e.args))


def _index_params(d: Definition) -> set:
    """Index letters a definition's body uses but neither sums over nor takes as its own (L := -log a_c)."""
    used, bound = set(), set(d.indices)
    for x in sp.preorder_traversal(d.body):
        if isinstance(x, (sp.Sum, sp.Product)):
            bound |= {lim[0] for lim in x.limits}
        elif isinstance(x, (sp.Indexed, sp.KroneckerDelta)):
            used |= {t for t in (x.indices if isinstance(x, sp.Indexed) else x.args) if isinstance(t, sp.Symbol)}
    return used - bound


def _syms(x) -> set:
    return {s for s in basic(x).free_symbols if isinstance(s, sp.Symbol)} if isinstance(x, (sp.Basic, int)) else set()


def _leaves(exprs, ctx: Context, indices: set) -> dict:
    """name -> arity (0 scalar, 1 vector, 2 matrix) for every undefined name the sides reach."""
    defs, seen = ctx.defs(), set()
    out: dict[str, int] = {}
    todo = list(exprs)
    while todo:
        e = todo.pop()
        if not isinstance(e, sp.Basic) or e in seen:
            continue
        seen.add(e)
        name: str | None = None
        arity = 0
        if isinstance(e, sp.Indexed):
            name, arity = str(e.base.label), len(e.indices)
        elif isinstance(e, MatrixSymbol):
            name, arity = e.name, 1
        elif isinstance(e, sp.Symbol) and e not in indices:
            name, arity = str(e), 0
        if name is not None:
            if name in defs:
                todo.append(defs[name].body)
            else:
                out.setdefault(name, arity)
        if not isinstance(e, sp.Symbol):
            todo.extend(e.args)
    bound = _bound_symbols(list(exprs) + [d.body for d in ctx.definitions])
    bound |= {t for d in ctx.definitions for t in d.indices}  # the i of a_i := ... is an index
    return {n: a for n, a in out.items() if not (a == 0 and sp.Symbol(n) in {sp.Symbol(str(b)) for b in bound})}


def _bound_symbols(exprs) -> set:
    out = set()
    for root in exprs:
        for x in sp.preorder_traversal(root):
            if isinstance(x, (sp.Sum, sp.Product)):
                out |= {lim[0] for lim in x.limits}
            elif isinstance(x, Entrywise):
                out |= {x.args[1], x.args[2]}
    return out


def _rand(rng, lo, hi):
    # 40 random digits, so the point is generic at the working precision
    return mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * mpmath.mpf(rng.getrandbits(133)) / 2 ** 133


def _sample_leaves(rng, leaves: dict, K: int, ctx: Context, point: int = 0, dims=None) -> dict:
    domains = dict(ctx.domains)
    fixed: dict[str, Any] = dict(ctx.values)
    out: dict = {(str(s), ()): mpmath.mpf(v) for s, v in (dims or {}).items()}
    at = {**(dims or {}), **({ctx.size: K} if not isinstance(ctx.size, int) else {})}
    shapes = {n: [int(basic(x).xreplace(at)) for x in shape] for n, shape in ctx.shapes}
    classes = {n: int(basic(x).xreplace(at)) for n, x in ctx.classes}
    with mpmath.workdps(DPS):
        for name, arity in leaves.items():
            if name in fixed:
                vals = fixed[name]
                if arity == 0:
                    out[(name, ())] = mpmath.mpf(vals)
                else:
                    out.update({(name, (r + 1,)): mpmath.mpf(v) for r, v in enumerate(vals)})
                continue
            dom = domains.get(name, "real")
            shape = shapes.get(name)
            if shape is not None and not callable(dom) and name not in fixed:  # a matrix or a batch: its own sizes
                out.update(_shaped_sample(rng, name, dom, shape, point, classes.get(name, K)))
                continue
            if callable(dom):  # a fixed point, the same at every sample
                vals = dom(K)
                out.update({(name, (r + 1,)): mpmath.mpf(x) for r, x in enumerate(vals)} if arity == 1
                           else {(name, ()): mpmath.mpf(vals)})
                continue
            if arity == 0:
                out[(name, ())] = _scalar_sample(rng, dom, point + len(out))
            elif arity == 1:
                out.update({(name, (r + 1,)): v for r, v in enumerate(_vector_sample(rng, dom, K, point))})
            else:
                for r in range(1, K + 1):
                    row = _vector_sample(rng, dom, K, point)
                    out.update({(name, (r,) + (c + 1,)): v for c, v in enumerate(row)})
    return out


def _shaped_sample(rng, name: str, dom, shape, point: int, top: int) -> dict:
    """A vector or matrix leaf of the given shape; each row of a matrix a sample of its domain."""
    if dom == "class":   # class indices, one per row (c_n in 1..K)
        return {(name, (r + 1,)): mpmath.mpf(rng.randrange(1, top + 1)) for r in range(shape[0])}
    if len(shape) == 1:
        return {(name, (r + 1,)): v for r, v in enumerate(_vector_sample(rng, dom, shape[0], point))}
    out = {}
    for r in range(shape[0]):
        out.update({(name, (r + 1, c + 1)): v for c, v in enumerate(_vector_sample(rng, dom, shape[1], point))})
    return out


# A real variable is sampled over the reals: its sign alternates from one point to the next (so two
# points give a negative and a positive value), its magnitude moves between moderate, large and
# near zero. Positive values only where the domain says so.
_MAGNITUDES = ((0.05, 2), (0.05, 2), (2, 30), (1e-4, 0.05))


def _scalar_sample(rng, dom, n: int = 0):
    if dom in ("positive", "nonnegative"):
        return _rand(rng, 0.2, 2)
    if dom == "unit":
        return _rand(rng, 0.05, 0.95)
    lo, hi = _MAGNITUDES[n % len(_MAGNITUDES)]
    return (-1 if n % 2 == 0 else 1) * _rand(rng, lo, hi)


def _vector_sample(rng, dom, K, point: int = 0):
    if dom == "one-hot":
        c = point % K if point < K else rng.randrange(K)
        return [mpmath.mpf(int(r == c)) for r in range(K)]
    if dom in ("simplex", "sum-one"):
        # the sum is exactly 1 (the last entry is 1 minus the others, computed without rounding),
        # so a claim that uses the constraint holds at every precision
        if dom == "sum-one":
            raw = [_rand(rng, -1, 1) for _ in range(K - 1)]
        else:
            raw = [_rand(rng, 0.05, 1) for _ in range(K)]
            total = mpmath.fsum(raw)
            raw = [x / total for x in raw[:-1]]
        with mpmath.workprec(4096):
            return raw + [1 - mpmath.fsum(raw)]
    if dom in ("positive", "nonnegative", "unit"):
        return [_scalar_sample(rng, dom) for _ in range(K)]
    spread = 2 if point % 2 == 0 else 8  # the second point spreads the entries wider
    return [_rand(rng, -spread, spread) for _ in range(K)]


def _float(x):
    return None if x is None else float(mpmath.nstr(x, 17))


def _counterexample(K, idx, values, l, r, size_symbol) -> dict:
    vectors: dict[str, list] = {}
    scalars: dict[str, float] = {}
    for (name, ints), v in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if ints:
            vectors.setdefault(name, []).append(float(mpmath.nstr(v, 17)))
        else:
            scalars[name] = float(mpmath.nstr(v, 17))
    out = {"K": K, "indices": {str(k): v for k, v in idx.items()}, **vectors, **scalars, "lhs": _float(l), "rhs": _float(r)}
    if l is not None and r is not None:
        with mpmath.workdps(2 * DPS):
            out["difference"] = _float(l - r)   # 1 against 1 + 10^-31 shows as 1 vs 1 otherwise
    return out
