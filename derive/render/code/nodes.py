"""The array operations a lowered formula is made of (SymPy nodes the code printer knows)."""
from __future__ import annotations

import sympy as sp


class Reduce(sp.Function):
    """Reduce(x, axis): the sum of x along a (negative) axis, kept as a length-1 axis."""

    nargs = 2


class RowMax(sp.Function):
    """RowMax(x, axis): the maximum of x along an axis, kept (the shift of a stable softmax)."""

    nargs = 2


class Expm1(sp.Function):
    """expm1(x) = e^x - 1, exact for small x (1 - a = -expm1(log a) when a is close to one)."""

    nargs = 1


class Log1p(sp.Function):
    """log1p(x) = log(1 + x), exact for small x."""

    nargs = 1


class LogSigmoid(sp.Function):
    """log sigma(x) = -log(1 + e^{-x}), without overflow for any x (log(1 - sigma(x)) = LogSigmoid(-x))."""

    nargs = 1


class OneHot(sp.Function):
    """OneHot(c, axis): 1 at the class c (0-based) along an axis, else 0 (the delta delta_{cj})."""

    nargs = 2


class Gather(sp.Function):
    """Gather(x, c, axis): the entry of x at the class c along an axis (x_c), kept as a length-1 axis."""

    nargs = 3


class Quotient(sp.Function):
    """Quotient(x, y, at_zero): x / y, and at_zero where y = 0 (the limit of x / y there)."""

    nargs = 3


class Array(sp.Symbol):
    """A named array of the generated code (a leaf, a definition, an intermediate): printed by name."""


def array(name: str) -> Array:
    return Array(name)
