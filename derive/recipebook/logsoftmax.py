"""LogSoftmax + NLLLoss = CrossEntropyLoss, the log-sum-exp form and its stable version with m = max z.

Not engine-made: the document is an equivalence (NLLLoss of LogSoftmax = CrossEntropyLoss) and the stable
log-sum-exp shift with m = max z, not only a gradient; the engine derives the gradient of the log-sum-exp form.
"""
from __future__ import annotations

import math

import sympy as sp
from sympy import exp, log
from sympy.matrices.expressions import MatAdd

from .. import numeric
from ..calculus import symbols as sym
from ..verifier.evaluate import Definition
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .chain import column, grad


class MaxOver(sp.Expr):
    """MaxOver(body, k, K): max over k = 1..K of body; only ever the body of a definition (m)."""

    def __new__(cls, body, index, size):
        return sp.Expr.__new__(cls, sym.basic(body), index, sym.basic(size))

    def numeric(self, evaluator, idx):
        body, k, size = self.args
        top = evaluator._index(size, idx)
        return max(evaluator._s(body, {**idx, k: r}) for r in range(1, top + 1))

    def _derive_latex(self, printer):
        body, k, size = self.args
        return rf"\max_{{{printer._print(k)}}} {printer._print(body)}"


def _m(v: Vars):
    taken = set(v.notation.as_dict().values())
    return sym.scalar(next(n for n in ("m", "M", "mu") if n not in taken))


def build(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    z, a, y, i, j, k, L = v.z, v.a, v.y, v.i, v.j, v.k, v.L
    m = _m(v)
    lse = log(v.denominator)
    mdef = Definition(m, MaxOver(z[k], k, K))
    loss = Definition(L, neg(v.sum(mul(y[i], add(z[i], neg(lse))), i)))
    shifted = v.sum(exp(add(z[k], neg(m))), k)
    gl = sp.Derivative(L, z[j])
    steps = [Step(Rule.DEFINITION, d.head, d.body, "model") for d in (v.softmax_definition, mdef, loss)]
    steps += [
        Step(Rule.LOG_SOFTMAX, log(a[i]), add(z[i], neg(lse)), "equivalence"),
        Step(Rule.NLL_OF_LOG_SOFTMAX, L, neg(v.sum(mul(y[i], log(a[i])), i)), "equivalence"),
        Step(Rule.LINEARITY, L, add(neg(v.sum(mul(y[i], z[i]), i)), mul(v.sum(y[i], i), lse)), "equivalence",
             params=(("variant", "lse"),)),
        Step(Rule.USE_CONSTRAINT, L, add(neg(v.sum(mul(y[i], z[i]), i)), lse), "equivalence", chain=True,
             uses=("sum-one",), params=(("variant", "lse"),)),
        Step(Rule.LOG_SUM_EXP_SHIFT, lse, add(m, log(shifted)), "stable"),
        Step(Rule.LOG_SUM_EXP_SHIFT, L, add(neg(v.sum(mul(y[i], z[i]), i)), m, log(shifted)), "stable",
             uses=("sum-one",), params=(("variant", "loss"),)),
        Step(Rule.DERIVATIVE_LOG_SUM_EXP, gl, add(neg(y[j]), frac(exp(z[j]), v.denominator)), "gradient",
             uses=("sum-one",)),
        Step(Rule.SUBSTITUTE, gl, add(a[j], neg(y[j])), "gradient", chain=True, uses=("sum-one",)),
        Step(Rule.SHIFT_INVARIANCE, a[j], frac(exp(add(z[j], neg(m))), shifted), "gradient"),
    ]
    vec = MatAdd(v.vec(a), -v.vec(y), evaluate=False)
    steps.append(Step(Rule.VECTOR_FORM, grad(v), vec, "result", uses=("sum-one",)))
    if v.concrete:
        steps.append(Step(Rule.VECTOR_FORM, grad(v), column(v, add(a[j], neg(y[j]))), "result", chain=True,
                          uses=("sum-one",)))
    ctx = Context(definitions=(v.softmax_definition, mdef, loss),
                  domains=((notation.logits, "real"), (notation.target, "positive")), size=K)
    return Derivation("log-softmax-nll", K, notation, tuple(steps), ctx, result=vec,
                      constraints=(("sum-one", (notation.target, "one-hot")),), assumptions=("one-hot",))


def naive_float64(z: list[float], y: list[float]) -> float:
    """-sum y_i log(e^{z_i} / sum_k e^{z_k}) in plain float64: overflows to inf or nan for large logits."""
    with_inf = [math.exp(x) if x < 709.78 else math.inf for x in z]
    s = sum(with_inf)
    out = 0.0
    for e, t in zip(with_inf, y):
        p = e / s if s != 0 else math.nan
        lp = math.log(p) if p > 0 else (-math.inf if p == 0 else math.nan)
        out -= t * lp if t != 0 else 0.0 * lp
    return out


def stable_float64(z: list[float], y: list[float]) -> float:
    """The same loss as -sum y_i z_i + m + log sum e^{z_k - m} (for sum y = 1) in float64."""
    m = max(z)
    lse = m + math.log(sum(math.exp(x - m) for x in z))
    return -sum(t * x for t, x in zip(y, z)) + sum(y) * lse


def _tex(x: float) -> str:
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    return numeric._num(x)


def example(d, recipe, values):
    ex = numeric.single_example(d, recipe, values)
    z, y = ex.data["logits"], ex.data["target"]
    naive, stable = naive_float64(z, y), stable_float64(z, y)
    n = d.notation
    rows = ex.rows + ((rf"{n.loss}_{{\text{{naive, float64}}}}", _tex(naive)),
                      (rf"{n.loss}_{{\text{{stable, float64}}}}", _tex(stable)))
    data = {**ex.data, "naive_float64": None if not math.isfinite(naive) else naive, "naive_float64_text": repr(naive),
            "stable_float64": stable}
    return numeric.Example(rows, data, ex.digits)


register(Recipe("log-softmax-nll", "cross-entropy",
                "LogSoftmax + NLLLoss = CrossEntropyLoss: L = -z_c + log sum e^{z_j}, stable with m = max z",
                build, target="one-hot", example=example,
                details="The worked example shows the loss in float64 computed naively (e^{1000} overflows to inf, "
                        "then inf/inf = NaN) and with the max subtracted first."))

