"""softmax-jacobian and softmax-cross-entropy, for a concrete K or a general (named) K.

Not engine-made (yet): the document derives the Jacobian case by case (i = j, i != j), unifies the cases
with a Kronecker delta and writes the matrix forms diag(a) - a a^T and J^T dL/da; the engine's 'jacobian' route
gives the quotient-rule part only. `derive grad` reaches the same a - y (tests/engine/test_recipe_specs.py).
"""
from __future__ import annotations

import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp

from ..calculus.evaluate import Definition
from ..calculus.indexed import apply_rule
from ..calculus.objects import Diag, Grad, Jac
from ..steps import Derivation, Rule, Step
from ..verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg


def jacobian_steps(v: Vars) -> list[Step]:
    """da_i/dz_j from the quotient rule to diag(a) - a a^T, the path textbooks and blogs take."""
    z, a, i, j, S = v.z, v.a, v.i, v.j, v.denominator
    d = sp.Derivative
    lhs = d(a[i], z[j])
    num_i = exp(z[i])
    sec = "jacobian"
    # each line is the previous one rewritten by one rule of the index calculus
    quotient = apply_rule(Rule.QUOTIENT_RULE, d(v.softmax_definition.body, z[j]))
    through_sum = apply_rule(Rule.DERIVATIVE_SUM, quotient)
    exps = apply_rule(Rule.DERIVATIVE_EXP, through_sum)
    contracted = apply_rule(Rule.DELTA_CONTRACTION, exps)
    steps = [
        Step(Rule.QUOTIENT_RULE, lhs, quotient, sec),
        Step(Rule.DERIVATIVE_SUM, lhs, through_sum, sec, chain=True),
        Step(Rule.DERIVATIVE_EXP, lhs, exps, sec, chain=True),
        Step(Rule.DELTA_CONTRACTION, lhs, contracted, sec, chain=True),
    ]
    # the two cases the sources write out
    diag_lhs = d(a[i], z[i])
    steps += [
        Step(Rule.CASE_DIAGONAL, diag_lhs, frac(add(mul(num_i, S), neg(sp.Pow(num_i, 2, evaluate=False))), S ** 2), sec,
             params=(("case", "diagonal"),)),
        Step(Rule.SUBSTITUTE, diag_lhs, add(a[i], neg(a[i] ** 2)), sec, chain=True),
        Step(Rule.ALGEBRA, diag_lhs, mul(a[i], add(1, neg(a[i]))), sec, chain=True),
        Step(Rule.CASE_OFF_DIAGONAL, lhs, neg(frac(mul(num_i, exp(z[j])), S ** 2)), sec,
             conditions=(sp.Ne(i, j),), params=(("case", "off-diagonal"),)),
        Step(Rule.SUBSTITUTE, lhs, neg(mul(a[i], a[j])), sec, chain=True, conditions=(sp.Ne(i, j),)),
        Step(Rule.KRONECKER_UNIFY, lhs, mul(a[i], add(delta(i, j), neg(a[j]))), sec),
    ]
    av, zv = v.vec(a), v.vec(z)
    J = Jac(av, zv)
    steps += [
        Step(Rule.JACOBIAN_MATRIX, J, v.entries(mul(a[i], add(delta(i, j), neg(a[j]))), i, cols=2, col_index=j), sec),
        Step(Rule.MATRIX_FORM, J, sp.MatAdd(Diag(av), -av * av.T, evaluate=False), sec, chain=True),
    ]
    return steps


def gradient_steps(v: Vars, constraint: bool = True) -> list[Step]:
    """dL/da, the chain rule, the delta contraction, a*sum(y) - y and (if one-hot) a - y."""
    z, a, y, L, i, j = v.z, v.a, v.y, v.L, v.i, v.j
    d = sp.Derivative
    av, zv, yv = v.vec(a), v.vec(z), v.vec(y)
    J = Jac(av, zv)
    sy = v.sum(y[i], i)
    steps = [
        Step(Rule.DERIVATIVE_LOG, d(L, a[i]), neg(frac(y[i], a[i])), "loss"),
        Step(Rule.VECTOR_FORM, Grad(L, av), v.entries(neg(frac(y[i], a[i])), i), "loss"),
        Step(Rule.CHAIN_RULE, Grad(L, zv), J.T * Grad(L, av), "gradient"),
    ]
    if v.concrete:
        steps.append(Step(Rule.MATRIX_PRODUCT, Grad(L, zv),
                          sp.MatMul(v.entries(mul(a[i], add(delta(i, j), neg(a[j]))), i, cols=2, col_index=j).T,
                                    v.entries(neg(frac(y[i], a[i])), i), evaluate=False),
                          "gradient", chain=True))
    gl = d(L, z[j])
    split = apply_rule(Rule.LINEARITY, v.sum(add(neg(mul(y[i], delta(i, j))), mul(y[i], a[j])), i))
    steps += [
        Step(Rule.CHAIN_RULE, gl, v.sum(mul(d(L, a[i]), d(a[i], z[j])), i), "gradient", params=(("variant", "index"),)),
        Step(Rule.SUBSTITUTE, gl, v.sum(mul(neg(frac(y[i], a[i])), a[i], add(delta(i, j), neg(a[j]))), i),
             "gradient", chain=True),
        Step(Rule.ALGEBRA, gl, v.sum(add(neg(mul(y[i], delta(i, j))), mul(y[i], a[j])), i), "gradient", chain=True),
        Step(Rule.LINEARITY, gl, split, "gradient", chain=True),
        Step(Rule.DELTA_CONTRACTION, gl, apply_rule(Rule.DELTA_CONTRACTION, split), "gradient", chain=True),
        Step(Rule.VECTOR_FORM, Grad(L, zv), sp.MatAdd(sp.MatMul(sy, av, evaluate=False), -yv, evaluate=False), "gradient"),
    ]
    if constraint:
        steps += [
            Step(Rule.USE_CONSTRAINT, gl, add(a[j], neg(y[j])), "result", uses=("sum-one",)),
            Step(Rule.VECTOR_FORM, Grad(L, zv), sp.MatAdd(av, -yv, evaluate=False), "result", uses=("sum-one",)),
        ]
        if v.concrete:
            steps.append(Step(Rule.VECTOR_FORM, Grad(L, zv), v.entries(add(a[j], neg(y[j])), j), "result",
                              chain=True, uses=("sum-one",)))
    return steps


def definition_steps(v: Vars, with_loss: bool) -> list[Step]:
    steps = [Step(Rule.DEFINITION, v.softmax_definition.head, v.softmax_definition.body, "model")]
    if with_loss:
        steps.append(Step(Rule.DEFINITION, v.L, loss_body(v), "model"))
    return steps


def loss_body(v: Vars):
    return neg(v.sum(mul(v.y[v.i], sp.log(v.a[v.i])), v.i))


def context(v: Vars, with_loss: bool, target: str = "positive") -> Context:
    defs = [v.softmax_definition]
    if with_loss:
        defs.append(Definition(v.L, loss_body(v)))
    return Context(definitions=tuple(defs), domains=((v.notation.logits, "real"), (v.notation.target, target)),
                   size=v.K)


def build_jacobian(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    steps = definition_steps(v, with_loss=False) + jacobian_steps(v)
    return Derivation("softmax-jacobian", K, notation, tuple(steps), context(v, False),
                      result=steps[-1].rhs)


def build_cross_entropy(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    steps = definition_steps(v, with_loss=True) + jacobian_steps(v) + gradient_steps(v)
    return Derivation("softmax-cross-entropy", K, notation, tuple(steps), context(v, True),
                      result=sp.MatAdd(v.vec(v.a), -v.vec(v.y), evaluate=False),
                      constraints=(("sum-one", (notation.target, "one-hot")),),
                      assumptions=("one-hot",))


register(Recipe("softmax-jacobian", "softmax", "The Jacobian of softmax: a_i(delta_ij - a_j) = diag(a) - a a^T",
                build_jacobian, target="none"))
register(Recipe("softmax-cross-entropy", "cross-entropy",
                "Softmax + cross-entropy with a one-hot target: dL/dz = J^T dL/da = a - y",
                build_cross_entropy, target="one-hot"))
