"""Shared pieces of the cross-entropy family's documents: a column vector, dL/dz, the vector-form steps."""
from __future__ import annotations

import sympy as sp

from ..calculus.objects import Entrywise, Grad
from ..steps import Rule, Step
from .base import Vars

COLUMN = sp.Symbol("col", integer=True, positive=True)   # the column index of a K x 1 vector, never shown


def column(v: Vars, body):
    """The column vector with entry body at row j (a sum over i inside body stays a sum)."""
    return Entrywise(body, v.j, COLUMN, v.K, 1)


def grad(v: Vars):
    """dL/dz as a column vector."""
    return Grad(v.L, v.vec(v.z))


def vector_steps(v: Vars, entry, vector, section: str, uses: tuple[str, ...] = ()) -> list[Step]:
    """dL/dz in vector form, and entry by entry when K is concrete."""
    steps = [Step(Rule.VECTOR_FORM, grad(v), vector, section, uses=uses)]
    if v.concrete:
        steps.append(Step(Rule.VECTOR_FORM, grad(v), column(v, entry), section, chain=True, uses=uses))
    return steps
