"""The family's recipes: every step verified for K = 2..8 and a general K, in both languages."""
from __future__ import annotations

import json

import pytest

import derive
from derive.errors import UsageError
from derive.render import render
from recipes.family_helpers import FAMILY, built


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("K", [2, 3, 4, 5, 6, 7, 8, "K", "C"])
def test_every_step_verified(name, K):
    if name == "sigmoid-cross-entropy" and isinstance(K, int) and K != 2:
        with pytest.raises(UsageError, match="two-class case"):   # not silently the K = 2 document
            built(name, K)
        return
    d = built(name, K)
    bad = [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    assert not bad, bad
    assert d.result is not None


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renders_in_both_languages(name, lang):
    d = built(name, 2 if name == "sigmoid-cross-entropy" else 3)
    tex = render(d, "latex", lang)
    assert r"\begin{document}" in tex and "UNVERIFIED" not in tex
    data = json.loads(render(d, "json", lang))
    assert data["verified"] and data["recipe"] == name


def test_listed_and_grouped():
    groups = {r.name: r.group for r in derive.recipebook.all_recipes()}
    for name in FAMILY:
        assert name in groups


RULE_SEQUENCES = {
    "soft-label-cross-entropy": ["softmax-jacobian", "derivative-weighted-log", "chain-rule", "substitute-definition",
                                 "algebra", "linearity", "delta-contraction", "use-constraint", "vector-form"],
    "multi-label-cross-entropy": ["constraint-gap", "use-constraint"],
    "label-smoothing-cross-entropy": ["smoothing-split", "softmax-jacobian"],
    "log-softmax-nll": ["log-softmax", "nll-of-log-softmax", "linearity", "use-constraint", "log-sum-exp-shift"],
}


@pytest.mark.parametrize("name,expected", RULE_SEQUENCES.items())
def test_rule_sequence(name, expected):
    ids = [s.rule.id for s in built(name, "K").claims]
    pos = 0
    for rule in expected:  # the expected rules occur in this order
        pos = ids.index(rule, pos) + 1


def test_multi_label_shows_where_sum_one_is_needed():
    d = built("multi-label-cross-entropy", "K")
    uses = [s.rule.id for s in d.claims if "sum-one" in s.uses]
    free = [s.rule.id for s in d.claims if not s.uses]
    assert "constraint-gap" in free            # (sum y) a - y = (a - y) + (sum y - 1) a holds for every y
    assert uses[0] == "use-constraint"          # only the last steps need sum y = 1
    assert all(not s.uses for s in d.claims[: d.claims.index(next(s for s in d.claims if s.uses))])


def test_multi_label_result_is_not_a_minus_y():
    from derive.verifier.verify import verify
    from sympy.matrices.expressions import MatAdd
    d = built("multi-label-cross-entropy", 3)
    v = derive.recipebook.base.Vars(d.notation, 3)
    wrong = MatAdd(v.vec(v.a), -v.vec(v.y), evaluate=False)
    from derive.recipebook.chain import grad
    assert verify(grad(v), wrong, d.context).status == "refuted"
    assert verify(grad(v), d.result, d.context).ok


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_batch_reductions_verified(reduction):
    d = built("batch-cross-entropy", 3, (("reduction", reduction),))
    assert d.verified
