"""derive: derive, verify and typeset the calculus of softmax and cross-entropy; check hand derivations.

    import derive
    d = derive.derivation("softmax-cross-entropy", K=3, values={"z": [1.1, -0.7, 0.1], "target": 0})
    d.verified, d.expression, d.latex, d.numbers      # True, a - y, '\\mathbf{a} - \\mathbf{y}', Numbers(...)
    derive.gradient(r"L = -\\sum_i y_i \\log a_i", define=r"a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}")
    derive.check("notes.md").ok                       # a file; derive.check_text(text) for a string

Every equality a result holds has been verified; errors are DeriveError and its subclasses.
Importing derive is cheap: SymPy is loaded at the first call.
"""
from __future__ import annotations

from .api import check, check_text, derivation, gradient, recipes
from .errors import (DeriveError, MissingFileError, ParseError, RenderError, UnsupportedError, UsageError,
                     VerificationError)

__version__ = "0.1.0"

__all__ = ["derivation", "gradient", "check", "check_text", "recipes", "DeriveError", "UsageError", "ParseError",
           "UnsupportedError", "RenderError", "VerificationError", "MissingFileError", "__version__"]
