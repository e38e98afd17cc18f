"""Worked numbers against PyTorch itself: loss and autograd gradient in float64 to 1e-12."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from conftest import require_module


def _torch_reference(z, target):
    torch = require_module("torch")
    logits = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    if isinstance(target, int):
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor([target]))
    else:
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor([target], dtype=torch.float64))
    loss.backward()
    probs = torch.softmax(logits, dim=1)[0].tolist()
    return probs, loss.item(), logits.grad[0].tolist()


def _ours(z, target, K):
    t = str(target) if isinstance(target, int) else ",".join(repr(v) for v in target)
    d = derive.derivation("softmax-cross-entropy", K, values={"z": ",".join(repr(v) for v in z), "target": t})
    return d.numeric


CASES = [
    ([1.1316, -0.7943, 0.1328], 0),
    ([0.2654, 0.1978, -0.0265], 1),
    ([-2.8054, 0.2867, -0.1517], 2),
    ([1.1316, -0.7943, 0.1328], [0.2, 0.3, 0.5]),
    ([3.0, -1.0], 1),
    ([30.0, -30.0, 0.0, 5.0], 3),
]


@pytest.mark.parametrize("z,target", CASES)
@pytest.mark.parametrize("K", ["concrete", "K"])
def test_matches_pytorch(z, target, K):
    probs, loss, grad = _torch_reference(z, target)
    w = _ours(z, target, len(z) if K == "concrete" else "K")
    assert max(abs(a - b) for a, b in zip(w.probs, probs)) < 1e-12
    assert abs(w.loss - loss) < 1e-12
    assert max(abs(a - b) for a, b in zip(w.gradient, grad)) < 1e-12
    assert w.agreement_digits >= 25


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-20, 20, allow_nan=False), min_size=2, max_size=8), st.data())
def test_random_inputs_match_pytorch(z, data):
    c = data.draw(st.integers(0, len(z) - 1))
    probs, loss, grad = _torch_reference(z, c)
    w = _ours(z, c, len(z))
    assert abs(w.loss - loss) <= 1e-12 * max(1, abs(loss))
    assert max(abs(a - b) for a, b in zip(w.gradient, grad)) < 1e-12
