"""The worked example at K = 1024 (linear in K now): PyTorch's numbers, and a wrong gradient caught
by the finite differences along random directions that replace one difference per class."""
from __future__ import annotations

import random

import mpmath
import pytest

import derive
from conftest import require_module
from derive import numeric


def _logits(K: int) -> list[float]:
    rng = random.Random(K)
    return [round(rng.uniform(-3, 3), 4) for _ in range(K)]


@pytest.mark.parametrize("K,size", [(1024, "K"), (1024, 1024), (40, "K")])
def test_k1024_worked_example_matches_pytorch(K, size):
    torch = require_module("torch")
    z = _logits(K)
    w = derive.derivation("softmax-cross-entropy", size, values={"z": ",".join(map(repr, z)), "target": "3"}).numeric
    logits = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([3]))
    loss.backward()
    assert abs(w.loss - loss.item()) < 1e-12
    assert max(abs(a - b) for a, b in zip(w.gradient, logits.grad[0].tolist())) < 1e-12
    assert w.agreement_digits >= 25


def test_random_directions_catch_one_wrong_entry():
    """Beyond 16 classes the check projects on random directions: one entry off by 1e-6 must show."""
    K = 64
    d = derive.derivation("softmax-cross-entropy", "K")
    z, y = _logits(K), [1.0 if r == 3 else 0.0 for r in range(K)]
    s = numeric.evaluate_sample(d, z, y)
    assert numeric.gradient_agreement(s.gradient, s.fd) >= 25
    wrong = list(s.gradient)
    wrong[K - 7] += mpmath.mpf("1e-6")
    assert numeric.gradient_agreement(wrong, s.fd) <= 7
    assert len(numeric.probe_directions(K)) == numeric.PROBES and numeric.PROBES < K
