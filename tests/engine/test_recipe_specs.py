"""The shipped recipes the engine produces from a LossSpec: verified, and right by finite differences."""
from __future__ import annotations

import pytest

import derive
from derive.engine.catalog import NOT_ENGINE, RECIPE_SPECS
from derive.recipebook import all_recipes

VALUES = {"z": "0.5,-1.0,2.0", "y": "0.2,0.3,0.5", "w": "0.5,1.0,2.0", "epsilon": "0.1", "T": "1.7"}


@pytest.mark.parametrize("K", [3, "K"])
@pytest.mark.parametrize("name", sorted(RECIPE_SPECS))
def test_recipe_spec_derives_and_agrees_with_finite_differences(name, K):
    loss, defs, facts = RECIPE_SPECS[name]
    probe = derive.gradient(loss, define=defs, assume=facts, K=K)
    values = {k: v for k, v in VALUES.items() if k in _leaves(probe)}
    d = derive.gradient(loss, define=defs, assume=facts, K=K, values=values)
    assert d.verified
    assert d.numeric.as_json()["gradient_check_digits"] >= 20


def _leaves(d) -> set[str]:
    from derive.engine.spec import mentioned

    out = set()
    for df in d.context.definitions:
        out |= set(mentioned(df.body))
    return out - set(d.context.defs())


def test_every_recipe_is_an_engine_spec_or_says_why_not():
    names = {r.name for r in all_recipes()}
    assert names == set(RECIPE_SPECS) | set(NOT_ENGINE)


@pytest.mark.parametrize("name, want", [
    ("softmax-cross-entropy", "a - y"), ("label-smoothing-cross-entropy", "a - q"),
    ("log-softmax-nll", "a - y"), ("cross-entropy-kl", "a - y"), ("temperature-softmax-cross-entropy", "1/T*(a - y)"),
])
def test_the_engine_reaches_the_recipes_result(name, want):
    loss, defs, facts = RECIPE_SPECS[name]
    assert str(derive.gradient(loss, define=defs, assume=facts).result) == want
