"""Matrix, batch and layer losses the engine is tested on, each with its PyTorch twin (float64)."""
from __future__ import annotations

SOFTMAX = r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"
LAYER = r"z_i = \sum_{d=1}^{D} W_{id} x_d + b_i"
ROWS = r"p_{nk} = \frac{e^{z_{nk}}}{\sum_{j=1}^{K} e^{z_{nj}}}"
BATCH_CE = r"L = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{K} y_{nk} \log p_{nk}"

W = [[0.31, -0.52, 0.18], [-0.27, 0.44, 0.09], [0.12, 0.05, -0.33], [0.2, 0.1, 0.3]]   # K = 4, D = 3
X = [0.5, -1.2, 2.0]
B = [0.1, 0.2, -0.1, 0.05]
ONE_HOT = [0.0, 0.0, 1.0, 0.0]
Z = [[0.3, -1.2, 2.0, 0.7], [1.1, 0.2, -0.4, 0.0], [-0.5, 0.9, 0.3, 1.4]]          # N = 3, K = 4
Y_HOT = [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]]
Y_SOFT = [[0.1, 0.2, 0.6, 0.1], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]]
S = [[0.2, -0.4, 1.1], [0.5, 0.3, -0.8], [-1.0, 0.6, 0.4]]                              # 3 x 3 scores
G = [[0.3, -0.1, 0.5], [1.2, 0.4, -0.6], [-0.2, 0.8, 0.1]]                              # upstream gradient


def _softreg(t, v):
    return -(v["y"] * t.log_softmax(v["W"] @ v["x"] + v["b"], 0)).sum()


def _batch_ce(t, v, mean=True):
    out = -(v["y"] * t.log_softmax(v["z"], 1)).sum()
    return out / v["z"].shape[0] if mean else out


# name: (loss, definitions, facts, wrt, values, torch loss(t, leaves) -> scalar)
LOSSES = {
    "softmax-regression-W": (r"L = -\sum_{i=1}^{K} y_i \log a_i", [SOFTMAX, LAYER], [r"\sum_i y_i = 1"], "W",
                             {"W": W, "x": X, "b": B, "y": ONE_HOT}, _softreg),
    "softmax-regression-x": (r"L = -\sum_{i=1}^{K} y_i \log a_i", [SOFTMAX, LAYER], [r"\sum_i y_i = 1"], "x",
                             {"W": W, "x": X, "b": B, "y": ONE_HOT}, _softreg),
    "softmax-regression-b": (r"L = -\sum_{i=1}^{K} y_i \log a_i", [SOFTMAX, LAYER], [r"\sum_i y_i = 1"], "b",
                             {"W": W, "x": X, "b": B, "y": ONE_HOT}, _softreg),
    "batch-mean-one-hot": (BATCH_CE, [ROWS], [r"\sum_k y_{nk} = 1"], "z", {"z": Z, "y": Y_HOT}, _batch_ce),
    "batch-sum-soft": (r"L = -\sum_{n=1}^{N} \sum_{k=1}^{K} y_{nk} \log p_{nk}", [ROWS], [r"\sum_k y_{nk} = 1"], "z",
                       {"z": Z, "y": Y_SOFT}, lambda t, v: _batch_ce(t, v, mean=False)),
    "batch-label-smoothing": (r"L = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{K} ((1 - \epsilon) y_{nk} + \epsilon / K) \log p_{nk}",
                              [ROWS], [r"\sum_k y_{nk} = 1"], "z", {"z": Z, "y": Y_HOT, "epsilon": 0.1},
                              lambda t, v: -(((1 - v["epsilon"]) * v["y"] + v["epsilon"] / 4) * t.log_softmax(v["z"], 1)).sum() / 3),
    "attention-softmax": (r"L = \sum_{i=1}^{N} \sum_{j=1}^{M} G_{ij} P_{ij}",
                          [r"P_{ij} = \frac{e^{S_{ij}}}{\sum_{k=1}^{M} e^{S_{ik}}}"], [], "S", {"S": S, "G": G},
                          lambda t, v: (v["G"] * t.softmax(v["S"], 1)).sum()),
    "infonce": (r"L = -\frac{1}{N} \sum_{n=1}^{N} \log p_{nn}",
                [r"p_{nm} = \frac{e^{S_{nm} / \tau}}{\sum_{k=1}^{N} e^{S_{nk} / \tau}}"], [], "S",
                {"S": S, "tau": 0.5}, lambda t, v: -t.log_softmax(v["S"] / v["tau"], 1).diagonal().sum() / 3),
    "two-layer-tanh": (r"L = -\sum_{i=1}^{K} y_i \log a_i",
                       [SOFTMAX, r"z_i = \sum_{j=1}^{H} V_{ij} h_j", r"h_j = \tanh(\sum_{d=1}^{D} U_{jd} x_d)"],
                       [r"\sum_i y_i = 1"], "U",
                       {"U": [[0.2, -0.3, 0.5], [0.4, 0.1, -0.2]], "V": [[0.3, -0.6], [0.5, 0.2], [-0.1, 0.4], [0.7, -0.3]],
                        "x": X, "y": ONE_HOT},
                       lambda t, v: -(v["y"] * t.log_softmax(v["V"] @ t.tanh(v["U"] @ v["x"]), 0)).sum()),
    "logistic-regression": (r"L = -y \log \sigma(s) - (1 - y) \log(1 - \sigma(s))", [r"s = \sum_{d=1}^{D} w_d x_d + b"], [],
                            "w", {"w": [0.4, -0.3, 0.2], "x": X, "b": 0.1, "y": 1.0},
                            lambda t, v: t.nn.functional.binary_cross_entropy_with_logits(v["w"] @ v["x"] + v["b"], v["y"])),
}

Q = [[0.2, -0.5], [0.7, 0.1], [-0.3, 0.4]]     # N = 3 queries, E = 2
KEYS = [[0.6, -0.2], [0.1, 0.9], [-0.4, 0.3]]  # M = 3 keys
LOSSES["scaled-dot-product"] = (
    r"L = \sum_{i=1}^{N} \sum_{j=1}^{M} G_{ij} P_{ij}",
    [r"P_{ij} = \frac{e^{S_{ij}}}{\sum_{k=1}^{M} e^{S_{ik}}}", r"S_{ij} = \frac{1}{\sqrt{d}} \sum_{e=1}^{E} Q_{ie} K_{je}"],
    [], "Q", {"Q": Q, "K": KEYS, "G": G, "d": 2.0},
    lambda t, v: (v["G"] * t.softmax(v["Q"] @ v["K"].T / t.sqrt(v["d"]), 1)).sum())
# the same losses in matrix notation (bold vectors, capitals for matrices, ^\top)
MATRIX_SOFTMAX = r"\mathbf{a} = \operatorname{softmax}(\mathbf{z})"
LOSSES["softmax-regression-W-matrix"] = (
    r"L = -\mathbf{y}^\top \log \mathbf{a}", [MATRIX_SOFTMAX, r"\mathbf{z} = W \mathbf{x} + \mathbf{b}"],
    [r"\sum_i y_i = 1"], "W", {"W": W, "x": X, "b": B, "y": ONE_HOT}, _softreg)
LOSSES["softmax-regression-x-matrix"] = (
    r"L = -\mathbf{y}^\top \log \mathbf{a}", [MATRIX_SOFTMAX, r"\mathbf{z} = W \mathbf{x} + \mathbf{b}"],
    [r"\sum_i y_i = 1"], "x", {"W": W, "x": X, "b": B, "y": ONE_HOT}, _softreg)
LOSSES["logistic-regression-vector"] = (
    r"L = -y \log \sigma(\mathbf{w}^\top \mathbf{x} + b) - (1 - y) \log(1 - \sigma(\mathbf{w}^\top \mathbf{x} + b))", [], [],
    "w", {"w": [0.4, -0.3, 0.2], "x": X, "b": 0.1, "y": 1.0},
    lambda t, v: t.nn.functional.binary_cross_entropy_with_logits(v["w"] @ v["x"] + v["b"], v["y"]))
LOSSES["scaled-dot-product-matrix"] = (
    r"L = \sum_{i=1}^{N} \sum_{j=1}^{M} G_{ij} P_{ij}",
    [r"P_{ij} = \frac{e^{S_{ij}}}{\sum_{k=1}^{M} e^{S_{ik}}}", r"S = \frac{Q K^\top}{\sqrt{d}}"],
    [], "Q", {"Q": Q, "K": KEYS, "G": G, "d": 2.0},
    lambda t, v: (v["G"] * t.softmax(v["Q"] @ v["K"].T / t.sqrt(v["d"]), 1)).sum())
LOSSES["two-layer-matrix"] = (
    r"L = -\mathbf{y}^\top \log \mathbf{a}", [MATRIX_SOFTMAX, r"\mathbf{z} = W_2 \tanh(W_1 \mathbf{x})"],
    [r"\sum_i y_i = 1"], "W_1",
    {"W_1": [[0.2, -0.3, 0.5], [0.4, 0.1, -0.2]], "W_2": [[0.3, -0.6], [0.5, 0.2], [-0.1, 0.4], [0.7, -0.3]],
     "x": X, "y": ONE_HOT},
    lambda t, v: -(v["y"] * t.log_softmax(v["W_2"] @ t.tanh(v["W_1"] @ v["x"]), 0)).sum())
