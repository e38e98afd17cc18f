"""The grammar: this field's LaTeX to engine objects, table-driven; and hypothesis fuzzing."""
from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.calculus.objects import Grad, Jac, sigmoid, vector
from derive.calculus.symbols import index, indexed, scalar, size
from derive.latex.parse import EULER, ParseContext, TooLarge, Unsupported, parse_latex
from derive.errors import ParseError

i, j, k, t = (index(n) for n in "ijkt")
K = size("K")
z, a, y, p, q, s, x = (indexed(n) for n in "zaypqsx")
SK = sp.Sum(sp.exp(z[k]), (k, 1, K))
CTX = ParseContext(indices=frozenset("ijktc"))

CASES = [
    (r"z_i", z[i]),
    (r"p_{ik}", p[i, k]),
    (r"x_{i,j}", x[i, j]),
    (r"z_1 + z_{2}", z[1] + z[2]),
    (r"\delta_{ij}", sp.KroneckerDelta(i, j)),
    (r"e^{z_i}", sp.exp(z[i])),
    (r"\exp(z_i)", sp.exp(z[i])),
    (r"\log a_i + \ln a_j", sp.log(a[i]) + sp.log(a[j])),
    (r"\frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}", sp.exp(z[i]) / SK),
    (r"\frac{e^{z_i}}{\sum_k e^{z_k}}", sp.exp(z[i]) / SK),
    (r"\frac{e^{z_i}}{\sum e^{z_k}}", sp.exp(z[i]) / SK),
    (r"\sum_{k=1}^{K} -z_k a_k", sp.Sum(-z[k] * a[k], (k, 1, K))),  # the sign belongs to the operand
    (r"a_i(1-a_i)", a[i] * (1 - a[i])),
    (r"-a_ia_j", -a[i] * a[j]),
    (r"a_i \cdot a_j \times 2", 2 * a[i] * a[j]),
    (r"\left( a_i \right)^2", a[i] ** 2),
    (r"\sigma(x)", sigmoid(scalar("x"))),
    (r"\frac{\partial a_i}{\partial z_j}", sp.Derivative(a[i], z[j])),
    (r"\partial a_i / \partial z_j", sp.Derivative(a[i], z[j])),
    (r"\frac{\partial}{\partial z_j} \log a_i", sp.Derivative(sp.log(a[i]), z[j])),
    (r"\frac{\partial \frac{e^{z_i}}{\sum e^{z_k}}}{\partial z_j}", sp.Derivative(sp.exp(z[i]) / SK, z[j])),
    (r"s_i\sum_{t = 1}^{k}y_t- y_i", s[i] * sp.Sum(y[t], (t, 1, k)) - y[i]),
    (r"y_ilog(a_i)", y[i] * sp.log(a[i])),
    (r"\sum_{j \neq k} p_{ij}", sp.Sum(p[i, j] * (1 - sp.KroneckerDelta(j, k)), (j, 1, K))),
    (r"\mathbf{a} - \boldsymbol{y}", vector("a", K) - vector("y", K)),
    (r"\mathbf{z}^\top \mathbf{y}", vector("z", K).T * vector("y", K)),
    (r"\frac{\partial L}{\partial \mathbf{z}}", Grad(scalar("L"), vector("z", K))),
    (r"\left(\frac{\partial \mathbf{a}}{\partial \mathbf{z}}\right)^\mathrm{T}", Jac(vector("a", K), vector("z", K)).T),
    (r"e", EULER),
    (r"e^{-(z_1-z_2)}", sp.exp(-(z[1] - z[2]))),
    (r"0.5 \, a_i \; \quad", sp.Rational(1, 2) * a[i]),
    (r"\hat{y}_i", indexed("yhat")[i]),
    # a function takes the product after it, up to an explicit operator or the next function
    (r"\log xy", sp.log(scalar("x") * scalar("y"))),
    (r"\log 2x", sp.log(2 * scalar("x"))),
    (r"\sin 2x", sp.sin(2 * scalar("x"))),
    (r"\sin x \cos x", sp.sin(scalar("x")) * sp.cos(scalar("x"))),
    (r"\sin^2 x", sp.sin(scalar("x")) ** 2),
    (r"\log(x) y", sp.log(scalar("x")) * scalar("y")),
    (r"\log x \cdot y", sp.log(scalar("x")) * scalar("y")),
    (r"\log \log x", sp.log(sp.log(scalar("x")))),
    (r"\log \sum_k e^{z_k}", sp.log(SK)),
    (r"\sum_k y_k \log a_k", sp.Sum(y[k] * sp.log(a[k]), (k, 1, K))),
    (r"\sum_k a_k \cdot y_k", sp.Sum(a[k] * y[k], (k, 1, K))),
    # explicit operators left to right, juxtaposition binding tighter
    (r"1/2 \cdot x", scalar("x") / 2),
    (r"a_i b / c_i d", a[i] * scalar("b") / (indexed("c")[i] * scalar("d"))),
    (r"a_i / y_i \cdot z_i", a[i] / y[i] * z[i]),
    (r"\frac12", sp.Rational(1, 2)),
    (r"\frac{1}2 + \frac1x", sp.Rational(1, 2) + 1 / scalar("x")),
    (r"\frac{\frac12}{3}", sp.Rational(1, 6)),
    (r"\sqrt{x} + \sqrt[3]{y}", sp.sqrt(scalar("x")) + sp.root(scalar("y"), 3)),
    (r"\mathcal{L}", scalar("\\mathcal{L}")),
    (r"2^{10}", sp.Integer(1024)),
]


@pytest.mark.parametrize("latex,expected", CASES, ids=[c[0] for c in CASES])
def test_parse(latex, expected):
    assert parse_latex(latex, CTX) == expected


UNSUPPORTED = [r"\nabla e", r"(x_1, \cdots, x_k)", r"(x_1, x_2)", r"softmax(x)", r"\begin{bmatrix} a \\ b \end{bmatrix}",
               r"\mathbb{E}(X)", r"1/2 x", r"\sigma^{-1}(x)"]


@pytest.mark.parametrize("latex", UNSUPPORTED)
def test_unsupported_is_a_parse_error_subclass(latex):
    with pytest.raises(Unsupported):
        parse_latex(latex, CTX)


@pytest.mark.parametrize("latex,column", [(r"a_i + ", 6), (r"\frac{a}{", 10), (r"a_i ) b", 5), (r"a ? b", 3)])
def test_syntax_errors_name_line_and_column(latex, column):
    with pytest.raises(ParseError) as info:
        parse_latex(latex, ParseContext(line=7, column=1))
    assert info.value.line == 7 and info.value.column == column


@pytest.mark.parametrize("latex", [r"10^{10^{10}}", r"9^{9^{9}}", r"2^{2^{2^{2^{2^{2}}}}}", r"\log(10^{-100000000})",
                                   r"\sum_{k=1}^{10^{10^{10}}} 1", r"\sum_{k=1}^{1000000000} 1", r"(0.5)^{10^{9}}",
                                   "1" * 2000, r"x^{10^{10^{10}}}"])
def test_sizes_are_refused_before_anything_is_computed(latex):
    import time
    start = time.monotonic()
    with pytest.raises(TooLarge):
        parse_latex(latex, CTX)
    assert time.monotonic() - start < 1.0


def test_harmless_big_numbers_are_computed():
    assert parse_latex(r"10^{100} - 10^{100}", CTX) == 0
    assert parse_latex(r"1^{10^{100}} + (-1)^{10^{100}}", CTX) == 2


def test_limits_are_enforced():
    with pytest.raises(ParseError):
        parse_latex("{" * 100 + "a" + "}" * 100)
    with pytest.raises(ParseError):
        parse_latex("a+" * 5000 + "a")


ALPHABET = list("aezijkKxy0129+-*/^_{}()[],.=&|!' \n") + [
    r"\frac", r"\sum", r"\partial", r"\log", r"\left(", r"\right)", r"\delta", r"\mathbf", r"\cdot", r"\sigma",
    r"\text{if}", r"\top", r"\exp", r"\lbrace", r"\neq", r"\\", r"\cdots", r"\foo", "$"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_fuzz_tokens_parse_or_raise_parse_error(text):
    try:
        parse_latex(text, CTX)
    except ParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text_parse_or_raise_parse_error(text):
    try:
        parse_latex(text, CTX)
    except ParseError:
        pass
