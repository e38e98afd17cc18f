"""The engine's 'jacobian' route: the softmax Jacobian case by case, for any softmax-like definition."""
from __future__ import annotations

import pytest
import sympy as sp

from derive import derivation
from derive.engine import derive_spec, from_latex
from derive.engine.catalog import CE, SOFTMAX, SUM_ONE
from derive.steps import Rule

CASES = [Rule.QUOTIENT_RULE, Rule.DERIVATIVE_SUM, Rule.DERIVATIVE_EXP, Rule.DELTA_CONTRACTION,
         Rule.CASE_DIAGONAL, Rule.CASE_OFF_DIAGONAL, Rule.KRONECKER_UNIFY, Rule.JACOBIAN_MATRIX, Rule.MATRIX_FORM]


def _in_order(rules, wanted) -> bool:
    it = iter(rules)
    return all(any(r is w for r in it) for w in wanted)


@pytest.mark.parametrize("K", [3, 16, "K"])
def test_softmax_cross_entropy_is_engine_made_and_every_step_proved(K):
    d = derivation("softmax-cross-entropy", K)
    rules = [s.rule for s in d.steps]
    assert _in_order(rules, CASES + [Rule.CHAIN_RULE, Rule.USE_CONSTRAINT, Rule.VECTOR_FORM])
    assert d.verified and all(s.verdict.method == "symbolic" for s in d.claims)
    assert str(d.result) == "a - y"
    # explicit matrices (the product J^T dL/da written out) at a concrete K only
    assert (Rule.MATRIX_PRODUCT in rules) == isinstance(K, int)


@pytest.mark.parametrize("softmax, factor", [
    (r"a_i = \frac{e^{z_i / T}}{\sum_{k=1}^{K} e^{z_k / T}}", 1 / sp.Symbol("T")),
    (r"a_i = \frac{e^{(z_i + b_i) / \tau}}{\sum_{k=1}^{K} e^{(z_k + b_k) / \tau}}", 1 / sp.Symbol("tau")),
    (r"a_i = \frac{e^{3 z_i}}{\sum_{k=1}^{K} e^{3 z_k}}", sp.Integer(3)),
])
@pytest.mark.parametrize("K", [3, "K"])
def test_any_softmax_like_definition_gets_the_cases_and_the_matrix_form(softmax, factor, K):
    from derive.recipebook.base import parse_size
    from derive.notation import Notation

    spec = from_latex(CE, [softmax], [SUM_ONE], "z", parse_size(K, Notation()), route=("lemmas", "jacobian"))
    d = derive_spec(spec)
    assert d.verified
    rules = [s.rule for s in d.steps]
    assert _in_order(rules, CASES[4:])
    unify = next(s for s in d.steps if s.rule is Rule.KRONECKER_UNIFY)
    i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
    a = sp.IndexedBase("a")
    assert sp.expand(unify.rhs - factor * a[i] * (sp.KroneckerDelta(i, j) - a[j])) == 0
    matrix = next(s for s in d.steps if s.rule is Rule.MATRIX_FORM)
    assert "diag" in d.render("text") and matrix.verdict.ok


def test_the_jacobian_recipe_is_the_engine_lemma():
    d = derivation("softmax-jacobian", "K")
    assert [s.rule for s in d.claims] == CASES[:4] + [Rule.CASE_DIAGONAL, Rule.SUBSTITUTE, Rule.ALGEBRA,
                                                      Rule.CASE_OFF_DIAGONAL, Rule.SUBSTITUTE] + CASES[6:]
    assert d.verified and all(s.verdict.method == "symbolic" for s in d.claims)


def test_without_the_route_the_lemma_is_cited():
    spec = from_latex(CE, [SOFTMAX], [SUM_ONE], None, sp.Symbol("K", integer=True, positive=True))
    d = derive_spec(spec)
    rules = [s.rule for s in d.steps]
    assert Rule.CASE_DIAGONAL not in rules and d.verified and str(d.result) == "a - y"


@pytest.mark.parametrize("K", [4, "K"])
@pytest.mark.parametrize("name", ["focal", "brier", "squared-error", "poly-1", "entropy-regularised"])
def test_losses_through_the_textbook_route_match_torch(name, K):
    """derive.gradient(..., route="jacobian"): the Jacobian case by case, then J^T dL/da; every step
    verified, the worked numbers equal to PyTorch autograd (float64)."""
    from engine.losses import LOSSES
    from engine.test_losses import _torch, _values

    loss, defs, facts, values, _fn = LOSSES[name]
    d = derivation_of(loss, defs, facts, K, _values(values))
    assert d.verified, [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    rules = [s.rule for s in d.steps]
    assert _in_order(rules, CASES[4:] + [Rule.CHAIN_RULE])   # each reaches z only through a
    want_loss, want_grad = _torch(name)
    got = d.numeric.as_json()
    assert got["loss"] == pytest.approx(want_loss, rel=1e-10, abs=1e-12)
    assert got["gradient"] == pytest.approx(want_grad, rel=1e-10, abs=1e-12)


def derivation_of(loss, defs, facts, K, values):
    import derive

    return derive.gradient(loss, define=defs, assume=facts, K=K, values=values, route="jacobian")


def test_an_unknown_route_is_one_clear_error():
    import derive
    from derive.errors import UsageError

    with pytest.raises(UsageError, match="route 'cases'"):
        derive.gradient(CE, define=[SOFTMAX], route="cases")
