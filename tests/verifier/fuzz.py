"""A soundness fuzzer for the verifier: random index-calculus identities and their mutations, judged by brute force.

The truth of a case comes from this module alone: both sides evaluated exactly (fractions) at every K from 2 to
12, at two random integer points, for every value of the free indices (at K > 6: every pair among 1, 2, 3,
K/2, K/2 + 1, K - 2, K - 1, K, which meets every pattern of equalities and +-1 offsets between the free
indices, the written limits and the ends of the range). A polynomial identity that fails somewhere fails at a
random point with probability 1 - 10^-6 per point.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy import KroneckerDelta as delta

K = sp.Symbol("K", integer=True, positive=True)
I, J = (sp.Symbol(n, integer=True, positive=True) for n in "ij")
BOUND = tuple(sp.Symbol(n, integer=True, positive=True) for n in "klm")
X, Y, A = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("A")
SIZES = tuple(range(2, 13))
MUTATIONS = ("limit", "swap-index", "drop-delta", "off-by-one", "sign")


@dataclass(frozen=True)
class Case:
    kind: str            # the identity's template
    mutation: str        # "" or one of MUTATIONS
    lhs: sp.Basic
    rhs: sp.Basic
    conditions: tuple = ()


# -- generation ---------------------------------------------------------------------------------
def _atom(rng, scope):
    s, t = rng.choice(scope), rng.choice(scope)
    return rng.choice([X[s], Y[s], A[s, t], A[t, s], delta(s, t), s, sp.Integer(2), X[s] * Y[t]])


def _summand(rng, must, scope):
    """A product of one or two atoms that names every symbol of `must`."""
    f = sp.Integer(rng.choice([1, 1, -1, 2, 3]))
    for s in must:
        f *= rng.choice([X[s], Y[s], A[s, rng.choice(scope)], s * X[s], delta(s, rng.choice(scope)) * X[s]])
    if rng.random() < 0.4:
        f *= _atom(rng, scope)
    return f


def _free(rng):
    return [I, J][: rng.choice([0, 1, 1, 2])]


def _swap(rng):
    a, b = BOUND[:2]
    free = _free(rng)
    f = _summand(rng, [a, b], [a, b] + free)
    lhs_in, rhs_in = rng.choice([((b, 1, a), (a, b, K)), ((b, 1, a - 1), (a, b + 1, K)), ((b, a, K), (a, 1, b)),
                                 ((b, a + 1, K), (a, 1, b - 1)), ((b, 1, K), (a, 1, K))])
    return sp.Sum(sp.Sum(f, lhs_in), (a, 1, K)), sp.Sum(sp.Sum(f, rhs_in), (b, 1, K))


def _split(rng):
    k = BOUND[0]
    free = _free(rng) or [I]
    i = free[0]
    f = _summand(rng, [k], [k] + free)
    return rng.choice([
        (sp.Sum(f, (k, 1, K)), sp.Sum(f, (k, 1, i)) + sp.Sum(f, (k, i + 1, K))),
        (sp.Sum(f, (k, 1, K)), sp.Sum(f, (k, 1, i - 1)) + sp.Sum(f, (k, i, K))),
        (sp.Sum(f * (1 - delta(k, i)), (k, 1, K)), sp.Sum(f, (k, 1, K)) - f.xreplace({k: i})),
        (sp.Sum(f, (k, i, K)), sp.Sum(f, (k, i + 1, K)) + f.xreplace({k: i})),
    ])


def _contract(rng):
    k, l = BOUND[:2]
    i, j = I, J
    g = _summand(rng, [k], [k, i])
    return rng.choice([
        (sp.Sum(delta(k, j) * g, (k, 1, K)), g.xreplace({k: j})),
        (sp.Sum(delta(k, j) * g, (k, 1, i)), sp.Sum(delta(k, j), (k, 1, i)) * g.xreplace({k: j})),
        (sp.Sum(sp.Sum(delta(k, l) * delta(l, j) * X[k], (l, 1, K)), (k, 1, K)), X[j]),
        (sp.Sum(sp.Sum(delta(k, l) * X[l], (l, 1, k)), (k, 1, K)), sp.Sum(X[k], (k, 1, K))),
        (sp.Sum(sp.Sum(delta(l, j) * X[l], (l, 1, k)), (k, 1, K)), (K - j + 1) * X[j]),
        (sp.Sum(sp.Sum(delta(l, j), (l, k, K)), (k, 1, K)), j),
    ])


def _closed(rng):
    k, l = BOUND[:2]
    i = I
    return rng.choice([
        (sp.Sum(1, (k, 1, i)), i), (sp.Sum(1, (k, i, K)), K - i + 1), (sp.Sum(1, (k, i + 1, K)), K - i),
        (sp.Sum(k, (k, 1, i)), i * (i + 1) / 2), (sp.Sum(k, (k, 1, K)), K * (K + 1) / 2),
        (sp.Sum(k ** 2, (k, 1, K)), K * (K + 1) * (2 * K + 1) / 6),
        (sp.Sum(sp.Sum(1, (l, 1, k)), (k, 1, K)), K * (K + 1) / 2),
        (sp.Sum(sp.Sum(1, (l, k, K)), (k, 1, i)), i * K - i * (i - 1) / 2),
        (sp.Sum(sp.Sum(1, (l, 1, k - 1)), (k, 1, K)), K * (K - 1) / 2),
        (sp.Sum(2 ** k, (k, 1, K)), 2 ** (K + 1) - 2), (sp.Sum(3 ** k, (k, 0, i)), (3 ** (i + 1) - 1) / 2),
        (sp.Sum(sp.Sum(k * l, (l, 1, K)), (k, 1, K)), (K * (K + 1) / 2) ** 2),
    ])


def _linear(rng):
    k = BOUND[0]
    free = _free(rng)
    f, g = _summand(rng, [k], [k] + free), _summand(rng, [k], [k] + free)
    c = rng.choice([2, 3, -1])
    hi = rng.choice([K, free[0]]) if free else K
    return sp.Sum(c * f + g, (k, 1, hi)), c * sp.Sum(f, (k, 1, hi)) + sp.Sum(g, (k, 1, hi))


TEMPLATES = {"swap": _swap, "split": _split, "contract": _contract, "closed": _closed, "linear": _linear}


def _mutate(rng, e, how):
    """One mutation of e, or None when it has no place for this one."""
    if how == "sign":
        terms = sp.Add.make_args(e)
        n = rng.randrange(len(terms))
        return sp.Add(*[-t if m == n else t for m, t in enumerate(terms)])
    if how == "off-by-one":
        return e + rng.choice([1, -1]) * (rng.choice([1, X[I], K]) if e.has(I) else rng.choice([1, K]))
    nodes = list(sp.preorder_traversal(e))
    if how == "limit":
        sums = [x for x in nodes if isinstance(x, sp.Sum)]
        if not sums:
            return None
        s = rng.choice(sums)
        k, lo, hi = s.limits[-1]
        lo2, hi2 = rng.choice([(lo + 1, hi), (lo, hi - 1), (lo, K), (1, hi), (lo, I), (I, hi), (lo, hi - 2)])
        if (lo2, hi2) == (lo, hi):
            return None
        return e.xreplace({s: sp.Sum(s.function, *s.limits[:-1], (k, lo2, hi2))})
    if how == "swap-index":
        syms = sorted({x for x in nodes if x in (I, J) + BOUND}, key=str)
        if len(syms) < 2:
            return None
        a, b = rng.sample(syms, 2)
        leaves = [x for x in nodes if isinstance(x, (sp.Indexed, sp.KroneckerDelta)) and (x.has(a) or x.has(b))]
        if not leaves:
            return None
        x = rng.choice(leaves)
        return e.xreplace({x: x.xreplace({a: b, b: a})})
    if how == "drop-delta":
        deltas = [x for x in nodes if isinstance(x, sp.KroneckerDelta)]
        if not deltas:
            return None
        return e.xreplace({rng.choice(deltas): sp.Integer(1)})
    raise ValueError(how)


def cases(seed: int, n: int):
    """n cases from one seed: about a third identities as generated, the rest one mutation of a side."""
    rng = random.Random(seed)
    made = 0
    while made < n:
        kind = rng.choice(sorted(TEMPLATES))
        lhs, rhs = TEMPLATES[kind](rng)
        mutation = "" if rng.random() < 0.35 else rng.choice(MUTATIONS)
        if mutation:
            side = rng.randrange(2)
            new = _mutate(rng, (lhs, rhs)[side], mutation)
            if new is None:
                continue
            lhs, rhs = (new, rhs) if side == 0 else (lhs, new)
        if not {s for s in lhs.free_symbols | rhs.free_symbols if isinstance(s, sp.Symbol) and s.is_integer} <= {I, J, K}:
            continue   # a swapped letter left a summation index outside its sum
        conditions = ()
        free = (lhs - rhs).free_symbols & {I, J}
        if free == {I, J} and rng.random() < 0.3:
            conditions = (rng.choice([sp.Ne(I, J), sp.Eq(I, J)]),)
        made += 1
        yield Case(kind, mutation, lhs, rhs, conditions)


# -- the truth ----------------------------------------------------------------------------------
class OutOfRange(Exception):
    """A leaf read outside 1..K: the claim speaks of entries that do not exist."""


def value(e, env: dict, leaves: dict, size: int):
    """e exactly, with the index letters in env and the leaves' entries; empty sums are 0."""
    if e.is_Integer:
        return int(e)
    if e.is_Rational:
        return Fraction(int(e.p), int(e.q))
    if isinstance(e, sp.Symbol):
        return size if e == K else env[e]
    if isinstance(e, sp.Add):
        return sum(value(a, env, leaves, size) for a in e.args)
    if isinstance(e, sp.Mul):
        out = 1
        for a in e.args:
            out *= value(a, env, leaves, size)
            if out == 0:
                return 0
        return out
    if isinstance(e, sp.Pow):
        b, x = value(e.base, env, leaves, size), value(e.exp, env, leaves, size)
        return Fraction(b) ** x
    if isinstance(e, sp.KroneckerDelta):
        return int(value(e.args[0], env, leaves, size) == value(e.args[1], env, leaves, size))
    if isinstance(e, sp.Indexed):
        at = tuple(value(t, env, leaves, size) for t in e.indices)
        if not all(1 <= v <= size for v in at):
            raise OutOfRange(str(e))
        return leaves[str(e.base.label)][at]
    if isinstance(e, sp.Sum):
        (k, lo, hi), rest = e.limits[-1], e.limits[:-1]
        body = sp.Sum(e.function, *rest) if rest else e.function
        lo, hi = value(lo, env, leaves, size), value(hi, env, leaves, size)
        return sum(value(body, {**env, k: v}, leaves, size) for v in range(lo, hi + 1))
    raise TypeError(type(e).__name__)


def compiled(e):
    """e as a Python function of (env, leaves, size): the same arithmetic as value(), without walking SymPy's
    tree at every point (the brute force evaluates each side thousands of times)."""
    if e.is_Integer:
        n = int(e)
        return lambda env, leaves, size: n
    if e.is_Rational:
        q = Fraction(int(e.p), int(e.q))
        return lambda env, leaves, size: q
    if isinstance(e, sp.Symbol):
        if e == K:
            return lambda env, leaves, size: size
        return lambda env, leaves, size: env[e]
    if isinstance(e, sp.Add):
        parts = [compiled(a) for a in e.args]
        return lambda env, leaves, size: sum(f(env, leaves, size) for f in parts)
    if isinstance(e, sp.Mul):
        parts = [compiled(a) for a in e.args]

        def mul(env, leaves, size):
            out = 1
            for f in parts:
                out *= f(env, leaves, size)
                if out == 0:
                    return 0
            return out
        return mul
    if isinstance(e, sp.Pow):
        b, x = compiled(e.base), compiled(e.exp)
        return lambda env, leaves, size: Fraction(b(env, leaves, size)) ** x(env, leaves, size)
    if isinstance(e, sp.KroneckerDelta):
        a, b = compiled(e.args[0]), compiled(e.args[1])
        return lambda env, leaves, size: int(a(env, leaves, size) == b(env, leaves, size))
    if isinstance(e, sp.Indexed):
        name, at = str(e.base.label), [compiled(t) for t in e.indices]

        def leaf(env, leaves, size):
            where = tuple(f(env, leaves, size) for f in at)
            if not all(1 <= v <= size for v in where):
                raise OutOfRange(name)
            return leaves[name][where]
        return leaf
    if isinstance(e, sp.Sum):
        (k, lo, hi), rest = e.limits[-1], e.limits[:-1]
        body = compiled(sp.Sum(e.function, *rest) if rest else e.function)
        flo, fhi = compiled(lo), compiled(hi)

        def total(env, leaves, size):
            out, inner = 0, dict(env)
            for v in range(flo(env, leaves, size), fhi(env, leaves, size) + 1):
                inner[k] = v
                out += body(inner, leaves, size)
            return out
        return total
    raise TypeError(type(e).__name__)


def _index_values(size: int) -> list[int]:
    if size <= 6:
        return list(range(1, size + 1))
    return sorted({1, 2, 3, size // 2, size // 2 + 1, size - 2, size - 1, size})


def truth(case: Case, seed: int = 0):
    """True, False (with the K and index values where the sides differ), or None (an entry outside 1..K)."""
    rng = random.Random(seed)
    free = sorted((case.lhs.free_symbols | case.rhs.free_symbols) & {I, J}, key=str)
    diff = compiled(case.lhs - case.rhs)
    for size in SIZES:
        for _ in range(2):
            leaves = _Leaves(rng)
            values = _index_values(size) if len(free) > 1 else range(1, size + 1)
            for combo in itertools.product(values, repeat=len(free)):
                env = dict(zip(free, combo))
                if not all(_holds(c, env) for c in case.conditions):
                    continue
                try:
                    if diff(env, leaves, size) != 0:
                        return False, {"K": size, **{str(s): v for s, v in env.items()}}
                except OutOfRange:
                    return None, {}
    return True, {}


class _Leaves(dict):
    """The leaves' entries at one point: a random integer for each (name, indices) the first time it is read."""

    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def __missing__(self, name):
        entries = self[name] = _Entries(self.rng)
        return entries


class _Entries(dict):
    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def __missing__(self, at):
        value = self[at] = self.rng.randint(1, 10**6)
        return value


def _holds(c, env) -> bool:
    a, b = (env.get(x, x) for x in c.args)
    return (a == b) if isinstance(c, sp.Eq) else (a != b)


# -- judging ----------------------------------------------------------------------------------
OUTCOMES = ("proved", "checked", "wrong", "not proved")


def outcome(verdict) -> str:
    if verdict.status == "verified":
        return "proved" if verdict.method == "symbolic" else "checked"
    return "wrong" if verdict.status == "refuted" else "not proved"


def judge(case: Case, time_limit: float = 10.0):
    """(the verifier's outcome, the truth): never 'proved'/'checked' when false, never 'wrong' when true."""
    from derive.verifier.verify import Context, verify

    ctx = Context(size=K, conditions=case.conditions, time_limit=time_limit)
    return outcome(verify(case.lhs, case.rhs, ctx)), truth(case)[0]
