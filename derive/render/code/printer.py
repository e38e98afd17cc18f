"""SymPy (lowered: arrays and array operations) -> one Python expression for NumPy or PyTorch."""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ...errors import UnsupportedError
from .backend import Backend

# SymPy functions a lowered formula may still hold, by the name the libraries give them
FUNCTIONS = {"log": "log", "exp": "exp", "Expm1": "expm1", "Log1p": "log1p", "sigmoid": "sigmoid",
             "tanh": "tanh", "Abs": "abs"}


class CodePrinter(StrPrinter):
    """StrPrinter's operators and parentheses (valid Python), with arrays, reductions and the
    library's functions; anything else is refused rather than printed as SymPy would."""

    printmethod = "_derive_code"

    def __init__(self, backend: Backend, wrt: str, settings=None):
        super().__init__({"order": "none", **(settings or {})})
        self.backend, self.wrt = backend, wrt

    def _fill(self, template: str, **parts) -> str:
        return template.format(wrt=self.wrt, **parts)

    def _print_Array(self, e):
        return e.name

    def _print_Symbol(self, e):
        return e.name

    def _print_Reduce(self, e):
        return self._fill(self.backend.reduce, x=self.parenthesize(e.args[0], PRECEDENCE["Atom"], strict=True),
                          axis=int(e.args[1]))

    def _print_RowMax(self, e):
        return self._fill(self.backend.row_max, x=self.parenthesize(e.args[0], PRECEDENCE["Atom"], strict=True),
                          axis=int(e.args[1]))

    def _print_OneHot(self, e):
        c, size = e.args
        return self._fill(self.backend.one_hot, c=self._print(c), size=self._print(size))

    def _print_Gather(self, e):
        x, c, axis = e.args
        return self._fill(self.backend.gather, x=self._print(x), c=self._print(c), axis=int(axis))

    def _print_Quotient(self, e):
        x, y, limit = e.args
        return self._fill(self.backend.quotient, x=self.parenthesize(x, PRECEDENCE["Mul"], strict=True),
                          y=self.parenthesize(y, PRECEDENCE["Atom"], strict=True), limit=repr(float(limit)))

    def _print_LogSigmoid(self, e):
        x = self._print(e.args[0])
        if self.backend.name == "numpy":
            return f"(-np.logaddexp(0, -({x})))"
        return f"torch.nn.functional.logsigmoid({x})"

    def _print_Function(self, e):
        name = FUNCTIONS.get(type(e).__name__)
        if name is None:
            raise UnsupportedError(f"no code for the function {type(e).__name__}")
        if name == "sigmoid" and self.backend.name == "numpy":  # 1/(1 + e^-x) without overflow
            x = self._print(e.args[0])
            return f"np.exp(-np.logaddexp(0, -({x})))"
        return f"{self.backend.module}.{name}({', '.join(self._print(a) for a in e.args)})"

    _print_log = _print_exp = _print_Expm1 = _print_Log1p = _print_sigmoid = _print_Function

    def _print_Pow(self, e, rational=False):
        if e.exp == sp.S.Half:
            return f"{self.backend.module}.sqrt({self._print(e.base)})"
        return super()._print_Pow(e, rational)

    def _print_Float(self, e):
        return repr(float(e))

    def _print_Rational(self, e):
        return f"({e.p}/{e.q})" if e.q != 1 else str(e.p)

    def _print_Integer(self, e):
        return str(e.p)

    def emptyPrinter(self, e):
        raise UnsupportedError(f"no code for {type(e).__name__} ({e})")

    def _print_Basic(self, e):
        raise UnsupportedError(f"no code for {type(e).__name__} ({e})")

    _print_Indexed = _print_Sum = _print_KroneckerDelta = _print_Derivative = _print_Basic


def code(e, backend: Backend, wrt: str) -> str:
    return CodePrinter(backend, wrt).doprint(e)
