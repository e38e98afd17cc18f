"""A one-hot target whose hot index the text names by writing it (p_k with k free): judged at that index."""
from __future__ import annotations

import dataclasses

import sympy as sp

from ..verifier.evaluate import Definition
from ..calculus.indexed import delta_contraction, rewrite
from ..calculus.symbols import index
from ..verifier.verify import verify


def at_written_index(lhs, rhs, ctx, known: dict | None = None):
    """(status, reason) of the claim with each one-hot vector's 1 at the free index it is written with
    (H(p, q) = -p_k log q_k for a one-hot p), status "ok" or "wrong"; None when there is no such reading."""
    hot = {name for name, dom in ctx.domains if dom == "one-hot"}
    if not hot:
        return None
    written: dict[str, set] = {}
    for side in (lhs, rhs):
        for x in sp.preorder_traversal(side):
            if isinstance(x, sp.Indexed) and str(x.base.label) in hot and len(x.indices) == 1:
                t = x.indices[0]
                if isinstance(t, sp.Symbol) and t.is_integer and t in _free(lhs) | _free(rhs):
                    written.setdefault(str(x.base.label), set()).add(t)
    chosen = {n: next(iter(ts)) for n, ts in written.items() if len(ts) == 1}
    for n, letter in (known or {}).items():   # "不妨设 p_k = 1": the text names the hot index
        if n in hot and n not in chosen:
            chosen[n] = index(letter)
    if not chosen:
        return None
    # the hot index is free in the claim: scalars defined through the vector (H := -sum p_i log q_i) are
    # written out in place, so the evaluator sees k where the vector's 1 is
    scalars = {d.head: d.body for d in ctx.definitions if isinstance(d.head, sp.Symbol)}
    for _ in range(4):
        lhs, rhs = lhs.xreplace(scalars), rhs.xreplace(scalars)

    # -t_j + sum_j t_j y_i: a sum's own j is another letter than the hot j (else the sum captures it)
    lhs, rhs = _rename_bound(lhs, set(chosen.values())), _rename_bound(rhs, set(chosen.values()))

    def hot_at(x):
        return sp.KroneckerDelta(x.indices[0], chosen[str(x.base.label)])
    pick = lambda x: isinstance(x, sp.Indexed) and str(x.base.label) in chosen and len(x.indices) == 1  # noqa: E731
    lhs, rhs = lhs.replace(pick, hot_at), rhs.replace(pick, hot_at)
    # sum_j delta_jk f(j) = f(k): also keeps 0 log 0 out of the evaluator (p_j log p_j at p_j = 0)
    lhs, rhs = rewrite(lhs, delta_contraction), rewrite(rhs, delta_contraction)
    defs = tuple(Definition(d.head, _rename_bound(d.body, set(chosen.values())).replace(pick, hot_at))
                 for d in ctx.definitions if not isinstance(d.head, sp.Symbol))
    domains = tuple((n, d) for n, d in ctx.domains if n not in chosen)
    verdict = verify(lhs, rhs, dataclasses.replace(ctx, definitions=defs, domains=domains))
    where = ", ".join(f"{n}_{t} = 1" for n, t in chosen.items())
    if verdict.status == "refuted":
        return "wrong", f"the sides differ even with the one-hot vector's 1 where the text writes it ({where})"
    if verdict.status != "verified":
        return None
    return "ok", f"assuming the one-hot vector has its 1 where the text writes it ({where}): {verdict.detail}"


def _rename_bound(e, letters: set):
    """Every sum over one of the letters summed over a fresh letter instead (the same sum)."""
    def fresh(x):
        table = {lim[0]: index(f"{lim[0]}'") for lim in x.limits if lim[0] in letters}
        return sp.Sum(x.function.xreplace(table), *[(table.get(v, v), a, b) for v, a, b in x.limits])
    return e.replace(lambda x: isinstance(x, sp.Sum) and any(lim[0] in letters for lim in x.limits), fresh)


def _free(e) -> set:
    return {s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
