"""A definition head := body, and the errors of evaluating one: all that most modules need,
without the evaluator (derive.verifier.evaluate), which only the numeric test uses."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import MatrixSymbol


class EvalError(ArithmeticError):
    """An expression that has no finite value at the point (log of a negative, unknown leaf...)."""


class Undefined(EvalError):
    """The expression is outside its domain at this point (log of a non-positive number, 1/0, ...):
    a fact about the point, unlike a missing value or an unsupported node."""


class LogDomain(Undefined):
    """The logarithm of a number that is not positive (a one-hot target's 0 log 0)."""


@dataclass(frozen=True)
class Definition:
    """head := body, where head is a Symbol (L) or an Indexed symbol (a[i]) with symbol indices."""

    head: sp.Basic
    body: sp.Basic

    @property
    def name(self) -> str:
        return _name(self.head)

    @property
    def indices(self) -> tuple:
        return tuple(self.head.indices) if isinstance(self.head, sp.Indexed) else ()


def _name(x) -> str:
    if isinstance(x, sp.Indexed):
        return str(x.base.label)
    if isinstance(x, (MatrixSymbol, sp.IndexedBase)):
        return str(x.name) if isinstance(x, MatrixSymbol) else str(x.label)
    return str(x)
