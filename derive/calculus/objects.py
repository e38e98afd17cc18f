"""SymPy nodes the engine adds: vector derivatives (gradient, Jacobian) and named vectors."""
from __future__ import annotations

import sympy as sp
from sympy import Basic, MatrixExpr

from .symbols import basic


class Grad(MatrixExpr):
    """Grad(L, v): the column vector dL/dv of a scalar L with respect to a vector v (K x 1)."""

    def __new__(cls, scalar, vector):
        return Basic.__new__(cls, basic(scalar), vector)

    @property
    def shape(self):
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        return sp.Derivative(self.args[0], _component(self.args[1], i))


class Jac(MatrixExpr):
    """Jac(f, v): the Jacobian matrix df/dv, entry (i, j) = d f_i / d v_j."""

    def __new__(cls, f, v):
        return Basic.__new__(cls, f, v)

    @property
    def shape(self):
        return (self.args[0].shape[0], self.args[1].shape[0])

    def _entry(self, i, j, **kwargs):
        return sp.Derivative(_component(self.args[0], i), _component(self.args[1], j))


class Diag(MatrixExpr):
    """Diag(v): the diagonal matrix with the vector v on its diagonal."""

    def __new__(cls, v):
        return Basic.__new__(cls, v)

    @property
    def shape(self):
        n = self.args[0].shape[0]
        return (n, n)

    def _entry(self, i, j, **kwargs):
        return sp.KroneckerDelta(i, j) * _component(self.args[0], i)


class Entrywise(MatrixExpr):
    """Entrywise(body, i, j, rows, cols): the matrix whose (i, j) entry is body, indices from 1."""

    def __new__(cls, body, i, j, rows, cols):
        return Basic.__new__(cls, basic(body), i, j, basic(rows), basic(cols))

    @property
    def shape(self):
        return (self.args[3], self.args[4])

    def entry(self, r, c):
        """The entry at 1-based position (r, c)."""
        body, i, j = self.args[:3]
        return body.xreplace({i: sp.Integer(r), j: sp.Integer(c)})


class Elementwise(MatrixExpr):
    """Elementwise(f, M): the function named f (a Symbol: tanh, sigma, exp, log) of every entry of M."""

    def __new__(cls, f, m):
        return Basic.__new__(cls, f, m)

    @property
    def shape(self):
        return self.args[1].shape


class sigmoid(sp.Function):
    """The logistic function 1 / (1 + e^{-x})."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))


def _component(vec, i):
    """Entry i (0-based) of a named vector, as the indexed symbol it stands for."""
    return sp.IndexedBase(vec.name)[i + 1]


def vector(name: str, size) -> sp.MatrixSymbol:
    """The column vector named `name` with `size` rows (an int or a Symbol)."""
    return sp.MatrixSymbol(name, size, 1)
