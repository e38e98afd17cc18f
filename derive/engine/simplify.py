"""Simplification by named rules: delta contraction, linearity, constants, facts, definitions back."""
from __future__ import annotations

import sympy as sp
from sympy import KroneckerDelta

from ..calculus import indexed
from ..steps import Rule
from .differentiate import Env, Softmax, evaluated
from .strategy import Move, do_one


normal = evaluated   # the index calculus builds display-ordered nodes; the rules work on evaluated ones


def _everywhere(rule: Rule, fn, uses=(), variant: str = "engine"):
    """A move applying fn (node -> node | None) wherever it matches, innermost first."""
    def apply(e):
        # innermost first, a node only changes if one below it does: no node matching, no move (and
        # no rebuilding of the whole tree, which is most of the engine's time)
        if not any(fn(x) is not None for x in sp.preorder_traversal(e) if isinstance(x, sp.Basic)):
            return None
        new = normal(indexed.rewrite(e, fn))
        return Move(rule, new, (("variant", variant),), uses) if new != e else None
    return apply


def _has_delta_of(e, k) -> bool:
    return any(isinstance(x, KroneckerDelta) and k in x.free_symbols for x in sp.preorder_traversal(e))


def _distribute(e, k):
    """Multiply out only the sums that hold a delta of k (the rest of the formula keeps its shape)."""
    if isinstance(e, sp.Add):
        return sp.Add(*[_distribute(t, k) for t in e.args])
    if isinstance(e, sp.Mul):
        for n, f in enumerate(e.args):
            if isinstance(f, sp.Add) and _has_delta_of(f, k):
                rest = e.args[:n] + e.args[n + 1:]
                return sp.Add(*[_distribute(sp.Mul(*rest, t), k) for t in f.args])
            if isinstance(f, sp.Mul):
                inner = _distribute(f, k)
                if inner != f:
                    return _distribute(sp.Mul(*e.args[:n], inner, *e.args[n + 1:]), k)
    return e


def expand_delta(e):
    """sum_k (f + delta_kj g) h -> sum_k (f h + delta_kj g h): ready for linearity and contraction."""
    if not (isinstance(e, sp.Sum) and len(e.limits) == 1):
        return None
    k = e.limits[0][0]
    body = e.function
    if not _has_delta_of(body, k):
        return None
    if all(any(isinstance(f, KroneckerDelta) and k in f.args for f in sp.Mul.make_args(t))
           for t in sp.Add.make_args(body)):
        return None  # already a sum of delta terms
    new = _distribute(body, k)
    return sp.Sum(new, *e.limits) if new != body else None


def distribute(e):
    """Multiply out products of sums (not inside powers, logarithms, exponentials or sums)."""
    if isinstance(e, sp.Add):
        return sp.Add(*[distribute(t) for t in e.args])
    if isinstance(e, sp.Mul):
        args = [distribute(a) for a in e.args]
        for n, f in enumerate(args):
            if isinstance(f, sp.Add):
                rest = args[:n] + args[n + 1:]
                return sp.Add(*[distribute(sp.Mul(*rest, t)) for t in f.args])
        return sp.Mul(*args)
    return e


def expand_body(e):
    """sum_k (f_k + g_k) h_k -> sum_k (f_k h_k + g_k h_k), so that linearity can split it."""
    if isinstance(e, sp.Sum) and isinstance(e.function, sp.Mul) and any(isinstance(f, sp.Add) for f in e.function.args):
        new = distribute(e.function)
        return sp.Sum(new, *e.limits) if new != e.function else None
    return None


def linearity(e):
    if isinstance(e, sp.Sum) and isinstance(e.function, sp.Add):
        return indexed.linearity(e)
    return None


def sum_constant(e):
    """sum_{k=lo}^{hi} c = (hi - lo + 1) c for c free of k."""
    if isinstance(e, sp.Sum) and len(e.limits) == 1:
        k, lo, hi = e.limits[0]
        if k not in e.function.free_symbols:
            return (hi - lo + 1) * e.function
    return None


def sums_to_one(softmaxes: dict[str, Softmax]):
    def apply(e):
        if isinstance(e, sp.Sum) and len(e.limits) == 1 and isinstance(e.function, sp.Indexed):
            k, lo, hi = e.limits[0]
            sm = softmaxes.get(str(e.function.base.label))
            if sm is not None and tuple(e.function.indices) == (k,) and lo == 1 and hi == sm.limits[2]:
                return sp.Integer(1)
        return None
    return apply


def sum_of_definition(defs: dict, softmaxes: dict):
    """sum_k q_k -> sum_k (body of q)_k for a defined vector q (not a softmax): its sum may be known."""
    def apply(e):
        if isinstance(e, sp.Sum) and len(e.limits) == 1 and isinstance(e.function, sp.Indexed):
            name = str(e.function.base.label)
            d = defs.get(name)
            if d is not None and name not in softmaxes and len(d.indices) == 1:
                return sp.Sum(d.body.xreplace({d.indices[0]: e.function.indices[0]}), *e.limits)
        return None
    return apply


def use_fact(c):
    def apply(e):
        return c.value if c.matches(e) else None
    return apply


def substitute_back(softmaxes: dict[str, Softmax]):
    """e^{u_i} e^{u_j} / (sum_k e^{u_k})^2 -> a_i a_j: the result in terms of the defined probabilities."""
    def apply(e):
        if not isinstance(e, sp.Mul):
            return None
        args = list(e.args)
        for sm in softmaxes.values():
            for n, f in enumerate(args):
                power = _denominator_power(sm, f)
                if not power:
                    continue
                exps = [m for m, g in enumerate(args) if isinstance(g, sp.exp)]
                for m in exps:  # one exponential holding all the exponents (SymPy may join them)
                    at = _indices_of(sm, args[m].args[0], power)
                    if at is not None:
                        rest = [x for q, x in enumerate(args) if q not in (n, m)]
                        return sp.Mul(*rest, *[sp.IndexedBase(sm.name)[t] for t in at])
                single = [(m, _indices_of(sm, args[m].args[0], 1)) for m in exps]
                single = [(m, at[0]) for m, at in single if at is not None]
                if len(single) >= power:  # or one exponential per power of the denominator
                    used = {m for m, _ in single[:power]}
                    rest = [x for q, x in enumerate(args) if q != n and q not in used]
                    return sp.Mul(*rest, *[sp.IndexedBase(sm.name)[t] for _, t in single[:power]])
        return None
    return apply


def _denominator_power(sm: Softmax, f) -> int:
    """n when f = (sum_k e^{u_k})^{-n} (n = 1, 2), whatever the sum's letter; else 0."""
    base, n = (f.base, -f.exp) if isinstance(f, sp.Pow) else (f, 0)
    if n not in (1, 2) or not (isinstance(base, sp.Sum) and len(base.limits) == 1):
        return 0
    k, lo, hi = base.limits[0]
    return int(n) if lo == 1 and hi == sm.limits[2] and base.function == sp.exp(sm.u(k)) else 0


def _indices_of(sm: Softmax, arg, n: int):
    """Index values t_1..t_n with u_{t_1} + ... + u_{t_n} = arg (SymPy joins e^x e^y into e^{x+y})."""
    letters = list(dict.fromkeys(x.indices[0] for x in sp.preorder_traversal(arg) if isinstance(x, sp.Indexed)))
    if n == 1:
        return next(([t] for t in letters if sm.u(t) == arg), None)
    pairs = [(s, t) for s in letters for t in letters]
    return next((list(p) for p in pairs if sp.expand(sm.u(p[0]) + sm.u(p[1]) - arg) == 0), None)


def combine_powers(e):
    """u^{q-1} u -> u^{q}: factors of one base multiplied (SymPy joins u^2 u but not u^{q-1} u)."""
    if not isinstance(e, sp.Mul):
        return None
    exps: dict = {}
    for f in e.args:
        base, x = (f.base, f.exp) if isinstance(f, sp.Pow) else (f, sp.Integer(1))
        if not f.is_Number and not isinstance(base, sp.exp):
            exps.setdefault(base, []).append(x)
    joined = {b: xs for b, xs in exps.items() if len(xs) > 1 and any(x.free_symbols for x in xs)}
    if not joined:
        return None
    rest = [f for f in e.args if (f.base if isinstance(f, sp.Pow) else f) not in joined or f.is_Number]
    return sp.Mul(*rest, *[b ** sp.Add(*xs) for b, xs in joined.items()])


def split_quotient(softmaxes: dict[str, Softmax]):
    """(f + g) / S^n -> f / S^n + g / S^n for a softmax denominator S, so each term can be named."""
    def apply(e):
        if isinstance(e, sp.Mul) and any(_denominator_power(sm, f) for sm in softmaxes.values() for f in e.args) \
                and any(isinstance(f, sp.Add) for f in e.args):
            return distribute(e)
        return None
    return apply


def simplifier(env: Env, constraints=()):
    """One simplification move: the first named rule that changes the expression."""
    facts = [_everywhere(Rule.USE_CONSTRAINT, use_fact(c), ("sum-one",)) for c in constraints]
    return do_one(
        _everywhere(Rule.DELTA_CONTRACTION, indexed.delta_contraction),
        _everywhere(Rule.SUBSTITUTE, substitute_back(env.softmaxes)),
        _everywhere(Rule.ALGEBRA, combine_powers),
        _everywhere(Rule.ALGEBRA, split_quotient(env.softmaxes)),
        _everywhere(Rule.ALGEBRA, expand_delta),
        _everywhere(Rule.LINEARITY, linearity),
        _everywhere(Rule.FACTOR_CONSTANT, indexed.factor_constant),
        _everywhere(Rule.SUM_CONSTANT, sum_constant),
        _everywhere(Rule.SOFTMAX_SUMS_TO_ONE, sums_to_one(env.softmaxes)),
        *facts,
        _everywhere(Rule.ALGEBRA, expand_body),
        _everywhere(Rule.SUBSTITUTE, sum_of_definition(env.defs, env.softmaxes), variant="expand"),
    )


def tidy(e):
    """A last algebra line: terms collected and common factors pulled out, if that is shorter."""
    flat = distribute(e)
    best = min((flat, sp.factor_terms(flat), sp.factor_terms(e)), key=sp.count_ops)
    if best != e and sp.count_ops(best) < sp.count_ops(e):
        return Move(Rule.ALGEBRA, best, (("variant", "engine"),))
    return None
