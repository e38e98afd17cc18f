"""Formulas as readable Unicode text for the terminal (the `text` format): ∂a_i/∂z_j, Σ, δ_ij."""
from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter

from ..notation import GREEK
from .printer import MAX_SHOWN, _entry

_GREEK = dict(zip(
    ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
     "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"],
    "αβγδεζηθικλμνξπρστυφχψω"))
_GREEK.update({"ell": "ℓ", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
               "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"})


def _name(n: str) -> str:
    return _GREEK.get(n, n) if (n in GREEK or n == "ell") else n


def _bold(n: str) -> str:
    """Vectors in bold (mathematical bold letters), as they are printed in the documents."""
    if len(n) == 1 and n.isascii() and n.isalpha():
        base = 0x1D41A if n.islower() else 0x1D400
        return chr(base + ord(n.lower()) - ord("a"))
    return _name(n)


def _wrap(t: str) -> str:
    return t if t.replace("_", "").isalnum() or (t.startswith("(") and t.endswith(")")) else f"({t})"


class PlainPrinter(StrPrinter):
    """SymPy's string printer, with the notation of a blackboard instead of Python's."""

    printmethod = "_derive_plain"  # not SymPy's own _sympystr, which Indexed and others define

    def __init__(self, max_shown: int = MAX_SHOWN):
        super().__init__({"order": "none"})
        self.max_shown = max_shown

    def _print_Symbol(self, e):
        return _name(e.name)

    def _print_Indexed(self, e):
        idx = [self._print(t) for t in e.indices]
        if all(len(t) == 1 for t in idx):  # z_i, p_ik
            return f"{_name(e.base.label.name)}_{''.join(idx)}"
        return f"{_name(e.base.label.name)}_{{{','.join(idx)}}}"

    def _print_KroneckerDelta(self, e):
        a, b = (self._print(x) for x in e.args)
        return f"δ_{a}{b}" if len(a) == len(b) == 1 else f"δ_{{{a},{b}}}"

    def _print_exp(self, e):
        return f"e^{_wrap(self._print(e.args[0]))}"

    def _print_log(self, e):
        return f"log {_wrap(self._print(e.args[0]))}"

    def _print_sigmoid(self, e):
        return f"σ({self._print(e.args[0])})"

    def _print_Pow(self, e, rational=False):
        b, x = e.base, e.exp
        if x == -1:
            return f"1/{_wrap(self._print(b))}"
        return f"{_wrap(self._print(b))}^{_wrap(self._print(x))}"

    def _print_Mul(self, e):
        if any(isinstance(a, sp.Mul) for a in e.args):  # a product of products reads as one
            flat = [f for a in e.args for f in (a.args if isinstance(a, sp.Mul) else (a,))]
            e = sp.Mul(*flat, evaluate=False)
        return super()._print_Mul(e).replace("*", "·")

    def _print_Sum(self, e):
        body = self._print(e.function)
        if isinstance(e.function, sp.Add) or body.startswith("-"):
            body = f"({body})"
        head = "".join(f"Σ_{{{self._print(k)}={self._print(lo)}..{self._print(hi)}}} " for k, lo, hi in e.limits)
        return head + body

    def _print_Derivative(self, e):
        vs = [v for v, n in e.variable_count for _ in range(int(n))]
        num = "∂" if len(vs) == 1 else f"∂^{len(vs)}"
        den = "".join(f"∂{self._print(v)}" for v in vs)
        body = self._print(e.expr)
        if e.expr.is_Atom or isinstance(e.expr, (sp.Indexed, sp.exp)):
            return f"{num}{body}/{den}"
        return f"{num}/{den} ({body})"

    def _print_MatrixSymbol(self, e):
        return _bold(e.name)

    def _print_Grad(self, e):
        return f"∂{self._print(e.args[0])}/∂{self._print(e.args[1])}"

    _print_Jac = _print_Grad  # ∂a/∂z reads the same way

    def _print_Diag(self, e):
        return f"diag({self._print(e.args[0])})"

    def _print_Transpose(self, e):
        return f"{_wrap(self._print(e.arg))}ᵀ"

    def _print_MatMul(self, e):
        if e.args and e.args[0] == -1:
            return "-" + self._print(sp.MatMul(*e.args[1:], evaluate=False))
        return " ".join(f"({self._print(a)})" if isinstance(a, (sp.Add, sp.MatAdd, sp.Sum)) else self._print(a)
                        for a in e.args)

    def _print_MatAdd(self, e):
        out = ""
        for n, a in enumerate(e.args):
            t = self._print(a)
            out += (t if not n else f" - {t[1:].lstrip()}" if t.startswith("-") else f" + {t}")
        return out

    def _print_Entrywise(self, e):
        body, i, j, rows, cols = e.args
        def positions(n):
            if isinstance(n, sp.Integer) and int(n) <= self.max_shown:
                return [sp.Integer(v) for v in range(1, int(n) + 1)]
            return [sp.Integer(1)] if n == 1 else [sp.Integer(1), sp.Integer(2), None, n]
        rs, cs = positions(rows), positions(cols)
        cell = lambda r, c: "…" if r is None or c is None else self._print(_entry(body, i, j, r, c))  # noqa: E731
        if cols == 1:
            return "(" + ", ".join(cell(r, sp.Integer(1)) for r in rs) + ")ᵀ"
        return "[" + "; ".join(", ".join(cell(r, c) for c in cs) for r in rs) + "]"

    def _print_Unequality(self, e):
        return f"{self._print(e.lhs)} ≠ {self._print(e.rhs)}"

    def _print_Equality(self, e):
        return f"{self._print(e.lhs)} = {self._print(e.rhs)}"


def plain_formula(expr, max_shown: int = MAX_SHOWN) -> str:
    return PlainPrinter(max_shown).doprint(expr)
