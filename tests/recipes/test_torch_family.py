"""The family's worked numbers against PyTorch autograd in float64 (1e-10): hand-picked and random inputs."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_module
from recipes.family_helpers import csv, example, rows

torch = require_module("torch")
F = torch.nn.functional
TOL = 1e-10


def _t(x, dtype=torch.float64):
    return torch.tensor(x, dtype=dtype)


def _autograd(loss_fn, z):
    logits = _t(z).requires_grad_(True)
    loss = loss_fn(logits)
    loss.backward()
    return loss.item(), logits.grad.tolist()


def _close(ours, ref):
    if isinstance(ref, list):
        flat_o = [x for r in ours for x in (r if isinstance(r, list) else [r])]
        flat_r = [x for r in ref for x in (r if isinstance(r, list) else [r])]
        assert len(flat_o) == len(flat_r)
        assert max(abs(a - b) for a, b in zip(flat_o, flat_r)) < TOL, (ours, ref)
    else:
        assert abs(ours - ref) < TOL * max(1, abs(ref)), (ours, ref)


def _check_single(name, z, y, ref_loss, params=(), K="K"):
    ex = example(name, K, params, {"z": csv(z), "y": y if isinstance(y, str) else csv(y)})
    loss, grad = _autograd(ref_loss, [z])
    _close(ex.data["loss"], loss)
    _close(ex.data["gradient"], grad[0])
    assert ex.digits >= 12  # a - y assumes sum y = 1 exactly; decimal inputs sum to 1 within 1e-16


def _soft(logits, y):
    return F.cross_entropy(logits, _t([y]))


HAND = [
    [1.1316, -0.7943, 0.1328],
    [0.2654, 0.1978, -0.0265, 2.0],
    [30.0, -30.0, 0.0, 5.0],
    [3.0, -1.0],
]
DIST = {2: [0.25, 0.75], 3: [0.2, 0.3, 0.5], 4: [0.1, 0.2, 0.3, 0.4]}


@pytest.mark.parametrize("z", HAND)
@pytest.mark.parametrize("K", ["K", "concrete"])
def test_soft_label(z, K):
    y = DIST[len(z)]
    _check_single("soft-label-cross-entropy", z, y, lambda l: _soft(l, y), K=len(z) if K == "concrete" else "K")


@pytest.mark.parametrize("z", HAND)
def test_multi_label(z):
    y = [1.0, 0.0, 1.0, 2.5][: len(z)] if len(z) > 2 else [1.0, 1.0]
    # F.cross_entropy with probability targets does not renormalise them: -sum y log softmax(z)
    _check_single("multi-label-cross-entropy", z, y, lambda l: F.cross_entropy(l, _t([y]), reduction="sum"))


@pytest.mark.parametrize("z", HAND)
@pytest.mark.parametrize("T", [0.05, 0.5, 1.0, 2.0, 10.0])
def test_temperature(z, T):
    y = DIST[len(z)]
    _check_single("temperature-softmax-cross-entropy", z, y, lambda l: _soft(l / T, y), (("T", str(T)),))


@pytest.mark.parametrize("z", HAND)
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("target", ["index", "dist"])
def test_label_smoothing(z, eps, target):
    K = len(z)
    if target == "index":
        c = K - 1
        ref = lambda l: F.cross_entropy(l, torch.tensor([c]), label_smoothing=eps)  # noqa: E731
        y = str(c)
    else:
        y = DIST[K]
        ref = lambda l: F.cross_entropy(l, _t([y]), label_smoothing=eps)  # noqa: E731
    _check_single("label-smoothing-cross-entropy", z, y, ref, (("epsilon", str(eps)),))


@pytest.mark.parametrize("z", [[1000.0, 0.0, -1000.0], [-800.0, 800.0, 0.5], [1.1316, -0.7943, 0.1328]])
@pytest.mark.parametrize("c", [0, 1, 2])
def test_log_softmax_nll(z, c):
    def nll(l):
        return F.nll_loss(F.log_softmax(l, dim=1), torch.tensor([c]))

    def ce(l):
        return F.cross_entropy(l, torch.tensor([c]))

    _check_single("log-softmax-nll", z, str(c), nll)
    _check_single("log-softmax-nll", z, str(c), ce)
    ex = example("log-softmax-nll", "K", (), {"z": csv(z), "y": str(c)})
    _close(ex.data["stable_float64"], ce(_t([z])).item())
    if max(z) > 710:  # e^{1000} overflows in float64: the naive formula fails, the stable one does not
        assert not math.isfinite(float(ex.data["naive_float64_text"]))


def _weighted_ref(Z, target, weight, eps, ignore_index=-100, reduction="mean"):
    kw = {"label_smoothing": eps, "reduction": reduction}
    if weight is not None:
        kw["weight"] = _t(weight)
    if isinstance(target[0], int):
        return lambda l: F.cross_entropy(l, torch.tensor(target), ignore_index=ignore_index, **kw)
    return lambda l: F.cross_entropy(l, _t(target), **kw)


def _check_weighted(Z, target, weight, eps, ignore_index=-100):
    params = (("label_smoothing", str(eps)), ("ignore_index", str(ignore_index)))
    if weight is not None:
        params += (("weight", csv(weight)),)
    y = ";".join(str(c) for c in target) if isinstance(target[0], int) else rows(target)
    ex = example("weighted-cross-entropy", "K", params, {"z": rows(Z), "y": y})
    loss, grad = _autograd(_weighted_ref(Z, target, weight, eps, ignore_index), Z)
    _close(ex.data["loss"], loss)
    _close(ex.data["gradient"], grad)


Z3 = [[1.0, 2.0, 3.0], [0.0, 1.0, -1.0], [2.0, 2.0, 2.0], [-3.0, 0.5, 4.0]]


@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 3.0], [0.5, 0.0, 2.0]])
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.7])
@pytest.mark.parametrize("target", [[0, 2, 1, 1], [0, 2, -100, 1], [2, 7, 7, 0], [[0.2, 0.3, 0.5]] * 4])
def test_weighted_with_smoothing_and_ignore_index(weight, eps, target):
    ignore = 7 if 7 in (target if isinstance(target[0], int) else []) else -100
    _check_weighted(Z3, target, weight, eps, ignore)


def test_weighted_single_sample_probability_gradient_formula():
    # (sum_c w_c y_c) a - w*y, summed: one row
    _check_weighted([[0.3, -1.2, 2.2]], [[0.1, 0.6, 0.3]], [2.0, 0.5, 1.0], 0.0)


finite = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6).flatmap(lambda K: st.tuples(st.lists(finite, min_size=K, max_size=K),
                                                      st.lists(st.floats(0.01, 1), min_size=K, max_size=K))),
       st.floats(0.05, 20), st.floats(0, 1))
def test_random_single_sample_recipes(zy, T, eps):
    z, raw = zy
    y = [v / sum(raw) for v in raw]
    _check_single("soft-label-cross-entropy", z, y, lambda l: _soft(l, y))
    _check_single("multi-label-cross-entropy", z, raw, lambda l: F.cross_entropy(l, _t([raw]), reduction="sum"))
    _check_single("temperature-softmax-cross-entropy", z, y, lambda l: _soft(l / T, y), (("T", repr(T)),))
    _check_single("label-smoothing-cross-entropy", z, y, lambda l: F.cross_entropy(l, _t([y]), label_smoothing=eps),
                  (("epsilon", repr(eps)),))


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5).flatmap(lambda K: st.tuples(
    st.lists(st.lists(finite, min_size=K, max_size=K), min_size=1, max_size=4),
    st.lists(st.floats(0.1, 3), min_size=K, max_size=K),
    st.lists(st.integers(-1, K - 1), min_size=4, max_size=4))), st.floats(0, 1))
def test_random_weighted_batches(data, eps):
    Z, w, classes = data
    target = classes[: len(Z)]
    if all(c == -1 for c in target):
        target[0] = 0
    _check_weighted(Z, target, w, eps, ignore_index=-1)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("target", [[0, 2, 1, 1], [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8], [0.5, 0.25, 0.25]]])
def test_batch(reduction, target):
    y = ";".join(str(c) for c in target) if isinstance(target[0], int) else rows(target)
    ex = example("batch-cross-entropy", "K", (("reduction", reduction),), {"z": rows(Z3), "y": y})
    tgt = torch.tensor(target) if isinstance(target[0], int) else _t(target)
    loss, grad = _autograd(lambda l: F.cross_entropy(l, tgt, reduction=reduction), Z3)
    _close(ex.data["loss"], loss)
    _close(ex.data["gradient"], grad)
    assert ex.digits >= 12


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 5).flatmap(lambda K: st.tuples(
    st.lists(st.lists(finite, min_size=K, max_size=K), min_size=1, max_size=4),
    st.lists(st.integers(0, K - 1), min_size=4, max_size=4))))
def test_random_batches(data):
    Z, classes = data
    target = classes[: len(Z)]
    ex = example("batch-cross-entropy", "K", (("reduction", "mean"),), {"z": rows(Z), "y": ";".join(map(str, target))})
    loss, grad = _autograd(lambda l: F.cross_entropy(l, torch.tensor(target)), Z)
    _close(ex.data["loss"], loss)
    _close(ex.data["gradient"], grad)
