"""The label of the paper fragment's equation each step is printed in (or folded into)."""
from __future__ import annotations

from ...steps import Derivation
from ..route import paper_rows
from ..view import label_prefix  # the fragment's own default prefix (eq:<recipe>[-K<k>], eq:grad-<hex>)


def equation_label(d: Derivation, number: int) -> str:
    """The fragment's \\label of equation `number` (as derive.render.view numbers and prefixes them)."""
    return f"{label_prefix(d)}-{number}"


def labels(d: Derivation) -> dict[int, str]:
    """id(step) -> the label of the paper row that prints it or that it is folded into."""
    defs, displays = paper_rows(d)
    out: dict[int, str] = {}
    for number, row in enumerate([*defs, *[r for rows in displays for r in rows]], 1):
        for s in row.merged:
            out[id(s)] = equation_label(d, number)
    return out


def label_of(d: Derivation, table: dict[int, str], step) -> str:
    """The step's label; a step the fragment leaves out (the matrix of entries) takes the last one."""
    return table.get(id(step)) or (equation_label(d, len(set(table.values()))) if table else "")
