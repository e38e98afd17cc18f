"""Every loss of losses.py written in another common notation derives the same gradient (PyTorch is the
truth); a function the loss never defines is refused with one line, never read as a product of letters."""
from __future__ import annotations

import pytest

import derive
from conftest import require_module, run_cli
from engine.losses import LOSSES, Q, Z, as_values, torch_reference

EXP_SOFTMAX = r"a_i = \frac{\exp(z_i)}{\sum_{k=1}^{K} \exp(z_k)}"
VECTOR_SOFTMAX = r"\mathbf{a} = \operatorname{softmax}(\mathbf{z})"
SOFTMAX_J = r"a_j = \frac{e^{z_j}}{\sum_{c=1}^{K} e^{z_c}}"

# name of the loss in losses.py: (the loss in another notation, its definitions, facts, values by name)
OTHER = {
    "focal": (r"\mathcal{L}_{FL} = -\sum_{i=1}^{K} y_i \left(1 - a_i\right)^{\gamma} \ln a_i", [EXP_SOFTMAX], [],
              {"gamma": 2.0}),
    "focal-fractional": (r"L = -\sum_{j} y_j \cdot (1 - a_j)^{\gamma} \cdot \log(a_j)", [SOFTMAX_J], [],
                         {"gamma": 0.7}),
    "entropy-regularised": (r"L = -\sum_{j} y_j \log a_j + \beta \sum_{j} a_j \log a_j", [SOFTMAX_J],
                            [r"\sum_j y_j = 1"], {"beta": 0.3}),
    "squared-error": (r"L = \tfrac{1}{2} \sum_{i=1}^{K} \left(a_i - y_i\right)^{2}", [VECTOR_SOFTMAX], [], {}),
    "brier": (r"L = \sum_{c=1}^{K} (y_c - a_c)^2", [EXP_SOFTMAX], [r"\sum_c y_c = 1"], {}),
    "reverse-kl": (r"L = \sum_i a_i (\log a_i - \log y_i)", [EXP_SOFTMAX], [], {}),
    "poly-1": (r"L = -\sum_i y_i \log a_i + \varepsilon \cdot \left(1 - \sum_i y_i a_i\right)", [EXP_SOFTMAX],
               [r"\sum_i y_i = 1"], {"varepsilon": 1.5}),
    "logit-adjusted": (r"L = -\sum_i y_i \ln a_i",
                       [r"a_i = \frac{\exp(z_i + \tau \ln \pi_i)}{\sum_{k=1}^{K} \exp(z_k + \tau \ln \pi_k)}"],
                       [r"\sum_i y_i = 1"], {"tau": 1.0, "pi": Q}),
    "label-smoothing-formula": (r"L = -\sum_i \left((1 - \epsilon) y_i + \frac{\epsilon}{K}\right) \log a_i",
                                [EXP_SOFTMAX], [r"\sum_i y_i = 1"], {"epsilon": 0.1}),
    "temperature-formula": (r"L = -\sum_i y_i \log a_i",
                            [r"a_i = \frac{\exp(z_i / t)}{\sum_{k=1}^{K} \exp(z_k / t)}"], [r"\sum_i y_i = 1"],
                            {"t": 2.5}),   # an order-like letter t is a name, not an index
    "log-sum-exp": (r"L = \log \sum_{k=1}^{K} \exp(z_k) - \sum_i y_i z_i", [], [r"\sum_i y_i = 1"], {}),
    "weighted-focal-alpha": (r"L = -\sum_{i} w_i \, y_i \, (1 - a_i)^{\gamma} \log(a_i)", [EXP_SOFTMAX], [],
                             {"w": [0.25, 1.0, 0.5, 2.0], "gamma": 1.5}),
    "nll-class-index": (r"L = -\ln a_t", [EXP_SOFTMAX], [], {"t": 3}),
    "nll-class-index-logits": (r"L = \ln \sum_{k} \exp(z_k) - z_c", [], [], {"c": 2}),
    "generalized-ce": (r"L = \frac{1}{q}\left(1 - \sum_{i=1}^{K} y_i a_i^{q}\right)", [EXP_SOFTMAX], [],
                       {"q": 0.7}),
    "confidence-penalty": (r"L = -\sum_i y_i \log a_i + \beta \sum_i a_i \log a_i", [VECTOR_SOFTMAX],
                           [r"\sum_i y_i = 1"], {"beta": 0.4}),
}


_values = as_values


def _torch(name: str):
    return torch_reference(require_module("torch"), name)


def test_every_loss_has_another_notation():
    assert set(OTHER) == set(LOSSES)


@pytest.mark.parametrize("name", sorted(OTHER))
def test_another_notation_derives_the_same_gradient(name):
    loss, defs, facts, values = OTHER[name]
    base = {k: v for k, v in LOSSES[name][3].items() if k in ("z", "y")}
    d = derive.gradient(loss, define=defs, assume=facts, K="K", values=_values({**base, **values}))
    bad = [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    assert not bad, bad
    want_loss, want_grad = _torch(name)
    got = d.numeric.as_json()
    assert got["loss"] == pytest.approx(want_loss, rel=1e-10, abs=1e-12)
    assert got["gradient"] == pytest.approx(want_grad, rel=1e-10, abs=1e-12)


def test_a_margin_named_m_takes_a_value():
    """Additive-margin softmax: the letter m is a margin, not an index (no letter is reserved)."""
    torch = require_module("torch")
    loss = r"L = -\log \frac{e^{z_c - m}}{e^{z_c - m} + \sum_{j=1, j \neq c}^{K} e^{z_j}}"
    d = derive.gradient(loss, K="K", values=_values({"z": Z, "c": 2, "m": 0.35}))
    assert not [s for s in d.claims if not s.verdict.ok]
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    shifted = z - 0.35 * torch.nn.functional.one_hot(torch.tensor(1), len(Z)).to(torch.float64)
    want = -torch.log_softmax(shifted, dim=0)[1]
    want.backward()
    got = d.numeric.as_json()
    assert got["loss"] == pytest.approx(want.item(), rel=1e-10)
    assert got["gradient"] == pytest.approx(z.grad.tolist(), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("loss,name", [
    (r"L = \operatorname{CE}(\mathbf{y}, \mathbf{a})", "CE"),
    (r"L = \mathrm{KL}(\mathbf{y} \| \mathbf{a})", "KL"),
    (r"L = \operatorname{KL}(y, a)", "KL"),
    (r"L = f(\mathbf{a})", "f"),
    (r"L = CE(y, a)", "CE"),
    (r"L = -\sum_i y_i \log a_i + \lambda R(\mathbf{z})", "R"),
])
def test_a_function_the_loss_never_defines_is_refused(loss, name):
    r = run_cli("grad", loss, "--define", VECTOR_SOFTMAX, "-o", "-")
    assert r.returncode == 2, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"define {name}" in lines[0], r.stderr
    assert "\\\\" not in lines[0]   # the loss quoted as written
    assert "Traceback" not in r.stderr


def test_y_prime_is_a_name_of_its_own():
    d = derive.gradient(r"L = \sum_i a_i \log \frac{a_i}{y'_i}", define=[EXP_SOFTMAX], K=3)
    assert d.verified
    assert any("y'" in str(s.rhs) for s in d.steps)   # y' stays apart from y (there is no y here)
    assert not any("y[" in str(s.rhs) for s in d.steps)
