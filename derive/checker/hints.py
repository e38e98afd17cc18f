"""Fix hints for a wrong step: the common slips tried in turn, the first one the verifier confirms is shown."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from collections.abc import Callable, Iterator

import sympy as sp

from ..verifier.verify import _free_indices

HINT_SECONDS = 4.0       # the most a wrong step spends on its hint (within the document's budget)
MAX_CANDIDATES = 40      # candidates tried per step


@dataclass(frozen=True)
class Hint:
    """A correction the verifier confirmed: what kind of slip, and the corrected right side or assumption."""

    kind: str                    # sign | factor | extra-factor | swap | transpose | case | term | term-sign | assume
    latex: str = ""              # the corrected right side (LaTeX), or the assumption to declare
    detail: str = ""             # the factor, the swapped letters, the case, the vector

    def as_json(self) -> dict:
        return {"kind": self.kind, "latex": self.latex, "detail": self.detail}


# a candidate: (kind, detail, new rhs) judged under the step's own context, or ("assume"/"case", ...) under another
Confirm = Callable[..., bool]


def _leaves(e) -> list:
    """Indexed leaves with a free index (a_i, y_j), each once, in a stable order."""
    out = {x for x in sp.preorder_traversal(e) if isinstance(x, sp.Indexed)
           and not (set(x.indices) - _free_indices(e)) and x.indices}
    return sorted(out, key=sp.default_sort_key)


def _factors(lhs, rhs, size) -> list:
    """2, 1/2, K and the leaves the sides show: what a slip most often adds or drops."""
    out: list = [sp.Integer(2), size]
    for leaf in _leaves(rhs) + _leaves(lhs):
        if leaf not in out:
            out.append(leaf)
    return out


def _candidates(lhs, rhs, size) -> Iterator[tuple[str, str, object]]:
    """(kind, detail, corrected rhs), most likely slip first."""
    yield "sign", "", -rhs
    if isinstance(rhs, sp.Add):
        for t in rhs.args:   # one term's sign
            yield "term-sign", _tex(t), rhs - 2 * t
    if isinstance(lhs, sp.Add) and not isinstance(lhs, sp.MatrixBase):
        for t in lhs.args:   # a term carried from the left side and dropped on the right
            yield "term", _tex(t), rhs + t
    for f in _factors(lhs, rhs, size):
        yield "factor", _tex(f), rhs * f
        yield "extra-factor", _tex(f), rhs / f
    free = sorted(_free_indices(rhs) | _free_indices(lhs), key=str)
    for a, b in itertools.combinations(free, 2):
        yield "swap", f"{a}, {b}", rhs.xreplace({a: b, b: a})
    if isinstance(rhs, sp.MatrixBase) or getattr(rhs, "is_Matrix", False):
        yield "transpose", "", rhs.T


def _tex(e) -> str:
    from ..render.printer import latex

    try:
        return latex(e)
    except Exception:  # noqa: BLE001  a printer gap must never cost the verdict; SymPy's own LaTeX then
        return sp.latex(e)


def find(lhs, rhs, *, size, confirm: Confirm, vectors: dict, conditions: tuple, seconds: float = HINT_SECONDS) -> Hint | None:
    """The first slip whose correction the verifier confirms; None when none is (nothing is ever guessed).

    confirm(lhs, rhs, domains={name: dom}, flip=bool) -> True only when the verifier says "verified".
    vectors: name -> current domain of the leaves the step uses (for a missing assumption)."""
    deadline = time.monotonic() + seconds
    # an assumption the text does not declare: the step as written holds once the targets sum to one
    for name, dom in sorted(vectors.items()):
        if dom in ("simplex", "one-hot", "sum-one") or time.monotonic() > deadline:
            continue
        for new in ("simplex", "one-hot"):
            if confirm(lhs, rhs, domains={name: new}):
                return Hint("assume" if new == "simplex" else "assume-one-hot", _assumption(name, new), name)
    if conditions:   # the i = j case written under i != j (or the other way round)
        if confirm(lhs, rhs, flip=True):
            return Hint("case", "", ", ".join(conditions))
    for n, (kind, detail, cand) in enumerate(_candidates(lhs, rhs, size)):
        if n >= MAX_CANDIDATES or time.monotonic() > deadline:
            break
        try:
            if confirm(lhs, cand):
                return Hint(kind, _tex(cand), detail)
        except (ArithmeticError, TypeError, ValueError, AttributeError, NotImplementedError, RecursionError):
            continue
    return None


def _assumption(name: str, dom: str) -> str:
    if dom == "one-hot":
        return f"{name} one-hot"
    return f"\\sum_k {name}_k = 1"
