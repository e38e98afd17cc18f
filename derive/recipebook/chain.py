"""Shared steps of the cross-entropy family: dL/dz_j for L = -sum_i t_i log a_i, by the chain rule."""
from __future__ import annotations

from typing import Callable

import sympy as sp
from sympy import KroneckerDelta as delta

from ..calculus.objects import Entrywise, Grad
from ..steps import Rule, Step
from .base import Vars, add, frac, mul, neg

Target = Callable[[sp.Symbol], sp.Basic]   # index -> the target's entry t_index


def scaled(scale, x):
    """scale * x for display; no factor when scale is None."""
    return x if scale is None else mul(scale, x)


def jacobian_step(v: Vars, scale=None) -> Step:
    """The softmax Jacobian entry, cited from the softmax-jacobian recipe (and re-verified here)."""
    a, z, i, j = v.a, v.z, v.i, v.j
    return Step(Rule.SOFTMAX_JACOBIAN, sp.Derivative(a[i], z[j]), scaled(scale, mul(a[i], add(delta(i, j), neg(a[j])))),
                "jacobian")


def loss_derivative_step(v: Vars, t: Target, rule: Rule = Rule.DERIVATIVE_WEIGHTED_LOG) -> Step:
    return Step(rule, sp.Derivative(v.L, v.a[v.i]), neg(frac(t(v.i), v.a[v.i])), "loss")


def chain_steps(v: Vars, t: Target, scale=None, section: str = "gradient") -> list[Step]:
    """From the chain rule to dL/dz_j = scale * (a_j sum_i t_i - t_j)."""
    a, z, i, j, L = v.a, v.z, v.i, v.j, v.L
    d = sp.Derivative
    gl = d(L, z[j])
    st = v.sum(t(i), i)
    return [
        Step(Rule.CHAIN_RULE, gl, v.sum(mul(d(L, a[i]), d(a[i], z[j])), i), section, params=(("variant", "index"),)),
        Step(Rule.SUBSTITUTE, gl, v.sum(mul(neg(frac(t(i), a[i])), scaled(scale, mul(a[i], add(delta(i, j), neg(a[j]))))), i),
             section, chain=True),
        Step(Rule.ALGEBRA, gl, scaled(scale, v.sum(add(neg(mul(t(i), delta(i, j))), mul(t(i), a[j])), i)), section,
             chain=True),
        Step(Rule.LINEARITY, gl, scaled(scale, add(neg(v.sum(mul(t(i), delta(i, j)), i)), mul(a[j], st))), section,
             chain=True),
        Step(Rule.DELTA_CONTRACTION, gl, scaled(scale, add(mul(a[j], st), neg(t(j)))), section, chain=True),
    ]


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
