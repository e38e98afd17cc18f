"""The derivation engine: a loss written in LaTeX (or a LossSpec) -> a verified step-by-step gradient."""
from __future__ import annotations

from .spec import Constraint, LossSpec, from_latex, sum_limit
from .strategy import Move, Stuck, Unknown, chain, do_one, exhaust

__all__ = ["Constraint", "LossSpec", "Move", "Stuck", "Unknown", "chain", "do_one", "exhaust", "from_latex",
           "gradient", "derive_spec"]


def derive_spec(spec: LossSpec, notation=None, recipe: str = "grad"):
    """Derive and verify the gradient a LossSpec describes."""
    from ..pipeline import verify_derivation
    from .build import derive_gradient

    return verify_derivation(derive_gradient(spec, notation, recipe))


ROUTES = ("lemmas", "jacobian")   # cite -sum t log a as one line; derive the softmax Jacobian case by case


def gradient(loss: str, define=(), assume=(), wrt: str | None = None, K="K", values=None, notation=None,
             route=(), sizes=()):
    """`derive.gradient(r'L = -\\sum_i y_i \\log a_i', define=[r'a_i = ...'], assume=[r'\\sum_i y_i = 1'])`;
    route=("jacobian",) writes the textbook's route (the Jacobian case by case, then J^T dL/da)."""
    from ..notation import Notation
    from ..recipebook.base import parse_size

    define = [define] if isinstance(define, str) else list(define)
    assume = [assume] if isinstance(assume, str) else list(assume)
    if K == "K":  # not given: the letter the sums run to (sum_{c=1}^{C}) names the number of classes
        K = sum_limit([loss, *define, *assume]) or K
    size = parse_size(K, Notation())
    route = (route,) if isinstance(route, str) else tuple(route)
    unknown = [r for r in route if r not in ROUTES]
    if unknown:
        from ..errors import UsageError, quoted

        raise UsageError(f"route {quoted(unknown[0])}: the engine knows {', '.join(ROUTES)}")
    if notation:  # the formulas carry the names the loss writes; renaming only the prose would contradict them
        from ..errors import UsageError

        raise UsageError("notation: derive grad names everything as the loss writes it; rename in the LaTeX instead")
    sizes = tuple(sizes.items()) if isinstance(sizes, dict) else tuple(sizes)
    spec = from_latex(loss, define, assume, wrt, size, route=route, sizes=sizes)
    d = derive_spec(spec)
    if values and "wrt" in dict(d.params):  # derived by the tensor route: matrices, batches, layers
        from .tensor_numbers import worked as tensor_worked

        d = d.with_numeric(tensor_worked(d, spec, values))
    elif values:
        from .numbers import worked

        d = d.with_numeric(worked(d, spec, values))
    return d
