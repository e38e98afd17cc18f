"""The --param options the family recipes take, with their parsers and checks (no eval, ever)."""
from __future__ import annotations

import math

from . import Param


def _finite(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def _floats(text: str) -> tuple[float, ...]:
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or any(not p for p in parts) or len(parts) > 4096:
        raise ValueError(text)
    return tuple(_finite(p) for p in parts)


def _weights_problem(w) -> str | None:
    if w is None:
        return None
    if any(x < 0 for x in w):
        return "class weights cannot be negative"
    if not any(x > 0 for x in w):
        return "at least one class weight must be positive"
    return None


def _reduction(text: str) -> str:
    t = text.strip()
    if t not in ("mean", "sum"):
        raise ValueError(text)
    return t


TEMPERATURE = Param("T", "the temperature T > 0 (a = softmax(z / T))", 1.0, _finite,
                    lambda v: None if v > 0 else "the temperature must be > 0")
EPSILON = Param("epsilon", "the label smoothing epsilon in [0, 1] (PyTorch's label_smoothing)", 0.1, _finite,
                lambda v: None if 0 <= v <= 1 else "epsilon must lie in [0, 1]")
WEIGHT = Param("weight", "class weights w_1,...,w_K >= 0, comma separated (PyTorch's weight)", None, _floats,
               _weights_problem)
REDUCTION = Param("reduction", "mean or sum over the batch", "mean", _reduction)
IGNORE_INDEX = Param("ignore_index", "a class index whose samples are left out (PyTorch's ignore_index)", -100,
                     lambda t: int(t.strip()))
SMOOTHING = Param("label_smoothing", "label smoothing epsilon in [0, 1] used by the worked example", 0.0, _finite,
                  lambda v: None if 0 <= v <= 1 else "label_smoothing must lie in [0, 1]")


def check_weight_length(weight, K) -> None:
    """Weights must have one entry per class (checked once K is known)."""
    from ..errors import UsageError

    if weight is not None and isinstance(K, int) and len(weight) != K:
        raise UsageError(f"--param weight: {len(weight)} weights for {K} classes")
