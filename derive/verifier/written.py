"""A number written to n decimals (1.406) matches a value that rounds to it: the precision the author stated."""
from __future__ import annotations

import re

import mpmath
import sympy as sp

from ..calculus.definition import EvalError, Undefined
from .verdict import Reason
from .verify import DPS, Context, Verdict

_NUMBER = re.compile(r"\s*(-?)\s*(\d+)(?:\.(\d+))?\s*")


def written_number(text: str) -> tuple[sp.Rational, int] | None:
    """(value, decimals) of a side that is a bare number (1.406, -0.25, 3); None for anything else."""
    m = _NUMBER.fullmatch(text)
    if m is None:
        return None
    decimals = len(m.group(3) or "")
    return sp.Rational(f"{m.group(1)}{m.group(2)}.{m.group(3) or '0'}"), decimals


def rounded(expr, number: sp.Rational, decimals: int, ctx: Context) -> Verdict | None:
    """Does expr (a closed number, through the definitions) round to `number` at `decimals` places?
    Every value within half a unit of the last written place rounds to it (either convention at the
    midpoint). The value is computed at two precisions; a value at the edge within their difference
    is "unconfirmed". None when expr is not a closed number (then the claim is an equality)."""
    from .evaluate import Evaluator

    half = sp.Rational(1, 2) / 10 ** decimals
    text = _show(number, decimals)
    exact = sp.nsimplify(expr) if isinstance(expr, sp.Rational) else None
    if exact is not None:   # a fraction: decided exactly (at a midpoint, either way of rounding is fine)
        if abs(exact - number) <= half:
            return Verdict("verified", "numeric", f"ok to the {_places(decimals)} written ({exact} rounds to {text})",
                           reason=Reason.WRITTEN_DIGITS)
        return Verdict("refuted", "numeric", f"{exact} does not round to {text} (to the {_places(decimals)} written)",
                       {"K": None, "indices": {}, "lhs": float(exact), "rhs": float(number)}, reason=Reason.WRITTEN_DIGITS)
    try:
        values = []
        for dps in (DPS, 2 * DPS):
            K = ctx.size if isinstance(ctx.size, int) else 2
            ev = Evaluator({}, K, ctx.defs(), None if isinstance(ctx.size, int) else ctx.size, dps=dps)
            values.append(ev.scalar(expr, {}))
    except (EvalError, Undefined, TypeError, ValueError, ZeroDivisionError):
        return None
    with mpmath.workdps(4 * DPS):
        v = values[-1]
        noise = abs(values[1] - values[0]) + mpmath.mpf(10) ** (-DPS) * max(1, abs(v))
        gap = abs(v - mpmath.mpf(number.p) / number.q)
        edge = mpmath.mpf(half.p) / half.q
        shown = mpmath.nstr(v, decimals + 4)
    places = _places(decimals)
    if gap + noise < edge:
        return Verdict("verified", "numeric", f"ok to the {places} written ({shown} rounds to {text})",
                       reason=Reason.WRITTEN_DIGITS)
    if gap - noise > edge:
        return Verdict("refuted", "numeric", f"{shown} does not round to {text} (to the {places} written)",
                       {"K": None, "indices": {}, "lhs": float(v), "rhs": float(number)}, reason=Reason.WRITTEN_DIGITS)
    return Verdict("unconfirmed", None, f"{shown} is at the edge of rounding to {text}",
                   reason=Reason.ROUNDING_EDGE)


def _places(decimals: int) -> str:
    return f"{decimals} decimal{'s' if decimals != 1 else ''}" if decimals else "whole number"


def _show(number: sp.Rational, decimals: int) -> str:
    """The number as written: its exact decimal digits (a float would round a long one)."""
    scaled = abs(number) * 10 ** decimals
    whole, frac = divmod(int(scaled), 10 ** decimals)
    sign = "-" if number < 0 else ""
    return f"{sign}{whole}.{frac:0{decimals}d}" if decimals else f"{sign}{whole}"
