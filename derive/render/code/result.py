"""Which verified step the code implements: the loss's definition and its gradient, entry by entry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions import MatAdd, MatMul, MatrixExpr, MatrixSymbol

from ...calculus.objects import Entrywise, Grad
from ...errors import UnsupportedError
from ...steps import Derivation, Step


@dataclass(frozen=True)
class Target:
    """The loss L := body, the variable, and dL/d(variable) as one entry with its free indices."""

    loss: Any             # the loss's Definition
    wrt: str
    step: Step            # the verified step whose right side the gradient is
    entry: Any            # the entry of the gradient (SymPy, in index notation)
    free: tuple           # its free indices, one per axis of the variable (none for a scalar)


def target(d: Derivation) -> Target:
    """The loss's gradient the derivation proves: the result the derivation names, if a step states
    it as dL/dx; else the last step stating dL/dx (or its entries)."""
    loss = next((df for df in d.context.definitions if isinstance(df.head, sp.Symbol)
                 and str(df.head) == d.notation.loss), None)
    if loss is None:
        raise UnsupportedError(f"{d.recipe} has no loss {d.notation.loss} to write code for "
                               "(code is generated for the gradient of a loss)")
    wrt = d.notation.logits
    candidates = [s for s in d.claims if _is_gradient(s.lhs, loss.head, wrt)]
    if not candidates:
        raise UnsupportedError(f"{d.recipe}: no step states the gradient d{loss.head}/d{wrt}")
    named = [s for s in candidates if d.result is not None and s.rhs == d.result]
    step = named[-1] if named else candidates[-1]
    used = _used_letters(step.rhs) | _used_letters(loss.body)
    free = _fresh(used, _arity(step.lhs, wrt))
    x = step.lhs.variables[0] if isinstance(step.lhs, sp.Derivative) else None
    if isinstance(x, sp.Indexed):  # dL/dz_j = (an entry): its own index renamed
        entry = step.rhs.xreplace(dict(zip(x.indices, free)))
    else:
        entry = _entry(step.rhs, free)
    return Target(loss, wrt, step, entry, free)


def _is_gradient(lhs, L, wrt: str) -> bool:
    if isinstance(lhs, Grad):
        return lhs.args[0] == L and isinstance(lhs.args[1], MatrixSymbol) and lhs.args[1].name == wrt
    if isinstance(lhs, Entrywise):
        return _is_gradient(lhs.args[0], L, wrt)
    if isinstance(lhs, sp.Derivative) and lhs.expr == L and len(lhs.variable_count) == 1 \
            and lhs.variable_count[0][1] == 1:
        x = lhs.variables[0]
        return (isinstance(x, sp.Indexed) and str(x.base.label) == wrt and all(t.is_Symbol for t in x.indices)) \
            or (isinstance(x, sp.Symbol) and str(x) == wrt)
    return False


def _arity(lhs, wrt: str) -> int:
    if isinstance(lhs, Grad):
        return 1
    if isinstance(lhs, Entrywise):
        return len(lhs.args[0].variables[0].indices)
    x = lhs.variables[0]
    return len(x.indices) if isinstance(x, sp.Indexed) else 0


def _used_letters(e) -> set[str]:
    return {str(s) for s in e.free_symbols} | {str(lim[0]) for x in sp.preorder_traversal(e)
                                               if isinstance(x, sp.Sum) for lim in x.limits} \
        | {str(t) for x in sp.preorder_traversal(e) if isinstance(x, Entrywise) for t in x.args[1:3]}


def _fresh(used: set[str], n: int) -> tuple:
    from ...calculus import symbols as sym

    letters = [c for c in ("j", "m", "p", "r", "s", "t", "u", "w") if c not in used]
    return tuple(sym.index(c) for c in letters[:n])


def _entry(e, free: tuple):
    """The entry at `free` of a vector (or matrix) expression; a scalar expression as it is."""
    if not isinstance(e, MatrixExpr) and not free:  # a scalar variable: dL/dx itself
        return e
    if isinstance(e, Entrywise):
        body, i, j, _rows, cols = e.args
        if cols == 1 and len(free) == 1:
            return body.xreplace({i: free[0]})
        if len(free) == 2:
            return body.xreplace({i: free[0], j: free[1]})
    elif isinstance(e, MatrixSymbol) and e.shape[1] == 1 and len(free) == 1:
        return sp.IndexedBase(e.name)[free[0]]
    elif isinstance(e, MatAdd):
        return sp.Add(*[_entry(t, free) for t in e.args])
    elif isinstance(e, MatMul):
        mats = [f for f in e.args if isinstance(f, MatrixExpr)]
        if len(mats) == 1:
            return sp.Mul(*[f for f in e.args if not isinstance(f, MatrixExpr)]) * _entry(mats[0], free)
    raise UnsupportedError(f"no code for the matrix expression {type(e).__name__} ({e})")
