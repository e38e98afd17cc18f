"""Code from a verified derivation: --format numpy | torch, a module with loss(), grad(), WRT, LEAVES."""
from __future__ import annotations

import sympy as sp

from ...errors import UsageError
from ...steps import Derivation
from .backend import BACKENDS
from .jacobian import function_program, jacobian_step
from .lower import program
from .module import function_module_text, module_text


def check_codeable(d: Derivation) -> None:
    """Code only from a fully verified, simplified derivation: else one line (exit 2)."""
    if not d.verified:
        from ...pipeline import unconfirmed

        n, s, v = unconfirmed(d)[0]
        raise UsageError(f"no code: step {n} ({s.rule.id}) is {v.status}; code is generated only from a "
                         "fully verified derivation")
    if dict(d.params).get("simplified") == "no":
        raise UsageError("no code: the gradient is not simplified to the defined names")


def generate(d: Derivation, fmt: str) -> str:
    """The module's text for `fmt` (numpy or torch): a loss and its gradient, or (a derivation of the
    softmax's Jacobian) the softmax and its backward."""
    check_codeable(d)
    step = jacobian_step(d) if not _has_loss(d) else None
    if step is not None:
        return function_module_text(function_program(d, step), BACKENDS[fmt], d.recipe)
    return module_text(program(d), BACKENDS[fmt], _title(d))


def _has_loss(d: Derivation) -> bool:
    return any(isinstance(df.head, sp.Symbol) and str(df.head) == d.notation.loss for df in d.context.definitions)


def generate_test(d: Derivation, module_file: str) -> str:
    """The pytest file that checks the torch module `module_file` (beside it)."""
    from .testgen import function_test_text, test_text

    check_codeable(d)
    K = d.K if isinstance(d.K, int) else None
    step = jacobian_step(d) if not _has_loss(d) else None
    if step is not None:
        return function_test_text(function_program(d, step), module_file, K)
    return test_text(program(d), module_file, K)


def _title(d: Derivation) -> str:
    if d.recipe == "grad":
        from ..plain import plain_formula

        loss = next(s for s in d.steps if s.is_definition and str(s.lhs) == d.notation.loss)
        return f"{d.notation.loss} = {plain_formula(loss.rhs)}"
    return d.recipe


__all__ = ["check_codeable", "generate", "generate_test"]
