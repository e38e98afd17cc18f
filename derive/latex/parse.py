"""Our own LaTeX grammar (lark, LALR) for one side of an equation, turned into engine SymPy objects."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sympy as sp
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from sympy.matrices.expressions import MatrixExpr, MatrixSymbol

from ..calculus import objects
from ..calculus.objects import Grad, Jac, sigmoid
from ..calculus.symbols import basic, index, indexed, scalar, size
from ..errors import ParseError, quoted
from .bars import as_written, marked_bars

MAX_CHARS = 4000    # one side of one equation; longer input is refused, never slowly parsed
MAX_DEPTH = 40      # nesting of braces and parentheses; keeps every recursion shallow
MAX_DIGITS = 10_000       # a number is built only when its size is known to stay below this (no 10^{10^{10}})
MAX_LITERAL_DIGITS = 1000  # a number written out digit by digit
MAX_EXPONENT = 10 ** 6    # x^{10^{9999}}: no polynomial algebra or interval of that degree
MAX_SUM_TERMS = 10_000    # a sum with written-out bounds (\sum_{k=1}^{10^9} is refused, not run)

EULER = sp.Symbol("e")  # bare e: Euler's number unless the document defines a name e


class Unsupported(ParseError):
    """Well-formed math that uses a construct the checker does not judge (the step is unverified)."""


class TooLarge(Unsupported):
    """A number or a sum whose size is refused before anything is computed."""


@dataclass(frozen=True)
class ParseContext:
    """What the surrounding document says about letters: which are sizes and which are indices."""

    sizes: tuple[tuple[str, sp.Basic], ...] = (("K", size("K")),)   # name -> K symbol or Integer
    default_size: sp.Basic = field(default_factory=lambda: size("K"))
    indices: frozenset[str] = frozenset("ijklmnct")                 # bare letters that are indices
    line: int = 1            # where the text starts in the user's file, for messages
    column: int = 1
    names: frozenset[str] = frozenset()   # subscripted names defined as a whole: L_1, L_CE
    # a loss the engine differentiates (not a claim to judge): there no unknown function could be, so a
    # Greek letter before parentheses is a product (the constants' letters, gamma (1 - p)^{gamma - 1}, are
    # products everywhere), and \log of a vector is the vector of the logs of its entries
    engine: bool = False
    # matrix notation in a loss (W x + b, w^T x, Q K^T): bold letters and these capitals are matrices and
    # vectors whose sizes are symbols named after them (W:r, W:c), unified by the engine afterwards
    matrices: frozenset[str] = frozenset()
    matrix_mode: bool = False
    # functions the document defines, f(x) = x^2 + 1: (name, parameters, body); f(2) and f'(x) use them
    functions: tuple[tuple[str, tuple[sp.Symbol, ...], sp.Basic], ...] = ()
    calls: frozenset[str] = frozenset()   # names applied to different arguments somewhere: functions, defined or not

    def size_of(self, name: str):
        return dict(self.sizes).get(name)


# Greek letters that name constants in loss formulas (the focal gamma, a smoothing epsilon, a weight
# lambda): before parentheses they multiply. phi, psi, sigma, ... stay function names.
PARAMETERS = frozenset({"alpha", "beta", "gamma", "epsilon", "varepsilon", "eta", "kappa", "lambda", "mu", "tau"})


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The LALR tables, built once per process (about 60 ms). Nothing is cached on disk: derive writes
    only the files the user names, and a pickle read back from a cache directory is code run on load."""
    grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", maybe_placeholders=False)


def parse_latex(text: str, ctx: ParseContext | None = None) -> sp.Basic:
    """One side of an equation -> SymPy. Raises ParseError (with line, column) or Unsupported."""
    ctx = ctx or ParseContext()
    if len(text) > MAX_CHARS:
        raise TooLarge(f"an expression longer than {MAX_CHARS} characters", ctx.line, ctx.column)
    _check_depth(text, ctx)
    if re.search(r"\\begin\s*\{\s*[pbvBV]?matrix\*?\s*\}", text):
        raise Unsupported("a matrix written out entry by entry", ctx.line, ctx.column)
    if re.search(r"\\begin\s*\{", text):
        raise Unsupported("a nested environment inside an expression", ctx.line, ctx.column)
    if not text.strip():
        raise ParseError("empty expression", ctx.line, ctx.column)
    if (m := _LINE_PRODUCT_RE.search(text)) is not None:
        # |S| = |T| / r^k <newline> k = ...: one equation per line without \\ (Markdown); a product across
        # the line break would be a guess
        raise Unsupported(f"{quoted(' '.join(m.group().split()))}: a product across a line break "
                          "(one equation per line? end each with \\\\)", *_where(text, m.start(), ctx))
    text, marks = marked_bars(_leibniz(_brace_frac_args(text), ctx))
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, ctx) from None
    try:
        return _value(_Build(ctx, text, marks).transform(tree), ctx)
    except VisitError as exc:
        inner = exc.orig_exc
        if isinstance(inner, ParseError):
            raise inner from None
        raise Unsupported(f"an expression that cannot be built ({type(inner).__name__}: {inner})", ctx.line, ctx.column) from None
    except RecursionError:
        raise TooLarge("an expression nested too deeply", ctx.line, ctx.column) from None


_LINE_PRODUCT_RE = re.compile(r"[A-Za-z0-9)\]|][ \t]*\n\s*[A-Za-z0-9]")
_FRAC_RE = re.compile(r"\\[dt]?frac(?![a-zA-Z])")
_ONE_TOKEN_RE = re.compile(r"\s*(\\[a-zA-Z]+|[0-9A-Za-z])")


def _brace_frac_args(text: str) -> str:
    """\\frac12 and \\frac{1}2 -> \\frac{1}{2}: an argument without braces is one character or command.

    (The LALR lexer would read 12 as one number.) Only braces are added, so columns stay close."""
    if "frac" not in text:
        return text
    inserts: list[tuple[int, str]] = []
    for m in _FRAC_RE.finditer(text):
        pos = m.end()
        for _ in range(2):
            j = pos
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and text[j] == "{":
                end = _matching_brace(text, j)
                if end < 0:
                    break
                pos = end + 1
                continue
            t = _ONE_TOKEN_RE.match(text, pos)
            if not t:
                break
            inserts += [(t.start(1), "{"), (t.end(), "}")]
            pos = t.end()
    if not inserts:
        return text
    out, last = [], 0
    for at, piece in sorted(inserts, key=lambda p: p[0]):
        out += [text[last:at], piece]
        last = at
    out.append(text[last:])
    return "".join(out)


_D = r"(?:d|\\mathrm\s*\{\s*d\s*\}|\\operatorname\s*\{\s*d\s*\}|\\text\s*\{\s*d\s*\})"
_LEIBNIZ_NUM_RE = re.compile(r"\s*" + _D + r"(?![A-Za-z]{2})(?:\s|\\[,;:!])*(.*)$", re.S)
_LEIBNIZ_VAR_RE = re.compile(r"\s*" + _D + r"\s*((?:[A-Za-z]|\\[A-Za-z]+(?:\s*\{\s*[A-Za-z]\s*\})?)"
                             r"(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?)\s*$")


def _leibniz(text: str, ctx: ParseContext) -> str:
    """\\frac{dL}{dz}, \\frac{d}{dx}, \\frac{\\mathrm{d} y}{\\mathrm{d} x}: the derivative, written as \\partial
    (read as a product d L / (d z) it would be a false verdict)."""
    if "frac" not in text or "d" not in text:
        return text
    out, pos = [], 0
    for m in _FRAC_RE.finditer(text):
        if m.start() < pos:
            continue
        a = _skip_space(text, m.end())
        if text[a:a + 1] != "{" or (a_end := _matching_brace(text, a)) < 0:
            continue
        b = _skip_space(text, a_end + 1)
        if text[b:b + 1] != "{" or (b_end := _matching_brace(text, b)) < 0:
            continue
        num, den = _LEIBNIZ_NUM_RE.match(text[a + 1:a_end]), _LEIBNIZ_VAR_RE.match(text[b + 1:b_end])
        if num and not den and _LEIBNIZ_NUM_RE.match(text[b + 1:b_end]) or num and num.group(1).lstrip().startswith("^"):
            raise Unsupported(f"the derivative \\frac{{{text[a + 1:a_end].strip()}}}{{{text[b + 1:b_end].strip()}}}",
                              ctx.line, ctx.column)
        if not (num and den):
            continue
        out.append(text[pos:m.start()] + "\\frac{\\partial " + num.group(1) + "}{\\partial " + den.group(1) + "}")
        pos = b_end + 1
    out.append(text[pos:])
    return "".join(out)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    for n in range(start, min(len(text), start + MAX_CHARS)):
        c = text[n]
        if c == "{" and text[n - 1:n] != "\\":
            depth += 1
        elif c == "}" and text[n - 1:n] != "\\":
            depth -= 1
            if depth == 0:
                return n
    return -1


def _where(text: str, pos: int, ctx: ParseContext) -> tuple[int, int]:
    before = text[:pos]
    nl = before.count("\n")
    if nl:
        return ctx.line + nl, pos - before.rfind("\n")
    return ctx.line, ctx.column + pos


def _check_depth(text: str, ctx: ParseContext) -> None:
    depth = 0
    for pos, ch in enumerate(text):
        if ch in "{([":
            depth += 1
            if depth > MAX_DEPTH:
                raise TooLarge(f"braces nested more than {MAX_DEPTH} deep", *_where(text, pos, ctx))
        elif ch in "})]":
            depth -= 1


def _syntax_error(exc: UnexpectedInput, text: str, ctx: ParseContext) -> ParseError:
    pos = getattr(exc, "pos_in_stream", None)
    if pos is None:
        pos = len(text)
    line, col = _where(text, pos, ctx)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        line, col = _where(text, len(text.rstrip()), ctx)   # just after the last character
        return ParseError("the expression ends too early (an unclosed brace or a missing operand?)", line, col)
    if isinstance(exc, UnexpectedCharacters):
        return ParseError(f"unexpected {text[pos:pos + 12].split()[0] if text[pos:pos + 12].split() else repr(text[pos])!s}", line, col)
    if isinstance(exc, UnexpectedToken):
        return ParseError(f"unexpected {exc.token!s}", line, col)
    return ParseError("cannot read this math", line, col)


# -- intermediate objects -------------------------------------------------------------------
@dataclass(frozen=True)
class Name:
    """A bare letter or word: its meaning (index, size, scalar, e) is decided where it is used."""

    text: str
    word: bool = False
    greek: bool = False
    source: str = field(default="", compare=False)   # as written, for messages (CE of \operatorname{CE})
    start: int = field(default=-1, compare=False)     # where it is written (letters side by side: KL)


@dataclass(frozen=True)
class Term:
    """A flat run of factors and operators (juxtaposition, \\cdot, /, \\sum, \\partial, \\log)."""

    items: tuple


@dataclass(frozen=True)
class SumOp:
    var: sp.Symbol | None
    lo: sp.Basic | None
    hi: sp.Basic | None
    except_: sp.Symbol | None = None
    negate: bool = False


@dataclass(frozen=True)
class PartialOf:
    """\\partial X: only meaningful as the numerator or denominator of a derivative."""

    operand: object   # None for the operator form \frac{\partial}{\partial v}


@dataclass(frozen=True)
class DerivOp:
    """\\frac{\\partial}{\\partial v}: applies to the rest of the product."""

    var: sp.Basic


@dataclass(frozen=True)
class Func:
    name: str
    power: object = None     # \\sin^2 x
    base: object = None      # \\log_2 x
    primes: int = 0          # \\sigma'(x): its derivative


@dataclass(frozen=True)
class _Applied:
    """A function already applied to its argument: the argument of a function before it ends here."""

    value: object


_MUL, _DIV, _TOP, _PARTIAL = object(), object(), object(), object()
_MULNEG = object()   # x \cdot -y: the operator and the sign of its operand
_HADAMARD = object()  # \odot: the entrywise product (of numbers: the product)
_GAP = object()   # \, \; \: between factors: a function's argument ends there, the product goes on
_FUNCS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "sigma": sigmoid, "sin": sp.sin, "cos": sp.cos,
          "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh}
_WORD_FUNCS = {"log": sp.log, "ln": sp.log, "exp": sp.exp}


def _value(x, ctx: ParseContext, allow_partial: bool = False):
    """Resolve an intermediate object to SymPy (a PartialOf survives only where a fraction wants it)."""
    if isinstance(x, Name):
        return _name_value(x, ctx)
    if isinstance(x, Term):
        x = _build_term(x.items, ctx)
    elif isinstance(x, _Applied):
        return x.value
    elif isinstance(x, _Paren):
        if x.power is not None:
            return _power(_term_value(x.value, ctx), x.power, ctx)
        return _value(x.value, ctx, allow_partial)
    elif isinstance(x, _Bold):
        if ctx.matrix_mode:
            return matrix_symbol(x.name, ctx)
        return objects.vector(x.name, ctx.default_size)
    elif isinstance(x, _Norm):
        return _norm(x, None, ctx)
    elif isinstance(x, _Tuple):
        raise Unsupported(f"{x.source}: a list of entries, or the arguments of a function", ctx.line, ctx.column)
    if isinstance(x, PartialOf):
        if allow_partial:
            return x
        raise ParseError("\\partial outside a derivative", ctx.line, ctx.column)
    if isinstance(x, DerivOp):
        raise ParseError("\\frac{\\partial}{\\partial ...} with nothing to differentiate", ctx.line, ctx.column)
    if isinstance(x, (SumOp, Func)) or x is _MUL or x is _DIV or x is _PARTIAL:
        raise ParseError("an operator without an operand", ctx.line, ctx.column)
    if x is _TOP:
        raise ParseError("\\top outside a superscript", ctx.line, ctx.column)
    return x


def matrix_symbol(name: str, ctx: ParseContext):
    """W (or \\mathbf{W}): a matrix W:r x W:c; \\mathbf{x} (lowercase): a column x:r x 1."""
    r = sp.Symbol(name + ":r", integer=True, positive=True)
    c = sp.Symbol(name + ":c", integer=True, positive=True) if name[0].isupper() or name in ctx.matrices else 1
    return sp.MatrixSymbol(name, r, c)


def _name_value(n: Name, ctx: ParseContext):
    if ctx.matrix_mode and n.text in ctx.matrices and not n.word:
        return matrix_symbol(n.text, ctx)
    s = ctx.size_of(n.text)
    if s is not None:
        return s
    if n.word and n.text in _WORD_FUNCS:
        raise ParseError(f"{n.text} without an argument", ctx.line, ctx.column)
    if n.text in ctx.indices and not n.word:
        return index(n.text)
    return scalar(n.text)


def _is_matrix(e) -> bool:
    return isinstance(e, (MatrixExpr, sp.MatrixBase))


def _mul(factors: list, ctx: ParseContext):
    out = sp.Integer(1)
    for f in factors:
        try:
            out = out * f
        except (TypeError, ValueError, sp.ShapeError) as exc:
            raise Unsupported(f"a product of these factors ({exc})", ctx.line, ctx.column) from None
    return out


def _build_term(items: tuple, ctx: ParseContext):
    """One flat term, read right to left: \\sum and d/dv take the rest of the term, \\partial the factors up
    to the next explicit operator, a function the product after it (\\log 2x = log(2x)) up to an explicit
    operator or the next function (\\sin x \\cos x); then the explicit operators left to right with
    juxtaposition binding tighter (a b / c d = (a b)/(c d), 1/2 \\cdot x = x/2)."""
    tail: list = []
    for n, it in reversed(list(enumerate(items))):
        if it is _MUL or it is _DIV or it is _HADAMARD:
            tail.insert(0, it)
        elif it is _MULNEG:   # x \cdot -y: the sign is its operand's
            tail[:0] = [_MUL, sp.Integer(-1)]
        elif isinstance(it, SumOp):
            body = _fold(tail, ctx, "\\sum")
            tail = [_apply_sum(it, -body if it.negate else body, ctx)]
        elif isinstance(it, DerivOp):
            tail = [derivative(_fold(tail, ctx, "\\frac{\\partial}{\\partial}"), it.var, ctx)]
        elif it is _PARTIAL:
            n = _run_length(tail, stop_at_applied=False)
            tail = [PartialOf(_product_of(tail[:n], ctx, "\\partial") if n else None)] + tail[n:]
        elif isinstance(it, Func) or (isinstance(it, Name) and it.word and it.text in _WORD_FUNCS):
            name = it.name if isinstance(it, Func) else it.text
            while tail and tail[0] is _GAP:  # \log \, x: a space before the argument
                tail.pop(0)
            n = 1 if tail and isinstance(tail[0], (_Paren, _Applied)) else _run_length(tail, stop_at_applied=True)
            if n == 0:
                raise ParseError(f"\\{name} without an argument", ctx.line, ctx.column)
            head = tail[0] if n == 1 and isinstance(tail[0], _Paren) else None
            if head is not None and head.power is not None:  # \sigma(x)^2 = (\sigma(x))^2
                inner = _apply_func(it if isinstance(it, Func) else Func(name), _product_of([_Paren(head.value)], ctx, name), ctx)
                tail = [_Applied(_power(inner, head.power, ctx))] + tail[1:]
                continue
            tail = [_Applied(_apply_func(it if isinstance(it, Func) else Func(name), _product_of(tail[:n], ctx, name), ctx))] + tail[n:]
        elif isinstance(it, Name) and it.word and it.text == "diag" and tail and isinstance(tail[0], _Paren) \
                and tail[0].power is None and _is_vector(v := _term_value(tail[0].value, ctx)):
            tail = [_Applied(objects.Diag(v))] + tail[1:]   # diag(a): the diagonal matrix of a vector
        elif isinstance(it, Name) and tail and isinstance(tail[0], (_Paren, _Tuple)) and _is_call(it, tail[0], ctx):
            _letters_before_call(items[:n], it, tail[0], ctx)
            tail[0] = _Applied(_call(it, tail[0], ctx))
        else:
            tail.insert(0, it)
    return _fold(tail, ctx, "")


def _is_call(name: Name, args, ctx: ParseContext) -> bool:
    """Is name(...) a function applied to arguments? A name before a list of arguments, a word
    (\\operatorname{CE}, KL), a primed name (f'), a function the document defines, or in a loss any
    letter: yes. A Greek constant before parentheses multiplies (\\gamma (1 - p)); a letter before
    a number in parentheses, f(2), is refused by _call (a call or a product?); a(1 - a) multiplies."""
    if isinstance(args, _Tuple) or name.text.endswith("'") or name.text in ctx.calls \
            or name.text in dict((f[0], f) for f in ctx.functions):
        return True
    if name.greek:
        return not (ctx.engine or name.text in PARAMETERS and not _one_name(args))
    if name.word or ctx.engine:
        return True
    return name.text != "e" and _plain_number(args) is not None   # e(2): Euler's number times 2


def _letters_before_call(before: tuple, name: Name, args, ctx: ParseContext) -> None:
    """KL(p, q), CE(y, a): letters written side by side before a call are one name, never K times L(p, q)."""
    run, at = "", name.start
    for it in reversed(before):
        if not (isinstance(it, Name) and not it.word and it.start >= 0 and it.start + len(it.text) == at):
            break
        run, at = it.text + run, it.start
    if run:
        whole = run + name.text
        raise Unsupported(f"{whole}{args.source}: the function {whole} is never defined (define {whole}; "
                          f"write {run} \\cdot {name.text}{args.source} for a product)", ctx.line, ctx.column)


def _plain_number(p) -> sp.Basic | None:
    if not isinstance(p, _Paren) or not isinstance(p.value, Term):   # (2 - 1) is an expression, (2) a number
        return None
    items = p.value.items
    if p.power is None and len(items) == 1 and isinstance(items[0], sp.Number):
        return items[0]
    return None


def _call(name: Name, args, ctx: ParseContext):
    """f(a), \\operatorname{CE}(y, a), f'(2): the function applied, when the document defines it; else
    "cannot read", naming the function (a call is never read as a product of letters)."""
    base = name.text.rstrip("'")
    primes = len(name.text) - len(base)
    shown = f"{name.source or name.text}{args.source}"
    defined = {f[0]: f for f in ctx.functions}.get(base)
    if defined is None:
        if primes:
            raise Unsupported(f"{shown}: the derivative of a function {base} that is never defined (define {base})",
                              ctx.line, ctx.column)
        if not name.word and not name.greek and _plain_number(args) is not None and not ctx.engine:
            raise Unsupported(f"{shown}: the function {base} at {_plain_number(args)}, or {base} times "
                              f"{_plain_number(args)}? (define {base}, or write {base} \\cdot {args.source})",
                              ctx.line, ctx.column)
        raise Unsupported(f"{shown}: the function {base} is never defined (define {base})", ctx.line, ctx.column)
    _, params, body = defined
    values = [_term_value(a, ctx) for a in (args.values if isinstance(args, _Tuple) else (args.value,))]
    if len(values) != len(params) or any(isinstance(v, (PartialOf, DerivOp)) or _is_matrix(v) for v in values):
        raise Unsupported(f"{shown}: {base} takes {len(params)} argument(s)", ctx.line, ctx.column)
    if primes:
        if len(params) != 1:
            raise Unsupported(f"{shown}: a derivative of a function of several arguments", ctx.line, ctx.column)
        try:
            body = sp.diff(body, params[0], primes)
        except (TypeError, ValueError, NotImplementedError) as exc:
            raise Unsupported(f"{shown}: its derivative ({exc})", ctx.line, ctx.column) from None
    out = body.xreplace(dict(zip(params, values)))
    return _power(out, args.power, ctx) if isinstance(args, _Paren) and args.power is not None else out


def _run_length(tail: list, stop_at_applied: bool) -> int:
    """How many factors at the head of tail are juxtaposed (before an explicit operator)."""
    n = 0
    while n < len(tail) and tail[n] is not _MUL and tail[n] is not _DIV and tail[n] is not _GAP \
            and tail[n] is not _HADAMARD \
            and not (stop_at_applied and isinstance(tail[n], _Applied)):
        n += 1
    return n


def _fold(tail: list, ctx: ParseContext, what: str):
    """Groups of juxtaposed factors joined by explicit \\cdot, \\times, * and /, left to right."""
    tail = [el for el in tail if el is not _GAP]  # a space between factors: still a product
    groups: list[list] = [[]]
    ops: list = []
    for el in tail:
        if el is _MUL or el is _DIV or el is _HADAMARD:
            ops.append(el)
            groups.append([])
        else:
            groups[-1].append(el)
    if not tail:
        raise ParseError(f"{what} without an operand" if what else "empty product", ctx.line, ctx.column)
    if any(not g for g in groups):
        raise ParseError("an operator (/, \\cdot, \\times) without an operand", ctx.line, ctx.column)
    values = [g[0] if len(g) == 1 and isinstance(g[0], PartialOf) else _product_of(g, ctx, what) for g in groups]
    out = values[0]
    for op, group, v in zip(ops, groups[1:], values[1:]):
        if op is _DIV:
            if len(group) > 1 and isinstance(_plain(group[0]), sp.Number):
                raise Unsupported("an ambiguous fraction such as 1/2 x (write \\frac{1}{2} x or \\frac{1}{2x})",
                                  ctx.line, ctx.column)
            out = _divide(out, v, ctx)
        elif op is _HADAMARD and (_is_matrix(out) or _is_matrix(v)):
            raise Unsupported("the entrywise product \\odot of vectors", ctx.line, ctx.column)
        else:
            if isinstance(out, PartialOf) or isinstance(v, PartialOf):
                raise ParseError("\\partial outside a derivative", ctx.line, ctx.column)
            out = _mul([out, v], ctx)
    return out


def _is_vector(v) -> bool:
    return isinstance(v, sp.MatrixSymbol) and v.shape[1] == 1


def _plain(x):
    return x.value if isinstance(x, _Applied) else x


def _apply_func(f: Func, arg, ctx: ParseContext):
    name, power = f.name, f.power
    if f.base is not None or f.primes:
        return _apply_special(f, arg, ctx)
    if _is_matrix(arg) and ctx.matrix_mode and power is None and arg.shape[1] == 1:
        return objects.Elementwise(sp.Symbol(name), arg)   # tanh(W x): the function of every entry
    if _is_matrix(arg) and ctx.engine and power is None and isinstance(arg, sp.MatrixSymbol) \
            and arg.shape[1] == 1:
        # in a loss (the engine): \log \mathbf{a} is the vector of the logs of the entries
        r = sp.Symbol("r", integer=True, positive=True)
        return objects.Entrywise(_FUNCS[name](sp.IndexedBase(arg.name)[r]), r, sp.Symbol("c", integer=True, positive=True),
                                 arg.shape[0], 1)
    if _is_matrix(arg):
        raise Unsupported(f"\\{name} of a vector", ctx.line, ctx.column)
    if isinstance(arg, (PartialOf, DerivOp)):
        raise ParseError(f"\\{name} of \\partial", ctx.line, ctx.column)
    out = _FUNCS[name](arg)
    return _func_power(name, out, power, ctx)


def _apply_special(f: Func, arg, ctx: ParseContext):
    """\\log_2 x = log x / log 2; \\sigma'(x), \\tanh''(x): the derivative of the function, at x."""
    if _is_matrix(arg) or isinstance(arg, (PartialOf, DerivOp)):
        raise Unsupported(f"\\{f.name} of a vector", ctx.line, ctx.column)
    if f.base is not None:
        base = f.base.exprs[0] if isinstance(f.base, _Sub) and len(f.base.exprs) == 1 else f.base
        base = _scalar_arg(base, ctx)
        if f.name not in ("log", "ln") or f.primes or not base.is_positive or base == 1:
            raise Unsupported(f"\\{f.name}_{{{base}}} (a subscripted function)", ctx.line, ctx.column)
        return _func_power(f.name, sp.log(arg) / sp.log(base), f.power, ctx)
    u = sp.Dummy("u")
    out = sp.diff(_FUNCS[f.name](u), u, f.primes).xreplace({u: arg})
    return _func_power(f.name, out, f.power, ctx)


def _func_power(name: str, out, power, ctx: ParseContext):
    if power is None:
        return out
    if power is _TOP or (isinstance(power, Name) and power.text == "T"):
        raise Unsupported(f"\\{name}^T", ctx.line, ctx.column)
    p = _scalar_arg(power, ctx)
    if p.is_Number and p < 0:
        raise Unsupported(f"\\{name}^{{{p}}} (an inverse function or a negative power of a function)", ctx.line, ctx.column)
    return _bounded_pow(out, p, ctx)


def _product_of(factors: list, ctx: ParseContext, what: str):
    if not factors:
        raise ParseError(f"{what} without an operand" if what else "empty product", ctx.line, ctx.column)
    vals = []
    for f in factors:
        if isinstance(f, PartialOf):
            raise ParseError("\\partial outside a derivative", ctx.line, ctx.column)
        vals.append(_value(f, ctx))
    return vals[0] if len(vals) == 1 else _mul(vals, ctx)


def _one_name(p: _Paren) -> bool:
    """(x), (t): what a function is called on; \\lambda(t) may be a function, \\lambda (x + 1) multiplies."""
    v = p.value
    items = v.items if isinstance(v, Term) else (v,)
    return p.power is None and len(items) == 1 and isinstance(items[0], Name)


@dataclass(frozen=True)
class _Paren:
    """A parenthesised group: kept apart so `softmax(x)` reads as an (unsupported) call."""

    value: object
    power: object = None   # (x)^2: kept, so \sigma(x)^2 is (\sigma(x))^2 as usually meant
    source: str = field(default="(...)", compare=False)


@dataclass(frozen=True)
class _Tuple:
    """(a, b), (y=1), (a \\mid b): the arguments of a call; alone, a list nothing here reads."""

    values: tuple
    source: str = field(default="(...)", compare=False)
    power: object = None


def _apply_sum(op: SumOp, body, ctx: ParseContext):
    if _is_matrix(body):
        raise Unsupported("a sum of vectors", ctx.line, ctx.column)
    var = op.var
    if var is None:
        var = _guess_sum_index(body, ctx)
    lo = sp.Integer(1) if op.lo is None else op.lo
    hi = ctx.default_size if op.hi is None else op.hi
    if hi.is_Number and (hi - (lo if lo.is_Number else 0)) >= MAX_SUM_TERMS:
        raise TooLarge(f"a sum of more than {MAX_SUM_TERMS} terms (upper bound {_short_number(hi)})", ctx.line, ctx.column)
    if op.except_ is not None:
        body = body * (1 - sp.KroneckerDelta(var, op.except_))
    return sp.Sum(body, (var, lo, hi))


def _short_number(n) -> str:
    text = str(n)
    return text if len(text) <= 20 else f"a {len(text)}-digit number"


def _guess_sum_index(body, ctx: ParseContext):
    """\\sum e^{z_k} with no index written: the one index the body leaves free."""
    free = sorted({s for x in sp.preorder_traversal(body) if isinstance(x, sp.Indexed)
                   for t in x.indices for s in basic(t).free_symbols if s.is_integer and str(s) in ctx.indices},
                  key=str)
    if len(free) == 1:
        return free[0]
    for pref in ("k", "j", "t", "c"):
        if any(str(s) == pref for s in free):
            return index(pref)
    raise Unsupported("a \\sum without an index whose index cannot be guessed", ctx.line, ctx.column)


def derivative(expr, var, ctx: ParseContext):
    """d expr / d var as the engine's unevaluated objects (Derivative, Grad, Jac)."""
    if isinstance(var, MatrixSymbol):
        if _is_matrix(expr):
            if not isinstance(expr, MatrixSymbol):
                raise Unsupported("the Jacobian of a vector expression (name the vector)", ctx.line, ctx.column)
            return Jac(expr, var)
        return Grad(expr, var)
    if not isinstance(var, (sp.Symbol, sp.Indexed)):
        raise Unsupported(f"a derivative with respect to {var}", ctx.line, ctx.column)
    if _is_matrix(expr):
        raise Unsupported("the derivative of a vector with respect to a scalar", ctx.line, ctx.column)
    if not isinstance(expr, sp.Basic):
        raise ParseError("nothing to differentiate", ctx.line, ctx.column)
    return sp.Derivative(expr, var, evaluate=False)


def _divide(num, den, ctx: ParseContext):
    if isinstance(num, PartialOf) or isinstance(den, PartialOf):
        if not (isinstance(num, PartialOf) and isinstance(den, PartialOf)) or den.operand is None:
            raise ParseError("a derivative needs \\partial above and below", ctx.line, ctx.column)
        if num.operand is None:
            return DerivOp(den.operand)
        return derivative(num.operand, den.operand, ctx)
    if _is_matrix(den):
        raise Unsupported("division by a vector", ctx.line, ctx.column)
    if isinstance(den, sp.Basic) and den.is_zero:
        raise Unsupported("a division by zero", ctx.line, ctx.column)
    try:
        return num / den
    except (TypeError, ValueError) as exc:
        raise Unsupported(f"this division ({exc})", ctx.line, ctx.column) from None


def _negate(x, ctx: ParseContext):
    if isinstance(x, PartialOf):
        return PartialOf(-_value(x.operand, ctx)) if x.operand is not None else x
    return -x


# -- the tree transformer -------------------------------------------------------------------
@v_args(inline=True)
class _Build(Transformer):
    def __init__(self, ctx: ParseContext, text: str = "", marks: tuple = ()):
        super().__init__()
        self.ctx = ctx
        self.source, self.marks = text, marks

    def _span(self, first: Token, last: Token) -> str:
        """The text from token first to token last as the user wrote it (for messages)."""
        if not self.source:
            return f"{first}...{last}"
        start, end = first.start_pos or 0, last.end_pos or len(self.source)
        return as_written(self.source, start, end, self.marks).strip()

    def start(self, e):
        return e

    def expr(self, *children):
        ctx = self.ctx
        if len(children) == 1 and isinstance(children[0], Term):
            return children[0]   # kept raw: an index group {ik} reads its letters one by one
        out, sign = None, "+"
        for c in children:
            if isinstance(c, Token) and c.type == "SIGN":
                sign = str(c)
                continue
            v = _term_value(c, ctx)
            if sign == "-":
                v = _negate(v, ctx)
            if out is None:
                out = v
            else:
                if isinstance(out, PartialOf) or isinstance(v, PartialOf):
                    raise ParseError("\\partial outside a derivative", ctx.line, ctx.column)
                try:
                    out = out + v
                except (TypeError, ValueError, sp.ShapeError) as exc:
                    raise Unsupported(f"a sum of a vector and a number ({exc})", ctx.line, ctx.column) from None
            sign = "+"
        return out

    def term(self, *items):
        return Term(tuple(items))

    def partial(self, _tok):
        return _PARTIAL

    def func(self, tok, *scripts):
        return self._func(tok, 0, scripts)

    def funcprime(self, tok, primes, *scripts):
        return self._func(tok, _prime_count(primes), scripts)

    def _func(self, tok, primes: int, scripts):
        kinds = [k for k, _ in scripts]
        if len(set(kinds)) != len(kinds):
            raise ParseError("double subscript or superscript", self.ctx.line, self.ctx.column)
        got = dict(scripts)
        return Func(str(tok).lstrip("\\"), got.get("^"), got.get("_"), primes)

    def prime(self, tok):
        return ("'", _prime_count(tok))

    def hadamard(self, _tok):
        return _HADAMARD

    def sqrt(self, _tok, arg):
        return _bounded_pow(_scalar_arg(arg, self.ctx), sp.Rational(1, 2), self.ctx)

    def root(self, _tok, n, _r, arg):
        n = _scalar_arg(n, self.ctx)
        if not (n.is_Integer and n >= 2):
            raise Unsupported("a root whose degree is not a whole number >= 2", self.ctx.line, self.ctx.column)
        return _bounded_pow(_scalar_arg(arg, self.ctx), 1 / n, self.ctx)

    def callig(self, tok):
        m = re.match(r"\\(\w+)\s*\{\s*([A-Za-z])", str(tok))
        if m is None:  # the grammar's token always matches; a changed grammar must say so, not crash
            raise Unsupported(f"the letter style {tok}", self.ctx.line, self.ctx.column)
        return Name(f"\\{m.group(1)}{{{m.group(2)}}}", word=True)

    def mulop(self, _tok, sign=None):
        return _MULNEG if sign is not None and str(sign) == "-" else _MUL

    def gap(self, _tok):
        return _GAP

    def div(self, _tok):
        return _DIV

    # primaries
    def letter(self, tok):
        return Name(str(tok), source=str(tok), start=tok.start_pos)

    def word(self, tok):
        return Name(str(tok).replace("\\_", "_"), word=True, source=str(tok))

    def greek(self, tok):
        name = str(tok).lstrip("\\")
        if name == "pi":
            return sp.pi
        return Name(name, word=True, greek=True, source=str(tok))

    def number(self, tok):
        if len(tok) > MAX_LITERAL_DIGITS:
            raise TooLarge(f"a number written with more than {MAX_LITERAL_DIGITS} digits", self.ctx.line, self.ctx.column)
        return sp.Rational(str(tok)) if "." in str(tok) else sp.Integer(str(tok))

    def text(self, tok):
        content = re.sub(r"^\\[a-zA-Z]+\s*\{|\}$", "", str(tok)).strip()
        if re.fullmatch(r"[A-Za-z]", content):
            return Name(content, source=str(tok))
        if re.fullmatch(r"[A-Za-z]+", content):
            return Name(content, word=True, source=str(tok))
        raise Unsupported(f"the text {quoted(content)} inside an expression", self.ctx.line, self.ctx.column)

    def dots(self, tok):
        raise Unsupported(f"an elided expression ({tok})", self.ctx.line, self.ctx.column)

    def top(self, _tok):
        return _TOP

    def unknown(self, tok):
        raise Unsupported(f"the command {tok}", self.ctx.line, self.ctx.column)

    def brace(self, e):
        return e

    def paren(self, left, e, right):
        return _Paren(e, source=self._span(left, right))

    def tuple(self, left, *children):
        values = tuple(c for c in children[:-1] if not (isinstance(c, Token) and c.type in ("ARGSEP", "EQ")))
        return _Tuple(values, self._span(left, children[-1]))

    def abs(self, left, e, right):
        v = _term_value(e, self.ctx)
        if _is_matrix(v) or isinstance(v, (PartialOf, DerivOp)):
            raise Unsupported(f"{self._span(left, right)}: the absolute value of a vector", self.ctx.line, self.ctx.column)
        return _Paren(sp.Abs(v), source=self._span(left, right))

    def norm(self, left, e, right):
        return _Norm(_term_value(e, self.ctx), self._span(left, right))

    def evaluated(self, left, e, right, var, _eq, at):
        """\\left. X \\right|_{x=1}: X with x set to 1 (a derivative there is refused: X must be a formula)."""
        shown = self._span(left, right) + "_{...}"
        v, where = _term_value(e, self.ctx), _scalar_arg(at, self.ctx)
        if not isinstance(v, sp.Basic) or _is_matrix(v) or v.has(sp.Derivative, Grad, Jac):
            raise Unsupported(f"{shown}: a derivative evaluated at a point", self.ctx.line, self.ctx.column)
        name = str(var)
        return _Paren(v.xreplace({index(name): where, scalar(name): where}), source=shown)

    def frac(self, _tok, num, den):
        return _divide(_term_value(num, self.ctx), _term_value(den, self.ctx), self.ctx)

    def bold(self, tok, arg):
        if isinstance(arg, sp.Integer):
            raise Unsupported(f"{tok}{{{arg}}}: the vector of {'ones' if arg == 1 else 'a constant'}",
                              self.ctx.line, self.ctx.column)
        return _Bold(_arg_name(arg))

    def accent(self, tok, arg):
        return Name(_arg_name(arg) + str(tok).lstrip("\\").replace("wide", "").replace("overline", "bar"), word=True)

    # script arguments (kept raw: an index list and a power read them differently)
    def arg_letter(self, tok):
        return Name(str(tok))

    def arg_digit(self, tok):
        return sp.Integer(str(tok))

    def arg_greek(self, tok):
        return self.greek(tok)

    def arg_top(self, _tok):
        return _TOP

    def arg_text(self, tok):
        return self.text(tok)

    def arg_group(self, e):
        return e

    def sublist(self, *exprs):
        return _Sub(tuple(exprs))

    def sub(self, arg):
        return ("_", arg)

    def sup(self, arg):
        return ("^", arg)

    def postfix(self, base, *scripts):
        return _postfix(base, scripts, self.ctx)

    # sums
    def low_letter(self, tok):
        return (str(tok), None, None)

    def low_range(self, tok, _eq, lo):
        return (str(tok), lo, None)

    def low_except(self, tok, _neq, other):
        return (str(tok), None, str(other))

    def low_range_except(self, tok, _eq, lo, tok2, _neq, other):
        """\\sum_{j=1, j \\neq c}^{K}: the range with one index left out."""
        if str(tok2) != str(tok):
            raise Unsupported(f"\\sum_{{{tok}=..., {tok2} \\neq {other}}}: a condition on another letter",
                              self.ctx.line, self.ctx.column)
        return (str(tok), lo, str(other))

    def sumscript(self, *parts):
        low, hi = None, None
        for p in parts:
            if isinstance(p, tuple) and len(p) == 3:
                low = p
            else:
                hi = p
        return (low, hi)

    def sumop(self, _tok, *rest):
        ctx = self.ctx
        negate = bool(rest) and isinstance(rest[-1], Token) and rest[-1] == "-"
        rest = tuple(r for r in rest if not isinstance(r, Token))
        script = rest[0] if rest else None
        if script is None:
            return SumOp(None, None, None, None, negate)
        low, hi = script
        var = lo = exc = None
        if low is not None:
            var = index(low[0])
            lo = None if low[1] is None else _term_value(low[1], ctx)
            exc = None if low[2] is None else sp.Integer(low[2]) if low[2].isdigit() else index(low[2])
        hi_v = None if hi is None else _scalar_arg(hi, ctx)
        return SumOp(var, lo, hi_v, exc, negate)


@dataclass(frozen=True)
class _Bold:
    name: str


@dataclass(frozen=True)
class _Norm:
    """\\|v\\|: Euclidean unless a subscript says otherwise (\\|v\\|_1)."""

    value: object
    source: str


def _prime_count(tok) -> int:
    text = str(tok)
    return text.count("'") + text.count("\\prime")


def _norm(n: _Norm, sub, ctx: ParseContext):
    """\\|v\\| = sqrt(sum_r v_r^2), \\|v\\|_1 = sum_r |v_r|; of a number, its absolute value."""
    order = 2 if sub is None else _index_value(sub, ctx)
    v = n.value
    if not _is_matrix(v):
        if isinstance(v, (PartialOf, DerivOp)) or order not in (1, 2):
            raise Unsupported(f"{n.source}: this norm", ctx.line, ctx.column)
        return sp.Abs(v)
    if not isinstance(v, MatrixSymbol) or v.shape[1] != 1 or order not in (1, 2):
        raise Unsupported(f"{n.source}{'' if sub is None else '_' + str(order)}: the norm of a vector expression "
                          "(name the vector)", ctx.line, ctx.column)
    r = index("r")
    entry = sp.IndexedBase(v.name)[r]
    if order == 1:
        return sp.Sum(sp.Abs(entry), (r, 1, v.shape[0]))
    return sp.sqrt(sp.Sum(entry ** 2, (r, 1, v.shape[0])))


@dataclass(frozen=True)
class _Sub:
    exprs: tuple


def _arg_name(arg) -> str:
    if isinstance(arg, Name):
        return arg.text
    raise ParseError("expected a letter", None)


def _term_value(x, ctx: ParseContext):
    v = _value(x, ctx, allow_partial=True)
    if ctx.matrix_mode and _is_matrix(v) and v.shape == (1, 1):
        return sp.Trace(v)   # w^T x: a 1 x 1 matrix is the number it holds
    return v


def _scalar_arg(x, ctx: ParseContext):
    v = _term_value(x, ctx)
    if isinstance(v, (PartialOf, DerivOp)) or _is_matrix(v):
        raise ParseError("unexpected operand in a script", ctx.line, ctx.column)
    return v


def _index_list(arg, ctx: ParseContext) -> list:
    """z_i, p_{ik} (two indices), x_{i,j}, y_{c}, z_1, z_{k+1}."""
    if isinstance(arg, _Sub):
        out = []
        for e in arg.exprs:
            letters = _letters(e)
            if letters is not None and len(arg.exprs) == 1:
                out.extend(letters)
            elif letters is not None and len(letters) == 1:
                out.extend(letters)
            else:
                out.append(e)
        return [_index_value(x, ctx) for x in out]
    return [_index_value(arg, ctx)]


def _letters(e):
    """The single letters of an index group such as {ik} or {ijk}; None if it is an expression."""
    if isinstance(e, Name):
        return [Name(c) for c in e.text]
    if isinstance(e, Term) and all(isinstance(i, Name) or (isinstance(i, sp.Integer) and 0 <= i <= 9) for i in e.items):
        out = []
        for i in e.items:
            out.extend([Name(c) for c in i.text] if isinstance(i, Name) else [i])
        return out
    return None


def _index_value(x, ctx: ParseContext):
    if isinstance(x, Name) and not x.word and len(x.text) == 1:
        s = ctx.size_of(x.text)
        return s if s is not None else index(x.text)
    v = _term_value(x, ctx)
    if isinstance(v, (PartialOf, DerivOp)) or _is_matrix(v):
        raise ParseError("unexpected subscript", ctx.line, ctx.column)
    return v


def _postfix(base, scripts, ctx: ParseContext):
    if not scripts:
        return base   # a _Paren stays one, so softmax(x) is seen as a call
    primes = sum(a for kind, a in scripts if kind == "'")
    subs = [a for kind, a in scripts if kind == "_"]
    sups = [a for kind, a in scripts if kind == "^"]
    if len(subs) > 1 or len(sups) > 1:
        raise ParseError("double subscript or superscript", ctx.line, ctx.column)
    if primes:   # y'_k, f'(x): a name of its own (or a function's derivative, where a call follows)
        if not isinstance(base, Name) or scripts[0][0] != "'":
            shown = getattr(base, "source", "") or "an expression"
            raise Unsupported(f"{shown}{chr(39) * primes}: a derivative written with a prime", ctx.line, ctx.column)
        base = Name(base.text + "'" * primes, base.word, base.greek, base.source + "'" * primes)
        if not subs and not sups:
            return base
    if isinstance(base, _Norm):
        value = _norm(base, subs[0] if subs else None, ctx)
        return _power(value, sups[0], ctx) if sups else value
    if isinstance(base, _Paren) and sups and not subs:
        return _Paren(base.value, sups[0], base.source)
    if isinstance(base, _Paren) and subs:
        raise Unsupported(f"{base.source}_...: a subscript on an expression", ctx.line, ctx.column)
    value = base.value if isinstance(base, _Paren) else base
    if subs and value is sp.pi:  # \pi_i is a vector named pi (a prior), not the number pi
        value = Name("pi", word=True)
    if subs:
        value = _subscripted(value, subs[0], ctx)
    elif isinstance(value, Name) and value.text == "e" and not value.word and sups and sups[0] is not _TOP:
        return sp.exp(_scalar_arg(sups[0], ctx))
    else:
        value = _term_value(value, ctx)
    if sups:
        value = _power(value, sups[0], ctx)
    return value


def _subscripted(base, arg, ctx: ParseContext):
    if isinstance(base, _Bold):
        raise Unsupported(f"an indexed bold symbol \\mathbf{{{base.name}}}_...", ctx.line, ctx.column)
    if not isinstance(base, Name):
        raise Unsupported("a subscript on an expression", ctx.line, ctx.column)
    idx = _index_list(arg, ctx)
    if base.text == "delta" and base.word:
        if len(idx) != 2:
            raise ParseError("\\delta needs two indices", ctx.line, ctx.column)
        return sp.KroneckerDelta(*idx)
    if base.word and base.text in _WORD_FUNCS:
        raise Unsupported(f"{base.text} with a subscript", ctx.line, ctx.column)
    whole = whole_name(base.text, idx)
    if whole in ctx.names:
        return scalar(whole)
    if ctx.matrix_mode and base.text in ctx.matrices and all(t.is_Integer for t in idx):
        return matrix_symbol(whole, ctx)   # W_1, W_2: the matrices of two layers
    return indexed(base.text)[tuple(idx)]


def whole_name(base: str, idx) -> str:
    """The name of L_1, L_{CE} when it is defined as a whole (a name, not an entry of a vector L)."""
    return base + "_" + "".join(str(t) for t in idx)


def _power(value, arg, ctx: ParseContext):
    if isinstance(arg, Term) and len(arg.items) == 1:
        arg = arg.items[0]   # ^{\top}, ^{T}
    if arg is _TOP or (isinstance(arg, Name) and arg.text == "T" and _is_matrix(value)):
        return value.T if _is_matrix(value) else value
    if isinstance(arg, Name) and arg.text in ("t", "T") and not arg.word and isinstance(value, (sp.Symbol, sp.Indexed)):
        # w^t x, x^T y with w, x read as scalars: the transpose of a vector or a power t? Either guess can make
        # a false verdict (d/dw (w^t x + b) = x read as a power is a false "wrong")
        raise Unsupported(f"{value}^{arg.text}: a transpose or a power", ctx.line, ctx.column)
    exp_ = _scalar_arg(arg, ctx)
    if _is_matrix(value):
        raise Unsupported("a power of a vector", ctx.line, ctx.column)
    if isinstance(value, (PartialOf, DerivOp)):
        raise Unsupported("higher derivatives (\\partial^2)", ctx.line, ctx.column)
    return _bounded_pow(value, exp_, ctx)


def _bounded_pow(base, exp_, ctx: ParseContext):
    """base ** exp_, refused before computing when both are exact numbers and the result would have
    more than MAX_DIGITS digits (10^{10^{10}}, 9^{9^9}, 10^{-10^8}): SymPy would compute it in full."""
    if isinstance(exp_, sp.Rational) and abs(exp_) > MAX_EXPONENT and not isinstance(base, sp.Rational):
        raise TooLarge(f"an exponent too large to evaluate (more than {MAX_EXPONENT})", ctx.line, ctx.column)
    if isinstance(base, sp.Rational) and isinstance(exp_, sp.Rational) and not exp_.is_zero:
        size = max(abs(base.p), abs(base.q))
        e = abs(exp_)
        digits = 0.0 if size <= 1 else math.inf if e > 10 ** 30 else float(e) * math.log10(size)
        if digits > MAX_DIGITS:
            shown = f"about {digits:.2g} digits" if digits < math.inf else "more than 10^30 digits"
            raise TooLarge(f"a number too large to evaluate ({shown}; at most {MAX_DIGITS} are computed)",
                           ctx.line, ctx.column)
    return sp.Pow(base, exp_)


# -- index letters from a whole document ----------------------------------------------------
_SUB_RE = re.compile(r"_\s*(\{[^{}]*\}|[A-Za-z])")
_BASE_RE = re.compile(r"(?<![\\A-Za-z])([A-Za-z])\s*_")


def index_letters(texts) -> frozenset[str]:
    """Letters that are indices because they are written as one: in a subscript (a_c, p_{ik}, x_{i,j})
    or under a sum (\\sum_j, \\sum_{j=1}^{K}); every other letter is a name (a margin m, an order t)."""
    out: set[str] = set()
    for text in texts:
        for m in _SUB_RE.finditer(text):
            body = re.sub(r"\\[a-zA-Z]+", " ", m.group(1).strip("{}"))
            out.update(re.findall(r"(?<![A-Za-z])[a-z](?![A-Za-z])", body))
            if re.fullmatch(r"\s*[a-z]{2,4}\s*", body):
                out.update(body.strip())
    return frozenset(out - {"e"})


def scan_letters(text: str) -> tuple[frozenset[str], list[str]]:
    """(index letters, upper limits of sums) seen anywhere in the math of a document."""
    letters: set[str] = set()
    for m in _SUB_RE.finditer(text):
        body = m.group(1).strip("{}")
        body = re.sub(r"\\[a-zA-Z]+", " ", body)
        letters.update(re.findall(r"(?<![A-Za-z])[a-z](?![A-Za-z])", body))
        if re.fullmatch(r"\s*[a-z]{2,4}\s*", body):
            letters.update(body.strip())
        if re.fullmatch(r"\s*(?:[a-z][A-Z]|[A-Z][a-z])\s*", body):   # \delta_{jK}: an index beside the size
            letters.update(c for c in body if c.islower())
    bases = set(_BASE_RE.findall(text))
    uppers = [m.group(1) or m.group(2) for m in re.finditer(r"\\sum(?:\\limits)?\s*_\s*(?:\{[^{}]*\}|[A-Za-z])\s*\^\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))", text)]
    # an upper limit that a sum binds or starts from (sum_{i=1}^K sum_{j=1}^i, sum_{j=i}^K) is an
    # index, not the size: read as K, sum_i sum_{j<=i} 1 = K^2 was "proved"
    bound = set(re.findall(r"\\sum(?:\\limits)?\s*_\s*\{?\s*([A-Za-z])\b", text))
    bound |= set(re.findall(r"\\sum(?:\\limits)?\s*_\s*\{\s*[A-Za-z]\s*=\s*([A-Za-z])\b", text))
    letters.update(u for u in uppers if u in bound or u in _INDEX_LETTERS)   # an index, as in sum_{j=1}^{i}
    uppers = [u for u in uppers if u not in bound and u not in _INDEX_LETTERS]
    return frozenset(letters - bases - {"e"}), uppers


_INDEX_LETTERS = frozenset("ijl")   # never the name of a size (k is: "k classes", sum_{t=1}^{k} in real posts)
