"""The K = 2 case: softmax_1(z_1, z_2) = sigma(z_1 - z_2), and cross-entropy is binary cross-entropy with logits.

Not engine-made: the K = 2 reduction to a sigmoid is an equivalence of formulas, not a gradient.
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log
from sympy.matrices.expressions import MatAdd

from .. import numeric
from ..calculus import symbols as sym
from ..verifier.evaluate import Definition
from ..calculus.objects import sigmoid
from ..errors import UsageError
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .chain import vector_steps
from .softmax import loss_body

X, ELL = sym.scalar("x"), sym.scalar("ell")   # the binary logit z_1 - z_2 and the binary loss


def build(K, notation, params) -> Derivation:
    # intrinsically K = 2: a general K name is accepted (the document says K = 2), any other number refused
    if isinstance(K, int) and K != 2:
        raise UsageError(f"-K {K}: sigmoid-cross-entropy is the two-class case (use -K 2); "
                         f"for {K} classes see softmax-cross-entropy")
    if {"x", "ell"} & set(notation.as_dict().values()):
        raise UsageError("sigmoid-cross-entropy calls the binary logit x and its loss ell: choose other names")
    v = Vars(notation, 2)
    z, a, y, L = v.z, v.a, v.y, v.L
    x, ell = X, ELL
    d = sp.Derivative
    s = sigmoid(x)
    xdef = Definition(x, add(z[1], neg(z[2])))
    bce = Definition(ell, neg(add(mul(y[1], log(s)), mul(add(1, neg(y[1])), log(add(1, neg(s)))))))
    loss = Definition(L, loss_body(v))
    one = sp.Integer(1)
    sum_one = ("sum-one",)
    steps = [Step(Rule.DEFINITION, df.head, df.body, "model") for df in (v.softmax_definition, loss, xdef, bce)]
    steps += [
        Step(Rule.SUBSTITUTE, a[1], frac(exp(z[1]), add(exp(z[1]), exp(z[2]))), "reduction", params=(("variant", "k2"),)),
        Step(Rule.SIGMOID_FORM, a[1], sp.Pow(add(one, exp(neg(add(z[1], neg(z[2]))))), -1, evaluate=False), "reduction", chain=True),
        Step(Rule.SIGMOID_FORM, a[1], s, "reduction", chain=True, params=(("variant", "sigma"),)),
        Step(Rule.SOFTMAX_SUMS_TO_ONE, a[2], add(one, neg(a[1])), "reduction", params=(("variant", "k2"),)),
        Step(Rule.SUBSTITUTE, a[2], add(one, neg(s)), "reduction", chain=True, params=(("variant", "sigma"),)),
        Step(Rule.ALGEBRA, a[2], sigmoid(neg(x)), "reduction", chain=True, params=(("variant", "complement"),)),
        Step(Rule.DERIVATIVE_SIGMOID, d(s, x), frac(exp(neg(x)), add(one, exp(neg(x))) ** 2), "sigmoid"),
        Step(Rule.ALGEBRA, d(s, x), mul(s, add(one, neg(s))), "sigmoid", chain=True, params=(("variant", "sigma-prime"),)),
        Step(Rule.DERIVATIVE_LOG, d(ell, x), neg(add(mul(y[1], frac(d(s, x), s)), neg(mul(add(1, neg(y[1])),
                                                                                       frac(d(s, x), add(one, neg(s))))))),
             "bce", params=(("variant", "bce"),)),
        Step(Rule.DERIVATIVE_SIGMOID, d(ell, x), neg(add(mul(y[1], add(one, neg(s))), neg(mul(add(1, neg(y[1])), s)))),
             "bce", chain=True, params=(("variant", "use"),)),
        Step(Rule.ALGEBRA, d(ell, x), add(s, neg(y[1])), "bce", chain=True),
        Step(Rule.BINARY_REDUCTION, L, neg(add(mul(y[1], log(a[1])), mul(y[2], log(a[2])))), "match",
             params=(("variant", "expand"),)),
        Step(Rule.BINARY_REDUCTION, L, ell, "match", chain=True, uses=sum_one),
    ]
    for c, sign in ((1, one), (2, -one)):
        steps += [
            Step(Rule.CHAIN_RULE, d(L, z[c]), mul(d(ell, x), d(x, z[c])), "match", uses=sum_one,
                 params=(("variant", "binary" if c == 1 else "binary-2"),)),
            Step(Rule.SUBSTITUTE, d(L, z[c]), mul(sign, add(s, neg(y[1]))) if c == 2 else add(s, neg(y[1])), "match",
                 chain=True, uses=sum_one, params=(("variant", "bce-gradient"),)),
            Step(Rule.SUBSTITUTE, d(L, z[c]), add(a[c], neg(y[c])), "match", chain=True, uses=sum_one,
                 params=(("variant", "component"),)),
        ]
    vec = MatAdd(v.vec(a), -v.vec(y), evaluate=False)
    steps += vector_steps(v, add(a[v.j], neg(y[v.j])), vec, "result", sum_one)
    ctx = Context(definitions=(v.softmax_definition, loss, xdef, bce),
                  domains=((notation.logits, "real"), (notation.target, "positive")), size=2,
                  points=6)  # one size only: more random points
    return Derivation("sigmoid-cross-entropy", 2, notation, tuple(steps), ctx, result=vec,
                      constraints=(("sum-one", (notation.target, "simplex")),), assumptions=("distribution", "binary"))


def example(d: Derivation, recipe, values) -> numeric.Example:
    """The softmax side (a, L, dL/dz) and the sigmoid side (x, sigma(x), ell, d ell/dx) at the same numbers."""
    ex = numeric.single_example(d, recipe, values)
    n = d.notation
    x, ell = X, ELL
    ev = numeric.evaluator_at(d, ex.data["logits"], ex.data["target"])
    xv, sv, lv = ev.scalar(x), ev.scalar(sigmoid(x)), ev.scalar(ell)
    grad = sv - ev.scalar(sp.IndexedBase(n.target)[1])   # the derived d ell / dx = sigma(x) - y_1
    ell_tex = r"\ell"
    rows = ex.rows + ((f"{x} = {n.logits}_{{1}} - {n.logits}_{{2}}", numeric._num(float(xv))),
                      (rf"\sigma({x})", numeric._num(float(sv))), (ell_tex, numeric._num(float(lv))),
                      (rf"\frac{{\partial {ell_tex}}}{{\partial {x}}} = \sigma({x}) - {n.target}_{{1}}", numeric._num(float(grad))))
    data = {**ex.data, "binary_logit": float(xv), "sigmoid": float(sv), "bce": float(lv), "bce_gradient": float(grad)}
    return numeric.Example(rows, data, ex.digits)


register(Recipe("sigmoid-cross-entropy", "cross-entropy",
                "K = 2: softmax_1 = sigma(z_1 - z_2), sigma' = sigma(1 - sigma), BCE with logits has gradient sigma(x) - y",
                build, target="distribution", example=example,
                details="Intrinsically the K = 2 case: -K 2 (or a name such as -K K) gives the two-class document; any "
                        "other number is refused (for K classes see softmax-cross-entropy). It shows a_1 = sigma(z_1 - z_2), sigma' = sigma(1 - sigma), "
                        "binary cross-entropy with logits (PyTorch's binary_cross_entropy_with_logits) with gradient "
                        "sigma(x) - y_1, and that dL/dz_1 = a_1 - y_1, dL/dz_2 = -(sigma(x) - y_1) = a_2 - y_2. "
                        "--values takes two logits and a class index or a distribution (y_1, y_2)."))
