"""Softmax definitions a_i = e^{u_i} / sum_k e^{u_k}, and the stable lines that compute them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from .nodes import Reduce, RowMax, array


@dataclass(frozen=True)
class Softmax:
    """a_i := e^{u_i} / sum_k e^{u_k}: the name a, its index i, the exponent u_i, the denominator."""

    name: str
    index: Any
    inner: Any
    denominator: Any

    def lines(self, lowering, label: str, Line) -> list:
        """u, its row maximum m, log sum e^u = m + log sum e^{u - m}, log a = u - lse, a = e^{log a}:
        no exponential overflows (u - m <= 0) and no log is taken of a probability."""
        axis = lowering.axis(self.index)
        u = lowering.lower(self.inner)
        out = []
        if not isinstance(u, sp.Symbol):
            out.append(Line(f"u_{self.name}", u, label, "the exponent of the softmax"))
            u = array(f"u_{self.name}")
        m, lse, log_a = array(f"m_{self.name}"), array(f"lse_{self.name}"), array(f"log_{self.name}")
        out += [Line(m.name, RowMax(u, axis), label, "the largest exponent of each row (the shift)"),
                Line(lse.name, m + sp.log(Reduce(sp.exp(u - m), axis)), label,
                     "log sum_k e^{u_k} = m + log sum_k e^{u_k - m} (no overflow)"),
                Line(log_a.name, u - lse, label, f"log {self.name}_i = u_i - log sum_k e^{{u_k}} (no log of a probability)"),
                Line(self.name, sp.exp(log_a), label, f"{self.name}_i = e^{{log {self.name}_i}}")]
        return out


def softmaxes(definitions) -> dict[str, Softmax]:
    out = {}
    for df in definitions:
        sm = _softmax(df)
        if sm is not None:
            out[sm.name] = sm
    return out


def _softmax(df):
    if not isinstance(df.head, sp.Indexed):
        return None
    i = df.head.indices[-1]
    num, den = sp.fraction(df.body)
    if not (isinstance(num, sp.exp) and isinstance(den, sp.Sum) and len(den.limits) == 1
            and isinstance(den.function, sp.exp)):
        return None
    k = den.limits[0][0]
    u = num.args[0]
    if not same(den.function.args[0], u.xreplace({i: k})) or not u.has(i):
        return None
    return Softmax(df.name, i, u, den)


def same(a, b) -> bool:
    """Equal as formulas (the recipes build some products unevaluated: == compares their trees)."""
    return a == b or sp.expand(a - b) == 0
