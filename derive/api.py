"""The documented Python API: derivation(), gradient(), check(), check_text(), recipes()."""
from __future__ import annotations

import errno
import numbers
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import DeriveError, MissingFileError, UsageError, quoted

if TYPE_CHECKING:
    from .checker.checker import CheckResult
    from .notation import Notation
    from .steps import Derivation

#: A size: an integer >= 2 (explicit vectors and matrices) or a one-letter name such as "K" (index notation).
Size = int | str
#: Worked numbers by name: a number, a list of numbers (a list of rows for a batch), a NumPy array,
#: a PyTorch tensor, or the command line's text ("1.1,-0.7,0.1", rows separated by ";").
Values = Mapping[str, Any]
F = TypeVar("F", bound=Callable[..., Any])

# The command line's option names in an error message, as the Python keyword a caller wrote.
_WORDING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![\w-])-K '?([^\s:;,)']+)'?"), r"K=\1"),
    (re.compile(r"--values '?(\w+)'?"), r"values['\1']"),
    (re.compile(r"--param '?(\w+)'?"), r"params['\1']"),
    (re.compile(r"--(values|define|assume|notation|wrt|route|templates|style|flavor|format|lang)\b"), r"\1"),
    (re.compile(r"--param\b"), "params"),
)


def python_wording(message: str) -> str:
    """An error message of the engine with its command-line option names as Python keywords."""
    for pattern, replacement in _WORDING:
        message = pattern.sub(replacement, message)
    return message


def _pythonic(function: F) -> F:
    """Errors raised inside `function` keep their class and speak of keywords, not options."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except DeriveError as exc:
            worded = python_wording(str(exc))
            if worded == str(exc):
                raise
            raise _reworded(exc, worded) from None

    return wrapper  # type: ignore[return-value]


def _reworded(exc: DeriveError, message: str) -> DeriveError:
    """A copy of exc (same class, same attributes) whose message is `message`."""
    new = exc.__class__.__new__(exc.__class__)
    new.__dict__.update(exc.__dict__)
    if hasattr(new, "message"):
        new.message = python_wording(new.message)
    new.args = (message,)
    return new


# -- values, parameters and notation as Python gives them -------------------------------------
def _number(name: str, x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise UsageError(f"values[{quoted(name)}]: {quoted(x)} is not a number")
    return str(int(x)) if isinstance(x, numbers.Integral) else repr(float(x))


def value_text(name: str, value: Any) -> str:
    """One worked value as the engine reads it: "1.5", "1.1,-0.7,0.1", or rows "1,2;3,4"."""
    if isinstance(value, str):
        return value
    value = _plain(value)  # NumPy arrays and scalars, PyTorch tensors: Python numbers and lists
    if isinstance(value, (list, tuple)):
        if not value:
            raise UsageError(f"values[{quoted(name)}]: an empty list")
        if all(isinstance(row, (list, tuple)) for row in value):
            if any(isinstance(x, (list, tuple)) for row in value for x in row):
                raise UsageError(f"values[{quoted(name)}]: at most two dimensions (rows of numbers)")
            return ";".join(",".join(_number(name, x) for x in row) for row in value)
        return ",".join(_number(name, x) for x in value)
    return _number(name, value)


def values_text(values: Values | None) -> dict[str, str]:
    """Every worked value as text the engine reads; None or {} means no worked example."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise UsageError(f"values: expected a dict of name -> numbers, not {type(values).__name__}")
    out = {str(k): value_text(str(k), v) for k, v in values.items()}
    if any(";" in text for text in out.values()):  # a batch: its target as PyTorch takes it, a class per row
        for key in TARGET_NAMES & out.keys():
            flat = _plain(values[key])
            if isinstance(flat, list) and flat and all(isinstance(c, numbers.Integral) for c in flat):
                out[key] = out[key].replace(",", ";")
    return out


TARGET_NAMES = frozenset({"target", "y"})


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") and not isinstance(value, (list, tuple)) else value


def _notation_text(notation: str | Mapping[str, str] | Notation | None) -> Any:
    if isinstance(notation, Mapping):
        return ",".join(f"{k}={v}" for k, v in notation.items())
    return notation


def _texts(name: str, items: str | Iterable[str]) -> tuple[str, ...]:
    """define= and assume= take one LaTeX string or several."""
    out = (items,) if isinstance(items, str) else tuple(items)
    bad = next((x for x in out if not isinstance(x, str)), None)
    if bad is not None:
        raise UsageError(f"{name}: expected LaTeX strings, found {type(bad).__name__}")
    return out


# -- the API ------------------------------------------------------------------------------------
@_pythonic
def derivation(recipe: str = "softmax-cross-entropy", K: Size = "K",
               notation: str | Mapping[str, str] | Notation | None = None,
               params: Mapping[str, Any] | None = None, values: Values | None = None) -> Derivation:
    r"""Build and verify the derivation of a recipe (`derive.recipes()` lists them).

    >>> d = derive.derivation("softmax-cross-entropy", K=3, values={"z": [1.1, -0.7, 0.1], "target": 0})
    >>> d.verified, d.expression, d.latex
    (True, a - y, '\\mathbf{a} - \\mathbf{y}')
    >>> d.numbers
    Numbers(loss=0.427343, gradient=[-0.3478, 0.1078, 0.2399], check_digits=30)

    K: an integer >= 2 for explicit vectors and matrices, or a one-letter name ("K", "C") for a general
    size in index notation. notation: {"logits": "x", "probs": "s"} or "logits=x,probs=s". params: the
    recipe's parameters ({"reduction": "sum"}). values: worked numbers, each a number, a list (rows for a
    batch), a NumPy array or a tensor; a target is a class index (0-based) or a distribution, and a
    batch's target a list of class indices, one per row (as PyTorch takes it), or rows of distributions.

    Returns a frozen Derivation: .steps, .verified, .expression (SymPy), .latex, .numbers, .render(fmt).
    Raises UsageError for a bad recipe, size or value, UnsupportedError for what the engine cannot derive
    (both DeriveError; messages name the keyword: "K=1: softmax needs at least 2 classes").
    """
    from .pipeline import derivation as build

    return build(recipe, K, _notation_text(notation), {k: str(v) for k, v in (params or {}).items()},
                 values_text(values))


@_pythonic
def gradient(loss: str, define: str | Iterable[str] = (), assume: str | Iterable[str] = (), wrt: str | None = None,
             K: Size = "K", values: Values | None = None, notation: str | Mapping[str, str] | None = None,
             route: str | Iterable[str] = (), sizes: Mapping[str, Size] | None = None) -> Derivation:
    r"""Derive and verify, step by step, the gradient of a loss written in LaTeX.

    >>> g = derive.gradient(r"L = -\sum_{i=1}^{K} y_i \log a_i",
    ...                     define=r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}", assume=r"\sum_{i=1}^{K} y_i = 1")
    >>> g.verified, g.expression
    (True, a - y)

    define, assume: one LaTeX string or several. wrt: the variable (default: what the innermost definition
    depends on, the logits). K, values, notation: as for derivation(); values name any leaf
    ({"z": [1, 2, 3], "y": [0, 0, 1], "gamma": 2}). route="jacobian" derives the softmax's Jacobian case by
    case first, as textbooks do. sizes ({"D": 3}) gives the other sizes of matrices and batches (W_{id} with
    d up to D); a capital letter a sum runs to is a size without it. The LaTeX is read by derive's own
    grammar, never evaluated.

    Returns a frozen Derivation (as derivation() does). Raises ParseError for LaTeX it cannot read,
    UnsupportedError for a construct it cannot differentiate, UsageError for a bad keyword value.
    """
    from .engine import gradient as derive_gradient

    return derive_gradient(loss, _texts("define", define), _texts("assume", assume), wrt, K, values_text(values),
                           _notation_text(notation), _texts("route", route), dict(sizes or {}))


@_pythonic
def check(path: str | os.PathLike[str], K: Size | None = None, define: str | Iterable[str] = (),
          assume: str | Iterable[str] = ()) -> CheckResult:
    r"""Check the hand derivation in a file (.tex, or .md with $$ blocks), every equality of every chain.

    >>> r = derive.check("notes.md")     # notes.md holds $$\frac{\partial}{\partial x} x^3 = 2x^2$$
    >>> r.ok, r.first_wrong_line, r.counts()["wrong"]
    (False, 1, 1)

    path: a str or pathlib.Path; to check text you hold in a string, use check_text(). K, define, assume:
    as the file's own `% derive:` declarations (K=3, or a letter for a general size).

    Returns a CheckResult (.ok is True only when every claimed step is confirmed; .steps, one verdict per
    equality: ok, wrong with a counterexample, definition, or unverified with the reason). Raises
    FileNotFoundError (as MissingFileError, also a DeriveError) for a missing file, UsageError for a file
    that is not UTF-8, has no display math, or none of whose math could be read.
    """
    from .checker.command import read_input

    name = os.fspath(path)
    if not isinstance(name, str):
        raise UsageError(f"check: expected a path, not {type(path).__name__}")
    if not Path(name).exists():
        hint = " (to check LaTeX or Markdown held in a string, use derive.check_text)" \
            if "\n" in name or "$" in name or "\\" in name else ""
        raise MissingFileError(errno.ENOENT, f"no such file: {name}{hint}", name)
    text, shown = read_input(name)
    return _judge(text, shown, None, K, define, assume)


@_pythonic
def check_text(text: str, K: Size | None = None, define: str | Iterable[str] = (), assume: str | Iterable[str] = (),
               format: str | None = None, name: str = "<text>") -> CheckResult:
    r"""Check a hand derivation given as text (LaTeX or Markdown), as check() does a file.

    >>> derive.check_text(r"$$\frac{\partial}{\partial x} x^2 = 2x$$").ok
    True

    format: "tex" or "md" (default: Markdown when the text has $$ blocks and no LaTeX environment).
    name: what the report calls the text.
    """
    from .latex.extract import MAX_BYTES

    if not isinstance(text, str):
        raise UsageError(f"check_text: expected the text as a str, not {type(text).__name__}"
                         + (" (for a file, use derive.check)" if isinstance(text, os.PathLike) else ""))
    if format not in (None, "tex", "md"):
        raise UsageError(f"format={quoted(format)}: use 'tex' or 'md'")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise UsageError(f"{name}: larger than {MAX_BYTES // 1_000_000} MB")
    return _judge(text, name, format, K, define, assume)


def _judge(text: str, name: str, fmt: str | None, K: Size | None, define: str | Iterable[str],
           assume: str | Iterable[str]) -> CheckResult:
    from .checker.command import judge

    return judge(text, name, fmt, K=K, define=_texts("define", define), assume=_texts("assume", assume))


def recipes() -> list[str]:
    """The names of the recipes derivation() builds, in the order `derive list` shows them."""
    from .recipebook import all_recipes

    return [r.name for r in all_recipes()]
