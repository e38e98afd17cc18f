"""Seed 000's "equivalent" loss L = sum_k (p_k - q_k) a_k: gradient p - q only with p held constant.

Not engine-made: the stop-gradient node and the counterexample at a fixed point are outside the engine.
"""
from __future__ import annotations

import mpmath
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy.matrices.expressions import MatAdd

from .. import numeric
from ..verifier.evaluate import Definition
from ..calculus.objects import Grad
from ..notation import Notation
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .chain import column

SEED = Notation(logits="a", probs="p", target="q", loss="L")   # the letters this form is usually written in: logits a, p = softmax(a)


class StopGradient(sp.Expr):
    """sg(u): the value of u, held constant under differentiation (PyTorch's u.detach())."""

    def __new__(cls, body):
        return sp.Expr.__new__(cls, body)

    def numeric(self, evaluator, idx):
        return evaluator._s(self.args[0], idx)

    def numeric_tangent(self, evaluator, idx, token):
        return mpmath.mpf(0)

    # for the index normal form (derive/verifier/normal.py): its value, and its derivative 0
    def symbolic_value(self):
        return self.args[0]

    def symbolic_derivative(self, variable):
        return sp.Integer(0)

    def _derive_latex(self, printer):
        return rf"\operatorname{{sg}}\left({printer._print(self.args[0])}\right)"


def build(K, notation, params) -> Derivation:
    notation = SEED if notation == Notation() else notation
    v = Vars(notation, K)
    z, a, y, L, j, k = v.z, v.a, v.y, v.L, v.j, v.k   # in those letters: a (logits), p, q
    d = sp.Derivative
    loss = Definition(L, v.sum(mul(add(a[k], neg(y[k])), z[k]), k))
    sg_loss = v.sum(mul(add(StopGradient(a[k]), neg(y[k])), z[k]), k)
    mean = v.sum(mul(a[k], z[k]), k)
    def extra_at(n):
        return mul(a[n], add(z[n], neg(mean)))
    extra = extra_at(j)
    gl = d(L, z[j])
    steps = [Step(Rule.DEFINITION, df.head, df.body, "model") for df in (v.softmax_definition, loss)]
    steps += [
        Step(Rule.STOP_GRADIENT, d(sg_loss, z[j]), v.sum(mul(add(StopGradient(a[k]), neg(y[k])), delta(k, j)), k),
             "stop-gradient"),
        Step(Rule.DELTA_CONTRACTION, d(sg_loss, z[j]), add(StopGradient(a[j]), neg(y[j])), "stop-gradient", chain=True),
        Step(Rule.STOP_GRADIENT, d(sg_loss, z[j]), add(a[j], neg(y[j])), "stop-gradient", chain=True,
             params=(("variant", "value"),)),
        Step(Rule.PRODUCT_RULE, gl, v.sum(add(mul(d(a[k], z[j]), z[k]), mul(add(a[k], neg(y[k])), delta(k, j))), k), "full"),
        Step(Rule.SOFTMAX_JACOBIAN, gl, v.sum(add(mul(a[k], add(delta(k, j), neg(a[j])), z[k]),
                                                  mul(add(a[k], neg(y[k])), delta(k, j))), k), "full", chain=True),
        Step(Rule.DELTA_CONTRACTION, gl, add(mul(a[j], z[j]), neg(mul(a[j], mean)), a[j], neg(y[j])), "full", chain=True),
        Step(Rule.ALGEBRA, gl, add(a[j], neg(y[j]), extra), "full", chain=True),
        Step(Rule.ALGEBRA, add(gl, neg(d(sg_loss, z[j]))), extra, "compare", params=(("variant", "difference"),)),
        Step(Rule.LINEARITY, v.sum(extra, j), add(v.sum(mul(a[j], z[j]), j), neg(mul(v.sum(a[j], j), mean))), "compare",
             params=(("variant", "centered"),)),
        Step(Rule.CENTERED_SUM, v.sum(extra, j), sp.Integer(0), "compare", chain=True),
    ]
    # the extra term's first entry at the logits (1, 0, ..., 0), where p_1 = e / (e + K - 1): a claim
    # the verifier checks at that point (the "at-point" constraint fixes the logits)
    e1 = sp.exp(1)
    steps.append(Step(Rule.ALGEBRA, extra_at(sp.Integer(1)), frac(mul(e1, add(K, -1)), add(e1, K, -1) ** 2),
                      "compare", uses=("at-point",), params=(("variant", "counterexample"),)))
    vec = MatAdd(v.vec(a), -v.vec(y), evaluate=False)
    steps += [Step(Rule.VECTOR_FORM, Grad(sg_loss, v.vec(z)), vec, "result", params=(("variant", "stop-gradient"),)),
              Step(Rule.VECTOR_FORM, Grad(L, v.vec(z)), MatAdd(vec, column(v, extra), evaluate=False), "result",
                   params=(("variant", "full"),))]
    ctx = Context(definitions=(v.softmax_definition, loss),
                  domains=((notation.logits, "real"), (notation.target, "positive")), size=K)
    return Derivation("stop-gradient-form", K, notation, tuple(steps), ctx, result=vec,
                      assumptions=("stop-gradient",),
                      constraints=(("at-point", (notation.logits, _first_logit_one)),))


class _FirstLogitOne:
    """The logits (1, 0, ..., 0) at size K; `entry(t)` the same point for the index normal form,
    entry t is delta_{t,1}, for every K."""

    def __call__(self, K: int) -> list[int]:
        return [1] + [0] * (K - 1)

    @staticmethod
    def entry(t):
        return sp.KroneckerDelta(t, 1)


_first_logit_one = _FirstLogitOne()



def example(d: Derivation, recipe, values) -> numeric.Example:
    """p, L, the gradient with and without stop-gradient, and the extra term; the full gradient is
    checked against finite differences of L (which has no stop-gradient)."""
    vals, rows = numeric.logits_rows(d, recipe, values)
    z = rows[0]
    y, _ = numeric.target_vector(vals[d.notation.target], len(z), recipe.target)
    s = numeric.evaluate_sample(d, z, y)      # its gradient is d.result = p - q
    with mpmath.workdps(numeric.digits()):
        mean = mpmath.fsum(p * mpmath.mpf(x) for p, x in zip(s.probs, z))
        extra = [p * (mpmath.mpf(x) - mean) for p, x in zip(s.probs, z)]
        full = [g + e for g, e in zip(s.gradient, extra)]
        total = mpmath.chop(mpmath.fsum(extra), tol=mpmath.mpf(10) ** -40)
    n = d.notation
    def f(xs):
        return [float(x) for x in xs]
    dl = rf"\frac{{\partial {n.loss}}}{{\partial \mathbf{{{n.logits}}}}}"
    shown = ((rf"\mathbf{{{n.logits}}}", numeric.vec_tex(z)), (rf"\mathbf{{{n.target}}}", numeric.vec_tex(y)),
             (rf"\mathbf{{{n.probs}}}", numeric.vec_tex(f(s.probs))), (n.loss, numeric._num(float(s.loss))),
             (dl + r"\ \text{(stop-gradient)}", numeric.vec_tex(f(s.gradient))),
             (dl, numeric.vec_tex(f(full))),
             (rf"{n.probs}_{{j}} ({n.logits}_{{j}} - \sum_{{k}} {n.probs}_{{k}} {n.logits}_{{k}})", numeric.vec_tex(f(extra))),
             (rf"\sum_{{j}} {n.probs}_{{j}} ({n.logits}_{{j}} - \sum_{{k}} {n.probs}_{{k}} {n.logits}_{{k}})", numeric._num(float(total))))
    data = {"logits": z, "target": y, "probs": f(s.probs), "loss": float(s.loss), "gradient": f(s.gradient),
            "gradient_full": f(full), "extra": f(extra), "extra_sum": float(total)}
    return numeric.Example(shown, data, numeric.gradient_agreement(full, s.fd))


register(Recipe("stop-gradient-form", "cross-entropy",
                "L = sum_k (p_k - q_k) a_k: gradient p - q with p held constant (stop-gradient), "
                "otherwise p - q + p*(a - sum_j p_j a_j)",
                build, target="distribution", example=example,
                details="In the letters this form is usually written in (unless --notation is given): logits a, p = softmax(a), target q "
                        "(--values a=... q=..., or logits=... target=...). With p.detach() the gradient is p - q, the "
                        "cross-entropy gradient. Without it there is the extra term p_j (a_j - sum_k p_k a_k): its "
                        "entries sum to zero, but it is not zero entry by entry; it vanishes for every j exactly "
                        "when all logits are equal. The worked example shows both gradients and the extra term."))
