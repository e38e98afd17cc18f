"""A normal form of the index calculus that proves an identity for every K (or a concrete K).

Both sides are brought to one canonical form: matrices to their (r, c) entry, derivatives taken
symbolically (d z_k / d z_j = delta_kj, through the definitions), definitions expanded, sums split
by linearity with constant factors pulled out and Kronecker deltas contracted, exp and log in
canonical shape, constraints (sum_i y_i = 1) applied; then, for every pattern of equalities among
the free indices (i = j or i != j, i equal to a written constant), the difference must cancel to 0
with SymPy's cancel/together/expand, sums and functions held as atoms. Every rewrite is an
identity, so a 0 is a proof; anything else is "not proved" (None), never "false".
"""
from __future__ import annotations

import itertools
import time

import sympy as sp
from sympy import KroneckerDelta
from sympy.matrices.expressions import (HadamardProduct, Identity, MatAdd, MatMul, MatrixExpr, MatrixSymbol, OneMatrix,
                                        Transpose)

from ..calculus.objects import Diag, Entrywise, Grad, Jac, sigmoid
from ..calculus.symbols import basic
from . import ranges
from .ranges import Ind

MAX_FREE = 5          # free indices (patterns grow like the Bell numbers)
MAX_OPS = 4000        # size of a side after expansion
MAX_EXPLICIT = 8      # a concrete K up to this expands its sums term by term
POSITIVE_DOMAINS = ("positive", "simplex", "unit")


class NotNormal(Exception):
    """The normal form does not cover this expression (the numeric test decides instead)."""


def prove(lhs, rhs, ctx) -> str | None:
    """A detail saying what was proved when lhs = rhs follows from the normal form, else None."""
    _DEADLINE[0] = time.monotonic() + PROVE_SECONDS
    try:
        return _Prover(ctx).prove(lhs, rhs)
    except (NotNormal, RecursionError, sp.PolynomialError, TypeError, ValueError, AttributeError,
            NotImplementedError, ZeroDivisionError):
        return None


class _Prover:
    def __init__(self, ctx):
        self.ctx = ctx
        self.defs = ctx.defs()
        self.size = ctx.size if isinstance(ctx.size, int) else ctx.size
        self.concrete = isinstance(ctx.size, int)
        self.K = sp.Integer(ctx.size) if self.concrete else ctx.size
        self.domains = {n: d for n, d in ctx.domains if isinstance(d, str)}
        # a fixed point given entry by entry for every K (a_t = delta_{t,1}) is substituted
        self.points = {n: d.entry for n, d in ctx.domains if getattr(d, "entry", None) is not None}
        self.fixed = {n for n, d in ctx.domains if not isinstance(d, str) and n not in self.points} | {n for n, _ in ctx.values}
        self.counter = itertools.count()
        self.ranges: dict = {}        # a bound letter not named here -> (lo, hi) (see _range)
        self.free_ranges: dict = {}   # free index -> its size (1..size)
        self.distinct: set = set()    # in one index pattern: values that are pairwise different
        self.min_K = 2
        self.memo: dict = {}
        self.sizes: frozenset = frozenset()   # symbols that are sizes (N), not indices (see _sizes)

    # -- entry point ----------------------------------------------------------------------------
    def prove(self, lhs, rhs) -> str | None:
        if self.fixed:
            return None  # a claim at one fixed point is the numeric test's
        self._setup(explicit=False)
        out = self._prove(lhs, rhs)
        if out is None and self.concrete and int(self.K) <= MAX_EXPLICIT:
            # sums written out term by term (a step that shows a_1 + a_2 + a_3)
            self._setup(explicit=True)
            self.ranges, self.free_ranges, self.min_K, self.memo = {}, {}, 2, {}
            out = self._prove(lhs, rhs)
        return out

    def _setup(self, explicit: bool) -> None:
        """What the normal form of an expression depends on besides itself (with the free indices'
        ranges and the distinct values, which _canon adds): the same in every claim that shares it,
        so the claims of one derivation share the work on a common side (see _MEMO)."""
        self.explicit = explicit
        config = (self.ctx.definitions, self.ctx.domains, self.ctx.size, self.ctx.values, explicit)
        if config not in _CONFIGS:
            if len(_CONFIGS) > MEMO_CONFIGS:
                _CONFIGS.clear()
                _MEMO.clear()
            _CONFIGS[config] = next(_CONFIG_IDS)  # never reused: an old key cannot name a new configuration
        self.config = _CONFIGS[config]

    def _prove(self, lhs, rhs) -> str | None:
        r, c = _ROW, _COL
        if _is_matrix(lhs) or _is_matrix(rhs):
            shape = self._shape(lhs if _is_matrix(lhs) else rhs)
            if _is_matrix(lhs) and _is_matrix(rhs) and self._shape(rhs) != shape:
                return None
            if shape[1] == 1:
                c = sp.Integer(1)
            if shape[0] == 1:
                r = sp.Integer(1)
            self.free_ranges = {x: n for x, n in ((r, shape[0]), (c, shape[1])) if not x.is_Integer}
            diff = self._entry(lhs, r, c) - self._entry(rhs, r, c)
        else:
            diff = lhs - rhs
        self.sizes = self._sizes([lhs, rhs] + [d.body for d in self.ctx.definitions])
        self._declared_ranges(diff)
        diff = self._derivatives(diff)
        diff = self._expand(diff, set(), values=True)
        diff = self._indicators(diff, {})
        self._infer_ranges(diff)
        diff = self._canon(diff)
        where = f"K = {self.K}" if self.concrete else (f"every K >= {self.min_K}" if self.min_K > 2 else "every K")
        if self._zero(diff):
            return f"proved for {where} (index normal form)"
        free = sorted((s for s in _free(diff) - {self.K} if getattr(s, "is_integer", False)), key=str)
        split = sorted({s for x in list(sp.preorder_traversal(diff)) + list(self.ctx.conditions)
                        if isinstance(x, (KroneckerDelta, sp.Eq, sp.Ne)) for s in _free(x) if s in free}, key=str)
        if not split or len(split) > MAX_FREE:
            return None
        patterns = 0
        for mapping, atoms in self._patterns(split, diff):
            patterns += 1
            self.distinct = atoms
            case = self._canon(_subs(diff, mapping))
            self.distinct = set()
            if not self._zero(case):
                return None
        where = f"K = {self.K}" if self.concrete else (f"every K >= {self.min_K}" if self.min_K > 2 else "every K")
        return f"proved for {where} (index normal form, {patterns} index patterns)"

    def _one_hot(self, e):
        """A one-hot y: y_t^n = y_t and y_t sum_d f(d) y_d = f(t) y_t (y_t y_d = delta_dt y_d)."""
        hots = {n for n, d in self.domains.items() if d == "one-hot"}
        if not hots:
            return e

        def hot(f):
            return isinstance(f, sp.Indexed) and str(f.base.label) in hots and len(f.indices) == 1

        out = []
        for term in sp.Add.make_args(_expand_bounded(e)):
            factors = [f.base if isinstance(f, sp.Pow) and hot(f.base) and f.exp.is_Integer and f.exp > 0 else f
                       for f in sp.Mul.make_args(term)]
            for _ in range(4):
                ys = [f for f in factors if hot(f)]
                sums = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1
                        and any(hot(x) and x.indices == (f.limits[0][0],) and x.base in {y.base for y in ys}
                                for x in sp.Mul.make_args(f.function))]
                if not sums:
                    break
                s = sums[0]
                d = s.limits[0][0]
                y = next(y for y in ys if any(hot(x) and x.base == y.base and x.indices == (d,) for x in sp.Mul.make_args(s.function)))
                factors.remove(y)
                factors.remove(s)
                factors.append(self._sum(s.function * KroneckerDelta(d, y.indices[0]), s.limits[0]))
                factors = list(sp.Mul.make_args(sp.Mul(*factors)))
            out.append(sp.Mul(*factors))
        return sp.Add(*out)

    def _infer_ranges(self, e):
        """A free index's range: that of the sums' indices written in the same place when they run
        over another size (z_{n,i} with n summed over 1..N: a free m in z_{m,j} also runs over
        1..N); else 1..K. A partial sum (k up to K - 1, or to 16) says nothing of a free j: j still
        runs over 1..K, and sum_{k<K} delta_kj y_k = y_j is not proved (false for j = K)."""
        seen: dict = {}
        leaves = [x for x in sp.preorder_traversal(e) if isinstance(x, sp.Indexed)]
        self._declared_ranges(e)
        for x in leaves:
            for pos, t in enumerate(x.indices):
                if self._range(t) is not None:
                    seen.setdefault((str(x.base.label), pos), set()).add(self._range(t)[1])
        for x in leaves:
            for pos, t in enumerate(x.indices):
                if isinstance(t, sp.Symbol) and self._range(t) is None and t not in self.free_ranges:
                    his = seen.get((str(x.base.label), pos), set())
                    if len(his) == 1 and _another_size(next(iter(his)), self.K) \
                            and not self._dependent(next(iter(his))):
                        self.free_ranges[t] = next(iter(his))
        for x in leaves:
            for pos, t in enumerate(x.indices):
                his = seen.get((str(x.base.label), pos), set())
                if t in self.free_ranges and his and his != {basic(self.free_ranges[t])}:
                    raise NotNormal("an index used with two ranges")

    def _declared_ranges(self, e):
        """A free index's range from the declared sizes of what it indexes (a free d in W_{jd}, W of
        K x D, runs over 1..D; also in dL/dW_{jd}, before the derivative is taken)."""
        shapes = dict(getattr(self.ctx, "shapes", ()))
        for x in (y for y in sp.preorder_traversal(e) if isinstance(y, sp.Indexed)):
            shape = shapes.get(str(x.base.label), ())
            for t, n in zip(x.indices, shape) if len(shape) == len(x.indices) else ():
                if isinstance(t, sp.Symbol) and self._range(t) is None:
                    if basic(self.free_ranges.setdefault(t, n)) != basic(n):
                        raise NotNormal("an index used with two ranges")

    def _zero(self, e) -> bool:
        e = self._one_hot(self._constrain(e))
        if _too_many_ops(e) or _nodes(e) > MAX_NODES:
            # cancel's cost grows much faster than the tree: a side written out term by term at K = 4
            # (4000 nodes) took 3-27 s to fail; the numeric test decides such a claim in well under 1 s
            raise NotNormal("too large")
        e = _expand_bounded(e)
        _check_deadline()
        e = sp.together(e)
        num, den = sp.fraction(e)
        if _terms(num) > MAX_TERMS or _terms(den) > MAX_TERMS or _too_many_ops(e):
            raise NotNormal("too large to cancel")  # cancel expands the numerator and denominator
        _check_deadline()
        return sp.cancel(e) == 0

    # -- matrices -------------------------------------------------------------------------------
    def _shape(self, m):
        r, c = m.shape
        return (basic(r), basic(c))

    def _entry(self, m, r, c):
        if not _is_matrix(m):
            return m  # a scalar factor
        if isinstance(m, MatrixSymbol):
            if m.shape[1] != 1:
                return sp.IndexedBase(m.name)[r, c]   # a matrix W: its entry W_{rc}
            return sp.IndexedBase(m.name)[r]
        if isinstance(m, Identity):
            return KroneckerDelta(r, c)
        if isinstance(m, OneMatrix):
            return sp.Integer(1)
        if isinstance(m, HadamardProduct):
            return sp.Mul(*[self._entry(a, r, c) for a in m.args])
        if isinstance(m, Entrywise):
            body, i, j = m.args[:3]
            return body.xreplace({i: r, j: c})
        if isinstance(m, Diag):
            return KroneckerDelta(r, c) * self._entry(m.args[0], r, sp.Integer(1))
        if isinstance(m, Transpose):
            return self._entry(m.arg, c, r)
        if isinstance(m, Jac):
            f, v = m.args
            return sp.Derivative(sp.IndexedBase(f.name)[r], sp.IndexedBase(v.name)[c])
        if isinstance(m, Grad):
            L, v = m.args
            if v.shape[1] != 1:
                return sp.Derivative(L, sp.IndexedBase(v.name)[r, c])
            return sp.Derivative(L, sp.IndexedBase(v.name)[r])
        if isinstance(m, MatAdd):
            return sp.Add(*[self._entry(a, r, c) for a in m.args])
        if isinstance(m, MatMul):
            scalars = [a for a in m.args if not _is_matrix(a)]
            mats = [a for a in m.args if _is_matrix(a)]
            factors, dummies, row = list(scalars), [], r
            for n, a in enumerate(mats):
                inner = self._shape(a)[1]
                if n == len(mats) - 1:
                    col = c
                elif inner == 1:
                    col = sp.Integer(1)
                else:
                    col = self._dummy(1, inner)
                    dummies.append((col, 1, inner))
                factors.append(self._entry(a, row, col))
                row = col
            out = sp.Mul(*factors)
            for lim in reversed(dummies):
                out = sp.Sum(out, lim)
            return out
        if isinstance(m, sp.MatrixBase):
            raise NotNormal("an explicit matrix")
        raise NotNormal(f"the matrix {type(m).__name__}")

    # -- the normal form ------------------------------------------------------------------------
    def _dummy(self, lo, hi):
        return _named_dummy("_m", next(self.counter), basic(lo), basic(hi))

    def _range(self, j):
        """(lo, hi) of a sum's index: a dummy named here says it in its name (the same in every
        claim); a letter bound otherwise is this claim's own."""
        out = _DUMMY_RANGES.get(j)
        out = out if out is not None else self.ranges.get(j)
        if out is not None and self._dependent(*out):
            # named over a range that names another index: that sum was rewritten over 1..K with
            # indicators (see _indicators), or the claim was refused; the name's range is stale
            return (sp.Integer(1), self.K)
        return out

    def _sizes(self, exprs) -> frozenset:
        """The sizes a claim's sums run to besides K (N, a batch): a capitalised letter written only
        as a limit. A letter also used as an index (i in sum_{j=1}^{i}, x_i) is an index in 1..K."""
        limits, used = set(), set()
        for root in exprs:
            if not isinstance(root, sp.Basic):
                continue
            for x in sp.preorder_traversal(root):
                if isinstance(x, (sp.Sum, sp.Product)):
                    for lim in x.limits:
                        used.add(lim[0])
                        limits |= _free(basic(lim[1])) | _free(basic(lim[2]))
                elif isinstance(x, sp.Indexed):
                    used |= set().union(*(_free(basic(t)) for t in x.indices))
                elif isinstance(x, KroneckerDelta):
                    used |= _free(x)
        used |= set().union(set(), *(_free(c) for c in self.ctx.conditions))
        declared = {s for _, shape in getattr(self.ctx, "shapes", ()) for n in shape for s in _free(basic(n))}
        return frozenset(s for s in (limits - used) | declared if s != self.K and str(s)[:1].isupper())

    def _dependent(self, *ends) -> bool:
        """Does a range's end name an index (anything but K, a size, a number)?"""
        return any(_free(basic(e)) - {self.K} - self.sizes for e in ends)

    def _bound_of(self, s, env=None):
        """(lo, hi) of an index symbol: a sum's own range, a free index's (1..K by convention), a size's value."""
        if s == self.K or s in self.sizes:
            return (s, s)
        if env and s in env:
            return env[s]
        if s in self.free_ranges:
            return (sp.Integer(1), basic(self.free_ranges[s]))
        r = self._range(s)
        if r is not None:
            return r
        return (sp.Integer(1), self.K) if getattr(s, "is_integer", False) else None

    def _ge(self, a, b, env=None) -> bool:
        return ranges.provably_ge(a, b, lambda s: self._bound_of(s, env), self.K, self.sizes)

    def _indicators(self, e, env: dict):
        """Every sum whose range names another index (sum_{j=1}^{i}, sum_{j=i+1}^{K}) rewritten over
        1..K with indicators, outermost sum first; a range that may leave 1..K is refused."""
        if not isinstance(e, sp.Basic) or not e.args or not e.has(sp.Sum):
            return e
        if isinstance(e, sp.Sum):
            env = dict(env)
            factor, limits = sp.Integer(1), []
            for k, lo, hi in reversed(e.limits):   # the outermost limit is the last
                lo, hi = basic(lo), basic(hi)
                if self._dependent(lo, hi):
                    if self.K.is_Integer and lo.is_Integer and hi.is_Integer:
                        pass
                    elif not (self._ge(lo, 1, env) and self._ge(self.K, hi, env)):
                        raise NotNormal("a sum whose range may leave 1..K")
                    else:
                        one = sp.Integer(1)
                        for cut in (k - lo, hi - k):
                            if not self._ge(cut, 0, {**env, k: (one, self.K)}):
                                factor *= Ind(cut)
                        lo, hi = one, self.K
                env[k] = (lo, hi)
                limits.append((k, lo, hi))
            return sp.Sum(self._indicators(e.function, env) * factor, *reversed(limits))
        return e.func(*[self._indicators(a, env) for a in e.args])

    def _derivatives(self, e):
        """Every Derivative replaced by its value, innermost first."""
        if not isinstance(e, sp.Basic) or not e.args or not e.has(sp.Derivative):
            return e
        if isinstance(e, sp.Derivative):
            return self._memo("d", e, lambda: self._derivative(e))
        if isinstance(e, sp.Sum):
            return self._rebound(e, self._derivatives(e.function))
        return e.func(*[self._derivatives(a) for a in e.args]) if not isinstance(e, MatrixExpr) else e

    def _derivative(self, e: sp.Derivative):
        inner = self._derivatives(e.expr)
        for v, n in e.variable_count:
            for _ in range(int(n)):
                held = _name(v)
                inner = self._d(self._expand(inner, {held}, values=False), v, held)
        return inner

    def _memo(self, kind: str, e, compute, extra=()):
        """compute(), or the value it had in an earlier claim with the same configuration. Only
        while no bound letter has a range of this claim's own (self.ranges: never, in practice);
        else this claim's own memo, so nothing computed under one claim's facts serves another."""
        key = (kind, self.config, e) + extra
        memo = self.memo if self.ranges else _MEMO
        out = memo.get(key)
        if out is None:
            out = compute()
            if len(_MEMO) > MEMO_SIZE:
                _MEMO.clear()
            (self.memo if self.ranges else _MEMO)[key] = out
        return out

    def _rebound(self, s: sp.Sum, body):
        """The sum of body with a fresh dummy (no capture when indices are substituted later)."""
        out = body
        for (k, lo, hi) in s.limits:
            # named by what it binds (one more than the dummies inside): equal sums become equal
            # objects in every claim (SymPy's cache then serves them), and no name is captured
            level = 1 + max((_LEVELS.get(x, -1) for x in out.atoms(sp.Symbol)), default=-1)
            d = _named_dummy("_k", level, basic(lo), basic(hi))
            out = sp.Sum(out.xreplace({k: d}), (d, lo, hi))
        return out

    def _expand(self, e, held: set, values: bool):
        """Definitions written out (except the held names), sums with fresh dummies, sigmoid as
        1/(1 + e^{-x}), objects that say what they are worth (StopGradient) replaced by that."""
        if not isinstance(e, sp.Basic) or not e.args and not isinstance(e, sp.Symbol):
            return e
        return self._memo("x", e, lambda: self._expand_node(e, held, values), (frozenset(held), values))

    def _expand_node(self, e, held: set, values: bool):
        if isinstance(e, sp.Indexed):
            name = str(e.base.label)
            if values and name in self.points and len(e.indices) == 1:
                return self.points[name](e.indices[0])
            d = self.defs.get(name)
            if d is not None and name not in held and len(d.indices) == len(e.indices):
                return self._expand(d.body.xreplace(dict(zip(d.indices, e.indices))), held, values)
            return e
        if isinstance(e, sp.Symbol):
            d = self.defs.get(str(e))
            if d is not None and not d.indices and str(e) not in held:
                return self._expand(d.body, held, values)
            return e
        if not e.args:
            return e
        if isinstance(e, sp.Sum):
            return self._rebound(e, self._expand(e.function, held, values))
        if isinstance(e, sp.Derivative):
            raise NotNormal("a derivative left")
        if isinstance(e, sigmoid):
            return 1 / (1 + sp.exp(-self._expand(e.args[0], held, values)))
        value = getattr(e, "symbolic_value", None)
        if value is not None and values:  # after differentiating: a stop-gradient is its value
            return self._expand(value(), held, values)
        if isinstance(e, MatrixExpr):
            raise NotNormal("a matrix inside a scalar")
        if values and getattr(e, "numeric", None) is not None and value is None:
            # an extension node with its own index (max_k z_k): after differentiating, an opaque
            # number, so renaming the sums around it cannot reach its bound letter
            bound = {a for a in e.args if isinstance(a, sp.Symbol)}
            if all(s in bound for s in e.free_symbols if getattr(s, "is_integer", False)):
                return sp.Symbol("{" + sp.srepr(e) + "}")
            raise NotNormal(f"the node {type(e).__name__}")
        return e.func(*[self._expand(a, held, values) for a in e.args])

    # -- derivatives ----------------------------------------------------------------------------
    def _d(self, e, v, held: str):
        """d e / d v, e with every definition but the held one written out."""
        if e.is_Number or isinstance(e, (KroneckerDelta, sp.NumberSymbol)):
            return sp.Integer(0)
        if not e.free_symbols and not _has_leaf(e):
            return sp.Integer(0)  # a constant (the batch size N)
        if isinstance(e, sp.Indexed):
            if isinstance(v, sp.Indexed) and e.base == v.base and len(e.indices) == len(v.indices):
                return sp.Mul(*[KroneckerDelta(a, b) for a, b in zip(e.indices, v.indices)])
            if str(e.base.label) in self.defs and str(e.base.label) != held:
                raise NotNormal("a definition not written out")
            return sp.Integer(0)
        if isinstance(e, sp.Symbol):
            if e == v:
                return sp.Integer(1)
            if str(e) in self.defs and str(e) != held:
                raise NotNormal("a definition not written out")
            return sp.Integer(0)
        if isinstance(e, sp.Add):
            return sp.Add(*[self._d(a, v, held) for a in e.args])
        if isinstance(e, sp.Mul):
            args = e.args
            return sp.Add(*[sp.Mul(*(args[:n] + (self._d(a, v, held),) + args[n + 1:])) for n, a in enumerate(args)])
        if isinstance(e, sp.Pow):
            b, x = e.args
            db = self._d(b, v, held)
            if not x.free_symbols and not _has_leaf(x):
                return x * b ** (x - 1) * db
            dx = self._d(x, v, held)
            return e * (dx * sp.log(b) + x * db / b)
        if isinstance(e, sp.exp):
            return e * self._d(e.args[0], v, held)
        if isinstance(e, sp.tanh):
            return (1 - e ** 2) * self._d(e.args[0], v, held)
        if isinstance(e, sp.log):
            return self._d(e.args[0], v, held) / e.args[0]
        if isinstance(e, sp.Sum):
            return sp.Sum(self._d(e.function, v, held), *e.limits)
        tangent = getattr(e, "symbolic_derivative", None)
        if tangent is not None:  # a stop-gradient knows its derivative is 0
            return tangent(v)
        if _free(e) & _free(v) or not e.free_symbols:
            raise NotNormal(f"the derivative of {type(e).__name__}")
        # anything else that does not mention the variable's base
        if any(isinstance(x, sp.Indexed) and isinstance(v, sp.Indexed) and x.base == v.base for x in sp.preorder_traversal(e)):
            raise NotNormal(f"the derivative of {type(e).__name__}")
        return sp.Integer(0)

    # -- canonical shape ------------------------------------------------------------------------
    def _canon(self, e):
        """Bottom-up: sums split and contracted, exp and log in canonical shape."""
        if not isinstance(e, sp.Basic) or not e.args:
            return e
        return self._memo("c", e, lambda: self._canon_node(e),
                          (frozenset(self.distinct), frozenset(self.free_ranges.items()), self.sizes))

    def _canon_node(self, e):
        if isinstance(e, sp.Sum):  # SymPy flattens nested sums: the innermost limit comes first
            out = self._canon(e.function)
            for limit in e.limits:
                out = self._sum(out, limit)
            return out
        args = [self._canon(a) for a in e.args]
        if isinstance(e, sp.exp):
            return _exp(args[0])
        if isinstance(e, sp.log):
            return self._log(args[0])
        if isinstance(e, KroneckerDelta):
            return self._delta(*args)
        if isinstance(e, Ind):
            return self._indicator(args[0])
        if isinstance(e, sp.Pow) and args[1].free_symbols:
            return self._power(*args)
        return e.func(*args)

    def _power(self, b, x):
        """b^{c + n} = P(b, c) b^n with P an opaque atom: SymPy merges b^c b^{-1} back into
        b^{c - 1}, so cancel would see b^c and b^{c-1} as unrelated. Holds for every b != 0."""
        c, n = sp.S.Zero, sp.S.Zero
        for t in sp.Add.make_args(_expand_bounded(x)):
            if t.is_Integer:
                n += t
            else:
                c += t
        if c == 0:
            return b ** n
        _check_deadline()
        return _Power(sp.together(_expand_bounded(b)), c) * b ** n

    def _indicator(self, x):
        """[x >= 0], decided where the ranges of its indices settle it."""
        if self._ge(x, 0):
            return sp.Integer(1)
        if self._ge(-1, x):
            return sp.Integer(0)
        return Ind(x)

    def _delta(self, a, b):
        if a == b:
            return sp.Integer(1)
        if (a - b).is_Integer or (a.is_Integer and b.is_Integer) or (a in self.distinct and b in self.distinct):
            return sp.Integer(0)
        return KroneckerDelta(a, b)

    def _sum(self, body, limit):
        k, lo, hi = limit
        lo, hi = basic(lo), basic(hi)
        if k not in _DUMMY_RANGES:
            self.ranges[k] = (lo, hi)  # from here on, this claim's own memo (see _memo)
        if self.explicit and hi.is_Integer and lo.is_Integer and hi - lo < MAX_EXPLICIT:
            return self._canon(sp.Add(*[_subs(body, {k: sp.Integer(n)}) for n in range(int(lo), int(hi) + 1)]))
        out = []
        for term in sp.Add.make_args(_expand_bounded(body)):
            out.append(self._sum_term(term, k, lo, hi))
        return sp.Add(*out)

    def _sum_term(self, term, k, lo, hi):
        inside: list = []
        outside: list = []
        for f in sp.Mul.make_args(term):
            (inside if k in _free(f) else outside).append(f)
        if not inside:
            if not self._ge(hi + 1, lo):   # sum_{k=5}^{K} 1 is not K - 4 at K = 2
                return sp.Mul(*outside) * sp.Sum(1, (_named_dummy("_s", 0, lo, hi), lo, hi))
            return sp.Mul(*outside) * (hi - lo + 1)
        for n, f in enumerate(inside):
            if isinstance(f, KroneckerDelta) and k in f.args:
                other = f.args[1] if f.args[0] == k else f.args[0]
                if k in _free(other):
                    continue
                where = self._in_range(other, lo, hi)
                if where is None:
                    continue
                if not where:
                    return sp.Integer(0)
                rest = inside[:n] + inside[n + 1:]
                return sp.Mul(*outside) * self._canon(_subs(sp.Mul(*rest), {k: other}))
        for f in inside:
            split = self._split_on(f, k, lo, hi)
            if split is not None:
                # sum_k g(k, delta_kc) = g(c, 1) - g(c, 0) + sum_k g(k, 0): the term k = c apart
                c, body = split, sp.Mul(*inside)
                at_c = self._canon(_subs(body, {k: c}))
                off = body.replace(lambda x, c=c: isinstance(x, KroneckerDelta) and k in x.args and c in x.args,
                                   lambda x: sp.Integer(0))
                rest = self._sum(self._canon(off), (k, lo, hi))
                return sp.Mul(*outside) * (at_c - self._canon(_subs(off, {k: c})) + rest)
        closed = ranges.closed_form(inside, k, lo, hi, self._bound_of, self.K, self.sizes)
        if closed is not None:   # sum_{k=1}^{i} k = i(i + 1)/2, sum_k 2^k = 2^{K+1} - 2
            return sp.Mul(*outside) * self._canon(closed)
        # canonical dummy: named by the sum's height, so equal sums are equal objects
        height = _height(sp.Mul(*inside))
        d = _named_dummy("_s", height, lo, hi)
        body = _subs(sp.Mul(*inside), {k: d})
        block = ranges.merged(body, d, lo, hi, height, _subs, _named_dummy)
        return sp.Mul(*outside) * (block if block is not None else sp.Sum(body, (d, lo, hi)))

    def _split_on(self, f, k, lo, hi):
        """c when the factor f holds delta_{k,c} inside a function (e^{delta_{k,1}}), c in range."""
        if isinstance(f, KroneckerDelta):
            return None
        for x in sp.preorder_traversal(f):
            if isinstance(x, KroneckerDelta) and k in x.args:
                c = x.args[1] if x.args[0] == k else x.args[0]
                if k not in _free(c) and self._in_range(c, lo, hi):
                    return c
        return None

    def _in_range(self, j, lo, hi):
        """True, False, or None (unknown) for lo <= j <= hi."""
        if lo != 1:
            return None
        if j.is_Integer:
            if hi.is_Integer:
                return bool(1 <= j <= hi)
            if hi == self.K and 1 <= j <= 2:
                return True   # K >= 2 always; a larger constant is outside 1..K for a small K
            return None
        if self._range(j) is not None:
            return True if self._range(j) == (lo, hi) else None
        if j in self.free_ranges:
            return True if basic(self.free_ranges[j]) == hi else None
        if hi == self.K and (j - self.K).is_Integer:
            n = int(j - self.K)
            if n > 0:
                return False
            return True if n >= -1 else None  # K - 1 >= 1 always; K - 5 only for K >= 6
        if isinstance(j, sp.Symbol) and j.is_integer and hi == self.K:
            return True  # a free index letter runs over 1..K by convention
        return None

    def _log(self, x):
        if isinstance(x, sp.exp):
            return x.args[0]  # real exponents only: every leaf is a real number
        if isinstance(x, sp.Add):  # 1 - 1/(1 + e^{-x}) = e^{-x} / (1 + e^{-x}): a quotient
            _check_deadline()
            if _too_many_ops(x):
                raise NotNormal("too large")
            x = sp.together(x)
            if isinstance(x, sp.Mul):
                x = sp.Mul(*[_expand_bounded(f) if isinstance(f, sp.Add) else f for f in x.args])
        if isinstance(x, sp.Mul):
            if all(self._positive(f) for f in x.args):
                return sp.Add(*[self._log(f) for f in x.args])
        if isinstance(x, sp.Pow) and self._positive(x.base) and x.exp.is_real is not False:
            return x.exp * self._log(x.base)
        return sp.log(x)

    def _positive(self, e) -> bool:
        if e.is_Number:
            return bool(e > 0)
        if isinstance(e, sp.exp):
            return True
        if isinstance(e, (sp.Add, sp.Mul)):
            return all(self._positive(a) for a in e.args)
        if isinstance(e, sp.Pow):
            return self._positive(e.base)
        if isinstance(e, sp.Sum):
            return self._positive(e.function)
        if isinstance(e, sp.Indexed):
            return self.domains.get(str(e.base.label)) in POSITIVE_DOMAINS
        if isinstance(e, sp.Symbol):
            return self.domains.get(str(e)) in POSITIVE_DOMAINS
        return False

    # -- constraints and patterns ---------------------------------------------------------------
    def _constrain(self, e):
        """sum_k y_k = 1 where the domain of y says so (a distribution, or any sum-one vector)."""
        ones = {n for n, d in self.domains.items() if d in ("simplex", "sum-one", "one-hot")}
        if not ones:
            return e
        if self.explicit:
            subs = {}
            for n in ones:
                base = sp.IndexedBase(n)
                subs[base[self.K]] = 1 - sum(base[m] for m in range(1, int(self.K)))
            return e.xreplace(subs)

        def one(x):
            if isinstance(x, sp.Sum) and len(x.limits) == 1 and x.limits[0][1:] == (1, self.K):
                body, d = x.function, x.limits[0][0]
                if isinstance(body, sp.Indexed) and str(body.base.label) in ones and body.indices[-1] == d \
                        and not any(d in _free(t) for t in body.indices[:-1]):
                    return sp.Integer(1)  # a distribution, or each row of a batch of them
            return None
        return e.replace(lambda x: one(x) is not None, lambda x: one(x))

    def _patterns(self, free, e):
        """Every pattern of equalities among the free indices and the constants they meet in a
        delta: a mapping to substitute (an index to another, or to a constant)."""
        found = set()
        for x in sp.preorder_traversal(e):
            if isinstance(x, KroneckerDelta):
                a, b = x.args
                for p, q in ((a, b), (b, a)):
                    if p in free and not (_free(q) & set(free)) and not any(self._range(x) is not None for x in _free(q)):
                        found.add(q)
        consts = sorted(found, key=str)
        if any(not c.is_Integer for c in consts) and any(c.is_Integer for c in consts):
            raise NotNormal("a constant index next to K")
        conds = self.ctx.conditions
        sizes = [basic(self.free_ranges.get(f, self.K)) for f in free]
        if all(n.is_Integer and n <= MAX_EXPLICIT for n in sizes):
            # a small concrete K: every value of every index
            for values in itertools.product(*[range(1, int(n) + 1) for n in sizes]):
                mapping = {f: sp.Integer(v) for f, v in zip(free, values)}
                if not _violates(conds, mapping, [[f] for f in free], [mapping[f] for f in free]):
                    yield mapping, set()
            return
        for blocks in _partitions(list(free)):
            # each block: its representative, or one of the constants
            for choice in itertools.product(*[[None] + consts for _ in blocks]):
                if len([c for c in choice if c is not None]) != len({c for c in choice if c is not None}):
                    continue
                mapping = {}
                for block, value in zip(blocks, choice):
                    target = value if value is not None else block[0]
                    for f in block:
                        if f != target:
                            mapping[f] = target
                if _violates(conds, mapping, blocks, choice):
                    continue
                atoms = {block[0] for block, value in zip(blocks, choice) if value is None} | set(consts)
                yield mapping, atoms


def _violates(conds, mapping, blocks, choice) -> bool:
    where = {}
    for n, block in enumerate(blocks):
        for f in block:
            where[f] = ("c", choice[n]) if choice[n] is not None else ("b", n)
    for c in conds:
        a, b = c.args
        if a not in where or b not in where:
            continue
        same = where[a] == where[b]
        if isinstance(c, sp.Eq) and not same or isinstance(c, sp.Ne) and same:
            return True
    return False


def _partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first]] + part
        for n in range(len(part)):
            yield part[:n] + [[first] + part[n]] + part[n + 1:]


_ROW, _COL = sp.Dummy("r", integer=True, positive=True), sp.Dummy("c", integer=True, positive=True)
_CONFIGS: dict = {}       # what a normal form depends on besides the expression -> a number
_CONFIG_IDS = itertools.count()
_MEMO: dict = {}          # (kind, configuration, expression, ...) -> its normal form (see _Prover._memo)
MEMO_SIZE = 20_000        # entries (~1 kB each), then the memo starts again: a long-lived process stays bounded
MEMO_CONFIGS = 1000
_RANGE_IDS: dict = {}     # (lo, hi) -> a number for the names of the dummies over it
_RANGE_NUMBERS = itertools.count()
_DUMMY_RANGES: dict = {}  # every dummy named here -> its (lo, hi): one name, one range, in every proof
_LEVELS: dict = {}        # a sum's dummy (_k) -> its level


def _named_dummy(prefix: str, n: int, lo, hi):
    """The index symbol prefix-n over lo..hi; the name says the range (the same in every proof)."""
    rid = _RANGE_IDS.get((lo, hi))
    if rid is None:  # a number never given to another range (even from another thread)
        rid = _RANGE_IDS.setdefault((lo, hi), next(_RANGE_NUMBERS))
    d = sp.Symbol(f"{prefix}{n}_{rid}", integer=True, positive=True)
    if d not in _DUMMY_RANGES:
        if prefix == "_k":
            _LEVELS[d] = n  # first: a budget's alarm between the two lines leaves no dummy without its level
        _DUMMY_RANGES[d] = (lo, hi)
    return d


_Power = ranges.Power


def _exp(u):
    """e^{a + b} = e^a e^b, e^{n t} = (e^t)^n: exponentials as powers of canonical atoms."""
    out = sp.Integer(1)
    for t in sp.Add.make_args(_expand_bounded(u)):
        c, rest = t.as_coeff_Mul()
        if rest == 1:
            out *= sp.exp(c)
        elif c.is_Integer:
            out *= sp.exp(rest) ** c
        else:
            out *= sp.exp(t)
    return out


MAX_TERMS = 400        # terms an expansion may produce
PROVE_SECONDS = 3.0    # per claim; then "not proved" and the numeric test decides
_DEADLINE = [float("inf")]


def _another_size(hi, K) -> bool:
    """A bound naming a size of its own (N, the batch): not a number, not K or K - 1."""
    hi = basic(hi)
    return not hi.is_Integer and hi != K and K not in getattr(hi, "free_symbols", set())


def _check_deadline():
    if time.monotonic() > _DEADLINE[0]:
        raise NotNormal("time budget")


def _terms(e) -> int:
    """An upper bound of the number of terms expand(e) produces (before any cancellation)."""
    if isinstance(e, sp.Add):
        return sum(_terms(a) for a in e.args)
    if isinstance(e, sp.Mul):
        n = 1
        for a in e.args:
            n *= _terms(a)
            if n > MAX_TERMS:
                return n
        return n
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 1:
        return _terms(e.base) ** min(int(e.exp), 64)
    return 1


def _expand_bounded(e):
    """sp.expand, refused (NotNormal) when it would blow up or the time budget is spent."""
    _check_deadline()
    if _too_many_ops(e) or _terms(e) > MAX_TERMS:
        raise NotNormal("too large to expand")
    return sp.expand(e)


MAX_NODES = 3000       # nodes of the difference handed to together/cancel


def _nodes(e) -> int:
    """The size of e's tree, counted up to MAX_NODES + 1."""
    for n, _ in enumerate(sp.preorder_traversal(e)):
        if n > MAX_NODES:
            return n
    return 0


def _too_many_ops(e) -> bool:
    """sp.count_ops(e) > MAX_OPS. SymPy's count is slow and counts at most one operation per node
    of the tree, so it is asked only of a tree with more than MAX_OPS / 2 nodes."""
    for n, _ in enumerate(sp.preorder_traversal(e)):
        if n >= MAX_OPS // 2:
            return sp.count_ops(e) > MAX_OPS
    return False


def _height(e) -> int:
    h = 0
    for x in sp.preorder_traversal(e):
        if isinstance(x, sp.Sum):
            h = max(h, 1 + _height(x.function))
    return h


def _subs(e, mapping):
    """Substitute free symbols (indices), never a sum's own dummy."""
    if not mapping:
        return e
    if isinstance(e, sp.Sum):
        bound = {lim[0] for lim in e.limits}
        inner = {a: b for a, b in mapping.items() if a not in bound}
        return sp.Sum(_subs(e.function, inner), *[(k, _subs(lo, inner), _subs(hi, inner)) for k, lo, hi in e.limits])
    if e in mapping:
        return mapping[e]
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    return e.func(*[_subs(a, mapping) for a in e.args])


def _free(e) -> set:
    if not isinstance(e, sp.Basic):
        return set()
    return set(e.free_symbols)


def _has_leaf(e) -> bool:
    return any(isinstance(x, sp.Indexed) for x in sp.preorder_traversal(e))


def _name(v) -> str:
    return str(v.base.label) if isinstance(v, sp.Indexed) else str(v)


def _is_matrix(e) -> bool:
    return isinstance(e, (MatrixExpr, sp.MatrixBase))
