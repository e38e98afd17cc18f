"""The Hessian, KL, sigmoid and stop-gradient recipes: what they claim, and false claims refuted."""
from __future__ import annotations

import pytest
import sympy as sp
from recipes.family_helpers import built
from sympy import KroneckerDelta as delta

import derive
from derive.calculus.objects import sigmoid
from derive.errors import UsageError
from derive.pipeline import step_context
from derive.verifier.verify import verify


def _step(d, rule, variant=None):
    return next(s for s in d.claims if s.rule.id == rule and dict(s.params).get("variant") == variant)


@pytest.mark.parametrize("K", [3, "K"])
def test_stop_gradient_extra_term_is_not_zero(K):
    d = built("stop-gradient-form", K)
    diff = _step(d, "algebra", "difference")
    assert verify(diff.lhs, sp.Integer(0), step_context(d, diff)).status == "refuted"   # "extra term = 0" is false
    full = _step(d, "product-rule")
    p, q, j = sp.IndexedBase("p"), sp.IndexedBase("q"), sp.Symbol("j", integer=True, positive=True)
    assert verify(full.lhs, p[j] - q[j], step_context(d, full)).status == "refuted"    # dL/da = p - q without sg
    assert verify(_step(d, "stop-gradient").lhs, p[j] - q[j], step_context(d, full)).ok
    # the counterexample value is a claim of its own, verified at the logits (1, 0, ..., 0) ...
    counter = _step(d, "algebra", "counterexample")
    assert counter in d.claims and counter.verdict.ok and counter.uses == ("at-point",)
    # ... and a wrong value there is refuted
    assert verify(counter.lhs, counter.rhs * sp.Rational(101, 100), step_context(d, counter)).status == "refuted"


def test_stop_gradient_uses_seed_notation_unless_given():
    assert built("stop-gradient-form", 3).notation.logits == "a"
    d = derive.derivation("stop-gradient-form", 3, "logits=z,probs=s,target=y")
    assert d.notation.logits == "z" and d.verified


@pytest.mark.parametrize("K", [3, "K"])
def test_hessian_wrong_forms_refuted(K):
    d = built("cross-entropy-hessian", K)
    s = _step(d, "algebra", "symmetric")
    v = derive.recipebook.base.Vars(d.notation, d.K)
    a, i, j = v.a, v.i, v.j
    ctx = step_context(d, s)
    assert verify(s.lhs, a[i] * (delta(i, j) - a[j]), ctx).status == "refuted"          # sum(y) dropped
    assert verify(s.lhs, -s.rhs, ctx).status == "refuted"
    assert [t.rule.id for t in d.claims][-3:] == ["delta-contraction", "softmax-sums-to-one", "vector-form"]


def test_sigmoid_wrong_derivative_refuted():
    d = built("sigmoid-cross-entropy", "K")
    s = _step(d, "derivative-sigmoid")
    x = sp.Symbol("x")
    assert verify(s.lhs, sigmoid(x) * (1 + sigmoid(x)), step_context(d, s)).status == "refuted"
    g = _step(d, "algebra")
    y = sp.IndexedBase("y")
    assert verify(g.lhs, y[1] - sigmoid(x), step_context(d, g)).status == "refuted"


@pytest.mark.parametrize("K", [2, "K"])
def test_sigmoid_is_always_two_classes(K):
    assert built("sigmoid-cross-entropy", K).K == 2


def test_sigmoid_refuses_another_number_of_classes(cli):
    """-K 5 is not silently the K = 2 document: one line, exit 2, nothing written."""
    with pytest.raises(UsageError, match="two-class case"):
        built("sigmoid-cross-entropy", 5)
    proc = cli("render", "sigmoid-cross-entropy", "-K", "3", "-o", "-")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "softmax-cross-entropy" in proc.stderr


@pytest.mark.parametrize("values,notation,words", [
    ({"z": "1,2,3", "y": "0"}, None, "K = 2"),
    ({}, "logits=x", "binary logit x"),
])
def test_sigmoid_usage_errors(values, notation, words):
    with pytest.raises(UsageError) as err:
        derive.derivation("sigmoid-cross-entropy", "K", notation, values=values or None)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_kl_gradient_without_sum_one_is_not_a_minus_y():
    d = built("cross-entropy-kl", 3)
    s = _step(d, "use-constraint")
    ctx = d.context                       # positive targets, no sum-one: a - y must not verify
    assert verify(s.lhs, s.rhs, ctx).status == "refuted"
    assert verify(s.lhs, s.rhs, step_context(d, s)).ok


def test_listed_and_described(cli):
    listed = cli("list")
    for name in ("cross-entropy-hessian", "cross-entropy-kl", "sigmoid-cross-entropy", "stop-gradient-form"):
        assert name in listed.stdout
        r = cli("describe", name)
        assert r.returncode == 0 and name in r.stdout
    assert "K = 2" in cli("describe", "sigmoid-cross-entropy").stdout
