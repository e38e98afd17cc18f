"""Display order for engine formulas: positive terms first, numbers then factors then sums (print only)."""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions import HadamardProduct, MatAdd, MatMul, MatrixSymbol


def _factor_rank(f) -> int:
    if f.is_Number:
        return 0
    if isinstance(f, sp.Derivative):  # after the factors it multiplies: e^{u} (d/dz)(sum ...), y_i d(log a_i)/dz
        return 2
    if isinstance(f, sp.Add):  # before a sum: c (u + v) sum_i ..., never sum_i ... (u + v)
        return 3
    if isinstance(f, sp.Sum):
        return 4
    return 1


def _negative_matrix(t) -> bool:
    first = t.args[0] if isinstance(t, MatMul) and t.args else None
    return bool(first is not None and first.is_Number and first.is_negative)


def display(e):
    """The same formula, rebuilt unevaluated in the order a paper writes it (a_j - y_j, not -y_j + a_j)."""
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, (sp.Indexed, sp.Symbol, sp.IndexedBase)):
        return e
    if isinstance(e, MatAdd):  # before Add: a MatAdd is an Add
        return MatAdd(*sorted((display(a) for a in e.args), key=_negative_matrix), evaluate=False)
    if isinstance(e, MatMul):
        return MatMul(*[display(a) for a in e.args], evaluate=False)
    if isinstance(e, HadamardProduct):  # the named matrix first: P . (G - ...)
        return HadamardProduct(*sorted((display(a) for a in e.args), key=lambda a: not isinstance(a, MatrixSymbol)),
                               evaluate=False)
    if isinstance(e, sp.MatrixExpr):
        return e
    if isinstance(e, sp.Add):
        args = sorted((display(a) for a in e.args), key=lambda t: t.could_extract_minus_sign())
        return sp.Add(*args, evaluate=False)
    if isinstance(e, sp.Mul):
        args = [display(a) for a in e.args]
        if len(args) == 2 and args[0] == -1:
            return sp.Mul(*args, evaluate=False)
        args = sorted(args, key=_factor_rank)
        return sp.Mul(*args, evaluate=False)
    if isinstance(e, sp.Sum):
        return sp.Sum(display(e.function), *e.limits)
    if isinstance(e, sp.Derivative):
        return sp.Derivative(display(e.expr), *e.variables)
    if isinstance(e, sp.Pow):
        return sp.Pow(display(e.base), display(e.exp), evaluate=False)
    if isinstance(e, (sp.exp, sp.log)):
        return e.func(display(e.args[0]), evaluate=False)
    return e
