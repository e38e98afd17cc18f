"""Exception hierarchy; the CLI maps each class to an exit code and one line on stderr."""
from __future__ import annotations


class DeriveError(Exception):
    """Base class of every error the engine raises on purpose."""

    exit_code = 2


class UsageError(DeriveError):
    """A bad option, parameter or value given by the user."""


class ParseError(DeriveError):
    """User math that our grammar cannot read; carries a line and column when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line, self.column, self.message = line, column, message
        where = f"line {line}" + (f", column {column}" if column else "") + ": " if line else ""
        super().__init__(where + message)


class UnsupportedError(DeriveError):
    """Input that is well formed but outside what the engine handles (yet)."""


class RenderError(DeriveError):
    """A template, TeX run or output file that could not be produced."""


class VerificationError(DeriveError):
    """A step the verifier refuted or could not confirm (render exits 1)."""

    exit_code = 1
