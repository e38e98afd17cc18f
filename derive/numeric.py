"""Worked examples: --values parsed and checked, then probabilities, loss and gradient computed."""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import sympy as sp
from markupsafe import Markup

from .calculus.evaluate import EvalError, Evaluator
from .calculus.objects import Grad, vector
from .errors import UsageError
from .steps import Derivation

DPS = 50
MAX_VALUES = 4096


def parse_values(items: list[str] | dict[str, str] | None) -> dict[str, str]:
    """--values KEY=V1,V2,... (repeatable) -> {key: raw text}."""
    if not items:
        return {}
    if isinstance(items, dict):
        return dict(items)
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--values {item!r}: expected KEY=NUMBERS, e.g. z=1.1,-0.7,0.1")
        key, raw = (s.strip() for s in item.split("=", 1))
        if key in out:
            raise UsageError(f"--values: {key} given twice")
        out[key] = raw
    return out


def numbers(key: str, raw: str) -> list[float]:
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) > MAX_VALUES:
        raise UsageError(f"--values {key}: more than {MAX_VALUES} numbers")
    out = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise UsageError(f"--values {key}: {p!r} is not a number") from None
        if not math.isfinite(v):
            raise UsageError(f"--values {key}: {p!r} is not a finite number")
        out.append(v)
    return out


def target_vector(raw: str, K: int, kind: str) -> tuple[list[float], str]:
    """A class index (0-based, as PyTorch) or a distribution; returns (vector, description)."""
    text = raw.strip()
    if "," not in text and text.lstrip("+-").isdigit():
        c = int(text)
        if not 0 <= c < K:
            raise UsageError(f"--values target={c}: class index out of range 0..{K - 1}")
        return [1.0 if r == c else 0.0 for r in range(K)], f"class {c}"
    y = numbers("target", text)
    if len(y) != K:
        raise UsageError(f"--values target: {len(y)} numbers for {K} classes")
    if any(v < 0 for v in y):
        raise UsageError("--values target: a target cannot be negative")
    if kind in ("one-hot", "distribution") and abs(sum(y) - 1) > 1e-9:
        raise UsageError(f"--values target: the distribution sums to {sum(y):.12g}, not 1")
    return y, "distribution"


@dataclass(frozen=True)
class Worked:
    """Numbers for one input: every value computed at DPS digits, shown as doubles."""

    logits: tuple[float, ...]
    target: tuple[float, ...]
    target_text: str
    probs: tuple[float, ...]
    loss: float
    gradient: tuple[float, ...]
    agreement_digits: int          # the formula's gradient vs a finite-difference gradient
    names: tuple[tuple[str, str], ...]

    def as_json(self) -> dict:
        return {"logits": list(self.logits), "target": list(self.target), "probs": list(self.probs),
                "loss": self.loss, "gradient": list(self.gradient),
                "gradient_check_digits": self.agreement_digits}

    def view(self) -> dict:
        n = dict(self.names)
        return {
            "rows": [
                {"name": Markup(rf"\mathbf{{{n['z']}}}"), "value": _vec(self.logits)},
                {"name": Markup(rf"\mathbf{{{n['y']}}}"), "value": _vec(self.target)},
                {"name": Markup(rf"\mathbf{{{n['a']}}} = \operatorname{{softmax}}(\mathbf{{{n['z']}}})"),
                 "value": _vec(self.probs)},
                {"name": Markup(n["L"]), "value": Markup(_num(self.loss))},
                {"name": Markup(rf"\frac{{\partial {n['L']}}}{{\partial \mathbf{{{n['z']}}}}}"),
                 "value": _vec(self.gradient)},
            ],
            "digits": str(self.agreement_digits),
            "json": self.as_json(),
        }


def _num(x: float) -> str:
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.6f}" if abs(x) >= 1e-4 else f"{x:.4e}"


def _vec(xs) -> Markup:
    return Markup(r"\begin{pmatrix}" + r" \\ ".join(_num(x) for x in xs) + r"\end{pmatrix}")


def worked_example(d: Derivation, recipe, values: dict[str, str]) -> Worked:
    """Evaluate the derivation's own definitions and result at the user's numbers."""
    n = d.notation
    keys = {"logits": n.logits, "target": n.target}
    vals = dict(values)
    for alias, name in keys.items():
        if alias in vals and name not in vals:
            vals[name] = vals.pop(alias)
    unknown = set(vals) - {n.logits, n.target}
    if unknown:
        raise UsageError(f"--values: unknown name {sorted(unknown)[0]!r} (use {n.logits}= and {n.target}=)")
    if n.logits not in vals:
        raise UsageError(f"--values: the logits are missing ({n.logits}=...)")
    z = numbers(n.logits, vals[n.logits])
    K = len(z)
    if isinstance(d.K, int) and K != d.K:
        raise UsageError(f"--values {n.logits}: {K} numbers, but K = {d.K}")
    if K < 2:
        raise UsageError(f"--values {n.logits}: softmax needs at least 2 numbers")
    if recipe.target != "none":
        if n.target not in vals:
            raise UsageError(f"--values: the target is missing ({n.target}=CLASS or a distribution)")
        y, ytext = target_vector(vals[n.target], K, recipe.target)
    else:
        y, ytext = [0.0] * K, "none"
    leaves = {(n.logits, (r + 1,)): mpmath.mpf(v) for r, v in enumerate(z)}
    leaves.update({(n.target, (r + 1,)): mpmath.mpf(v) for r, v in enumerate(y)})
    size_symbol = None if isinstance(d.K, int) else d.K
    ev = Evaluator(leaves, K, d.context.defs(), size_symbol, dps=DPS)
    try:
        with mpmath.workdps(DPS):
            probs = [ev.scalar(sp.IndexedBase(n.probs)[r + 1]) for r in range(K)]
            loss = ev.scalar(sp.Symbol(n.loss)) if n.loss in d.context.defs() else mpmath.mpf(0)
            result = d.result if recipe.target != "none" else None
            grad = [row[0] for row in ev.matrix(_sized(result, d.K, K))] if result is not None else [mpmath.mpf(0)] * K
            fd = _finite_difference_gradient(ev, n, K) if n.loss in d.context.defs() else grad
            worst = max(abs(g - f) / max(1, abs(f)) for g, f in zip(grad, fd))
    except EvalError as exc:
        raise UsageError(f"--values: no finite value at these numbers ({exc})") from None
    digits = int(min(30, -mpmath.log10(worst))) if worst > 0 else 30
    names = tuple(sorted({"z": n.logits, "y": n.target, "a": n.probs, "L": n.loss}.items()))
    return Worked(tuple(z), tuple(y), ytext, tuple(float(p) for p in probs), float(loss),
                  tuple(float(g) for g in grad), digits, names)


def _sized(expr, size, K):
    """The general-K result with K replaced by the number of values."""
    return expr if isinstance(size, int) else expr.xreplace({size: sp.Integer(K)})


def _finite_difference_gradient(ev: Evaluator, n, K: int):
    zv, L = vector(n.logits, K), sp.Symbol(n.loss)
    return [ev.apply_t(Grad(L, zv), [mpmath.mpf(int(r == c)) for r in range(K)])[0] for c in range(K)]
