"""Rule by rule, the index calculus: each rewrite checked by the verifier, and the edge cases."""
from __future__ import annotations

import pytest
import sympy as sp
from sympy import KroneckerDelta as delta
from sympy import exp

from derive.calculus import symbols as sym
from derive.calculus.indexed import RULES, apply_rule, split_sum, use_constraint, rewrite
from derive.steps import Rule
from derive.verifier.verify import Context, verify

K = sym.size("K")
i, j, k, c = (sym.index(n) for n in "ijkc")
z, y, w = sym.indexed("z"), sym.indexed("y"), sym.indexed("w")
D = sp.Derivative
S = sp.Sum(exp(z[k]), (k, 1, K))

TABLE = [
    (Rule.DERIVATIVE_INDEXED, D(z[k], z[j]), delta(k, j)),
    (Rule.DERIVATIVE_INDEXED, D(y[k], z[j]), 0),
    (Rule.DERIVATIVE_EXP, D(exp(z[i]), z[j]), delta(i, j) * exp(z[i])),
    (Rule.DERIVATIVE_SUM, D(S, z[j]), sp.Sum(D(exp(z[k]), z[j]), (k, 1, K))),
    (Rule.QUOTIENT_RULE, D(exp(z[i]) / S, z[j]),
     (D(exp(z[i]), z[j]) * S - exp(z[i]) * D(S, z[j])) / S ** 2),
    (Rule.DELTA_CONTRACTION, sp.Sum(delta(k, j) * exp(z[k]), (k, 1, K)), exp(z[j])),
    (Rule.DELTA_CONTRACTION, sp.Sum(y[i] * delta(i, j), (i, 1, K)), y[j]),
    (Rule.DELTA_CONTRACTION, sp.Sum(delta(k, 5) * z[k], (k, 1, 3)), 0),          # 5 is outside 1..3
    (Rule.DELTA_CONTRACTION, sp.Sum(delta(k, 2) * z[k], (k, 1, 3)), z[2]),
    (Rule.FACTOR_CONSTANT, sp.Sum(z[j] * y[i], (i, 1, K)), z[j] * sp.Sum(y[i], (i, 1, K))),
    (Rule.LINEARITY, sp.Sum(y[i] * z[j] - y[i] * delta(i, j), (i, 1, K)),
     z[j] * sp.Sum(y[i], (i, 1, K)) - sp.Sum(y[i] * delta(i, j), (i, 1, K))),
    # a sum over another letter than the variable's index, nested in another sum
    (Rule.DELTA_CONTRACTION, sp.Sum(sp.Sum(delta(c, k) * w[c] * z[k], (c, 1, K)), (k, 1, K)),
     sp.Sum(w[k] * z[k], (k, 1, K))),
]


@pytest.mark.parametrize("rule,before,after", TABLE, ids=[f"{r.id}-{n}" for n, (r, _, _) in enumerate(TABLE)])
def test_rule_rewrites_as_its_formula_says(rule, before, after):
    out = apply_rule(rule, before)
    concrete = not before.has(K)  # sums with literal bounds are checked at K = 5
    ctx = Context(domains=(("y", "positive"),), **({"size": 5} if concrete else {}))
    assert verify(out, after, ctx).ok
    assert verify(before, out, ctx).ok  # and the rewrite is true


UNCHANGED = [
    # K + 1 is not known to lie in 1..K: the delta stays
    (Rule.DELTA_CONTRACTION, sp.Sum(delta(k, K + 1) * z[k], (k, 1, K))),
    # the sum's own letter is the variable's index: no silent capture
    (Rule.DERIVATIVE_SUM, D(sp.Sum(exp(z[k]), (k, 1, K)), z[k])),
    (Rule.FACTOR_CONSTANT, sp.Sum(y[i] * z[i], (i, 1, K))),
    (Rule.QUOTIENT_RULE, D(exp(z[i]), z[j])),
]


@pytest.mark.parametrize("rule,expr", UNCHANGED, ids=[r.id for r, _ in UNCHANGED])
def test_rule_does_not_apply_outside_its_conditions(rule, expr):
    assert apply_rule(rule, expr) == expr


def test_split_sum_takes_one_term_out():
    e = sp.Sum(y[i] * z[i], (i, 1, K))
    out = rewrite(e, split_sum, at=j)
    assert verify(out, e, Context(domains=(("y", "positive"),))).ok


def test_use_constraint_only_where_declared():
    total = sp.Sum(y[i], (i, 1, K))
    e = z[j] * total - y[j]
    assert rewrite(e, use_constraint(total)) == z[j] - y[j]
    assert verify(rewrite(e, use_constraint(total)), e, Context(domains=(("y", "simplex"),))).ok
    assert verify(rewrite(e, use_constraint(total)), e, Context(domains=(("y", "positive"),))).status == "refuted"


def test_every_registered_rule_has_a_formula():
    for r in RULES:
        assert r.formula and RULES[r].__doc__
