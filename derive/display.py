"""How results show themselves in Python: short reprs, notebook tables, the result as SymPy and LaTeX."""
from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .checker.checker import CheckResult, StepResult
    from .steps import Derivation, Step

MAX_REPR = 72   # characters of a formula in a repr; the whole of it is in .latex and .expression


def _short(text: str, limit: int = MAX_REPR) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- derivations ----------------------------------------------------------------------------------
def expression(result: Any) -> Any:
    """The result as plain SymPy: a matrix written entry by entry (the engine's Entrywise) becomes an
    explicit sympy.Matrix when its size is known, else its (i, j) entry in index notation."""
    from .calculus.objects import Entrywise

    if not isinstance(result, Entrywise):
        return result
    import sympy as sp

    rows, cols = result.shape
    if rows.is_Integer and cols.is_Integer:
        return sp.Matrix(int(rows), int(cols), lambda r, c: result.entry(r + 1, c + 1))
    return result.args[0]


def latex(result: Any) -> str | None:
    """The result as the documents print it."""
    if result is None:
        return None
    from .render.printer import latex as print_latex

    return print_latex(result)


def methods(d: Derivation) -> str:
    """How the claims were confirmed, e.g. "20 symbolic, 5 numeric", and how many were not."""
    counts = Counter((s.verdict.method or s.verdict.status) if s.verdict is not None and s.verdict.ok
                     else "not confirmed" for s in d.claims)
    return ", ".join(f"{n} {what}" for what, n in counts.items())


def derivation_repr(d: Derivation) -> str:
    K = d.K if isinstance(d.K, int) else str(d.K)
    state = "verified" if d.verified else "NOT verified"
    numbers = ", worked numbers" if d.numeric is not None else ""
    result = f"; result {_short(str(expression(d.result)), 48)}" if d.result is not None else ""
    return f"<Derivation {d.recipe} K={K}: {len(d.steps)} steps, {state} ({methods(d)}){numbers}{result}>"


def step_repr(s: Step) -> str:
    v = s.verdict
    mark = "" if s.is_definition else " [not verified]" if v is None else \
        f" [{v.method or v.status}]" if v.ok else f" [{v.status}]"
    return f"<Step {s.rule.id}: {_short(f'{s.lhs} = {s.rhs}')}{mark}>"


@dataclass(frozen=True)
class Numbers:
    """The worked numbers of a derivation, in one shape for every recipe and every derive.gradient:
    the given values by name, then what was computed from them (vectors as lists, a batch as rows)."""

    values: dict[str, Any]
    probs: list[Any]
    loss: float | None
    gradient: list[Any]
    check_digits: int               # digits to which the gradient agrees with finite differences
    more: dict[str, Any] = field(default_factory=dict)   # a recipe's own extras (reduction, defined vectors)

    @classmethod
    def of(cls, numeric: Any) -> Numbers:
        data = dict(numeric.as_json())
        given = data.pop("values", None)
        logits, target = data.pop("logits", []), data.pop("target", [])
        values = dict(given) if given is not None else {"logits": logits, "target": target}
        return cls(values, data.pop("probs", []), data.pop("loss", None), data.pop("gradient", []),
                   data.pop("gradient_check_digits", 0), data)

    def as_dict(self) -> dict[str, Any]:
        return {"values": self.values, "probs": self.probs, "loss": self.loss, "gradient": self.gradient,
                "check_digits": self.check_digits, **self.more}

    def __repr__(self) -> str:
        loss = "" if self.loss is None else f"loss={self.loss:.6g}, "
        return f"Numbers({loss}gradient={_short(_rounded(self.gradient), 56)}, check_digits={self.check_digits})"


def _rounded(xs: Any) -> str:
    if isinstance(xs, list):
        return "[" + ", ".join(_rounded(x) for x in xs) + "]"
    return f"{xs:.4g}" if isinstance(xs, float) else str(xs)


# -- check results --------------------------------------------------------------------------------
def check_repr(r: CheckResult) -> str:
    counts = ", ".join(f"{n} {k}" for k, n in r.counts().items() if n)
    first = f", first wrong line {r.first_wrong_line}" if r.first_wrong_line is not None else ""
    return f"<CheckResult {r.file}: {'ok' if r.ok else 'NOT ok'} ({counts or 'no steps'}){first}>"


def _claim(s: StepResult) -> str:
    return f"{s.lhs} = {s.rhs}" if s.rhs else s.lhs


def _why(s: StepResult) -> str:
    parts = [s.reason] if s.reason else []
    if s.conditions:
        parts.append("assuming " + ", ".join(s.conditions))
    return "; ".join(parts)


def check_markdown(r: CheckResult) -> str:
    """A table of lines and verdicts; each claim as the user wrote it, in $...$ for the notebook."""
    cell = {ord("|"): "\\|", ord("\n"): " "}
    rows = [f"| {s.line} | ${_claim(s).translate(cell)}$ | **{s.status}** | {_why(s).translate(cell)} |"
            for s in r.steps]
    return "\n".join([f"**{html.escape(r.file)}**: {check_repr(r)[1:-1].split(': ', 1)[1]}", "",
                      "| line | claim | verdict | why |", "|---:|---|---|---|", *rows]) + "\n"


_COLOURS = {"ok": "#1a7f37", "wrong": "#cf222e", "unverified": "#9a6700", "definition": "#57606a"}


def check_html(r: CheckResult) -> str:
    """The same table in HTML (every text escaped: the claims are the user's)."""
    rows = "".join(
        f"<tr><td style='text-align:right'>{s.line}</td><td>${html.escape(_claim(s))}$</td>"
        f"<td style='color:{_COLOURS.get(s.status, 'inherit')}'><b>{html.escape(s.status)}</b></td>"
        f"<td>{html.escape(_why(s))}</td></tr>" for s in r.steps)
    return (f"<p><b>{html.escape(r.file)}</b>: {html.escape(check_repr(r)[1:-1].split(': ', 1)[1])}</p>"
            "<table><thead><tr><th>line</th><th>claim</th><th>verdict</th><th>why</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
