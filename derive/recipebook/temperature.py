"""Softmax with a temperature T, a = softmax(z / T), and cross-entropy: dL/dz = (a - y) / T.

Data: a LossSpec the engine derives (route 'jacobian': the tempered Jacobian case by case, (1/T)(diag(a) - a a^T)).
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy import exp
from sympy.matrices.expressions import MatAdd, MatMul

from .. import numeric
from ..calculus import symbols as sym
from ..verifier.evaluate import Definition
from ..engine.build import derive_gradient
from ..engine.spec import Constraint, from_sympy
from ..errors import UsageError
from ..steps import Derivation
from . import Recipe, register
from .base import Vars, frac, mul, neg
from .options import TEMPERATURE

T = sym.scalar("T")


def build_temperature(K, notation, params) -> Derivation:
    if not isinstance(K, int) and str(K) == "T" or "T" in notation.as_dict().values():
        raise UsageError("the temperature is called T: choose another name for the class count or the notation")
    v = Vars(notation, K)
    z, a, y, i, k = v.z, v.a, v.y, v.i, v.k
    softmax = Definition(a[i], frac(exp(frac(z[i], T)), v.sum(exp(frac(z[k], T)), k)))
    loss = Definition(v.L, neg(v.sum(mul(y[i], sp.log(a[i])), i)))
    # T is sampled at random like every leaf ("positive": 0.2..2)
    spec = from_sympy((softmax,), loss, notation.logits, K, ((notation.target, "positive"), ("T", "positive")),
                      (Constraint(notation.target),), route=("lemmas", "jacobian"))
    d = derive_gradient(spec, notation, "temperature-softmax-cross-entropy")
    vec = MatMul(frac(1, T), MatAdd(v.vec(a), -v.vec(y), evaluate=False), evaluate=False)
    return replace(d, params=(("T", params["T"]),), result=vec, assumptions=("distribution", "temperature"))


def _example(d, recipe, values):
    T_ = dict(d.params)["T"]
    return numeric.single_example(d, recipe, values, {"T": T_}, (("T", numeric._num(T_)),))


register(Recipe("temperature-softmax-cross-entropy", "options",
                "Softmax with temperature a = softmax(z/T) and cross-entropy: dL/dz = (a - y)/T",
                build_temperature, params=(TEMPERATURE,), target="distribution", example=_example,
                details="The derivation holds for every T > 0; --param T=... sets the value of the worked example."))
