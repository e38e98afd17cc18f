"""The whole path in one place: build a recipe, verify every step, add worked numbers."""
from __future__ import annotations

from dataclasses import replace

from . import recipebook as recipes
from .notation import Notation
from .recipebook.base import parse_size
from .steps import Derivation, Step
from .verifier.verify import Context, Verdict, verify


def derivation(recipe: str = "softmax-cross-entropy", K: int | str = "K", notation: Notation | str | None = None,
               params: dict[str, str] | None = None, values: dict[str, str] | None = None) -> Derivation:
    """Build, verify and (with values) evaluate a derivation. The public entry point."""
    r = recipes.get(recipe)
    notation = notation if isinstance(notation, Notation) else Notation.parse(notation)
    size = parse_size(K, notation)
    built = r.build(size, notation, r.parse_params(params or {}))
    checked = verify_derivation(built)
    if values:
        from .numeric import worked_example

        checked = checked.with_numeric(worked_example(checked, r, values))
    return checked


def verify_derivation(d: Derivation) -> Derivation:
    """Attach a verdict to every step but the definitions: every printed equality is a claim."""
    return d.with_steps(_verified(s, d) for s in d.steps)


def _verified(s: Step, d: Derivation) -> Step:
    if s.is_definition:
        return s
    return replace(s, verdict=verify(s.lhs, s.rhs, step_context(d, s)))


def step_context(d: Derivation, s: Step) -> Context:
    """The derivation's context, with the constraints this step uses and its index conditions."""
    imposed = dict(c for key, c in d.constraints if key in s.uses)
    domains = tuple((n, imposed.pop(n, dom)) for n, dom in d.context.domains) + tuple(imposed.items())
    return replace(d.context, domains=domains, conditions=d.context.conditions + tuple(s.conditions))


def unconfirmed(d: Derivation) -> list[tuple[int, Step, Verdict]]:
    """(number, step, verdict) of every claimed step the verifier did not confirm (a step never
    verified counts as unconfirmed: verify_derivation gives every claim a verdict)."""
    return [(n, s, s.verdict or Verdict("unconfirmed", None, "not verified"))
            for n, s in enumerate(d.steps, 1) if s in d.claims and not (s.verdict and s.verdict.ok)]
