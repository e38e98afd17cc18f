"""derive: derive, verify and typeset the calculus of softmax and cross-entropy."""
from __future__ import annotations

__version__ = "0.1.0"


def derivation(recipe: str = "softmax-cross-entropy", K="K", notation=None, params=None, values=None):
    """Build and verify a derivation: `derive.derivation("softmax-cross-entropy", K=3)`.

    Render it with `d.render("latex" | "latex-fragment" | "markdown" | "html" | "text" | "json", lang)`.
    """
    from .pipeline import derivation as _derivation

    return _derivation(recipe, K, notation, params, values)


def recipes() -> list[str]:
    """The names of the recipes."""
    from .recipebook import all_recipes

    return [r.name for r in all_recipes()]


def check(source, **kwargs):
    """Check a hand derivation (a path, or LaTeX/Markdown text); see derive.checker."""
    from .checker.command import check as _check

    return _check(source, **kwargs)


__all__ = ["derivation", "recipes", "check", "__version__"]
