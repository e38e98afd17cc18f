"""The losses the engine is tested on (none is a shipped recipe), each with its PyTorch twin."""
from __future__ import annotations

SOFTMAX = r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"
SUM_ONE = r"\sum_i y_i = 1"

Z = [0.3, -1.2, 2.0, 0.7]
Y = [0.1, 0.2, 0.6, 0.1]          # a distribution (sums to one)
Q = [0.4, 0.1, 0.3, 0.2]          # a second distribution (a prior, a reference)


def _sm(t, z):
    return t.softmax(z, dim=0)


# name: (loss, definitions, facts, values, torch loss(t, z, leaves) -> scalar)
LOSSES = {
    "focal": (r"L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i", [SOFTMAX], [],
              {"z": Z, "y": Y, "gamma": 2.0},
              lambda t, z, v: -(v["y"] * (1 - _sm(t, z)) ** v["gamma"] * t.log(_sm(t, z))).sum()),
    "focal-fractional": (r"L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i", [SOFTMAX], [],
                         {"z": Z, "y": Y, "gamma": 0.7},
                         lambda t, z, v: -(v["y"] * (1 - _sm(t, z)) ** v["gamma"] * t.log(_sm(t, z))).sum()),
    "entropy-regularised": (r"L = -\sum_i y_i \log a_i + \beta \sum_i a_i \log a_i", [SOFTMAX], [SUM_ONE],
                            {"z": Z, "y": Y, "beta": 0.3},
                            lambda t, z, v: -(v["y"] * t.log(_sm(t, z))).sum()
                            + v["beta"] * (_sm(t, z) * t.log(_sm(t, z))).sum()),
    "squared-error": (r"L = \frac{1}{2} \sum_{i=1}^{K} (a_i - y_i)^2", [SOFTMAX], [],
                      {"z": Z, "y": Y}, lambda t, z, v: 0.5 * ((_sm(t, z) - v["y"]) ** 2).sum()),
    "brier": (r"L = \sum_{i=1}^{K} (a_i - y_i)^2", [SOFTMAX], [SUM_ONE],
              {"z": Z, "y": Y}, lambda t, z, v: ((_sm(t, z) - v["y"]) ** 2).sum()),
    "reverse-kl": (r"L = \sum_i a_i \log \frac{a_i}{y_i}", [SOFTMAX], [],
                   {"z": Z, "y": Q}, lambda t, z, v: (_sm(t, z) * t.log(_sm(t, z) / v["y"])).sum()),
    "poly-1": (r"L = -\sum_i y_i \log a_i + \epsilon \cdot (1 - \sum_i y_i a_i)", [SOFTMAX], [SUM_ONE],
               {"z": Z, "y": Y, "epsilon": 1.5},
               lambda t, z, v: -(v["y"] * t.log(_sm(t, z))).sum() + v["epsilon"] * (1 - (v["y"] * _sm(t, z)).sum())),
    "logit-adjusted": (r"L = -\sum_i y_i \log a_i",
                       [r"a_i = \frac{e^{z_i + \tau \log \pi_i}}{\sum_{k=1}^{K} e^{z_k + \tau \log \pi_k}}"], [SUM_ONE],
                       {"z": Z, "y": Y, "tau": 1.0, "pi": Q},
                       lambda t, z, v: -(v["y"] * t.log_softmax(z + v["tau"] * t.log(v["pi"]), dim=0)).sum()),
    "label-smoothing-formula": (r"L = -\sum_i ((1 - \epsilon) y_i + \epsilon / K) \log a_i", [SOFTMAX], [SUM_ONE],
                                {"z": Z, "y": Y, "epsilon": 0.1},
                                lambda t, z, v: -(((1 - v["epsilon"]) * v["y"] + v["epsilon"] / len(Z))
                                                  * t.log(_sm(t, z))).sum()),
    "temperature-formula": (r"L = -\sum_i y_i \log a_i",
                            [r"a_i = \frac{e^{z_i / T}}{\sum_{k=1}^{K} e^{z_k / T}}"], [SUM_ONE],
                            {"z": Z, "y": Y, "T": 2.5},
                            lambda t, z, v: -(v["y"] * t.log_softmax(z / v["T"], dim=0)).sum()),
    "log-sum-exp": (r"L = -\sum_i y_i z_i + \log \sum_{k=1}^{K} e^{z_k}", [], [SUM_ONE],
                    {"z": Z, "y": Y}, lambda t, z, v: -(v["y"] * z).sum() + t.logsumexp(z, dim=0)),
    "weighted-focal-alpha": (r"L = -\sum_{i=1}^{K} w_i y_i (1 - a_i)^{\gamma} \log a_i", [SOFTMAX], [],
                             {"z": Z, "y": Y, "w": [0.25, 1.0, 0.5, 2.0], "gamma": 1.5},
                             lambda t, z, v: -(v["w"] * v["y"] * (1 - _sm(t, z)) ** v["gamma"]
                                               * t.log(_sm(t, z))).sum()),
    # the true class as an index that is not summed over (papers write -log a_c, or -z_c + log sum e^z)
    "nll-class-index": (r"L = -\log a_c", [SOFTMAX], [], {"z": Z, "c": 3},
                        lambda t, z, v: -t.log_softmax(z, dim=0)[v["c"] - 1]),
    "nll-class-index-logits": (r"L = -z_c + \log \sum_{k=1}^{K} e^{z_k}", [], [], {"z": Z, "c": 2},
                               lambda t, z, v: -z[v["c"] - 1] + t.logsumexp(z, dim=0)),
    # generalized cross-entropy (Zhang and Sabuncu, 2018): (1 - a_c^q) / q with a soft target
    "generalized-ce": (r"L = \frac{1 - \sum_{i=1}^{K} y_i a_i^{q}}{q}", [SOFTMAX], [],
                       {"z": Z, "y": Y, "q": 0.7},
                       lambda t, z, v: (1 - (v["y"] * _sm(t, z) ** v["q"]).sum()) / v["q"]),
    # the confidence penalty (Pereyra et al., 2017): cross-entropy minus beta times the entropy of a
    "confidence-penalty": (r"L = -\sum_i y_i \log a_i - \beta \left(-\sum_i a_i \log a_i\right)", [SOFTMAX],
                           [SUM_ONE], {"z": Z, "y": Y, "beta": 0.4},
                           lambda t, z, v: -(v["y"] * t.log(_sm(t, z))).sum()
                           + v["beta"] * (_sm(t, z) * t.log(_sm(t, z))).sum()),
}


def as_values(v: dict) -> dict[str, str]:
    """The values of a loss as --values takes them (a vector as comma-separated numbers)."""
    return {k: ",".join(repr(x) for x in x_) if isinstance(x_, list) else repr(x_) for k, x_ in v.items()}


def torch_reference(torch, name: str) -> tuple[float, list[float]]:
    """The loss and its gradient in z, by PyTorch autograd, at the loss's values."""
    _loss, _defs, _facts, values, fn = LOSSES[name]
    leaves = {k: torch.tensor(v, dtype=torch.float64) if isinstance(v, list) else v for k, v in values.items()}
    z = torch.tensor(values["z"], dtype=torch.float64, requires_grad=True)
    out = fn(torch, z, leaves)
    out.backward()
    return out.item(), z.grad.tolist()
