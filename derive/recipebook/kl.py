"""Cross-entropy is entropy plus KL divergence, H(y, a) = H(y) + KL(y || a): both have the gradient a - y.

Not engine-made: the document is the decomposition H(y, a) = H(y) + KL(y || a); the engine derives the
gradient of the KL term alone (engine/catalog.py).
"""
from __future__ import annotations

import mpmath
import sympy as sp
from sympy import log
from sympy.matrices.expressions import MatAdd

from .. import numeric
from ..verifier.evaluate import Definition
from ..calculus.objects import Grad
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .chain import vector_steps
from .softmax import loss_body


class Functional(sp.Symbol):
    """A scalar named by the function it is, H(y) or KL(y||a): the name is the definition's key."""

    def __new__(cls, head: str, *vectors: str, sep: str = ","):
        return super().__new__(cls, f"{head}({sep.join(vectors)})")

    def _derive_latex(self, printer):
        head, inner = self.name[:-1].split("(", 1)
        sep, shown = ("||", r" \,\|\, ") if "||" in inner else (",", ", ")
        args = (r"\mathbf{" + printer._print(sp.Symbol(x)) + "}" for x in inner.split(sep))
        return rf"\mathrm{{{head}}}\left({shown.join(args)}\right)"


def build(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    z, a, y, i, j, L = v.z, v.a, v.y, v.i, v.j, v.L
    d = sp.Derivative
    H = Functional("H", notation.target)
    KL = Functional("KL", notation.target, notation.probs, sep="||")
    loss = Definition(L, loss_body(v))
    entropy = Definition(H, neg(v.sum(mul(y[i], log(y[i])), i)))
    kl = Definition(KL, v.sum(mul(y[i], log(frac(y[i], a[i]))), i))
    sy = v.sum(y[i], i)
    steps = [Step(Rule.DEFINITION, x.head, x.body, "model") for x in (v.softmax_definition, loss, entropy, kl)]
    steps += [
        Step(Rule.LOG_QUOTIENT, KL, v.sum(add(mul(y[i], log(y[i])), neg(mul(y[i], log(a[i])))), i), "decomposition"),
        Step(Rule.LINEARITY, KL, add(v.sum(mul(y[i], log(y[i])), i), neg(v.sum(mul(y[i], log(a[i])), i))),
             "decomposition", chain=True),
        Step(Rule.SUBSTITUTE, KL, add(neg(H), L), "decomposition", chain=True, params=(("variant", "kl"),)),
        Step(Rule.ENTROPY_PLUS_KL, L, add(H, KL), "decomposition"),
        Step(Rule.TARGET_CONSTANT, d(H, z[j]), sp.Integer(0), "gradient", params=(("variant", "entropy"),)),
        Step(Rule.ENTROPY_PLUS_KL, d(KL, z[j]), add(d(L, z[j]), neg(d(H, z[j]))), "gradient",
             params=(("variant", "gradient"),)),
        Step(Rule.TARGET_CONSTANT, d(KL, z[j]), d(L, z[j]), "gradient", chain=True, params=(("variant", "kl"),)),
        Step(Rule.CE_GRADIENT, d(KL, z[j]), add(mul(a[j], sy), neg(y[j])), "gradient", chain=True),
        Step(Rule.USE_CONSTRAINT, d(KL, z[j]), add(a[j], neg(y[j])), "result", uses=("sum-one",)),
    ]
    vec = MatAdd(v.vec(a), -v.vec(y), evaluate=False)
    steps += [Step(Rule.VECTOR_FORM, Grad(KL, v.vec(z)), Grad(L, v.vec(z)), "result", params=(("variant", "kl"),))]
    steps += vector_steps(v, add(a[j], neg(y[j])), vec, "result", ("sum-one",))
    ctx = Context(definitions=(v.softmax_definition, loss, entropy, kl),
                  domains=((notation.logits, "real"), (notation.target, "positive")), size=K)
    return Derivation("cross-entropy-kl", K, notation, tuple(steps), ctx, result=vec,
                      constraints=(("sum-one", (notation.target, "simplex")),), assumptions=("distribution", "kl-positive"))


def _xlogy(x, y):
    """x log y with 0 log 0 = 0 (the limit), as PyTorch's xlogy and kl_div take it."""
    return mpmath.mpf(0) if x == 0 else x * mpmath.log(y)


def example(d: Derivation, recipe, values) -> numeric.Example:
    """a, L and the gradient through the derivation; H(y) and KL(y || a) beside them (0 log 0 = 0)."""
    ex = numeric.single_example(d, recipe, values)
    y = [mpmath.mpf(t) for t in ex.data["target"]]
    with mpmath.workdps(numeric.digits()):
        s = numeric.evaluate_sample(d, ex.data["logits"], ex.data["target"])
        entropy = -mpmath.fsum(_xlogy(t, t) for t in y)
        kl = mpmath.fsum(_xlogy(t, t) - _xlogy(t, p) for t, p in zip(y, s.probs))
    n = d.notation
    labels = (rf"\mathrm{{H}}(\mathbf{{{n.target}}})", rf"\mathrm{{KL}}(\mathbf{{{n.target}}} \,\|\, \mathbf{{{n.probs}}})")
    rows = ex.rows[:4] + tuple(zip(labels, (numeric._num(float(entropy)), numeric._num(float(kl))))) + ex.rows[4:]
    return numeric.Example(rows, {**ex.data, "entropy": float(entropy), "kl": float(kl)}, ex.digits)


register(Recipe("cross-entropy-kl", "cross-entropy",
                "Cross-entropy = entropy + KL divergence: H(y, a) = H(y) + KL(y || a), same gradient a - y in z",
                build, target="distribution", example=example,
                details="The target is a distribution. The decomposition needs y_i > 0 (y log y); the verifier "
                        "checks it on positive targets and the gradient's last step on the simplex. The worked "
                        "example also takes one-hot targets, with 0 log 0 = 0 as PyTorch's kl_div does."))
