"""Ten and more losses that are not shipped recipes: derived, every step verified, numbers = PyTorch."""
from __future__ import annotations

import pytest

import derive
from conftest import require_module
from engine.losses import LOSSES, as_values, torch_reference

_values = as_values


def _torch(name):
    return torch_reference(require_module("torch"), name)


@pytest.mark.parametrize("K", ["K", 4])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_derives_verifies_and_matches_torch(name, K):
    loss, defs, facts, values, _fn = LOSSES[name]
    d = derive.gradient(loss, define=defs, assume=facts, K=K, values=_values(values))
    bad = [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    assert not bad, bad
    assert len(d.claims) >= 5  # derived step by step, not asserted in one line
    assert not any(s.rhs.has(__import__("sympy").Derivative) for s in d.steps[-2:])
    want_loss, want_grad = _torch(name)
    got = d.numeric.as_json()
    assert got["loss"] == pytest.approx(want_loss, rel=1e-10, abs=1e-12)
    assert got["gradient"] == pytest.approx(want_grad, rel=1e-10, abs=1e-12)
    assert got["gradient_check_digits"] >= 20


def test_every_result_is_in_terms_of_the_probabilities():
    import sympy as sp

    for name, (loss, defs, facts, _v, _fn) in LOSSES.items():
        d = derive.gradient(loss, define=defs, assume=facts)
        assert dict(d.params)["simplified"] == "yes", name
        assert not any(isinstance(x, sp.exp) for x in sp.preorder_traversal(d.steps[-1].rhs)), name
