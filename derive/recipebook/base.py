"""What every recipe shares: the symbols of a notation at a size K, and display-ordered algebra."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..calculus import symbols as sym
from ..calculus.definition import Definition
from ..calculus.objects import Entrywise, vector
from ..errors import UsageError, quoted
from ..notation import Notation

MAX_K = 1024          # larger concrete K are refused: the matrix alone has K^2 entries
MATRIX_SHOWN = 6      # concrete matrices larger than this are drawn with dots


def add(*terms):
    """A sum kept in the order written (for display); the verifier does not care."""
    return sp.Add(*terms, evaluate=False)


def mul(*factors):
    return sp.Mul(*factors, evaluate=False)


def neg(x):
    return sp.Mul(sp.S.NegativeOne, x, evaluate=False)


def frac(num, den):
    if num == 1:  # 1/N, not 1 * (1/N)
        return sp.Pow(den, -1, evaluate=False)
    return sp.Mul(num, sp.Pow(den, -1, evaluate=False), evaluate=False)


def parse_size(text: str | int | None, notation: Notation):
    """-K: an integer 2..MAX_K (worked example) or a one-letter name such as K, C or n (general K)."""
    if text is None:
        text = "K"
    if isinstance(text, int):
        value = text
    else:
        t = str(text).strip()
        if not t:
            raise UsageError("-K needs a value: an integer >= 2 or a name such as K")
        if re.fullmatch(r"[+-]?[0-9]+", t):
            if len(t.lstrip("+-0")) > 9:  # int() of thousands of digits is refused by Python itself
                shown = t if len(t) <= 40 else f"{t[:12]}... ({len(t)} digits)"
                raise UsageError(f"-K {shown}: larger than the limit of {MAX_K} classes")
            value = int(t)
        elif re.fullmatch(r"[A-Za-z]", t):
            if t in ("e", "E", "I"):
                raise UsageError(f"-K {t}: that letter already means something in the formulas")
            notation.check_size_name(t)
            return sym.size(t)
        else:
            raise UsageError(f"-K {quoted(t)}: expected an integer >= 2 or a one-letter name such as K, C or n")
    if value < 2:
        raise UsageError(f"-K {value}: softmax needs at least 2 classes")
    if value > MAX_K:
        raise UsageError(f"-K {value}: larger than the limit of {MAX_K} classes")
    return value


def _symbol(make, field: str) -> cached_property:
    """A Vars attribute: the symbol `make` builds from the notation's name for `field`."""
    return cached_property(lambda self: make(getattr(self.notation, field)))


@dataclass(frozen=True)
class Vars:
    """The SymPy symbols of one notation at one size K (an int or a size Symbol)."""

    notation: Notation
    K: object

    @property
    def concrete(self) -> bool:
        return isinstance(self.K, int)

    # the symbols of the notation: index letters, indexed vectors and the loss
    i = _symbol(sym.index, "i")
    j = _symbol(sym.index, "j")
    k = _symbol(sym.index, "k")
    z = _symbol(sym.indexed, "logits")
    a = _symbol(sym.indexed, "probs")
    y = _symbol(sym.indexed, "target")
    L = _symbol(sym.scalar, "loss")

    def vec(self, base) -> sp.MatrixSymbol:
        return vector(str(base.label), self.K)

    def sum(self, body, index):
        return sp.Sum(body, (index, 1, self.K))

    @cached_property
    def denominator(self):
        """sum_k e^{z_k}"""
        return self.sum(sp.exp(self.z[self.k]), self.k)

    @cached_property
    def softmax_definition(self) -> Definition:
        return Definition(self.a[self.i], frac(sp.exp(self.z[self.i]), self.denominator))

    def entries(self, body, index=None, cols=1, col_index=None):
        """A vector (cols = 1) or matrix whose entries are body at each index value."""
        index = index or self.j
        col_index = col_index if col_index is not None else (self.i if index != self.i else self.k)
        return Entrywise(body, index, col_index, self.K, self.K if cols != 1 else 1)


def free_name(notation: Notation, *candidates: str) -> str:
    """The first of candidates that the notation does not already use (for an extra vector or scalar)."""
    taken = set(notation.as_dict().values()) | {notation.i, notation.j, notation.k}
    return next(n for n in candidates if n not in taken)
