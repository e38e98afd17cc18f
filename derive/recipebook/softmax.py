"""softmax-jacobian and softmax-cross-entropy: data the engine derives (route 'jacobian': the cases, the matrix forms)."""
from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.matrices.expressions import MatAdd

from ..calculus.definition import Definition
from ..engine.build import derive_gradient
from ..engine.differentiate import Env, softmax_of
from ..engine.jacobian import jacobian_steps
from ..engine.spec import Constraint, from_sympy
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from . import Recipe, register
from .base import Vars, mul, neg

ROUTE = ("lemmas", "jacobian")


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
    """The engine's Jacobian lemma for the softmax, as a document of its own."""
    v = Vars(notation, K)
    sm = softmax_of(v.softmax_definition)
    if sm is None:  # the recipe's own definition is a softmax; a change that breaks it must say so
        raise RuntimeError("softmax-jacobian: the recipe's definition is not read as a softmax")
    steps, _ = jacobian_steps(sm, Env([v.softmax_definition], K), v.z, v.j, K)
    steps = definition_steps(v, with_loss=False) + steps
    return Derivation("softmax-jacobian", K, notation, tuple(steps), context(v, False), result=steps[-1].rhs)


def build_cross_entropy(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    spec = from_sympy([v.softmax_definition], Definition(v.L, loss_body(v)), notation.logits, K,
                      constraints=[Constraint(notation.target)], route=ROUTE)
    d = derive_gradient(spec, notation, "softmax-cross-entropy")
    return replace(d, params=(), result=MatAdd(v.vec(v.a), -v.vec(v.y), evaluate=False),
                   constraints=(("sum-one", (notation.target, "one-hot")),), assumptions=("one-hot",))


register(Recipe("softmax-jacobian", "softmax", "The Jacobian of softmax: a_i(delta_ij - a_j) = diag(a) - a a^T",
                build_jacobian, target="none"))
register(Recipe("softmax-cross-entropy", "cross-entropy",
                "Softmax + cross-entropy with a one-hot target: dL/dz = J^T dL/da = a - y",
                build_cross_entropy, target="one-hot"))
