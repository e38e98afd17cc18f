"""The verifier: true identities confirmed, false ones refuted with a counterexample, never guessed."""
from __future__ import annotations

import pytest
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp, log

from derive.calculus import symbols as sym
from derive.verifier.evaluate import Definition
from derive.calculus.objects import Diag, Entrywise, Grad, Jac, vector
from derive.verifier.verify import Context, verify

K = sym.size("K")
i, j, k = sym.index("i"), sym.index("j"), sym.index("k")
z, a, y = sym.indexed("z"), sym.indexed("a"), sym.indexed("y")
L = sym.scalar("L")
S = sp.Sum(exp(z[k]), (k, 1, K))
DEFS = (Definition(a[i], exp(z[i]) / S), Definition(L, -sp.Sum(y[i] * log(a[i]), (i, 1, K))))
CTX = Context(definitions=DEFS, domains=(("z", "real"), ("y", "positive")))
ONE_HOT = Context(definitions=DEFS, domains=(("z", "real"), ("y", "one-hot")))
av, zv, yv = vector("a", K), vector("z", K), vector("y", K)

TRUE = [
    ("softmax derivative", sp.Derivative(a[i], z[j]), a[i] * (delta(i, j) - a[j]), CTX),
    ("sum of probabilities", sp.Sum(a[i], (i, 1, K)), 1, CTX),
    ("delta contraction", sp.Sum(delta(k, j) * exp(z[k]), (k, 1, K)), exp(z[j]), CTX),
    ("log derivative", sp.Derivative(L, a[i]), -y[i] / a[i], CTX),
    ("gradient, any target", sp.Derivative(L, z[j]), a[j] * sp.Sum(y[i], (i, 1, K)) - y[j], CTX),
    ("gradient, one-hot", sp.Derivative(L, z[j]), a[j] - y[j], ONE_HOT),
    ("jacobian matrix", Jac(av, zv), Diag(av) - av * av.T, CTX),
    ("jacobian entries", Jac(av, zv), Entrywise(a[i] * (delta(i, j) - a[j]), i, j, K, K), CTX),
    ("chain rule", Grad(L, zv), Jac(av, zv).T * Grad(L, av), CTX),
    ("vector result", Grad(L, zv), av - yv, ONE_HOT),
    ("second derivative", sp.Derivative(L, z[i], z[j]), sp.Sum(y[k], (k, 1, K)) * a[i] * (delta(i, j) - a[j]), CTX),
]

FALSE = [
    ("lost minus sign", sp.Derivative(a[i], z[j]), a[i] * (delta(i, j) + a[j]), CTX),
    ("swapped indices", sp.Derivative(L, z[j]), a[j] - y[i], ONE_HOT),
    ("constraint not assumed", sp.Derivative(L, z[j]), a[j] - y[j], CTX),
    ("one wrong entry", Jac(av, zv), Diag(av) - av * av.T + Entrywise(delta(i, 1) * delta(j, 2), i, j, K, K), CTX),
    ("transposed product", Grad(L, zv), Grad(L, av), CTX),
    ("true only summed", a[j] * (1 - sp.Sum(a[i] * z[i], (i, 1, K))), a[j] - a[j] * z[j], CTX),
]


@pytest.mark.parametrize("name,lhs,rhs,ctx", TRUE, ids=[t[0] for t in TRUE])
def test_true_identities_are_verified(name, lhs, rhs, ctx):
    v = verify(lhs, rhs, ctx)
    assert v.status == "verified", v.detail


@pytest.mark.parametrize("name,lhs,rhs,ctx", FALSE, ids=[t[0] for t in FALSE])
def test_false_identities_are_refuted_with_a_counterexample(name, lhs, rhs, ctx):
    v = verify(lhs, rhs, ctx)
    assert v.status == "refuted"
    ce = v.counterexample
    assert ce["K"] in range(2, 9)
    assert abs(ce["lhs"] - ce["rhs"]) > 1e-9


def test_condition_restricts_the_indices():
    off = CTX.with_conditions(sp.Ne(i, j))
    assert verify(sp.Derivative(a[i], z[j]), -a[i] * a[j], off).ok
    assert verify(sp.Derivative(a[i], z[j]), -a[i] * a[j], CTX).status == "refuted"
    assert verify(sp.Derivative(a[i], z[j]), a[i] * (1 - a[i]), CTX.with_conditions(sp.Eq(i, j))).ok


def test_an_index_outside_the_range_is_not_contracted():
    # sum_{k=1}^{K} delta_{k,K+1} = 0, not 1: K+1 lies outside 1..K
    assert verify(sp.Sum(delta(k, K + 1), (k, 1, K)), 0, CTX).ok
    assert verify(sp.Sum(delta(k, K + 1), (k, 1, K)), 1, CTX).status == "refuted"


def test_nested_sums_and_a_different_index_letter():
    c = sym.index("c")
    double = sp.Sum(sp.Sum(delta(k, c) * a[k] * a[c], (k, 1, K)), (c, 1, K))
    assert verify(double, sp.Sum(a[c] ** 2, (c, 1, K)), CTX).ok


def test_no_value_on_either_side_is_unconfirmed_not_true():
    v = verify(log(-exp(z[i])), 2 * log(-exp(z[i])), CTX)
    assert v.status == "unconfirmed" and "neither side has a value" in v.detail


def test_a_side_with_no_value_where_the_other_has_one_is_wrong():
    v = verify(log(-exp(z[i])), 0, CTX)
    assert v.status == "refuted" and "left side has no value" in v.detail and "logarithm" in v.detail


def test_time_limit_gives_unconfirmed():
    slow = Context(definitions=DEFS, domains=CTX.domains, time_limit=0.0)
    # max(a_i, 0) = a_i is beyond the normal form: the numeric test decides, and has no time
    assert verify(sp.Max(a[i], 0), a[i], slow).status == "unconfirmed"


def test_concrete_closed_forms_go_the_exact_route():
    z1, z2 = z[1], z[2]
    v = verify(exp(z1) / (exp(z1) + exp(z2)), 1 / (1 + exp(z2 - z1)), Context(size=2))
    assert v.ok and v.method == "symbolic"


def test_large_concrete_K_uses_probes():
    n = 256
    zn, an = vector("z", n), vector("a", n)
    defs = (Definition(a[i], exp(z[i]) / sp.Sum(exp(z[k]), (k, 1, n))),)
    ctx = Context(definitions=defs, size=n)
    assert verify(Jac(an, zn), Entrywise(a[i] * (delta(i, j) - a[j]), i, j, n, n), ctx).ok
    assert verify(Jac(an, zn), Diag(an), ctx).status == "refuted"
