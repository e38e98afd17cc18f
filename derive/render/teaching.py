"""The teaching style: the worked example's numbers threaded through the route, stage by stage.

e^z, their sum and a after the definitions; the numeric Jacobian after it is derived; dL/da; the
product J^T dL/da multiplied out; a - y. Every number is computed here from the logits at 40 digits
and cross-checked against the derivation's own worked example (itself tested against PyTorch): a
disagreement is a bug and stops the rendering rather than print a wrong number.
"""
from __future__ import annotations

import mpmath

from ..errors import RenderError

DIGITS = 6
# the loss is -sum_i y_i log a_i with the target itself: dL/da_i = -y_i / a_i, dL/dz = J^T dL/da
CROSS_ENTROPY = ("softmax-cross-entropy", "soft-label-cross-entropy", "multi-label-cross-entropy")


def sample(d) -> tuple[list, list, list, list] | None:
    """(z, y, a, dL/dz) of the worked example, one sample; None without one (or for a batch)."""
    n = d.numeric
    if n is None:
        return None
    data = n.as_json()
    z, y = data.get("logits"), data.get("target")
    if not z or isinstance(z[0], (list, tuple)):
        return None
    return list(z), list(y or [0.0] * len(z)), list(data.get("probs") or []), list(data.get("gradient") or [])


def column(xs) -> list[str]:
    """Numbers of one column, decimal-aligned: the same decimals, phantom signs and digits."""
    texts = [f"{float(abs(x)):.{DIGITS}f}" for x in xs]
    width = max(len(t.split(".")[0]) for t in texts)
    signed = any(x < 0 for x in xs)
    out = []
    for x, t in zip(xs, texts):
        pad = r"\phantom{0}" * (width - len(t.split(".")[0]))
        sign = "-" if x < 0 else (r"\phantom{-}" if signed else "")
        out.append(f"{sign}{pad}{t}")
    return out


def vector(xs) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(column(xs)) + r"\end{pmatrix}"


def matrix(rows) -> str:
    cols = [column([r[c] for r in rows]) for c in range(len(rows[0]))]
    lines = [" & ".join(cols[c][r] for c in range(len(cols))) for r in range(len(rows))]
    return r"\begin{pmatrix}" + r" \\ ".join(lines) + r"\end{pmatrix}"


def _num(x) -> str:
    t = f"{float(x):.{DIGITS}f}"
    return f"({t})" if x < 0 else t


def stages(d, names: dict) -> dict[str, list[tuple[str, str]]]:
    """Section key -> the rows (lhs, rhs) of numbers shown at the end of that section."""
    s = sample(d)
    if s is None or not isinstance(d.K, int) or d.K > 6:
        return {}
    z, y, a_given, grad_given = s
    K = len(z)
    av, zv, yv, L = names["av"], names["zv"], names["yv"], names["L"]
    with mpmath.workdps(40):
        zs = [mpmath.mpf(x) for x in z]
        ez = [mpmath.exp(x) for x in zs]
        total = mpmath.fsum(ez)
        a = [e / total for e in ez]
        J = [[a[i] * ((1 if i == j else 0) - a[j]) for j in range(K)] for i in range(K)]
        if a_given and any(abs(float(x) - g) > 1e-12 * max(1.0, abs(g)) for x, g in zip(a, a_given)):
            return {}   # not the plain softmax of z (a temperature T != 1): no numbers rather than wrong ones
        out: dict[str, list[tuple[str, str]]] = {
            "model": [(zv, vector(zs)), (rf"e^{{{zv}}}", vector(ez)),
                      (rf"\sum_{{{names['k']}=1}}^{{{K}}} e^{{{names['z']}_{{{names['k']}}}}}",
                       " + ".join(f"{float(e):.{DIGITS}f}" for e in ez) + f" = {float(total):.{DIGITS}f}"),
                      (rf"{av} = e^{{{zv}}} / \textstyle\sum_{{{names['k']}}} e^{{{names['z']}_{{{names['k']}}}}}",
                       vector(a))],
            "jacobian": [(rf"\frac{{\partial {av}}}{{\partial {zv}}} = \operatorname{{diag}}({av}) - {av} {av}^{{\top}}",
                          matrix(J))],
        }
        if d.recipe not in CROSS_ENTROPY:
            if grad_given:
                out["result"] = [(rf"\frac{{\partial {L}}}{{\partial {zv}}}", vector(grad_given))]
            return out
        ys = [mpmath.mpf(x) for x in y]
        v = [-ys[i] / a[i] for i in range(K)]
        g = [mpmath.fsum(J[i][j] * v[i] for i in range(K)) for j in range(K)]
        _agree(g, grad_given, "J^T dL/da")
        products = [" + ".join(f"{_num(J[i][j])} \\cdot {_num(v[i])}" for i in range(K)) for j in range(K)]
        out["loss"] = [(rf"\frac{{\partial {L}}}{{\partial {av}}} = -\frac{{{yv}}}{{{av}}}", vector(v))]
        out["gradient"] = [
            (rf"\frac{{\partial {L}}}{{\partial {zv}}} = \left(\frac{{\partial {av}}}{{\partial {zv}}}\right)^{{\top}}"
             rf" \frac{{\partial {L}}}{{\partial {av}}}",
             matrix([[J[i][j] for i in range(K)] for j in range(K)]) + vector(v)),
            ("", r"\begin{pmatrix}" + r" \\ ".join(products) + r"\end{pmatrix}"),
            ("", vector(g))]
        out["result"] = [(rf"{av} - {yv}", vector(a) + " - " + vector(ys)),
                         ("", vector([a[i] - ys[i] for i in range(K)]))]
        return out


def _agree(ours, given, what: str) -> None:
    """Our numbers against the worked example's (tested against PyTorch): 1e-12 relative."""
    if not given:
        return
    for x, g in zip(ours, given):
        if abs(float(x) - g) > 1e-12 * max(1.0, abs(g)):
            raise RenderError(f"teaching: {what} disagree with the worked example ({float(x)!r} vs {g!r})")
