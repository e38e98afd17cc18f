"""Worked numbers for an engine derivation: any leaf by name, the loss and the derived gradient."""
from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from ..verifier.evaluate import Definition, EvalError, Evaluator
from ..errors import UsageError
from ..numeric import (Example, _num, agreement, at_adequate_precision, digits, fd_along, no_finite_value, numbers,
                       probe_directions, projected, vec_tex)
from ..render.printer import latex_name
from ..steps import Derivation
from .spec import LossSpec


def parse_leaves(spec: LossSpec, values: dict[str, str]) -> tuple[int, dict]:
    """{name: raw} -> (K, {name: float or list}); every leaf given, vectors of one length."""
    names = spec.names
    given = {k.lstrip("\\"): v for k, v in values.items()}
    label = given.pop(spec.label, None) if spec.label else None
    if spec.label and label is None:
        raise UsageError(f"--values: no value for the class index {spec.label} (for example {spec.label}=1)")
    every_leaf(names, given)
    if spec.wrt not in given:
        raise UsageError(f"--values: no value for {spec.wrt}")
    # the size: the variable's length (a scalar variable: that of any vector given, else the size asked)
    lengths = [len(numbers(n, given[n])) for n in ([spec.wrt] if names[spec.wrt] == 1 else sorted(given))
               if names[n] == 1]
    K = lengths[0] if lengths else (spec.size if isinstance(spec.size, int) else 2)
    if isinstance(spec.size, int) and K != spec.size:
        raise UsageError(f"--values {spec.wrt if names[spec.wrt] == 1 else 'a vector'}: {K} numbers, but K = {spec.size}")
    if K < 2 and names[spec.wrt] == 1:
        raise UsageError(f"--values {spec.wrt}: softmax needs at least 2 numbers")
    facts = {c.name: c for c in spec.constraints}
    out: dict = {}
    if label is not None:
        text = label.strip()
        if not text.lstrip("+").isdigit() or not 1 <= int(text) <= K:
            raise UsageError(f"--values {spec.label}={text}: the class index {spec.label} is a whole number "
                             f"from 1 to {K}, as its subscript in the formula")
        out[spec.label] = int(text)
    for name, raw in given.items():
        if names[name] == 0:
            nums = numbers(name, raw)
            if len(nums) != 1:
                raise UsageError(f"--values {name}: a scalar takes one number, got {len(nums)}")
            out[name] = nums[0]
            continue
        text = raw.strip()
        if name in facts and "," not in text and text.lstrip("+-").isdigit():  # a class index, as PyTorch
            c = int(text)
            if not 0 <= c < K:
                raise UsageError(f"--values {name}={c}: class index out of range 0..{K - 1}")
            out[name] = [1.0 if r == c else 0.0 for r in range(K)]
            continue
        nums = numbers(name, text)
        if len(nums) != K:
            raise UsageError(f"--values {name}: {len(nums)} numbers, but {spec.wrt} has {K}")
        if name in facts and abs(sum(nums) - float(facts[name].value)) > 1e-9:
            raise UsageError(f"--values {name}: the entries sum to {sum(nums):.12g}, but the loss assumes "
                             f"{float(facts[name].value):g}")
        out[name] = nums
    return K, out


def every_leaf(names, given: dict) -> None:
    """Every name given a value, and no name the loss does not have (one UsageError)."""
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise UsageError(f"--values {unknown[0]}: not a variable of the loss (it has {', '.join(sorted(names))})")
    missing = sorted(set(names) - set(given))
    if missing:
        raise UsageError(f"--values: no value for {', '.join(missing)}")


def evaluator(d: Derivation, K: int, leaves: dict) -> Evaluator:
    vals: dict = {}
    for name, v in leaves.items():
        if isinstance(v, list):
            vals.update({(name, (r + 1,)): mpmath.mpf(x) for r, x in enumerate(v)})
        else:
            vals[(name, ())] = mpmath.mpf(v)
    return Evaluator(vals, K, d.context.defs(), None if isinstance(d.K, int) else d.K, dps=digits())


def worked(d: Derivation, spec: LossSpec, values: dict[str, str]) -> Example:
    """The user's numbers, the defined vectors, the loss, the derived gradient and its FD check."""
    return at_adequate_precision(lambda: _worked(d, spec, values))


def _worked(d: Derivation, spec: LossSpec, values: dict[str, str]) -> Example:
    K, leaves = parse_leaves(spec, values)
    label = leaves.pop(spec.label) if spec.label else None
    if spec.label:  # the true class as the number given: in the definitions and in the result
        c = {sp.Symbol(spec.label, integer=True, positive=True): sp.Integer(label)}
        # only in the loss: another definition may use the same letter as its own index (p_c := ...)
        d = replace(d, context=replace(d.context, definitions=tuple(
            Definition(x.head, x.body.xreplace(c)) if x.name == str(spec.loss.head) else x
            for x in d.context.definitions)), result=d.result.xreplace(c))
    ev = evaluator(d, K, leaves)
    L = spec.loss.head
    result = d.result if isinstance(d.K, int) else d.result.xreplace({d.K: sp.Integer(K)})
    try:
        with mpmath.workdps(digits()):
            defined = {dd.name: [ev.scalar(sp.IndexedBase(dd.name)[r + 1]) for r in range(K)] if dd.indices
                       else ev.scalar(dd.head) for dd in d.context.definitions if dd.name != str(L)}
            loss = ev.scalar(L)
            scalar = spec.names[spec.wrt] == 0
            grad = [ev.scalar(result)] if scalar else [row[0] for row in ev.matrix(result)]
            keys = [(spec.wrt, ())] if scalar else [(spec.wrt, (c + 1,)) for c in range(K)]
            # finite differences along the axes up to K = 16, else along seeded random directions: each
            # difference evaluates the loss afresh (O(K)), so one per axis would make the check O(K^2)
            directions = probe_directions(len(keys))
            fd = fd_along(ev, L, keys, directions)
    except EvalError as exc:
        raise no_finite_value(exc) from None
    rows = []
    for name in sorted(leaves, key=lambda n: (n != spec.wrt, spec.names[n], n)):
        v = leaves[name]
        rows.append((_shown(name, v), vec_tex(v) if isinstance(v, list) else _num(v)))
        if name == spec.wrt and spec.label and label is not None:
            rows.append((latex_name(spec.label), str(label)))
    for name, v in defined.items():
        rows.append((_shown(name, v), vec_tex([float(x) for x in v]) if isinstance(v, list) else _num(float(v))))
    rows.append((latex_name(str(L)), _num(float(loss))))
    if scalar:
        rows.append((rf"\frac{{\partial {latex_name(str(L))}}}{{\partial {latex_name(spec.wrt)}}}", _num(float(grad[0]))))
    else:
        rows.append((rf"\frac{{\partial {latex_name(str(L))}}}{{\partial \mathbf{{{latex_name(spec.wrt)}}}}}",
                     vec_tex([float(g) for g in grad])))
    n = d.notation
    probs = defined.get(n.probs)
    data = {"logits": leaves[spec.wrt] if not scalar else [leaves[spec.wrt]], "target": leaves.get(n.target, []),
            "probs": [float(x) for x in probs] if isinstance(probs, list) else [],
            "values": {**leaves, **({spec.label: label} if label is not None else {})}, **{n: ([float(x) for x in v] if isinstance(v, list) else float(v)) for n, v in defined.items()},
            "loss": float(loss), "gradient": [float(g) for g in grad]}
    return Example(tuple(rows), data, agreement(zip(projected(grad, directions), fd)))


def _shown(name: str, v) -> str:
    n = latex_name(name)
    return rf"\mathbf{{{n}}}" if isinstance(v, list) else n
