"""Matrix, batch and layer losses: derived at general and concrete sizes, every step verified, the
worked numbers equal to PyTorch float64 autograd."""
from __future__ import annotations

import pytest

import derive
from conftest import require_module
from engine.matrix_losses import LOSSES


def _text(v) -> str:
    if isinstance(v, list) and v and isinstance(v[0], list):
        return ";".join(",".join(repr(float(x)) for x in row) for row in v)
    if isinstance(v, list):
        return ",".join(repr(float(x)) for x in v)
    return repr(v)


def _torch(name):
    torch = require_module("torch")
    _loss, _defs, _facts, wrt, values, fn = LOSSES[name]
    leaves = {k: torch.tensor(v, dtype=torch.float64) if isinstance(v, list) else torch.tensor(v, dtype=torch.float64)
              for k, v in values.items()}
    leaves[wrt].requires_grad_(True)
    out = fn(torch, leaves)
    out.backward()
    return out.item(), leaves[wrt].grad.tolist()


def _flat(x):
    return [y for row in x for y in row] if x and isinstance(x[0], list) else list(x) if isinstance(x, list) else [x]


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_general_sizes_every_step_verified(name):
    loss, defs, facts, wrt, _values, _fn = LOSSES[name]
    d = derive.gradient(loss, define=defs, assume=facts, wrt=wrt)
    bad = [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    assert not bad, bad
    assert len(d.claims) >= 8
    assert not d.steps[-1].rhs.has(__import__("sympy").Derivative)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_worked_numbers_equal_torch(name):
    loss, defs, facts, wrt, values, _fn = LOSSES[name]
    d = derive.gradient(loss, define=defs, assume=facts, wrt=wrt, values={k: _text(v) for k, v in values.items()})
    bad = [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    assert not bad, bad
    want_loss, want_grad = _torch(name)
    got = d.numeric.as_json()
    assert got["loss"] == pytest.approx(want_loss, rel=1e-10, abs=1e-12)
    assert _flat(got["gradient"]) == pytest.approx(_flat(want_grad), rel=1e-10, abs=1e-12)
    assert got["gradient_check_digits"] >= 20


def test_the_matrix_forms_a_paper_prints():
    from derive.render.printer import latex

    def last(name):
        loss, defs, facts, wrt, _v, _fn = LOSSES[name]
        return latex(derive.gradient(loss, define=defs, assume=facts, wrt=wrt).steps[-1].rhs)

    assert last("softmax-regression-W") == r"\left(\mathbf{a} - \mathbf{y}\right) \mathbf{x}^{\top}"
    assert last("softmax-regression-b") == r"\mathbf{a} - \mathbf{y}"
    assert last("batch-mean-one-hot") == r"\frac{1}{N} \left(\mathbf{P} - \mathbf{Y}\right)"
    assert last("infonce") == r"\frac{1}{\tau N} \left(\mathbf{P} - \mathbf{I}\right)"


def test_two_ranges_for_one_index_is_refused():
    from derive.errors import UsageError

    with pytest.raises(UsageError, match="two ranges"):
        derive.gradient(r"L = -\sum_{i=1}^{K} y_i \log a_i",
                        define=[r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}",
                                r"z_i = \sum_{d=1}^{D} W_{id} x_d + \sum_{k=1}^{K} W_{ik} b_k"], wrt="W")


def test_mismatched_sizes_in_the_values_are_refused():
    from derive.errors import UsageError

    loss, defs, facts, wrt, values, _fn = LOSSES["softmax-regression-W"]
    bad = {k: _text(v) for k, v in values.items()}
    bad["x"] = "0.5,-1.2"
    with pytest.raises(UsageError, match="mismatched sizes"):
        derive.gradient(loss, define=defs, assume=facts, wrt=wrt, values=bad)
