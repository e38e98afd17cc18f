"""Numeric evaluation of engine expressions with mpmath: indices, sums, definitions, derivatives."""
from __future__ import annotations

import mpmath
import sympy as sp
from sympy.matrices.expressions import (HadamardProduct, Identity, MatAdd, MatMul, MatrixExpr, MatrixSymbol, OneMatrix,
                                        Transpose)
from sympy.matrices.expressions.matexpr import MatrixElement

from ..calculus.definition import Definition, EvalError, LogDomain, Undefined, _name  # noqa: F401  (where they live)
from ..calculus.objects import Diag, Entrywise, Grad, Jac, sigmoid
from ..calculus.symbols import basic

_TRIG = {sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan, sp.tanh: mpmath.tanh,
         sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh}
Vec = list  # a list of mpf


class Evaluator:
    """Evaluates at one point: leaf values, the size K and the index values in force.

    Defined names are computed from their definitions and memoised, so a shared sum such as
    sum_k e^{z_k} is computed once per point. `overrides` hold a defined name as a variable
    (for partial derivatives with respect to it).
    """

    def __init__(self, leaves: dict, K: int, defs: dict, size_symbol=None, overrides=None, dps: int = 60):
        self.leaves, self.K, self.defs = leaves, K, defs
        self.size_symbol = size_symbol
        self.overrides = overrides or {}
        self.dps = dps
        self._defs_key = frozenset(defs.values())  # a stable key for the caches shared across points
        self._memo: dict = {}
        self._tmemo: dict = {}
        self._seeds: dict = {}
        self.absorbed = False   # a term was lost below the precision somewhere (see _fsum)

    # -- scalars -----------------------------------------------------------------------------
    def scalar(self, e, idx: dict | None = None):
        idx = idx or {}
        with mpmath.workdps(self.dps):
            return self._s(e, idx)

    def _s(self, e, idx):
        if e.is_Number:
            if e.is_Integer:
                return mpmath.mpf(int(e))
            if e.is_Rational:
                return mpmath.mpf(int(e.p)) / int(e.q)
            if e.is_finite:
                return mpmath.mpf(str(e))
            raise EvalError("an infinite constant")
        if e is sp.pi:
            return +mpmath.pi
        if e is sp.E:
            return mpmath.e()
        if isinstance(e, sp.Symbol):
            if e in idx:
                return mpmath.mpf(idx[e])
            if self.size_symbol is not None and e == self.size_symbol:
                return mpmath.mpf(self.K)
            return self._named(e.name, (), idx)
        if isinstance(e, sp.Indexed):
            ints = tuple(self._index(t, idx) for t in e.indices)
            return self._named(e.base.label.name, ints, idx)
        if isinstance(e, sp.Add):
            return self._fsum([self._s(a, idx) for a in e.args])
        if isinstance(e, sp.Mul):
            out = mpmath.mpf(1)
            for a in e.args:
                out *= self._s(a, idx)
            return out
        if isinstance(e, sp.Pow):
            b, x = self._s(e.base, idx), self._s(e.exp, idx)
            if b == 0 and x < 0:
                raise Undefined("division by zero")
            if b < 0 and x != int(x):
                raise Undefined("a fractional power of a negative number")
            return b ** x
        if isinstance(e, sp.exp):
            return mpmath.exp(self._s(e.args[0], idx))
        if isinstance(e, sp.log):
            x = self._s(e.args[0], idx)
            if x <= 0:
                raise LogDomain("the logarithm of a number that is not positive")
            return mpmath.log(x)
        if isinstance(e, sigmoid):
            return 1 / self._fsum([mpmath.mpf(1), mpmath.exp(-self._s(e.args[0], idx))])
        if type(e) in _TRIG:   # \sin, \cos, ... as the checker reads them
            return _TRIG[type(e)](self._s(e.args[0], idx))
        if isinstance(e, sp.KroneckerDelta):
            return mpmath.mpf(int(self._index(e.args[0], idx) == self._index(e.args[1], idx)))
        if isinstance(e, (sp.Sum, sp.Product, sp.Derivative)):
            # memoised per point: a shared denominator sum_k e^{z_k} is computed once, and
            # dL/da_i once for every j it is multiplied with
            key = (e, _idx_key(e, idx))
            if key not in self._memo:
                self._memo[key] = self._derivative(e, idx) if isinstance(e, sp.Derivative) else self._reduce(e, idx)
            return self._memo[key]
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [self._s(a, idx) for a in e.args]
            return max(vals) if isinstance(e, sp.Max) else min(vals)
        if isinstance(e, sp.Abs):
            return abs(self._s(e.args[0], idx))
        if isinstance(e, MatrixElement):
            m = self.matrix(e.parent, idx)
            return m[self._index(e.i, idx)][self._index(e.j, idx)]
        if isinstance(e, (MatrixExpr, sp.MatrixBase)) and e.shape == (1, 1):
            return self.matrix(e, idx)[0][0]
        numeric = getattr(e, "numeric", None)
        if numeric is not None:  # extension point: objects that know their own value
            return numeric(self, idx)
        raise EvalError(f"cannot evaluate {type(e).__name__}")

    def _fsum(self, terms):
        """A sum that notes when a nonzero term is lost below the working precision (1 + e^{-2000}):
        an exact-looking result is then no evidence that two sides agree."""
        total = mpmath.fsum(terms)
        if not self.absorbed:
            big = max((abs(t) for t in terms), default=0)
            eps = mpmath.mpf(2) ** (8 - mpmath.mp.prec)
            if any(t and abs(t) < eps * big for t in terms):
                self.absorbed = True
        return total

    def _index(self, t, idx) -> int:
        if t in idx:  # the fast paths: an index letter in force, or a literal
            return idx[t]
        if t.is_Integer:
            return int(t)
        v = self._s(t, idx)
        if v != int(v):
            raise EvalError("an index that is not a whole number")
        return int(v)

    def _named(self, name: str, ints: tuple, idx):
        key = (name, ints)
        if key in self.overrides:
            return self.overrides[key]
        if key in self._memo:
            return self._memo[key]
        d = self.defs.get(name)
        if d is not None and len(d.indices) == len(ints):
            for v in ints:
                if not 1 <= v <= self.K:
                    raise EvalError(f"index {v} of {name} is outside 1..{self.K}")
            value = self._s(d.body, dict(zip(d.indices, ints)))
        elif key in self.leaves:
            value = self.leaves[key]
        else:
            shown = name + ("_" + ",".join(map(str, ints)) if ints else "")
            raise EvalError(f"no value for {shown}")
        self._memo[key] = value
        return value

    def _reduce(self, e, idx):
        body, (k, lo, hi) = e.function, e.limits[0]
        if len(e.limits) > 1:
            inner = type(e)(body, *e.limits[:-1])
            body, (k, lo, hi) = inner, e.limits[-1]
        lo, hi = self._index(lo, idx), self._index(hi, idx)
        vals = (self._s(body, {**idx, k: v}) for v in range(lo, hi + 1))
        if isinstance(e, sp.Sum):
            return mpmath.fsum(vals)
        out = mpmath.mpf(1)
        for v in vals:
            out *= v
        return out

    # -- derivatives ---------------------------------------------------------------------------
    def _key(self, var, idx):
        if isinstance(var, sp.Indexed):
            return (var.base.label.name, tuple(self._index(t, idx) for t in var.indices))
        if isinstance(var, sp.Symbol):
            return (var.name, ())
        raise EvalError(f"cannot differentiate with respect to {var}")

    def shifted(self, changes: dict) -> Evaluator:
        """The same point with some variables moved (a defined name becomes a held variable)."""
        extra = self.dps // 3 + 5  # the difference quotient loses a third of the digits
        return Evaluator(self.leaves if not changes else {**self.leaves, **{k: v for k, v in changes.items() if k[0] not in self.defs}},
                         self.K, self.defs, self.size_symbol,
                         {**self.overrides, **{k: v for k, v in changes.items() if k[0] in self.defs}},
                         self.dps + extra)

    def value_of(self, key):
        name, ints = key
        return self._named(name, ints, {})

    def _step(self):
        return mpmath.mpf(10) ** (-(self.dps // 3))

    def directional(self, f, direction: dict, idx):
        """d/dt f(p + t w) at t = 0, central difference at raised precision (error ~ h^2)."""
        h = self._step()
        base = {k: self.value_of(k) for k in direction}
        plus = self.shifted({k: base[k] + h * w for k, w in direction.items()})
        minus = self.shifted({k: base[k] - h * w for k, w in direction.items()})
        with mpmath.workdps(plus.dps):  # the shifted points are evaluated at their raised precision
            return f(plus, minus, h)

    def _derivative(self, e, idx):
        expr, variables = e.expr, [v for v, n in e.variable_count for _ in range(int(n))]
        if len(variables) > 1:  # d^2 X / du dv = d/du (dX/dv)
            inner = sp.Derivative(expr, *variables[1:])
            variables, expr = variables[:1], inner
        key = self._key(variables[0], idx)
        if not expr.has(sp.Derivative):
            return self.tangent(expr, idx, {key: mpmath.mpf(1)})
        # a derivative of a derivative: difference the inner (exact) derivative
        return self.directional(lambda p, m, h: (p._s(expr, idx) - m._s(expr, idx)) / (2 * h), {key: 1}, idx)

    # -- forward mode: exact directional derivatives through the definitions ----------------
    def tangent(self, e, idx, seed: dict):
        """d/dt e(p + t w) at t = 0 for the direction `seed` {leaf key: w}, by the chain rule
        applied numerically (forward-mode differentiation); values come from the memo."""
        # one variable: the token is the variable itself, so d(sum_k e^{z_k})/dz_j is shared
        token = next(iter(seed)) if len(seed) == 1 and next(iter(seed.values())) == 1 else ("seed", id(seed))
        self._seeds[token] = seed  # keeps the seed alive while its memo entries are in use
        return self._t(e, idx, token)

    def _t(self, e, idx, token):
        if e.is_Number or isinstance(e, (sp.KroneckerDelta, sp.NumberSymbol)):
            return _ZERO
        if isinstance(e, sp.Symbol):
            if e in idx or (self.size_symbol is not None and e == self.size_symbol):
                return _ZERO
            return self._t_named(e.name, (), token)
        if isinstance(e, sp.Indexed):
            return self._t_named(e.base.label.name, tuple(self._index(t, idx) for t in e.indices), token)
        key = (e, _idx_key(e, idx), token)
        if key in self._tmemo:
            return self._tmemo[key]
        out = self._t_compound(e, idx, token)
        self._tmemo[key] = out
        return out

    def _t_named(self, name, ints, token):
        key = (name, ints)
        seed = self._seeds[token]
        if key in seed:
            return seed[key]
        if key in self.overrides or name not in self.defs:
            return _ZERO
        mkey = ("named", key, token)
        if mkey not in self._tmemo:
            d = self.defs[name]
            self._tmemo[mkey] = self._t(d.body, dict(zip(d.indices, ints)), token)
        return self._tmemo[mkey]

    def _single_term(self, body, k, token):
        """For a one-variable token v_c: c when body reaches v only as v_k (k the sum's index)."""
        if not (isinstance(token, tuple) and len(token) == 2 and isinstance(token[0], str)
                and isinstance(token[1], tuple) and len(token[1]) == 1):
            return None
        name = token[0]
        key = ("single", body, k, name, self._defs_key)
        if key not in _REACH:
            _REACH[key] = self._only_direct(body, k, name)
        return token[1][0] if _REACH[key] else None

    def _only_direct(self, body, k, name) -> bool:
        for x in sp.preorder_traversal(body):
            if isinstance(x, sp.Indexed):
                base = x.base.label.name
                if base == name and tuple(x.indices) != (k,):
                    return False
                if base != name and self._reaches(base, name):
                    return False
            elif isinstance(x, sp.Symbol) and x.name != name and self._reaches(x.name, name):
                return False
            elif isinstance(x, (sp.Derivative, MatrixExpr)) or getattr(x, "numeric", None) is not None:
                return False
        return True

    def _reaches(self, defined: str, name: str, seen=()) -> bool:
        """Does the definition of `defined` mention `name`, directly or through other definitions?"""
        d = self.defs.get(defined)
        if d is None or defined in seen or (defined, ()) in self.overrides:
            return False
        key = ("reach", defined, name, self._defs_key)
        if key not in _REACH:
            found = False
            for x in sp.preorder_traversal(d.body):
                n = x.base.label.name if isinstance(x, sp.Indexed) else x.name if isinstance(x, sp.Symbol) else None
                if n == name or (n and n != defined and self._reaches(n, name, seen + (defined,))):
                    found = True
                    break
            _REACH[key] = found
        return _REACH[key]

    def _t_compound(self, e, idx, token):
        t = lambda x: self._t(x, idx, token)  # noqa: E731
        v = lambda x: self._s(x, idx)  # noqa: E731
        if isinstance(e, sp.Add):
            return mpmath.fsum(t(a) for a in e.args)
        if isinstance(e, sp.Mul):
            # tangents first: most are zero, and then no value needs computing
            tans = [t(a) for a in e.args]
            out = _ZERO
            for n, da in enumerate(tans):
                if da:
                    prod = da
                    for m, x in enumerate(e.args):
                        if m != n:
                            prod *= v(x)
                    out += prod
            return out
        if isinstance(e, sp.Pow):
            b, x = e.base, e.exp
            db = t(b)
            if x.is_Number:
                return v(x) * v(b) ** (v(x) - 1) * db if db else _ZERO
            dx = t(x)
            return v(e) * (dx * mpmath.log(v(b)) + v(x) * db / v(b)) if (db or dx) else _ZERO
        if isinstance(e, (sp.exp, sp.log, sigmoid)):
            du = t(e.args[0])
            if not du:
                return _ZERO
            if isinstance(e, sp.exp):
                return v(e) * du
            if isinstance(e, sp.log):
                return du / v(e.args[0])
            sv = v(e)
            return sv * (1 - sv) * du
        if isinstance(e, (sp.sin, sp.cos, sp.tan, sp.tanh)):
            du = t(e.args[0])
            if not du:
                return _ZERO
            x = v(e.args[0])
            slope = {sp.sin: mpmath.cos(x), sp.cos: -mpmath.sin(x), sp.tan: 1 + mpmath.tan(x) ** 2,
                     sp.tanh: 1 - mpmath.tanh(x) ** 2}[type(e)]
            return slope * du
        if isinstance(e, sp.Sum) and len(e.limits) > 1:  # sum over the last index of the inner sums
            inner, (k, lo, hi) = sp.Sum(e.function, *e.limits[:-1]), e.limits[-1]
            return mpmath.fsum(self._t(inner, {**idx, k: n}, token)
                               for n in range(self._index(lo, idx), self._index(hi, idx) + 1))
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            body, (k, lo, hi) = e.function, e.limits[0]
            only = self._single_term(body, k, token)
            if only is not None:  # d/dz_c sum_k f(z_k) = f'(z_c): one term, not K
                lo_v, hi_v = self._index(lo, idx), self._index(hi, idx)
                return self._t(body, {**idx, k: only}, token) if lo_v <= only <= hi_v else _ZERO
            return mpmath.fsum(self._t(body, {**idx, k: n}, token)
                               for n in range(self._index(lo, idx), self._index(hi, idx) + 1))
        # extensions that know their own derivative (a stop-gradient: 0) say so
        own = getattr(e, "numeric_tangent", None)
        if own is not None:
            return own(self, idx, token)
        # anything else (max, abs, nested derivatives, extensions): a central difference
        seed = self._seeds[token]
        return self.directional(lambda p, m, h: (p._s(e, idx) - m._s(e, idx)) / (2 * h), seed, idx)

    # -- matrices ---------------------------------------------------------------------------
    def shape(self, e, idx) -> tuple[int, int]:
        r, c = e.shape
        return (self._index(basic(r), idx), self._index(basic(c), idx))

    def matrix(self, e, idx: dict | None = None) -> list[list]:
        idx = idx or {}
        with mpmath.workdps(self.dps):
            return self._m(e, idx)

    def _m(self, e, idx):
        if isinstance(e, sp.MatrixBase):
            return [[self._s(e[r, c], idx) for c in range(e.cols)] for r in range(e.rows)]
        if isinstance(e, MatrixSymbol):
            rows, cols = self.shape(e, idx)
            if cols != 1:  # a matrix W: its entries W_{rc}
                return [[self._named(e.name, (r + 1, c + 1), idx) for c in range(cols)] for r in range(rows)]
            return [[self._named(e.name, (r + 1,), idx)] for r in range(rows)]
        if isinstance(e, (Identity, OneMatrix)):
            rows, cols = self.shape(e, idx)
            return [[mpmath.mpf(1 if isinstance(e, OneMatrix) or r == c else 0) for c in range(cols)] for r in range(rows)]
        if isinstance(e, HadamardProduct):
            parts = [self._m(a, idx) for a in e.args]
            out = parts[0]
            for p in parts[1:]:
                out = [[x * y for x, y in zip(ra, rb)] for ra, rb in zip(out, p)]
            return out
        if isinstance(e, Grad):  # dL/dv, dL/dW: one tangent per entry
            L, v = e.args
            rows, cols = self.shape(v, idx)
            at = (lambda r, c: (r + 1,)) if cols == 1 else (lambda r, c: (r + 1, c + 1))  # noqa: E731
            return [[self.tangent(L, idx, {(v.name, at(r, c)): mpmath.mpf(1)}) for c in range(cols)]
                    for r in range(rows)]
        if isinstance(e, Entrywise):
            body, i, j = e.args[:3]
            rows, cols = self.shape(e, idx)
            return [[self._s(body, {**idx, i: r + 1, j: c + 1}) for c in range(cols)] for r in range(rows)]
        if isinstance(e, Transpose):
            m = self._m(e.arg, idx)
            return [list(col) for col in zip(*m)]
        if isinstance(e, Diag):
            v = [row[0] for row in self._m(e.args[0], idx)]
            return [[v[r] if r == c else mpmath.mpf(0) for c in range(len(v))] for r in range(len(v))]
        if isinstance(e, MatAdd):
            parts = [self._m(a, idx) for a in e.args]
            return [[mpmath.fsum(p[r][c] for p in parts) for c in range(len(parts[0][0]))] for r in range(len(parts[0]))]
        if isinstance(e, MatMul):
            scale, out = mpmath.mpf(1), None
            for a in e.args:
                if isinstance(a, (MatrixExpr, sp.MatrixBase)):
                    m = self._m(a, idx)
                    out = m if out is None else _matmul(out, m)
                else:
                    scale *= self._s(a, idx)
            if out is None:  # a MatMul holds a matrix; a product of scalars alone never reaches here
                raise EvalError("a matrix product without a matrix")
            return [[scale * x for x in row] for row in out]
        if isinstance(e, (Jac, Grad)):
            n = self.shape(e, idx)[1] if isinstance(e, Jac) else 1
            columns = [self._apply(e, [mpmath.mpf(int(c == k)) for c in range(n)], idx) for k in range(n)]
            return [list(r) for r in zip(*columns)]
        if not isinstance(e, MatrixExpr):  # a scalar in matrix position
            return [[self._s(e, idx)]]
        raise EvalError(f"cannot evaluate the matrix {type(e).__name__}")

    def apply(self, e, w: Vec, idx: dict | None = None) -> Vec:
        """e @ w without forming e when it is a Jacobian (one directional derivative)."""
        with mpmath.workdps(self.dps):
            return self._apply(e, w, idx or {})

    def apply_t(self, e, u: Vec, idx: dict | None = None) -> Vec:
        """e^T @ u; a gradient applied this way costs one directional derivative."""
        with mpmath.workdps(self.dps):
            return self._apply_t(e, u, idx or {})

    def _apply(self, e, w, idx):
        if isinstance(e, Grad) and e.args[1].shape[1] != 1:  # (dL/dW) w: one directional derivative a row
            L, v = e.args
            rows, cols = self.shape(v, idx)
            return [self.tangent(L, idx, {(v.name, (r + 1, c + 1)): w[c] for c in range(cols)}) for r in range(rows)]
        if isinstance(e, Jac):
            f, v = e.args
            rows = self.shape(f, idx)[0]
            direction = {(v.name, (c + 1,)): w[c] for c in range(len(w))}
            entries = [sp.IndexedBase(f.name)[r + 1] for r in range(rows)]
            return [self.tangent(x, idx, direction) for x in entries]
        if isinstance(e, Transpose):
            return self._apply_t(e.arg, w, idx)
        if isinstance(e, Entrywise):
            out = self._separable_apply(e, w, idx)
            if out is not None:
                return out
        if isinstance(e, Diag):
            v = [row[0] for row in self._m(e.args[0], idx)]
            return [a * b for a, b in zip(v, w)]
        if isinstance(e, MatAdd):
            parts = [self._apply(a, w, idx) for a in e.args]
            return [mpmath.fsum(col) for col in zip(*parts)]
        if isinstance(e, MatMul):
            scale, out = mpmath.mpf(1), w
            for a in reversed(e.args):
                if isinstance(a, (MatrixExpr, sp.MatrixBase)):
                    out = self._apply(a, out, idx)
                else:
                    scale *= self._s(a, idx)
            return [scale * x for x in out]
        return _matvec(self._m(e, idx), w)

    def _separable_apply(self, e, w, idx):
        """M w in O(K) when every term of the entry is f(i) g(j) or f(i) g(i) delta_ij."""
        body, i, j = e.args[:3]
        rows, cols = self.shape(e, idx)
        out = [mpmath.mpf(0)] * rows
        for term in _expanded_terms(body):
            parts: dict[str, list] = {"i": [], "j": [], "c": []}
            delta = False
            for f in sp.Mul.make_args(term):
                fs = _free_symbols(f)
                if i in fs and j in fs:
                    if not (isinstance(f, sp.KroneckerDelta) and set(f.args) == {i, j}) or delta:
                        return None
                    delta = True
                else:
                    parts["i" if i in fs else "j" if j in fs else "c"].append(f)
            c = self._s(sp.Mul(*parts["c"]), idx)
            fi = [self._s(sp.Mul(*parts["i"]), {**idx, i: r + 1}) for r in range(rows)]
            if delta:
                gj = [self._s(sp.Mul(*parts["j"]), {**idx, j: r + 1}) for r in range(min(rows, cols))]
                for r in range(min(rows, cols)):
                    out[r] += c * fi[r] * gj[r] * w[r]
            else:
                s = mpmath.fsum(self._s(sp.Mul(*parts["j"]), {**idx, j: q + 1}) * w[q] for q in range(cols))
                for r in range(rows):
                    out[r] += c * fi[r] * s
        return out

    def _apply_t(self, e, u, idx):
        if isinstance(e, Grad):
            L, v = e.args
            rows = self.shape(v, idx)[0]
            direction = {(v.name, (r + 1,)): u[r] for r in range(rows)}
            return [self.tangent(L, idx, direction)]
        if isinstance(e, Transpose):
            return self._apply(e.arg, u, idx)
        if isinstance(e, Diag):
            return self._apply(e, u, idx)
        if isinstance(e, MatAdd):
            parts = [self._apply_t(a, u, idx) for a in e.args]
            return [mpmath.fsum(col) for col in zip(*parts)]
        if isinstance(e, MatMul):
            scale, out = mpmath.mpf(1), u
            for a in e.args:
                if isinstance(a, (MatrixExpr, sp.MatrixBase)):
                    out = self._apply_t(a, out, idx)
                else:
                    scale *= self._s(a, idx)
            return [scale * x for x in out]
        m = self._m(e, idx)
        return _matvec([list(c) for c in zip(*m)], u)


_ZERO = mpmath.mpf(0)
_REACH: dict = {}  # structural facts about expressions and definitions (not values)


def _idx_key(e, idx) -> tuple:
    """The values of the index letters in force that e actually mentions (a memo key)."""
    free = _free_symbols(e)
    return tuple(sorted((s.name, v) for s, v in idx.items() if s in free))
_FREE: dict = {}
_TERMS: dict = {}


def _expanded_terms(body) -> tuple:
    if body not in _TERMS:
        _TERMS[body] = sp.Add.make_args(sp.expand(body))
    return _TERMS[body]


def _free_symbols(e) -> frozenset:
    if e not in _FREE:
        if len(_FREE) > 100_000:
            _FREE.clear()
        # atoms, not free_symbols: SymPy leaves a Derivative's variables out of free_symbols
        _FREE[e] = frozenset(e.atoms(sp.Symbol))
    return _FREE[e]


def _matmul(a, b):
    bt = list(zip(*b))
    return [[mpmath.fsum(x * y for x, y in zip(row, col)) for col in bt] for row in a]


def _matvec(m, w):
    if m and len(m[0]) != len(w):
        raise EvalError("matrix sizes do not match")
    return [mpmath.fsum(x * y for x, y in zip(row, w)) for row in m]
