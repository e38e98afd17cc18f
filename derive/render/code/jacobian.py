"""A derivation whose result is the Jacobian of a softmax (softmax-jacobian): code for the softmax
itself, with the backward J^T g written from the verified matrix form (no loss: value() and vjp())."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import (
    MatAdd,
    MatMul,
    MatrixExpr,
    MatrixSymbol,
    Transpose,
)

from ...calculus import symbols as sym
from ...calculus.objects import Diag, Entrywise, Jac
from ...errors import UnsupportedError
from ...steps import Derivation, Step
from .labels import label_of, labels
from .lower import Leaf, Line, Lowering
from .softmax import softmaxes


@dataclass(frozen=True)
class FunctionProgram:
    """a = f(wrt) and (J^T g)_j, the backward of a from the Jacobian's matrix form."""

    recipe: str
    wrt: str
    name: str                      # the function's value (the softmax a)
    cotangent: str                 # the name of the incoming gradient g
    leaves: tuple[Leaf, ...]
    sizes: tuple
    shared: tuple[Line, ...]
    vjp: tuple[Line, ...]
    value_label: str
    vjp_label: str
    axes: int = 1


def jacobian_step(d: Derivation) -> Step | None:
    """The last verified step stating the Jacobian d a / d wrt of a softmax, or None."""
    sms = softmaxes(d.context.definitions)
    steps = [s for s in d.claims if isinstance(s.lhs, Jac) and isinstance(s.lhs.args[0], MatrixSymbol)
             and s.lhs.args[0].name in sms and s.lhs.args[1].name == d.notation.logits
             and not s.rhs.has(Entrywise)]
    named = [s for s in steps if s.rhs == d.result]
    found = named or steps
    return found[-1] if found else None


def function_program(d: Derivation, step) -> FunctionProgram:
    sms = softmaxes(d.context.definitions)
    name, wrt = step.lhs.args[0].name, step.lhs.args[1].name
    taken = {str(s) for s in step.rhs.free_symbols} | {wrt, name}
    g = next(n for n in ("g", "v", "w", "u") if n not in taken)
    i, j = sym.index("i"), sym.index("j")
    size = d.K
    vjp = contract(sp.expand(sp.IndexedBase(g)[i] * matrix_entry(step.rhs, i, j)), i, j, size)
    table = labels(d)
    vlabel = label_of(d, table, next(s for s in d.steps if s.is_definition and str(s.lhs.base.label) == name))
    jlabel = label_of(d, table, step)
    lw = Lowering(d, wrt, sms, {df.name: df for df in d.context.definitions}, None)
    lw.derivative = True
    out = lw.lower(vjp)
    lines = (Line("vjp", out, jlabel, f"(J^T {g})_j = sum_i {g}_i J_ij"),)
    shared = lw.shared_lines(table, [out, sp.Symbol(name)])
    leaves = tuple(leaf for leaf in lw.leaves() if leaf.name != g)
    if leaves != (Leaf(wrt, "variable", leaf_domain(d, wrt)),):
        raise UnsupportedError(f"{d.recipe}: a softmax of {wrt} alone is generated (no other leaves)")
    return FunctionProgram(d.recipe, wrt, name, g, leaves, lw.size_lines(), shared, lines, vlabel, jlabel)


def leaf_domain(d: Derivation, name: str) -> str:
    return {n: dom for n, dom in d.context.domains if not callable(dom)}.get(name, "real")


def matrix_entry(e, i, j):
    """Entry (i, j) of a matrix expression of vectors: diag(v), u v^T, sums and scalar multiples."""
    if isinstance(e, MatAdd):
        return sp.Add(*[matrix_entry(t, i, j) for t in e.args])
    if isinstance(e, Diag) and isinstance(e.args[0], MatrixSymbol):
        return sp.KroneckerDelta(i, j) * sp.IndexedBase(e.args[0].name)[i]
    if isinstance(e, MatMul):
        scalars = [f for f in e.args if not isinstance(f, MatrixExpr)]
        mats = [f for f in e.args if isinstance(f, MatrixExpr)]
        if len(mats) == 1:
            return sp.Mul(*scalars) * matrix_entry(mats[0], i, j)
        if len(mats) == 2 and isinstance(mats[0], MatrixSymbol) and isinstance(mats[1], Transpose) \
                and isinstance(mats[1].arg, MatrixSymbol):
            return sp.Mul(*scalars) * sp.IndexedBase(mats[0].name)[i] * sp.IndexedBase(mats[1].arg.name)[j]
    raise UnsupportedError(f"no code for the matrix {e}")


def contract(e, i, j, size):
    """sum_i of e, each term with delta_ij contracted (i -> j, as 1 <= j <= size), else a sum."""
    out = []
    for t in sp.Add.make_args(e):
        deltas = [f for f in sp.Mul.make_args(t) if isinstance(f, sp.KroneckerDelta) and set(f.args) == {i, j}]
        if deltas:
            out.append((t / deltas[0]).xreplace({i: j}))
        else:  # the factors free of i outside the sum (a_j sum_i g_i a_i: one index per axis)
            inside = [f for f in sp.Mul.make_args(t) if f.has(i)]
            outside = [f for f in sp.Mul.make_args(t) if not f.has(i)]
            out.append(sp.Mul(*outside) * sp.Sum(sp.Mul(*inside), (i, 1, size)))
    return sp.Add(*out)
