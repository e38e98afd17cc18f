"""Helpers for the family tests: derivations built and verified once per (recipe, K, params)."""
from __future__ import annotations

from functools import cache

import derive
from derive import recipebook

FAMILY = ("soft-label-cross-entropy", "multi-label-cross-entropy", "temperature-softmax-cross-entropy",
          "label-smoothing-cross-entropy", "weighted-cross-entropy", "log-softmax-nll", "batch-cross-entropy",
          "cross-entropy-hessian", "cross-entropy-kl", "sigmoid-cross-entropy", "stop-gradient-form")


@cache
def built(name: str, K, params: tuple = ()):
    return derive.derivation(name, K, params=dict(params))


def example(name: str, K, params: tuple, values: dict):
    """The recipe's worked example at these values, from a derivation verified once."""
    d = built(name, K, params)
    return recipebook.get(name).example(d, recipebook.get(name), values)


def csv(xs) -> str:
    return ",".join(repr(float(x)) for x in xs)


def rows(xss) -> str:
    return ";".join(csv(r) for r in xss)
