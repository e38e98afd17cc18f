"""Cross-entropy over an N x K batch (P, Q in the usual notation), mean or sum: dL/dZ = (A - Y)/N for the mean.

Not engine-made: the logits are an N x K matrix; the engine differentiates by a vector.
"""
from __future__ import annotations

import mpmath
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp, log

from .. import numeric
from ..calculus import symbols as sym
from ..verifier.evaluate import Definition, EvalError, Evaluator
from ..calculus.objects import Entrywise
from ..errors import UsageError
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from . import Recipe, register
from .base import Vars, add, frac, mul, neg
from .options import REDUCTION

class BatchSize(sp.Expr):
    """N, the number of rows. Not a Symbol, so the verifier does not take it for a free index; its
    value is a leaf ("N", ()) when given (the worked example), else K: the verifier draws an N x K
    matrix as K x K and so checks every identity with N = K rows (2..8 for a general K). The claims
    hold row by row, so none depends on N being equal to K."""

    is_integer = True
    is_positive = True
    is_finite = True

    def __new__(cls):
        return sp.Expr.__new__(cls)

    @property
    def free_symbols(self):
        return set()

    def numeric(self, evaluator, idx):
        return evaluator.leaves.get(("N", ()), mpmath.mpf(evaluator.K))

    def _derive_latex(self, printer):
        return "N"


N = BatchSize()


def _letters(v: Vars):
    taken = set(v.notation.as_dict().values()) | {v.notation.i, v.notation.j, v.notation.k, str(v.K)}
    free = [c for c in ("n", "m", "r", "s", "p") if c not in taken]
    return sym.index(free[0]), sym.index(free[1])


def build(K, notation, params) -> Derivation:
    if str(K) == "N" or "N" in notation.as_dict().values() or notation.logits.upper() == notation.target.upper():
        raise UsageError("the batch size is called N: choose another name for the class count or the notation")
    v = Vars(notation, K)
    z, a, y, i, j, k, L = v.z, v.a, v.y, v.i, v.j, v.k, v.L
    n, m = _letters(v)
    mean = params["reduction"] == "mean"
    scale = (lambda x: mul(frac(1, N), x)) if mean else (lambda x: x)
    softmax = Definition(a[n, i], frac(exp(z[n, i]), v.sum(exp(z[n, k]), k)))
    loss = Definition(L, scale(sp.Sum(neg(mul(y[n, i], log(a[n, i]))), (i, 1, K), (n, 1, N))))
    d = sp.Derivative
    gl = d(L, z[m, j])
    jac = mul(delta(n, m), a[n, i], add(delta(i, j), neg(a[n, j])))
    rows = lambda body: sp.Sum(body, (i, 1, K), (n, 1, N))  # noqa: E731
    steps = [Step(Rule.DEFINITION, softmax.head, softmax.body, "model"), Step(Rule.DEFINITION, L, loss.body, "model")]
    steps += [
        Step(Rule.ROWS_INDEPENDENT, d(a[n, i], z[m, j]), jac, "jacobian"),
        Step(Rule.DERIVATIVE_LOG, d(L, a[n, i]), scale(neg(frac(y[n, i], a[n, i]))), "loss",
             params=(("variant", "batch"),)),
        Step(Rule.BATCH_CHAIN_RULE, gl, rows(mul(d(L, a[n, i]), d(a[n, i], z[m, j]))), "gradient"),
        Step(Rule.SUBSTITUTE, gl, rows(mul(scale(neg(frac(y[n, i], a[n, i]))), jac)), "gradient", chain=True),
        Step(Rule.DELTA_CONTRACTION, gl, scale(v.sum(mul(neg(frac(y[m, i], a[m, i])), a[m, i], add(delta(i, j), neg(a[m, j]))), i)),
             "gradient", chain=True, params=(("variant", "rows"),)),
        Step(Rule.ALGEBRA, gl, scale(add(mul(a[m, j], v.sum(y[m, i], i)), neg(y[m, j]))), "gradient", chain=True),
        Step(Rule.USE_CONSTRAINT, gl, scale(add(a[m, j], neg(y[m, j]))), "result", uses=("sum-one",),
             params=(("variant", "rows"),)),
    ]
    result = Entrywise(scale(add(a[m, j], neg(y[m, j]))), m, j, N, K)
    steps.append(Step(Rule.MATRIX_OF_ENTRIES, Entrywise(d(L, z[m, j]), m, j, N, K), result, "result",
                      uses=("sum-one",)))
    ctx = Context(definitions=(softmax, loss),
                  domains=((notation.logits, "real"), (notation.target, "positive")), size=K)
    return Derivation("batch-cross-entropy", K, notation, tuple(steps), ctx, params=(("reduction", params["reduction"]),),
                      result=result, constraints=(("sum-one", (notation.target, "one-hot")),),
                      assumptions=("batch", "batch-rows"))


def example(d: Derivation, recipe, values) -> numeric.Example:
    """Rows of logits and targets (class indices or distributions), through the derivation's definitions."""
    vals, z = numeric.logits_rows(d, recipe, values)
    rows_n, K = len(z), len(z[0])
    ys, classes = numeric.target_rows(vals[d.notation.target], rows_n, K, "distribution")
    nt = d.notation
    leaves: dict = {(nt.logits, (r + 1, c + 1)): mpmath.mpf(x) for r, row in enumerate(z) for c, x in enumerate(row)}
    leaves.update({(nt.target, (r + 1, c + 1)): mpmath.mpf(x) for r, row in enumerate(ys) for c, x in enumerate(row)})
    leaves[("N", ())] = mpmath.mpf(rows_n)
    # the evaluator checks every index against its K, and rows may outnumber classes: hand it the larger
    # number, with the class count written into the formulas as the integer it is
    fix = (lambda e: e) if isinstance(d.K, int) else (lambda e: e.xreplace({d.K: sp.Integer(K)}))
    defs = {name: Definition(df.head, fix(df.body)) for name, df in d.context.defs().items()}
    ev = Evaluator(leaves, max(K, rows_n), defs, None, dps=numeric.digits())
    result = fix(d.result)
    L = sp.Symbol(nt.loss)
    try:
        with mpmath.workdps(numeric.digits()):
            probs = [[ev.scalar(sp.IndexedBase(nt.probs)[r + 1, c + 1]) for c in range(K)] for r in range(rows_n)]
            loss = ev.scalar(L)
            grad = ev.matrix(result)
            # central differences of the loss along probe directions over all N x K logits (one per
            # entry would be O((NK)^2): 1024 rows took minutes)
            keys = [(nt.logits, (r + 1, c + 1)) for r in range(rows_n) for c in range(K)]
            directions = numeric.probe_directions(len(keys))
            fd = numeric.fd_along(ev, L, keys, directions)
    except EvalError as exc:
        raise numeric.no_finite_value(exc) from None
    shown = ((rf"\mathbf{{{nt.logits.upper()}}}", numeric.mat_tex(z)), (rf"\mathbf{{{nt.target.upper()}}}", numeric.mat_tex(ys)),
             (rf"\mathbf{{{nt.probs.upper()}}}", numeric.mat_tex(probs)), (nt.loss, numeric._num(float(loss))),
             (rf"\frac{{\partial {nt.loss}}}{{\partial \mathbf{{{nt.logits.upper()}}}}}", numeric.mat_tex(grad)))
    data = {"logits": z, "target": ys, "probs": [[float(p) for p in r] for r in probs], "loss": float(loss),
            "gradient": [[float(g) for g in r] for r in grad], "reduction": dict(d.params)["reduction"]}
    flat = [g for gr in grad for g in gr]
    return numeric.Example(shown, data, numeric.agreement(zip(numeric.projected(flat, directions), fd)))


register(Recipe("batch-cross-entropy", "batch",
                "An N x K batch of logits and targets, mean or sum: dL/dZ = (A - Y)/N for the mean",
                build, params=(REDUCTION,), target="one-hot", batch=True, example=example,
                details="Row n of A is the softmax of row n of Z. --values takes rows separated by ';', "
                        "targets as class indices (0;2;1) or distributions."))
