"""Recipe registry: name -> builder, with a one-line description, a group and its parameters."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from ..errors import UsageError, quoted


@dataclass(frozen=True)
class Param:
    """A --param KEY=VALUE a recipe takes."""

    name: str
    help: str
    default: Any
    parse: Callable[[str], Any] = float
    check: Callable[[Any], str | None] = lambda v: None   # returns a problem, or None


@dataclass(frozen=True)
class Recipe:
    name: str
    group: str
    summary: str
    build: Callable                 # build(K, notation, params) -> Derivation (unverified)
    params: tuple[Param, ...] = ()
    details: str = ""
    target: str = "one-hot"         # what --values target= means: "one-hot" | "distribution" | "any"
    batch: bool = False
    examples: tuple[str, ...] = field(default=())
    # example(d, recipe, values) -> a worked example; None: numeric.worked_example's own (one sample)
    example: Callable | None = None

    def parse_params(self, pairs: dict[str, str]) -> dict[str, object]:
        known = {p.name: p for p in self.params}
        out = {p.name: p.default for p in self.params}
        for key, raw in pairs.items():
            if key not in known:
                takes = ", ".join(sorted(known)) or "no parameters"
                raise UsageError(f"recipe {self.name} does not take --param {key} (it takes {takes})")
            p = known[key]
            try:
                value = p.parse(raw)
            except (ValueError, TypeError):
                raise UsageError(f"--param {key}={quoted(raw)}: not a valid value ({p.help})") from None
            problem = p.check(value)
            if problem:
                raise UsageError(f"--param {key}={raw}: {problem}")
            out[key] = value
        return out


REGISTRY: dict[str, Recipe] = {}


def register(recipe: Recipe) -> Recipe:
    REGISTRY[recipe.name] = recipe
    return recipe


def get(name: str) -> Recipe:
    _load(name)
    if name not in REGISTRY:
        close = difflib.get_close_matches(name, list(REGISTRY), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; see 'derive list'"
        raise UsageError(f"unknown recipe {quoted(name)}{hint}")
    return REGISTRY[name]


def all_recipes() -> list[Recipe]:
    _load()
    return list(REGISTRY.values())


def _load(name: str | None = None) -> None:
    # Importing a recipe module registers its recipes.
    from . import softmax  # noqa: F401  (first: the main recipes lead the list)
    if name in REGISTRY:
        return  # one of the main recipes: the family (and the engine it imports) is not needed
    from . import family  # noqa: F401
