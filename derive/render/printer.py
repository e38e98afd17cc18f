"""The one LaTeX printer: SymPy objects to textbook LaTeX in the user's notation."""
from __future__ import annotations

import re

import sympy as sp
from sympy.matrices.expressions import MatAdd, MatMul
from sympy.printing.latex import LatexPrinter

from ..calculus.objects import Grad, Jac, sigmoid
from ..notation import GREEK

MAX_SHOWN = 6
# letters TeX has a command for beyond notation.GREEK (the reader keeps \varepsilon as varepsilon)
LETTERS = GREEK | {"ell", "varepsilon", "vartheta", "varphi", "varrho", "varsigma", "varpi", "varkappa"}


def latex_name(name: str) -> str:
    """z -> z, alpha -> \\alpha, ell -> \\ell, L_CE -> L_{CE} (as written); longer names upright."""
    if name in LETTERS:
        return "\\" + name
    if name.startswith("\\") and "_" not in name:
        return name  # \mathcal{L}: the grammar keeps the command
    if "_" in name and not name.startswith("_"):  # L_1, \mathcal{L}_CE: a name with its subscript
        base, sub = name.split("_", 1)
        return latex_name(base) + "_{" + sub + "}"   # the subscript as the user wrote it
    accent = re.fullmatch(r"([A-Za-z]|[a-z]+)(hat|tilde|bar)", name)  # the grammar reads \hat{y} as yhat
    if accent and (len(accent.group(1)) == 1 or accent.group(1) in LETTERS):
        return "\\" + accent.group(2) + "{" + latex_name(accent.group(1)) + "}"
    return name if len(name) == 1 else r"\mathrm{" + name + "}"


class Printer(LatexPrinter):
    """Order-preserving (sums print as built), bold vectors, partial fractions, dotted matrices."""

    printmethod = "_derive_latex"

    def __init__(self, max_shown: int = MAX_SHOWN):
        super().__init__({"order": "none", "mul_symbol": None, "fold_short_frac": False,
                          "mat_delim": "(", "mat_str": "pmatrix"})
        self.max_shown = max_shown
        self._in_fraction = 0   # > 0 while printing a numerator or denominator
        self._guarded: set[int] = set()   # logs followed by another factor: their argument in parentheses

    def _simple(self, e) -> bool:
        """An argument that needs no growing parentheses: sigma(x), diag(a)."""
        return e.is_Atom or isinstance(e, (sp.Indexed, sp.MatrixSymbol))

    # -- names --------------------------------------------------------------------------------
    def _print_Symbol(self, expr, style="plain"):
        return latex_name(expr.name)

    def _print_IndexedBase(self, expr):
        return latex_name(expr.label.name)

    def _print_Indexed(self, expr):
        parts = [self._print(t) for t in expr.indices]
        sep = "" if all(len(p) == 1 or p.isdigit() and len(parts) == 1 for p in parts) else ","
        name = latex_name(expr.base.label.name)
        if "_" in expr.base.label.name:  # an entry of W_1: (W_{1})_{jd}, never a double subscript
            name = rf"\left({name}\right)"
        return f"{name}_{{{sep.join(parts)}}}"

    def _print_MatrixSymbol(self, expr):
        name = latex_name(expr.name)
        if expr.shape[1] != 1 and len(expr.name) == 1 and expr.name.islower():
            name = name.upper()  # the matrix of the entries p_{nk} is P, as papers write it
        return r"\mathbf{" + name + "}"

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(self._hadamard_factor(a) for a in expr.args)

    def _hadamard_factor(self, a):
        tex = self._print(a)
        return rf"\left({tex}\right)" if isinstance(a, (sp.MatAdd, sp.HadamardProduct)) else tex

    def _print_OneMatrix(self, expr):
        if expr.shape[0] == 1 and expr.shape[1] != 1:
            return r"\mathbf{1}^{\top}"
        return r"\mathbf{1}" if 1 in expr.shape else r"\mathbf{1} \mathbf{1}^{\top}"

    def _print_Elementwise(self, expr):
        f, m = expr.args
        name = {"sigma": r"\sigma", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log"}.get(str(f), str(f))
        return rf"{name}\left({self._print(m)}\right)"

    def _print_Identity(self, expr):
        return r"\mathbf{I}"

    def _print_KroneckerDelta(self, expr, exp=None):
        a, b = (self._print(x) for x in expr.args)
        sep = "" if len(a) == 1 and len(b) == 1 else ","
        tex = rf"\delta_{{{a}{sep}{b}}}"
        return f"{tex}^{{{exp}}}" if exp else tex

    # -- functions ----------------------------------------------------------------------------
    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        inner = self._print(arg)
        if not (arg.is_Atom or isinstance(arg, (sp.Indexed, sigmoid))) or id(expr) in self._guarded:
            # \log a_k b reads as log(a_k b): a log with a factor after it keeps its parentheses
            inner = rf"\left({inner}\right)"
        head = r"\log" if exp is None else rf"\log^{{{exp}}}"
        return f"{head} {inner}"

    def _print_sigmoid(self, expr, exp=None):
        arg = expr.args[0]
        inner = self._print(arg)
        tex = rf"\sigma({inner})" if self._simple(arg) or isinstance(arg, sp.Mul) and len(arg.args) == 2 \
            and arg.args[0] == -1 and self._simple(arg.args[1]) else rf"\sigma\left({inner}\right)"
        return f"{tex}^{{{exp}}}" if exp else tex

    def _print_Derivative(self, expr):
        variables = [v for v, n in expr.variable_count for _ in range(int(n))]
        n = len(variables)
        num = r"\partial" if n == 1 else rf"\partial^{{{n}}}"
        den = " ".join(rf"\partial {self._print(v)}" for v in variables)
        body = expr.expr
        if self._in_fraction:  # a fraction inside a numerator prints tiny: write it with a slash
            if body.is_Atom or isinstance(body, (sp.Indexed, sp.exp, sigmoid)):
                return rf"({num} {self._print(body)} / {den})"
            return rf"({num} \left({self._print(body)}\right) / {den})"
        if body.is_Atom or isinstance(body, (sp.Indexed, sp.exp, sigmoid)):
            return rf"\frac{{{num} {self._print(body)}}}{{{den}}}"
        tex = rf"\frac{{{num}}}{{{den}}}\left({self._print(body)}\right)"
        # d/dx (u) v reads as d/dx (u v): an operator with a factor after it is closed off
        return rf"\left({tex}\right)" if id(expr) in self._guarded else tex

    def _print_Grad(self, expr):
        L, v = expr.args
        return rf"\frac{{\partial {self._print(L)}}}{{\partial {self._print(v)}}}"

    _print_Jac = _print_Grad  # da/dz is written the same way

    def _print_Diag(self, expr):
        arg = expr.args[0]
        if self._simple(arg):
            return rf"\operatorname{{diag}}({self._print(arg)})"
        return rf"\operatorname{{diag}}\left({self._print(arg)}\right)"

    def _print_exp(self, expr, exp=None):
        # e^{z_i/T}, not e^{\frac{z_i}{T}}: a fraction in an exponent is written with a slash
        arg = expr.args[0]
        self._settings["fold_short_frac"], saved = True, self._settings["fold_short_frac"]
        try:
            inner = self._print(arg)
        finally:
            self._settings["fold_short_frac"] = saved
        tex = f"e^{{{inner}}}"
        return rf"\left({tex}\right)^{{{exp}}}" if exp else tex

    def _print_Transpose(self, expr):
        inner = self._print(expr.arg)
        if isinstance(expr.arg, (MatAdd, MatMul, Jac, Grad)):
            inner = rf"\left({inner}\right)"
        return inner + r"^{\top}"

    def _print_Mul(self, expr):
        # -(u + v) written as a negated sum keeps TeX-sized parentheses
        args = expr.args
        if len(args) == 2 and args[0] == -1 and isinstance(args[1], sp.Add):
            return rf"- \left({self._print(args[1])}\right)"
        fraction = any(isinstance(a, sp.Pow) and a.exp.is_negative for a in args)
        logs = {id(b) for a in args[:-1] for b in (a, getattr(a, "base", None)) if isinstance(b, (sp.log, sp.Derivative))}
        self._in_fraction += fraction
        self._guarded |= logs
        try:
            return super()._print_Mul(expr)
        finally:
            self._in_fraction -= fraction
            self._guarded -= logs

    def _print_Sum(self, expr):
        body = expr.function
        tex = self._print(body)
        if isinstance(body, sp.Add) or tex.lstrip().startswith("-"):
            tex = rf"\left({tex}\right)"
        limits = ""
        for k, lo, hi in expr.limits:
            limits += rf"\sum_{{{self._print(k)}={self._print(lo)}}}^{{{self._print(hi)}}} "
        return limits + tex

    def _print_MatMul(self, expr):
        parts = []
        for a in expr.args:
            t = self._print(a)
            if isinstance(a, (MatAdd, sp.Add, sp.Sum, sp.HadamardProduct)):
                t = rf"\left({t}\right)"
            parts.append(t)
        if parts and parts[0] == "-1":
            return "-" + " ".join(parts[1:])
        return " ".join(parts)

    def _print_MatAdd(self, expr):
        out = ""
        printed = [self._print(a) for a in expr.args]
        printed = [t for t in printed if not t.startswith("-")] + [t for t in printed if t.startswith("-")]
        for n, t in enumerate(printed):  # positive terms first: G - (G . P) 1 1^T
            if n and not t.startswith("-"):
                out += " + "
            elif n:
                out += " - "
                t = t[1:].lstrip()
            out += t
        return out

    # -- matrices drawn entry by entry --------------------------------------------------------
    def _print_Entrywise(self, expr):
        body, i, j, rows, cols = expr.args
        row_pos = self._positions(rows)
        col_pos = self._positions(cols)
        lines = []
        for r in row_pos:
            cells = []
            for c in col_pos:
                if r is None and c is None:
                    cells.append(r"\ddots" if len(col_pos) > 1 else r"\vdots")
                elif r is None:
                    cells.append(r"\vdots")
                elif c is None:
                    cells.append(r"\cdots")
                else:
                    cells.append(self._print(_entry(body, i, j, r, c)))
            lines.append(" & ".join(cells))
        return r"\begin{pmatrix}" + r" \\ ".join(lines) + r"\end{pmatrix}"

    def _positions(self, n):
        """1..n when small; else 1, 2, dots, n (n may be a Symbol)."""
        if isinstance(n, sp.Integer) and int(n) <= self.max_shown:
            return [sp.Integer(v) for v in range(1, int(n) + 1)]
        if n == 1:
            return [sp.Integer(1)]
        return [sp.Integer(1), sp.Integer(2), None, n]


def _entry(body, i, j, r, c):
    """The entry at (r, c), in the order the body was written. A delta between two displayed
    positions resolves to 0 or 1 (displayed positions are distinct); a delta with any other index
    (the class c of -log a_c) stays: it is part of the entry's value."""
    return _rebuild(body, {i: r, j: c}, frozenset({r, c}))


def _rebuild(e, mapping, positions=frozenset()):
    if e in mapping:
        return mapping[e]
    if not e.args:
        return e
    args = [_rebuild(a, mapping, positions) for a in e.args]
    if isinstance(e, sp.KroneckerDelta):
        if args[0] == args[1]:
            return sp.Integer(1)
        if all(a in positions or a.is_Integer for a in args):
            return sp.Integer(0)
        return sp.KroneckerDelta(*args, evaluate=False)
    if isinstance(e, sp.Add):
        args = [a for a in args if a != 0]
        return sp.Integer(0) if not args else args[0] if len(args) == 1 else sp.Add(*args, evaluate=False)
    if isinstance(e, sp.Mul):
        if any(a == 0 for a in args):
            return sp.Integer(0)
        sign, flat = 1, []
        for a in args:
            if a == 1:
                continue
            if isinstance(a, sp.Add) and len(a.args) == 1:
                a = a.args[0]
            if isinstance(a, sp.Mul) and a.args and a.args[0] == -1:  # pull signs to the front
                sign, a = -sign, sp.Mul(*a.args[1:], evaluate=False)
            if a == -1:
                sign = -sign
                continue
            flat.append(a)
        core = flat[0] if len(flat) == 1 else sp.Mul(*flat, evaluate=False) if flat else sp.Integer(1)
        return core if sign > 0 else sp.Mul(sp.S.NegativeOne, core, evaluate=False)
    if isinstance(e, sp.Pow):
        return sp.Pow(*args, evaluate=False)
    return e.func(*args)


def latex(expr, max_shown: int = MAX_SHOWN) -> str:
    return Printer(max_shown).doprint(expr)


def inline(expr) -> str:
    """For a formula inside a sentence or a margin note: derivatives with a slash, not a fraction."""
    p = Printer()
    p._in_fraction = 1
    return p.doprint(expr).removeprefix("(").removesuffix(")") if isinstance(expr, sp.Derivative) else p.doprint(expr)
