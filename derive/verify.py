"""The verifier: is lhs = rhs? Cheap exact algebra first, else a numeric identity test (mpmath)."""
from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from sympy.matrices.expressions import MatrixExpr, MatrixSymbol

from .calculus.evaluate import Definition, EvalError, Evaluator
from .calculus.objects import Entrywise
from .calculus.symbols import basic

DPS = 60                 # working precision of the numeric test (digits)
TOLERANCE = mpmath.mpf(10) ** -30
GENERAL_SIZES = tuple(range(2, 9))
MAX_COMBOS = 400         # free-index combinations checked per size before sampling them
MAX_COMBOS_LARGE = 24    # the same for K > 8 (each check costs O(K)): boundary values + random ones
MAX_COMBOS_HUGE = 8      # and for K > 64
DOMAINS = ("real", "positive", "unit", "simplex", "one-hot", "nonnegative", "sum-one")


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

    def __post_init__(self):
        # a domain is a name, or a function K -> values: a fixed point (a claim at one input)
        unknown = [dom for _, dom in self.domains if not callable(dom) and dom not in DOMAINS]
        if unknown:  # a typo here would silently sample the wrong values
            raise ValueError(f"unknown domain {unknown[0]!r} (use one of {', '.join(DOMAINS)})")

    def with_conditions(self, *conds) -> "Context":
        return Context(**{**self.__dict__, "conditions": self.conditions + tuple(conds)})

    def defs(self) -> dict:
        return {d.name: d for d in self.definitions}


@dataclass(frozen=True)
class Verdict:
    status: str                       # "verified" | "refuted" | "unconfirmed"
    method: str | None = None         # "symbolic" | "numeric"
    detail: str = ""
    counterexample: dict | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "verified"


def verify(lhs, rhs, ctx: Context) -> Verdict:
    """Decide lhs = rhs under ctx. Never says "verified" without a passed test."""
    lhs, rhs = _basic(lhs), _basic(rhs)
    try:
        if _symbolic_equal(lhs, rhs, ctx):
            return Verdict("verified", "symbolic", "exact algebra (cancel/together/expand)")
    except (EvalError, TypeError, ValueError, RecursionError, sp.PolynomialError):
        pass  # the cheap route is optional; the numeric test decides
    return _numeric(lhs, rhs, ctx)


def _basic(x):
    return basic(x)


# -- exact route ------------------------------------------------------------------------------
_SYMBOLIC_MAX_OPS = 400


def _symbolic_equal(lhs, rhs, ctx: Context) -> bool:
    """Exact check for closed expressions (concrete K, no free indices, no derivatives)."""
    if not isinstance(ctx.size, int) or _is_matrix(lhs) or _is_matrix(rhs):
        return False
    if any(side.has(sp.Derivative) for side in (lhs, rhs)):
        return False  # derivatives are the numeric test's job (doit would misread held variables)
    if any(dom not in ("real", "positive", "sum-one", "simplex") for _, dom in ctx.domains):
        return False
    diff = _expand_definitions(lhs - rhs, ctx)
    if diff is None or _free_indices(diff) or diff.has(sp.Derivative):
        return False
    for name, dom in ctx.domains:  # a sum-one constraint: eliminate the last component
        if dom in ("sum-one", "simplex"):
            base = sp.IndexedBase(name)
            last = base[ctx.size]
            diff = diff.xreplace({last: 1 - sum(base[k] for k in range(1, ctx.size))})
    if sp.count_ops(diff) > _SYMBOLIC_MAX_OPS:
        return False
    return sp.cancel(sp.together(sp.expand(diff))) == 0


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
def _numeric(lhs, rhs, ctx: Context) -> Verdict:
    rng = random.Random(ctx.seed)
    deadline = time.monotonic() + ctx.time_limit
    sizes = (ctx.size,) if isinstance(ctx.size, int) else ctx.sizes
    size_symbol = None if isinstance(ctx.size, int) else ctx.size
    free = sorted(_free_indices(lhs) | _free_indices(rhs), key=str)
    if size_symbol is not None:
        free = [s for s in free if s != size_symbol]
    leaves = _leaves([lhs, rhs], ctx, set(free) | ({size_symbol} if size_symbol else set()))
    checked = 0
    sampled = False
    for K in sizes:
        combos = [c for c in itertools.product(range(1, K + 1), repeat=len(free))
                  if _conditions_hold(ctx.conditions, dict(zip(free, c)))] if K ** len(free) <= 10 * MAX_COMBOS \
            else _sample_combos(rng, K, free, ctx.conditions)
        cap = MAX_COMBOS if K <= 8 else MAX_COMBOS_LARGE if K <= 64 else MAX_COMBOS_HUGE
        if len(combos) > cap:
            # the corners (indices 1 and K, equal and unequal) always, then random values
            corners = [c for c in combos if set(c) <= {1, K}]
            rest = [c for c in combos if c not in set(corners)]
            combos, sampled = corners + rng.sample(rest, max(0, cap - len(corners))), True
        # a general K is tried at seven sizes: the larger ones, which have the most index
        # combinations, get one point fewer
        points = ctx.points if size_symbol is None or K <= 4 else max(1, ctx.points - 1)
        for _ in range(points):
            values = _sample_leaves(rng, leaves, K, ctx)
            ev = Evaluator(values, K, ctx.defs(), size_symbol, dps=DPS)
            for combo in combos:
                if time.monotonic() > deadline:
                    return Verdict("unconfirmed", None, f"time limit of {ctx.time_limit:g} s reached after {checked} numeric checks")
                idx = dict(zip(free, combo))
                try:
                    l, r = _compare_values(ev, lhs, rhs, idx, rng)
                except EvalError as exc:
                    return Verdict("unconfirmed", None, f"no numeric value: {exc}")
                checked += 1
                if not _close(l, r):
                    return Verdict("refuted", "numeric", "the two sides differ",
                                   _counterexample(K, idx, values, l, r, size_symbol))
    if checked == 0:
        return Verdict("unconfirmed", None, "no index values satisfy the conditions")
    where = f"K={sizes[0]}" if len(sizes) == 1 else f"K={sizes[0]}..{sizes[-1]}"
    combos = (", sampled index values" if sampled else ", all index values") if free else ""
    return Verdict("verified", "numeric", f"{checked} checks at random points, {where}{combos}, {DPS} digits")


def _compare_values(ev: Evaluator, lhs, rhs, idx, rng):
    if not (_is_matrix(lhs) or _is_matrix(rhs)):
        return ev.scalar(lhs, idx), ev.scalar(rhs, idx)
    shape = ev.shape(lhs if _is_matrix(lhs) else rhs, idx)
    if _is_matrix(lhs) and _is_matrix(rhs) and ev.shape(rhs, idx) != shape:
        raise EvalError(f"the sides have different shapes {shape} and {ev.shape(rhs, idx)}")
    # A random probe u^T M w: equal matrices give equal numbers; different ones almost never do.
    # Vectors are probed from the left (a gradient then costs one directional derivative),
    # matrices from the right (a Jacobian then costs one directional derivative).
    u = [_rand(rng, -1, 1) for _ in range(shape[0])]
    w = [_rand(rng, -1, 1) for _ in range(shape[1])]
    with mpmath.workdps(DPS):
        if shape[1] == 1:
            return tuple(w[0] * ev.apply_t(side, u, idx)[0] for side in (lhs, rhs))
        return tuple(mpmath.fsum(a * b for a, b in zip(u, ev.apply(side, w, idx))) for side in (lhs, rhs))


def _close(l, r) -> bool:
    with mpmath.workdps(DPS):
        return abs(l - r) <= TOLERANCE * max(1, abs(l), abs(r))


def _is_matrix(e) -> bool:
    return isinstance(e, (MatrixExpr, sp.MatrixBase))


def _conditions_hold(conditions, idx) -> bool:
    for c in conditions:
        a, b = (x.xreplace(idx) for x in c.args)
        if isinstance(c, sp.Eq) and a != b or isinstance(c, sp.Ne) and a == b:
            return False
    return True


def _sample_combos(rng, K, free, conditions):
    out = set()
    for _ in range(50 * MAX_COMBOS):
        c = tuple(rng.randint(1, K) for _ in free)
        if _conditions_hold(conditions, dict(zip(free, c))):
            out.add(c)
        if len(out) >= MAX_COMBOS:
            break
    return sorted(out)


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


def _syms(x) -> set:
    return {s for s in basic(x).free_symbols if isinstance(s, sp.Symbol)} if isinstance(x, (sp.Basic, int)) else set()


def _leaves(exprs, ctx: Context, indices: set) -> dict:
    """name -> arity (0 scalar, 1 vector, 2 matrix) for every undefined name the sides reach."""
    defs, out, seen = ctx.defs(), {}, set()
    todo = list(exprs)
    while todo:
        e = todo.pop()
        if not isinstance(e, sp.Basic) or e in seen:
            continue
        seen.add(e)
        name = arity = None
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


def _sample_leaves(rng, leaves: dict, K: int, ctx: Context) -> dict:
    domains = dict(ctx.domains)
    fixed = dict(ctx.values)
    out = {}
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
            if callable(dom):  # a fixed point, the same at every sample
                vals = dom(K)
                out.update({(name, (r + 1,)): mpmath.mpf(x) for r, x in enumerate(vals)} if arity == 1
                           else {(name, ()): mpmath.mpf(vals)})
                continue
            if arity == 0:
                out[(name, ())] = _scalar_sample(rng, dom)
            elif arity == 1:
                out.update({(name, (r + 1,)): v for r, v in enumerate(_vector_sample(rng, dom, K))})
            else:
                for r in range(1, K + 1):
                    row = _vector_sample(rng, dom, K)
                    out.update({(name, (r,) + (c + 1,)): v for c, v in enumerate(row)})
    return out


def _scalar_sample(rng, dom):
    if dom in ("positive", "nonnegative"):
        return _rand(rng, 0.2, 2)
    if dom == "unit":
        return _rand(rng, 0.05, 0.95)
    return _rand(rng, -2, 2)


def _vector_sample(rng, dom, K):
    if dom == "one-hot":
        c = rng.randrange(K)
        return [mpmath.mpf(int(r == c)) for r in range(K)]
    if dom in ("simplex", "sum-one"):
        raw = [_rand(rng, 0.05, 1) for _ in range(K)]
        if dom == "sum-one":
            raw = [_rand(rng, -1, 1) for _ in range(K - 1)]
            return raw + [1 - mpmath.fsum(raw)]
        s = mpmath.fsum(raw)
        return [x / s for x in raw]
    return [_scalar_sample(rng, dom) for _ in range(K)]


def _counterexample(K, idx, values, l, r, size_symbol) -> dict:
    vectors: dict[str, list] = {}
    scalars: dict[str, float] = {}
    for (name, ints), v in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if ints:
            vectors.setdefault(name, []).append(float(mpmath.nstr(v, 17)))
        else:
            scalars[name] = float(mpmath.nstr(v, 17))
    return {"K": K, "indices": {str(k): v for k, v in idx.items()}, **vectors, **scalars,
            "lhs": float(mpmath.nstr(l, 17)), "rhs": float(mpmath.nstr(r, 17))}
