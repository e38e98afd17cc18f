"""A verified derivation -> a Program: the lines of the forward loss and of its gradient, each a
lowered formula (arrays along axes, reductions, one-hot) in the numerically stable form."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ...errors import UnsupportedError
from ...steps import Derivation
from .labels import label_of as _label
from .labels import labels
from .nodes import Expm1, Gather, Log1p, LogSigmoid, OneHot, Quotient, Reduce, array
from .result import target
from .softmax import Softmax, same, softmaxes

POSITIVE = ("positive", "simplex", "unit")   # leaf domains a log may be split over


@dataclass(frozen=True)
class Line:
    """name = expr, implementing the equation `label` (why: what the line does, for the comment)."""

    name: str
    expr: Any
    label: str
    why: str = ""


@dataclass(frozen=True)
class Leaf:
    name: str
    kind: str          # variable | vector | scalar | label
    domain: str = "real"


@dataclass(frozen=True)
class Program:
    recipe: str
    wrt: str
    axes: int                       # the variable's own axes (1 a vector, 2 a matrix, 0 a scalar)
    leaves: tuple[Leaf, ...]
    sizes: tuple[tuple[str, int, Any], ...]   # (name, axis, value: an int to check, or None)
    shared: tuple[Line, ...]        # the definitions loss and gradient both use
    loss: tuple[Line, ...]          # ..., then the loss of each row (summed by the caller)
    gradient: tuple[Line, ...]      # intermediate sums, then the gradient itself
    assumes: tuple[tuple[str, str], ...]   # (leaf, domain) the gradient's step relies on
    loss_label: str
    gradient_label: str


def program(d: Derivation) -> Program:
    t = target(d)
    label_of = labels(d)
    defs = {df.name: df for df in d.context.definitions}
    sms = softmaxes(d.context.definitions)
    class_label = dict(d.params).get("label")
    lw = Lowering(d, t.wrt, sms, defs, class_label)
    loss_rows = lw.lower(t.loss.body)
    lw.derivative = True
    grad = lw.lower(_cancelled(_folded(t.entry, d.context.definitions, sms, t.free), sms))
    lw.derivative = False
    # common subexpressions once: those of both the loss and the gradient are computed by the
    # forward and kept for the backward (the focal loss's (1 - a)^gamma), the rest where used
    reps, (loss_rows, grad) = sp.cse([loss_rows, grad], symbols=(array(f"t{n}") for n in range(10**6)),
                                     optimizations=None)
    glabel = _label(d, label_of, t.step)
    llabel = _label(d, label_of, _definition_step(d, t.loss.head))
    by_loss, by_grad = _uses(reps, loss_rows), _uses(reps, grad)
    both = tuple(Line(str(s), e, f"{llabel}, {glabel}") for s, e in reps if s in by_loss and s in by_grad)
    loss = tuple(Line(str(s), e, llabel) for s, e in reps if s in by_loss and s not in by_grad)
    gradient = tuple(Line(str(s), e, glabel) for s, e in reps if s in by_grad and s not in by_loss)
    loss += (Line("rows", loss_rows, llabel),)
    gradient += (Line("gradient", grad, glabel),)
    shared = lw.shared_lines(label_of, [ln.expr for ln in (*both, *loss, *gradient)]) + both
    imposed = dict(c for key, c in d.constraints if key in t.step.uses)
    return Program(d.recipe, t.wrt, len(t.free), lw.leaves(), lw.size_lines(), shared, loss, gradient,
                   tuple((n, dom) for n, dom in imposed.items() if not callable(dom)), llabel, glabel)


def _uses(reps, e) -> set:
    """The names of the common subexpressions e needs, directly or through one another."""
    need = set(e.free_symbols)
    for s, body in reversed(reps):
        if s in need:
            need |= body.free_symbols
    return need


def _definition_step(d: Derivation, head):
    return next((s for s in d.steps if s.is_definition and s.lhs == head), None)


class Lowering:
    """The rules from index notation to arrays: one per kind of node (first match wins)."""

    def __init__(self, d: Derivation, wrt: str, sms: dict[str, Softmax], defs: dict, class_label):
        self.d, self.wrt, self.sms, self.defs = d, wrt, sms, defs
        self.label = class_label
        self.domains = {n: dom for n, dom in d.context.domains if not callable(dom)}
        self.axes: dict = {}        # index Symbol -> axis (negative)
        self.sizes: dict = {}       # axis -> size expression
        self.seen: dict[str, str] = {}   # leaf name -> kind
        self.derivative = False          # lowering the gradient (its powers may be negative)
        for df in d.context.definitions:
            self._axes_of(df.head)
            self._axes_of(df.body)

    # -- axes: an index at position p of r sits on axis p - r (the last index on the last axis) --
    def _axes_of(self, e):
        for x in sp.preorder_traversal(e):
            if isinstance(x, sp.Indexed):
                r = len(x.indices)
                for p, t in enumerate(x.indices):
                    if isinstance(t, sp.Symbol) and str(t) != self.label:
                        axis = p - r
                        if self.axes.setdefault(t, axis) != axis:
                            raise UnsupportedError(f"the index {t} runs along two axes; no code for that yet")
            if isinstance(x, sp.Sum):
                for k, _lo, hi in x.limits:
                    if k in self.axes:
                        self.sizes.setdefault(self.axes[k], hi)

    def axis(self, k) -> int:
        if k not in self.axes:
            raise UnsupportedError(f"the index {k} is on no array; no code for that")
        return self.axes[k]

    def size(self, axis: int):
        if axis not in self.sizes and axis == -1:   # no sum along the classes: the derivation's K
            self.sizes[axis] = sp.Integer(self.d.K) if isinstance(self.d.K, int) else self.d.K
        s = self.sizes.get(axis)
        if s is None:
            raise UnsupportedError(f"the size of axis {axis} is unknown; no code for that")
        if s.is_Integer:
            return s
        return array("N" if type(s).__name__ == "BatchSize" else str(s))

    # -- the rules --
    def lower(self, e):
        self._axes_of(e)
        self._check_axes(e)
        return self._low(e)

    def _check_axes(self, e):
        """Two free indices on one axis (delta_ij, a_i a_j) need a second axis: not generated yet."""
        for x in sp.preorder_traversal(e):
            free = [s for s in getattr(x, "free_symbols", ()) if s in self.axes]
            on = [self.axes[s] for s in free]
            if len(on) != len(set(on)):
                raise UnsupportedError(f"{x} has two free indices along one axis; no code for that yet")

    def _low(self, e):
        if _is_batch_size(e):
            return self._batch_size(e)
        for kind, rule in RULES:
            if isinstance(e, kind):
                return rule(self, e)
        if e.is_Number:
            return e
        raise UnsupportedError(f"no code for {type(e).__name__} ({e})")

    def _indexed(self, e):
        name = str(e.base.label)
        c = [t for t in e.indices if str(t) == self.label]
        self._note(name, "vector")
        x = array(name)
        return Gather(x, array(self.label), -1) if c else x

    def _symbol(self, e):
        if str(e) == self.label:
            raise UnsupportedError(f"the class index {e} outside a subscript; no code for that")
        if e in self.axes:
            raise UnsupportedError(f"the index {e} used as a number; no code for that")
        if e.is_integer:  # a size
            axis = next((a for a, s in self.sizes.items() if s == e), -1)
            self.sizes.setdefault(axis, e)
            return array(str(e))
        self._note(str(e), "scalar")
        return array(str(e))

    def _note(self, name: str, kind: str):
        if name not in self.defs and name not in self.seen:
            self.seen[name] = "variable" if name == self.wrt else kind

    def _sum(self, e):
        out = self._low(e.function)
        for k, lo, hi in e.limits:
            if lo != 1:
                raise UnsupportedError(f"a sum from {lo}; no code for that")
            axis = self.axis(k)
            self.sizes.setdefault(axis, hi)
            out = sp.Mul(self.size(axis), out) if k not in e.function.free_symbols else Reduce(out, axis)
        return out

    def _delta(self, e):
        p, q = e.args
        if p == q:
            return sp.Integer(1)
        c = [t for t in (p, q) if str(t) == self.label]
        other = [t for t in (p, q) if str(t) != self.label]
        if len(c) == 1 and other[0] in self.axes and self.axes[other[0]] == -1:
            self._note(self.label, "label")
            return OneHot(array(self.label), self.size(-1))
        raise UnsupportedError(f"no code for the delta {e} (it needs a second axis)")

    def _softmax_entry(self, e):
        return isinstance(e, sp.Indexed) and str(e.base.label) in self.sms

    def _log_name(self, e):
        """log a_i -> the log-softmax array (never the log of a probability)."""
        name = f"log_{e.base.label}"
        x = array(name)
        return Gather(x, array(self.label), -1) if any(str(t) == self.label for t in e.indices) else x

    def _positive(self, f) -> bool:
        if f.is_Number:
            return bool(f > 0)
        if self._softmax_entry(f) or isinstance(f, sp.exp):
            return True
        if isinstance(f, (sp.Indexed, sp.Symbol)):
            name = str(f.base.label) if isinstance(f, sp.Indexed) else str(f)
            return self.domains.get(name) in POSITIVE
        if isinstance(f, sp.Pow):
            return self._positive(f.base) and bool(f.exp.is_real)
        return False

    def _log(self, e):
        u = e.args[0]
        if self._softmax_entry(u):
            return self._log_name(u)
        if isinstance(u, sp.Mul) and all(self._positive(f) for f in u.args):
            return sp.Add(*[self._log(sp.log(f, evaluate=False)) for f in u.args])
        if isinstance(u, sp.Pow) and self._positive(u.base):
            return self._low(u.exp) * self._log(sp.log(u.base, evaluate=False))
        if isinstance(u, sp.exp):
            return self._low(u.args[0])
        if type(u).__name__ == "sigmoid":
            return LogSigmoid(self._low(u.args[0]))
        if isinstance(u, sp.Add) and len(u.args) == 2 and sp.S.One in u.args and type(-(u - 1)).__name__ == "sigmoid":
            return LogSigmoid(-self._low((1 - u).args[0]))   # 1 - sigma(v) = sigma(-v)
        sm = next((s for s in self.sms.values() if same(s.denominator, u)), None)
        if sm is not None:   # log sum_k e^{u_k}: the shifted log-sum-exp of that softmax
            return array(f"lse_{sm.name}")
        if isinstance(u, sp.Add) and sp.S.One in u.args:
            rest = u - 1
            if not self._one_minus(u):
                return Log1p(self._low(rest))
        if isinstance(u, sp.Sum) and isinstance(u.function, sp.exp):   # a log-sum-exp of its own
            raise UnsupportedError("a log-sum-exp that is no softmax's denominator; no code for that yet")
        return sp.log(self._low(u))

    def _one_minus(self, u):
        """1 - a_i, a softmax entry: -expm1(log a_i), exact when a_i is close to one."""
        if isinstance(u, sp.Add) and len(u.args) == 2 and sp.S.One in u.args:
            rest = u - 1
            if isinstance(rest, sp.Mul) and rest.args[0] == -1 and len(rest.args) == 2 \
                    and self._softmax_entry(rest.args[1]):
                return -Expm1(self._log_name(rest.args[1]))
        return None

    def _add(self, e):
        one_minus = self._one_minus(e)
        if one_minus is not None:
            return one_minus
        return sp.Add(*[self._low(t) for t in e.args])

    def _mul(self, e):
        m = sp.Mul(*[self._low(f) for f in e.args])
        return _log_times_power(m) if self.derivative else m

    def _pow(self, e):
        if self._softmax_entry(e.base) and not (e.exp.is_Integer and e.exp > 0):
            return sp.exp(self._low(e.exp) * self._log_name(e.base))   # a^q = e^{q log a}
        return sp.Pow(self._low(e.base), self._low(e.exp))

    def _exp(self, e):
        return sp.exp(self._low(e.args[0]))

    def _function(self, e):
        if type(e).__name__ in ("sigmoid", "tanh"):
            return type(e)(self._low(e.args[0]))
        raise UnsupportedError(f"no code for {type(e).__name__} ({e})")

    def _batch_size(self, e):
        axis = next((a for a, s in self.sizes.items() if s == e), -2)
        self.sizes.setdefault(axis, e)
        return array("N")

    # -- what the generated module computes before the loss and the gradient --
    def shared_lines(self, label_of, exprs) -> tuple[Line, ...]:
        names = {str(s) for e in exprs for s in e.free_symbols}
        out: list[Line] = []
        for df in self.d.context.definitions:
            step = _definition_step(self.d, df.head)
            label = label_of.get(id(step), "")
            sm = self.sms.get(df.name)
            if sm is not None and names & {sm.name, f"log_{sm.name}", f"lse_{sm.name}"}:
                out += sm.lines(self, label, Line)
            elif sm is None and df.name in names and df.name != str(self.d.notation.loss):
                if any(isinstance(x, sp.Sum) and x.has(sp.exp) for x in sp.preorder_traversal(df.body)):
                    raise UnsupportedError(f"{df.name}: a softmax-like definition the code printer does not "
                                           "recognise (it would not be computed in a stable form)")
                out.append(Line(df.name, self.lower(df.body), label, "its definition"))
        return tuple(out)

    def leaves(self) -> tuple[Leaf, ...]:
        order = {"variable": 0, "vector": 1, "label": 2, "scalar": 3}
        found = sorted(self.seen.items(), key=lambda kv: (order[kv[1]], kv[0]))
        return tuple(Leaf(n, k, self.domains.get(n, "real")) for n, k in found)

    def size_lines(self):
        out: list[tuple[str, int, int | None]] = []
        for axis, s in sorted(self.sizes.items()):
            if s.is_Integer:
                out.append((f"K{-axis}", axis, int(s)))
            else:
                out.append((str(self.size(axis)), axis, None))
        return tuple(out)


def _folded(e, definitions, sms, free):
    """A definition's body in the gradient's entry as its name (a - ((1 - eps) y + eps/K) -> a - q,
    q computed once by the forward)."""
    for df in definitions:
        if df.name in sms or len(df.indices) != len(free) or not df.indices:
            continue
        e = e.subs(df.body.xreplace(dict(zip(df.indices, free))), df.head.xreplace(dict(zip(df.indices, free))))
    return e


def _cancelled(e, sms):
    """Expanded when a_j divides a term: 1/a_j then cancels against a factor a_j (a_j may underflow to
    0, and 0/0 is nan); the softmax entries collected again."""
    if not any(isinstance(x, sp.Pow) and x.exp.is_negative and isinstance(x.base, sp.Indexed)
               and str(x.base.base.label) in sms for x in sp.preorder_traversal(e)):
        return e
    e = sp.expand(e, deep=True, mul=True, power_exp=False, power_base=False, log=False, multinomial=False,
                  basic=False)
    entries = {x for x in sp.preorder_traversal(e) if isinstance(x, sp.Indexed) and str(x.base.label) in sms}
    return sp.collect(e, sorted(entries, key=str)) if entries else e


def _log_times_power(m):
    """log a * (1 - a)^e = (1 - a)^(e + 1) * (log a / (1 - a)), and log a / (1 - a) -> -1 at a = 1:
    finite where (1 - a)^e is not (e < 0 at a = 1: 0 * inf), and (1 - a)^(e + 1) is often already
    computed (the focal loss's (1 - a)^gamma): one power fewer."""
    if not isinstance(m, sp.Mul):
        return m
    factors = list(m.args)
    for n, f in enumerate(factors):
        if isinstance(f, sp.Pow) and _one_minus_of(f.base) is not None \
                and not (f.exp.is_Integer and f.exp >= 0) and _one_minus_of(f.base) in factors:
            x = _one_minus_of(f.base)
            rest = [g for k, g in enumerate(factors) if k != n]
            rest.remove(x)
            return sp.Mul(*rest, sp.Pow(f.base, f.exp + 1), Quotient(x, f.base, -1))
    return m


def _one_minus_of(b):
    """The log-softmax X of b = -expm1(X) (= 1 - a), else None."""
    if isinstance(b, sp.Mul) and len(b.args) == 2 and b.args[0] == -1 and isinstance(b.args[1], Expm1):
        return b.args[1].args[0]
    return None


def _is_batch_size(e) -> bool:
    return type(e).__name__ == "BatchSize"


RULES = (
    (sp.Indexed, Lowering._indexed),
    (sp.Sum, Lowering._sum),
    (sp.KroneckerDelta, Lowering._delta),
    (sp.log, Lowering._log),
    (sp.exp, Lowering._exp),
    (sp.Add, Lowering._add),
    (sp.Mul, Lowering._mul),
    (sp.Pow, Lowering._pow),
    (sp.Symbol, Lowering._symbol),
    (sp.Function, Lowering._function),
)
