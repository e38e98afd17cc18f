"""What governs a claim beyond its own sides: conditions on values, and constructs the reader could not use."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import sympy as sp

from ..errors import ParseError


@dataclass(frozen=True)
class Governed:
    """A claim's conditions on values (x = 3: substituted; x > 0: a domain) and what could not be read."""

    subs: dict = field(default_factory=dict)       # name -> number
    domains: dict = field(default_factory=dict)    # name -> "positive" | "nonnegative"
    unread: tuple[str, ...] = ()                   # reasons, each quoting the construct as written


def read_values(texts: tuple[str, ...], assumption, sides_of, parse) -> Governed:
    """Each condition as written: a domain (x > 0, via the assumption reader), a value (x = 3), or unread.

    assumption(text) -> (name, domain) or ParseError; sides_of(text) -> (sides, relations);
    parse(text) -> a SymPy object or ParseError."""
    subs, domains, unread = {}, {}, []
    for text in texts:
        try:
            name, dom = assumption(text)
            if dom in ("positive", "nonnegative"):
                domains[name] = dom
                continue
        except ParseError:
            pass
        value = _value(text, sides_of, parse)
        if value is None:
            unread.append(f"cannot read the condition '{text}'")
        else:
            subs[value[0]] = value[1]
    return Governed(subs, domains, tuple(unread))


def _value(text: str, sides_of, parse):
    """x = 3, y = 1 (a name given a number) as (name, number); None otherwise."""
    sides, kinds = sides_of(text)
    if kinds != ["="] or not sides[0].text or not sides[1].text:
        return None
    try:
        left, right = parse(sides[0].text), parse(sides[1].text)
    except ParseError:
        return None
    if isinstance(left, sp.Symbol) and not left.is_integer and getattr(right, "is_number", False) and right.is_real:
        return str(left), right
    return None


def substitute(e, subs: dict):
    """The claim at the stated values: every leaf named in subs replaced by its number."""
    if not subs:
        return e
    table = {s: subs[str(s)] for s in e.free_symbols if str(s) in subs and not s.is_integer}
    return e.xreplace(table) if table else e


def settle(result, unread: tuple[str, ...], stands: bool = True):
    """A claim governed by a construct that could not be read: an "ok" stands (it held for every value,
    so also where the construct restricts them) unless `stands` is False (an 'or' that widens the case the
    row was judged in, a premise tying the names a derivative varies); anything else is unverified."""
    if not unread:
        return result
    if result.status == "ok" and stands:
        return dataclasses.replace(result, reason=f"holds for every value, whatever {unread[0][len('cannot read '):]} "
                                                  f"means; {result.reason}")
    return dataclasses.replace(result, status="unverified", reason=unread[0], counterexample=None)
