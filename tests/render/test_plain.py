"""The terminal's Unicode formulas, case by case."""
from __future__ import annotations

import pytest
import sympy as sp

from derive.calculus import symbols as sym
from derive.calculus.objects import Diag, Entrywise, Grad, Jac, sigmoid, vector
from derive.render.plain import plain_formula

K = sym.size("K")
i, j, k = (sym.index(n) for n in "ijk")
z, a, y, p = (sym.indexed(n) for n in "zayp")
av, zv = vector("a", K), vector("z", K)

CASES = [
    (z[i], "z_i"),
    (p[i, k], "p_ik"),
    (sp.KroneckerDelta(i, j), "δ_ij"),
    (sp.exp(z[i]), "e^z_i"),
    (sp.log(a[i]), "log a_i"),
    (sigmoid(sp.Add(z[1], -z[2], evaluate=False)), "σ(z_1 - z_2)"),
    (sp.Derivative(a[i], z[j]), "∂a_i/∂z_j"),
    (sp.Derivative(sp.Symbol("L"), z[i], z[j]), "∂^2L/∂z_i∂z_j"),
    (sp.Sum(sp.exp(z[k]), (k, 1, K)), "Σ_{k=1..K} e^z_k"),
    (sp.Mul(a[i], sp.Add(sp.KroneckerDelta(i, j), -a[j], evaluate=False), evaluate=False), "a_i·(δ_ij - a_j)"),
    (Grad(sp.Symbol("L"), zv), "∂L/∂𝐳"),
    (Jac(av, zv), "∂𝐚/∂𝐳"),
    (sp.MatAdd(Diag(av), -av * av.T, evaluate=False), "diag(𝐚) - 𝐚 𝐚ᵀ"),
    (Entrywise(sp.Add(a[i], -y[i], evaluate=False), i, j, 3, 1), "(a_1 - y_1, a_2 - y_2, a_3 - y_3)ᵀ"),
    (Entrywise(sp.Add(a[i], -y[i], evaluate=False), i, j, K, 1), "(a_1 - y_1, a_2 - y_2, …, a_K - y_K)ᵀ"),
    (sp.Ne(i, j), "i ≠ j"),
    (sp.Symbol("epsilon"), "ε"),
]


@pytest.mark.parametrize("expr,text", CASES, ids=[t for _, t in CASES])
def test_plain_formula(expr, text):
    assert plain_formula(expr) == text
