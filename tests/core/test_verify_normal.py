"""The index normal form: what it proves holds for every K (checked independently by the numeric
test at other sizes), and what is false it never proves."""
from __future__ import annotations

import random

import pytest
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp, log

from derive import recipebook
from derive.verifier import normal
from derive.calculus import symbols as sym
from derive.verifier.evaluate import Definition
from derive.calculus.objects import Diag, Entrywise, Grad, Jac, sigmoid, vector
from derive.notation import Notation
from derive.pipeline import step_context
from derive.recipebook.base import parse_size
from derive.verifier.verify import Context, _numeric, verify

K = sym.size("K")
i, j, k, c = sym.index("i"), sym.index("j"), sym.index("k"), sym.index("c")
z, a, y, w = sym.indexed("z"), sym.indexed("a"), sym.indexed("y"), sym.indexed("w")
L, x, g = sym.scalar("L"), sym.scalar("x"), sym.scalar("gamma")
S = sp.Sum(exp(z[k]), (k, 1, K))
DEFS = (Definition(a[i], exp(z[i]) / S), Definition(L, -sp.Sum(y[i] * log(a[i]), (i, 1, K))))
CTX = Context(definitions=DEFS, domains=(("z", "real"), ("y", "positive")))
SIMPLEX = Context(definitions=DEFS, domains=(("z", "real"), ("y", "simplex")))
ONE_HOT = Context(definitions=DEFS, domains=(("z", "real"), ("y", "one-hot"), ("w", "positive")))
av, zv, yv = vector("a", K), vector("z", K), vector("y", K)

PROVED = [
    ("softmax derivative", sp.Derivative(a[i], z[j]), a[i] * (delta(i, j) - a[j]), CTX),
    ("gradient", sp.Derivative(L, z[j]), a[j] * sp.Sum(y[i], (i, 1, K)) - y[j], CTX),
    ("gradient, distribution", sp.Derivative(L, z[j]), a[j] - y[j], SIMPLEX),
    ("second derivative", sp.Derivative(L, z[i], z[j]), sp.Sum(y[k], (k, 1, K)) * a[i] * (delta(i, j) - a[j]), CTX),
    ("jacobian matrix", Jac(av, zv), Diag(av) - av * av.T, CTX),
    ("chain rule", Grad(L, zv), Jac(av, zv).T * Grad(L, av), CTX),
    ("vector result", Grad(L, zv), av - yv, SIMPLEX),
    ("probabilities sum to one", sp.Sum(a[c], (c, 1, K)), 1, CTX),
    ("double sum with a delta", sp.Sum(sp.Sum(delta(k, c) * a[k] * a[c], (k, 1, K)), (c, 1, K)), sp.Sum(a[c] ** 2, (c, 1, K)), CTX),
    ("delta outside the range", sp.Sum(delta(k, K + 1), (k, 1, K)), 0, CTX),
    ("delta at K", sp.Sum(delta(k, K) * y[k], (k, 1, K)), y[K], CTX),
    ("log of softmax", log(a[i]), z[i] - log(S), CTX),
    ("shift invariance", a[j], exp(z[j] - x) / sp.Sum(exp(z[k] - x), (k, 1, K)), CTX),
    ("one-hot weight", w[j] * y[j], y[j] * sp.Sum(w[i] * y[i], (i, 1, K)), ONE_HOT),
    ("condition i != j", sp.Derivative(a[i], z[j]), -a[i] * a[j], CTX.with_conditions(sp.Ne(i, j))),
    ("condition i = j", sp.Derivative(a[i], z[j]), a[i] * (1 - a[i]), CTX.with_conditions(sp.Eq(i, j))),
    ("sigmoid symmetry", sigmoid(x) + sigmoid(-x), 1, CTX),
    ("a sum split on a delta inside a function", sp.Sum(exp(delta(k, 1)), (k, 1, K)), sp.E + K - 1, CTX),
    # a symbolic exponent: (1 - a)^g and g (1 - a)^{g - 1} are one atom and a power of the base
    ("power rule, symbolic exponent", sp.Derivative((1 - a[i]) ** g * log(a[i]), a[i]),
     (1 - a[i]) ** g / a[i] - g * (1 - a[i]) ** (g - 1) * log(a[i]), CTX),
    ("exponent split", (1 - a[i]) ** (g + 1), (1 - a[i]) ** g - a[i] * (1 - a[i]) ** g, CTX),
]

NOT_PROVED = [
    ("lost minus sign", sp.Derivative(a[i], z[j]), a[i] * (delta(i, j) + a[j]), CTX),
    ("swapped indices", sp.Derivative(L, z[j]), a[j] - y[i], SIMPLEX),
    ("constraint not assumed", sp.Derivative(L, z[j]), a[j] - y[j], CTX),
    ("delta without the diagonal case", delta(i, j) * y[i], 0, CTX),
    ("delta at a constant", y[i] * delta(i, 17), 0, CTX),
    ("contraction at a constant", sp.Sum(y[k] * delta(k, 9), (k, 1, K)), 0, CTX),
    ("delta transitive", delta(i, j) * delta(j, k), delta(i, k), CTX),
    ("true only summed", a[j] * (1 - sp.Sum(a[i] * z[i], (i, 1, K))), a[j] - a[j] * z[j], CTX),
    ("one-hot rule without one-hot", w[j] * y[j], y[j] * sp.Sum(w[i] * y[i], (i, 1, K)), SIMPLEX),
    ("log of a product of reals", log(x * x), 2 * log(x), CTX),
    ("square root of a square", sp.sqrt(x ** 2), x, CTX),
    ("sum of K ones is not K + 1", sp.Sum(1, (k, 1, K)), K + 1, CTX),
    ("jacobian transposed wrong", Grad(L, zv), Jac(av, zv) * Grad(L, av) + Entrywise(delta(i, 1), i, c, K, 1), CTX),
    ("condition ignored", sp.Derivative(a[i], z[j]), -a[i] * a[j], CTX.with_conditions(sp.Eq(i, j))),
    ("wrong at K = 2 only", sp.Sum(y[k], (k, 1, K)) * (K - 2), 0, CTX),
    ("a split sum off by one term", sp.Sum(exp(delta(k, 1)), (k, 1, K)), sp.E + K, CTX),
    ("exponent off by one", (1 - a[i]) ** (g + 1), (1 - a[i]) ** g, CTX),
    ("power rule without the inner derivative's sign", sp.Derivative((1 - a[i]) ** g, a[i]),
     g * (1 - a[i]) ** (g - 1), CTX),
    ("exponents that differ by a non-integer", (1 - a[i]) ** (g + sp.Rational(1, 2)), (1 - a[i]) ** g, CTX),
]


@pytest.mark.parametrize("name,lhs,rhs,ctx", PROVED, ids=[p[0] for p in PROVED])
def test_proved_for_every_K(name, lhs, rhs, ctx):
    proof = normal.prove(lhs, rhs, ctx)
    assert proof is not None and "proved for every K" in proof
    v = verify(lhs, rhs, ctx)
    assert v.ok and v.method == "symbolic"


@pytest.mark.parametrize("name,lhs,rhs,ctx", NOT_PROVED, ids=[p[0] for p in NOT_PROVED])
def test_false_claims_are_never_proved(name, lhs, rhs, ctx):
    assert normal.prove(lhs, rhs, ctx) is None
    assert verify(lhs, rhs, ctx).status == "refuted"


def _general_steps():
    for r in recipebook.all_recipes():
        if r.name == "sigmoid-cross-entropy":
            continue  # the K = 2 case only
        nt = Notation.parse(None)
        d = r.build(parse_size("K", nt), nt, r.parse_params({}))
        for s in d.claims:
            yield r.name, s, step_context(d, s)


def test_every_proved_recipe_step_is_true_numerically_at_random_sizes():
    # an independent check of the normal form: what it proves for every K must hold at sizes the
    # numeric test picks at random (beyond the usual 2..9, 16)
    rng = random.Random(7)
    proved = 0
    for name, s, ctx in _general_steps():
        if normal.prove(s.lhs, s.rhs, ctx) is None:
            continue
        proved += 1
        sizes = (rng.randint(2, 4), rng.randint(5, 12))
        v = _numeric(s.lhs, s.rhs, Context(**{**ctx.__dict__, "points": 1}), only_sizes=sizes)
        assert v.ok, f"{name} [{s.rule.id}] proved but numerically {v.status}: {v.detail}"
    assert proved >= 145


def test_every_engine_loss_step_is_proved_and_true_numerically_at_random_sizes():
    # the twelve losses derive_grad is tested on: every step proved for every K, and each proof
    # confirmed independently at sizes the numeric test picks at random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
    from losses import LOSSES

    import derive

    rng = random.Random(11)
    for name, (loss, defs, facts, _values, _torch) in LOSSES.items():
        d = derive.gradient(loss, define=defs, assume=facts)
        for s in d.claims:
            assert s.verdict.method == "symbolic", f"{name} [{s.rule.id}] not proved: {s.verdict.detail}"
            ctx = step_context(d, s)
            sizes = (rng.randint(2, 4), rng.randint(5, 12))
            v = _numeric(s.lhs, s.rhs, Context(**{**ctx.__dict__, "points": 1}), only_sizes=sizes)
            assert v.ok, f"{name} [{s.rule.id}] proved but numerically {v.status}: {v.detail}"


def test_every_recipe_step_is_proved_at_general_K():
    unproved = [(name, s.rule.id) for name, s, ctx in _general_steps() if normal.prove(s.lhs, s.rhs, ctx) is None]
    assert unproved == []
