"""Differentiation by named rules: every Derivative node is rewritten by exactly one rule per line."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy import KroneckerDelta

from ..calculus import symbols as sym
from ..calculus.definition import Definition
from ..calculus.objects import sigmoid
from ..steps import Rule
from .strategy import Move, Stuck, Unknown

D = sp.Derivative
LETTERS = "ijkmnlpqrstuvcbh"

# constructs with no derivative rule, by the name a reader knows them by
NON_SMOOTH = {sp.Abs: "the absolute value |x|", sp.Max: "max", sp.Min: "min", sp.Heaviside: "the step function",
              sp.sign: "sign", sp.floor: "floor", sp.ceiling: "ceiling", sp.Piecewise: "a piecewise function"}


@dataclass(frozen=True)
class Softmax:
    """name_i := e^{u_i} / sum_k e^{u_k}: the head index, the inner u (in the head index), the sum;
    a row-wise softmax p_{n,i} := e^{u_{n,i}} / sum_k e^{u_{n,k}} has the row indices (n) before it."""

    name: str
    index: sp.Symbol
    inner: sp.Basic
    limits: tuple
    rows: tuple = ()

    def u(self, at):
        return self.inner.xreplace({self.index: at})


def softmax_of(d: Definition) -> Softmax | None:
    """Recognise a softmax-like definition a_i = e^{u_i} / sum_k e^{u_k}, for any inner u (over the
    last head index: a row of a matrix for p_{n,i})."""
    if not d.indices:
        return None
    i = d.indices[-1]
    num, den = sp.fraction(d.body)
    if not (isinstance(num, sp.exp) and isinstance(den, sp.Sum) and len(den.limits) == 1
            and isinstance(den.function, sp.exp)):
        return None
    k, lo, hi = den.limits[0]
    u = evaluated(num.args[0])
    if lo != 1 or evaluated(den.function.args[0]) != u.xreplace({i: k}) or k in u.free_symbols:
        return None
    return Softmax(d.name, i, u, den.limits[0], tuple(d.indices[:-1]))


class Env:
    """What the rules may know: definitions (name -> Definition) and the softmax-like ones."""

    def __init__(self, definitions, size):
        self.defs = {d.name: d for d in definitions}
        self.size = size
        self.softmaxes = {d.name: s for d in definitions if (s := softmax_of(d)) is not None}
        self._deps: dict = {}

    def depends(self, e, base: str) -> bool:
        """Does e mention the vector or scalar `base`, directly or through definitions?"""
        key = (e, base)
        if key not in self._deps:
            self._deps[key] = self._depends(e, base)
        return self._deps[key]

    def _depends(self, e, base: str) -> bool:
        for x in sp.preorder_traversal(e):
            n = str(x.base.label) if isinstance(x, sp.Indexed) else str(x) if isinstance(x, sp.Symbol) else None
            if n is None:
                continue
            if n == base:
                return True
            if n in self.defs and self.depends(self.defs[n].body, base):
                return True
        return False


def evaluated(e):
    """e rebuilt with SymPy's own evaluation (recipes and the display build unevaluated nodes)."""
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, (sp.Indexed, sp.Symbol)):
        return e
    if isinstance(e, sp.Sum):
        return sp.Sum(evaluated(e.function), *e.limits)
    return e.func(*[evaluated(a) for a in e.args])


def fresh(taken, prefer: str = LETTERS) -> sp.Symbol:
    names = {str(s) for s in taken}
    return sym.index(next(c for c in prefer if c not in names))


def used_letters(*exprs) -> set:
    out = set()
    for e in exprs:
        for x in sp.preorder_traversal(e):
            if isinstance(x, sp.Symbol):
                out.add(x)
            elif isinstance(x, sp.Indexed):
                out |= x.free_symbols
    return out


def rename_bound(e, avoid):
    """Rename the summation letters of e that clash with `avoid` (the variable's own index)."""
    avoid = set(avoid)
    clashes = [x for x in sp.preorder_traversal(e) if isinstance(x, sp.Sum) and any(lim[0] in avoid for lim in x.limits)]
    if not clashes:
        return e
    s = clashes[0]
    k = next(lim[0] for lim in s.limits if lim[0] in avoid)  # any of its letters (SymPy joins nested sums)
    k2 = fresh(used_letters(e) | avoid, "kmnlpqrstuvcbh")
    renamed = sp.Sum(s.function.xreplace({k: k2}), *[(k2,) + tuple(lim[1:]) if lim[0] == k else lim for lim in s.limits])
    return rename_bound(e.xreplace({s: renamed}), avoid)


def _var_name(x) -> str:
    return str(x.base.label) if isinstance(x, sp.Indexed) else str(x)


def differentiate_node(node: sp.Derivative, env: Env):
    """(rule, rewritten node) for one Derivative node, or raise Stuck."""
    f, x = node.expr, node.variables[0]
    base = _var_name(x)
    if not env.depends(f, base):
        return Rule.DERIVATIVE_CONSTANT, sp.Integer(0)
    if isinstance(f, sp.Indexed) and str(f.base.label) == base:  # d W_{id} / d W_{jm} = delta_ij delta_dm
        return Rule.DERIVATIVE_INDEXED, sp.Mul(*[KroneckerDelta(a, b) for a, b in zip(f.indices, x.indices)])
    if isinstance(f, sp.Symbol) and str(f) == base:
        return Rule.DERIVATIVE_INDEXED, sp.Integer(1)
    if isinstance(f, (sp.Indexed, sp.Symbol)) and _var_name(f) in env.defs:
        name = _var_name(f)
        sm = env.softmaxes.get(name)
        if sm is not None and isinstance(f, sp.Indexed) and isinstance(x, sp.Indexed):
            return Rule.SOFTMAX_JACOBIAN, jacobian_lemma(sm, f.indices, x, env)
        d = env.defs[name]
        if len(d.indices) != len(getattr(f, "indices", ())):  # t_i defined, t written bare (or the reverse)
            raise Stuck(Unknown(f, f"{name} with {len(getattr(f, 'indices', ()))} indices (it is defined with "
                                   f"{len(d.indices)})"))
        body = d.body.xreplace(dict(zip(d.indices, f.indices))) if d.indices else d.body
        return Rule.EXPAND_DEFINITION, D(rename_bound(body, used_letters(x)), x)
    if isinstance(f, sp.Add):
        return Rule.DERIVATIVE_LINEARITY, sp.Add(*[D(t, x) for t in f.args])
    if isinstance(f, sp.Mul):
        const = [a for a in f.args if not env.depends(a, base)]
        var = [a for a in f.args if env.depends(a, base)]
        if const:
            return Rule.DERIVATIVE_LINEARITY, sp.Mul(*const) * D(sp.Mul(*var), x)
        den = [a for a in var if isinstance(a, sp.Pow) and a.exp.is_negative]
        if den and len(var) > 1:
            u = sp.Mul(*[a for a in var if a not in den])
            v = sp.Mul(*[a.base ** -a.exp for a in den])
            return Rule.QUOTIENT_RULE, (D(u, x) * v - u * D(v, x)) / v ** 2
        return Rule.PRODUCT_RULE, sp.Add(*[sp.Mul(*(var[:n] + var[n + 1:])) * D(a, x) for n, a in enumerate(var)])
    if isinstance(f, sp.Pow):
        if env.depends(f.exp, base):
            raise Stuck(Unknown(f, "a power whose exponent depends on " + base))
        return Rule.DERIVATIVE_POWER, f.exp * f.base ** (f.exp - 1) * D(f.base, x)
    if isinstance(f, sp.exp):
        return Rule.DERIVATIVE_EXP, f * D(f.args[0], x)
    if isinstance(f, sp.log):
        return Rule.DERIVATIVE_LOG, D(f.args[0], x) / f.args[0]
    if isinstance(f, sigmoid):
        return Rule.DERIVATIVE_SIGMOID, f * (1 - f) * D(f.args[0], x)
    if isinstance(f, sp.tanh):
        return Rule.DERIVATIVE_TANH, (1 - f ** 2) * D(f.args[0], x)
    if isinstance(f, sp.Sum):  # one or several letters (SymPy joins sum_i sum_j into one node)
        for k in [lim[0] for lim in f.limits if lim[0] in used_letters(x)]:
            k2 = fresh(used_letters(f, x), "kmnlpqrstuvcbh")  # the variable's index is a sum's letter
            f = sp.Sum(f.function.xreplace({k: k2}), *[(k2,) + tuple(lim[1:]) if lim[0] == k else lim
                                                       for lim in f.limits])
        return Rule.DERIVATIVE_SUM, sp.Sum(D(f.function, x), *f.limits)
    raise Stuck(Unknown(f, describe(f)))


def describe(f) -> str:
    for cls, name in NON_SMOOTH.items():
        if isinstance(f, cls) or f.has(cls):
            return name
    if isinstance(f, sp.Indexed):
        return f"{f.base.label} (an unknown function of its index: argmax, an indicator?)"
    if isinstance(f, sp.Function) or isinstance(f, sp.core.function.AppliedUndef):
        return f"the function {type(f).__name__}"
    return f"{type(f).__name__.lower()} {f}"


def jacobian_lemma(sm: Softmax, at, x, env: Env):
    """d a_i / d x_j = a_i (du_i/dx_j - sum_k a_k du_k/dx_j); for u = x simply a_i (delta_ij - a_j).
    `at`: the indices of the entry a_{at} (the row indices first for a row-wise softmax)."""
    at = tuple(at) if isinstance(at, (tuple, sp.Tuple)) else (at,)
    rows, i = at[:-1], at[-1]
    if rows:  # the definition's row letters as this entry's (its own class letter kept apart first)
        t = sp.Dummy("t", integer=True, positive=True)
        sm = Softmax(sm.name, t, sm.inner.xreplace({sm.index: t, **dict(zip(sm.rows, rows))}), sm.limits, rows)
    a = sp.IndexedBase(sm.name)
    j = x.indices[-1]
    if sm.u(i) == x.base[rows + (i,)] and len(x.indices) == len(rows) + 1:
        # a row of a matrix depends on that row only: delta_nm a_{ni} (delta_ij - a_{nj})
        same = sp.Mul(*[KroneckerDelta(r, v) for r, v in zip(rows, x.indices[:-1])])
        return same * a[rows + (i,)] * (KroneckerDelta(i, j) - a[rows + (j,)])
    k = fresh(used_letters(sm.inner, x, i) | {sm.index} | set(rows))
    return a[rows + (i,)] * (D(sm.u(i), x) - sp.Sum(a[rows + (k,)] * D(sm.u(k), x), (k,) + tuple(sm.limits[1:])))


def weighted_log_lemma(body, a_name: str, i, env: Env):
    """d/da_i (-sum_k t_k log a_k) = -t_i / a_i when t does not depend on a; else None."""
    sign = sp.Integer(1)
    if isinstance(body, sp.Mul) and len(body.args) == 2 and body.args[0] == -1:
        sign, body = sp.Integer(-1), body.args[1]
    if not (isinstance(body, sp.Sum) and len(body.limits) == 1) or sign != -1:
        return None
    k = body.limits[0][0]
    logs = [f for f in sp.Mul.make_args(body.function)
            if isinstance(f, sp.log) and f.args[0] == sp.IndexedBase(a_name)[k]]
    rest = [f for f in sp.Mul.make_args(body.function) if f not in logs]
    if len(logs) != 1 or any(env.depends(f, a_name) for f in rest):
        return None
    return -sp.Mul(*rest).xreplace({k: i}) / sp.IndexedBase(a_name)[i]


def derivative_move(env: Env, order: tuple = ()):
    """One line: the rule of the first Derivative node (or the first rule of `order` that fits a
    node), applied to every node it fits."""
    def apply(e):
        nodes = [n for n in sp.preorder_traversal(e) if isinstance(n, D)]
        if not nodes:
            return None
        fits = [differentiate_node(n, env)[0] for n in (nodes if order else nodes[:1])]
        rule = next((r for r in order if r in fits), fits[0])
        inner = False
        out = e
        while True:  # one rule per line, as often as it fits (linearity: split, then constants out)
            mapping = {}
            for n in (x for x in sp.preorder_traversal(out) if isinstance(x, D)):
                r, new = differentiate_node(n, env)
                if r is rule:
                    mapping[n] = new
            if not mapping or rule is Rule.SOFTMAX_JACOBIAN and inner:
                break
            inner = inner or any(v.has(D) for v in mapping.values())
            out = out.xreplace(mapping)
            if rule in (Rule.SOFTMAX_JACOBIAN, Rule.EXPAND_DEFINITION):
                break
        variant = ("variant", "inner") if rule is Rule.SOFTMAX_JACOBIAN and inner else \
            ("variant", "jacobian") if rule is Rule.EXPAND_DEFINITION and isinstance(e, D) and isinstance(e.expr, sp.Indexed) \
            else ("variant", "engine")
        return Move(rule, out, (variant,))
    return apply
