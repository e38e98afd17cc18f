"""Exception hierarchy; the CLI maps each class to an exit code and one line on stderr."""
from __future__ import annotations


def quoted(text: object) -> str:
    """User text in a message as written, in quotes: repr() would double every backslash of LaTeX
    (control characters are shown escaped, so that the message stays one line)."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))
    return f"'{shown}'"


class DeriveError(Exception):
    """Base class of every error the engine raises on purpose."""

    exit_code = 2


class UsageError(DeriveError):
    """A bad option, parameter or value given by the user."""


class MissingFileError(UsageError, FileNotFoundError):
    """A file named by the user that does not exist: `except FileNotFoundError` catches it too."""


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
