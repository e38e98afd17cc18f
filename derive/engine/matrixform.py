"""Entries to matrices: an index formula with free indices (r[, c]) as the matrix formula a paper prints.

(a_j - y_j) x_d -> (a - y) x^T,  sum_i W_{ij} g_i -> W^T g,  P_{ij} (G_{ij} - sum_k G_{ik} P_{ik}) ->
P . (G - (G . P) 1 1^T). A term this small algebra cannot write is None (the index form stays the result).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions import HadamardProduct, Identity, MatAdd, MatMul, MatrixSymbol, OneMatrix

from ..calculus.objects import Elementwise, Grad, sigmoid


_ELEMENTWISE = {sp.tanh: "tanh", sigmoid: "sigma", sp.exp: "exp", sp.log: "log"}


class _No(Exception):
    """This term has no matrix form here."""


@dataclass(frozen=True)
class _Op:
    """A matrix expression whose (row, col) entry is the factor, indexed by r and c (None: a 1)."""

    m: Any          # a SymPy matrix expression
    r: Any          # an index Symbol, or None
    c: Any

    @property
    def T(self) -> _Op:
        return _Op(self.m.T, self.c, self.r)


def matrix_form(e, free: tuple, shapes: dict):
    """The matrix (or vector) whose entry at the free indices is e, or None. free: (letter, size) pairs
    (the row index first); shapes: name -> its sizes."""
    rg = _Ranges(tuple(t for t, _ in free), shapes, dict(free))
    try:
        return _factored(_aligned(_convert(e, rg), rg.free, rg))
    except _No:
        return None


def _factored(m):
    """A u + A v = A (u + v) and u x^T + v x^T = (u + v) x^T: the terms' common first or last factor out."""
    if not isinstance(m, MatAdd) or len(m.args) < 2:
        return m
    terms = []
    for t in m.args:
        args = list(t.args) if isinstance(t, MatMul) else [t]
        coeff = sp.Mul(*[a for a in args if not isinstance(a, sp.MatrixExpr)])
        terms.append((coeff, [a for a in args if isinstance(a, sp.MatrixExpr)]))
    if any(len(f) < 2 for _, f in terms):
        return m
    for pos in (0, -1):
        if all(f[pos] == terms[0][1][pos] for _, f in terms):
            common = terms[0][1][pos]
            rest = [MatMul(c, *(f[1:] if pos == 0 else f[:-1])) if c != 1 else MatMul(*(f[1:] if pos == 0 else f[:-1]))
                    for c, f in terms]
            inner = MatAdd(*rest)
            return MatMul(common, inner) if pos == 0 else MatMul(inner, common)
    return m


class _Ranges:
    def __init__(self, free, shapes, sizes, own=()):
        self.free, self.shapes, self.sizes, self.own = tuple(free), shapes, sizes, tuple(own)

    def size(self, t):
        if t is None:
            return sp.Integer(1)
        if t not in self.sizes:
            raise _No()
        return self.sizes[t]


def _convert(e, rg: _Ranges) -> _Op:
    if isinstance(e, sp.Add):
        r, c = _slots_of(e, rg)
        ops = [_aligned_op(_convert(t, rg), (r, c), rg) for t in e.args]
        return _Op(MatAdd(*[o.m for o in ops]), r, c)
    return _product(sp.Mul.make_args(e), (), rg)


def _slots_of(e, rg: _Ranges):
    free = [t for t in rg.free if t in e.free_symbols]
    if len(free) > 2:
        raise _No()
    return (free + [None, None])[:2] if free else (None, None)


def _aligned_op(op: _Op, slots, rg: _Ranges) -> _Op:
    """op with its slots in the order `slots` (transposed if needed, 1s broadcast)."""
    r, c = slots
    if (op.r, op.c) == (r, c):
        return op
    if (op.c, op.r) == (r, c):
        return op.T
    if op.r == r and op.c is None and c is not None:    # constant across the columns: u 1^T
        return _Op(MatMul(op.m, OneMatrix(1, rg.size(c))), r, c)
    if op.c == r and op.r is None:
        return _aligned_op(op.T, slots, rg)
    if op.r is None and op.c is None:                   # a number in every entry
        ones = OneMatrix(rg.size(r), rg.size(c))
        return _Op((ones if op.m == 1 else MatMul(op.m, ones)) if (r, c) != (None, None) else op.m, r, c)
    if op.r == c and op.c is None:                      # constant across the rows: 1 u^T
        return _Op(MatMul(OneMatrix(rg.size(r), 1), op.m.T), r, c)
    raise _No()


def _aligned(op: _Op, free, rg: _Ranges):
    slots = (tuple(free) + (None, None))[:2]
    return _aligned_op(op, slots, rg).m


def _leaf(f, rg: _Ranges) -> _Op | None:
    if isinstance(f, sp.Indexed):
        name = str(f.base.label)
        shape = rg.shapes.get(name)
        idx = tuple(f.indices)
        if shape is None or len(shape) != len(idx) or not all(isinstance(t, sp.Symbol) for t in idx):
            raise _No()
        for t, n in zip(idx, shape):
            if rg.sizes.setdefault(t, n) != n:
                raise _No()
        if len(idx) == 1:
            return _Op(MatrixSymbol(name, shape[0], 1), idx[0], None)
        if len(idx) == 2 and idx[0] != idx[1]:
            return _Op(MatrixSymbol(name, *shape), idx[0], idx[1])
        raise _No()
    if isinstance(f, sp.KroneckerDelta) and all(isinstance(t, sp.Symbol) for t in f.args):
        a, b = f.args
        n = rg.sizes.get(a, rg.sizes.get(b))
        if n is None:
            raise _No()
        return _Op(Identity(n), a, b)
    if isinstance(f, sp.Pow) and f.exp == 2:          # u_i^2 = (u . u)_i
        inner = _convert(f.base, _Ranges(rg.free, rg.shapes, rg.sizes))
        return _Op(HadamardProduct(inner.m, inner.m), inner.r, inner.c)
    if type(f) in _ELEMENTWISE:                      # tanh(sum_d W_{id} x_d) = tanh(W x)_i
        inner = _convert(f.args[0], _Ranges(rg.free, rg.shapes, rg.sizes))
        if inner.c is not None or inner.r is None:
            raise _No()
        return _Op(Elementwise(sp.Symbol(_ELEMENTWISE[type(f)]), inner.m), inner.r, None)
    if isinstance(f, sp.Derivative) and isinstance(f.variables[0], sp.Indexed) and not f.expr.free_symbols & set(rg.free):
        var = _leaf(f.variables[0], rg)
        if var is None:
            raise _No()
        return _Op(Grad(f.expr, var.m), var.r, var.c)
    return None


def _product(factors, summed: tuple, rg: _Ranges) -> _Op:
    scalars, ops = [], []
    indices = set(rg.free)
    for f in factors:
        if isinstance(f, sp.Sum):
            letters = [lim[0] for lim in f.limits]
            for k, _lo, hi in f.limits:
                rg.sizes[k] = hi
            ops.append(_product(sp.Mul.make_args(f.function), (), _Ranges(rg.free + tuple(letters), rg.shapes,
                                                                            rg.sizes, letters)))
            continue
        if not (f.free_symbols & indices) and not _indexed_by(f, indices):
            scalars.append(f)
            continue
        leaf = _leaf(f, rg)
        if leaf is None and isinstance(f, sp.Add):
            leaf = _convert(f, _Ranges(rg.free, rg.shapes, rg.sizes))
        if leaf is None:
            raise _No()
        ops.append(leaf)
    for k in rg.own:
        ops = _contract(ops, k, rg)
    out = _combine(ops, rg)
    coeff = sp.Mul(*scalars)
    if out is None:
        return _Op(coeff, None, None)
    return _Op(MatMul(coeff, out.m) if coeff != 1 else out.m, out.r, out.c)


def _indexed_by(f, indices) -> bool:
    return any(isinstance(x, sp.Indexed) and set(x.free_symbols) & indices for x in sp.preorder_traversal(f))


def _contract(ops: list, k, rg: _Ranges) -> list:
    having = [o for o in ops if k in (o.r, o.c)]
    rest = [o for o in ops if k not in (o.r, o.c)]
    if len(having) == 2:
        a, b = having
        if {a.r, a.c} == {b.r, b.c}:            # sum_k A_{ik} B_{ik}: (A . B) summed over k
            b = b if (b.r, b.c) == (a.r, a.c) else b.T
            having = [_Op(HadamardProduct(a.m, b.m), a.r, a.c)]
        else:
            a = a if a.c == k else a.T
            b = b if b.r == k else b.T
            return rest + [_Op(MatMul(a.m, b.m), a.r, b.c)]
    if len(having) == 1:
        a = having[0]
        a = a if a.c == k else a.T                # sum_k A_{ik} = (A 1)_i
        return rest + [_Op(MatMul(a.m, OneMatrix(rg.size(k), 1)), a.r, None)]
    raise _No()


def _combine(ops: list, rg: _Ranges) -> _Op | None:
    if not ops:
        return None
    out = ops[0]
    for o in ops[1:]:
        if {o.r, o.c} == {out.r, out.c}:
            o = o if (o.r, o.c) == (out.r, out.c) else o.T
            out = _Op(HadamardProduct(out.m, o.m), out.r, out.c)
        elif out.c is None and o.c is None and out.r is not None and o.r is not None:
            out = _Op(MatMul(out.m, o.m.T), out.r, o.r)          # u_i v_j = (u v^T)_{ij}
        elif out.r is None and out.c is None:
            out = _Op(MatMul(out.m, o.m), o.r, o.c)
        elif o.r is None and o.c is None:
            out = _Op(MatMul(o.m, out.m), out.r, out.c)
        elif o.c is None and o.r in (out.r, out.c):                # X_{ij} u_i: X . (u 1^T)
            out = _Op(HadamardProduct(out.m, _aligned_op(o, (out.r, out.c), rg).m), out.r, out.c)
        elif out.c is None and out.r in (o.r, o.c):
            out = _Op(HadamardProduct(_aligned_op(out, (o.r, o.c), rg).m, o.m), o.r, o.c)
        else:
            raise _No()
    return out
