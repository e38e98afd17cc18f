"""Matrix notation in a loss (W x + b, w^T x + b, Q K^T / sqrt(d), W_2 tanh(W_1 x)) written in indices.

The reader gives matrices with unknown sizes (W:r x W:c); products and sums tie them (W:c = x:r), the
entries become sums over fresh letters (z_i = sum_k W_{ik} x_k + b_i), and the sizes the index
formulas name (a softmax over K) or fresh size letters (D, H, ...) replace the unknown ones.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.matrices.expressions import HadamardProduct, MatAdd, MatMul, MatrixExpr, MatrixSymbol, Transpose

from ..calculus import symbols as sym
from ..calculus.objects import Elementwise, sigmoid
from ..errors import UsageError
from .shapes import unknown

_BOLD = re.compile(r"\\(?:mathbf|boldsymbol|bm)\s*\{|\^\s*\{?\s*\\top")
_CAPITAL = re.compile(r"(?<![\\A-Za-z])([A-Z])(?![A-Za-z])")
_FUNCS = {"tanh": sp.tanh, "sigma": sigmoid, "exp": sp.exp, "log": sp.log}
LETTERS = "klmpqrstuvwgh"
SIZE_LETTERS = "DHEMRTUV"


def in_matrix_notation(texts) -> bool:
    """Does the loss write vectors and matrices as such (\\mathbf{x}, W^\\top)?"""
    return any(_BOLD.search(t) for t in texts)


def matrix_names(texts, sizes) -> frozenset[str]:
    """The capital letters that name matrices (not a size a sum runs to, not the loss L, not N)."""
    found = {m.group(1) for t in texts for m in _CAPITAL.finditer(re.sub(r"\\[A-Za-z]+", " ", t))}
    return frozenset(found - set(sizes) - {"L", "N"})


class _Dims:
    """Union-find over the unknown sizes of matrix notation; a known size (1, K) wins."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        # a size is a number or a SymPy symbol, never a string: nothing here is parsed (no sympify)
        if isinstance(x, int):
            x = sp.Integer(x)
        elif not isinstance(x, sp.Basic):
            raise TypeError(f"a size must be an int or a SymPy object, not {type(x).__name__}")
        while self.parent.get(x, x) != x:
            x = self.parent[x]
        return x

    def union(self, a, b, what: str):
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if not unknown(a) and not unknown(b):
            raise UsageError(f"{what}: the sizes {a} and {b} do not match (mismatched sizes)")
        if unknown(a):
            self.parent[a] = b
        else:
            self.parent[b] = a

    def tie(self, e, what: str):
        """The sizes a matrix formula ties: inner sizes of products, shapes of sums."""
        for x in sp.preorder_traversal(e):
            if isinstance(x, MatMul):
                mats = [a for a in x.args if isinstance(a, MatrixExpr)]
                for u, v in zip(mats, mats[1:]):
                    self.union(u.shape[1], v.shape[0], what)
            elif isinstance(x, (MatAdd, HadamardProduct)):
                for a in x.args[1:]:
                    self.union(a.shape[0], x.args[0].shape[0], what)
                    self.union(a.shape[1], x.args[0].shape[1], what)

    def canonical(self, e):
        dims = {s for x in sp.preorder_traversal(e) if isinstance(x, MatrixSymbol) for s in x.shape if unknown(s)}
        return e.xreplace({s: self.find(s) for s in dims})


def to_index(pairs, loss_body, taken: set) -> tuple[list, object]:
    """[(head, body)] and the loss body in matrix notation -> the same in index notation."""
    dims = _Dims()
    for head, body in pairs:
        dims.tie(body, "--define")
        if isinstance(head, MatrixExpr) and isinstance(body, MatrixExpr):
            dims.union(head.shape[0], body.shape[0], f"--define {head}")
            dims.union(head.shape[1], body.shape[1], f"--define {head}")
    dims.tie(loss_body, "loss")
    letters = _Letters(taken)
    out = []
    for head, body in pairs:
        head, body = dims.canonical(head), dims.canonical(body)
        if isinstance(head, MatrixSymbol):
            if not isinstance(body, MatrixExpr):
                raise UsageError(f"--define {head.name}: a vector or matrix defined by a number")
            r, c = letters.head(head)
            out.append((_entry(head, r, c, letters), _entry(body, r, c, letters)))
        else:
            if isinstance(body, MatrixExpr):
                raise UsageError(f"--define {head}: a number defined by a vector or a matrix")
            out.append((head, _scalar(body, letters)))
    loss = dims.canonical(loss_body)
    if isinstance(loss, MatrixExpr):
        raise UsageError("the loss is a vector or a matrix, not a number")
    return out, _scalar(loss, letters)


class _Letters:
    def __init__(self, taken: set):
        self.taken = {str(t) for t in taken}

    def new(self, prefer: str = LETTERS):
        c = next(c for c in prefer + LETTERS if c not in self.taken)
        self.taken.add(c)
        return sym.index(c)

    def head(self, m: MatrixSymbol) -> tuple:
        i = self.new("ijn")
        return (i, self.new("jm") if m.shape[1] != 1 else sp.Integer(1))


def _entry(m, r, c, letters: _Letters):
    """The (r, c) entry of a matrix formula, in indices (sums over fresh letters for products)."""
    if not isinstance(m, MatrixExpr):
        return _scalar(m, letters)
    if isinstance(m, MatrixSymbol):
        base = sp.IndexedBase(m.name)
        return base[r] if m.shape[1] == 1 else base[r, c]
    if isinstance(m, Transpose):
        return _entry(m.arg, c, r, letters)
    if isinstance(m, MatAdd):
        return sp.Add(*[_entry(a, r, c, letters) for a in m.args])
    if isinstance(m, HadamardProduct):
        return sp.Mul(*[_entry(a, r, c, letters) for a in m.args])
    if isinstance(m, Elementwise):
        f = _FUNCS.get(str(m.args[0]))
        if f is None:
            raise UsageError(f"\\{m.args[0]} of a vector")
        return f(_entry(m.args[1], r, c, letters))
    if isinstance(m, MatMul):
        scalars = [_scalar(a, letters) for a in m.args if not isinstance(a, MatrixExpr)]
        mats = [a for a in m.args if isinstance(a, MatrixExpr)]
        factors, limits, row = [], [], r
        for n, a in enumerate(mats):
            if n == len(mats) - 1:
                col = c
            elif a.shape[1] == 1:
                col = sp.Integer(1)
            else:
                col = letters.new()
                limits.append((col, 1, a.shape[1]))
            factors.append(_entry(a, row, col, letters))
            row = col
        out = sp.Mul(*scalars, *factors)
        for lim in reversed(limits):
            out = sp.Sum(out, lim)
        return out
    raise UsageError(f"matrix notation: cannot read {type(m).__name__} in a loss")


def _scalar(e, letters: _Letters):
    """A number formula whose 1 x 1 products (Trace(w^T x)) are written as sums of entries."""
    if isinstance(e, sp.Trace):
        return _entry(e.args[0], sp.Integer(1), sp.Integer(1), letters)
    if isinstance(e, MatrixExpr):
        raise UsageError("a vector or a matrix where a number is needed")
    if not e.args or isinstance(e, (sp.Indexed, sp.Symbol)):
        return e
    if isinstance(e, sp.Sum):
        return sp.Sum(_scalar(e.function, letters), *e.limits)
    return e.func(*[_scalar(a, letters) for a in e.args])


def named_sizes(defs, loss, equations: dict, taken: set):
    """The unknown sizes replaced by what the index formulas say (K) or by fresh size letters (D, H)."""
    found = {s for d in list(defs) + [loss] for s in d.body.free_symbols if unknown(s)}
    mapping = {}
    for s in sorted(found, key=str):
        t = s
        while t in equations:
            t = equations[t]
        mapping[s] = t
    free = [c for c in SIZE_LETTERS if c not in {str(t) for t in taken}]
    for s in sorted({t for t in mapping.values() if unknown(t)}, key=str):
        letter = sym.size(free.pop(0))
        mapping.update({k: letter for k, v in mapping.items() if v == s})
    return mapping


def letters_by_size(e, avoid: set, prefer: str = ""):
    """Each sum's letter named after its size (sum_{d=1}^{D}; in the loss i first), so one letter runs
    over one range in every definition and equal sums are equal objects (sigma(w^T x) twice)."""
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    if isinstance(e, sp.Sum) and len(e.limits) == 1:
        body = letters_by_size(e.function, avoid, prefer)
        k, lo, hi = e.limits[0]
        busy = {str(x) for x in body.free_symbols if x != k} | {str(a) for a in avoid}
        pick = next(c for c in prefer + str(hi).lower()[:1] + LETTERS if c not in busy and c.isalpha())
        t = sym.index(pick)
        return sp.Sum(body.xreplace({k: t}), (t, lo, hi))
    return e.func(*[letters_by_size(a, avoid, prefer) for a in e.args])
