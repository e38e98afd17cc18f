"""Softmax with a temperature T, a = softmax(z / T), and cross-entropy: dL/dz = (a - y) / T."""
from __future__ import annotations

import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp
from sympy.matrices.expressions import MatAdd, MatMul

from .. import numeric
from ..calculus import symbols as sym
from ..calculus.evaluate import Definition
from ..errors import UsageError
from ..steps import Derivation, Rule, Step
from ..verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .chain import chain_steps, jacobian_step, loss_derivative_step, vector_steps
from .options import TEMPERATURE

T = sym.scalar("T")


def build_temperature(K, notation, params) -> Derivation:
    if not isinstance(K, int) and str(K) == "T" or "T" in notation.as_dict().values():
        raise UsageError("the temperature is called T: choose another name for the class count or the notation")
    v = Vars(notation, K)
    z, a, y, i, j, k = v.z, v.a, v.y, v.i, v.j, v.k
    d = sp.Derivative
    S = v.sum(exp(frac(z[k], T)), k)
    e_i = exp(frac(z[i], T))
    softmax = Definition(a[i], frac(e_i, S))
    loss = Definition(v.L, neg(v.sum(mul(y[i], sp.log(a[i])), i)))
    lhs = d(a[i], z[j])
    inv = frac(1, T)
    sec = "jacobian"
    steps = [Step(Rule.DEFINITION, softmax.head, softmax.body, "model"), Step(Rule.DEFINITION, loss.head, loss.body, "model")]
    steps += [
        Step(Rule.QUOTIENT_RULE, lhs, frac(add(mul(d(e_i, z[j]), S), neg(mul(e_i, d(S, z[j])))), S ** 2), sec),
        Step(Rule.DERIVATIVE_SUM, lhs, frac(add(mul(d(e_i, z[j]), S), neg(mul(e_i, v.sum(d(exp(frac(z[k], T)), z[j]), k)))),
                                            S ** 2), sec, chain=True),
        Step(Rule.DERIVATIVE_EXP_SCALED, lhs,
             frac(add(mul(inv, delta(i, j), e_i, S), neg(mul(e_i, v.sum(mul(inv, delta(k, j), exp(frac(z[k], T))), k)))),
                  S ** 2), sec, chain=True),
        Step(Rule.DELTA_CONTRACTION, lhs, frac(add(mul(inv, delta(i, j), e_i, S), neg(mul(inv, e_i, exp(frac(z[j], T))))),
                                               S ** 2), sec, chain=True),
        Step(Rule.SUBSTITUTE, lhs, mul(inv, add(mul(delta(i, j), a[i]), neg(mul(a[i], a[j])))), sec, chain=True),
    ]
    jac = jacobian_step(v, inv)
    steps.append(Step(Rule.ALGEBRA, lhs, jac.rhs, sec, chain=True))
    t = (lambda n: y[n])
    steps += [loss_derivative_step(v, t, Rule.DERIVATIVE_LOG)] + chain_steps(v, t, inv)
    gl = d(v.L, z[j])
    steps += [Step(Rule.USE_CONSTRAINT, gl, mul(inv, add(a[j], neg(y[j]))), "result", uses=("sum-one",))]
    vec = MatMul(inv, MatAdd(v.vec(a), -v.vec(y), evaluate=False), evaluate=False)
    steps += vector_steps(v, frac(add(a[j], neg(y[j])), T), vec, "result", ("sum-one",))
    # T is sampled at random like every leaf ("positive": 0.2..2); first derivatives are exact
    # (forward mode), so a small T no longer costs digits as the finite differences once did
    ctx = Context(definitions=(softmax, loss), domains=((notation.logits, "real"), (notation.target, "positive"),
                                                         ("T", "positive")), size=K)
    return Derivation("temperature-softmax-cross-entropy", K, notation, tuple(steps), ctx,
                      params=(("T", params["T"]),), result=vec,
                      constraints=(("sum-one", (notation.target, "simplex")),), assumptions=("distribution", "temperature"))


def _example(d, recipe, values):
    T_ = dict(d.params)["T"]
    return numeric.single_example(d, recipe, values, {"T": T_}, (("T", numeric._num(T_)),))


register(Recipe("temperature-softmax-cross-entropy", "options",
                "Softmax with temperature a = softmax(z/T) and cross-entropy: dL/dz = (a - y)/T",
                build_temperature, params=(TEMPERATURE,), target="distribution", example=_example,
                details="The derivation holds for every T > 0; --param T=... sets the value of the worked example."))
