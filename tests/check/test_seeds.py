"""The sources' own derivations, verbatim: seed 002's aligned chain with cases, seed 004's result."""
from __future__ import annotations

from derive.checker.command import check

SEED_002 = r"""
$$a_i=\frac{e^{z_i}}{\sum_{j=1}^Ne^{z_j}},\quad i=1,2,\dots,N$$

$$\begin{aligned}\frac{\partial a_i}{\partial z_j}&=\frac{\partial \frac{e^{z_i}}{\sum e^{z_k}}}{\partial z_j}\\&=\frac{\frac{\partial e^{z_i}}{\partial z_j}\sum e^{z_k}-e^{z_j}e^{z_i}}{(\sum e^{z_k})^2}\\&=\left\lbrace\begin{aligned}&-\frac{e^{z_j}e^{z_i}}{(\sum e^{z_k})^2}=-a_ia_j,\quad i\ne j\\ &\\&\frac{e^{z_i}\sum e^{z_k}-e^{2z_i}}{(\sum e^{z_k})^2}=a_i(1-a_i),\quad i=j\end{aligned}\right.\end{aligned}$$

$$E=-\sum_{i=1}^N y_ilog(a_i)$$

$$\frac{\partial E}{\partial \mathbf{z}}=(\frac{\partial\mathbf{a}}{\partial\mathbf{z}})^\mathrm{T}\frac{\partial E}{\partial \mathbf{a}}$$
"""

SEED_004 = r"""
$$
s_{i} = \frac{e^{x_{i}}}{ \sum_{t = 1}^{k}e^{x_{t}}} \\
\quad\\
e = crossEntropy(s, y)  = -\sum_{i = 1}^{k}y_{i}log(s_{i})\\
$$
$$
\frac{\partial e}{\partial x_i} =s_i\sum_{t = 1}^{k}y_t- y_i
$$
"""


def test_seed_002_chain_checks():
    r = check(SEED_002, fmt="md")
    assert r.K == "N"
    assert [s.status for s in r.steps] == ["definition"] + ["ok"] * 6 + ["definition", "ok"]
    conds = [s.conditions for s in r.steps if s.conditions]
    assert ("i != j",) in conds and ("i = j",) in conds


def test_seed_004_result_checks():
    r = check(SEED_004, fmt="md")
    statuses = {(s.lhs, s.status) for s in r.steps}
    assert (r"\frac{\partial e}{\partial x_i}", "ok") in statuses
    # e = crossEntropy(s, y) = -\sum ...: the function-style name is read as another name of e
    assert any(s.status == "definition" and "crossEntropy" in s.lhs for s in r.steps)
    assert not any(s.status == "wrong" for s in r.steps)
