"""Every printed display read back by the project's own reader equals the step's SymPy objects.

What is printed is what was verified only if the printed LaTeX denotes the verified objects: each
line of every document (every recipe at K = 2, 3 and a general K, the derived losses of
tests/engine/losses.py; every style) is parsed by derive.latex (normalize + parse_latex, as
`derive check` reads it), the left side and the right side as printed (a broken line joined), and
compared with the step's own lhs and rhs:

- structurally: the reader's expression equals the step's object rebuilt with SymPy's automatic
  evaluation (the step's objects are kept unevaluated so that they print as built; evaluation
  only reorders and flattens, so equal trees denote the same expression);
- else by the verifier's symbolic prover (proved, never a numeric check), without the step's
  constraints (no sum y = 1), so only an identity can pass: a printed line that re-reads to an
  expression proved equal to the object states the same equation. This covers notation the reader
  writes in another but equal form (a sum's bound index renamed, a vector read as its entries).

A matrix drawn entry by entry is read cell by cell: each shown cell against the object's entry at
that position, computed by SymPy substitution (not by the printer's own rebuilding). Every format
prints these strings: each is looked for in the rendered latex, latex-fragment, markdown, html and
json documents (the text format prints Unicode, not LaTeX, and has its own tests).
"""
from __future__ import annotations

import html
import json
import re
from functools import cache

import pytest
import sympy as sp

from derive.calculus.objects import Entrywise
from derive.errors import DeriveError, UsageError
from derive.latex.normalize import normalize
from derive.latex.parse import EULER, ParseContext, parse_latex
from derive.render import latex, render
from derive.render.environment import messages
from derive.render.view import view
from derive.verifier.verify import verify

STYLES = ("full", "paper", "teaching")
FORMATS = ("latex", "latex-fragment", "markdown", "html", "json")


def _recipes():
    from derive.recipebook import all_recipes

    return [r.name for r in all_recipes()]


def _losses():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
    from losses import LOSSES

    return LOSSES


def documents():
    # batch-cross-entropy is left out: its batch size N is the engine's BatchSize object, which the
    # reader reads as a plain letter N; comparing the two needs a batch context the test does not build
    out = [("recipe", name, K) for name in _recipes() if name != "batch-cross-entropy" for K in ("2", "3", "K")]
    out += [("loss", name, K) for name in _losses() for K in ("3", "K")]
    return out


@cache
def derivation(kind: str, name: str, K: str):
    import derive
    from derive.pipeline import derivation as recipe

    try:
        if kind == "recipe":
            return recipe(name, K)
        loss, define, facts, _, _ = _losses()[name]
        return derive.gradient(loss, define=define, assume=facts, K=K)
    except UsageError:
        return None   # a recipe refusing a size (sigmoid-cross-entropy is the K = 2 case)


def canonical(e):
    """The object rebuilt with SymPy's evaluation (flattened, ordered), in the reader's letters for
    the two constants it reads as names: Euler's e (the reader's EULER) and the batch size N."""
    if isinstance(e, sp.Basic) and e.has(sp.E):
        e = e.xreplace({sp.E: EULER})
    if type(e).__name__ == "BatchSize":
        return sp.Symbol("N")
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, (sp.Indexed, sp.IndexedBase, sp.MatrixSymbol)):
        return e
    args = [canonical(a) for a in e.args]
    try:
        return e.func(*args)
    except (TypeError, ValueError):
        return e


def context(d) -> ParseContext:
    sizes = (("K", sp.Integer(d.K)),) if isinstance(d.K, int) else ((str(d.K), d.K),)
    loss = d.notation.loss
    return ParseContext(sizes=sizes, default_size=sizes[0][1], names=frozenset({loss}) if "_" in loss else frozenset())


def reread(tex: str, ctx: ParseContext):
    return parse_latex(normalize(tex), ctx)


def same(printed, obj, d, step) -> str | None:
    """'structural' or 'proved' when the re-read printed side is the object; else None."""
    obj = canonical(obj)
    if printed == obj:
        return "structural"
    base = d.context.with_conditions(*step.conditions)
    verdict = verify(printed.xreplace({EULER: sp.E}), obj.xreplace({EULER: sp.E}), base)
    return "proved" if verdict.ok and verdict.method == "symbolic" else None


_CELL_SPLIT = re.compile(r"\\\\")


def cells(tex: str) -> list[list[str]]:
    body = re.fullmatch(r"\s*\\begin\{pmatrix\}(.*)\\end\{pmatrix\}\s*", tex, re.S)
    assert body, tex
    return [[c.strip() for c in row.split("&")] for row in _CELL_SPLIT.split(body.group(1))]


def positions(n, shown: int = 6):
    if isinstance(n, sp.Integer) and int(n) <= shown:
        return [sp.Integer(v) for v in range(1, int(n) + 1)]
    return [sp.Integer(1)] if n == 1 else [sp.Integer(1), sp.Integer(2), None, n]


def entry(obj: Entrywise, r, c):
    body, i, j, _, _ = obj.args
    e = body.xreplace({i: r, j: c})
    # displayed positions are distinct: 1, 2, ..., K (the document's size K >= 3)
    return e.replace(lambda x: isinstance(x, sp.KroneckerDelta) and x.args[0] in (r, c) and x.args[1] in (r, c)
                     and x.args[0] != x.args[1], lambda x: sp.Integer(0))


def matrix_same(tex: str, obj: Entrywise, d, step, ctx) -> str | None:
    rows, cols = obj.args[3], obj.args[4]
    grid = cells(tex)
    for r, line in zip(positions(rows), grid):
        for c, cell in zip(positions(cols), line):
            if r is None or c is None:
                assert cell in (r"\vdots", r"\cdots", r"\ddots"), cell
                continue
            if same(reread(cell, ctx), entry(obj, r, c), d, step) is None:
                return None
    return "cells"


def sides(d, style: str):
    """(printed lhs, printed rhs, step) of every line of the style's document."""
    v = view(d, messages("en"), "latex", "en", style)
    for sec in v["sections"]:
        for block in sec["blocks"]:
            for line in block["lines"]:
                rhs = " ".join(str(p) for p in line["rhs_parts"]) if line.get("rhs_parts") else str(line["rhs"])
                yield str(line["lhs"]), rhs, line.get("rhs_parts") or [line["rhs"]], line._step


# what the reader does not read yet (issue 17's constructs): such a display is counted, not compared
def _named_function(e) -> bool:
    """H(y), KL(y || a): functions the reader has no entry for."""
    return any(type(f).__name__ == "Functional" or isinstance(f, sp.core.function.AppliedUndef)
               for f in e.atoms(sp.Function, sp.Symbol))


READER_LIMITS = ("a named function", r"\partial^{2}", r"the command \nabla", "a matrix written out entry by entry", r"unexpected \|", "the function sg(", r"the command \max",
                 "the derivative of a vector with respect to a scalar", "a sum of a vector and a number",
                 "is never defined (define")   # H(y), KL(y || a): a call of a function the display never defines
TALLY: dict[str, int] = {}


@pytest.mark.parametrize("kind, name, K", documents())
def test_every_printed_display_rereads_to_its_step(kind, name, K):
    d = derivation(kind, name, K)
    if d is None:
        pytest.skip(f"{name} refuses K = {K}")
    ctx = context(d)
    rendered = {}
    for style in STYLES:
        for fmt in FORMATS:
            text = render(d, fmt, "en", style=style)
            rendered[style, fmt] = html.unescape(text) if fmt == "html" else text
    problems, unread = [], []
    for style in STYLES:
        for lhs, rhs, parts, step in sides(d, style):
            for fmt in FORMATS:
                text = rendered[style, fmt]
                if fmt == "json":
                    assert any(s["lhs"] == lhs for s in json.loads(text)["steps"]), (fmt, lhs)
                    continue
                # a format that does not break lines (Markdown, HTML) prints the right side whole
                assert lhs in text and (all(str(p) in text for p in parts) or str(latex(step.rhs)) in text), \
                    (style, fmt, lhs, parts)
            for tex, obj in ((lhs, step.lhs), (rhs, step.rhs)):
                if isinstance(obj, Entrywise) and tex.lstrip().startswith(r"\begin{pmatrix}"):
                    how = matrix_same(tex, obj, d, step, ctx)
                else:
                    try:
                        how = same(reread(tex, ctx), obj, d, step)
                    except DeriveError as exc:
                        unread.append(f"{style}: {tex[:80]}: {exc}")
                        TALLY["unread"] = TALLY.get("unread", 0) + 1
                        continue
                if how is None and _named_function(obj):
                    unread.append(f"{style}: {tex[:80]!r}: a named function (H, KL) the reader takes for a product")
                    TALLY["unread"] = TALLY.get("unread", 0) + 1
                    continue
                if how is None:
                    problems.append(f"{style}: {tex!r} does not re-read to {obj}")
                TALLY[how or "different"] = TALLY.get(how or "different", 0) + 1
    assert not problems, "\n".join(problems[:10])
    assert all(any(x in u for x in READER_LIMITS) for u in unread), "\n".join(unread[:10])


def teardown_module(module):
    """The figures of the run, for the record (test-artifacts/reread.json)."""
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "reread.json").write_text(json.dumps(TALLY, indent=1) + "\n", encoding="utf-8")
