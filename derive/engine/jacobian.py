"""The 'jacobian' route: da_i/dx_j of a softmax-like definition by the textbook's steps, case by case."""
from __future__ import annotations

import sympy as sp
from sympy import KroneckerDelta
from sympy.matrices.expressions import MatAdd, MatMul

from ..calculus.objects import Diag, Entrywise, Jac, vector
from ..steps import Rule, Step
from .differentiate import D, Env, Softmax, derivative_move, evaluated, rename_bound
from .display import display
from .simplify import simplifier
from .strategy import Move, exhaust

SECTION = "jacobian"
# the order textbooks take: the quotient rule, into the sum, the exponentials, the entries
ORDER = (Rule.QUOTIENT_RULE, Rule.DERIVATIVE_SUM, Rule.DERIVATIVE_EXP, Rule.DERIVATIVE_LINEARITY,
         Rule.DERIVATIVE_INDEXED)
TEXTBOOK = (Rule.QUOTIENT_RULE, Rule.DERIVATIVE_SUM, Rule.DELTA_CONTRACTION)   # their own sentences fit any softmax


def jacobian_steps(sm: Softmax, env: Env, x: sp.IndexedBase, j, size) -> tuple[list[Step], object]:
    """The steps from da_i/dx_j to a_i (delta_ij - a_j) (times what the inner u contributes) and its
    matrix form, and that entry (evaluated); without the cases when the entry has no delta_ij."""
    i = sm.index
    a = sp.IndexedBase(sm.name)
    lhs = D(a[i], x[j])
    plain = Env(list(env.defs.values()), env.size)
    plain.softmaxes = {}                       # derived from the definition, not cited
    start = D(rename_bound(env.defs[sm.name].body, {j}), x[j])
    moves = _textbook(exhaust(derivative_move(plain, ORDER), start), sm, x)
    contracted = exhaust(_only(simplifier(env), Rule.DELTA_CONTRACTION), moves[-1].new)
    moves += [Move(m.rule, m.new) for m in contracted]
    steps = [Step(m.rule, lhs, display(m.new), SECTION, chain=n > 0, params=m.params) for n, m in enumerate(moves)]
    entry = evaluated(moves[-1].new)
    cases = _cases(sm, env, x, j, moves[-1].new)
    if cases is None:  # no delta to split on: simplified as any formula is
        more = exhaust(simplifier(env), entry)
        steps += [Step(m.rule, lhs, display(m.new), SECTION, chain=True, params=m.params) for m in more]
        return steps, evaluated(more[-1].new) if more else entry
    case_steps, entry = cases
    steps += case_steps
    steps += matrix_steps(sm, x, j, size, entry)
    return steps, entry


def _textbook(moves: list[Move], sm: Softmax, x) -> list[Move]:
    """The sentences of softmax-jacobian where they fit; e^{x_k}' = delta_jk e^{x_k} as one line when u = x."""
    out: list[Move] = []
    for m in moves:
        if out and m.rule is Rule.DERIVATIVE_INDEXED and out[-1].rule is Rule.DERIVATIVE_EXP \
                and sm.u(sm.index) == x[sm.index] and not m.new.has(D):
            out[-1] = Move(Rule.DERIVATIVE_EXP, m.new)
            continue
        out.append(Move(m.rule, m.new) if m.rule in TEXTBOOK else m)
    return out


def _only(rewriter, rule: Rule):
    def apply(e):
        m = rewriter(e)
        return m if m is not None and m.rule is rule else None
    return apply


def _cases(sm: Softmax, env: Env, x, j, shown):
    """Case i = j, case i != j (each written with the probabilities), one formula with delta_ij."""
    i = sm.index
    a = sp.IndexedBase(sm.name)
    delta = KroneckerDelta(i, j)
    if not shown.has(delta):
        return None
    diag_shown = _put(display(shown), {delta: sp.Integer(1), j: i})
    off_shown = display(evaluated(_put(display(shown), {delta: sp.Integer(0)})))
    diag, off = _named(env, evaluated(diag_shown), x), _named(env, evaluated(off_shown), x)
    if diag is None or off is None:
        return None
    diag_lhs, lhs, cond = D(a[i], x[i]), D(a[i], x[j]), (sp.Ne(i, j),)
    steps = [Step(Rule.CASE_DIAGONAL, diag_lhs, diag_shown, SECTION, params=(("case", "diagonal"),)),
             Step(Rule.SUBSTITUTE, diag_lhs, display(diag), SECTION, chain=True)]
    factored = sp.factor_terms(diag)
    if factored != diag:
        steps.append(Step(Rule.ALGEBRA, diag_lhs, display(factored), SECTION, chain=True))
    steps += [Step(Rule.CASE_OFF_DIAGONAL, lhs, off_shown, SECTION, conditions=cond, params=(("case", "off-diagonal"),)),
              Step(Rule.SUBSTITUTE, lhs, display(off), SECTION, chain=True, conditions=cond)]
    unified = sp.factor_terms(sp.expand(off + delta * (diag - off.xreplace({j: i}))))
    steps.append(Step(Rule.KRONECKER_UNIFY, lhs, display(unified), SECTION))
    return steps, unified


def _named(env: Env, e, x):
    """e simplified until written with the defined probabilities; None if raw exponentials of x stay."""
    more = exhaust(simplifier(env), e)
    out = evaluated(more[-1].new) if more else e
    raw = any(isinstance(f, sp.exp) and f.has(x) for f in sp.preorder_traversal(out))
    return None if raw or out.has(D) else out


def _put(e, mapping):
    """e with mapping applied, kept as written: (e^{u})^2 for e^{u} e^{u}, factors 1 and terms 0 dropped."""
    if e in mapping:
        return mapping[e]
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, sp.IndexedBase):
        return e
    args = [_put(t, mapping) for t in e.args]
    if isinstance(e, sp.Mul):
        if any(t == 0 for t in args):
            return sp.Integer(0)
        flat = [f for t in args for f in (t.args if isinstance(t, sp.Mul) else (t,))]
        sign = sum(1 for f in flat if f == -1) % 2
        counted: list[list] = []
        for t in (t for t in flat if t != 1 and t != -1):
            same = next((c for c in counted if c[0] == t), None)
            if same is not None:
                same[1] += 1
            else:
                counted.append([t, 1])
        factors = [t if n == 1 else sp.Pow(t, n, evaluate=False) for t, n in counted]
        out = factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False) if factors else sp.Integer(1)
        return sp.Mul(sp.S.NegativeOne, out, evaluate=False) if sign else out
    if isinstance(e, sp.Add):
        terms = [t for t in args if t != 0]
        return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False) if terms else sp.Integer(0)
    if isinstance(e, sp.Pow):
        return sp.Pow(*args, evaluate=False)
    return e.func(*args)


def matrix_steps(sm: Softmax, x, j, size, entry) -> list[Step]:
    """The entries as the Jacobian matrix, then c (diag(a) - a a^T) when the entry is c a_i (delta_ij - a_j)."""
    i = sm.index
    a = sp.IndexedBase(sm.name)
    av, xv = vector(sm.name, size), vector(str(x.label), size)
    J = Jac(av, xv)
    steps = [Step(Rule.JACOBIAN_MATRIX, J, Entrywise(display(entry), i, j, size, size), SECTION)]
    c = sp.cancel(entry / (a[i] * (KroneckerDelta(i, j) - a[j])))
    if not c.has(i) and not c.has(j) and not c.has(sp.Indexed):
        form = MatAdd(Diag(av), -av * av.T, evaluate=False)
        steps.append(Step(Rule.MATRIX_FORM, J, form if c == 1 else MatMul(display(c), form, evaluate=False),
                          SECTION, chain=True))
    return steps
