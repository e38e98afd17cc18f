"""derive: derive, verify and typeset the calculus of softmax and cross-entropy."""
from __future__ import annotations

__version__ = "0.1.0"


def derivation(recipe: str = "softmax-cross-entropy", K="K", notation=None, params=None, values=None):
    """Build and verify a derivation: `derive.derivation("softmax-cross-entropy", K=3)`.

    Render it with `d.render("latex" | "latex-fragment" | "markdown" | "html" | "text" | "json", lang)`.
    """
    from .pipeline import derivation as _derivation

    return _derivation(recipe, K, notation, params, values)


def gradient(loss, define=(), assume=(), wrt=None, K="K", values=None, notation=None, route=()):
    """Derive and verify the gradient of a loss written in LaTeX, step by step:

    `derive.gradient(r"L = -\\sum_i y_i \\log a_i", define=[r"a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}"],
    assume=[r"\\sum_i y_i = 1"])`. `values` ({"z": "1,2,3", "y": "0,0,1", "gamma": "2"}) adds worked numbers;
    `route="jacobian"` derives the softmax's Jacobian case by case first, as textbooks do.
    """
    from .engine import gradient as _gradient

    return _gradient(loss, define, assume, wrt, K, values, notation, route)


def recipes() -> list[str]:
    """The names of the recipes."""
    from .recipebook import all_recipes

    return [r.name for r in all_recipes()]


def check(source, **kwargs):
    """Check a hand derivation (a path, or LaTeX/Markdown text); see derive.checker."""
    from .checker.command import check as _check

    return _check(source, **kwargs)


__all__ = ["derivation", "gradient", "recipes", "check", "__version__"]
