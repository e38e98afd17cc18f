"""The paper route: the shortest route through a verified derivation, every row one of its verified steps.

Each step of a derivation claims `lhs = rhs` for its own lhs (a chain line too), so dropping the
intermediate lines of a chain leaves only equalities the verifier confirmed: `lhs = r1 = r3` prints
the verified claims lhs = r1 and lhs = r3, nothing new. The dropped lines become the justification
of the row that follows them (their rule names, and references to the equations they substitute).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from ..calculus.objects import Entrywise, Grad
from ..steps import Derivation, Rule, Step
from .printer import latex

# the case split is the blog's route to the unified formula; a paper states the unified formula
CASES = (Rule.CASE_DIAGONAL, Rule.CASE_OFF_DIAGONAL)
# moves too small to name in a paper's justification
LONG = 150   # characters of LaTeX: a first line this long is left to the line that follows it
SILENT = (Rule.ALGEBRA, Rule.LINEARITY, Rule.VECTOR_FORM, Rule.FACTOR_CONSTANT, Rule.MATRIX_FORM, Rule.JACOBIAN_MATRIX)


@dataclass(frozen=True)
class Row:
    """One printed line: a step of the full route, and the steps of the full route it stands for."""

    step: Step
    merged: tuple[Step, ...]      # the dropped steps before it and the step itself
    refs: tuple[int, ...] = ()    # numbers of earlier rows it substitutes (filled in by paper_rows)


def _explicit(e) -> bool:
    """An explicit vector or matrix (drawn entry by entry): teaching material, not a paper's."""
    return bool(getattr(e, "has", None)) and e.has(Entrywise)


def _groups(d: Derivation) -> list[list[list[Step]]]:
    """The claims grouped by the quantity they compute (their lhs), each a list of chain blocks,
    in the order of each group's last step; case splits left out."""
    groups: dict[str, list[list[Step]]] = {}
    last: dict[str, int] = {}
    dropped = False
    for n, s in enumerate(d.steps):
        if s.is_definition:
            continue
        if not s.chain:
            dropped = s.rule in CASES or bool(s.conditions)
        if dropped or s.conditions:
            continue
        key = latex(s.lhs)
        blocks = groups.setdefault(key, [])
        if s.chain and blocks and last.get(key) == n - 1:
            blocks[-1].append(s)
        else:
            blocks.append([s])
        last[key] = n
    return [groups[k] for k in sorted(groups, key=lambda k: last[k])]


def _kept(blocks: list[list[Step]]) -> list[Step]:
    """The lines a paper prints of one quantity: its first line, the end of each block, and
    substitutions (they show what was put in); explicit matrices only when nothing else is left."""
    steps = [s for b in blocks for s in b]
    ends = {id(b[-1]) for b in blocks}
    if isinstance(steps[0].lhs, MatrixExpr):   # a vector or matrix: its final form (the route is the index one)
        compact = [s for s in steps if not (_explicit(s.rhs) and not _explicit(s.lhs))]
        return (compact or steps)[-1:]
    keep = [s for n, s in enumerate(steps)
            if n == 0 and not (len(blocks[0]) > 1 and len(latex(s.rhs)) > LONG)
            or id(s) in ends or s.rule is Rule.SUBSTITUTE]
    compact = [s for s in keep if not (_explicit(s.rhs) and not _explicit(s.lhs))]
    return compact or keep


def _wanted(blocks: list[list[Step]]) -> bool:
    """A quantity only restated entry by entry (dL/da as a column) adds no fact to a paper."""
    kept = _kept(blocks)
    last = kept[-1] if kept else blocks[-1][-1]
    return not (last.rule is Rule.VECTOR_FORM and _explicit(last.rhs) and not _explicit(last.lhs)
                or last.rule is Rule.MATRIX_OF_ENTRIES)


def paper_rows(d: Derivation) -> tuple[list[Row], list[list[Row]]]:
    """The definitions (numbered rows), and the rows of each quantity (a display each)."""
    defs = [Row(s, (s,)) for s in d.steps if s.is_definition]
    defined = {s.step.lhs: n for n, s in enumerate(defs, 1)}
    derived: dict = {}
    number = len(defs)
    displays: list[list[Row]] = []
    for blocks in filter(_wanted, _groups(d)):
        keep = {id(s) for s in _kept(blocks)}
        rows: list[Row] = []
        pending: list[Step] = []
        before = blocks[0][0].lhs
        for s in (s for b in blocks for s in b):
            pending.append(s)
            if id(s) not in keep:
                continue
            refs = _refs(before, s.rhs, defined, derived)
            rows.append(Row(replace(s, chain=bool(rows)), tuple(pending), refs))
            pending, before = [], s.rhs
        number += len(rows)
        derived.setdefault(rows[0].step.lhs, number)   # the display's last line: its result
        displays.append(rows)
    return defs, displays


def _refs(before, after, defined: dict, derived: dict) -> tuple[int, ...]:
    """The equations a move from `before` to `after` relies on: an earlier result whose left side
    was in `before` and is gone (substituted), a definition whose name newly appears (folded)."""
    refs = {n for lhs, n in derived.items() if _has(before, lhs) and not _has(after, lhs)}
    refs |= {n for lhs, n in defined.items() if _bare(after, lhs) and not _has(before, lhs)}
    return tuple(sorted(refs))


def _bare(e, part) -> bool:
    """part occurs in e outside any derivative (a_i in da_i/dz_j is not a use of its definition)."""
    if e == part:
        return True
    if isinstance(e, (sp.Derivative, Grad)) or not getattr(e, "args", ()):
        return False
    return any(_bare(a, part) for a in e.args)


def _has(e, part) -> bool:
    return e == part or bool(getattr(e, "has", None)) and e.has(part)
