"""The engine's own index calculus: rewriting rules on sums, Kronecker deltas and derivatives.

Each rule is a function node -> node | None (None: the rule does not apply here). `rewrite`
applies one rule wherever it matches, bottom-up, keeping the written order of sums and products.
SymPy's simplify is never used: it hangs or crashes on Sum + KroneckerDelta.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import KroneckerDelta

from ..steps import Rule

RULES: dict[Rule, Callable] = {}


def rule(r: Rule):
    def register(fn):
        RULES[r] = fn
        return fn
    return register


def _add(*terms):
    kept = [t for t in terms if t != 0]
    return sp.Integer(0) if not kept else kept[0] if len(kept) == 1 else sp.Add(*kept, evaluate=False)


def _mul(*factors):
    if any(f == 0 for f in factors):
        return sp.Integer(0)
    kept = [f for f in factors if f != 1]
    return sp.Integer(1) if not kept else kept[0] if len(kept) == 1 else sp.Mul(*kept, evaluate=False)


@rule(Rule.DERIVATIVE_INDEXED)
def derivative_indexed(e):
    """d z_k / d z_j = delta_kj (same base); 0 for another base."""
    if isinstance(e, sp.Derivative) and len(e.variables) == 1 and isinstance(e.expr, sp.Indexed):
        v = e.variables[0]
        if isinstance(v, sp.Indexed) and len(v.indices) == len(e.expr.indices) == 1:
            if v.base != e.expr.base:
                return sp.Integer(0)
            return KroneckerDelta(e.expr.indices[0], v.indices[0])
    return None


@rule(Rule.DERIVATIVE_EXP)
def derivative_exp(e):
    """d e^{u} / d v = e^{u} du/dv, with du/dv by derivative-indexed when u is an entry."""
    if isinstance(e, sp.Derivative) and len(e.variables) == 1 and isinstance(e.expr, sp.exp):
        inner = sp.Derivative(e.expr.args[0], e.variables[0])
        d = derivative_indexed(inner)
        if d is None:
            return _mul(inner, e.expr)
        return _mul(d, e.expr)
    return None


@rule(Rule.DERIVATIVE_SUM)
def derivative_sum(e):
    """d/dv sum_k f_k = sum_k d f_k / dv"""
    if isinstance(e, sp.Derivative) and len(e.variables) == 1 and isinstance(e.expr, sp.Sum):
        s = e.expr
        if any(lim[0] in e.variables[0].free_symbols for lim in s.limits):
            return None  # the variable's index is the sum's own letter: rename first
        return sp.Sum(sp.Derivative(s.function, e.variables[0]), *s.limits)
    return None


@rule(Rule.QUOTIENT_RULE)
def quotient_rule(e):
    """d(u/v)/dx = (du/dx v - u dv/dx) / v^2"""
    if not (isinstance(e, sp.Derivative) and len(e.variables) == 1):
        return None
    num, den = sp.fraction(e.expr)
    if den == 1:
        return None
    x = e.variables[0]
    return sp.Mul(_add(_mul(sp.Derivative(num, x), den), sp.Mul(-1, _mul(num, sp.Derivative(den, x)), evaluate=False)),
                  sp.Pow(sp.Pow(den, 2, evaluate=False), -1, evaluate=False), evaluate=False)


def _in_range(j, lo, hi):
    """True, False, or None (unknown) for lo <= j <= hi."""
    if j.is_Integer and lo.is_Integer and hi.is_Integer:
        return bool(lo <= j <= hi)
    if isinstance(j, sp.Symbol) and lo == 1:
        return True  # a free index letter ranges over 1..K by convention
    if j.is_Integer and lo == 1 and isinstance(hi, sp.Symbol):
        return True if 1 <= j <= 2 else None  # K >= 2 always; larger constants are unknown
    return None


@rule(Rule.DELTA_CONTRACTION)
def delta_contraction(e):
    """sum_k delta_kj f(k) = f(j) when 1 <= j <= K; 0 when j is outside the range. In a sum over
    several letters (SymPy joins sum_k sum_m into one node) any letter may be contracted, the
    others kept: with bounds free of the letters the sums commute."""
    if not isinstance(e, sp.Sum) or not _commuting(e):
        return None
    letters = {lim[0]: lim for lim in e.limits}
    factors = list(sp.Mul.make_args(e.function))
    for k, lo, hi in e.limits:
        for n, f in enumerate(factors):
            if not (isinstance(f, KroneckerDelta) and k in f.args):
                continue
            j = f.args[1] if f.args[0] == k else f.args[0]
            if k in j.free_symbols:
                continue
            # another letter of the same sum lies in the range when its own range is the same
            where = (True if tuple(letters[j][1:]) == (lo, hi) else None) if j in letters else _in_range(j, lo, hi)
            if where is None:
                continue
            if not where:
                return sp.Integer(0)
            rest = factors[:n] + factors[n + 1:]
            body = _mul(*[_subs(x, {k: j}) for x in rest])
            others = [lim for lim in e.limits if lim[0] != k]
            return sp.Sum(body, *others) if others else body
    return None


def _commuting(e: sp.Sum) -> bool:
    """One letter, or several whose bounds mention none of the letters (finite sums then commute)."""
    letters = {lim[0] for lim in e.limits}
    return len(e.limits) == 1 or not any(getattr(b, "free_symbols", set()) & letters for lim in e.limits for b in lim[1:])


@rule(Rule.FACTOR_CONSTANT)
def factor_constant(e):
    """sum_k c f_k = c sum_k f_k   (c free of k)"""
    if not isinstance(e, sp.Sum) or not _commuting(e):
        return None
    letters = {lim[0] for lim in e.limits}
    inside: list = []
    outside: list = []
    for f in sp.Mul.make_args(e.function):
        (inside if letters & f.free_symbols else outside).append(f)
    if not outside or not inside:
        return None
    return _mul(*outside, sp.Sum(_mul(*inside), *e.limits))


@rule(Rule.LINEARITY)
def linearity(e):
    """sum_k (f_k + g_k) = sum_k f_k + sum_k g_k, each term's constant factors pulled out."""
    if not (isinstance(e, sp.Sum) and isinstance(e.function, sp.Add)):
        return None
    parts = []
    for t in e.function.args:
        s = sp.Sum(t, *e.limits)
        parts.append(factor_constant(s) or s)
    return _add(*parts)


@rule(Rule.SPLIT_SUM)
def split_sum(e, at=None):
    """sum_k f_k = f_j + sum_{k != j} f_k   (written with the term k = j taken out)"""
    if not (isinstance(e, sp.Sum) and len(e.limits) == 1) or at is None:
        return None
    k, lo, hi = e.limits[0]
    rest = sp.Sum(_mul(e.function, _add(1, sp.Mul(-1, KroneckerDelta(k, at), evaluate=False))), (k, lo, hi))
    return _add(_subs(e.function, {k: at}), rest)


def use_constraint(total, value=sp.S.One):
    """sum_i y_i = 1: replace the declared sum by its value."""
    def apply(e):
        return value if e == total else None
    return apply


def rewrite(e, fn, **kw):
    """Apply fn wherever it matches, innermost first; the written order is kept."""
    if not isinstance(e, sp.Basic) or not e.args:
        out = fn(e, **kw) if isinstance(e, sp.Basic) else None
        return e if out is None else out
    if isinstance(e, (sp.Sum, sp.Derivative)):
        inner = e.func(rewrite(e.args[0], fn, **kw), *e.args[1:])
    else:
        args = [rewrite(a, fn, **kw) for a in e.args]
        inner = _rebuild(e, args)
    out = fn(inner, **kw)
    return inner if out is None else out


def apply_rule(r: Rule, e, **kw):
    """Rewrite e with the registered rule r (raises KeyError for a rule with no rewriter)."""
    return rewrite(e, RULES[r], **kw)


def _rebuild(e, args):
    if isinstance(e, sp.Add):
        return _add(*args)
    if isinstance(e, sp.Mul):
        return _mul(*args)
    if isinstance(e, sp.Pow):
        return sp.Pow(*args, evaluate=False)
    return e.func(*args)


def _subs(e, mapping):
    """Substitute index values, keeping the written order."""
    if e in mapping:
        return mapping[e]
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    if isinstance(e, sp.Sum) and any(lim[0] in mapping for lim in e.limits):
        return e
    return _rebuild(e, [_subs(a, mapping) for a in e.args])
