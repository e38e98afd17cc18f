"""Judge every claimed equality of a document with the shared verifier; definitions and assumptions first."""
from __future__ import annotations

from typing import Any
import collections
import contextlib
import dataclasses
import re
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions import MatrixSymbol

from ..verifier.evaluate import Definition
from ..calculus.objects import Grad, Jac
from ..calculus.symbols import index, size
from ..errors import ParseError, UsageError, quoted
from ..verifier.verify import Context, Verdict, _free_indices, verify
from ..verifier.verdict import Outcome, Reason
from ..verifier.written import rounded, written_number
from . import entrywise, governed, hints, onehot
from .hints import Hint
from .arrays import elision_sizes
from .budget import STEP_SECONDS, Budget, Timeout, time_bound
from ..shown import message
from ..latex.extract import Declaration, Document, Row, Side, Unread, _chain_sides, _Lines
from .generic import generic_functions, specific_names
from ..latex.normalize import called_names, function_head, index_words, normalize, sample_indices, vector_names
from ..latex.parse import EULER, ParseContext, TooLarge, Unsupported, parse_latex, scan_letters, whole_name

GENERAL_SIZES = (2, 3, 4, 5, 6)
_UNICODE = str.maketrans({"−": "-", "×": "\\times ", "·": "\\cdot ", "≠": "\\neq ", "∑": "\\sum ", "∂": "\\partial "})


@dataclass(frozen=True)
class StepResult:
    """The verdict on one claimed equality (or definition) of the user's document."""

    line: int
    column: int
    lhs: str
    rhs: str
    status: str                          # "ok" | "wrong" | "definition" | "unverified"
    reason: str = ""
    counterexample: dict | None = None
    conditions: tuple[str, ...] = ()
    end: int = -1                        # file offset of the end of the row (for --annotate)
    unread: bool = field(default=False, compare=False)   # its math could not be read at all (syntax)
    inline: bool = False                 # written in running text ($...$), not in display math
    hint: Hint | None = None             # a correction the verifier confirmed (wrong steps only)
    method: str = ""                     # of an ok step: "symbolic" (proved); anything else was checked

    @property
    def outcome(self) -> Outcome:
        """proved / checked / wrong / unverified / definition: an ok step is proved only by exact algebra
        or the index normal form; entry by entry, numerically or to the decimals written it is checked."""
        if self.status == "ok":
            return Outcome.PROVED if self.method == "symbolic" else Outcome.CHECKED
        return Outcome(self.status)

    def as_json(self, lang: str = "en", fmt: str = "md") -> dict:
        from .words import hint_text, reason_text

        out = {"line": self.line, "column": self.column, "lhs": self.lhs, "rhs": self.rhs,
               "status": self.status, "reason": reason_text(self.reason, lang), "counterexample": self.counterexample,
               "hint": hint_text(self.hint, lang, fmt) if self.hint else None,
               "fix": self.hint.as_json() if self.hint else None}
        if self.status == "ok":
            out["method"] = self.outcome.method
            out["outcome"] = self.outcome.value
        if self.conditions:
            out["conditions"] = list(self.conditions)
        if self.inline:
            out["inline"] = True
        return out


@dataclass(frozen=True)
class CheckResult:
    """Every step of one document, in file order."""

    file: str
    steps: tuple[StepResult, ...]
    K: str = "K"
    document: Document | None = field(default=None, compare=False, repr=False)
    lang: str = "en"                     # the language of the report: the document's, or --lang

    @property
    def first_wrong(self) -> StepResult | None:
        return next((s for s in self.steps if s.status == "wrong"), None)

    @property
    def first_wrong_line(self) -> int | None:
        w = self.first_wrong
        return w.line if w else None

    @property
    def ok(self) -> bool:
        """Every claimed step confirmed: none wrong and none unverified (what exit code 0 means)."""
        return all(s.status in ("ok", "definition") for s in self.steps)

    @property
    def nothing_read(self) -> StepResult | None:
        """The first unreadable step when no step of the document could be read at all."""
        if self.steps and all(s.unread for s in self.steps):
            return self.steps[0]
        return None

    def counts(self) -> dict[str, int]:
        c = collections.Counter(s.status for s in self.steps)
        out = {k: c.get(k, 0) for k in ("ok", "wrong", "definition", "unverified")}
        kinds = collections.Counter(s.outcome for s in self.steps)
        return {**out, "proved": kinds[Outcome.PROVED], "checked": kinds[Outcome.CHECKED]}

    def __repr__(self) -> str:
        from ..display import check_repr

        return check_repr(self)

    def _repr_markdown_(self) -> str:   # a notebook shows a table of lines and verdicts
        from ..display import check_markdown

        return check_markdown(self)

    def _repr_html_(self) -> str:
        from ..display import check_html

        return check_html(self)

    def as_json(self) -> dict:
        return {"file": self.file, "ok": self.ok, "first_wrong_line": self.first_wrong_line, "lang": self.lang,
                "K": self.K, "summary": self.counts(), "steps": [s.as_json(self.lang, self.document.fmt if self.document else "md") for s in self.steps]}


# -- sizes, letters and declarations -----------------------------------------------------------
def parse_K(value: str | int | None) -> int | str | None:
    """-K 3 (a concrete size) or -K N (the name of a general size)."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"[0-9]{1,12}", text):  # ASCII digits only ('²' is a digit to str.isdigit, not to int)
        n = int(text)
        if not 2 <= n <= 50:
            raise UsageError(f"-K {text}: the number of classes must be between 2 and 50")
        return n
    if re.fullmatch(r"[A-Za-z]", text):
        return text
    raise UsageError(f"-K {text}: give a number of classes (2..50) or a one-letter name such as K, C or N")


@dataclass
class _Setup:
    """Names the document gives meaning to: sizes, indices, definitions, target domains."""

    size_name: str
    size_names: set
    indices: frozenset
    definitions: dict = field(default_factory=dict)      # name -> Definition
    failed_defs: dict = field(default_factory=dict)      # name -> (line, reason)
    domains: dict = field(default_factory=dict)          # name -> domain
    vectors: frozenset = frozenset()                     # names also written with subscripts (s, s_i)
    generic: dict = field(default_factory=dict)          # L -> a: L any function of a (never defined)
    defined_at: dict = field(default_factory=dict)       # name -> file offset of the row defining it
    headings: tuple = ()                                 # file offsets of section headings
    redefinitions: dict = field(default_factory=dict)    # id(row) -> Definition taking over there
    hot: dict = field(default_factory=dict)              # one-hot name -> the index of its 1 ("p_k = 1")
    premises: list = field(default_factory=list)         # (text, line, names): what the text assumes, unusable
    index_words: dict = field(default_factory=dict)      # x[class]: "class" -> a letter
    macros: tuple = ()                                   # (\sum_K, its body) defined in prose
    names: set = field(default_factory=set)              # L_1, L_CE: subscripted names defined as a whole
    vector_bases: frozenset = frozenset()                # letters written with an index subscript (z_i)
    parsed: dict = field(default_factory=dict)           # each side is parsed once
    unusable: dict = field(default_factory=dict)         # letter -> (line, text) of an assumption not read
    functions: dict = field(default_factory=dict)        # f -> its parameters: f(x) = ... applied as f(2), f'(x)
    calls: frozenset = frozenset()                       # names applied to different arguments: functions

    def pctx(self, line: int = 1, column: int = 1) -> ParseContext:
        sz = size(self.size_name)
        functions = tuple((n, ps, self.definitions[n].body) for n, ps in sorted(self.functions.items())
                          if n in self.definitions)
        return ParseContext(tuple((n, sz) for n in sorted(self.size_names)), sz, self.indices, line, column,
                            frozenset(self.names), functions=functions, calls=self.calls)


def _prepare(text: str) -> str:
    return sample_indices(text.translate(_UNICODE))


def _parse(text: str, setup: _Setup, line: int, column: int, head: bool = False):
    """One side, parsed once for a given set of whole names (the failure is remembered too). `head`: the
    left side of a row, where f(x) alone is the name f that a definition f(x) = ... defines."""
    head = head and function_head(text) is not None
    key = (text, line, column, frozenset(setup.names), frozenset(setup.functions), head)
    if key not in setup.parsed:
        calls = {} if head else {**{n: () for n in setup.calls},
                                 **{n: tuple(map(str, ps)) for n, ps in setup.functions.items()}}
        try:
            setup.parsed[key] = parse_latex(normalize(_prepare(text), setup.vectors, setup.index_words, setup.macros,
                                                      functions=calls),
                                            setup.pctx(line, column))
        except ParseError as exc:
            setup.parsed[key] = exc
    out = setup.parsed[key]
    if isinstance(out, ParseError):
        raise out
    return out


def _leaf_name(e: sp.Indexed | sp.Symbol) -> str:
    return str(e.base.label) if isinstance(e, sp.Indexed) else str(e)


def _head_name(e) -> str | None:
    if isinstance(e, sp.Indexed):
        return str(e.base.label)
    if isinstance(e, MatrixSymbol):
        return e.name
    if isinstance(e, sp.Symbol):
        return str(e)
    return None


def _whole(head, setup: _Setup) -> str | None:
    """L_1, L_{CE} standing alone on a left side: a name of its own when L is not an indexed vector."""
    if not isinstance(head, sp.Indexed) or str(head.base.label) in setup.vector_bases:
        return None
    if any(isinstance(t, sp.Symbol) and str(t) in setup.indices for t in head.indices):
        return None
    if not all(t.is_Integer or isinstance(t, sp.Symbol) for t in head.indices):
        return None
    return whole_name(str(head.base.label), head.indices)


def _vector_bases(math: str, indices: frozenset) -> frozenset:
    """Letters written with an index-letter subscript somewhere (z_i, p_{ik}): vectors, never whole names."""
    out = set()
    for m in re.finditer(r"(?<![\\A-Za-z])([A-Za-z]|\\math(?:cal|scr)\s*\{\s*[A-Za-z]\s*\})\s*_\s*(\{[^{}]*\}|[A-Za-z])", math):
        sub = re.sub(r"\\[a-zA-Z]+", " ", m.group(2))
        if set(re.findall(r"(?<![A-Za-z])[a-z](?![A-Za-z])", sub)) & indices or \
                (re.fullmatch(r"\{?\s*[a-z]{2,4}\s*\}?", sub) and set(sub.strip("{} ")) <= indices):
            base = m.group(1)
            out.add(base if len(base) == 1 else "\\" + re.sub(r"\s", "", base)[1:])
    return frozenset(out)


def _definable(head, setup: _Setup) -> bool:
    if isinstance(head, sp.Indexed):
        idx = head.indices
        return all(isinstance(t, sp.Symbol) and str(t) in setup.indices for t in idx) and len(set(idx)) == len(idx)
    if isinstance(head, sp.Symbol):
        name = str(head)
        return name not in setup.indices and name not in setup.size_names
    return False


def _names(e) -> set[str]:
    """Names of vectors, matrices and scalars an expression mentions (not indices)."""
    out = set()
    for x in sp.preorder_traversal(e):
        if isinstance(x, sp.Indexed):
            out.add(str(x.base.label))
        elif isinstance(x, MatrixSymbol):
            out.add(x.name)
        elif isinstance(x, sp.Symbol) and not x.is_integer:
            out.add(str(x))
    return out


def _reach(e, defs: dict) -> set[str]:
    """Every name e depends on through the definitions (the names themselves included)."""
    seen, todo = set(), list(_names(e))
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in defs:
            todo.extend(_names(defs[n].body))
    return seen


# -- assumptions ----------------------------------------------------------------------------
def _assumption(text: str, setup: _Setup, line: int, column: int) -> tuple[str, str]:
    """`\\sum_i y_i = 1` -> simplex, `y one-hot` -> one-hot, `y_i \\ge 0` -> nonnegative, ..."""
    t = _prepare(text)
    if re.search(r"one[- ]?hot|独热", t):
        m = re.search(r"(?:\\mathbf\{|\\boldsymbol\{|\\bm\{)?\b([A-Za-z])\b", re.sub(r"one[- ]?hot|is|an?|\\text\{[^}]*\}", " ", t))
        if not m:
            raise ParseError(f"assume {quoted(text)}: which vector is one-hot?", line, column)
        return m.group(1), "one-hot"
    sides, kinds = _chain_sides(t, 0, _Lines(t))
    if len(kinds) != 1 or not sides[0].text or not sides[1].text:
        raise ParseError(f"cannot read the assumption {quoted(text)} (try \\sum_{{k=1}}^{{K}} y_k = 1, y one-hot, y_k \\ge 0)", line, column)
    op = kinds[0]
    left = _parse(sides[0].text, setup, line, column)
    right = _parse(sides[1].text, setup, line, column)
    if op == "=":
        if isinstance(left, sp.Sum) and right == 1 and isinstance(left.function, sp.Indexed):
            return str(left.function.base.label), "simplex"
        raise ParseError(f"cannot read the assumption {quoted(text)}: only a sum of one vector equal to 1 is understood", line, column)
    if isinstance(left, (sp.Indexed, sp.Symbol)) and right == 0 and op in (">", "\\ge", "\\geq"):
        return _leaf_name(left), "positive" if op == ">" else "nonnegative"
    if isinstance(right, (sp.Indexed, sp.Symbol)) and left == 0 and op in ("<", "\\le", "\\leq"):
        return _leaf_name(right), "positive" if op == "<" else "nonnegative"
    raise ParseError(f"cannot read the assumption {quoted(text)}", line, column)


def _premise(text: str, setup: _Setup, line: int, column: int) -> None:
    """What the text assumes: a domain or a sum when the assumption reader knows it, else a premise that
    governs every claim on its names (such a claim is unverified unless it holds whatever the premise)."""
    try:
        name, dom = _assumption(text, setup, line, column)
        setup.domains[name] = _merge_domain(setup.domains.get(name), dom)
        return
    except ParseError:
        pass
    names: set[str] = set()
    for side in _chain_sides(_prepare(text), 0, _Lines(text))[0]:
        try:
            names |= _names(_parse(side.text, setup, line, column))
        except ParseError:
            names |= set(re.findall(r"(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])", side.text))
    setup.premises.append((" ".join(text.split()), line, names - {"e"}))


def _premises_over(claim, setup: _Setup) -> tuple[str, ...]:
    """Premises on a name the claim uses; with a derivative in the claim even its "ok" would prove too little."""
    if not setup.premises:
        return ()
    try:
        sides = [_parse(s.text, setup, s.line, s.column) for s in (claim.left, claim.right)]
    except ParseError:
        return ()
    used = set().union(*(_names(e) for e in sides))
    derivative = any(isinstance(x, (sp.Derivative, Grad, Jac)) for e in sides for x in sp.preorder_traversal(e))
    out = []
    for text, line, names in setup.premises:
        if names & used:
            out.append(f"cannot read the text's premise '{text}' (line {line}), which governs this claim"
                       + (" and what its derivative varies" if derivative else ""))
    return tuple(out)


def _merge_domain(old: str | None, new: str) -> str:
    pair = {old, new}
    if "one-hot" in pair:
        return "one-hot"
    if "simplex" in pair:
        return "simplex"
    return new


# -- the checker -----------------------------------------------------------------------------
def check_document(doc: Document, *, file: str = "-", K: int | str | None = None,
                   defines: tuple[str, ...] = (), assumes: tuple[str, ...] = (),
                   budget: Budget | None = None) -> CheckResult:
    """Definitions, then every claim of every row, judged by the shared verifier within the budget."""
    budget = budget or Budget()
    cli_math = "\n".join(list(defines) + list(assumes))
    decl_math = "\n".join(d.text for d in doc.items if isinstance(d, Declaration))
    all_math = _prepare(doc.math + "\n" + decl_math + "\n" + cli_math)
    letters, uppers = scan_letters(all_math)
    uppers = uppers + elision_sizes(doc.math, letters)   # [a_1, \cdots, a_n]: n is a size
    file_K = [d for d in doc.items if isinstance(d, Declaration) and d.kind == "K"]
    size_name = _size_name(K, file_K, uppers)
    size_names = set(uppers) | {size_name}
    setup = _Setup(size_name, size_names, frozenset(letters - size_names))
    setup.vectors = vector_names(_prepare(doc.math), ())
    setup.index_words = index_words(doc.math)
    setup.calls = called_names(_prepare(doc.math))
    setup.headings = tuple(m.start() for m in re.finditer(r"(?m)^#{1,6}\s|\\(?:sub)*section\*?\{", doc.text))
    setup.vector_bases = _vector_bases(all_math, setup.indices)
    steps: list[StepResult] = []

    # declarations from the command line come first (a bad one is a usage error), then the document
    for text in defines:
        try:
            _declare_definition(text, setup, 0, 0, steps, explicit=True)
        except ParseError as exc:
            raise UsageError(f"--define {quoted(text)}: {exc.message}") from None
    for text in assumes:
        try:
            name, dom = _assumption(text, setup, 0, 0)
        except ParseError as exc:
            raise UsageError(f"--assume {quoted(text)}: {exc.message}") from None
        setup.domains[name] = _merge_domain(setup.domains.get(name), dom)
    for it in doc.items:
        if isinstance(it, Declaration):
            if it.kind == "unknown":
                raise ParseError(f"unknown declaration 'derive: {it.text}' (use define, assume or K = ...)", it.line, it.column)
            try:
                if it.kind == "define":
                    _declare_definition(it.text, setup, it.line, it.column, steps, explicit=True)
                elif it.kind == "assume":
                    name, dom = _assumption(it.text, setup, it.line, it.column)
                    setup.domains[name] = _merge_domain(setup.domains.get(name), dom)
                elif it.kind == "premise":   # "Assume $x > 0$", "we model $\log\frac{y}{1-y} = \theta^T x$"
                    _premise(it.text, setup, it.line, it.column)
                elif it.kind == "prose-define":   # a definition in running text; never one the text's own display gives
                    with contextlib.suppress(ParseError):
                        _declare_prose_definition(it.text, setup, it.line, it.column)
                elif it.kind == "macro":   # "define $\sum_K = \sum_{j=1}^{K} \exp(\theta_j)$"
                    head, body = it.text.split("=", 1)
                    setup.macros = setup.macros + ((head.strip(), body.strip()),)
                elif it.kind == "hot":   # prose: "不妨设 $p_k=1$" for a one-hot p
                    name, letter = it.text.split()
                    setup.hot[name] = letter
            except ParseError as exc:   # reported on its line; the rest of the document is still judged
                if it.kind == "assume":   # it governs every step naming its letters: those are not judged
                    for letter in re.findall(r"(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])", it.text):
                        setup.unusable.setdefault(letter, (it.line, it.text))
                steps.append(StepResult(it.line, it.column, it.text, "", "unverified",
                                        f"this declaration is not used: {_unreadable(exc)}",
                                        unread=not isinstance(exc, Unsupported)))

    rows = [it for it in doc.items if isinstance(it, (Row, Unread))]
    _find_whole_names(rows, setup)
    # pass 1: which rows define a name (the first time a new name stands alone on a left side)
    plans = {id(it): _planned(it, setup, budget) for it in rows if isinstance(it, Row)}
    specific = specific_names((c.left.text, c.right.text) for plan in plans.values() for c in plan if not c.definition)
    setup.generic = generic_functions(_prepare(doc.math), setup, _reach, specific)
    # pass 2: judge the claims, with K as declared at that point of the document
    concrete: int | None = K if isinstance(K, int) else None
    euler = "e" not in setup.definitions
    for it in doc.items:
        if isinstance(it, Declaration):
            if it.kind == "K" and not isinstance(K, int) and K is None:
                value = it.text.split("=", 1)[1].strip()
                concrete = int(value) if re.fullmatch(r"[0-9]{1,12}", value) else None
                if concrete is None and not re.fullmatch(r"[A-Za-z]", value):
                    raise ParseError(f"K = {message(value)}: expected a number of classes (2..50) or a one-letter "
                                     "name such as K", it.line, it.column)
                if concrete is not None and not 2 <= concrete <= 50:
                    raise ParseError(f"K = {concrete}: the number of classes must be between 2 and 50", it.line, it.column)
            continue
        if isinstance(it, Unread):
            steps.append(StepResult(it.line, it.column, it.text, "", "unverified", it.reason, end=it.end, unread=not it.cut))
            continue
        if id(it) in setup.redefinitions:
            d = setup.redefinitions[id(it)]
            setup.definitions[d.name] = d
        for claim in plans[id(it)]:
            steps.append(_judge(claim, setup, concrete, euler, budget))
    steps.sort(key=lambda s: (s.line, s.column))
    shown = str(K) if K is not None else size_name
    return CheckResult(file, tuple(steps), shown, doc)


def _find_whole_names(rows: list, setup: _Setup) -> None:
    """L_1 = ... (a subscripted letter standing alone on a left side, L never indexed): L_1 is a name."""
    for row in rows:
        if not isinstance(row, Row) or row.carried or row.conditions:
            continue
        left = row.sides[0]
        if "_" not in left.text or len(left.text) > 40:
            continue
        try:
            head = parse_latex(_prepare(left.text), setup.pctx(left.line, left.column))
        except ParseError:
            continue
        name = _whole(head, setup)
        if name is not None:
            setup.names.add(name)


def _unreadable(exc: ParseError) -> str:
    """The reason a step is unverified because its math could not be read."""
    where = f" (line {exc.line}, column {exc.column})" if exc.line else ""
    if isinstance(exc, TooLarge):
        return exc.message + where
    if isinstance(exc, Unsupported):
        return f"cannot read {exc.message}{where}"
    return f"cannot read this math: {exc.message}{where}"


def _size_name(K, file_K: list, uppers: list) -> str:
    if isinstance(K, str):
        return K
    for d in file_K:
        value = d.text.split("=", 1)[1].strip()
        if not re.fullmatch(r"[0-9]{1,12}", value):
            return value if re.fullmatch(r"[A-Za-z]", value) else "K"
        return d.text.split("=", 1)[0].strip()
    if uppers:
        counts = collections.Counter(uppers)
        return max(counts, key=lambda n: (counts[n], n.isupper()))
    return "K"


def _declare_prose_definition(text: str, setup: _Setup, line: int, column: int) -> None:
    sides, _ = _chain_sides(_prepare(text), 0, _Lines(text))
    head = _parse(sides[0].text, setup, line, column)
    body = _parse(sides[-1].text, setup, line, column)
    name = _head_name(head)
    if _definable(head, setup) and name not in setup.definitions and name not in _reach(body, setup.definitions) \
            and not getattr(body, "is_Matrix", False):
        setup.definitions[name] = Definition(head, body)


def _declare_definition(text: str, setup: _Setup, line: int, column: int, steps: list, explicit: bool) -> None:
    lines = _Lines(text)
    sides, kinds = _chain_sides(_prepare(text), 0, lines)
    if len(sides) != 2 or not sides[0].text or not sides[1].text:
        raise ParseError(f"define {quoted(text)}: write one equation HEAD = BODY", line, column)
    head = _parse(sides[0].text, setup, line, column)
    whole = _whole(head, setup)
    if whole is not None:   # define L_2 = ...: the name L_2
        setup.names.add(whole)
        head = _parse(sides[0].text, setup, line, column)
    body = _parse(sides[1].text, setup, line, column)
    if not _definable(head, setup):
        raise ParseError(f"define {quoted(text)}: the left side must be a name such as L or a_i", line, column)
    name = _head_name(head)
    if name in _reach(body, setup.definitions):
        raise ParseError(f"define {quoted(text)}: {name} is defined in terms of itself", line, column)
    setup.definitions[name] = Definition(head, body)


@dataclass(frozen=True)
class _Claim:
    row: Row
    left: Side
    right: Side
    definition: bool = False
    note: str = ""
    approx: bool = False            # written \approx: judged to the digits written


def _planned(row: Row, setup: _Setup, budget: Budget) -> list[_Claim]:
    """_plan_row within the document's time (its parses are cached for the judging pass)."""
    try:
        with time_bound(max(budget.share(), 0.01)):
            return _plan_row(row, setup)
    except Timeout:
        return [_Claim(row, a, b, note="not read within the document's time budget") for a, b in zip(row.sides, row.sides[1:])]


def _plan_row(row: Row, setup: _Setup) -> list[_Claim]:
    """The claims of one row; the first is a definition when its left side is a new name."""
    pairs = list(zip(row.sides, row.sides[1:]))
    if row.note:
        return [_Claim(row, a, b, note=row.note) for a, b in pairs]
    if row.role == "assume":   # the display the text assumes ("We model ... as"): a premise, not claims
        _premise(" = ".join(s.text for s in row.sides), setup, row.line, row.sides[0].column)
        return []
    claims = [_Claim(row, a, b, approx=bool(row.approx) and row.approx[n]) for n, (a, b) in enumerate(pairs)]
    if row.carried or row.conditions or row.problem or row.approx[:1] == (True,):
        return claims
    vec = entrywise.vector_definition(row, setup)
    if vec is not None:   # a = [\frac{e^{z_1}}{...}, \cdots, \frac{e^{z_n}}{...}] defines a_i
        setup.definitions[vec.name] = vec
        return claims
    left = row.sides[0]
    try:
        head = _parse(left.text, setup, left.line, left.column, head=True)
    except ParseError:
        return claims
    name = _head_name(head)
    if not _definable(head, setup):
        return claims
    if name in setup.definitions:
        return _redefinition(row, head, claims, setup)
    # the body is the first right side we can read (e = crossEntropy(s, y) = -\sum y_i log s_i)
    aliases = []
    for n, side in enumerate(row.sides[1:], start=1):
        try:
            body = _parse(side.text, setup, side.line, side.column)
        except ParseError:
            continue
        if name in _reach(body, setup.definitions) or isinstance(body, sp.MatrixBase) or getattr(body, "is_Matrix", False):
            return claims
        if isinstance(body, sp.Symbol) and _definable(body, setup) and str(body) not in setup.definitions and n < len(row.sides) - 1:
            aliases.append((n, body))   # a function-style name (crossEntropy(s, y)): the same quantity
            continue
        setup.definitions[name] = Definition(head, body)
        setup.defined_at[name] = left.offset
        fn = function_head(left.text)
        if fn is not None and fn[0] == name and isinstance(head, sp.Symbol):   # f(x) = x^2 + 1 defines the function f
            setup.functions[name] = tuple(index(p) if p in setup.indices else sp.Symbol(p) for p in fn[1])
        for _, alias in aliases:
            setup.definitions[str(alias)] = Definition(alias, body)
        if n == 1 or aliases and [m for m, _ in aliases] == list(range(1, n)):
            for m in range(n):
                claims[m] = _Claim(row, row.sides[m], row.sides[m + 1], definition=True)
        else:
            setup.failed_defs[name] = (left.line, f"read from the side at line {side.line}")
        return claims
    setup.failed_defs[name] = (left.line, "no right side could be read")
    return claims


def _redefinition(row: Row, head, claims: list, setup: _Setup) -> list:
    """`a_i = ...` again under a new heading (### 2) of an exercise): a new definition from here on."""
    name = _head_name(head)
    since = setup.defined_at.get(name)
    if since is None or len(row.sides) != 2 or not any(since < h < row.sides[0].offset for h in setup.headings):
        return claims
    side = row.sides[1]
    try:
        body = _parse(side.text, setup, side.line, side.column)
    except ParseError:
        return claims
    if name in _reach(body, setup.definitions):
        return claims
    setup.redefinitions[id(row)] = Definition(head, body)
    setup.defined_at[name] = row.sides[0].offset
    return [_Claim(row, row.sides[0], row.sides[1], definition=True)]


def _judge(claim: _Claim, setup: _Setup, concrete: int | None, euler: bool, budget: Budget) -> StepResult:
    row, left, right = claim.row, claim.left, claim.right
    conds = conditions_shown(row)
    if row.size and concrete is None:
        concrete = row.size   # "in the binary case" before the display
    base: dict[str, Any] = dict(line=right.line, column=right.column,
                                lhs=left.text, rhs=right.text, conditions=conds, end=row.end, inline=row.inline)
    if claim.definition:
        return StepResult(status="definition", reason=f"defines {_head_name(setup.definitions[_name_of(left, setup)].head)}", **base)
    if claim.note:
        return StepResult(status="unverified", reason=claim.note, **base)
    gov = governed.read_values(row.values, lambda t: _assumption(t, setup, left.line, left.column),
                               lambda t: _chain_sides(_prepare(t), 0, _Lines(t)),
                               lambda t: _parse(t, setup, left.line, left.column))
    premises = _premises_over(claim, setup)
    unread = ((row.problem,) if row.problem else ()) + gov.unread + premises
    # an 'or' between conditions widens the case the row was judged in (i = j or i = 1); a premise on a
    # name a derivative varies changes the derivative: in both an "ok" proves too little
    stands = "joined by 'or')" not in row.problem and not any(p.endswith("varies") for p in premises)
    share = budget.share()
    if share <= 0:
        return StepResult(status="unverified", reason=f"not judged: the document's time budget of {budget.total:g} s ran out", **base)
    saved = dict(setup.domains)
    setup.domains.update(gov.domains)   # x > 0 stated for this claim only
    try:
        with time_bound(share + 0.5):
            result = governed.settle(_judged(claim, setup, concrete, euler, share, base, gov.subs), unread, stands)
            if row.role == "define" and result.status != "ok":   # 令 $L = g_1(x_1) = -\log x_1$: names, not claims
                return StepResult(status="definition", reason="the text's own definition (let / 令 / 设 / where), "
                                  "not a claim", **base)
        if result.status == "wrong" and result.hint is None and not gov.subs and budget.left() > 0.5:
            hint = _hint(claim, setup, concrete, euler, min(hints.HINT_SECONDS, budget.left() - 0.3))
            if hint is not None:
                result = dataclasses.replace(result, hint=hint)
        return result
    except Timeout:
        return StepResult(status="unverified", reason=f"no verdict within {share:.3g} s (this step's share of the time)", **base)
    finally:
        setup.domains.clear()
        setup.domains.update(saved)


def _hint(claim: _Claim, setup: _Setup, concrete: int | None, euler: bool, seconds: float) -> Hint | None:
    """A fix for a wrong step, confirmed by the verifier under the step's own context (or the one
    assumption or case it names); None when no candidate is confirmed within the time."""
    row, left, right = claim.row, claim.left, claim.right
    if any(op == "=" and b.isdigit() and a not in setup.indices for (a, b), op in zip(row.conditions, row.condition_ops)):
        return None   # the claim is judged at stated values (x = 3): a hint would be checked on another claim
    try:
        lhs = _parse(left.text, setup, left.line, left.column)
        rhs = _parse(right.text, setup, right.line, right.column)
    except ParseError:
        return None

    def confirm(l, r, domains: dict | None = None, flip: bool = False) -> bool:
        ctx, l2, r2 = _context(l, r, row, setup, concrete, euler, 1.5)
        if domains:
            ctx = dataclasses.replace(ctx, domains=tuple(sorted({**dict(ctx.domains), **domains}.items())))
        if flip:
            ctx = dataclasses.replace(ctx, conditions=tuple(
                sp.Ne(*c.args, evaluate=False) if isinstance(c, sp.Eq) else sp.Eq(*c.args, evaluate=False) for c in ctx.conditions))
            if not ctx.conditions:
                return False
        try:
            return verify(l2, r2, ctx).status == "verified"
        except (ArithmeticError, TypeError, ValueError, RecursionError, AttributeError, NotImplementedError):
            return False

    ctx, _, _ = _context(lhs, rhs, row, setup, concrete, euler, 1.5)
    vectors = {n: d for n, d in ctx.domains if n not in setup.domains and _is_vector(n, lhs, rhs, ctx)}
    size_sym = sp.Integer(concrete) if concrete is not None else size(setup.size_name)
    try:
        with time_bound(seconds):
            return hints.find(lhs, rhs, size=size_sym, confirm=confirm, vectors=vectors,
                              conditions=conditions_shown(row), seconds=seconds)
    except Timeout:
        return None


def _is_vector(name: str, lhs, rhs, ctx) -> bool:
    """An indexed leaf (y_k) of the step or of its definitions: something that may be a distribution."""
    roots = [lhs, rhs] + [d.body for d in ctx.definitions]
    return any(isinstance(x, sp.Indexed) and str(x.base.label) == name for r in roots for x in sp.preorder_traversal(r))


def _judged(claim: _Claim, setup: _Setup, concrete: int | None, euler: bool, seconds: float, base: dict,
            subs: dict | None = None) -> StepResult:
    row, left, right = claim.row, claim.left, claim.right
    try:
        written = entrywise.judge(claim, setup, concrete, euler, ref=row.sides[0])
        if written is not None:
            return written
        lhs = _parse(left.text, setup, left.line, left.column)
        rhs = _parse(right.text, setup, right.line, right.column)
    except ParseError as exc:
        return StepResult(status="unverified", reason=_unreadable(exc), unread=not isinstance(exc, Unsupported), **base)
    problem = (_undefined_derivative(lhs, setup) or _undefined_derivative(rhs, setup) or _undefined_name(lhs, rhs, setup)
               or _arity_mismatch(lhs, rhs, setup) or _unusable_assumption(lhs, rhs, setup))
    if problem:
        return StepResult(status="unverified", reason=problem, **base)
    parsed = (lhs, rhs)
    if getattr(lhs, "is_Matrix", False) and getattr(rhs, "is_Matrix", False) and lhs.shape != rhs.shape:
        by_entry = entrywise.vector_claim(lhs, rhs, claim, setup, concrete, euler, base)   # dl/da da/dz: a row gradient
        if by_entry is not None:
            return by_entry
    subs = dict(subs or {})
    for (a, b), op in zip(row.conditions, row.condition_ops):   # (x = 3) beside a claim about a scalar x
        if op == "=" and b.isdigit() and a not in setup.indices and a not in setup.definitions:
            subs.setdefault(a, sp.Integer(b))
    if subs:
        varied = {_head_name(v) for e in (lhs, rhs) for x in sp.preorder_traversal(e) if isinstance(x, sp.Derivative) for v in x.variables}
        if varied & set(subs) or set(subs) & set(setup.definitions):
            return StepResult(status="unverified", reason=f"cannot apply the condition {sorted(set(subs))[0]} = "
                              f"{subs[sorted(set(subs))[0]]} here (a derivative or a definition depends on it)", **base)
        lhs, rhs = governed.substitute(lhs, subs), governed.substitute(rhs, subs)
    ctx, lhs, rhs = _context(lhs, rhs, row, setup, concrete, euler, seconds)
    try:
        verdict = _to_written_digits(claim, lhs, rhs, ctx) or verify(lhs, rhs, ctx)
        if verdict.reason is Reason.SHAPES:   # dl/da da/dz, a row gradient
            by_entry = entrywise.vector_claim(*parsed, claim, setup, concrete, euler, base)
            if by_entry is not None:
                return by_entry
    except (ArithmeticError, TypeError, ValueError, RecursionError, AttributeError, NotImplementedError) as exc:
        return StepResult(status="unverified", reason=f"the verifier could not evaluate this step ({type(exc).__name__}: {exc})", **base)
    if verdict.status == "verified":
        generic = sorted(n for n in setup.generic if n in _reach(parsed[0], {}) | _reach(parsed[1], {}))
        note = "".join(f"{n} is any differentiable function of {setup.generic[n]}; " for n in generic)
        return StepResult(status="ok", reason=note + verdict.detail, method=verdict.method or "", **base)
    if verdict.reason is Reason.LOG_DOMAIN and setup.hot:
        hot = onehot.at_written_index(lhs, rhs, ctx, setup.hot)   # p_j log p_j of a one-hot p: 0 log 0
        if hot is not None:
            return StepResult(status=hot[0], reason=hot[1], **base)
    if verdict.status == "refuted":
        hot = onehot.at_written_index(lhs, rhs, ctx, setup.hot)   # "p is one-hot" and the text writes p_k: its 1 is at k
        if hot is not None and hot[0] == "ok":
            return StepResult(status="ok", reason=hot[1], **base)
        return StepResult(status="wrong", reason=_wrong_reason(verdict, ctx), counterexample=_flatten(verdict.counterexample, setup), **base)
    return StepResult(status="unverified", reason=verdict.detail, **base)


def _to_written_digits(claim: _Claim, lhs, rhs, ctx):
    """A side written as a decimal (1.406), or either side of \approx: the other side must round to
    it at the places written. None: an equality like any other."""
    for side, other in ((claim.right, lhs), (claim.left, rhs)):
        number = written_number(side.text)
        if number is not None and (number[1] or claim.approx) and other != number[0]:   # 1/2 = 0.5 is exact
            verdict = rounded(other, *number, ctx)
            if verdict is not None:
                return verdict
    if claim.approx:
        return Verdict("unconfirmed", None, "\\approx is judged against a number written to some decimals; "
                       "neither side is one with a value", reason=Reason.APPROXIMATION)
    return None


def conditions_shown(row: Row) -> tuple[str, ...]:
    """i = j, i != j as the report shows them; a case or size taken from the prose says from where."""
    conds = tuple(f"{a} {'=' if op == '=' else '!='} {b}" for (a, b), op in zip(row.conditions, row.condition_ops))
    if row.size:
        conds += (f"K = {row.size}",)
    conds += tuple(row.values)
    if row.context_line:
        conds = tuple(f"assuming {c}, from line {row.context_line}" for c in conds)
    return conds


def _name_of(side: Side, setup: _Setup) -> str | None:
    return _head_name(_parse(side.text, setup, side.line, side.column, head=True))


def _undefined_derivative(e, setup: _Setup) -> str:
    """A derivative of something that never depends on the variable: almost always a missing definition."""
    for x in sp.preorder_traversal(e):
        if isinstance(x, sp.Derivative):
            expr, var = x.expr, x.variables[0]
        elif isinstance(x, (Grad, Jac)):
            expr, var = x.args
        else:
            continue
        v = _head_name(var)
        reach = _reach(expr, setup.definitions)
        if v in reach:
            continue
        missing = sorted(n for n in reach if n not in setup.definitions and n != "e" and n not in setup.domains)
        if not missing:
            continue
        names = ", ".join(missing)
        failed = [n for n in missing if n in setup.failed_defs]
        why = f" (its definition at line {setup.failed_defs[failed[0]][0]} could not be read)" if failed else \
            f" (add '% derive: define {missing[0]}... = ...')"
        return f"derivative with respect to {_shown(var)} of {names}, which is never defined{why}"
    return ""


def _arity_mismatch(lhs, rhs, setup: _Setup) -> str:
    """a_i where the text's definitions use a_{ik}: the author means a row, which the grammar would read as a
    different (independent) quantity; every derivative by it would vanish, a vacuous "ok"."""
    arity: dict[str, int] = {}
    for d in setup.definitions.values():
        if isinstance(d.head, sp.Indexed):
            arity.setdefault(d.name, len(d.head.indices))
        for x in sp.preorder_traversal(d.body):
            if isinstance(x, sp.Indexed):
                arity.setdefault(str(x.base.label), len(x.indices))
    for side in (lhs, rhs):
        for x in sp.preorder_traversal(side):
            if isinstance(x, sp.Indexed) and arity.get(str(x.base.label), len(x.indices)) != len(x.indices):
                name = str(x.base.label)
                return (f"{name} is written with {len(x.indices)} index here and {arity[name]} in its definitions "
                        f"(a row of a matrix?); not judged")
    return ""


def _undefined_name(lhs, rhs, setup: _Setup) -> str:
    """A name that is neither defined nor an input of any definition (loss, crossEntropy): the claim
    cannot be judged, and a random value for it would make a false "wrong"."""
    inputs = set(setup.domains)
    for d in setup.definitions.values():
        inputs |= _names(d.body)
    derivs = {_head_name(v) for e in (lhs, rhs) for x in sp.preorder_traversal(e) if isinstance(x, sp.Derivative) for v in x.variables}
    unknown = sorted((_names(lhs) | _names(rhs)) - set(setup.definitions) - inputs - derivs - {"e", "pi"})
    if not unknown or not setup.definitions:
        return ""
    n = unknown[0]
    return f"unverified: {n} is never defined (for example % derive: define {n} = ...)"


def _unusable_assumption(lhs, rhs, setup: _Setup) -> str:
    """An assumption the checker could not read governs every step that names its letters: judged without
    it, sqrt(x^2) = -x under 'assume x < 0' would be a false "wrong"."""
    names = _reach(lhs, setup.definitions) | _reach(rhs, setup.definitions)
    for letter in sorted(names & set(setup.unusable)):
        line, text = setup.unusable[letter]
        return f"not judged: the assumption '{text}' (line {line}) governs {letter} and cannot be read"
    return ""


def _shown(v) -> str:
    if isinstance(v, sp.Indexed):
        return f"{v.base.label}_{{{''.join(map(str, v.indices))}}}"
    return str(v)


def _context(lhs, rhs, row: Row, setup: _Setup, concrete: int | None, euler: bool, seconds: float = STEP_SECONDS):
    """The verifier's context for one step: definitions, domains, the conditions on its indices, K."""
    defs = list(setup.definitions.values())
    sym = size(setup.size_name)
    subs: dict = {}
    if euler:
        subs[EULER] = sp.E
    # a scalar defined with an index it does not show (L = -ln q_k, k the true class) is written
    # out in place, so the verifier sees k as a free index of the step and tries every value
    for d in defs:
        if isinstance(d.head, sp.Symbol) and any(s.is_integer and str(s) not in setup.size_names for s in d.body.free_symbols):
            lhs, rhs = lhs.xreplace({d.head: d.body}), rhs.xreplace({d.head: d.body})
    if concrete is not None:
        subs[sym] = sp.Integer(concrete)
    if subs:
        lhs, rhs = lhs.xreplace(subs), rhs.xreplace(subs)
        defs = [Definition(d.head, d.body.xreplace(subs)) for d in defs]
    free = {str(s) for s in _free_indices(lhs) | _free_indices(rhs)}   # a \sum's own k takes no case
    conds = []
    reals = {str(s): s for s in lhs.free_symbols | rhs.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
    for (a, b), op in zip(row.conditions, row.condition_ops):
        if a in reals and a not in free:
            # a condition on a real variable of the step (x = 3) governs it: the step is judged there;
            # x != 3 leaves out one point, which no sample meets and no identity needs
            if op == "=":
                value = sp.Integer(b) if b.isdigit() else reals.get(b, index(b) if b in free else sp.Symbol(b))
                lhs, rhs = lhs.xreplace({reals[a]: value}), rhs.xreplace({reals[a]: value})
            continue
        # a condition on a letter the step does not use says nothing about it: the step must hold for
        # every value of its own indices (some value of the other letter always meets the condition)
        if not ({a} | ({b} if not b.isdigit() else set())) <= free:
            continue
        ia, ib = index(a), sp.Integer(b) if b.isdigit() else index(b)
        conds.append(sp.Eq(ia, ib, evaluate=False) if op == "=" else sp.Ne(ia, ib, evaluate=False))
    ctx = Context(definitions=tuple(defs), domains=tuple(sorted(_domains(lhs, rhs, defs, setup).items())),
                  conditions=tuple(conds), size=concrete if concrete is not None else sym,
                  sizes=GENERAL_SIZES, time_limit=seconds)
    return ctx, lhs, rhs



def _domains(lhs, rhs, defs, setup: _Setup) -> dict:
    """A leaf is real unless the document says otherwise: its assumption, or a log that needs it positive
    in a definition or under a derivative (L = -sum q log p, d/dp log p): there the writer's own formula
    only exists for p > 0 (or 0 < p < 1 with log(1 - p)). A log in the claim itself implies nothing:
    log(x^2) = 2 log x is a claim about every real x."""
    defined = {d.name for d in defs}
    leaves = set()
    implied: dict[str, str] = {}
    roots = [d.body for d in defs]
    for side in (lhs, rhs):
        leaves |= _names(side)
        roots += [x for x in sp.preorder_traversal(side) if isinstance(x, (sp.Derivative, Grad, Jac))]
    for root in roots:
        leaves |= _names(root)
        for x in sp.preorder_traversal(root):
            if isinstance(x, sp.log):
                for name, dom in _log_needs(x.args[0]).items():
                    implied[name] = "unit" if "unit" in (dom, implied.get(name)) else dom
    for d in defs:   # -sum y_k log a_k: y weighs log-probabilities, a target in (0, 1) (never -0.6)
        for name in _log_weights(d.body):
            implied.setdefault(name, "unit")
    out = {}
    for n in leaves - defined - {"e"}:
        out[n] = setup.domains.get(n) or implied.get(n, "real")
    return out


def _log_weights(body) -> set[str]:
    """Leaves that multiply a log in a definition (y in y_k log a_k): the weights of a cross-entropy."""
    out = set()
    for x in sp.preorder_traversal(body):
        if isinstance(x, sp.Mul) and any(isinstance(f, sp.log) for f in x.args):
            out |= {_leaf_name(f) for f in x.args if isinstance(f, sp.Indexed) and not f.is_integer}
    return out


def _log_needs(arg) -> dict[str, str]:
    """Leaves a log argument needs positive: log p, log(p q), log(1 - p) (then 0 < p < 1)."""
    out = {}
    for f in sp.Mul.make_args(arg):
        if isinstance(f, (sp.Indexed, sp.Symbol)) and not f.is_integer:
            out[_leaf_name(f)] = "positive"
        elif isinstance(f, sp.Add) and len(f.args) == 2 and sp.Integer(1) in f.args:
            other = f.args[0] if f.args[1] == 1 else f.args[1]
            if isinstance(-other, (sp.Indexed, sp.Symbol)):
                out[_leaf_name(-other)] = "unit"
    return out


def _wrong_reason(verdict, ctx) -> str:
    ce = verdict.counterexample or {}
    if verdict.reason is Reason.WRITTEN_DIGITS:   # a decimal the value does not round to: the detail shows both
        return verdict.detail
    where = ", ".join(f"{k}={v}" for k, v in ce.get("indices", {}).items())
    k = ce.get("K")
    at = (f" at K={k}" if k is not None else "") + (f", {where}" if where else "")
    lhs, rhs = ce.get("lhs"), ce.get("rhs")
    if lhs is None or rhs is None:  # one side has no value where the other has one
        return f"{verdict.detail}{at}" + (f" ({_g(lhs if lhs is not None else rhs, 6)})" if (lhs, rhs) != (None, None) else "")
    shown = f"{_g(lhs, 6)} vs {_g(rhs, 6)}"
    if _g(lhs, 6) == _g(rhs, 6) and ce.get("difference") is not None:
        shown += f", a difference of {_g(ce['difference'], 3)}"  # 1 against 1 + 10^-31
    return f"the sides differ{at}: {shown}"


def _g(v, digits: int) -> str:
    """A number of the counterexample: a float, or a decimal string beyond the float range."""
    return f"{v:.{digits}g}" if isinstance(v, (int, float)) else str(v)


def _flatten(ce: dict | None, setup: _Setup) -> dict | None:
    """The verifier's counterexample in the JSON contract's shape: K, the indices, the values, both sides."""
    if ce is None:
        return None
    out: dict = {"K": ce.get("K")}
    out.update(ce.get("indices", {}))
    for k, v in ce.items():
        if k in ("K", "indices", "lhs", "rhs", "difference") or k in setup.indices or k in setup.size_names or k == "e" and not isinstance(v, list):
            continue
        out[k] = v
    out["lhs"], out["rhs"] = ce.get("lhs"), ce.get("rhs")
    if ce.get("difference") is not None:
        out["difference"] = ce["difference"]  # lhs - rhs, when the two print alike
    return out
