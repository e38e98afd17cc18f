"""Sums whose limits name other indices: indicators [x >= 0], interval bounds, exact closed forms."""
from __future__ import annotations

import itertools

import sympy as sp

MAX_MERGED = 4   # sums of one range merged into one block (their order is then canonical): 4! orders


class Ind(sp.Function):
    """[x >= 0] for an integer x. A dependent range lo <= k <= hi inside 1..K becomes the full range
    with the factor [k - lo >= 0][hi - k >= 0]: equal to the written sum for every value of the indices
    (an empty range included), so nested sums can change order (Fubini over 1..K x 1..K)."""

    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, x):
        if x.is_Integer:
            return sp.Integer(1 if x >= 0 else 0)
        expanded = sp.expand(x)
        if expanded != x:
            return cls(expanded)
        # one of [x >= 0] and [-x - 1 >= 0] = 1 - [x >= 0] is canonical (so sum_{k<=i} f + sum_{k>i} f
        # is seen to be sum_k f): the one whose constant part is >= 0 ([k >= i], not [i - k - 1 >= 0]),
        # which renaming the indices does not change; else the one whose first letter counts positively
        letters = [s for s in x.free_symbols if not str(s)[:1].isupper()]
        const = x.xreplace({s: 0 for s in letters})
        if const.is_Integer:
            return 1 - cls(-x - 1) if const < 0 else None
        syms = sorted(x.free_symbols, key=str)
        if syms and x.coeff(syms[0]).is_Number and x.coeff(syms[0]) < 0:
            return 1 - cls(-x - 1)
        return None


def linear_bounds(x, rng):
    """(min, max) of x over the ranges rng(symbol) -> (lo, hi) of its symbols; None when x is not
    linear in them or a symbol has no known range."""
    x = sp.expand(x)
    syms = sorted(x.free_symbols, key=str)
    lo = hi = x.subs({s: 0 for s in syms}) if syms else x
    if not lo.is_Integer:
        return None
    for s in syms:
        c = x.coeff(s)
        if not c.is_Integer or (x - c * s).has(s):
            return None
        r = rng(s)
        if r is None:
            return None
        a, b = r
        if c > 0:
            lo, hi = lo + c * a, hi + c * b
        else:
            lo, hi = lo + c * b, hi + c * a
    return sp.expand(lo), sp.expand(hi)


def nonnegative(x, K, sizes) -> bool:
    """x >= 0 for every size: K >= 2 (the smallest number of classes) and every other size >= 1.
    Proved by writing K = 2 + t, N = 1 + u and asking every coefficient to be >= 0."""
    x = sp.expand(x)
    if x.is_Integer:
        return bool(x >= 0)
    shift = {}
    if isinstance(K, sp.Symbol):
        shift[K] = K + 2
    for s in sizes:
        shift[s] = s + 1
    if not x.free_symbols <= set(shift):
        return False
    poly = sp.Poly(sp.expand(x.xreplace(shift)), *sorted(shift, key=str))
    return all(c >= 0 for c in poly.coeffs())


def provably_ge(a, b, rng, K, sizes) -> bool:
    """a >= b for every value of the indices (each in its range) and every size."""
    bounds = linear_bounds(a - b, rng)
    return bounds is not None and nonnegative(bounds[0], K, sizes)


class Power(sp.Function):
    """b^c held as one atom in the normal form (see normal._Prover._power)."""


_LEAF_FREE = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Number)


def closed_form(inside, k, lo, hi, rng, K, sizes):
    """sum_{k=lo}^{hi} of the factors `inside` in closed form, or None. Only when every factor is an
    indicator [+-k + r >= 0] or free of leaves (a polynomial in k, or c^k), the effective range
    (the largest lower bound, the smallest upper one) is known, and it is never shorter than empty
    (hi' >= lo' - 1: there SymPy's antidifference F(hi') - F(lo' - 1) is the sum)."""
    lowers, uppers, rest = [lo], [hi], []
    for f in inside:
        if isinstance(f, Ind):
            a = f.args[0]
            c = a.coeff(k)
            r = sp.expand(a - c * k)
            if r.has(k) or c not in (1, -1):
                return None
            (lowers if c == 1 else uppers).append(-r if c == 1 else r)
        else:
            rest.append(f)
    body = sp.Mul(*rest).replace(lambda x: isinstance(x, Power) and x.args[0].is_Number,
                                 lambda x: x.args[0] ** x.args[1])
    for x in sp.preorder_traversal(body):
        if not isinstance(x, _LEAF_FREE):
            return None
        if isinstance(x, sp.Symbol) and not getattr(x, "is_integer", False):
            return None   # a real variable: x^k has no closed form without cases
    low = _extreme(lowers, rng, K, sizes, largest=True)
    high = _extreme(uppers, rng, K, sizes, largest=False)
    if low is None or high is None or not provably_ge(high + 1, low, rng, K, sizes):
        return None
    out = sp.summation(body, (k, low, high))
    if out.has(sp.Sum, sp.Piecewise):
        return None
    return out


def _extreme(values, rng, K, sizes, largest: bool):
    for v in values:
        if all(provably_ge(v, w, rng, K, sizes) if largest else provably_ge(w, v, rng, K, sizes) for w in values):
            return v
    return None


def merged(body, d, lo, hi, height: int, subs, named_dummy):
    """sum_d F(d) sum_e g(d, e) over one range (lo, hi): one block sum_{d, e} F g whose dummies are
    named in the order that makes the body smallest, so a swap of summation order gives the same
    object. None when the body holds no single such inner sum."""
    factors = sp.Mul.make_args(body)
    inner = [f for f in factors if isinstance(f, sp.Sum) and d in f.function.free_symbols
             and all(tuple(lim[1:]) == (lo, hi) for lim in f.limits)]
    if len(inner) != 1 or len(inner[0].limits) + 1 > MAX_MERGED:
        return None
    s = inner[0]
    block = sp.Mul(*[f for f in factors if f is not s]) * s.function
    dummies = [d] + [lim[0] for lim in s.limits]
    names = [named_dummy("_p", height * MAX_MERGED + n, lo, hi) for n in range(len(dummies))]
    best = None
    for perm in itertools.permutations(range(len(dummies))):
        candidate = subs(block, {dummies[m]: names[perm[m]] for m in range(len(dummies))})
        key = sp.default_sort_key(candidate)
        if best is None or key < best[0]:
            best = (key, candidate)
    if best is None:  # no dummies to order (never: d is one): nothing to merge
        return None
    return sp.Sum(best[1], *[(n, lo, hi) for n in names])
