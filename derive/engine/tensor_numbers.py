"""Worked numbers for matrices and batches: rows separated by ';', sizes read from them and checked."""
from __future__ import annotations

import mpmath
import sympy as sp

from ..errors import UsageError
from ..numeric import (DPS, Example, _num, agreement, fd_along, mat_tex, no_finite_value, numbers, probe_directions,
                       projected, rows_of, vec_tex)
from ..render.printer import latex_name
from ..steps import Derivation
from ..verifier.evaluate import EvalError, Evaluator
from .numbers import every_leaf
from .spec import LossSpec

MAX_ENTRIES = 4096   # numbers of one object written out in the document (more: its shape only)


def _read(spec: LossSpec, values: dict[str, str]) -> tuple[dict, dict]:
    """({name: value}, {size symbol or int: int}): every leaf given, every size consistent."""
    given = {k.lstrip("\\"): v for k, v in values.items()}
    every_leaf(spec.names, given)
    sizes: dict = {}
    seen: dict = {}
    out: dict = {}
    for name in sorted(given):
        shape = spec.shape(name)
        if not shape:
            nums = numbers(name, given[name])
            if len(nums) != 1:
                raise UsageError(f"--values {name}: a scalar takes one number, got {len(nums)}")
            out[name] = nums[0]
            continue
        rows = rows_of(name, given[name])
        value: list
        dims: tuple[int, ...]
        if len(shape) == 1:
            if len(rows) != 1:
                raise UsageError(f"--values {name}: a vector takes one row of numbers, got {len(rows)} rows")
            value, dims = rows[0], (len(rows[0]),)
        else:
            value, dims = rows, (len(rows), len(rows[0]))
        for n, size in zip(dims, shape):
            want = int(size) if isinstance(size, (int, sp.Integer)) else sizes.get(size)
            if want is not None and want != n:
                first = seen.get(size, f"{size} = {want}")
                raise UsageError(f"--values {name}: {_dims(dims)} ({' x '.join(map(str, shape))}), but {first} "
                                 "(mismatched sizes)")
            sizes[size] = n
            seen.setdefault(size, f"{name} is {_dims(dims)} ({' x '.join(map(str, shape))})")
        out[name] = value
    for name, top in spec.classes:
        count = int(top) if isinstance(top, (int, sp.Integer)) else sizes.get(top)
        for c in out.get(name, []):
            if c != int(c) or count is not None and not 1 <= c <= count:
                raise UsageError(f"--values {name}: class indices are whole numbers 1..{count if count else top}, got {c:g}")
    for c in spec.constraints:
        for row in (out[c.name] if spec.names.get(c.name) == 2 else [out[c.name]]):
            if abs(sum(row) - float(c.value)) > 1e-9:
                raise UsageError(f"--values {c.name}: a row sums to {sum(row):.12g}, but the loss assumes "
                                 f"{float(c.value):g}")
    return out, sizes


def _dims(dims) -> str:
    return " x ".join(map(str, dims)) if len(dims) > 1 else f"{dims[0]} numbers"


def evaluator(d: Derivation, spec: LossSpec, leaves: dict, sizes: dict) -> Evaluator:
    vals: dict = {}
    with mpmath.workdps(DPS):  # decimals as written (0.1 is 1/10 to the working precision): rows sum to one
        _leaf_values(leaves, vals)
    for s, n in sizes.items():
        if isinstance(s, sp.Symbol):
            vals[(str(s), ())] = mpmath.mpf(n)
    main = d.K if isinstance(d.K, int) else sizes.get(d.K, 2)
    top = max([main] + list(sizes.values()))
    return Evaluator(vals, top, d.context.defs(), None, dps=DPS)


def _leaf_values(leaves: dict, vals: dict) -> None:
    mpf = lambda x: mpmath.mpf(repr(float(x)))  # noqa: E731
    for name, v in leaves.items():
        if isinstance(v, list) and v and isinstance(v[0], list):
            vals.update({(name, (r + 1, c + 1)): mpf(x) for r, row in enumerate(v) for c, x in enumerate(row)})
        elif isinstance(v, list):
            vals.update({(name, (r + 1,)): mpf(x) for r, x in enumerate(v)})
        else:
            vals[(name, ())] = mpf(v)


def worked(d: Derivation, spec: LossSpec, values: dict[str, str]) -> Example:
    """The user's numbers, the defined objects, the loss, the derived gradient and its check by differences."""
    leaves, sizes = _read(spec, values)
    ev = evaluator(d, spec, leaves, sizes)
    L = spec.loss.head
    at = {s: sp.Integer(n) for s, n in sizes.items() if isinstance(s, sp.Symbol)}
    dims = lambda name: [int(x.xreplace(at)) if isinstance(x, sp.Basic) else int(x) for x in spec.shape(name)]  # noqa: E731
    result = d.result.xreplace(at) if isinstance(d.result, sp.Basic) else d.result
    try:
        with mpmath.workdps(DPS):
            defined = {x.name: _value(ev, x.name, dims(x.name)) for x in d.context.definitions if x.name != str(L)}
            loss = ev.scalar(L)
            shape = dims(spec.wrt)
            grad = ev.matrix(result) if shape else [[ev.scalar(result)]]
            keys = _keys(spec.wrt, shape)
            # along the axes up to 16 entries, else seeded random directions: one difference per entry
            # would evaluate the loss afresh each time (N = 64, K = 10 took 118 s)
            directions = probe_directions(len(keys))
            fd = fd_along(ev, L, keys, directions)
    except EvalError as exc:
        raise no_finite_value(exc) from None
    flat = projected([g for row in grad for g in row], directions)
    rows = [(_shown(n, v), _tex(v)) for n, v in sorted(leaves.items(), key=lambda kv: (kv[0] != spec.wrt, kv[0]))]
    rows += [(_shown(n, v), _tex(_floats(v))) for n, v in defined.items()]
    rows.append((latex_name(str(L)), _num(float(loss))))
    g = _floats([r[0] for r in grad] if len(shape) == 1 else grad) if shape else float(grad[0][0])
    var = _shown(spec.wrt, leaves[spec.wrt])
    rows.append((rf"\frac{{\partial {latex_name(str(L))}}}{{\partial {var}}}", _tex(g)))
    data = {"values": leaves, **{n: _floats(v) for n, v in defined.items()}, "loss": float(loss), "gradient": g,
            "sizes": {str(k): v for k, v in sizes.items() if isinstance(k, sp.Symbol)}}
    return Example(tuple(rows), data, agreement(zip(flat, fd)))


def _keys(name: str, shape) -> list:
    if not shape:
        return [(name, ())]
    if len(shape) == 1:
        return [(name, (r + 1,)) for r in range(shape[0])]
    return [(name, (r + 1, c + 1)) for r in range(shape[0]) for c in range(shape[1])]


def _value(ev: Evaluator, name: str, shape):
    if not shape:
        return ev.scalar(sp.Symbol(name))
    base = sp.IndexedBase(name)
    if len(shape) == 1:
        return [ev.scalar(base[r + 1]) for r in range(shape[0])]
    return [[ev.scalar(base[r + 1, c + 1]) for c in range(shape[1])] for r in range(shape[0])]


def _floats(v):
    if isinstance(v, list):
        return [_floats(x) for x in v]
    return float(v)


def _tex(v) -> str:
    if isinstance(v, list) and v and isinstance(v[0], list):
        if sum(len(r) for r in v) > MAX_ENTRIES:
            return rf"\text{{a {len(v)} x {len(v[0])} matrix}}"
        return mat_tex(v)
    if isinstance(v, list):
        return vec_tex(v) if len(v) <= MAX_ENTRIES else rf"\text{{{len(v)} numbers}}"
    return _num(float(v))


def _shown(name: str, v) -> str:
    n = latex_name(name)
    if isinstance(v, list) and v and isinstance(v[0], list):
        return rf"\mathbf{{{n.upper() if len(name) == 1 and name.islower() else n}}}"
    return rf"\mathbf{{{n}}}" if isinstance(v, list) else n
