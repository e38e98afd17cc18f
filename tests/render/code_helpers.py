"""Helpers for the code tests: derivations made once, their modules written and imported, inputs,
and an independent value of the loss (the definitions substituted by SymPy, summed term by term)."""
from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import sympy as sp
from engine.losses import LOSSES

import derive
from derive.render.code import generate
from derive.render.code.lower import program

RECIPES = ("softmax-cross-entropy", "batch-cross-entropy", "cross-entropy-hessian", "cross-entropy-kl",
           "log-softmax-nll", "sigmoid-cross-entropy", "stop-gradient-form", "soft-label-cross-entropy",
           "multi-label-cross-entropy", "label-smoothing-cross-entropy", "weighted-cross-entropy",
           "temperature-softmax-cross-entropy")
SCALARS = {"unit": 0.1, "positive": 1.5, "real": 0.5}


@cache
def derivation(case: str, K="K"):
    if case in LOSSES:
        loss, defs, facts, _values, _ref = LOSSES[case]
        return derive.gradient(loss, defs, facts, K=K)
    return derive.derivation(case, K)


def derivation_of(loss: str, define=()):
    return derive.gradient(loss, list(define))


def module(d, fmt: str, folder: Path, stem: str):
    """Write the generated module for fmt and import it from its file (as a user would)."""
    path = folder / f"{stem}_{fmt}.py"
    path.write_text(generate(d, fmt), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"derived_{stem}_{fmt}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def leaves(d, shape: tuple, scale: float, seed: int, sharp: float = 2.0) -> dict:
    """Random float64 leaves: logits times scale; a target the gradient assumes to be a distribution
    (or one-hot) drawn as one, softmax(sharp * noise); other vectors positive; class indices 0-based."""
    import torch

    p = program(d)
    gen = torch.Generator().manual_seed(seed)
    assumed = dict(p.assumes)
    K = shape[-1]
    out: dict = {}
    for leaf in p.leaves:
        if leaf.kind == "variable":
            out[leaf.name] = torch.randn(shape, generator=gen, dtype=torch.float64) * scale
        elif leaf.kind == "vector" and assumed.get(leaf.name) == "one-hot":
            out[leaf.name] = torch.nn.functional.one_hot(torch.randint(0, K, shape[:-1], generator=gen), K).double()
        elif leaf.kind == "vector" and leaf.name in assumed:
            out[leaf.name] = torch.softmax(torch.randn(shape, generator=gen, dtype=torch.float64) * sharp, dim=-1)
        elif leaf.kind == "vector":
            out[leaf.name] = 0.1 + torch.rand(shape, generator=gen, dtype=torch.float64)
        elif leaf.kind == "label":
            out[leaf.name] = torch.randint(0, K, shape[:-1], generator=gen)
        else:
            out[leaf.name] = SCALARS.get(leaf.domain, 0.5)
    return out


def naive_loss(d, given: dict) -> float:
    """The loss of one example (one row; an N x K matrix for the batch recipe) from the derivation's
    definitions, substituted and summed term by term by SymPy: no code printer involved."""
    defs = {df.name: df for df in d.context.definitions}
    loss = defs[d.notation.loss].body
    z = given[d.notation.logits]
    K = z.shape[-1]
    values: dict = {}
    for name, v in given.items():
        if hasattr(v, "shape") and v.dtype.is_floating_point:
            for idx in _indices(tuple(v.shape)):
                values[sp.IndexedBase(name)[tuple(i + 1 for i in idx)]] = sp.Float(float(v[idx]), 30)
        elif hasattr(v, "shape"):
            values[name] = int(v) + 1          # the derivation's class is 1-based
        else:
            values[name] = sp.Float(v, 30)
    e = _expand(loss, defs)
    sizes = {s: K for s in e.free_symbols if s.is_integer and str(s) == str(d.K)}
    e = e.replace(lambda x: type(x).__name__ == "BatchSize", lambda x: sp.Integer(z.shape[0]))
    e = e.xreplace({**sizes, **{s: sp.Integer(values[str(s)]) for s in e.free_symbols if str(s) in values
                                and isinstance(values[str(s)], int)}})
    e = e.doit()
    e = e.xreplace({k: v for k, v in values.items() if not isinstance(k, str)})
    e = e.xreplace({s: values[str(s)] for s in e.free_symbols if str(s) in values})
    return float(e.evalf(30))


def _expand(e, defs, depth: int = 0):
    if depth > 10:
        raise AssertionError("definitions nest too deep")
    def one(x):
        if isinstance(x, sp.Indexed) and str(x.base.label) in defs and defs[str(x.base.label)].indices:
            df = defs[str(x.base.label)]
            return _expand(df.body.xreplace(dict(zip(df.indices, x.indices))), defs, depth + 1)
        if isinstance(x, sp.Symbol) and str(x) in defs and not defs[str(x)].indices:
            return _expand(defs[str(x)].body, defs, depth + 1)
        return None
    return e.replace(lambda x: one(x) is not None, one)


def _indices(shape: tuple):
    import itertools

    return itertools.product(*(range(n) for n in shape))
