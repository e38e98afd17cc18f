"""The shipped recipes the engine can produce, as LossSpec inputs (LaTeX read by our own grammar)."""
from __future__ import annotations

SOFTMAX = r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"
CE = r"L = -\sum_{i=1}^{K} y_i \log a_i"
SUM_ONE = r"\sum_{i=1}^{K} y_i = 1"

# recipe name -> (loss, definitions, facts): what `derive grad` takes to reach each shipped recipe's gradient.
# The recipes in ENGINE_MADE are built by the engine from a LossSpec; the others keep their hand-written
# documents, for the reasons in their module docstrings.
RECIPE_SPECS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "softmax-cross-entropy": (CE, (SOFTMAX,), (SUM_ONE,)),
    "soft-label-cross-entropy": (CE, (SOFTMAX,), (SUM_ONE,)),
    "multi-label-cross-entropy": (CE, (SOFTMAX,), ()),
    "weighted-cross-entropy": (r"L = -\sum_{i=1}^{K} w_i y_i \log a_i", (SOFTMAX,), ()),
    "label-smoothing-cross-entropy": (r"L = -\sum_{i=1}^{K} q_i \log a_i",
                                      (SOFTMAX, r"q_i = (1 - \epsilon) y_i + \epsilon / K"), (SUM_ONE,)),
    "temperature-softmax-cross-entropy": (CE, (r"a_i = \frac{e^{z_i / T}}{\sum_{k=1}^{K} e^{z_k / T}}",), (SUM_ONE,)),
    "log-softmax-nll": (r"L = -\sum_{i=1}^{K} y_i (z_i - \log \sum_{k=1}^{K} e^{z_k})", (), (SUM_ONE,)),
    "cross-entropy-kl": (r"L = \sum_{i=1}^{K} y_i \log \frac{y_i}{a_i}", (SOFTMAX,), (SUM_ONE,)),
}

# recipe name -> the module declaring its LossSpec (its builder calls the engine)
ENGINE_MADE: dict[str, str] = {
    "softmax-cross-entropy": "recipebook/softmax.py (route 'jacobian': the cases i = j, i != j and the matrix forms)",
    "soft-label-cross-entropy": "recipebook/targets.py",
    "multi-label-cross-entropy": "recipebook/targets.py (plus the step that needs sum y = 1)",
    "label-smoothing-cross-entropy": "recipebook/targets.py (plus PyTorch's split of the loss)",
    "temperature-softmax-cross-entropy": "recipebook/temperature.py (route 'jacobian')",
    "weighted-cross-entropy": "recipebook/targets.py (plus the vector form and the one-hot reduction)",
}

# the recipes the engine does not produce as a gradient, and why
NOT_ENGINE: dict[str, str] = {
    "softmax-jacobian": "not a loss: the document is the engine's Jacobian lemma alone (engine/jacobian.py)",
    "cross-entropy-hessian": "a second derivative and a matrix argument (positive semi-definite, null space)",
    "batch-cross-entropy": "an N x K matrix of logits; the engine differentiates by a vector",
    "sigmoid-cross-entropy": "the K = 2 reduction to a sigmoid is an equivalence, not a gradient",
    "stop-gradient-form": "a stop-gradient node and a counterexample at a fixed point",
}
