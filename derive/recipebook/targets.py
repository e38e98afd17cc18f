"""Cross-entropy with other targets: soft labels, multi-label, label smoothing, class weights.

All four are data: a LossSpec the engine (derive.engine) derives, each document then adding what is
particular to it: for multi-label the step that shows where sum y = 1 is needed, for label smoothing
PyTorch's split of the loss, for class weights the vector form and the reduction for one-hot targets
(the worked example follows PyTorch's weighted mean over a batch).
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.matrices.expressions import MatAdd, MatMul

from ..calculus import symbols as sym
from ..verifier.evaluate import Definition
from ..engine.build import derive_gradient
from ..engine.spec import Constraint, from_sympy
from .. import numeric
from ..steps import Derivation, Rule, Step
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .chain import column, grad, vector_steps
from .options import EPSILON, IGNORE_INDEX, SMOOTHING, WEIGHT, check_weight_length

EPS = sym.scalar("epsilon")


def _loss(v: Vars, t) -> sp.Basic:
    return neg(v.sum(mul(t(v.i), sp.log(v.a[v.i])), v.i))


def _gap_steps(v: Vars) -> list[Step]:
    """(sum y) a_j - y_j = (a_j - y_j) + (sum y - 1) a_j, then a_j - y_j when sum y = 1."""
    a, y, j, i = v.a, v.y, v.j, v.i
    gl = sp.Derivative(v.L, v.z[j])
    sy = v.sum(y[i], i)
    return [
        Step(Rule.CONSTRAINT_GAP, gl, add(add(a[j], neg(y[j])), mul(add(sy, -1), a[j])), "result"),
        Step(Rule.USE_CONSTRAINT, gl, add(a[j], neg(y[j])), "result", chain=True, uses=("sum-one",)),
    ]


def _basic(v: Vars):
    y = v.y
    loss = Definition(v.L, _loss(v, lambda i: y[i]))
    vec = MatAdd(MatMul(v.sum(y[v.i], v.i), v.vec(v.a), evaluate=False), -v.vec(y), evaluate=False)
    return loss, vec


def _engine(v: Vars, name: str, loss: Definition, facts=(), domains=()) -> Derivation:
    """The engine's derivation of a cross-entropy LossSpec, citing the textbook lemmas."""
    spec = from_sympy((v.softmax_definition,), loss, v.notation.logits, v.K, domains, facts, route=("lemmas",))
    return derive_gradient(spec, v.notation, name)


def build_soft_label(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    loss, _ = _basic(v)
    return _engine(v, "soft-label-cross-entropy", loss, (Constraint(notation.target),),
                   ((notation.target, "positive"),))


def build_multi_label(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    loss, vec = _basic(v)
    d = _engine(v, "multi-label-cross-entropy", loss, (), ((notation.target, "nonnegative"),))
    steps = list(d.steps) + _gap_steps(v)
    steps += [Step(Rule.VECTOR_FORM, grad(v), MatAdd(v.vec(v.a), -v.vec(v.y), evaluate=False), "result", uses=("sum-one",))]
    return replace(d, steps=tuple(steps), params=(), result=vec,
                   constraints=(("sum-one", (notation.target, "sum-one")),), assumptions=("nonnegative",))


def _q(v: Vars):
    """The smoothed target's name: q, unless the notation already uses it."""
    taken = set(v.notation.as_dict().values())
    name = next(n for n in ("q", "p", "t", "u") if n not in taken)
    return sym.indexed(name)


def build_label_smoothing(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    y, a, i, j = v.y, v.a, v.i, v.j
    q = _q(v)
    def smooth(n):
        return add(mul(add(1, neg(EPS)), y[n]), frac(EPS, K))
    qdef = Definition(q[i], smooth(i))
    loss = Definition(v.L, _loss(v, lambda n: q[n]))
    spec = from_sympy((v.softmax_definition, qdef), loss, notation.logits, K,
                      ((notation.target, "positive"), ("epsilon", "unit")), (Constraint(notation.target),),
                      route=("lemmas",))
    d = derive_gradient(spec, notation, "label-smoothing-cross-entropy")
    split = add(mul(add(1, neg(EPS)), neg(v.sum(mul(y[i], sp.log(a[i])), i))),
                mul(frac(EPS, K), v.sum(neg(sp.log(a[i])), i)))
    gl = sp.Derivative(v.L, v.z[j])
    qvec = column(v, smooth(j))
    # PyTorch's form of the loss after the definitions, the smoothed target written out at the end
    steps = [s for s in d.steps if s.is_definition] + [Step(Rule.SMOOTHING_SPLIT, v.L, split, "model")]
    steps += [s for s in d.steps if not s.is_definition and s.rule is not Rule.VECTOR_FORM]
    steps += [Step(Rule.SUBSTITUTE, gl, add(a[j], neg(smooth(j))), "result", chain=True, uses=("sum-one",),
                   params=(("variant", "smoothed"),))]
    steps += vector_steps(v, add(a[j], neg(smooth(j))), MatAdd(v.vec(a), -qvec, evaluate=False), "result", ("sum-one",))
    return replace(d, steps=tuple(steps), params=(("epsilon", params["epsilon"]),),
                   result=MatAdd(v.vec(a), -qvec, evaluate=False), assumptions=("distribution", "smoothing"))


def _w(v: Vars):
    taken = set(v.notation.as_dict().values())
    return sym.indexed(next(n for n in ("w", "omega", "c") if n not in taken))


def build_weighted(K, notation, params) -> Derivation:
    check_weight_length(params.get("weight"), K)
    v = Vars(notation, K)
    y, a, i, j = v.y, v.a, v.i, v.j
    w = _w(v)
    def t(n):
        return mul(w[n], y[n])
    loss = Definition(v.L, _loss(v, t))
    swy = v.sum(t(i), i)
    gl = sp.Derivative(v.L, v.z[j])
    wy = column(v, t(j))
    vec = MatAdd(MatMul(swy, v.vec(a), evaluate=False), -wy, evaluate=False)
    d = _engine(v, "weighted-cross-entropy", loss, (), ((notation.target, "positive"), (str(w.label), "positive")))
    steps = list(d.steps) + vector_steps(v, add(mul(a[j], swy), neg(t(j))), vec, "gradient")
    steps += [
        Step(Rule.ONE_HOT_WEIGHT, gl, add(mul(a[j], swy), neg(mul(swy, y[j]))), "result", uses=("one-hot",)),
        Step(Rule.ALGEBRA, gl, mul(swy, add(a[j], neg(y[j]))), "result", chain=True, uses=("one-hot",)),
        Step(Rule.VECTOR_FORM, grad(v), MatMul(swy, MatAdd(v.vec(a), -v.vec(y), evaluate=False), evaluate=False),
             "result", uses=("one-hot",)),
    ]
    shown = tuple((k, params[k]) for k in ("weight", "ignore_index", "label_smoothing") if params.get(k) is not None)
    return replace(d, steps=tuple(steps), params=shown, result=vec,
                   constraints=(("one-hot", (notation.target, "one-hot")),), assumptions=("weights", "reduction-weights"))


def _weighted_example(d, recipe, values):
    p = dict(d.params)
    return numeric.weighted_batch_example(d, recipe, values, str(_w(Vars(d.notation, d.K)).label), p.get("weight"),
                                          p.get("label_smoothing", 0.0), p.get("ignore_index", -100))


def _smoothing_example(d, recipe, values):
    eps = dict(d.params)["epsilon"]
    return numeric.single_example(d, recipe, values, {"epsilon": eps}, ((r"\epsilon", numeric._num(eps)),))


register(Recipe("soft-label-cross-entropy", "cross-entropy", "A soft target q (a distribution, sum q = 1): dL/dz = a - q",
                build_soft_label, target="distribution", example=numeric.single_example,
                details="The target is any probability distribution (e.g. a Sinkhorn assignment); "
                        "only sum(y) = 1 is used, in the last step."))
register(Recipe("multi-label-cross-entropy", "cross-entropy",
                "A multi-label target (any y >= 0): dL/dz = a sum(y) - y; a - y only if sum(y) = 1",
                build_multi_label, target="any", example=numeric.single_example,
                details="The target may have several ones or any non-negative entries; the document shows the "
                        "step that needs sum(y) = 1 and the term (sum(y) - 1) a it removes."))
register(Recipe("label-smoothing-cross-entropy", "options",
                "Label smoothing (PyTorch label_smoothing=epsilon): dL/dz = a - ((1 - epsilon) y + epsilon/K)",
                build_label_smoothing, params=(EPSILON,), target="distribution",
                example=_smoothing_example,
                details="PyTorch's semantics: the target becomes (1 - epsilon) y + epsilon/K, i.e. the loss is "
                        "(1 - epsilon) CE(y) + (epsilon/K) sum_k (-log a_k)."))
register(Recipe("weighted-cross-entropy", "options",
                "Class weights w (PyTorch weight=): dL/dz = (sum_c w_c y_c) a - w*y",
                build_weighted, params=(WEIGHT, IGNORE_INDEX, SMOOTHING), target="distribution", batch=True,
                example=_weighted_example,
                details="Probability targets: L = -sum_c w_c y_c log a_c. Class-index targets: L = w_c (-log a_c), "
                        "and PyTorch's mean over a batch divides by the sum of the weights of the targets "
                        "(samples with target ignore_index left out). The worked example takes a batch "
                        "(rows separated by ';') and follows PyTorch exactly."))
