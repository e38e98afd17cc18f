"""softmax-jacobian and softmax-cross-entropy: every step verified, the rule path, the result
checked against finite differences of an independent implementation."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import derive
from derive.verifier.evaluate import Evaluator
from derive.notation import Notation
from derive.pipeline import verify_derivation
from derive.recipebook import get
from derive.recipebook.base import parse_size
from derive.verifier.verify import Context, verify

from oracle import cross_entropy, finite_difference_gradient

SIZES = list(range(2, 9)) + ["K", "C", "n"]


@pytest.mark.parametrize("recipe", ["softmax-jacobian", "softmax-cross-entropy"])
@pytest.mark.parametrize("K", SIZES)
def test_every_step_is_verified(recipe, K):
    d = derive.derivation(recipe, K)
    bad = [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    assert not bad
    assert d.verified and len(d.claims) >= 12


RULES_CE = ["definition", "definition", "quotient-rule", "derivative-sum", "derivative-exp", "delta-contraction",
            "case-diagonal", "substitute-definition", "algebra", "case-off-diagonal", "substitute-definition",
            "kronecker-unify", "jacobian-matrix", "matrix-form", "derivative-weighted-log", "vector-form", "chain-rule"]


def test_the_rule_path_follows_the_sources():
    general = [s.rule.id for s in get("softmax-cross-entropy").build(parse_size("K", Notation()), Notation(), {}).steps]
    assert general[:len(RULES_CE)] == RULES_CE
    assert general[-4:] == ["delta-contraction", "vector-form", "use-constraint", "vector-form"]
    concrete = [s.rule.id for s in get("softmax-cross-entropy").build(3, Notation(), {}).steps]
    # the concrete derivation adds the product written out and the explicit result vector
    assert [r for r in concrete if r != "matrix-product"][:-1] == general


@pytest.mark.parametrize("K", range(2, 9))
def test_general_derivation_instantiated_agrees_with_concrete_step_for_step(K):
    notation = Notation()
    gen = get("softmax-cross-entropy").build(parse_size("K", notation), notation, {})
    con = get("softmax-cross-entropy").build(K, notation, {})
    con_steps = [s for s in con.steps if s.rule.id != "matrix-product"][:-1]
    assert len(con_steps) == len(gen.steps)
    size = gen.K
    ctx = Context(definitions=con.context.definitions, domains=con.context.domains, size=K)
    for g, c in zip(gen.steps, con_steps):
        assert g.rule is c.rule
        inst = {size: sp.Integer(K)}
        for side_g, side_c in ((g.lhs, c.lhs), (g.rhs, c.rhs)):
            v = verify(side_g.xreplace(inst), side_c, Context(**{**ctx.__dict__, "conditions": g.conditions}))
            assert v.ok, (g.rule.id, v.detail)


@pytest.mark.parametrize("K", range(2, 9))
def test_result_is_a_minus_y_by_finite_differences(K):
    d = derive.derivation("softmax-cross-entropy", K)
    rng = random.Random(K)
    for _ in range(3):
        with mpmath.workdps(50):
            z = [mpmath.mpf(rng.uniform(-3, 3)) for _ in range(K)]
            c = rng.randrange(K)
            y = [mpmath.mpf(int(r == c)) for r in range(K)]
            fd = finite_difference_gradient(lambda zz, y=y: cross_entropy(zz, y), z)
            leaves = {("z", (r + 1,)): z[r] for r in range(K)}
            leaves.update({("y", (r + 1,)): y[r] for r in range(K)})
            result = [row[0] for row in Evaluator(leaves, K, d.context.defs()).matrix(d.result)]
            assert all(abs(r - f) < mpmath.mpf(10) ** -25 for r, f in zip(result, fd))


def test_the_result_is_printed_as_a_minus_y():
    d = derive.derivation("softmax-cross-entropy", "K")
    import json

    out = json.loads(d.render("json"))
    assert out["result"]["latex"] == r"\mathbf{a} - \mathbf{y}"
    assert out["steps"][-1]["rhs"] == r"\mathbf{a} - \mathbf{y}" and out["steps"][-1]["verified"] is True


def test_a_wrong_step_is_never_shown_as_verified():
    from dataclasses import replace

    d = get("softmax-cross-entropy").build(3, Notation(), {})
    steps = list(d.steps)
    n = next(k for k, s in enumerate(steps) if s.rule.id == "use-constraint")
    j = sp.Symbol("j", integer=True, positive=True)
    a, y = sp.IndexedBase("a"), sp.IndexedBase("y")
    steps[n] = replace(steps[n], rhs=a[j] + y[j])  # a planted sign error
    checked = verify_derivation(d.with_steps(steps))
    assert not checked.verified
    assert checked.steps[n].verdict.status == "refuted"
    tex = checked.render("latex")
    assert "REFUTED" in tex


@pytest.mark.parametrize("notation,expect", [
    ("logits=x,probs=s,target=y,loss=e", [r"s_{i}", r"x_{j}", r"\partial e"]),
    ("logits=a,probs=q,target=p,loss=L,i=c,j=k,k=j", [r"q_{c}", r"a_{k}", r"\sum_{j=1}^{K} e^{a_{j}}"]),
])
def test_notation_is_the_users(notation, expect):
    d = derive.derivation("softmax-cross-entropy", "K", notation=notation)
    assert d.verified
    tex = d.render("latex")
    for piece in expect:
        assert piece in tex


@pytest.mark.parametrize("recipe,K", [(r, K) for r in derive.recipes() for K in (2, 3, 7, "K")
                                       if r != "sigmoid-cross-entropy" or K in (2, "K")])  # K = 2 only
def test_every_line_of_a_chain_changes_something(recipe, K):
    r = get(recipe)
    steps = r.build(parse_size(K, Notation()), Notation(), r.parse_params({})).steps
    for prev, s in zip(steps, steps[1:]):
        if s.chain:
            assert s.rhs != prev.rhs, f"{s.rule.id} repeats the previous line"
