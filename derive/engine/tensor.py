"""Gradients through matrices, batches and layers: backpropagation written as a paper writes it.

The gradient by a variable X is derived where the loss reaches X: through the softmax whose logits X
are (the softmax Jacobian, row by row for a batch, and dL/da), or through a defined layer u (dL/du
first, then du/dX, then the chain rule with dL/du held and finally its value put in), or directly.
Every line is one rule; the last line of each gradient is also written in matrix form.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..calculus import symbols as sym
from ..calculus.objects import Entrywise, Grad
from ..notation import Notation
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from .differentiate import D, Env, derivative_move, fresh, rename_bound, used_letters
from .display import display
from .matrixform import matrix_form
from .simplify import normal, simplifier, tidy
from .spec import LossSpec
from .strategy import exhaust

_UP = "\u2202"   # the placeholder of an upstream gradient dL/du while the layer's line is simplified


def derive_tensor(spec: LossSpec, notation: Notation | None = None, recipe: str = "grad") -> Derivation:
    """The step-by-step gradient of spec.loss by a matrix, a batch or a layer's input (not yet verified)."""
    b = _Builder(spec)
    steps = [Step(Rule.DEFINITION, d.head, d.body, "model", params=(("variant", "loss"),) if d is spec.loss else ())
             for d in spec.all_definitions]
    v = b.letters(spec.wrt)
    body, result = b.gradient(spec.wrt, v)
    steps += body
    final = normal(steps[-1].rhs)
    if final.has(D):
        raise AssertionError("a derivative survived the engine")
    if result is None and v:  # no matrix form: the matrix of the entries (what the worked numbers evaluate)
        shape = b.shapes[spec.wrt]
        col = v[1] if len(v) > 1 else fresh(set(v) | used_letters(final))
        result = Entrywise(display(final), v[0], col, shape[0], shape[1] if len(shape) > 1 else 1)
    sm = next(iter(b.env.softmaxes.values()), None)
    notation = notation or _notation(spec, sm)
    context = Context(definitions=spec.all_definitions, domains=spec.domains, size=spec.size, shapes=spec.shapes,
                      classes=spec.classes)
    constraints = tuple(("sum-one", (c.name, "simplex")) for c in spec.constraints)
    shown = result if result is not None else display(final)
    return Derivation(recipe, spec.size, notation, tuple(steps), context,
                      params=(("simplified", "yes"), ("wrt", spec.wrt)), result=shown, constraints=constraints,
                      assumptions=("distribution",) if spec.constraints else ())


class _Builder:
    def __init__(self, spec: LossSpec):
        self.spec = spec
        self.env = Env(spec.all_definitions, spec.size)
        self.shapes = dict(spec.shapes)
        self.taken = {str(x) for x in used_letters(*[d.body for d in spec.all_definitions],
                                                    *[d.head for d in spec.definitions])}
        self.taken |= set(spec.names) | {d.name for d in spec.all_definitions}
        self.L = spec.loss.head

    # -- letters and shapes -----------------------------------------------------------------------
    def letters(self, name: str, avoid=()) -> tuple:
        """Index letters for the entries of `name`, one per position, none used elsewhere."""
        out: list = []
        prefs = ("mjlpqrstuvh", "jlpqrsmtuvh", "lpqrstuvh")
        for pos, size in enumerate(self.shapes.get(name, ())):
            first = str(size).lower() if not isinstance(size, int) and not str(size).isdigit() else ""
            for c in first + prefs[min(pos, 2)]:
                if c not in self.taken and c not in {str(t) for t in out} | {str(t) for t in avoid}:
                    out.append(sym.index(c))
                    break
        self.taken |= {str(t) for t in out}
        return tuple(out)

    def entry(self, name: str, at: tuple):
        return sp.IndexedBase(name)[at] if at else sym.scalar(name)

    def limits(self, name: str, at: tuple) -> tuple:
        return tuple((t, 1, n) for t, n in zip(at, self.shapes.get(name, ())))

    def names(self, var: str, through: str) -> tuple:
        """The sentence's {var} and {through}: the variable and what the loss reaches it through."""
        from ..render.printer import latex

        shown = lambda n: latex(self.matrix(n) if self.matrix(n) is not None else sym.scalar(n))  # noqa: E731
        return (("var", shown(var)), ("through", shown(through)))

    def matrix(self, name: str):
        shape = self.shapes.get(name, ())
        if len(shape) == 1:
            return sp.MatrixSymbol(name, shape[0], 1)
        if len(shape) == 2:
            return sp.MatrixSymbol(name, *shape)
        return None

    # -- routes -------------------------------------------------------------------------------------
    def gradient(self, X: str, v: tuple) -> tuple[list, object]:
        """Steps ending with dL/dX_v (simplified), and the matrix form of the result (or None)."""
        sm = self._softmax_of(X)
        if sm is not None:
            steps = self._through_softmax(sm, X, v)
        else:
            layer = self._layer(X)
            steps = self._through_layer(layer, X, v) if layer is not None else self._direct(X, v)
        return self._matrix_line(steps, X, v)

    def _softmax_of(self, X: str):
        """The softmax whose inner formula is written in X's entries, when the loss reaches X only through it."""
        for sm in self.env.softmaxes.values():
            direct = any(isinstance(y, sp.Indexed) and str(y.base.label) == X for y in sp.preorder_traversal(sm.inner))
            if direct and self._only_through(sm.name, X):
                return sm
        return None

    def _only_through(self, name: str, X: str) -> bool:
        held = Env([d for d in self.spec.all_definitions if d.name != name], self.spec.size)
        return not held.depends(self.spec.loss.body, X)

    def _layer(self, X: str):
        """The defined name nearest X through which the loss reaches X (z for W in z = W x + b)."""
        L = str(self.L)
        cands = [d.name for d in self.spec.definitions
                 if d.name != L and self.env.depends(d.body, X) and self._only_through(d.name, X)]
        for c in cands:
            if not any(o != c and self.env.depends(self.env.defs[c].body, o) for o in cands):
                return c
        return None

    # -- the softmax: its Jacobian (row by row), dL/da, the chain rule -------------------------------
    def _through_softmax(self, sm, X: str, v: tuple) -> list:
        a, L = sm.name, self.L
        at = self.letters(a, avoid=v)
        xv = self.entry(X, v)
        lhs_j = D(self.entry(a, at), xv)
        moves = exhaust(derivative_move(self.env), lhs_j)
        steps = _lines(lhs_j, moves, "jacobian", first_chain=False)
        if sm.rows:
            steps = [replace(s, rule=Rule.ROWS_INDEPENDENT, params=(("variant", "engine"),) + self.names(X, a))
                     if s.rule is Rule.SOFTMAX_JACOBIAN else s for s in steps]
        J = normal(steps[-1].rhs)
        held = Env([d for d in self.spec.all_definitions if d.name != a], self.spec.size)
        held.softmaxes = {}
        lhs_a = D(L, self.entry(a, at))
        start = D(rename_bound(self.spec.loss.body, set(at) | set(v)), self.entry(a, at))
        steps += _derive(lhs_a, start, held, (), "loss")
        dLda = normal(steps[-1].rhs)
        lhs = D(L, xv)
        lim = self.limits(a, at)
        chain = sp.Sum(D(L, self.entry(a, at)) * D(self.entry(a, at), xv), *lim)
        steps.append(Step(Rule.BATCH_CHAIN_RULE if sm.rows else Rule.CHAIN_RULE, lhs, chain, "gradient",
                          params=(("variant", "layer"),) + self.names(X, a)))
        substituted = sp.Sum(dLda * J, *lim)
        steps.append(Step(Rule.SUBSTITUTE, lhs, display(substituted), "gradient", chain=True,
                          params=(("variant", "results"),)))
        return steps + self._simplified(lhs, substituted, "gradient", self.spec.constraints)

    # -- a layer: dL/du, du/dX, the chain rule with dL/du held, then its value ------------------------
    def _through_layer(self, u: str, X: str, v: tuple) -> list:
        L = self.L
        w = self.letters(u, avoid=v)
        steps, _ = self.gradient(u, w)
        g = normal(_entry_line(steps, u))
        g_uses = tuple(sorted({x for s in steps for x in s.uses}))
        uw, xv = self.entry(u, w), self.entry(X, v)
        d = self.env.defs[u]
        body = d.body.xreplace(dict(zip(d.indices, w))) if d.indices else d.body
        start = D(rename_bound(body, set(w) | set(v)), xv)
        steps += _derive(D(uw, xv), start, self.env, (), "layer", params=self.names(X, u))
        J = normal(steps[-1].rhs)
        lhs = D(L, xv)
        lim = self.limits(u, w)
        up = sp.IndexedBase(_UP + u)
        held_up = (up[w] if w else sp.Symbol(_UP + u))
        chain = sp.Sum(D(L, uw) * D(uw, xv), *lim) if lim else D(L, uw) * D(uw, xv)
        steps.append(Step(Rule.CHAIN_RULE, lhs, chain, "gradient", params=(("variant", "layer"),) + self.names(X, u)))
        start = sp.Sum(held_up * J, *lim) if lim else held_up * J
        steps.append(Step(Rule.SUBSTITUTE, lhs, self._shown(start, u), "gradient", chain=True,
                          params=(("variant", "layer"),) + self.names(X, u)))
        lines = self._simplified(lhs, start, "gradient", ())
        held = normal(lines[-1].rhs) if lines else start
        steps += [replace(s, rhs=self._shown(s.rhs, u)) for s in lines]
        back = self._back(held)
        if back is not None:  # tanh(sum_d U_{jd} x_d) -> h_j: the layer's own names again
            held = back
            steps.append(Step(Rule.SUBSTITUTE, lhs, self._shown(held, u), "gradient", chain=True,
                              params=(("variant", "back"),) + self.names(X, u)))
        if g.has(sp.Sum):  # dL/dQ = dL/dS K / sqrt(d): the upstream gradient stays a name, as papers keep it
            return steps
        value = _put(held, up if w else sp.Symbol(_UP + u), w, g)
        steps.append(Step(Rule.SUBSTITUTE, lhs, display(value), "gradient", chain=True,
                          params=(("variant", "upstream"),) + self.names(X, u), uses=g_uses))
        return steps + [replace(s, uses=tuple(sorted(set(s.uses) | set(g_uses))))
                        for s in self._simplified(lhs, value, "gradient", self.spec.constraints)]

    def _back(self, e):
        """Definitions put back: a layer's body met in e (tanh(sum_d U_{jd} x_d)) becomes its name (h_j)."""
        mapping = {}
        for d in self.spec.definitions:
            if d.name in self.env.softmaxes or not d.indices:
                continue
            wild = {t: sp.Wild("w" + str(t), properties=[lambda x: isinstance(x, sp.Symbol) and x.is_integer])
                    for t in d.indices}
            pattern = normal(d.body).xreplace(wild)
            for x in sp.preorder_traversal(e):
                if isinstance(x, type(pattern)) and x not in mapping:
                    m = x.match(pattern)
                    if m and all(w in m for w in wild.values()):
                        mapping[x] = sp.IndexedBase(d.name)[tuple(m[wild[t]] for t in d.indices)]
        return normal(e.xreplace(mapping)) if mapping else None

    def _shown(self, e, u: str):
        """The placeholder of dL/du written as the derivative it stands for."""
        up = _UP + u
        mapping = {}
        for x in sp.preorder_traversal(e):
            if isinstance(x, sp.Indexed) and str(x.base.label) == up:
                mapping[x] = D(self.L, sp.IndexedBase(u)[x.indices])
            elif isinstance(x, sp.Symbol) and str(x) == up:
                mapping[x] = D(self.L, sym.scalar(u))
        return display(e.xreplace(mapping))

    def _direct(self, X: str, v: tuple) -> list:
        lhs = D(self.L, self.entry(X, v))
        start = D(rename_bound(self.spec.loss.body, set(v)), self.entry(X, v))
        first = Step(Rule.EXPAND_DEFINITION, lhs, start, "derivative", params=(("variant", "engine"),))
        return [first] + _derive(lhs, start, self.env, self.spec.constraints, "derivative", chained=True)

    def _simplified(self, lhs, e, section: str, constraints) -> list:
        more = exhaust(simplifier(self.env, constraints), e)
        last = tidy(more[-1].new if more else e)
        return _lines(lhs, more + ([last] if last else []), section)

    # -- matrix form ----------------------------------------------------------------------------------
    def _matrix_line(self, steps: list, X: str, v: tuple):
        final = display(normal(steps[-1].rhs))
        shape = self.shapes.get(X, ())
        if not v:
            return steps, None
        m = matrix_form(normal(steps[-1].rhs), tuple(zip(v, shape)), self.shapes)
        if m is None:
            return steps, None
        m = display(m)
        uses = ("sum-one",) if any("sum-one" in s.uses for s in steps) else ()
        section = "result" if X == self.spec.wrt else "gradient"
        steps = steps + [Step(Rule.VECTOR_FORM, Grad(self.L, self.matrix(X)), m, section, uses=uses,
                              params=(("variant", "matrix"),))]
        del final
        return steps, m


def _entry_line(steps: list, u: str):
    """The last entry-wise right side (before a matrix-form line)."""
    for s in reversed(steps):
        if s.rule is not Rule.VECTOR_FORM:
            return s.rhs
    raise AssertionError("no gradient line")


def _put(e, up, w: tuple, g):
    """Every entry up_t of the held upstream gradient replaced by g at t."""
    if not w:
        return e.xreplace({up: g})
    mapping = {x: g.xreplace(dict(zip(w, x.indices)))
               for x in sp.preorder_traversal(e) if isinstance(x, sp.Indexed) and x.base == up}
    return e.xreplace(mapping)


def _lines(lhs, moves, section: str, first_chain: bool = True) -> list:
    out: list[Step] = []
    for n, m in enumerate(moves):
        uses = tuple(sorted(set(m.uses) | {u for s in out for u in s.uses}))
        out.append(Step(m.rule, lhs, display(m.new), section, chain=first_chain or n > 0, params=m.params, uses=uses))
    return out


def _derive(lhs, start, env: Env, constraints, section: str, chained: bool = False, params=()) -> list:
    """Differentiate until no derivative is left, then simplify (one Step per move)."""
    moves = exhaust(derivative_move(env), start)
    e = moves[-1].new if moves else start
    more = exhaust(simplifier(env, constraints), e)
    e = more[-1].new if more else e
    last = tidy(e)
    first = Step(Rule.EXPAND_DEFINITION, lhs, start, section,
                 params=(("variant", "layer" if params else "engine"),) + tuple(params))
    lines = _lines(lhs, moves + more + ([last] if last else []), section)
    return lines if chained else [first] + lines


def _notation(spec: LossSpec, sm) -> Notation:
    from .build import default_notation

    return default_notation(spec, sm, sm.index if sm is not None else None)
