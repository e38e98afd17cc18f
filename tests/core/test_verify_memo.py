"""The normal form shares its work between claims (normal._MEMO: a side common to many steps is
brought to normal form once). A claim is still judged on its own facts, whatever came before it:
its conditions, constraints, definitions and size."""
from __future__ import annotations

import pytest
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp, log

from derive import recipebook
from derive.verifier import normal
from derive.calculus import symbols as sym
from derive.verifier.evaluate import Definition
from derive.notation import Notation
from derive.pipeline import step_context
from derive.recipebook.base import parse_size
from derive.verifier.verify import Context, verify

K = sym.size("K")
i, j, k = sym.index("i"), sym.index("j"), sym.index("k")
z, a, y = sym.indexed("z"), sym.indexed("a"), sym.indexed("y")
L = sym.scalar("L")
S = sp.Sum(exp(z[k]), (k, 1, K))
LOSS = Definition(L, -sp.Sum(y[i] * log(a[i]), (i, 1, K)))
SOFTMAX = (Definition(a[i], exp(z[i]) / S), LOSS)
DOUBLED = (Definition(a[i], exp(2 * z[i]) / sp.Sum(exp(2 * z[k]), (k, 1, K))), LOSS)  # d a_i/d z_j twice as large
CTX = Context(definitions=SOFTMAX, domains=(("z", "real"), ("y", "positive")))
SIMPLEX = Context(definitions=SOFTMAX, domains=(("z", "real"), ("y", "simplex")))

# (name, lhs, rhs, the context where it holds, a context where it is false): the same sides
TWINS = [
    ("condition i != j", sp.Derivative(a[i], z[j]), -a[i] * a[j], CTX.with_conditions(sp.Ne(i, j)), CTX),
    ("condition i = j", sp.Derivative(a[i], z[j]), a[i] * (1 - a[i]), CTX.with_conditions(sp.Eq(i, j)),
     CTX.with_conditions(sp.Ne(i, j))),
    ("constraint sum y = 1", sp.Derivative(L, z[j]), a[j] - y[j], SIMPLEX, CTX),
    ("definition", sp.Derivative(a[i], z[j]), a[i] * (delta(i, j) - a[j]), CTX,
     Context(definitions=DOUBLED, domains=CTX.domains)),
    # y sums to one over 1..K: the sum of its first 16 entries is 1 at K = 16, not at K = 17
    ("size", a[j] * sp.Sum(y[k], (k, 1, 16)), a[j], Context(domains=SIMPLEX.domains, size=16),
     Context(domains=SIMPLEX.domains, size=17)),
]


@pytest.mark.parametrize("first", ["true", "false"])
@pytest.mark.parametrize("name,lhs,rhs,holds,fails", TWINS, ids=[t[0] for t in TWINS])
def test_a_shared_side_is_judged_under_each_claims_own_facts(first, name, lhs, rhs, holds, fails):
    normal._MEMO.clear()
    order = [(holds, True), (fails, False)]
    for ctx, true in order if first == "true" else order[::-1]:
        proof = normal.prove(lhs, rhs, ctx)
        assert (proof is not None) == true, (name, ctx, proof)
        assert verify(lhs, rhs, ctx).status == ("verified" if true else "refuted")


def _claims(recipe: str, K: str):
    r = recipebook.get(recipe)
    nt = Notation.parse(None)
    d = r.build(parse_size(K, nt), nt, r.parse_params({}))
    return [(s, step_context(d, s)) for s in d.claims]


@pytest.mark.parametrize("recipe,K", [("softmax-cross-entropy", "16"), ("softmax-cross-entropy", "K"),
                                      ("cross-entropy-hessian", "K"), ("batch-cross-entropy", "3"), ("stop-gradient-form", "K")])
def test_the_memo_changes_no_verdict(recipe, K):
    # every claim judged with the memo emptied first, then all in a row sharing it: the same
    # details, claim by claim (the memo saves work, it never decides)
    claims = _claims(recipe, K)
    cold = []
    for s, ctx in claims:
        normal._MEMO.clear()
        cold.append(normal.prove(s.lhs, s.rhs, ctx))
    normal._MEMO.clear()
    warm = [normal.prove(s.lhs, s.rhs, ctx) for s, ctx in claims]
    assert warm == cold
    assert any(p is not None for p in warm)
