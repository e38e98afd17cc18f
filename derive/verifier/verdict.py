"""One verdict model: the outcome of a step (proved, checked, wrong, unverified, definition) and why, as codes."""
from __future__ import annotations

import enum


class Outcome(enum.Enum):
    """What a reader may conclude from a step. The JSON contract's status is `status`, its method `method`."""

    PROVED = "proved"          # exact algebra, or the index normal form: holds for every K
    CHECKED = "checked"        # numeric at stated sizes and points (or to the decimals written): never "proved"
    WRONG = "wrong"            # a counterexample
    UNVERIFIED = "unverified"  # with the reason
    DEFINITION = "definition"  # a name given a meaning, nothing to judge

    @property
    def status(self) -> str:
        """The JSON contract's status: ok / wrong / definition / unverified."""
        return "ok" if self in (Outcome.PROVED, Outcome.CHECKED) else self.value

    @property
    def method(self) -> str | None:
        """The JSON contract's method of a confirmed step: symbolic (proved) or numeric (checked)."""
        return {Outcome.PROVED: "symbolic", Outcome.CHECKED: "numeric"}.get(self)


class Reason(enum.Enum):
    """Why a step is unverified (or how it was checked): what code decides on, instead of message text."""

    NONE = ""
    SHAPES = "shapes"                  # the sides are matrices of different shapes (a row gradient?)
    NO_VALUE = "no-value"              # a side has no numeric value (a name without a value, a log of <= 0)
    LOG_DOMAIN = "log-domain"          # the logarithm of a number that is not positive
    TIME = "time"                      # the time limit was reached
    UNSEPARATED = "unseparated"        # the precision could not separate the sides
    NO_POINT = "no-point"              # no index values or points where either side has a value
    APPROXIMATION = "approximation"    # \approx with no number written to some decimals
    ROUNDING_EDGE = "rounding-edge"    # the value is at the edge of rounding to the decimals written
    WRITTEN_DIGITS = "written-digits"  # judged to the decimals written


def outcome(status: str, method: str | None) -> Outcome:
    """The outcome of the verifier's (status, method): verified/refuted/unconfirmed and symbolic/numeric."""
    if status == "verified":
        return Outcome.PROVED if method == "symbolic" else Outcome.CHECKED
    return Outcome.WRONG if status == "refuted" else Outcome.UNVERIFIED
