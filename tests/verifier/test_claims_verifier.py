"""Claims of the verifier's kinds (issue 18) through the real `derive check` path, each with its truth computed
here independently of derive: index claims by brute force (tests/verifier/fuzz.py: every K from 2 to 12, every
index pattern, exact fractions), numbers by mpmath at 700 digits. 0 false "ok", 0 false "wrong".

Kinds: dependent limits (triangular and banded sums, sum_{j != i}, sum_{j=i+1}^{K}, an inner limit equal to the
outer index, swaps of summation order), nested deltas with ranges, closed forms, sizes an adversary would
pick, decimals to the places written and \\approx, conditions on real variables."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import mpmath
import pytest
import sympy as sp
from check.test_claims import Claim as TableClaim
from sympy import KroneckerDelta as d
from verifier.fuzz import BOUND, Case, K, truth

from derive.checker.command import check

i, j = (sp.Symbol(n, integer=True, positive=True) for n in "ij")
k, m, n = BOUND
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")
X = sp.IndexedBase("X")
S = sp.Sum
mp = mpmath.mp


@dataclass(frozen=True)
class Claim(TableClaim):
    truth: object = None           # ("sums", lhs, rhs, conditions) or a function -> bool, or None


def claim(group: str, math: str, verdict, truth=None, reason: str = "") -> Claim:
    return Claim(group, math, verdict, reason=reason, truth=truth)


def sums(lhs, rhs, *conditions):
    return ("sums", lhs, rhs, conditions)


def rounds(value, written: str):
    """True when mpmath's value (at 700 digits) lies within half a unit of the last place written."""
    def t():
        with mpmath.workdps(700):
            places = len(written.split(".")[1]) if "." in written else 0
            return abs(value() - mpmath.mpf(written)) <= mpmath.mpf(10) ** -places / 2
    return t


def at(f, point):
    """True when the identity f(x) holds at the point (mpmath, 700 digits)."""
    def t():
        with mpmath.workdps(700):
            return abs(f(mpmath.mpf(point))) < mpmath.mpf(10) ** -600
    return t


DEPENDENT, CLOSED, SAMPLING, WRITTEN, CONDITIONS = "dependent limits", "closed forms", "sampling", "written", "conditions"
TRI = S(S(1, (m, 1, k)), (k, 1, K))
P9 = sp.Mul(*[K - c for c in (2, 3, 4, 5, 6, 7, 8, 9, 16)])

CLAIMS = [
    # -- an inner limit that names the outer index, triangular and banded sums, swaps ------------------------
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} 1 = \frac{K(K+1)}{2}", "ok", sums(TRI, K * (K + 1) / 2), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} 1 = K^2", "wrong", sums(TRI, K ** 2)),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} x_{ij} = \sum_{j=1}^{K}\sum_{i=j}^{K} x_{ij}", "ok",
          sums(S(S(X[k, m], (m, 1, k)), (k, 1, K)), S(S(X[k, m], (k, m, K)), (m, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} x_{ij} = \sum_{j=1}^{K}\sum_{i=1}^{j} x_{ij}", "wrong",
          sums(S(S(X[k, m], (m, 1, k)), (k, 1, K)), S(S(X[k, m], (k, 1, m)), (m, 1, K)))),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=i+1}^{K} x_{ij} = \sum_{j=1}^{K}\sum_{i=1}^{j-1} x_{ij}", "ok",
          sums(S(S(X[k, m], (m, k + 1, K)), (k, 1, K)), S(S(X[k, m], (k, 1, m - 1)), (m, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=i+1}^{K} x_{ij} = \sum_{j=1}^{K}\sum_{i=1}^{j} x_{ij}", "wrong",
          sums(S(S(X[k, m], (m, k + 1, K)), (k, 1, K)), S(S(X[k, m], (k, 1, m)), (m, 1, K)))),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=i}^{K} x_{ij} = \sum_{j=1}^{K}\sum_{i=1}^{j} x_{ij}", "ok",
          sums(S(S(X[k, m], (m, k, K)), (k, 1, K)), S(S(X[k, m], (k, 1, m)), (m, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{K} x_{ij} = \sum_{j=1}^{K}\sum_{i=1}^{K} x_{ij}", "ok",
          sums(S(S(X[k, m], (m, 1, K)), (k, 1, K)), S(S(X[k, m], (k, 1, K)), (m, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{K} x_{ij} = \sum_{i=1}^{K}\sum_{j=1}^{K} x_{ji}", "ok",
          sums(S(S(X[k, m], (m, 1, K)), (k, 1, K)), S(S(X[m, k], (m, 1, K)), (k, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=i+1}^{K} 1 = \frac{K(K-1)}{2}", "ok",
          sums(S(S(1, (m, k + 1, K)), (k, 1, K)), K * (K - 1) / 2), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=i}^{K} 1 = \frac{K(K-1)}{2}", "wrong",
          sums(S(S(1, (m, k, K)), (k, 1, K)), K * (K - 1) / 2)),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i-1} 1 = \frac{K(K-1)}{2}", "ok",
          sums(S(S(1, (m, 1, k - 1)), (k, 1, K)), K * (K - 1) / 2), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i}\sum_{k=1}^{j} 1 = \frac{K(K+1)(K+2)}{6}", "ok",
          sums(S(S(S(1, (n, 1, m)), (m, 1, k)), (k, 1, K)), K * (K + 1) * (K + 2) / 6), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i}\sum_{k=1}^{j} 1 = \frac{K(K+1)(K+2)}{3}", "wrong",
          sums(S(S(S(1, (n, 1, m)), (m, 1, k)), (k, 1, K)), K * (K + 1) * (K + 2) / 3)),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} x_i y_j = \sum_{j=1}^{K} y_j \sum_{i=j}^{K} x_i", "ok",
          sums(S(S(x[k] * y[m], (m, 1, k)), (k, 1, K)), S(y[m] * S(x[k], (k, m, K)), (m, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} x_i y_j = \sum_{j=1}^{K} y_j \sum_{i=1}^{j} x_i", "wrong",
          sums(S(S(x[k] * y[m], (m, 1, k)), (k, 1, K)), S(y[m] * S(x[k], (k, 1, m)), (m, 1, K)))),
    claim(DEPENDENT, r"\sum_{j=i+1}^{K} 1 = K - i", "ok", sums(S(1, (m, i + 1, K)), K - i), "proved"),
    claim(DEPENDENT, r"\sum_{j=i}^{K} 1 = K - i", "wrong", sums(S(1, (m, i, K)), K - i)),
    claim(DEPENDENT, r"\sum_{j=i}^{K} x_j = x_i + \sum_{j=i+1}^{K} x_j", "ok",
          sums(S(x[m], (m, i, K)), x[i] + S(x[m], (m, i + 1, K)))),
    claim(DEPENDENT, r"\sum_{j=i}^{K} x_j = x_i + \sum_{j=i}^{K} x_j", "wrong",
          sums(S(x[m], (m, i, K)), x[i] + S(x[m], (m, i, K)))),
    claim(DEPENDENT, r"\sum_{k=1}^{i} x_k + \sum_{k=i+1}^{K} x_k = \sum_{k=1}^{K} x_k", "ok",
          sums(S(x[k], (k, 1, i)) + S(x[k], (k, i + 1, K)), S(x[k], (k, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{k=1}^{i} x_k + \sum_{k=i}^{K} x_k = \sum_{k=1}^{K} x_k", "wrong",
          sums(S(x[k], (k, 1, i)) + S(x[k], (k, i, K)), S(x[k], (k, 1, K)))),
    claim(DEPENDENT, r"\sum_{j \neq i} x_j = \sum_{j=1}^{K} x_j - x_i", "ok",
          sums(S(x[m] * (1 - d(m, i)), (m, 1, K)), S(x[m], (m, 1, K)) - x[i]), "proved"),
    claim(DEPENDENT, r"\sum_{j \neq i} x_j = \sum_{j=1}^{K} x_j", "wrong",
          sums(S(x[m] * (1 - d(m, i)), (m, 1, K)), S(x[m], (m, 1, K)))),
    claim(DEPENDENT, r"\sum_{j \neq i} 1 = K - 1", "ok", sums(S(1 - d(m, i), (m, 1, K)), K - 1), "proved"),
    claim(DEPENDENT, r"\sum_{j \neq i} 1 = K", "wrong", sums(S(1 - d(m, i), (m, 1, K)), K)),
    claim(DEPENDENT, r"\sum_{k \neq i} \delta_{kj} = 1 - \delta_{ij}", "ok",
          sums(S((1 - d(k, i)) * d(k, j), (k, 1, K)), 1 - d(i, j)), "proved"),
    claim(DEPENDENT, r"\sum_{k \neq i} \delta_{kj} = 1", "wrong", sums(S((1 - d(k, i)) * d(k, j), (k, 1, K)), 1)),
    # a partial sum says nothing of a free index's range: the delta contracts only inside it
    claim(DEPENDENT, r"\sum_{k=1}^{i} x_k \delta_{kj} = x_j", "wrong", sums(S(x[k] * d(k, j), (k, 1, i)), x[j])),
    claim(DEPENDENT, r"\sum_{k=i}^{K} x_k \delta_{kj} = x_j", "wrong", sums(S(x[k] * d(k, j), (k, i, K)), x[j])),
    claim(DEPENDENT, r"\sum_{k=1}^{i} \delta_{kj} = 1", "wrong", sums(S(d(k, j), (k, 1, i)), 1)),
    claim(DEPENDENT, r"\sum_{k=1}^{i} x_k \delta_{kj} = x_j \delta_{ij} \quad (i = j)", "ok",
          sums(S(x[k] * d(k, j), (k, 1, i)), x[j] * d(i, j), sp.Eq(i, j)), "proved"),
    claim(DEPENDENT, r"\sum_{k=1}^{i} x_k \delta_{kj} = 0 \quad (i = j)", "wrong",
          sums(S(x[k] * d(k, j), (k, 1, i)), 0, sp.Eq(i, j))),
    # nested deltas with ranges
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i} \delta_{ij} x_j = \sum_{i=1}^{K} x_i", "ok",
          sums(S(S(d(k, m) * x[m], (m, 1, k)), (k, 1, K)), S(x[k], (k, 1, K))), "proved"),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i-1} \delta_{ij} x_j = \sum_{i=1}^{K} x_i", "wrong",
          sums(S(S(d(k, m) * x[m], (m, 1, k - 1)), (k, 1, K)), S(x[k], (k, 1, K)))),
    claim(DEPENDENT, r"\sum_{i=1}^{K}\sum_{j=1}^{i-1} \delta_{ij} = 0", "ok",
          sums(S(S(d(k, m), (m, 1, k - 1)), (k, 1, K)), 0), "proved"),
    claim(DEPENDENT, r"\sum_{k=1}^{K}\sum_{m=1}^{k} \delta_{mj} = K - j + 1", "ok",
          sums(S(S(d(m, j), (m, 1, k)), (k, 1, K)), K - j + 1), "proved"),
    claim(DEPENDENT, r"\sum_{k=1}^{K}\sum_{m=1}^{k} \delta_{mj} = K - j", "wrong",
          sums(S(S(d(m, j), (m, 1, k)), (k, 1, K)), K - j)),
    claim(DEPENDENT, r"\sum_{k=1}^{K}\sum_{m=k}^{K} \delta_{mj} = j", "ok", sums(S(S(d(m, j), (m, k, K)), (k, 1, K)), j), "proved"),
    claim(DEPENDENT, r"\sum_{k=1}^{K}\sum_{m=1}^{k} \delta_{mj} x_m = (K - j + 1) x_j", "ok",
          sums(S(S(d(m, j) * x[m], (m, 1, k)), (k, 1, K)), (K - j + 1) * x[j]), "proved"),
    claim(DEPENDENT, r"\sum_{k=1}^{K}\sum_{m=1}^{k} \delta_{mj} x_m = K x_j", "wrong",
          sums(S(S(d(m, j) * x[m], (m, 1, k)), (k, 1, K)), K * x[j])),
    claim(DEPENDENT, r"\sum_{k=2}^{K} \delta_{kj} y_k = y_j \quad (j \neq 1)", "ok",
          sums(S(d(k, j) * y[k], (k, 2, K)), y[j], sp.Ne(j, 1))),
    claim(DEPENDENT, r"\sum_{k=2}^{K} \delta_{kj} y_k = y_j", "wrong", sums(S(d(k, j) * y[k], (k, 2, K)), y[j])),

    # -- closed forms: polynomial and geometric sums, empty ranges ----------------------------------------------
    claim(CLOSED, r"\sum_{k=1}^{K} k^2 = \frac{K(K+1)(2K+1)}{6}", "ok", sums(S(k ** 2, (k, 1, K)), K * (K + 1) * (2 * K + 1) / 6), "proved"),
    claim(CLOSED, r"\sum_{k=1}^{K} k^2 = \frac{K(K+1)(2K-1)}{6}", "wrong", sums(S(k ** 2, (k, 1, K)), K * (K + 1) * (2 * K - 1) / 6)),
    claim(CLOSED, r"\sum_{k=1}^{K} k^3 = \left(\frac{K(K+1)}{2}\right)^2", "ok", sums(S(k ** 3, (k, 1, K)), (K * (K + 1) / 2) ** 2), "proved"),
    claim(CLOSED, r"\sum_{k=1}^{K} k^3 = \frac{K^2(K+1)}{2}", "wrong", sums(S(k ** 3, (k, 1, K)), K ** 2 * (K + 1) / 2)),
    claim(CLOSED, r"\sum_{k=1}^{K} (2k - 1) = K^2", "ok", sums(S(2 * k - 1, (k, 1, K)), K ** 2), "proved"),
    claim(CLOSED, r"\sum_{k=1}^{K} (2k + 1) = K^2", "wrong", sums(S(2 * k + 1, (k, 1, K)), K ** 2)),
    claim(CLOSED, r"\sum_{k=1}^{K} 2^k = 2^{K+1} - 2", "ok", sums(S(2 ** k, (k, 1, K)), 2 ** (K + 1) - 2), "proved"),
    claim(CLOSED, r"\sum_{k=0}^{K} 2^k = 2^{K+1} - 2", "wrong", sums(S(2 ** k, (k, 0, K)), 2 ** (K + 1) - 2)),
    claim(CLOSED, r"\sum_{k=0}^{K-1} 3^k = \frac{3^{K} - 1}{2}", "ok", sums(S(3 ** k, (k, 0, K - 1)), (3 ** K - 1) / 2), "proved"),
    claim(CLOSED, r"\sum_{k=1}^{i} k = \frac{i(i+1)}{2}", "ok", sums(S(k, (k, 1, i)), i * (i + 1) / 2), "proved"),
    claim(CLOSED, r"\sum_{k=1}^{i} k = \frac{i(i-1)}{2}", "wrong", sums(S(k, (k, 1, i)), i * (i - 1) / 2)),
    claim(CLOSED, r"\sum_{k=2}^{K} 1 = K - 1", "ok", sums(S(1, (k, 2, K)), K - 1), "proved"),
    claim(CLOSED, r"\sum_{k=5}^{K} 1 = K - 4", "wrong", sums(S(1, (k, 5, K)), K - 4)),   # empty, not -2, at K = 2
    claim(CLOSED, r"\sum_{k=1}^{K} \sum_{j=1}^{K} k j = \frac{K^2 (K+1)^2}{4}", "ok",
          sums(S(S(k * m, (m, 1, K)), (k, 1, K)), K ** 2 * (K + 1) ** 2 / 4), "proved"),
    claim(CLOSED, r"\sum_{i=1}^{K}\sum_{j=1}^{i} j = \frac{K(K+1)(K+2)}{6}", "ok",
          sums(S(S(m, (m, 1, k)), (k, 1, K)), K * (K + 1) * (K + 2) / 6), "proved"),

    # -- sizes an adversary would pick: the numeric test's sizes are drawn per claim, beyond 16 -------------------
    claim(SAMPLING, r"\sum_{k=1}^{K} k = \frac{K(K+1)}{2} + (K-2)(K-3)(K-4)(K-5)(K-6)(K-7)(K-8)(K-9)(K-16)", "wrong",
          sums(S(k, (k, 1, K)), K * (K + 1) / 2 + P9)),
    claim(SAMPLING, r"\sum_{k=1}^{K} x_k = \sum_{k=1}^{K} x_k + (K-2)(K-3)(K-4)(K-5)(K-6)(K-7)(K-8)(K-9)(K-16) x_1", "wrong",
          sums(S(x[k], (k, 1, K)), S(x[k], (k, 1, K)) + P9 * x[1])),
    claim(SAMPLING, r"\sum_{k=1}^{K} \delta_{k1} = 1 + (K-2)(K-3)(K-4)(K-5)(K-6)(K-7)(K-8)(K-9)(K-16)", "wrong",
          sums(S(d(k, 1), (k, 1, K)), 1 + P9)),
    claim(SAMPLING, r"\sum_{k=1}^{K} y_k \delta_{kj} = y_j + (K-2)(K-3)(K-4)(K-5) y_j", "wrong",
          sums(S(y[k] * d(k, j), (k, 1, K)), y[j] + (K - 2) * (K - 3) * (K - 4) * (K - 5) * y[j])),
    claim(SAMPLING, r"\sum_{k=1}^{K} x_k = \sum_{k=1}^{K} x_k + (K-2)(K-3)(K-4)(K-5)(K-11)(K-12)(K-13)(K-14)(K-15) x_1", "wrong",
          sums(S(x[k], (k, 1, K)), S(x[k], (k, 1, K)) + (K - 2) * (K - 3) * (K - 4) * (K - 5)
               * sp.Mul(*[K - c for c in range(11, 16)]) * x[1])),
    claim(SAMPLING, r"\sum_{k=1}^{K} k (K - 2) = \frac{K(K+1)(K-2)}{2}", "ok", sums(S(k * (K - 2), (k, 1, K)), K * (K + 1) * (K - 2) / 2)),

    # -- a decimal means what it says to the places written; \approx likewise -----------------------------------
    claim(WRITTEN, r"-\log(0.245) = 1.406", "ok", rounds(lambda: -mpmath.log(mpmath.mpf("0.245")), "1.406"), "3 decimals written"),
    claim(WRITTEN, r"-\log(0.245) = 1.407", "wrong", rounds(lambda: -mpmath.log(mpmath.mpf("0.245")), "1.407")),
    claim(WRITTEN, r"-\log(0.245) \approx 1.41", "ok", rounds(lambda: -mpmath.log(mpmath.mpf("0.245")), "1.41")),
    claim(WRITTEN, r"e \approx 2.718", "ok", rounds(lambda: mpmath.e, "2.718")),
    claim(WRITTEN, r"e \approx 2.719", "wrong", rounds(lambda: mpmath.e, "2.719")),
    claim(WRITTEN, r"\sqrt{2} = 1.4142", "ok", rounds(lambda: mpmath.sqrt(2), "1.4142")),
    claim(WRITTEN, r"\sqrt{2} = 1.4143", "wrong", rounds(lambda: mpmath.sqrt(2), "1.4143")),
    claim(WRITTEN, r"\frac{1}{7} = 0.142857", "ok", rounds(lambda: mpmath.mpf(1) / 7, "0.142857")),
    claim(WRITTEN, r"\frac{1}{7} = 0.142858", "wrong", rounds(lambda: mpmath.mpf(1) / 7, "0.142858")),
    claim(WRITTEN, r"\sigma(2) \approx 0.8808", "ok", rounds(lambda: 1 / (1 + mpmath.exp(-2)), "0.8808")),
    claim(WRITTEN, r"\sigma(2) = 0.88", "ok", rounds(lambda: 1 / (1 + mpmath.exp(-2)), "0.88")),
    claim(WRITTEN, r"\sigma(2) = 0.89", "wrong", rounds(lambda: 1 / (1 + mpmath.exp(-2)), "0.89")),
    claim(WRITTEN, r"e^{-1} \approx 0.37", "ok", rounds(lambda: mpmath.exp(-1), "0.37")),
    claim(WRITTEN, r"e^{-1} \approx 0.36", "wrong", rounds(lambda: mpmath.exp(-1), "0.36")),
    claim(WRITTEN, r"\pi \approx 3.14", "ok", rounds(lambda: mpmath.pi, "3.14")),
    claim(WRITTEN, r"\pi \approx 3.15", "wrong", rounds(lambda: mpmath.pi, "3.15")),
    claim(WRITTEN, r"\log 10 = 2.302585", "ok", rounds(lambda: mpmath.log(10), "2.302585")),
    claim(WRITTEN, r"-\log \frac{e^{2}}{e^{2} + e^{1} + e^{0}} = 0.4076", "ok",
          rounds(lambda: -mpmath.log(mpmath.exp(2) / (mpmath.exp(2) + mpmath.exp(1) + 1)), "0.4076")),
    claim(WRITTEN, r"-\log \frac{e^{2}}{e^{2} + e^{1} + e^{0}} = 0.4077", "wrong",
          rounds(lambda: -mpmath.log(mpmath.exp(2) / (mpmath.exp(2) + mpmath.exp(1) + 1)), "0.4077")),
    claim(WRITTEN, r"e^{-100} \approx 0", "ok", rounds(lambda: mpmath.exp(-100), "0")),
    claim(WRITTEN, r"e^{-100} = 0", "wrong", lambda: mpmath.exp(-100) == 0),   # an integer is exact
    claim(WRITTEN, r"0.1 + 0.2 = 0.3", "ok", lambda: True, "proved"),
    claim(WRITTEN, r"x \approx x + 0.001", "unverified", reason="judged against a number"),
    claim(WRITTEN, "\n".join([r"$$ L = -\log 0.2 $$", r"$$ L \approx 1.609 $$"]), ("definition", "ok"),
          rounds(lambda: -mpmath.log(mpmath.mpf("0.2")), "1.609")),

    # -- conditions on real variables govern the step --------------------------------------------------------
    claim(CONDITIONS, r"x^2 = 9 \quad (x = 3)", "ok", at(lambda v: v ** 2 - 9, 3)),
    claim(CONDITIONS, r"x^2 = 8 \quad (x = 3)", "wrong", at(lambda v: v ** 2 - 8, 3)),
    claim(CONDITIONS, r"x + 1 = 4 \quad (x = 3)", "ok", at(lambda v: v + 1 - 4, 3)),
    claim(CONDITIONS, r"\sigma(x) = \frac{1}{2} \quad (x = 0)", "ok", at(lambda v: 1 / (1 + mpmath.exp(-v)) - mpmath.mpf(1) / 2, 0)),
    claim(CONDITIONS, r"x^2 = 9 \quad (x \neq 3)", "wrong", at(lambda v: v ** 2 - 9, 2)),   # false at x = 2 != 3
    claim(CONDITIONS, r"2 y = 6 \quad (x = 2)", "wrong", at(lambda v: 2 * v - 6, 0)),   # a condition on another letter
    # an assumption that cannot be read governs the steps naming its letter: judged without it, a false "wrong"
    claim(CONDITIONS, "\n".join(["<!-- derive: assume x < 0 -->", r"$$ \sqrt{x^2} = -x $$", r"$$ y + y = 2 y $$"]),
          ("unverified", "unverified", "ok"), reason="proved"),
]


def _param(c: Claim):
    return pytest.param(c, id=f"{c.group}: {c.math.splitlines()[-1][:70]}")


def independent_truth(c: Claim):
    """True / False from brute force or mpmath (never from derive); None when the claim has none."""
    if c.truth is None:
        return None
    if isinstance(c.truth, tuple):
        _, lhs, rhs, conditions = c.truth
        return truth(Case("claim", "", sp.sympify(lhs), sp.sympify(rhs), conditions))[0]
    return bool(c.truth())


@pytest.mark.parametrize("claim", [_param(c) for c in CLAIMS])
def test_claim(claim: Claim):
    result = check(claim.document, fmt="md")
    got = tuple(s.status for s in result.steps)
    want = claim.expected
    detail = "; ".join(f"{s.status}: {s.reason}" for s in result.steps)
    false_ok = [g for g, w in zip(got, want) if g == "ok" and w != "ok"]
    false_wrong = [g for g, w in zip(got, want) if g == "wrong" and w != "wrong"]
    assert not false_ok, f"false ok: {detail}"
    assert not false_wrong, f"false wrong: {detail}"
    assert got == want, detail
    if claim.reason:
        assert claim.reason in result.steps[-1].reason, detail


@pytest.mark.parametrize("claim", [_param(c) for c in CLAIMS if c.truth is not None])
def test_the_expected_verdict_is_the_truth(claim: Claim):
    true = independent_truth(claim)
    last = claim.expected[-1]
    assert last in ("ok", "wrong"), "a claim with a truth expects a definite verdict"
    assert true is (last == "ok"), f"expected {last} but the claim is {'true' if true else 'false'}"


def test_the_table_covers_every_kind():
    assert len(CLAIMS) >= 80
    groups = Counter(c.group for c in CLAIMS)
    assert set(groups) == {DEPENDENT, CLOSED, SAMPLING, WRITTEN, CONDITIONS} and min(groups.values()) >= 5
    kinds = Counter(c.expected[-1] for c in CLAIMS)
    assert kinds["ok"] >= 30 and kinds["wrong"] >= 30
