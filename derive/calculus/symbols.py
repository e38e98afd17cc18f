"""The one place SymPy symbols are made, so every module builds equal objects for equal names."""
from __future__ import annotations

import sympy as sp


def index(name: str) -> sp.Symbol:
    """An index letter (i, j, k, c, ...): a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


def size(name: str | int):
    """The number of classes: an int, or a named positive integer (K, C, n)."""
    return sp.Integer(name) if isinstance(name, int) else sp.Symbol(name, integer=True, positive=True)


def scalar(name: str) -> sp.Symbol:
    """A real scalar (the loss L, a temperature T, ...)."""
    return sp.Symbol(name)


def indexed(name: str) -> sp.IndexedBase:
    """A vector or matrix of numbers written with subscripts (z_i, p_{ik})."""
    return sp.IndexedBase(name)


def basic(x) -> sp.Basic:
    """A SymPy object from our own numbers (int, float) or SymPy objects; never from text."""
    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"expected a SymPy object or a number, got {type(x).__name__}")
    if isinstance(x, int):
        return sp.Integer(x)
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {x!r}")
    # a decimal means what it says: 0.1 is 1/10 (its shortest repr), not the double nearest to it
    return sp.Rational(repr(x))
