"""The strategy layer: a move is one rule applied; do_one, chain and exhaust combine rewriters."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from ..errors import UnsupportedError
from ..steps import Rule

MAX_MOVES = 60   # a derivation longer than this is a loop of ours, not a derivation


@dataclass(frozen=True)
class Move:
    """expr -> new by one rule; `uses` names the facts it needs, `params` feed its sentence."""

    rule: Rule
    new: Any                # a SymPy expression
    params: tuple = ()
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unknown:
    """No rule applies to `expr` (SymPy's DontKnowRule): the engine stops here and says why."""

    expr: object
    what: str


class Stuck(UnsupportedError):
    """Raised with an Unknown: a construct the engine cannot differentiate."""

    def __init__(self, unknown: Unknown):
        self.unknown = unknown
        super().__init__(f"cannot differentiate {unknown.what}")


Rewriter = Callable[[object], Move | None]


def do_one(*rewriters: Rewriter) -> Rewriter:
    """The first rewriter that changes the expression."""
    def apply(e):
        for r in rewriters:
            m = r(e)
            if m is not None and m.new != e:
                return m
        return None
    return apply


def exhaust(rewriter: Rewriter, e) -> list[Move]:
    """Apply the rewriter until it no longer changes anything; the moves in order."""
    moves: list[Move] = []
    while True:
        m = rewriter(e)
        if m is None or m.new == e:
            return moves
        moves.append(m)
        e = m.new
        if len(moves) > MAX_MOVES:
            raise UnsupportedError(f"the simplification did not settle after {MAX_MOVES} steps")


def chain(*rewriters: Rewriter) -> Callable[[object], list[Move]]:
    """Each rewriter in turn, exhausted, each starting where the previous one stopped."""
    def apply(e):
        moves: list[Move] = []
        for r in rewriters:
            got = exhaust(r, e)
            moves += got
            e = got[-1].new if got else e
        return moves
    return apply
