"""Worked examples: --values parsed and checked, then probabilities, loss and gradient computed."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from markupsafe import Markup

from .verifier.evaluate import EvalError, Evaluator
from .errors import UsageError, quoted
from .steps import Derivation

DPS = 50                    # digits of a worked example's arithmetic, raised where rounding loses a value
PRECISIONS = (DPS, 200, 1200)  # 1 - sigma(130) is 0 at 50 digits; 1 - sigma(700) needs about 310
_DIGITS = [DPS]


def digits() -> int:
    """The digits worked examples are computed with now (see at_adequate_precision)."""
    return _DIGITS[-1]


class NoFiniteValue(UsageError):
    """A value of the worked example has no finite value at these numbers (or not at the digits tried)."""


def no_finite_value(exc: Exception) -> NoFiniteValue:
    return NoFiniteValue(f"--values: no finite value at these numbers ({exc})")


def at_adequate_precision(compute):
    """compute() at 50 digits; where a value is lost to rounding there (the logarithm of 1 - sigma(130)
    meets a 0), again at 200 and then 1200 digits. A value with no finite value at any is the error."""
    for n, dps in enumerate(PRECISIONS):
        _DIGITS.append(dps)
        try:
            return compute()
        except (NoFiniteValue, EvalError):
            if n == len(PRECISIONS) - 1:
                raise
        finally:
            _DIGITS.pop()
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
            raise UsageError(f"--values {quoted(item)}: expected KEY=NUMBERS, e.g. z=1.1,-0.7,0.1")
        key, raw = (s.strip() for s in item.split("=", 1))
        if key in out:
            raise UsageError(f"--values: {key} given twice")
        rows_of(key, raw)  # numbers in rows of one length: refused before any deriving, not after
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
            raise UsageError(f"--values {key}: {quoted(p)} is not a number") from None
        if not math.isfinite(v):
            raise UsageError(f"--values {key}: {quoted(p)} is not a finite number")
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
                {"name": Markup(rf"\mathbf{{{n['z']}}}"), "value": _vec(self.logits, given=True)},
                {"name": Markup(rf"\mathbf{{{n['y']}}}"), "value": _vec(self.target, given=True)},
                {"name": Markup(rf"\mathbf{{{n['a']}}} = \operatorname{{softmax}}(\mathbf{{{n['z']}}})"),
                 "value": _vec(self.probs)},
                {"name": Markup(n["L"]), "value": Markup(_num(self.loss))},
                {"name": Markup(rf"\frac{{\partial {n['L']}}}{{\partial \mathbf{{{n['z']}}}}}"),
                 "value": _vec(self.gradient)},
            ] if self.target_text != "none" else [   # no loss (a Jacobian recipe): logits and probabilities
                {"name": Markup(rf"\mathbf{{{n['z']}}}"), "value": _vec(self.logits)},
                {"name": Markup(rf"\mathbf{{{n['a']}}} = \operatorname{{softmax}}(\mathbf{{{n['z']}}})"),
                 "value": _vec(self.probs)},
            ],
            "digits": str(self.agreement_digits),
            "has_loss": self.target_text != "none",
            "json": self.as_json(),
        }


OVERFLOW = ("--values: a computed value overflows double precision (beyond ±1.8e308); "
            "use numbers of smaller magnitude")


def _num(x: float) -> str:
    if not math.isfinite(x):  # every shown number passes here; the JSON holds the same doubles
        raise UsageError(OVERFLOW)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.6f}" if abs(x) >= 1e-4 else f"{x:.4e}"


def _vec(xs, given: bool = False) -> Markup:
    """A column of numbers; the user's own numbers are shown as typed (shortest form)."""
    cells = (_given(x) if given else _num(x) for x in xs)
    return Markup(r"\begin{pmatrix}" + r" \\ ".join(cells) + r"\end{pmatrix}")


def _given(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e6 else repr(x)


def worked_example(d: Derivation, recipe, values: dict[str, str]) -> Worked:
    """Evaluate the derivation's own definitions and result at the user's numbers."""
    if getattr(recipe, "example", None) is not None:  # the family's recipes bring their own
        return at_adequate_precision(lambda: recipe.example(d, recipe, values))
    return at_adequate_precision(lambda: _worked_example(d, recipe, values))


def _worked_example(d: Derivation, recipe, values: dict[str, str]) -> Worked:
    n = d.notation
    vals = _rename(values, n)
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
    ev = evaluator_at(d, z, y)
    try:
        with mpmath.workdps(digits()):
            probs = [ev.scalar(sp.IndexedBase(n.probs)[r + 1]) for r in range(K)]
            loss = ev.scalar(sp.Symbol(n.loss)) if n.loss in d.context.defs() else mpmath.mpf(0)
            result = d.result if recipe.target != "none" else None
            grad = [row[0] for row in ev.matrix(_sized(result, d.K, K))] if result is not None else [mpmath.mpf(0)] * K
            fd = _finite_difference_gradient(ev, n, K) if n.loss in d.context.defs() else None
    except EvalError as exc:
        raise no_finite_value(exc) from None
    agreed = gradient_agreement(grad, fd) if fd is not None else 30
    names = tuple(sorted({"z": n.logits, "y": n.target, "a": n.probs, "L": n.loss}.items()))
    if not all(math.isfinite(float(x)) for x in (loss, *probs, *grad)):
        raise UsageError(OVERFLOW)
    return Worked(tuple(z), tuple(y), ytext, tuple(float(p) for p in probs), float(loss),
                  tuple(float(g) for g in grad), agreed, names)


def _sized(expr, size, K):
    """The general-K result with K replaced by the number of values."""
    return expr if isinstance(size, int) else expr.xreplace({size: sp.Integer(K)})


AXES_UP_TO = 16   # up to this K every entry of the gradient is checked on its own
PROBES = 6        # beyond it, this many random directions (a wrong entry moves a random projection)


def probe_directions(n: int) -> list[list[float]]:
    """Directions along which the gradient is compared with finite differences of the loss.

    Each difference evaluates the loss afresh (O(K)), so one per axis would make the check O(K^2):
    K = 1024 took minutes. Up to AXES_UP_TO the axes, else PROBES seeded Gaussian directions.
    """
    if n <= AXES_UP_TO:
        return [[1.0 if r == c else 0.0 for r in range(n)] for c in range(n)]
    import random

    rng = random.Random(n)  # seeded: the same input gives the same report
    return [[rng.gauss(0, 1) for _ in range(n)] for _ in range(PROBES)]


def _finite_difference_gradient(ev: Evaluator, n, K: int) -> list:
    """Central differences of the loss at raised precision along probe_directions(K): independent
    of the formula and of the evaluator's forward-mode derivatives."""
    return fd_along(ev, sp.Symbol(n.loss), [(n.logits, (c + 1,)) for c in range(K)], probe_directions(K))


def fd_along(ev: Evaluator, L, keys: list, directions: list[list[float]]) -> list:
    """d/dt L(p + t w) by central differences, one value per direction w over the leaves `keys`."""
    return [ev.directional(lambda p, m, h: (p.scalar(L) - m.scalar(L)) / (2 * h),
                           {k: x for k, x in zip(keys, w) if x}, {}) for w in directions]


def projected(gradient: list, directions: list[list[float]]) -> list:
    """The gradient's component along each direction: what the finite differences measure."""
    with mpmath.workdps(digits()):
        return [mpmath.fsum(g * mpmath.mpf(x) for g, x in zip(gradient, w) if x) for w in directions]


def gradient_agreement(gradient: list, fd: list) -> int:
    """Digits to which a gradient (flattened) agrees with finite differences along probe_directions."""
    return agreement(zip(projected(gradient, probe_directions(len(gradient))), fd))


# -- the family's worked examples: batches (rows separated by ';'), parameters, PyTorch reductions --
@dataclass(frozen=True)
class Example:
    """A worked example as labelled rows of LaTeX numbers, with the same numbers for JSON."""

    rows: tuple[tuple[str, str], ...]
    data: dict
    digits: int

    def as_json(self) -> dict:
        return {**self.data, "gradient_check_digits": self.digits}

    def view(self) -> dict:
        return {"rows": [{"name": Markup(k), "value": Markup(v)} for k, v in self.rows],
                "digits": str(self.digits), "has_loss": True, "json": self.as_json()}


def rows_of(key: str, raw: str) -> list[list[float]]:
    """'1,2,3;4,5,6' -> [[1, 2, 3], [4, 5, 6]]; every row the same length."""
    rows = [numbers(key, r) for r in raw.split(";")]
    if any(len(r) != len(rows[0]) for r in rows):
        raise UsageError(f"--values {key}: the rows have different lengths ({', '.join(str(len(r)) for r in rows)})")
    if sum(len(r) for r in rows) > MAX_VALUES:
        raise UsageError(f"--values {key}: more than {MAX_VALUES} numbers")
    return rows


def target_rows(raw: str, N: int, K: int, kind: str, ignore_index: int | None = None) -> tuple[list, list]:
    """Rows of class indices or of distributions -> (vectors, class indices or None per row).

    A row whose class is ignore_index gets a zero target and the index None ("left out").
    """
    parts = [p.strip() for p in raw.split(";")]
    if len(parts) != N:
        raise UsageError(f"--values target: {len(parts)} rows for {N} rows of logits")
    indices = [p.lstrip("+-").isdigit() for p in parts]
    if any(indices) and not all(indices):
        raise UsageError("--values target: give every row as a class index, or every row as a distribution")
    if all(indices):
        vecs: list[list[float]] = []
        classes: list[int | None] = []
        for p in parts:
            c = int(p)
            if ignore_index is not None and c == ignore_index:
                vecs.append([0.0] * K)
                classes.append(None)
                continue
            if not 0 <= c < K:
                raise UsageError(f"--values target={c}: class index out of range 0..{K - 1}")
            vecs.append([1.0 if r == c else 0.0 for r in range(K)])
            classes.append(c)
        return vecs, classes
    vecs = [target_vector(p, K, kind)[0] for p in parts]
    return vecs, [None] * N


def _rename(values: dict[str, str], n) -> dict[str, str]:
    vals = dict(values)
    for alias, name in {"logits": n.logits, "target": n.target}.items():
        if alias in vals and name not in vals:
            vals[name] = vals.pop(alias)
    unknown = set(vals) - {n.logits, n.target}
    if unknown:
        raise UsageError(f"--values: unknown name {quoted(sorted(unknown)[0])} (use {n.logits}= and {n.target}=)")
    if n.logits not in vals:
        raise UsageError(f"--values: the logits are missing ({n.logits}=...)")
    return vals


@dataclass(frozen=True)
class Sample:
    """One sample evaluated through the derivation: probabilities, loss, gradient and its FD check
    (`fd`: finite differences along probe_directions(K), see gradient_agreement)."""

    probs: list
    loss: Any              # an mpmath number
    gradient: list
    fd: list


def evaluator_at(d: Derivation, z, y, extra: dict | None = None) -> Evaluator:
    """An evaluator of d's own definitions at logits z and target y (DPS digits).

    `extra` gives the values of other leaves: a scalar (T, epsilon) or a vector (class weights).
    """
    n = d.notation
    leaves: dict[tuple[str, tuple[int, ...]], Any] = {(n.logits, (r + 1,)): mpmath.mpf(v) for r, v in enumerate(z)}
    leaves.update({(n.target, (r + 1,)): mpmath.mpf(v) for r, v in enumerate(y)})
    for name, v in (extra or {}).items():
        if isinstance(v, (list, tuple)):
            leaves.update({(name, (r + 1,)): mpmath.mpf(x) for r, x in enumerate(v)})
        else:
            leaves[(name, ())] = mpmath.mpf(v)
    return Evaluator(leaves, len(z), d.context.defs(), None if isinstance(d.K, int) else d.K, dps=digits())


def evaluate_sample(d: Derivation, z: list[float], y: list[float], extra: dict | None = None) -> Sample:
    """The derivation's own definitions of a and L, and its result, at one sample (DPS digits).

    `extra` gives the values of other leaves: a scalar (T, epsilon) or a vector (class weights).
    """
    n, K = d.notation, len(z)
    ev = evaluator_at(d, z, y, extra)
    try:
        with mpmath.workdps(digits()):
            probs = [ev.scalar(sp.IndexedBase(n.probs)[r + 1]) for r in range(K)]
            loss = ev.scalar(sp.Symbol(n.loss))
            grad = [row[0] for row in ev.matrix(_sized(d.result, d.K, K))]
            fd = _finite_difference_gradient(ev, n, K)
    except EvalError as exc:
        raise no_finite_value(exc) from None
    return Sample(probs, loss, grad, fd)


def agreement(pairs) -> int:
    """Significant digits to which formula and finite-difference gradients agree (at most 30)."""
    worst = max((abs(g - f) / max(1, abs(f)) for g, f in pairs), default=mpmath.mpf(0))
    return int(min(30, -mpmath.log10(worst))) if worst > 0 else 30


def logits_rows(d: Derivation, recipe, values: dict[str, str]) -> tuple[dict, list[list[float]]]:
    """The renamed --values and the logits as rows (one row unless the recipe takes a batch)."""
    vals = _rename(values, d.notation)
    z = rows_of(d.notation.logits, vals[d.notation.logits])
    K = len(z[0])
    if isinstance(d.K, int) and K != d.K:
        raise UsageError(f"--values {d.notation.logits}: {K} numbers per row, but K = {d.K}")
    if K < 2:
        raise UsageError(f"--values {d.notation.logits}: softmax needs at least 2 numbers")
    if len(z) > 1 and not recipe.batch:
        raise UsageError(f"--values {d.notation.logits}: recipe {recipe.name} takes one sample (no ';')")
    if d.notation.target not in vals:
        raise UsageError(f"--values: the target is missing ({d.notation.target}=CLASS or a distribution)")
    return vals, z


def vec_tex(xs) -> str:
    return str(_vec(xs))


def mat_tex(rows) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(_num(float(x)) for x in r) for r in rows) + r"\end{pmatrix}"


def single_example(d: Derivation, recipe, values: dict[str, str], extra: dict | None = None,
                   shown: tuple[tuple[str, str], ...] = ()) -> Example:
    """One sample: z, y, the parameters shown, a, L and dL/dz, with the finite-difference check."""
    vals, z = logits_rows(d, recipe, values)
    y, ytext = target_vector(vals[d.notation.target], len(z[0]), recipe.target)
    s = evaluate_sample(d, z[0], y, extra)
    n = d.notation
    rows = ((rf"\mathbf{{{n.logits}}}", vec_tex(z[0])), (rf"\mathbf{{{n.target}}}", vec_tex(y)), *shown,
            (rf"\mathbf{{{n.probs}}}", vec_tex([float(p) for p in s.probs])), (n.loss, _num(float(s.loss))),
            (rf"\frac{{\partial {n.loss}}}{{\partial \mathbf{{{n.logits}}}}}", vec_tex([float(g) for g in s.gradient])))
    data = {"logits": z[0], "target": y, "target_text": ytext, "probs": [float(p) for p in s.probs],
            "loss": float(s.loss), "gradient": [float(g) for g in s.gradient]}
    return Example(rows, data, gradient_agreement(s.gradient, s.fd))


def weighted_batch_example(d: Derivation, recipe, values: dict[str, str], weight_name: str, weight=None,
                           epsilon: float = 0.0, ignore_index: int | None = -100, reduction: str = "mean") -> Example:
    """PyTorch's cross_entropy(z, target, weight, ignore_index, label_smoothing, reduction), row by row.

    Each row uses the derivation's per-sample loss -sum_c w_c t_c log a_c and its gradient
    (sum_c w_c t_c) a - w*t, with t the (smoothed) target of the row. 'mean' divides by the sum of
    the weights of the target classes (class indices; ignored rows left out) or by N (distributions).
    """
    vals, z = logits_rows(d, recipe, values)
    N, K = len(z), len(z[0])
    if weight is not None and len(weight) != K:
        raise UsageError(f"--param weight: {len(weight)} weights for {K} classes")
    w = list(weight) if weight is not None else [1.0] * K
    ys, classes = target_rows(vals[d.notation.target], N, K, "distribution", ignore_index)
    by_index = any(c is not None for c in classes) or all(not any(y) for y in ys)
    kept = [r for r in range(N) if not by_index or classes[r] is not None]
    if by_index and not kept:
        raise UsageError("--values target: every row is ignore_index; PyTorch's mean is then undefined")
    with mpmath.workdps(digits()):
        eps = mpmath.mpf(epsilon)
        denom = mpmath.mpf(1)
        if reduction == "mean":
            denom = mpmath.fsum(mpmath.mpf(w[classes[r]]) for r in kept) if by_index else mpmath.mpf(N)
            if denom == 0:
                raise UsageError("--values target: the weights of the target classes sum to 0; the mean is undefined")
        loss = mpmath.mpf(0)
        grads: list[list] = []
        pairs: list = []
        for r in range(N):
            if r not in kept:
                grads.append([mpmath.mpf(0)] * K)
                continue
            t = [(1 - eps) * mpmath.mpf(y) + eps / K for y in ys[r]]
            s = evaluate_sample(d, z[r], t, {weight_name: w})
            loss += s.loss / denom
            grads.append([g / denom for g in s.gradient])
            pairs += zip(projected([g / denom for g in s.gradient], probe_directions(K)), [f / denom for f in s.fd])
    n = d.notation
    shown = [(rf"\mathbf{{{n.logits}}}", mat_tex(z)),
             (rf"\mathbf{{{n.target}}}", mat_tex(ys) if not by_index else
              r"\left(" + ", ".join("-" if c is None else str(c) for c in classes) + r"\right)"),
             (r"\mathbf{w}", vec_tex(w)), (r"\epsilon", _num(epsilon)),
             (n.loss, _num(float(loss))),
             (rf"\frac{{\partial {n.loss}}}{{\partial \mathbf{{{n.logits}}}}}", mat_tex(grads))]
    data = {"logits": z, "target": ys, "classes": classes, "weight": w, "label_smoothing": epsilon,
            "reduction": reduction, "denominator": float(denom), "loss": float(loss),
            "gradient": [[float(g) for g in row] for row in grads]}
    return Example(tuple(shown), data, agreement(pairs))
