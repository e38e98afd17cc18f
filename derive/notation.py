"""Frozen Notation: the names a derivation uses for logits, probabilities, target, loss and indices."""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, fields, replace

from .errors import UsageError, quoted

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
MAX_NAME = 24  # "logits", "epsilon": a name, not a paragraph
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}
# Names our formulas already use for something else ("e" stays allowed: the sources call the loss e).
RESERVED = {"exp", "log", "ln", "diag", "sum", "max", "min", "softmax", "sigma", "delta", "E", "I"}


@dataclass(frozen=True)
class Notation:
    logits: str = "z"
    probs: str = "a"
    target: str = "y"
    loss: str = "L"
    i: str = "i"
    j: str = "j"
    k: str = "k"

    @classmethod
    def parse(cls, text: str | None, base: Notation | None = None) -> Notation:
        """Read `logits=x,probs=s,target=y,loss=e,i=c,j=k,k=j` (any subset)."""
        base = base or cls()
        if not text:
            return base.validated()
        changes: dict[str, str] = {}
        names = {f.name for f in fields(cls)}
        for part in text.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise UsageError(f"--notation: expected KEY=VALUE, got {quoted(part.strip())}")
            key, value = (s.strip() for s in part.split("=", 1))
            if key not in names:
                raise UsageError(f"--notation: unknown name {quoted(key)} (use {', '.join(sorted(names))})")
            if key in changes:
                raise UsageError(f"--notation: {key} given twice")
            changes[key] = value
        return replace(base, **changes).validated()

    def validated(self) -> Notation:
        values = [getattr(self, f.name) for f in fields(self)]
        for f in fields(self):
            v = getattr(self, f.name)
            if len(v) > MAX_NAME:
                raise UsageError(f"--notation: {f.name} is a name of {len(v)} characters (at most {MAX_NAME})")
            if not _NAME.match(v) or keyword.iskeyword(v) or (len(v) > 1 and v not in GREEK and f.name in "ijk"):
                raise UsageError(f"--notation: {f.name}={quoted(v)} is not a usable name (a letter, or a Greek name)")
            if v in RESERVED:
                raise UsageError(f"--notation: {f.name}={quoted(v)} is reserved (it already means something in the formulas)")
        dup = {v for v in values if values.count(v) > 1}
        if dup:
            raise UsageError(f"--notation: the name {quoted(sorted(dup)[0])} is used twice")
        return self

    def check_size_name(self, name: str) -> None:
        """The general class count (K, C, n) must not collide with any other name."""
        if name in {getattr(self, f.name) for f in fields(self)}:
            raise UsageError(f"-K {name}: the class count collides with a name of the notation")

    def as_dict(self) -> dict[str, str]:
        return {"logits": self.logits, "probs": self.probs, "target": self.target, "loss": self.loss}
