"""The soundness fuzzer on a seeded sample: the verifier never proves (or checks) a false identity and never
calls a true one wrong; the truth is brute force (tests/verifier/fuzz.py). benchmarks/bench_fuzz.py runs 10,000+."""
from __future__ import annotations

import collections

from verifier.fuzz import MUTATIONS, TEMPLATES, cases, judge

SAMPLE = list(cases(seed=20261204, n=300))


def test_the_sample_covers_every_template_and_mutation():
    kinds = collections.Counter(c.kind for c in SAMPLE)
    mutations = collections.Counter(c.mutation for c in SAMPLE)
    assert set(kinds) == set(TEMPLATES) and min(kinds.values()) >= 30
    assert set(mutations) == {""} | set(MUTATIONS) and min(mutations.values()) >= 10


def test_no_false_proof_and_no_false_wrong():
    tally, bad = collections.Counter(), []
    for case in SAMPLE:
        got, true = judge(case)
        if true is None:
            continue
        tally[got, true] += 1
        if (got in ("proved", "checked") and not true) or (got == "wrong" and true):
            bad.append(f"{got} but {'true' if true else 'false'}: {case.lhs} = {case.rhs} {case.conditions}")
    assert not bad, "\n".join(bad[:10])
    # the prover does its share: most true identities of these kinds are proved, not merely checked
    assert tally["proved", True] >= 0.8 * (tally["proved", True] + tally["checked", True] + tally["not proved", True])
    assert tally["wrong", False] >= 0.8 * sum(n for (g, t), n in tally.items() if t is False)


def test_the_brute_force_judge_itself():
    # the false proofs of issue 18: an inner upper limit equal to the outer index is not K
    import sympy as sp
    from verifier.fuzz import BOUND, Case, K, truth

    k, l = BOUND[:2]
    tri = sp.Sum(sp.Sum(1, (l, 1, k)), (k, 1, K))
    assert truth(Case("closed", "", tri, K ** 2))[0] is False
    assert truth(Case("closed", "", tri, K * (K + 1) / 2))[0] is True
    assert truth(Case("closed", "", sp.Sum(1, (k, 5, K)), K - 4))[0] is False   # empty at K < 5, not negative
