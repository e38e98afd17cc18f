"""The notation the reader reads, judged through `derive check`: true claims ok, false ones wrong, the
unreadable ones unverified naming the construct (never a false "ok" or "wrong")."""
from __future__ import annotations

import pytest

from derive.checker.command import check

F = r"$$ f(x) = x^2 + 1 $$"

# (document or one $$ block, the status of each step, a piece of the last step's reason)
CLAIMS = [
    # a function the document defines: applied, and differentiated with a prime
    (F + "\n$$ f(2) = 5 $$", ("definition", "ok"), ""),
    (F + "\n$$ f(2) = 6 $$", ("definition", "wrong"), ""),
    (F + "\n$$ f'(x) = 2x $$", ("definition", "ok"), ""),
    (F + "\n$$ f'(x) = x $$", ("definition", "wrong"), ""),
    (F + "\n$$ f'(2) = 4 $$", ("definition", "ok"), ""),
    (F + "\n$$ f'(2) = 2 $$", ("definition", "wrong"), ""),
    (F + "\n$$ f(1) + f(0) = 3 $$", ("definition", "ok"), ""),
    (F + "\n$$ f''(x) = 2 $$", ("definition", "ok"), ""),
    (r"$$ g(u, v) = u v + 1 $$" + "\n$$ g(2, 3) = 7 $$", ("definition", "ok"), ""),
    (r"$$ g(u, v) = u v + 1 $$" + "\n$$ g(2, 3) = 6 $$", ("definition", "wrong"), ""),
    # without a definition: a call is unverified, never a product of letters
    ("f(2) = 5", "unverified", "f(2): the function f at 2, or f times 2?"),
    ("f'(x) = 2x", "unverified", "the derivative of a function f that is never defined"),
    (r"\frac{\partial}{\partial a} \operatorname{CE}(y, a) = 0", "unverified", "CE, which is never defined"),
    (r"\operatorname{CE}(y, 2) = 0", "unverified", "the function CE is never defined (define CE)"),
    (r"\mathrm{KL}(p\|q) = \sum_i p_i \log \frac{p_i}{q_i}", "unverified", r"\mathrm{KL}(p\|q): the function KL"),
    (r"KL(p, 2) = 0", "unverified", "the function KL is never defined"),
    (r"x \, KL(p, 2) = 0", "unverified", "the function KL is never defined"),
    (r"E[y|x] = 0", "unverified", "E[y|x]: the function E is never defined"),
    (r"P(a \mid b) = P(b \mid a)", "unverified", "the function P is never defined"),
    # primes on known functions
    (r"\sigma'(x) = \sigma(x)(1 - \sigma(x))", "ok", ""),
    (r"\sigma'(x) = \sigma(x)(1 + \sigma(x))", "wrong", ""),
    (r"\tanh'(x) = 1 - \tanh^2 x", "ok", ""),
    (r"\tanh'(x) = 1 + \tanh^2 x", "wrong", ""),
    (r"\log'(x) = \frac{1}{x}", "ok", ""),
    (r"(\cdot)' = 1", "unverified", "a derivative written with a prime"),
    # bars
    (r"|x|^2 = x^2", "ok", ""),
    (r"|x| = x", "wrong", ""),
    (r"|x y| = |x| |y|", "ok", ""),
    (r"|x + y| = |x| + |y|", "wrong", ""),
    (r"\left| -x \right| = |x|", "ok", ""),
    (r"\|\mathbf{v}\|^2 = \sum_i v_i^2", "ok", ""),
    (r"\|\mathbf{v}\|^2 = \sum_i v_i", "wrong", ""),
    (r"\left. x^2 + 1 \right|_{x=2} = 5", "ok", ""),
    (r"\left. x^2 + 1 \right|_{x=2} = 4", "wrong", ""),
    # operators, logarithms, differentials
    (r"x \cdot -x = -x^2", "ok", ""),
    (r"x \cdot -x = x^2", "wrong", ""),
    (r"p \odot q = q \odot p", "ok", ""),
    (r"\log_2 8 = 3", "ok", ""),
    (r"\log_2 x = \frac{\log x}{\log 2}", "ok", ""),
    (r"\log_2 x = \log x", "wrong", ""),
    (r"\frac{\mathrm{d}\,\tanh x}{\mathrm{d}x} = 1 - \tanh^2 x", "ok", ""),
    (r"\frac{\mathrm{d}\,\tanh x}{\mathrm{d}x} = 1 + \tanh^2 x", "wrong", ""),
    # names
    (r"batch\_size \cdot 2 = 2 \, batch\_size", "ok", ""),
    (r"batch\_size + batch\_size = batch\_size", "wrong", ""),
    (r"\varsigma + \varsigma = 2 \varsigma", "ok", ""),
    # sums
    (r"\sum_{j=1, j \neq c}^{K} a_j = \sum_{j=1}^{K} a_j - a_c", "ok", ""),
    (r"\sum_{j=1, j \neq c}^{K} a_j = \sum_{j=1}^{K} a_j", "wrong", ""),
    # what is not read says so
    (r"\sigma(z)_i = \frac{e^{z_i}}{\sum_k e^{z_k}}", "unverified", "(z)_...: a subscript on an expression"),
    (r"\mathbf{1}^\top \mathbf{a} = 1", "unverified", r"\mathbf{1}: the vector of ones"),
    (r"\mathbf{a} \odot \mathbf{b} = \mathbf{b} \odot \mathbf{a}", "unverified", r"\odot of vectors"),
]


def _doc(math: str) -> str:
    return math + "\n" if "$$" in math else f"$$ {math} $$\n"


@pytest.mark.parametrize("math,verdict,reason", CLAIMS, ids=[c[0] for c in CLAIMS])
def test_claim(math, verdict, reason):
    r = check(_doc(math), fmt="md")
    got = tuple(s.status for s in r.steps)
    want = verdict if isinstance(verdict, tuple) else (verdict,)
    detail = "; ".join(f"{s.status}: {s.reason}" for s in r.steps)
    assert not [n for n, (g, w) in enumerate(zip(got, want)) if g in ("ok", "wrong") and g != w], detail
    assert got == want, detail
    assert reason in r.steps[-1].reason
    assert "\\\\" not in r.steps[-1].reason   # the user's LaTeX as written
