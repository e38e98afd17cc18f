"""LossSpec: what the engine derives (definitions, loss, variable, domains, facts), read from LaTeX."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from ..calculus import symbols as sym
from ..calculus.definition import Definition
from ..calculus.objects import sigmoid
from ..errors import ParseError, UsageError, quoted
from .matrix_reading import in_matrix_notation, letters_by_size, matrix_names, named_sizes, to_index

MAX_DEFINITIONS = 16


@dataclass(frozen=True)
class Constraint:
    """A declared fact sum_i name_i = value (a distribution, a one-hot target)."""

    name: str
    value: sp.Basic = sp.Integer(1)

    def matches(self, e) -> bool:
        """Is e the sum over every class of this vector's entries (any bound letter)?"""
        if not (isinstance(e, sp.Sum) and len(e.limits) == 1):
            return False
        k, lo, _hi = e.limits[0]
        f = e.function
        # a vector's entries, or the entries of one row of a matrix (sum_k y_{nk} = 1 for every n)
        return lo == 1 and isinstance(f, sp.Indexed) and str(f.base.label) == self.name and f.indices[-1] == k \
            and not any(k in t.free_symbols for t in f.indices[:-1])


@dataclass(frozen=True)
class LossSpec:
    """The input of the engine: recipes and `derive grad` both feed one.

    definitions: in dependency order (the softmax first); loss: L := body; wrt: the vector the
    gradient is taken with respect to; domains: (leaf name, verifier domain); constraints: declared
    facts; route: presentation choices ("jacobian": derive the softmax Jacobian step by step).
    """

    definitions: tuple[Definition, ...]
    loss: Definition
    wrt: str
    size: object                                 # an int, or the size Symbol
    domains: tuple[tuple[str, str], ...] = ()
    constraints: tuple[Constraint, ...] = ()
    route: tuple[str, ...] = ()
    names: dict = field(default_factory=dict, compare=False)   # leaf name -> arity (0 scalar, 1 vector, 2 matrix)
    label: str | None = None                     # a free index of the loss (the true class c in -log a_c)
    shapes: tuple = ()                           # (name, its size in each index position), every indexed name
    classes: tuple = ()                          # (name, range): a vector of class indices (c in p_{n, c_n})

    def shape(self, name: str) -> tuple:
        return dict(self.shapes).get(name, ())

    @property
    def tensor(self) -> bool:
        """Has the loss an object with several indices (a matrix, a batch)?"""
        return any(len(s) > 1 for _, s in self.shapes)

    @property
    def all_definitions(self) -> tuple[Definition, ...]:
        return self.definitions + (self.loss,)


_SUM_LIMIT = re.compile(r"\\sum\s*_\s*\{[^{}=]*=\s*1\s*\}\s*\^\s*(?:\{\s*([A-Z])\s*\}|([A-Z]))")


def sum_limit(texts) -> str | None:
    """The one capital letter the written sums run to (\\sum_{c=1}^{C}), if there is exactly one."""
    found = {a or b for t in texts for a, b in _SUM_LIMIT.findall(t)}
    return found.pop() if len(found) == 1 else None


def size_letters(texts) -> list[str]:
    """Every capital letter the written sums run to (\\sum_{d=1}^{D}, \\sum_{n=1}^{N}), in order."""
    return list(dict.fromkeys(a or b for t in texts for a, b in _SUM_LIMIT.findall(t)))


def _split_equation(text: str, what: str) -> tuple[str, str]:
    """'lhs = rhs' at the first '=' outside braces (a \\sum_{i=1} keeps its =)."""
    split = _equation_parts(text)
    if split is not None:
        return split
    raise UsageError(f"{what} {_quoted(text)}: expected NAME = FORMULA")


def _equation_parts(text: str) -> tuple[str, str] | None:
    """(lhs, rhs) at the first '=' outside braces, or None."""
    depth = 0
    for n, ch in enumerate(text):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            return text[:n], text[n + 1:]
    return None


# constructs with no derivative everywhere, named as a reader knows them (checked before parsing,
# so the message names the construct rather than the first character the grammar cannot read)
NON_SMOOTH = (
    (r"\\(arg\s*max|arg\s*min)|\\operatorname\s*\{\s*arg\s*(max|min)\s*\}|\\mathrm\s*\{\s*arg\s*(max|min)", "argmax"),
    (r"\\max(?![a-zA-Z])|\\operatorname\s*\{\s*max\s*\}", "max"),
    (r"\\min(?![a-zA-Z])|\\operatorname\s*\{\s*min\s*\}", "min"),
    (r"\\(mathbb|mathbf|mathds)\s*\{\s*(1|I)\s*\}|\\(mathbb|mathbf)\s*1(?![0-9])|\\operatorname\s*\{\s*1\s*\}", "an indicator function"),
    (r"(?<!\\)\||\\lvert|\\rvert|\\vert(?![a-zA-Z])|\\operatorname\s*\{\s*abs\s*\}", "an absolute value"),
    (r"\\operatorname\s*\{\s*sign\s*\}|\\operatorname\s*\{\s*sgn\s*\}|\\sgn(?![a-zA-Z])", "sign"),
    (r"\\lfloor|\\lceil", "floor/ceiling"),
)


def _smooth(text: str, what: str) -> None:
    for pattern, name in NON_SMOOTH:
        if re.search(pattern, text):
            raise UsageError(f"cannot differentiate {name} in {what} {_quoted(text)}: it has no derivative "
                             "everywhere; the engine differentiates smooth losses only")


def _parse(text: str, ctx, what: str):
    from ..latex.parse import parse_latex

    from ..latex.normalize import normalize

    _smooth(text, what)
    try:  # the notations the checker reads in posts (softmax(z)_i, {a \over b}, \hat{y_i}) read the same here
        return parse_latex(normalize(text, calls=False), ctx)
    except ParseError as exc:
        raise UsageError(f"{what} {_quoted(text)}: {exc}") from None


def _context(size, others=(), texts=()):
    """Sizes and indices for reading a loss: no letter is reserved; an index is a letter written in a
    subscript or under a sum somewhere in the loss, its definitions or its facts (a margin m is a number)."""
    from ..latex.parse import ParseContext, index_letters

    name = "K" if isinstance(size, int) else str(size)
    main = sp.Integer(size) if isinstance(size, int) else size
    extra = tuple((n, sp.Integer(v) if isinstance(v, int) else sym.size(str(v))) for n, v in others if n != name)
    sizes = ((name, main),) + extra
    return ParseContext(sizes=sizes, default_size=main, engine=True,
                        indices=index_letters(texts) - {n for n, _ in sizes})


def _head(lhs, what: str, text: str):
    if isinstance(lhs, sp.Symbol) and not lhs.is_integer:
        return lhs
    if isinstance(lhs, sp.Indexed) and all(isinstance(t, sp.Symbol) for t in lhs.indices) \
            and len(set(lhs.indices)) == len(lhs.indices):
        return lhs
    raise UsageError(f"{what} {_quoted(text)}: the left side must be a name such as L, a_i or p_{{nk}}")


def _name(x) -> str:
    return str(x.base.label) if isinstance(x, sp.Indexed) else str(x)


def mentioned(e) -> dict[str, int]:
    """Names used in e: vectors (arity 1) and scalars (arity 0), bound and size letters left out."""
    out: dict[str, int] = {}
    bound = {lim[0] for x in sp.preorder_traversal(e) if isinstance(x, sp.Sum) for lim in x.limits}
    for x in sp.preorder_traversal(e):
        if isinstance(x, sp.Indexed):
            out[str(x.base.label)] = len(x.indices)
    for s in e.free_symbols | {s for x in sp.preorder_traversal(e) if isinstance(x, sp.Indexed)
                               for t in x.indices for s in t.free_symbols}:
        if isinstance(s, sp.Symbol) and not s.is_integer and s not in bound:
            out.setdefault(str(s), 0)
    return out


def _quoted(text: str, most: int = 60) -> str:
    """The user's LaTeX as a message quotes it: a long formula cut in the middle (one short line)."""
    t = text.strip()
    return quoted(t if len(t) <= most else f"{t[:most // 2]} ... {t[-most // 4:]}")


def from_sympy(definitions, loss: Definition, wrt: str, size, domains=(), constraints=(), route=()) -> LossSpec:
    """A LossSpec from SymPy objects (how the recipes declare theirs); leaves not given a domain are positive."""
    defs = _ordered(list(definitions), loss)
    names = _leaves(defs + [loss])
    given = dict(domains)
    doms = tuple((n, given.get(n, "real" if n == wrt else "positive")) for n in sorted(names))
    return LossSpec(tuple(defs), loss, wrt, size, doms, tuple(constraints), tuple(route), names)


def from_latex(loss: str, define=(), assume=(), wrt: str | None = None, size="K", route=(), sizes=()) -> LossSpec:
    """Read the user's LaTeX with our own grammar and check it: the spec, or one UsageError. `sizes`:
    (letter, int or letter) for the other sizes (--size D=3); a capital letter a sum runs to is one."""
    if not loss or not loss.strip():
        raise UsageError("the loss is empty")
    if len(define) > MAX_DEFINITIONS:
        raise UsageError(f"more than {MAX_DEFINITIONS} definitions")
    given = dict(sizes)
    others = tuple(given.items()) + tuple((n, n) for n in size_letters([loss, *define, *assume]) if n not in given)
    ctx = _context(size, others, (loss, *define, *assume))
    matrix = in_matrix_notation([loss, *define])
    if matrix:  # W x + b, w^T x: matrices with sizes still unknown, written in indices below
        from dataclasses import replace

        ctx = replace(ctx, matrix_mode=True, matrices=matrix_names([loss, *define], [n for n, _ in others]))
    defs: list[Definition] = []
    for text in define:
        left, right = _split_equation(_softmax_vector(text), "--define")
        head = _parse(left, ctx, "--define")
        head = head if matrix and isinstance(head, sp.MatrixSymbol) else _head(head, "--define", text)
        if not right.strip():
            raise UsageError(f"--define {_quoted(text)}: the definition is empty")
        body = _parse(right, ctx, "--define")
        if any(d.name == _name(head) for d in defs):
            raise UsageError(f"--define: {_name(head)} is defined twice")
        defs.append(Definition(head, body))
    split = _equation_parts(loss)
    if split is not None:
        left, right = split
        head = _parse(left, ctx, "loss")
        if isinstance(head, sp.Indexed) and all(t.is_Symbol or t.is_Integer for t in head.indices):
            from ..latex.parse import whole_name  # L_{CE}, \mathcal{L}_1: the loss's name, not an entry

            head = sym.scalar(whole_name(str(head.base.label), head.indices))
        head = _head(head, "loss", loss)
        if not isinstance(head, sp.Symbol):
            raise UsageError(f"loss {_quoted(loss)}: the loss must be a scalar such as L")
    else:
        head, right = sym.scalar("L"), loss
    if not right.strip():
        raise UsageError("the loss is empty")
    body = _parse(right, ctx, "loss")
    if matrix:
        taken = set(re.findall(r"(?<![\\A-Za-z])[a-z](?![A-Za-z])", " ".join([loss, *define])))
        pairs, body = to_index([(d.head, d.body) for d in defs], body, taken)
        defs = [Definition(_head(h, "--define", str(h)), b) for h, b in pairs]
    body = _index_form(body, loss)
    _summed_once(body, loss)
    if any(d.name == str(head) for d in defs):
        raise UsageError(f"--define: {head} is the loss; define the loss once")
    loss_def = Definition(head, body)
    defs = _ordered(defs, loss_def)
    names = _leaves(defs + [loss_def])
    constraints = _facts(assume, ctx, names)
    wrt = _wrt(wrt, defs, loss_def, names)
    label = _label(body, loss, names, wrt)
    if label is not None:  # the class as an index letter (-log a_y: y read as a number elsewhere)
        loss_def = Definition(head, body.xreplace({x: sym.index(label) for x in body.free_symbols if str(x) == label}))
    from .shapes import class_ranges, infer

    default = size if isinstance(size, int) else ctx.default_size
    equations: dict | None = {} if matrix else None
    shapes = infer(defs, loss_def, default, equations)
    if matrix:  # the sizes matrix notation left unknown: those the index formulas name, or new letters
        mapping = named_sizes(defs, loss_def, equations or {}, set(names) | set(dict(ctx.sizes)) | ctx.matrices)
        defs = [Definition(d.head, letters_by_size(d.body.xreplace(mapping), set(d.indices))) for d in defs]
        loss_def = Definition(loss_def.head, letters_by_size(loss_def.body.xreplace(mapping), set(), "i"))
        shapes = infer(defs, loss_def, default)
    classes = class_ranges(defs, loss_def, default)
    domains = tuple((n, "real" if n == wrt else "class" if n in classes else "positive") for n in sorted(names))
    return LossSpec(tuple(defs), loss_def, wrt, default, domains,
                    constraints, tuple(route), names, label, tuple(sorted(shapes.items())), tuple(sorted(classes.items())))


def _summed_once(body, text: str) -> None:
    """\\sum_i \\sum_i a_i: a letter summed inside a sum over the same letter is refused (SymPy would
    join the two sums, and the outer one would count the inner one K times)."""
    for x in sp.preorder_traversal(body):
        if isinstance(x, sp.Sum):
            letters = [lim[0] for lim in x.limits]
            inner = {lim[0] for y in sp.preorder_traversal(x.function) if isinstance(y, sp.Sum) for lim in y.limits}
            twice = sorted({str(k) for k in letters if letters.count(k) > 1} | {str(k) for k in letters if k in inner})
            if twice:
                raise UsageError(f"loss {_quoted(text)}: the index {twice[0]} is summed twice (a sum over {twice[0]} "
                                 f"inside a sum over {twice[0]}); give the inner sum another letter")


def _label(body, text: str, names: dict, wrt: str) -> str | None:
    """The one index the loss does not sum over, read as the true class (-log a_c, -z_c + ...); an
    index on a target or weight vector (-y_i log a_i) is a forgotten sum, and two are refused."""
    free = _free_indices(body)
    weights = sorted({str(x.base.label) for x in sp.preorder_traversal(body) if isinstance(x, sp.Indexed)
                      and names.get(str(x.base.label)) == 1 and str(x.base.label) != wrt
                      and {str(t) for t in x.indices} & free})
    if len(free) > 1 or weights:
        which = ", ".join(sorted(free))
        raise UsageError(f"loss {_quoted(text)}: the {'indices' if len(free) > 1 else 'index'} {which} "
                         f"{'are' if len(free) > 1 else 'is'} not summed over (the loss must be a number; "
                         "a single free index, as c in -\\log a_c, is read as the true class)")
    return next(iter(free), None)


_BOLD = r"\\(?:mathbf|boldsymbol|bm)\s*\{\s*([A-Za-z])\s*\}"
_SOFTMAX_VECTOR = re.compile(r"^\s*" + _BOLD + r"\s*=\s*(?:\\(?:operatorname|mathrm|text)\s*\{\s*softmax\s*\}|softmax)"
                             r"\s*(?:\\left)?\(\s*" + _BOLD + r"\s*(?:\\right)?\)\s*$")


def _softmax_vector(text: str) -> str:
    """\\mathbf{a} = \\operatorname{softmax}(\\mathbf{z}) as the entries' definition a_i = e^{z_i} / sum_k e^{z_k}."""
    m = _SOFTMAX_VECTOR.match(text)
    if m is None:
        return text
    a, z = m.groups()
    i, k = ("i", "k") if "i" not in (a, z) and "k" not in (a, z) else ("m", "n")
    return rf"{a}_{i} = \frac{{e^{{{z}_{i}}}}}{{\sum_{{{k}}} e^{{{z}_{k}}}}}"


def _index_form(e, text: str):
    """A loss written with vectors (-\\mathbf{y}^\\top \\log \\mathbf{a}, a 1 x 1 product) as a sum over the entries."""
    from sympy.matrices.expressions import MatAdd, MatMul, MatrixExpr, Transpose

    from ..calculus.objects import Entrywise

    if not isinstance(e, MatrixExpr):
        return e
    if e.shape != (1, 1):
        raise UsageError(f"loss {_quoted(text)}: a vector or a matrix, not a number")
    i = sym.index("i")

    def entry(v):
        if isinstance(v, sp.MatrixSymbol) and v.shape[1] == 1:
            return sp.IndexedBase(v.name)[i]
        if isinstance(v, Entrywise) and v.shape[1] == 1:
            return v.args[0].xreplace({v.args[1]: i})
        return None

    def scalar(m):
        if isinstance(m, MatAdd):
            return sp.Add(*[scalar(t) for t in m.args])
        if isinstance(m, MatMul):
            coeff = sp.Mul(*[f for f in m.args if not isinstance(f, MatrixExpr)])
            mats = [f for f in m.args if isinstance(f, MatrixExpr)]
            if len(mats) == 2 and isinstance(mats[0], Transpose):
                u, v = entry(mats[0].arg), entry(mats[1])
                if u is not None and v is not None:
                    return coeff * sp.Sum(u * v, (i, 1, mats[1].shape[0]))
        raise UsageError(f"loss {_quoted(text)}: write the loss with indices (\\sum_i y_i \\log a_i); "
                         "of vector forms only u^\\top v and u^\\top \\log v are read")

    return scalar(e)


def _free_indices(e) -> set[str]:
    bound = {lim[0] for x in sp.preorder_traversal(e) if isinstance(x, sp.Sum) for lim in x.limits}
    used = {t for x in sp.preorder_traversal(e) if isinstance(x, (sp.Indexed, sp.KroneckerDelta))
            for t in (x.indices if isinstance(x, sp.Indexed) else x.args) if isinstance(t, sp.Symbol)}
    return {str(t) for t in used - bound}


def _ordered(defs: list[Definition], loss: Definition) -> list[Definition]:
    """Definitions in dependency order; a definition that refers to itself (or a cycle) is refused."""
    by_name = {d.name: d for d in defs}
    out: list[Definition] = []
    state: dict[str, int] = {}

    def visit(d: Definition, path: tuple[str, ...]):
        if state.get(d.name) == 2:
            return
        if d.name in path:
            cycle = " -> ".join(path[path.index(d.name):] + (d.name,))
            raise UsageError(f"--define {d.name}: the definition refers to itself ({cycle})")
        for n in mentioned(d.body):
            if n in by_name or n == loss.name:
                if n == loss.name:
                    raise UsageError(f"--define {d.name}: refers to the loss {n}")
                visit(by_name[n], path + (d.name,))
        state[d.name] = 2
        out.append(d)

    for n in mentioned(loss.body):
        if n == loss.name:
            raise UsageError(f"the loss {loss.name} refers to itself")
    for d in defs:
        visit(d, ())
    return out


def _leaves(defs: list[Definition]) -> dict[str, int]:
    defined = {d.name for d in defs}
    out: dict[str, int] = {}
    for d in defs:
        for n, arity in mentioned(d.body).items():
            if n not in defined:
                if arity > 2:
                    raise UsageError(f"{n} has {arity} indices; the engine takes scalars, vectors and matrices")
                if out.get(n, arity) != arity:
                    raise UsageError(f"{n} is used both with and without an index")
                out[n] = arity
    return out


def _facts(assume, ctx, names: dict) -> tuple[Constraint, ...]:
    """The --assume facts, one per vector: the same fact twice counts once, two that disagree
    are refused (the engine would silently use one of them)."""
    out: dict[str, Constraint] = {}
    for text in assume:
        c = _fact(text, ctx, names)
        if c.name in out and out[c.name] != c:
            raise UsageError(f"--assume {_quoted(text)}: contradicts the earlier --assume about the sum of {c.name}")
        out[c.name] = c
    return tuple(out.values())


def _fact(text: str, ctx, names: dict) -> Constraint:
    left, right = _split_equation(text, "--assume")
    lhs, rhs = _parse(left, ctx, "--assume"), _parse(right, ctx, "--assume")
    if isinstance(lhs, sp.Sum) and len(lhs.limits) == 1 and isinstance(lhs.function, sp.Indexed) \
            and rhs.is_number and rhs != 0:
        c = Constraint(str(lhs.function.base.label), rhs)
        if c.matches(lhs) and names.get(c.name) == len(lhs.function.indices):
            if rhs != 1:  # the verifier's domains know entries summing to one, not to another number
                raise UsageError(f"--assume {_quoted(text)}: the engine uses a sum of 1 (a distribution or a "
                                 f"one-hot target); without --assume it derives the gradient for any sum")
            return c
    raise UsageError(f"--assume {_quoted(text)}: the engine uses facts of the form \\sum_i y_i = 1 "
                     "about a vector of the loss")


def _wrt(wrt: str | None, defs: list[Definition], loss: Definition, names: dict) -> str:
    if wrt is not None:
        wrt = wrt.strip().lstrip("\\")
        if names.get(wrt) not in (0, 1, 2):
            raise UsageError(f"--wrt {wrt}: not a variable of the loss")
        return wrt
    # the logits: the vector inside the exponentials of the innermost definition (or of the loss)
    by_name = {d.name: d for d in defs}
    for body in [d.body for d in defs] + [loss.body]:
        found = _exponent_vectors(body, names, by_name)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UsageError(f"the exponentials depend on {', '.join(found)}; say which with --wrt")
    # or the logit of a sigmoid (binary cross-entropy: -y log sigma(x) - (1 - y) log(1 - sigma(x)))
    for body in [d.body for d in defs] + [loss.body]:
        found = list(dict.fromkeys(n for x in sp.preorder_traversal(body) if isinstance(x, sigmoid)
                                   for n in _vectors_in(x.args[0], names, by_name, (), scalars=True)))
        if len(found) == 1:
            return found[0]
    vectors = sorted(n for n, a in names.items() if a == 1)
    raise UsageError("no softmax in the loss to take the logits from; say which vector with --wrt"
                     + (f" ({', '.join(vectors)})" if vectors else ""))


def _exponent_vectors(body, names: dict, defs: dict) -> list[str]:
    out: list[str] = []
    for x in sp.preorder_traversal(body):
        if isinstance(x, sp.exp):
            for n in _vectors_in(x.args[0], names, defs, ()):
                if n not in out:
                    out.append(n)
    return out


def _vectors_in(e, names: dict, defs: dict, seen: tuple, scalars: bool = False) -> list[str]:
    """The leaf vectors (and scalars, for a sigmoid's logit) of an exponent, through definitions; a
    vector inside a log is a prior, not a logit."""
    out: list[str] = []
    for t in sp.Add.make_args(e):
        if t.has(sp.log):
            continue
        for y in sp.preorder_traversal(t):
            if isinstance(y, (sp.Indexed, sp.Symbol)) and not (isinstance(y, sp.Symbol) and y.is_integer):
                n = str(y.base.label) if isinstance(y, sp.Indexed) else str(y)
                if names.get(n) in (1, 2) or (scalars and names.get(n) == 0):
                    out.append(n)
                elif n in defs and n not in seen:
                    out += _vectors_in(defs[n].body, names, defs, seen + (n,), scalars)
    return out
