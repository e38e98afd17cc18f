"""Names the text never defines but differentiates (dL/da_j of "a loss L"): any function, tested generically."""
from __future__ import annotations

from collections.abc import Set as AbstractSet
import re

import sympy as sp

from ..verifier.evaluate import Definition
from ..calculus.symbols import index, indexed, scalar, size

_DERIV_RE = re.compile(r"\\frac\s*\{\s*\\partial\s*\{?\s*([A-Za-z])\s*\}?\s*\}\s*\{\s*\\partial\s*\{?\s*(?:\\mathbf\s*\{?\s*)?([A-Za-z])")
_SECOND_RE = re.compile(r"\\partial\s*\^\s*\{?\s*2")


def specific_names(claims) -> set[str]:
    """Names some claim equates a derivative of with something that has none (dL/da_i = -1/q_k ...):
    that L is a particular loss the text forgot to define, not an arbitrary function."""
    out = set()
    for left, right in claims:
        for a, b in ((left, right), (right, left)):
            for name in re.findall(r"\\partial\s*\{?\s*([A-Za-z])(?![A-Za-z_])", a):
                if not re.search(r"\\partial\s*\{?\s*" + name + r"(?![A-Za-z_])", b):
                    out.add(name)
    return out


def generic_functions(math: str, setup, reach, specific: AbstractSet[str] = frozenset()) -> dict[str, str]:
    """name -> the vector it is a function of, for names only ever differentiated once.

    A first derivative of an unknown L at a point can be any vector g, so a claim about dL/da_j
    holds for every L exactly when it holds for L = sum_u g_u a_u with g arbitrary: the name is
    defined that way, g a free leaf (sampled like any input)."""
    if _SECOND_RE.search(math):
        return {}
    pairs: dict[str, set] = {}
    for name, var in _DERIV_RE.findall(math):
        pairs.setdefault(name, set()).add(var)
    out = {}
    words = [n for n, d in setup.definitions.items() if len(n) > 1 and n.isalpha() and isinstance(d.head, sp.Symbol)]
    for name, variables in pairs.items():
        if name in setup.definitions or name in setup.domains or name in setup.vectors or name in setup.indices:
            continue
        same = [w for w in words if w[0] == name] or [w for w in words if w[0].lower() == name.lower()]
        if len(same) == 1:   # Loss defined, L differentiated: the same quantity
            setup.definitions[name] = Definition(scalar(name), scalar(same[0]))
            continue
        if name in specific:
            continue
        # the innermost variable: defined through the others (a_i := softmax(z) -> L is a function of a)
        inner = [v for v in variables if v in setup.definitions
                 and (variables - {v}) <= reach(setup.definitions[v].body, setup.definitions)]
        if len(inner) != 1:
            if len(variables) != 1:
                continue
            inner = list(variables)
        v = inner[0]
        u = index("u")
        body = sp.Sum(indexed(f"{name}'")[u] * indexed(v)[u], (u, 1, size(setup.size_name)))
        setup.definitions[name] = Definition(scalar(name), body)
        out[name] = v
    return out
