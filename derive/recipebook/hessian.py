"""The Hessian of cross-entropy in z: sum(y) (diag(a) - a a^T), positive semi-definite, H 1 = 0.

Not engine-made: a second derivative with its matrix argument (positive semi-definite, null space 1);
the engine takes first derivatives by a vector.
"""
from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy.matrices.expressions import MatAdd, MatMul

from .. import numeric
from ..errors import UsageError
from ..calculus import symbols as sym
from ..calculus.objects import Diag, Entrywise
from ..steps import Derivation, Rule, Step
from . import Recipe, register
from .base import Vars, add, free_name, mul, neg
from .chain import column
from .softmax import context, definition_steps


class Hessian(Entrywise):
    """The K x K matrix of second derivatives d^2 L / dz_i dz_j, printed as nabla^2 L."""

    def _derive_latex(self, printer):
        body = self.args[0]
        return rf"\nabla^{{2}}_{{\mathbf{{{printer._print(body.variables[0].base)}}}}} {printer._print(body.expr)}"


def hessian_matrix(v: Vars) -> Hessian:
    return Hessian(sp.Derivative(v.L, v.z[v.i], v.z[v.j]), v.i, v.j, v.K, v.K)


def jacobian_matrix(v: Vars):
    """diag(a) - a a^T"""
    av = v.vec(v.a)
    return MatAdd(Diag(av), -av * av.T, evaluate=False)


def build(K, notation, params) -> Derivation:
    v = Vars(notation, K)
    z, a, y, i, j, k, L = v.z, v.a, v.y, v.i, v.j, v.k, v.L
    d = sp.Derivative
    sy = v.sum(y[k], k)
    H = hessian_matrix(v)
    h2 = d(L, z[i], z[j])
    entry = mul(sy, a[i], add(delta(i, j), neg(a[j])))
    u = sym.indexed(free_name(notation, "v", "u", "x", "w"))
    uv = v.vec(u)
    au = v.sum(mul(a[k], u[k]), k)
    steps = definition_steps(v, with_loss=True) + [
        Step(Rule.CE_GRADIENT, d(L, z[j]), add(mul(a[j], sy), neg(y[j])), "gradient"),
        Step(Rule.SUBSTITUTE, h2, d(add(mul(a[j], sy), neg(y[j])), z[i]), "hessian", params=(("variant", "hessian"),)),
        Step(Rule.TARGET_CONSTANT, h2, mul(sy, d(a[j], z[i])), "hessian", chain=True),
        Step(Rule.SOFTMAX_JACOBIAN, h2, mul(sy, a[j], add(delta(j, i), neg(a[i]))), "hessian", chain=True),
        Step(Rule.ALGEBRA, h2, entry, "hessian", chain=True, params=(("variant", "symmetric"),)),
        Step(Rule.HESSIAN_MATRIX, H, v.entries(entry, i, cols=2, col_index=j), "hessian"),
        Step(Rule.MATRIX_FORM, H, MatMul(sy, jacobian_matrix(v), evaluate=False), "hessian", chain=True),
        Step(Rule.USE_CONSTRAINT, H, jacobian_matrix(v), "hessian", chain=True, uses=("sum-one",)),
        # positive semi-definite: the quadratic form is a variance
        Step(Rule.QUADRATIC_FORM, MatMul(uv.T, H, uv), sp.Sum(mul(u[i], entry, u[j]), (i, 1, K), (j, 1, K)), "psd"),
        Step(Rule.DELTA_CONTRACTION, MatMul(uv.T, H, uv),
             mul(sy, add(v.sum(mul(a[i], u[i] ** 2), i), neg(au ** 2))), "psd", chain=True,
             params=(("variant", "quadratic"),)),
        Step(Rule.VARIANCE_FORM, MatMul(uv.T, H, uv), mul(sy, v.sum(mul(a[i], add(u[i], neg(au)) ** 2), i)), "psd",
             chain=True),
        # singular along the all-ones vector
        Step(Rule.DELTA_CONTRACTION, v.sum(h2, j), mul(sy, add(a[i], neg(mul(a[i], v.sum(a[j], j))))), "null",
             params=(("variant", "row-sum"),)),
        Step(Rule.SOFTMAX_SUMS_TO_ONE, v.sum(h2, j), sp.Integer(0), "null", chain=True),
        Step(Rule.VECTOR_FORM, MatMul(H, column(v, 1), evaluate=False), column(v, 0), "null",
             params=(("variant", "null"),)),
    ]
    ctx = replace(context(v, True, "nonnegative"), domains=((notation.logits, "real"), (notation.target, "nonnegative"),
                                                            (str(u.label), "real")))
    return Derivation("cross-entropy-hessian", K, notation, tuple(steps), ctx,
                      result=MatMul(sy, jacobian_matrix(v), evaluate=False),
                      constraints=(("sum-one", (notation.target, "simplex")),),
                      assumptions=("hessian-psd",))


MAX_K_SHOWN = 64   # logits of the worked example: its Hessian is a K x K matrix of numbers


def example(d: Derivation, recipe, values) -> numeric.Example:
    """a, L, the gradient (checked by finite differences), the Hessian and H 1."""
    given = dict(values)
    raw = given.get(d.notation.logits) or given.get("logits") or "0"
    K_given = len(numeric.numbers(d.notation.logits, str(raw)))
    if K_given > MAX_K_SHOWN:  # the K x K matrix is K^2 high-precision entries: K = 1024 took minutes and 700 MB
        raise UsageError(f"--values: the Hessian's worked example shows the {K_given} x {K_given} matrix; it takes "
                         f"at most {MAX_K_SHOWN} logits (the derivation itself works for any K)")
    v = Vars(d.notation, d.K)
    gradient = MatAdd(MatMul(v.sum(v.y[v.k], v.k), v.vec(v.a), evaluate=False), -v.vec(v.y), evaluate=False)
    ex = numeric.single_example(replace(d, result=gradient), recipe, values)
    z, y = ex.data["logits"], ex.data["target"]
    K = len(z)
    n = d.notation
    ev = numeric.evaluator_at(d, z, y)
    hess = ev.matrix(numeric._sized(d.result, d.K, K))
    # the row sums are 0 up to the working precision (50 digits): shown as 0
    ones = [float(mpmath.chop(mpmath.fsum(row), tol=mpmath.mpf(10) ** -40)) for row in hess]
    rows = ex.rows + ((rf"\nabla^{{2}}_{{\mathbf{{{n.logits}}}}} {n.loss}", numeric.mat_tex(hess)),
                      (rf"\nabla^{{2}}_{{\mathbf{{{n.logits}}}}} {n.loss}\,\mathbf{{1}}", numeric.vec_tex(ones)))
    data = {**ex.data, "hessian": [[float(x) for x in row] for row in hess], "hessian_times_ones": [float(x) for x in ones]}
    return numeric.Example(rows, data, ex.digits)


register(Recipe("cross-entropy-hessian", "cross-entropy",
                "The Hessian in z: sum(y) (diag(a) - a a^T), positive semi-definite, singular along the all-ones vector",
                build, target="any", example=example,
                details="Any target y >= 0 (sum(y) = 1 removes the factor). The quadratic form v^T H v is sum(y) times "
                        "the variance of v under a, so H is positive semi-definite, and H 1 = 0: adding a constant to "
                        "every logit changes nothing. The verifier checks the second derivatives numerically (exact "
                        "inner derivative, central difference outside)."))
