"""Short claims with the verdict a careful reader gives them (issue 9), through the real `derive check`
path: a small Markdown document per claim. The table must hold with 0 false "ok" and 0 false "wrong".

Groups: false-ok kinds (wrong claims a careless checker passes), false-wrong kinds (right claims a
careless checker flags), reading (what the grammar makes of the notation), domains, general K, bounds.
A verdict is the status of every step of the document, in order ("definition" included)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from derive.checker.command import check

SOFTMAX = r"<!-- derive: define a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}} -->"
POSITIVE = "<!-- derive: assume x > 0 -->"
LOGISTIC = "\n".join([r"$$ a^{(i)} = \sigma(z^{(i)}) $$",
                      r"$$ \mathcal{L}^{(i)}=-\left[y^{(i)}\log a^{(i)}+(1-y^{(i)})\log(1-a^{(i)})\right] $$",
                      r"$$ J=\frac{1}{m}\sum_{i=1}^m\mathcal{L}^{(i)} $$"])
SIGMA_I = r"$$ \sigma_i(z) = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}} $$"


@dataclass(frozen=True)
class Claim:
    group: str
    math: str                      # the math of one $$ block, or a whole document (holding $$)
    verdict: str | tuple           # the status of each step of the document
    K: str | None = None
    reason: str = ""               # a piece of the reason the (last) step gives

    @property
    def document(self) -> str:
        return self.math if "$$" in self.math else f"$$ {self.math} $$\n"

    @property
    def expected(self) -> tuple:
        return self.verdict if isinstance(self.verdict, tuple) else (self.verdict,)


def doc(*lines: str) -> str:
    return "\n".join(lines) + "\n"


FALSE_OK = "false-ok"        # wrong claims that a careless checker passes
FALSE_WRONG = "false-wrong"  # right claims that a careless checker flags
READING, DOMAINS, GENERAL_K, BOUNDS = "reading", "domains", "general-K", "bounds"

CLAIMS = [
    # -- false "ok": saturation, tiny differences, domains, dropped equations, misread conditions ----------
    Claim(FALSE_OK, r"\sigma(100) = 1", "wrong"),
    Claim(FALSE_OK, r"\sigma(-100) = 0", "wrong"),
    Claim(FALSE_OK, r"e^{-100} = 0", "wrong"),
    Claim(FALSE_OK, r"\log(1 + e^{-80}) = 0", "wrong"),
    Claim(FALSE_OK, r"1 = 1 + 10^{-31}", "wrong"),
    Claim(FALSE_OK, r"x + 10^{-35} = x", "wrong"),
    Claim(FALSE_OK, r"10^{-40} x = 0", "wrong"),
    Claim(FALSE_OK, r"2^{100} = 1267650600228229401496703205377", "wrong"),
    Claim(FALSE_OK, r"(1 + 10^{-20})^{2} = 1 + 2 \cdot 10^{-20}", "wrong"),
    # a decimal means what it says to the places written (issue 18): e rounds to these 39 decimals, not to 40 others
    Claim(FALSE_OK, r"2.718281828459045235360287471352662497757 = e", "ok", reason="39 decimals written"),
    Claim(FALSE_OK, r"2.7182818284590452353602874713526624977573 = e", "wrong", reason="does not round"),
    Claim(FALSE_OK, r"(x^2)^{1/2} = x", "wrong"),
    Claim(FALSE_OK, r"\sqrt{x^2} = x", "wrong"),
    Claim(FALSE_OK, r"\log(x^2) = 2 \log x", "wrong"),
    Claim(FALSE_OK, r"a_i = a_i, \quad x + x = 3x", ("ok", "wrong")),
    Claim(FALSE_OK, r"a_i = a_i, \quad u = v", ("unverified", "definition")),   # u = v defines u; then a is undefined
    Claim(FALSE_OK, r"\delta_{ij} = 1 \quad \text{unless } i = j", "wrong"),
    Claim(FALSE_OK, r"\delta_{ij} = 0 \quad \text{except when } i = j", "ok"),
    Claim(FALSE_OK, r"\delta_{ij} = 0 \quad (k \neq j)", "wrong"),
    Claim(FALSE_OK, r"y_i \delta_{i,17} = 0", "wrong", K="50"),
    Claim(FALSE_OK, r"\sum_{k=1}^{K} \delta_{k9} = 0", "wrong"),
    Claim(FALSE_OK, r"\delta_{ij}\delta_{jk} = \delta_{ik}", "wrong"),
    Claim(FALSE_OK, r"\sum_{j=1}^{K} \delta_{ij} a_j = a_j", "wrong"),
    Claim(FALSE_OK, doc(POSITIVE, r"$$ \log 2x = 2 \log x $$"), "wrong"),
    Claim(FALSE_OK, r"2^{10} = 1000", "wrong"),
    Claim(FALSE_OK, r"\frac{1}{3} = 0.333", "ok", reason="3 decimals written"),
    Claim(FALSE_OK, r"\frac{1}{3} = 0.334", "wrong", reason="does not round"),
    Claim(FALSE_OK, r"\pi = \frac{355}{113}", "wrong"),
    Claim(FALSE_OK, r"\frac{e^{z_i}}{\sum_k e^{z_k}} = e^{z_i}", "wrong"),
    Claim(FALSE_OK, doc(SOFTMAX, r"$$ \frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_i) $$"), "wrong"),
    Claim(FALSE_OK, r"\sin 2x = 2 \sin x", "wrong"),
    # a subscripted sigma is the softmax entry of the text (Wichmann's notes), not the sigmoid
    Claim(FALSE_OK, doc(SIGMA_I, r"$$ \frac{\partial\sigma_i(z)}{\partial z_j} = \sigma_i(z)\left(\delta_{ij}-\sigma_i(z)\right) $$"),
          ("definition", "wrong"), K="K"),
    Claim(FALSE_OK, doc(SIGMA_I, r"$$ \log\sigma_c(z) \sigma_c(z) = \log \sigma_c(z) + \log \sigma_c(z) $$"), ("definition", "wrong"), K="K"),

    # -- false "wrong": conditions, the argument of log, division, cancellation, names -----------------
    Claim(FALSE_WRONG, r"\delta_{ij} = 0 \quad (i \neq j)", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 0 \quad \forall i \neq j", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 0 \; (i \neq j).", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 0, \quad i \ne j", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 1 \quad \text{if } i = j", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 0 \quad \text{when $i \neq j$}", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 0 \quad \text{当 } i \neq j \text{ 时}", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = 1 \quad \text{除非 } i \neq j", "ok"),
    Claim(FALSE_WRONG, r"\delta_{ij} = \begin{cases} 1 & i = j \\ 0 & \text{otherwise} \end{cases}", ("ok", "ok")),
    Claim(FALSE_WRONG, r"\delta_{i1} = 1 \quad (i = 1)", "ok"),
    Claim(FALSE_WRONG, doc(POSITIVE, "<!-- derive: assume y > 0 -->",
                           r"$$ \log xy = \log x + \log y $$"), "ok"),
    Claim(FALSE_WRONG, doc(POSITIVE, r"$$ \log 2x = \log 2 + \log x $$"), "ok"),
    Claim(FALSE_WRONG, r"1/2 \cdot x = \frac{x}{2}", "ok"),
    Claim(FALSE_WRONG, r"\frac12 x = \frac{x}{2}", "ok"),
    Claim(FALSE_WRONG, r"(x + 10^{40})^2 - 10^{80} - 2 \cdot 10^{40} x = x^2", "ok",
),
    Claim(FALSE_WRONG, doc(r"<!-- derive: define L_2 = -\sum_k q_k \log p_k -->", r"$$ L_2 = -\sum_{k=1}^{K} q_k \log p_k $$"), "ok"),
    Claim(FALSE_WRONG, doc(r"$$ L_1 = -\sum_k q_k \log p_k $$", r"$$ L_2 = \sum_k (p_k - q_k)^2 $$",
                           r"$$ L_1 + L_2 = \sum_k \left((p_k - q_k)^2 - q_k \log p_k\right) $$"),
          ("definition", "definition", "ok")),
    Claim(FALSE_WRONG, doc(r"$$ \mathcal{L}_{CE} = -\sum_k y_k \log a_k $$",
                           r"$$ \frac{\partial \mathcal{L}_{CE}}{\partial a_j} = -\frac{y_j}{a_j} $$"), ("definition", "ok")),
    Claim(FALSE_WRONG, r"\frac{d}{dx} x^2 = 2x", "ok"),
    Claim(FALSE_WRONG, doc(r"$$ L = -\log \sigma(x) $$", r"$$ \frac{\mathrm{d} L}{\mathrm{d} x} = \sigma(x) - 1 $$"),
          ("definition", "ok")),
    Claim(FALSE_WRONG, r"\sin 2x = 2 \sin x \cos x", "ok"),
    Claim(FALSE_WRONG, r"\sin^2 x + \cos^2 x = 1", "ok"),
    Claim(FALSE_WRONG, r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", "ok"),
    Claim(FALSE_WRONG, r"\frac{d}{dx} \sin x = \cos x", "ok"),
    Claim(FALSE_WRONG, r"\frac{1}{1+e^{-x}} = \sigma(x)", "ok"),
    Claim(FALSE_WRONG, r"\log \sigma(x) = -\log(1 + e^{-x})", "ok"),
    Claim(FALSE_WRONG, r"\frac{x^2 - 1}{x - 1} = x + 1", "ok"),
    Claim(FALSE_WRONG, r"10^{40} + 1 - 10^{40} = 1", "ok"),
    Claim(FALSE_WRONG, doc(SOFTMAX, r"$$ \frac{\partial a_i}{\partial z_j} = -a_i a_j \quad (i \neq j) $$"), "ok"),
    Claim(FALSE_WRONG, doc(SOFTMAX, r"$$ \log \sum_k e^{z_k} - z_i = -\log a_i $$"), "ok"),
    Claim(FALSE_WRONG, r"\frac{\partial}{\partial p_j} \left(-\sum_k q_k \log p_k\right) = -\frac{q_j}{p_j}", "ok"),
    # the text states t_i = delta_ic in running prose before substituting it (Wichmann's notes)
    Claim(FALSE_WRONG, doc(SOFTMAX, r"$$ J = -\sum_{i=1}^{K} t_i \log a_i $$", r"For classification $t_i=\delta_{ic}$, so",
                           r"$$ J = -\log a_c $$"), ("definition", "ok"), K="K"),
    Claim(FALSE_OK, doc(SOFTMAX, r"$$ J = -\sum_{i=1}^{K} t_i \log a_i $$", r"For classification $t_i=\delta_{ic}$, so",
                        r"$$ J = -a_c $$"), ("definition", "wrong"), K="K"),

    # -- reading: what the grammar makes of the notation, and "cannot read" rather than a guess ------------
    Claim(READING, r"\frac12 = 0.5", "ok"),
    # a power after a function's parentheses squares the function's value, as usually meant
    Claim(READING, r"\sigma(x)(1-\sigma(x)) = \sigma(x) - \sigma(x)^2", "ok"),
    Claim(READING, r"\sin(x)^2 + \cos(x)^2 = 1", "ok"),
    Claim(READING, r"\sigma(x)^2 = \sigma(x^2)", "wrong"),
    Claim(READING, r"\frac{1}2 + \frac1x = \frac{x + 2}{2x}", "ok"),
    # a constant's Greek letter before parentheses multiplies (the focal loss's gamma); phi( ) stays a call
    Claim(READING, r"\frac{d}{dx} (1 - x)^{\gamma} = -\gamma (1 - x)^{\gamma - 1}", "ok"),
    Claim(READING, r"\frac{d}{dx} (1 - x)^{\gamma} = \gamma (1 - x)^{\gamma - 1}", "wrong"),
    Claim(READING, r"\lambda (x + 1) = \lambda x + \lambda", "ok"),
    Claim(READING, r"\phi(x + 1) = \phi x + \phi", "unverified", reason="the function phi is never defined"),
    Claim(READING, r"\mu(t) = t \mu", "unverified", reason="the function mu is never defined"),  # mu(t) may be a function
    # a prime on a function we know, at a variable: its derivative there
    Claim(READING, r"\sigma'(x) = \sigma(x)(1 - \sigma(x))", "ok"),
    Claim(READING, r"\sigma'(x) = \sigma(x)^2", "wrong"),
    # a thin space ends a function's argument: \log p \, (1 - p)^g is log(p) times (1 - p)^g
    Claim(READING, r"(1 - p)^{\gamma} \log p = \log p \, (1 - p)^{\gamma}", "ok"),
    Claim(READING, doc(POSITIVE, r"$$ \log x \; (x + 1) = x \log x + \log x $$"), "ok"),
    Claim(READING, doc(POSITIVE, r"$$ \log \, x^2 = 2 \log x $$"), "ok"),
    # symbolic exponents: b^{c + n} = b^c b^n (proved), not b^{c + 1/2} = b^c
    Claim(READING, r"(1 - a)^{\gamma} = (1 - a)^{\gamma - 1} (1 - a)", "ok"),
    Claim(READING, r"(1 - a)^{\gamma + 1} = (1 - a)^{\gamma}", "wrong"),
    Claim(READING, doc(POSITIVE, r"$$ \log x \cdot y = y \log x $$"), "ok"),
    Claim(READING, doc(POSITIVE, r"$$ \log(x) y = y \log x $$"), "ok"),
    Claim(READING, r"\exp z_i y_i = e^{z_i y_i}", "ok"),
    Claim(READING, doc(POSITIVE, r"<!-- derive: assume y > 0 -->", r"$$ \log xy = \log x \cdot y $$"), "wrong"),
    Claim(READING, r"a / b \cdot c = \frac{ac}{b}", "ok"),
    Claim(READING, r"a b / c d = \frac{ab}{cd}", "ok"),
    Claim(READING, r"x + x = 2x, \quad x \cdot x = x^2, \quad x - x = 0", ("ok", "ok", "ok")),
    Claim(READING, r"1/2 x = \frac{x}{2}", "unverified", reason="ambiguous fraction"),
    Claim(READING, r"\sigma^{-1}(x) = \log\frac{x}{1-x}", "unverified", reason="cannot read"),
    Claim(READING, r"\int_0^1 x \, dx = \frac12", "unverified", reason="cannot read"),
    Claim(READING, r"\log_2 8 = 3", "ok"),   # a logarithm to base 2
    Claim(READING, r"\log_2 8 = 2", "wrong"),
    Claim(READING, r"\frac{d^2 y}{dx^2} = 0", "unverified", reason="cannot read the derivative"),
    Claim(READING, r"a = \frac{1}{", "unverified", reason="cannot read this math"),
    Claim(READING, r"x \le x + 1", "unverified", reason="not an equality"),
    Claim(READING, r"\delta_{ij} = 0 \quad (i < j)", "unverified", reason="cannot read the condition"),
    Claim(READING, r"\delta_{ij} = 1 \quad \text{if } i = j \text{ or } i = 1", "unverified", reason="joined by 'or'"),
    Claim(READING, r"x_i = 1 \quad \text{if } x \text{ is one-hot}", "unverified", reason="cannot read the condition"),
    Claim(READING, r"\frac{\partial L}{\partial z_j} = a_j - y_j", "unverified", reason="never defined"),
    Claim(READING, doc(SIGMA_I, r"$$ \frac{\partial\sigma_i(z)}{\partial z_j} = \sigma_i(z)\left(\delta_{ij}-\sigma_j(z)\right) $$"),
          ("definition", "ok"), K="K"),
    # \log\sigma_c(z) takes only sigma_c(z): its parentheses end the argument
    Claim(READING, doc(SIGMA_I, r"$$ \log\sigma_c(z) \frac{1}{\sigma_c(z)} = \frac{\log \sigma_c(z)}{\sigma_c(z)} $$"), ("definition", "ok"), K="K"),
    Claim(READING, r"\sigma(x) = \frac{1}{1+e^{-x}}", "ok"),
    Claim(READING, r"\sigma_i(z_i + 1) = \sigma_i(z_i + 1)", "unverified", reason="cannot read"),
    # a row ending in "=" goes on in the next row of the align (Wichmann's logistic notes)
    Claim(READING, doc(r"$$\begin{align}", r"(x+1)^2 =& x^2+2x+1 = \\", r"& (x+1)(x+1)", r"\end{align}$$"), ("ok", "ok")),
    Claim(FALSE_OK, doc(r"$$\begin{align}", r"(x+1)^2 =& x^2+2x+1 = \\", r"& x^2+1", r"\end{align}$$"), ("ok", "wrong")),
    # a^{(i)}: the i-th data point, an index (never a power)
    Claim(READING, doc(LOGISTIC, r"$$ \frac{\partial J}{\partial a^{(i)}} = \frac{1}{m}\frac{a^{(i)}-y^{(i)}}{a^{(i)}(1-a^{(i)})} $$"),
          ("definition", "definition", "definition", "ok")),
    Claim(FALSE_OK, doc(LOGISTIC, r"$$ \frac{\partial J}{\partial a^{(i)}}\frac{\partial a^{(i)}}{\partial z^{(i)}} = \frac{1}{m}a^{(i)}-y^{(i)} $$"),
          ("definition", "definition", "definition", "wrong")),
    Claim(READING, r"x^{(2)} = x^2", "ok"),
    Claim(READING, doc(POSITIVE, r"$$ e^{(x)} = \exp(x) $$"), "ok"),
    # "y \text{ one-hot}" beside a display's definitions is the text's assumption (bolat-dev's notes)
    Claim(FALSE_WRONG, doc(SOFTMAX, r"$$ L = -\sum_{i=1}^{K} y_i \ln a_i, \qquad y \text{ one-hot} $$",
                           r"$$ \frac{\partial L}{\partial z_j} = a_j - y_j $$"), ("definition", "ok"), K="K"),
    Claim(FALSE_OK, doc(SOFTMAX, r"$$ L = -\sum_{i=1}^{K} y_i \ln a_i, \qquad y \text{ one-hot} $$",
                        r"$$ \frac{\partial L}{\partial z_j} = a_j + y_j $$"), ("definition", "wrong"), K="K"),
    # \boxed{A = B} is the equation A = B (it was skipped, neither judged nor reported)
    Claim(READING, r"\boxed{(x+1)^2 = x^2 + 2x + 1}", "ok"),
    Claim(FALSE_OK, r"\boxed{(x+1)^2 = x^2 + 1}", "wrong"),
    # w^t x: a transpose or a power t? Read as a power, d/dw (w^t x + b) = x was a false "wrong"
    Claim(FALSE_WRONG, r"\frac{\partial}{\partial w}\left(w^t x + b\right) = x", "unverified", reason="a transpose or a power"),
    Claim(READING, r"x^T y = y^T x", "unverified", reason="a transpose or a power"),

    # -- domains: reals over their whole line, positivity only where declared or implied ---------------------
    Claim(DOMAINS, r"\frac{x}{x} = 1", "ok"),
    Claim(DOMAINS, r"\log e^{x} = x", "ok"),
    Claim(DOMAINS, r"x^2 = x \cdot x", "ok"),
    Claim(DOMAINS, r"\frac{1}{x} \cdot x = 1", "ok"),
    Claim(DOMAINS, r"\sigma(x) = \frac{e^x}{1 + e^x}", "ok"),
    Claim(DOMAINS, r"\log \sigma(x) - \log(1 - \sigma(x)) = x", "ok"),
    Claim(DOMAINS, doc(POSITIVE, r"$$ (x^2)^{1/2} = x $$"), "ok"),
    Claim(DOMAINS, doc(POSITIVE, r"$$ \log(x^2) = 2 \log x $$"), "ok"),
    Claim(DOMAINS, doc(r"<!-- derive: assume \sum_{k=1}^{K} y_k = 1 -->", r"$$ \sum_{k=1}^{K} y_k = 1 $$"), "ok"),
    Claim(DOMAINS, r"\sum_{k=1}^{K} y_k = 1", "wrong"),
    Claim(DOMAINS, doc(SOFTMAX, r"$$ \sum_{k=1}^{K} a_k = 1 $$"), "ok"),
    Claim(DOMAINS, doc(SOFTMAX, r"<!-- derive: define L = -\sum_{k=1}^{K} y_k \log a_k -->", "<!-- derive: assume y one-hot -->",
                       r"$$ \frac{\partial L}{\partial z_j} = a_j - y_j $$"), "ok"),
    Claim(DOMAINS, doc(SOFTMAX, r"<!-- derive: define L = -\sum_{k=1}^{K} y_k \log a_k -->",
                       r"$$ \frac{\partial L}{\partial z_j} = a_j - y_j $$"), "wrong"),
    Claim(DOMAINS, doc(r"<!-- derive: define L = -y \log p - (1 - y) \log(1 - p) -->",
                       r"$$ \frac{\partial L}{\partial p} = \frac{p - y}{p(1 - p)} $$"), "ok"),

    # -- general K: proved for every K, every index pattern, large K ---------------------------------------
    Claim(GENERAL_K, r"\sum_{k=1}^{K} 1 = K", "ok"),
    Claim(GENERAL_K, r"\sum_{k=1}^{K} k = \frac{K(K+1)}{2}", "ok"),
    Claim(GENERAL_K, r"\sum_{k=1}^{K} \delta_{ik} = 1", "ok"),
    Claim(GENERAL_K, r"\sum_{j=1}^{K} \delta_{ij}\delta_{jk} = \delta_{ik}", "ok"),
    Claim(GENERAL_K, r"\sum_{k=1}^{K} a_k \delta_{kj} = a_j", "ok"),
    Claim(GENERAL_K, r"\sum_{j \neq i} \delta_{ij} = 0", "ok"),
    Claim(GENERAL_K, r"\sum_{i=1}^{K}\sum_{j=1}^{K} \delta_{ij} = K", "ok"),
    Claim(GENERAL_K, r"\sum_{k=1}^{K} \delta_{k3} = 1", "wrong"),  # 1 only for K >= 3: false at K = 2
    # definitions in running text with softmax(s)_k, and the indicator \mathbb{1}[k = c] as a delta
    Claim(GENERAL_K, doc(r"Let $p_k = \mathrm{softmax}(s)_k$ and $L = -\log p_c$.",
                         r"$$ \frac{\partial L}{\partial s_k} = p_k - \mathbb{1}[k = c] $$"), "ok"),
    Claim(GENERAL_K, doc(r"Let $p_k = \mathrm{softmax}(s)_k$ and $L = -\log p_c$.",
                         r"$$ \frac{\partial L}{\partial s_k} = p_k + \mathbf{1}\{k = c\} $$"), "wrong"),
    # "with $\sum_i y_i = 1$" in the text is its assumption; \mathcal{L} defined in running text
    Claim(GENERAL_K, doc(r"We have $\hat{y}_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$ and $\mathcal{L} = -\sum_i y_i \log \hat{y}_i$, "
                         r"with $\sum_i y_i = 1$.",
                         r"$$ \frac{\partial \mathcal{L}}{\partial z_k} = \hat{y}_k \sum_i y_i - y_k = \hat{y}_k - y_k $$"),
          ("ok", "ok")),
    Claim(GENERAL_K, doc(r"We have $\hat{y}_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$ and $L = -\sum_i y_i \log \hat{y}_i$.",
                         r"$$ \frac{\partial L}{\partial z_k} = \hat{y}_k - y_k $$"), "wrong"),
    # a partial sum says nothing of a free index's range: j still runs over 1..K
    Claim(GENERAL_K, r"\sum_{k=1}^{K-1} \delta_{kj} y_k = y_j", "wrong"),
    Claim(GENERAL_K, r"\sum_{k=1}^{16} \delta_{kj} y_k = y_j", "wrong", K="17"),
    Claim(GENERAL_K, r"\sum_{k=1}^{K-1} \delta_{kj} y_k = y_j \quad \text{for } j \neq K", "ok"),
    # a condition naming the size: read at each K tried; (j = K) in parentheses is a condition
    Claim(GENERAL_K, r"\delta_{jK} = 1 \quad (j = K)", "ok"),
    Claim(GENERAL_K, doc(r"$$ \delta_{jK} = 0 \quad (j \neq K) $$", r"$$ y_j \delta_{jK} = y_K \quad (j = K) $$"),
          ("ok", "ok")),
    Claim(GENERAL_K, r"\delta_{jK} = 1 \quad (j \neq K)", "wrong"),
    Claim(GENERAL_K, r"\delta_{i,K} = 0", "wrong"),
    Claim(GENERAL_K, r"\delta_{i,50} = 0", "wrong", K="50"),
    Claim(GENERAL_K, r"\sum_{k=1}^{K} 1 = 3", "ok", K="3"),
    Claim(GENERAL_K, doc(SOFTMAX, r"$$ \frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j) $$"), "ok"),
    Claim(GENERAL_K, doc(SOFTMAX, r"$$ \sum_{i=1}^{K} \frac{\partial a_i}{\partial z_j} = 0 $$"), "ok"),

    # -- bounds: a size refused before anything is computed; big but harmless numbers are exact ------------
    Claim(BOUNDS, r"10^{10^{10}} = 1", "unverified", reason="too large to evaluate"),
    Claim(BOUNDS, r"9^{9^{9}} = 1", "unverified", reason="too large to evaluate"),
    Claim(BOUNDS, r"2^{2^{2^{2^{2^{2}}}}} = 1", "unverified", reason="too large to evaluate"),
    Claim(BOUNDS, r"\log(10^{-100000000}) = 1", "unverified", reason="too large to evaluate"),
    Claim(BOUNDS, r"\sum_{k=1}^{10^{10^{10}}} 1 = 1", "unverified", reason="too large to evaluate"),
    Claim(BOUNDS, r"\sum_{k=1}^{1000000000} 1 = 1000000000", "unverified", reason="a sum of more than"),
    Claim(BOUNDS, r"x^{10^{10^{10}}} = x", "unverified", reason="too large to evaluate"),
    Claim(BOUNDS, r"10^{100} - 10^{100} = 0", "ok"),
    Claim(BOUNDS, r"2^{100} = 1267650600228229401496703205376", "ok"),
    Claim(BOUNDS, r"\sum_{k=1}^{100} k = 5050", "ok"),
    Claim(BOUNDS, r"\sum_{k=1}^{100} k = 5051", "wrong"),
    Claim(BOUNDS, r"\frac{1}{0} = 1", "unverified", reason="division by zero"),
]


def _param(c: Claim):
    return pytest.param(c, id=f"{c.group}: {c.math.splitlines()[-1][:60]}" + (f" (K={c.K})" if c.K else ""))


def verdicts(c: Claim):
    result = check(c.document, fmt="md", K=c.K)
    return tuple(s.status for s in result.steps), result


@pytest.mark.parametrize("claim", [_param(c) for c in CLAIMS])
def test_claim(claim: Claim):
    got, result = verdicts(claim)
    want = claim.expected
    false_ok = [n for n, (g, w) in enumerate(zip(got, want)) if g == "ok" and w != "ok"]
    false_wrong = [n for n, (g, w) in enumerate(zip(got, want)) if g == "wrong" and w != "wrong"]
    detail = "; ".join(f"{s.status}: {s.reason}" for s in result.steps)
    assert not false_ok, f"false ok: {detail}"
    assert not false_wrong, f"false wrong: {detail}"
    assert got == want, detail
    if claim.reason:
        assert claim.reason in result.steps[-1].reason


def test_the_table_covers_every_group_and_verdict():
    assert len(CLAIMS) >= 80
    groups = Counter(c.group for c in CLAIMS)
    assert set(groups) == {FALSE_OK, FALSE_WRONG, READING, DOMAINS, GENERAL_K, BOUNDS}
    assert min(groups.values()) >= 10
    kinds = Counter(v for c in CLAIMS for v in c.expected)
    assert kinds["ok"] >= 20 and kinds["wrong"] >= 20 and kinds["unverified"] >= 15
