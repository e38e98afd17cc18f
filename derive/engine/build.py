"""The engine: from a LossSpec to a Derivation whose every line is one rule (then verified)."""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..calculus import symbols as sym
from ..calculus.definition import Definition
from ..calculus.objects import Entrywise, Grad, Jac, vector
from ..errors import UsageError
from ..notation import Notation
from ..steps import Derivation, Rule, Step
from ..verifier.verify import Context
from .display import display
from .jacobian import jacobian_steps
from .differentiate import D, Env, derivative_move, fresh, rename_bound, used_letters, weighted_log_lemma
from .simplify import simplifier, tidy
from .spec import LossSpec
from .strategy import Move, exhaust


def derive_gradient(spec: LossSpec, notation: Notation | None = None, recipe: str = "grad") -> Derivation:
    """The step-by-step gradient of spec.loss with respect to spec.wrt (not yet verified)."""
    env = Env(spec.all_definitions, spec.size)
    if spec.tensor or _behind_layer(env, spec) or any(n != spec.size for _, shape in spec.shapes for n in shape):
        from .tensor import derive_tensor

        return derive_tensor(spec, notation, recipe)
    if spec.names.get(spec.wrt) == 0:
        return _scalar_gradient(spec, env, notation, recipe)
    L = spec.loss.head
    x = sp.IndexedBase(spec.wrt)
    letters = used_letters(*[d.body for d in spec.all_definitions], *[d.head for d in spec.definitions])
    sm = _softmax_of(env, spec.wrt)
    label = {sym.index(spec.label)} if spec.label else set()
    i = sm.index if sm is not None and sm.index not in label else fresh(label, "iklmn")
    named_j = sym.index(notation.j) if notation is not None else None
    j = named_j if named_j is not None and named_j != i and named_j not in label else fresh({i} | label, "jmnlpq")
    steps = [Step(Rule.DEFINITION, d.head, d.body, "model",
                  params=(("variant", "loss"),) if d is spec.loss else ())
             for d in spec.all_definitions]
    through = sm is not None and _only_through(env, spec, sm.name)
    if through:
        steps += _through_probabilities(spec, env, sm, i, j)
    else:
        named = None
        if sm is None:  # no softmax named: one is named if the result contains it (log-sum-exp losses)
            named = _named_softmax(spec, i, letters | {i, j})
            env = Env(spec.all_definitions + (named,), spec.size)
        direct = _direct(spec, env, x[j])
        used = next((n for n, s in enumerate(direct) if s.rule is Rule.SUBSTITUTE), None)
        if named is not None and used is not None:
            direct[used] = replace(direct[used], chain=False)  # a new block after the definition
            direct.insert(used, Step(Rule.DEFINITION, named.head, named.body, "derivative", params=(("variant", "named"),)))
            spec = replace(spec, definitions=spec.definitions + (named,))
            sm = env.softmaxes[named.name]
        steps += direct
    final = _last(steps)
    if final.has(D):
        raise AssertionError("a derivative survived the engine")  # the moves never leave one
    vec = vector_form(final, j, spec.size)
    gv = Grad(L, vector(spec.wrt, spec.size))
    vec = display(vec)
    if not isinstance(vec, Entrywise):  # a column of the entries above would only repeat them
        steps.append(Step(Rule.VECTOR_FORM, gv, vec, "result", uses=_uses(steps)))
        if isinstance(spec.size, int):  # and entry by entry, as the worked example will show them
            column = Entrywise(display(final), j, fresh(used_letters(final) | {j}), spec.size, 1)
            steps.append(Step(Rule.VECTOR_FORM, gv, column, "result", chain=True, uses=_uses(steps)))
    notation = notation or default_notation(spec, sm, i)
    if "jacobian" in spec.route:  # the textbook's sentence: 'Since the target sums to one, ...'
        steps = [_textbook_fact(s, spec, notation) for s in steps]
    context = Context(definitions=spec.all_definitions, domains=spec.domains, size=spec.size)
    constraints = tuple(("sum-one", (c.name, "simplex")) for c in spec.constraints)
    simplified = not _raw_exponentials(final, spec.wrt)
    return Derivation(recipe, spec.size, notation, tuple(steps), context,
                      params=(("simplified", "yes" if simplified else "no"),) + ((("label", spec.label),) if spec.label else ()),
                      result=vec, constraints=constraints,
                      assumptions=(("distribution",) if spec.constraints else ()) + (("class-index",) if spec.label else ())
                      + (() if simplified else ("unsimplified",)))


def _scalar_gradient(spec: LossSpec, env: Env, notation, recipe: str) -> Derivation:
    """dL/dx for a scalar x (the logit of a sigmoid): differentiated and simplified like an entry."""
    x = sym.scalar(spec.wrt)
    steps = [Step(Rule.DEFINITION, d.head, d.body, "model", params=(("variant", "loss"),) if d is spec.loss else ())
             for d in spec.all_definitions]
    steps += _direct(spec, env, x)
    final = _last(steps)
    if final.has(D):
        raise AssertionError("a derivative survived the engine")
    notation = notation or default_notation(spec, None)
    context = Context(definitions=spec.all_definitions, domains=spec.domains, size=spec.size)
    return Derivation(recipe + "-scalar" if recipe == "grad" else recipe, spec.size, notation, tuple(steps), context,
                      params=(("simplified", "yes"),), result=display(final),
                      constraints=tuple(("sum-one", (c.name, "simplex")) for c in spec.constraints))


def _behind_layer(env: Env, spec: LossSpec) -> bool:
    """Does the variable reach a softmax only through a defined layer (z := W x + b, by x or b)?"""
    for sm in env.softmaxes.values():
        direct = any(isinstance(y, sp.Indexed) and str(y.base.label) == spec.wrt for y in sp.preorder_traversal(sm.inner))
        if env.depends(sm.inner, spec.wrt) and not direct:
            return True
    return False


def _named_softmax(spec: LossSpec, i, letters) -> Definition:
    taken = set(spec.names) | {d.name for d in spec.all_definitions}
    name = next(n for n in ("a", "p", "q", "s", "sigma") if n not in taken)
    x, k = sp.IndexedBase(spec.wrt), fresh({i}, "kmnlpq")
    return Definition(sp.IndexedBase(name)[i], sp.exp(x[i]) / sp.Sum(sp.exp(x[k]), (k, 1, spec.size)))


def _softmax_of(env: Env, wrt: str):
    for sm in env.softmaxes.values():
        if env.depends(sm.inner, wrt):
            return sm
    return None


def _only_through(env: Env, spec: LossSpec, name: str) -> bool:
    """Does the loss reach the variable only through the softmax `name`?"""
    held = Env([d for d in spec.all_definitions if d.name != name], spec.size)
    return not held.depends(spec.loss.body, spec.wrt)


def _uses(steps) -> tuple[str, ...]:
    return ("sum-one",) if any("sum-one" in s.uses for s in steps) else ()


def _lines(lhs, start, moves: list[Move], section: str, first_chain: bool = True) -> list[Step]:
    """One Step per move; from the first move that uses a declared fact on, the result section."""
    out: list[Step] = []
    for n, m in enumerate(moves):
        uses = tuple(sorted(set(m.uses) | {u for s in out for u in s.uses}))
        here = "result" if uses and section == "gradient" else section
        chain = (first_chain or n > 0) and not (out and here != out[-1].section)
        out.append(Step(m.rule, lhs, display(m.new), here, chain=chain, params=m.params, uses=uses))
    return out


def _derive(lhs, expr, env: Env, spec: LossSpec, section: str, first: Step | None = None) -> list[Step]:
    """Differentiate until no derivative is left, then simplify; one Step per move."""
    steps = [first] if first is not None else []
    moves = exhaust(derivative_move(env), expr)
    e = moves[-1].new if moves else expr
    more = exhaust(simplifier(env, spec.constraints), e)
    e = more[-1].new if more else e
    last = tidy(e)
    moves += more + ([last] if last else [])
    steps += _lines(lhs, expr, moves, section, first_chain=first is not None)
    return steps


def _direct(spec: LossSpec, env: Env, xj) -> list[Step]:
    L = spec.loss.head
    lhs = D(L, xj)
    start = D(rename_bound(spec.loss.body, set(xj.indices) if isinstance(xj, sp.Indexed) else set()), xj)
    first = Step(Rule.EXPAND_DEFINITION, lhs, start, "derivative", params=(("variant", "engine"),))
    return _derive(lhs, start, env, spec, "derivative", first)


def _through_probabilities(spec: LossSpec, env: Env, sm, i, j) -> list[Step]:
    """The softmax Jacobian, dL/da_i, then the chain rule and simplification (the textbook route)."""
    L, a, x = spec.loss.head, sp.IndexedBase(sm.name), sp.IndexedBase(spec.wrt)
    textbook = "jacobian" in spec.route   # derived from the definition case by case, with matrix forms
    # the Jacobian of the softmax, as a lemma
    lhs_j = D(a[i], x[j])
    if textbook:
        steps, J = jacobian_steps(sm, env, x, j, spec.size)
    else:
        steps = _lines(lhs_j, lhs_j, exhaust(derivative_move(env), lhs_j), "jacobian", first_chain=False)
        J = _last(steps)
    # the loss with a held as a variable: its derivative with respect to a_i
    held = Env([d for d in spec.all_definitions if d.name != sm.name], spec.size)
    held.softmaxes = {}
    lhs_a = D(L, a[i])
    start = D(rename_bound(spec.loss.body, {i, j}), a[i])  # j: free in the chain rule below
    lemma = weighted_log_lemma(spec.loss.body, sm.name, i, held) if "lemmas" in spec.route else None
    if lemma is not None:  # the textbook's one line for -sum_k t_k log a_k
        steps += [Step(Rule.DERIVATIVE_WEIGHTED_LOG, lhs_a, display(lemma), "loss")]
    else:
        steps += _derive(lhs_a, start, held, _no_facts(spec), "loss",
                        Step(Rule.EXPAND_DEFINITION, lhs_a, start, "loss", params=(("variant", "engine"),)))
    dLda = _last(steps)
    if textbook:
        steps += _matrix_chain(spec, sm, i, j, dLda, steps)
    # the chain rule, entry by entry
    k = i
    lhs = D(L, x[j])
    chain = sp.Sum(D(L, a[k]) * D(a[k], x[j]), (k, 1, spec.size))
    substituted = sp.Sum(dLda * J, (k, 1, spec.size))
    variant = "index" if textbook else "engine"
    steps.append(Step(Rule.CHAIN_RULE, lhs, chain, "gradient", params=(("variant", variant),)))
    Jd = display(J)
    flat = isinstance(Jd, sp.Mul) and not any(f.is_Pow and f.exp.is_negative for f in Jd.args)
    g = sp.Mul(-1, display(-dLda), evaluate=False) if dLda.could_extract_minus_sign() else display(dLda)
    shown = sp.Sum(sp.Mul(g, *(Jd.args if flat else (Jd,)), evaluate=False), (k, 1, spec.size))
    steps.append(Step(Rule.SUBSTITUTE, lhs, shown, "gradient", chain=True, params=(("variant", "results"),)))
    more = exhaust(simplifier(env, spec.constraints), substituted)
    e = more[-1].new if more else substituted
    last = tidy(e)
    lines = _lines(lhs, substituted, more + ([last] if last else []), "gradient")
    if textbook:  # the vector form before a declared fact is used, as the textbook writes it
        lines = _vector_before_facts(lines, j, spec)
    return steps + lines


def _textbook_fact(s: Step, spec: LossSpec, notation: Notation) -> Step:
    target = [c for c in spec.constraints if c.name == notation.target and c.value == 1]
    if s.rule is Rule.USE_CONSTRAINT and target and len(spec.constraints) == 1:
        return replace(s, params=())
    return s


def _matrix_chain(spec: LossSpec, sm, i, j, dLda, steps) -> list[Step]:
    """dL/da as a vector, dL/dz = J^T dL/da, and (concrete K) that product written out."""
    L = spec.loss.head
    av, xv = vector(sm.name, spec.size), vector(spec.wrt, spec.size)
    col = vector_form(sp.factor_terms(dLda), i, spec.size)
    if isinstance(col, Entrywise):  # the entries as a paper orders them
        col = Entrywise(display(col.args[0]), *col.args[1:])
    out = [Step(Rule.VECTOR_FORM, Grad(L, av), display(col), "loss"),
           Step(Rule.CHAIN_RULE, Grad(L, xv), Jac(av, xv).T * Grad(L, av), "gradient")]
    matrix = next((s.rhs for s in steps if s.rule is Rule.JACOBIAN_MATRIX), None)
    if isinstance(spec.size, int) and matrix is not None:
        entries = col if isinstance(col, Entrywise) else \
            Entrywise(display(sp.factor_terms(dLda)), i, fresh(used_letters(dLda) | {i}), spec.size, 1)
        out.append(Step(Rule.MATRIX_PRODUCT, Grad(L, xv), sp.MatMul(matrix.T, display(entries), evaluate=False),
                        "gradient", chain=True))
    return out


def _vector_before_facts(lines: list[Step], j, spec: LossSpec) -> list[Step]:
    n = next((n for n, s in enumerate(lines) if s.section == "result"), None)
    if not n:
        return lines
    vec = display(vector_form(sp.factor_terms(_last(lines[:n])), j, spec.size))
    if isinstance(vec, Entrywise):
        return lines
    grad = Grad(spec.loss.head, vector(spec.wrt, spec.size))
    return lines[:n] + [Step(Rule.VECTOR_FORM, grad, vec, "gradient")] + lines[n:]


def _last(steps):
    """The last right side as SymPy evaluates it (the steps hold the display form)."""
    from .simplify import normal

    return normal(steps[-1].rhs)


def _no_facts(spec: LossSpec) -> LossSpec:
    return replace(spec, constraints=())


def _raw_exponentials(e, wrt: str) -> bool:
    return any(isinstance(x, sp.exp) and any(isinstance(y, sp.Indexed) and str(y.base.label) == wrt
                                             for y in sp.preorder_traversal(x)) for x in sp.preorder_traversal(e))


def vector_form(r, j, size):
    """sum_t c_t v_j -> sum_t c_t v (named vectors) when every term is a scalar times one entry;
    otherwise the column of entries (r_j)_j."""
    outside = [f for f in sp.Mul.make_args(r) if j not in f.free_symbols]
    if outside and len(sp.Mul.make_args(r)) == len(outside) + 1:  # c (u_j - v_j) -> c (u - v)
        inner = vector_form(sp.Mul(*[f for f in sp.Mul.make_args(r) if j in f.free_symbols]), j, size)
        if not isinstance(inner, Entrywise):
            return sp.MatMul(sp.Mul(*outside), inner)
    terms = []
    for t in sp.Add.make_args(sp.expand(r, power_exp=False, power_base=False, log=False, mul=True, multinomial=False)):
        with_j = [f for f in sp.Mul.make_args(t) if j in f.free_symbols]
        rest = [f for f in sp.Mul.make_args(t) if j not in f.free_symbols]
        if len(with_j) != 1 or not (isinstance(with_j[0], sp.Indexed) and tuple(with_j[0].indices) == (j,)):
            return Entrywise(r, j, fresh(used_letters(r) | {j}), size, 1)
        terms.append(sp.MatMul(sp.Mul(*rest), vector(str(with_j[0].base.label), size)) if rest
                     else vector(str(with_j[0].base.label), size))
    return sp.MatAdd(*terms) if len(terms) > 1 else terms[0]


def default_notation(spec: LossSpec, sm, i=None) -> Notation:
    """The names the sentences use: logits = wrt, probs = the softmax, target = the constrained vector."""
    taken = {spec.wrt, str(spec.loss.head)}
    probs = sm.name if sm is not None else next(n for n in "apqs" if n not in spec.names and n not in taken)
    taken.add(probs)
    vectors = [n for n, a in spec.names.items() if a == 1 and n not in taken]
    target = spec.constraints[0].name if spec.constraints else (vectors[0] if vectors else
                                                                next(n for n in "ytuv" if n not in taken | set(spec.names)))
    i = str(i) if i is not None else str(sm.index) if sm is not None else "i"
    try:
        return Notation(logits=spec.wrt, probs=probs, target=target, loss=str(spec.loss.head), i=i,
                        j="j" if i != "j" else "m", k="k" if i != "k" else "l")
    except UsageError:  # names that collide (a letter taken twice): the default letters
        return Notation()
