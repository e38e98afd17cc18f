"""The sizes of a loss's objects: every index position of every name gets one range (1..K, 1..D, ...)."""
from __future__ import annotations

import sympy as sp

from ..calculus.definition import Definition
from ..errors import UsageError


class _Slots:
    """Union-find over index positions (name, position), each class with at most one size."""

    def __init__(self, equations: dict | None = None):
        self.parent: dict = {}
        self.size: dict = {}      # root -> (size, where it was read)
        self.equations = equations  # given: a size still unknown (W:c, from matrix notation) = another

    def _same(self, a, b) -> bool:
        """Are the sizes a and b one size? An unknown one (W:c) is noted equal to the other."""
        if a == b:
            return True
        if self.equations is not None and (unknown(a) or unknown(b)):
            x, y = (a, b) if unknown(a) else (b, a)
            self.equations.setdefault(x, y)
            return True
        return False

    def find(self, s):
        self.parent.setdefault(s, s)
        while self.parent[s] != s:
            self.parent[s] = self.parent[self.parent[s]]
            s = self.parent[s]
        return s

    def assign(self, s, size, where: str):
        r = self.find(s)
        have = self.size.get(r)
        if have is None:
            self.size[r] = (size, where)
        elif not self._same(have[0], size):
            raise UsageError(_two_ranges(s, have, (size, where)))

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        sa, sb = self.size.get(ra), self.size.get(rb)
        if sa is not None and sb is not None and not self._same(sa[0], sb[0]):
            raise UsageError(_two_ranges(a, sa, sb))
        self.parent[ra] = rb
        if sb is None and sa is not None:
            self.size[rb] = sa


def unknown(size) -> bool:
    """A size matrix notation left unnamed (W:c, the columns of W)."""
    return isinstance(size, sp.Symbol) and ":" in size.name


def _two_ranges(slot, a, b) -> str:
    name, pos = slot
    return (f"the index {_ordinal(pos)} of {name} runs over two ranges: 1..{a[0]} in {a[1]} and 1..{b[0]} in {b[1]} "
            "(mismatched sizes)")


def _ordinal(pos: int) -> str:
    return ("first", "second", "third", "fourth")[pos] if pos < 4 else f"number {pos + 1}"


def _walk(e, bound: dict, head: dict, slots: _Slots, label_slot: dict) -> None:
    """Every Indexed in e: its positions tied to the sums' ranges and to the head's positions."""
    if isinstance(e, sp.Sum):
        inner = dict(bound)
        for k, _lo, hi in e.limits:
            inner[k] = hi
        _walk(e.function, inner, head, slots, label_slot)
        return
    if isinstance(e, sp.Indexed):
        name = str(e.base.label)
        for pos, t in enumerate(e.indices):
            if t in bound:
                slots.assign((name, pos), bound[t], _shown(e))
            elif t in head:
                slots.union((name, pos), head[t])
            elif isinstance(t, sp.Symbol) and t.is_integer:
                label_slot.setdefault(t, (name, pos))
                slots.union((name, pos), label_slot[t])
            elif isinstance(t, sp.Indexed):   # a class index per row (p_{n, c_n}): c's values run over the range
                slots.union((name, pos), ("=" + str(t.base.label), 0))
            _walk(t, bound, head, slots, label_slot)
        return
    for a in e.args:
        _walk(a, bound, head, slots, label_slot)


def _shown(e) -> str:
    from ..render.printer import latex

    return latex(e)


def infer(definitions, loss: Definition, default, equations: dict | None = None) -> dict[str, tuple]:
    """name -> its size in each index position, for every name with an index; a position no sum
    names runs over the default size (K). Two ranges for one position: one UsageError (with
    `equations`, an unknown size met with another is written there instead)."""
    slots = _Slots(equations)
    names: dict[str, int] = {}
    for d in list(definitions) + [loss]:
        head = {t: (d.name, pos) for pos, t in enumerate(d.indices)}
        if d.indices:
            names[d.name] = len(d.indices)
        _walk(d.body, {}, head, slots, {})
        for x in sp.preorder_traversal(d.body):
            if isinstance(x, sp.Indexed):
                names.setdefault(str(x.base.label), len(x.indices))
    out = {}
    for name, arity in names.items():
        out[name] = tuple(_size(slots, (name, pos), default) for pos in range(arity))
    return out


def class_ranges(definitions, loss: Definition, default) -> dict[str, object]:
    """A vector used as an index (c in p_{n, c_n}) -> the range its values run over."""
    slots = _Slots()
    for d in list(definitions) + [loss]:
        _walk(d.body, {}, {t: (d.name, pos) for pos, t in enumerate(d.indices)}, slots, {})
    return {n[1:]: _size(slots, (n, 0), default) for n, _ in list(slots.parent) if n.startswith("=")}


def _size(slots: _Slots, slot, default):
    got = slots.size.get(slots.find(slot))
    return got[0] if got is not None else default
