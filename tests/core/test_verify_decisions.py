"""The verifier's decision rule, table-driven: exact where it can, precision doubling elsewhere,
real variables over the reals, every index pattern. Each row: a claim and the verdict it must get."""
from __future__ import annotations

import pytest
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import Rational as R
from sympy import exp, log

from derive.calculus import symbols as sym
from derive.verifier.evaluate import Definition
from derive.calculus.objects import sigmoid
from derive.verifier.verify import Context, verify

K = sym.size("K")
i, j, k = sym.index("i"), sym.index("j"), sym.index("k")
x, t = sym.scalar("x"), sym.scalar("t")
y, z, a = sym.indexed("y"), sym.indexed("z"), sym.indexed("a")
GENERAL = Context()
SOFTMAX = Context(definitions=(Definition(a[i], exp(z[i]) / sp.Sum(exp(z[k]), (k, 1, K))),))

# (name, lhs, rhs, context, expected status)
CASES = [
    # -- tiny differences are differences: never an absolute tolerance --
    ("sigma(100) = 1", sigmoid(100), 1, GENERAL, "refuted"),
    ("sigma(300) = 1: lost at 120 digits", sigmoid(300), 1, GENERAL, "refuted"),
    ("e^-100 = 0", exp(-100), 0, GENERAL, "refuted"),
    ("e^-1000 = 0", exp(-1000), 0, GENERAL, "refuted"),
    ("log(1 + e^-80) = 0", log(1 + exp(-80)), 0, GENERAL, "refuted"),
    ("1 = 1 + 10^-31", sp.Integer(1), 1 + R(1, 10 ** 31), GENERAL, "refuted"),
    ("1 = 1 + 10^-200", sp.Integer(1), 1 + R(1, 10 ** 200), GENERAL, "refuted"),
    ("e^x = e^x + e^-150: absorbed at 60 digits", exp(x), exp(x) + exp(-150), GENERAL, "refuted"),
    ("sigma(2000) = 1: below every precision tried", sigmoid(2000), 1, GENERAL, "refuted"),
    ("log(1 + e^-2000) = 0", log(1 + exp(-2000)), 0, GENERAL, "refuted"),
    ("x + e^-2000 = x", x + exp(-2000), x, GENERAL, "refuted"),
    ("sigma(x + 2000) = 1: a lost term is no agreement", sigmoid(x + 2000), 1, GENERAL, "unconfirmed"),
    ("log(1 + e^(-x^2 - 2000)) = 0", log(1 + exp(-x ** 2 - 2000)), 0, GENERAL, "unconfirmed"),
    ("e^x + e^(-x^2 - 2000) = e^x", exp(x) + exp(-x ** 2 - 2000), exp(x), GENERAL, "unconfirmed"),
    ("x = x (1 + 10^-40)", x, x * (1 + R(1, 10 ** 40)), GENERAL, "refuted"),
    ("tiny values, relative difference", exp(-500) * (1 + x ** 2), exp(-500) * (1 + x ** 2) * (1 + R(1, 10 ** 20)), GENERAL, "refuted"),
    # -- exact decimals and cancellation beyond the working precision --
    ("0.1 + 0.2 = 0.3", R("0.1") + R("0.2"), R("0.3"), GENERAL, "verified"),
    ("0.1 + 0.2 = 0.30000000000000004", R("0.1") + R("0.2"), R("0.30000000000000004"), GENERAL, "refuted"),
    ("(x + 10^40)^2 - 10^80 - 2 10^40 x = x^2", (x + 10 ** 40) ** 2 - 10 ** 80 - 2 * 10 ** 40 * x, x ** 2, GENERAL, "verified"),
    ("(x + 10^40)^2 - 10^80 - 2 10^40 x = x^2 + 1", (x + 10 ** 40) ** 2 - 10 ** 80 - 2 * 10 ** 40 * x, x ** 2 + 1, GENERAL, "refuted"),
    ("log(e^(x + 10^40)) - 10^40 = x: cancellation", log(exp(x + 10 ** 40)) - 10 ** 40, x, GENERAL, "verified"),
    ("sigma(x) + sigma(-x) = 1", sigmoid(x) + sigmoid(-x), 1, GENERAL, "verified"),
    ("sigma(x) + sigma(-x) - 1 = 0: true zero", sigmoid(x) + sigmoid(-x) - 1, 0, GENERAL, "verified"),
    ("huge magnitudes", exp(x + 300) * exp(-x), exp(300), GENERAL, "verified"),
    ("huge magnitudes, off by one part in 10^25", exp(400) * (1 + R(1, 10 ** 25)), exp(400), GENERAL, "refuted"),
    # -- real variables over the reals --
    ("(x^2)^(1/2) = x", (x ** 2) ** R(1, 2), x, GENERAL, "refuted"),
    ("log(x^2) = 2 log x", log(x ** 2), 2 * log(x), GENERAL, "refuted"),
    ("|x| = x", sp.Abs(x), x, GENERAL, "refuted"),
    ("x^2 = |x|^2", x ** 2, sp.Abs(x) ** 2, GENERAL, "verified"),
    ("(x^2)^(1/2) = x for x > 0", (x ** 2) ** R(1, 2), x, Context(domains=(("x", "positive"),)), "verified"),
    ("log(x^2) = 2 log x for x > 0", log(x ** 2), 2 * log(x), Context(domains=(("x", "positive"),)), "verified"),
    ("max(x, 0) = x", sp.Max(x, 0), x, GENERAL, "refuted"),
    ("x^3 = x only near 0", x ** 3 + x, 2 * x, GENERAL, "refuted"),
    ("sign only on negative inputs: x t = |x t|", x * t, sp.Abs(x * t), GENERAL, "refuted"),
    # -- index values: every pattern, every constant, large K --
    ("y_i delta_{i,17} = 0, K = 50", y[i] * delta(i, 17), 0, Context(size=50), "refuted"),
    ("y_i delta_{i,17} = 0, general K", y[i] * delta(i, 17), 0, GENERAL, "refuted"),
    ("y_i delta_{i,17} = y_17 delta_{i,17}, K = 50", y[i] * delta(i, 17), y[17] * delta(i, 17), Context(size=50), "verified"),
    ("delta_{iK} y_i = delta_{iK} y_K", delta(i, K) * y[i], delta(i, K) * y[K], GENERAL, "verified"),
    ("delta_{iK} y_i = 0", delta(i, K) * y[i], 0, GENERAL, "refuted"),
    ("delta_{i1} y_i = 0", delta(i, 1) * y[i], 0, GENERAL, "refuted"),
    ("delta_ij delta_jk = delta_ik", delta(i, j) * delta(j, k), delta(i, k), GENERAL, "refuted"),
    ("delta_ij delta_jk = delta_ik delta_ij", delta(i, j) * delta(j, k), delta(i, k) * delta(i, j), GENERAL, "verified"),
    ("true for K = 2..8 only", sp.Integer(0), (K - 2) * (K - 3) * (K - 4) * (K - 5) * (K - 6) * (K - 7) * (K - 8), GENERAL, "refuted"),
    ("false only at K = 9", sp.Sum(y[k] * delta(k, 9), (k, 1, K)), 0, GENERAL, "refuted"),
    ("sum over K of delta_{k,K+1} = 0", sp.Sum(delta(k, K + 1), (k, 1, K)), 0, GENERAL, "verified"),
    ("sum of delta_{k3} = 1: 0 at K = 2", sp.Sum(delta(k, 3), (k, 1, K)), 1, GENERAL, "refuted"),
    ("sum of delta_{k1} = 1", sp.Sum(delta(k, 1), (k, 1, K)), 1, GENERAL, "verified"),
    ("sum of delta_{k,K-3} = 1: 0 at K = 2, 3", sp.Sum(delta(k, K - 3), (k, 1, K)), 1, GENERAL, "refuted"),
    # -- trigonometry (forward-mode derivatives too) --
    ("sin 2x = 2 sin x cos x", sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x), GENERAL, "verified"),
    ("sin 2x = 2 sin x", sp.sin(2 * x), 2 * sp.sin(x), GENERAL, "refuted"),
    ("tanh' = 1 - tanh^2", sp.Derivative(sp.tanh(x), x), 1 - sp.tanh(x) ** 2, GENERAL, "verified"),
    ("tanh' = 1 + tanh^2", sp.Derivative(sp.tanh(x), x), 1 + sp.tanh(x) ** 2, GENERAL, "refuted"),
    ("cos' = sin", sp.Derivative(sp.cos(x), x), sp.sin(x), GENERAL, "refuted"),
    ("sum of delta_{k,K} = 1", sp.Sum(delta(k, K), (k, 1, K)), 1, GENERAL, "verified"),
    ("sum of probabilities", sp.Sum(a[k], (k, 1, K)), 1, SOFTMAX, "verified"),
    ("sum of probabilities is not 1 + 10^-40", sp.Sum(a[k], (k, 1, K)), 1 + R(1, 10 ** 40), SOFTMAX, "refuted"),
    ("a_i = a_j only when i = j", a[i], a[j], SOFTMAX, "refuted"),
]


@pytest.mark.parametrize("name,lhs,rhs,ctx,expected", CASES, ids=[c[0] for c in CASES])
def test_verdict(name, lhs, rhs, ctx, expected):
    v = verify(lhs, rhs, ctx)
    assert v.status == expected, v.detail
    if expected == "refuted":
        ce = v.counterexample
        assert ce is not None and "lhs" in ce and "rhs" in ce


def test_a_negative_value_is_the_counterexample():
    v = verify((x ** 2) ** R(1, 2), x, GENERAL)
    assert v.counterexample["x"] < 0
    v = verify(log(x ** 2), 2 * log(x), GENERAL)
    assert v.counterexample["x"] < 0 and "right side has no value" in v.detail


def test_a_tiny_difference_is_reported_as_such():
    v = verify(sigmoid(100), 1, GENERAL)
    assert v.counterexample["difference"] == pytest.approx(-exp(-100).evalf(30), rel=1e-9)


def test_the_constant_index_is_tried():
    v = verify(y[i] * delta(i, 17), 0, Context(size=50))
    assert v.counterexample["indices"] == {"i": 17}
    v = verify(y[i] * delta(i, 17), 0, GENERAL)
    assert v.counterexample["K"] >= 17 and v.counterexample["indices"] == {"i": 17}


def test_general_K_is_checked_beyond_8():
    v = verify(sp.Sum(y[k] * delta(k, 9), (k, 1, K)), 0, GENERAL)
    assert v.counterexample["K"] >= 9
    ok = verify(sp.Sum(y[k] * delta(k, j) * y[j], (k, 1, K)), y[j] ** 2 + 0 * sp.Abs(y[j]), GENERAL)
    assert ok.ok
    if ok.method == "numeric":
        assert "16" in ok.detail and "all index patterns" in ok.detail


def test_python_floats_are_exact_decimals():
    assert verify(sym.basic(0.1) + sym.basic(0.2), 0.3, GENERAL).ok
    assert verify(sp.Rational(1, 10) + sp.Rational(2, 10), 0.30000000000000004, GENERAL).status == "refuted"
    with pytest.raises(ValueError):
        sym.basic(float("nan"))


def test_exact_decimals_are_rational():
    v = verify(R("0.1") + R("0.2"), R("0.3"), GENERAL)
    assert v.ok and v.method == "symbolic"
    v = verify(sp.Integer(1), 1 + R(1, 10 ** 31), GENERAL)
    assert v.status == "refuted" and v.method == "symbolic" and "exactly" in v.detail


def test_cannot_separate_is_unconfirmed_not_a_guess():
    # values that neither settle nor shrink as the precision doubles: no decision either way
    import random

    import mpmath

    from derive.verifier import verify as V

    class Noisy:
        def __init__(self, dps):
            self.dps, self.rng, self.absorbed = dps, random.Random(dps), False

        def scalar(self, e, idx):
            with mpmath.workdps(self.dps):
                return mpmath.mpf(1) + mpmath.mpf(self.rng.random()) * mpmath.mpf(10) ** -20

    outcome, _, _, why = V._decide(Noisy, x, t, {}, None)
    assert outcome == V.UNSURE and "cannot separate the sides at 480 digits" in why


def test_a_term_lost_below_every_precision_is_unconfirmed_not_ok():
    # 1 + e^{-1150} is 1 at 480 digits: the sides then print equal, which proves nothing
    v = verify(log(1 + exp(-x ** 2 - 1150)) + exp(x), exp(x), GENERAL)
    assert v.status == "unconfirmed" and "below the precision" in v.detail
    assert verify(log(1 + exp(-x ** 2 - 460)) + exp(x), exp(x), GENERAL).status == "refuted"


def test_a_tiny_nonzero_constant_is_shown():
    v = verify(sigmoid(2000), 1, GENERAL)
    assert v.counterexample["difference"] == "-2.58e-869"
