"""The notation of amsmath and ML papers, table by table: read as math, or "cannot read" naming the construct."""
from __future__ import annotations

import pytest
import sympy as sp

from derive.calculus.objects import sigmoid
from derive.calculus.symbols import index, indexed, scalar, size
from derive.latex.bars import mark_bars
from derive.latex.parse import ParseContext, Unsupported, parse_latex

i, j, k, c, r = (index(n) for n in "ijkcr")
K = size("K")
x, y_, m, p, q = (scalar(n) for n in "xympq")
a, v = indexed("a"), indexed("v")
CTX = ParseContext(indices=frozenset("ijkc"))

READ = [
    # bars: an absolute value, a norm, a bar that separates a call's arguments
    (r"|x|^2", sp.Abs(x) ** 2),
    (r"\left| x \right| + |y|", sp.Abs(x) + sp.Abs(y_)),
    (r"|x - |y||", sp.Abs(x - sp.Abs(y_))),
    (r"\lvert x \rvert", sp.Abs(x)),
    (r"\|\mathbf{v}\|^2", sp.Sum(v[r] ** 2, (r, 1, K))),
    (r"\lVert \mathbf{v} \rVert", sp.sqrt(sp.Sum(v[r] ** 2, (r, 1, K)))),
    (r"\|\mathbf{v}\|_1", sp.Sum(sp.Abs(v[r]), (r, 1, K))),
    (r"\Vert x \Vert", sp.Abs(x)),
    # operators and signs
    (r"x \cdot -x", -x ** 2),
    (r"x \times -(1 - x)", -x * (1 - x)),
    (r"p \odot q", p * q),
    (r"\log_2 8", sp.log(8) / sp.log(2)),
    (r"\log_{10} x", sp.log(x) / sp.log(10)),
    # primes on the functions we know: their derivatives
    (r"\sigma'(x)", sigmoid(x) * (1 - sigmoid(x))),
    (r"\tanh'(x)", 1 - sp.tanh(x) ** 2),
    (r"\log'(x)", 1 / x),
    (r"\exp''(x)", sp.exp(x)),
    # evaluation bars and differentials set apart by a space
    (r"\left. x^2 + x \right|_{x=1}", sp.Integer(2)),
    (r"\frac{\mathrm{d}\,\tanh x}{\mathrm{d}x}", sp.Derivative(sp.tanh(x), x)),
    # names: an escaped underscore, Greek variants, a primed name with an index
    (r"batch\_size \cdot 2", 2 * scalar("batch_size")),
    (r"\varsigma + \varpi", scalar("varsigma") + scalar("varpi")),
    (r"y'_k", indexed("y'")[k]),
    # a sum with a range and an excluded index
    (r"\sum_{j=1, j \neq c}^{K} a_j", sp.Sum(a[j] * (1 - sp.KroneckerDelta(j, c)), (j, 1, K))),
    # a product, not a call: a letter before parentheses that hold an expression
    (r"a(1 - a)", scalar("a") * (1 - scalar("a"))),
    (r"\gamma (1 - p)", scalar("gamma") * (1 - p)),
    (r"e (2 - 1)", sp.Symbol("e")),
    (r"x (2 - 1)", x),
]


@pytest.mark.parametrize("latex,expected", READ, ids=[t for t, _ in READ])
def test_read_as_math(latex, expected):
    got = parse_latex(latex, CTX)
    assert sp.simplify(got - expected) == 0 if got.has(sp.tanh, sigmoid) else sp.expand(got - expected) == 0


CANNOT = [
    # an unknown function applied to arguments is a call, never a product of letters
    (r"\operatorname{CE}(y, a)", r"\operatorname{CE}(y, a): the function CE is never defined (define CE)"),
    (r"\mathrm{KL}(p\|q)", "the function KL is never defined"),
    (r"KL(p, q)", "the function KL is never defined"),
    (r"f(a, b)", "f(a, b): the function f is never defined"),
    (r"P(y=1)", "P(y=1): the function P is never defined"),
    (r"P(y;\phi)", r"P(y;\phi): the function P"),
    (r"P(a|b)", "P(a|b): the function P is never defined"),
    (r"E[y|x]", "E[y|x]: the function E is never defined"),
    (r"\mathrm{KL}(p\|q)", r"\mathrm{KL}(p\|q): the function KL"),
    (r"(|x|)_i", "(|x|)_...: a subscript on an expression"),
    (r"p(y \mid x)", "the function p is never defined"),
    (r"\phi(x + 1)", "the function phi is never defined"),
    # f(2): a call or a product? refused, never guessed
    (r"f(2)", "f(2): the function f at 2, or f times 2?"),
    # primes where no function is known
    (r"f'(x)", "f'(x): the derivative of a function f that is never defined"),
    (r"g^{\prime}(2)", "the derivative of a function g"),
    (r"(\cdot)'", r"(\cdot)': a derivative written with a prime"),
    # subscripts on expressions, the vector of ones, lists, the entrywise product of vectors
    (r"\sigma(z)_i", "(z)_...: a subscript on an expression"),
    (r"[a + b]_i", "[a + b]_...: a subscript on an expression"),
    (r"\mathbf{1}^\top \mathbf{a}", r"\mathbf{1}: the vector of ones"),
    (r"(a, b)", "(a, b): a list of entries"),
    (r"\mathbf{a} \odot \mathbf{b}", r"the entrywise product \odot of vectors"),
    (r"\left. \frac{\partial x^2}{\partial x} \right|_{x=1}", "a derivative evaluated at a point"),
    (r"\log_0 x", r"\log_{0}"),
    (r"\sin_2 x", "a subscripted function"),
    (r"\sum_{j=1, i \neq c} a_j", "a condition on another letter"),
]


@pytest.mark.parametrize("latex,message", CANNOT, ids=[t for t, _ in CANNOT])
def test_cannot_read_names_the_construct_as_written(latex, message):
    with pytest.raises(Unsupported) as info:
        parse_latex(latex, CTX)
    assert message in str(info.value)
    assert "\\\\" not in str(info.value)   # quoted as written: no doubled backslashes


def test_in_a_loss_a_letter_before_parentheses_is_a_call():
    engine = ParseContext(indices=frozenset("ik"), engine=True)
    with pytest.raises(Unsupported, match="the function f is never defined"):
        parse_latex(r"f(\mathbf{a})", engine)
    with pytest.raises(Unsupported, match="the function m is never defined"):
        parse_latex(r"m(1 - a_i)", engine)     # write m \cdot (1 - a_i) for a product
    assert parse_latex(r"\gamma (1 - a_i)", engine) == scalar("gamma") * (1 - a[i])
    assert parse_latex(r"m \cdot (1 - a_i)", engine) == m * (1 - a[i])


F = (("f", (x,), x ** 2 + 1),)
FUNCTIONS = [
    (r"f(2)", sp.Integer(5)),
    (r"f(x)", x ** 2 + 1),
    (r"f(a_i)", a[i] ** 2 + 1),
    (r"f'(x)", 2 * x),
    (r"f'(2)", sp.Integer(4)),
    (r"f''(x)", sp.Integer(2)),
    (r"f(x)^2", (x ** 2 + 1) ** 2),
    (r"3 f(1) - f(0)", sp.Integer(5)),
]


@pytest.mark.parametrize("latex,expected", FUNCTIONS, ids=[t for t, _ in FUNCTIONS])
def test_a_defined_function_is_applied_and_differentiated(latex, expected):
    ctx = ParseContext(indices=frozenset("i"), functions=F)
    assert sp.expand(parse_latex(latex, ctx) - expected) == 0


def test_a_defined_function_takes_its_number_of_arguments():
    with pytest.raises(Unsupported, match="f takes 1 argument"):
        parse_latex("f(1, 2)", ParseContext(functions=F))


@pytest.mark.parametrize("text,expected", [
    ("P(a|b)", "P(a\\mid b)"),
    ("|x| + |y|", "\\lvert x\\rvert  + \\lvert y\\rvert "),
    ("\\|v\\|", "\\lVert v\\rVert "),
    ("\\left. x \\right|_{x=1}", "\\left. x \\right|_{x=1}"),
    ("(|x|)", "(\\lvert x\\rvert )"),
])
def test_bars_are_paired_before_lexing(text, expected):
    assert mark_bars(text) == expected
