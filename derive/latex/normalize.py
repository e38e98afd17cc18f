"""Authors' notations rewritten to the grammar's: \\nabla, \\mathbb/\\textbf vectors, softmax(z)_i, f(x) names."""
from __future__ import annotations

import re
from collections.abc import Callable

_BOLD_RE = re.compile(r"\\(mathbb|textbf|bm|boldsymbol|mathbf)\s*\{\s*(\\?[A-Za-z]+)\s*\}")
_BOLD_HAT_RE = re.compile(r"\\(?:mathbb|textbf|bm|boldsymbol|mathbf)\s*\{\s*\\hat\s*\{\s*([A-Za-z])\s*_\s*(\{[^{}]*\}|[A-Za-z0-9])\s*\}\s*\}")
_HAT_SUB_RE = re.compile(r"\\hat\s*\{\s*([A-Za-z])\s*_\s*(\{[^{}]*\}|[A-Za-z0-9])\s*\}")
_BOLD_ENTRY_RE = re.compile(r"\\mathbf\s*\{\s*(\\?[A-Za-z]+)\s*\}\s*_")
# \nabla e_{(s)} (BrightLamp's gradient of e with respect to s), \nabla_{z} L, \nabla_{\mathbf z} L
_NABLA_OF_RE = re.compile(r"\\nabla\s*([A-Za-z])\s*_\s*\{\s*\(\s*([A-Za-z])\s*\)\s*\}")
_NABLA_SUB_RE = re.compile(r"\\nabla\s*_\s*(?:\{\s*(?:\\mathbf\s*\{?\s*)?([A-Za-z])\s*\}?\s*\}|([A-Za-z]))\s*([A-Za-z])(?![A-Za-z_])")
_DERIV_LETTERS_RE = re.compile(r"\\frac\s*\{\s*\\partial\s*([A-Za-z])\s*\}\s*\{\s*\\partial\s*([A-Za-z])\s*\}")
_SOFTMAX_RE = re.compile(r"(?:\\text|\\operatorname|\\mathrm)?\s*\{?\s*softmax\s*\}?\s*(?:\\left)?\(\s*(?:\\mathbf\s*\{?\s*)?(\\?[A-Za-z]+)\s*\}?\s*(?:\\right)?\)\s*_\s*(\{[^{}]*\}|[A-Za-z])")
_SOFTMAX_ENTRY_RE = re.compile(r"(?:\\text|\\operatorname|\\mathrm)?\s*\{?\s*softmax\s*\}?\s*\(\s*(\\?[A-Za-z]+)\s*_\s*(\{[^{}]*\}|[A-Za-z])\s*\)")
# f(x)_i, y_i(z_i), J(\theta): a name followed by its arguments (names only), read as the name
_CALL_RE = re.compile(r"(?<![\\A-Za-z_^])(\\(?:phi|varphi|psi)|\\(?:text|operatorname|mathrm)\s*\{[A-Za-z ]+\}|[A-Za-z]+)(\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?\((\s*(?:\\mathbf\s*\{?\s*|\\hat\s*\{?\s*)?(?:\\[A-Za-z]+|[A-Za-z])\s*\}?(?:_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?\s*(?:,\s*(?:\\mathbf\s*\{?\s*|\\hat\s*\{?\s*)?(?:\\[A-Za-z]+|[A-Za-z]+)\s*\}?\s*)*)\)")
_FREE_LETTERS = "uvwrq"
_JAC_RE = re.compile(r"(?<![\\A-Za-z])J_\s*\{?\s*([a-z])\s*\}?\s+([a-z])(?![A-Za-z_])")
_NABLA_ROW_RE = re.compile(r"\\nabla\s*_\s*\{\s*([A-Za-z])\s*_\s*\{?\s*([a-z])\s*\}?\s*\}")
_BRACKET_INDEX_RE = re.compile(r"(?<![\\A-Za-z])([A-Za-z])\s*\[\s*([A-Za-z]+)\s*\]")
# \sigma'(x): the derivative of a function we know, at a variable
_PRIME_RE = re.compile(r"\\(sigma|tanh|log|exp)\s*'\s*\(\s*([a-z])\s*\)")
_INDICATOR_RE = re.compile(r"(?<![0-9.])1\s*\\\{\s*([a-z])\s*=\s*([a-z])\s*\\\}")
# y_{k=i} is y_i; y_{k \not= i} is y_k (its case is stated beside it)
_SUB_EQ_RE = re.compile(r"(?<!sum)(?<!prod)(?<!limits)(?<!\s)_\s*\{\s*([a-z])\s*(=|\\not\s*=|\\neq|\\ne)\s*([a-z])\s*\}")
_LEAD_RE = re.compile(r"^\s*\\(therefore|because|Rightarrow|implies|Longrightarrow)(?![a-zA-Z])")
_LN_RE = re.compile(r"(?<![\\A-Za-z])ln(?=\s*[\\({])")
# a^{(i)}, \mathcal{L}^{(i)}: the i-th data point as an upper index in parentheses (Ng's notation), read
# as a_i; only on a name with no subscript of its own, and never a power: (i) is not a number; e^{(x)} stays exp
_SAMPLE_RE = re.compile(r"((?<![\\A-Za-z_])[A-DF-Za-df-z]|\\mathcal\s*\{\s*[A-Za-z]\s*\})\s*\^\s*\{\s*\(\s*([a-z])\s*\)\s*\}(?!\s*_)")
# \sigma_i(z), \sigma_c: a subscripted sigma is the entry of a vector function (Wichmann's softmax), never
# the sigmoid; read as the name sigma_i. Its argument is dropped only when it is a bare name, as in f(x);
# after \log its parentheses stay, so \log\sigma_c(z) \frac{..}{..} is log(sigma_c) times the fraction.
_SIGMA_SUB = r"\\sigma(?![a-zA-Z])\s*(_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))"
_SIGMA_CALL_RE = re.compile(r"(\\(?:log|ln|exp)(?![a-zA-Z])\s*)?" + _SIGMA_SUB + r"\s*(?:\\left\s*)?\(\s*(?:\\mathbf\s*\{?\s*)?(?:\\[A-Za-z]+|[A-Za-z])\s*\}?\s*(?:\\right\s*)?\)")
_SIGMA_BARE_RE = re.compile(_SIGMA_SUB + r"(?!\s*(?:\\left\s*)?\()")


_NAME_WORDS_RE = re.compile(r"(?<![\\A-Za-z])([A-Za-z]{2,})\\_(?=[A-Za-z]{2,})")


def _underscores(text: str) -> str:
    """\\_ between two words is a name's underscore (batch\\_size); elsewhere it is a subscript escaped for
    the Markdown engine (\\sum\\_{i=1}, h\\_\\theta, \\theta\\_j), as the page shows it."""
    kept = _NAME_WORDS_RE.sub(lambda m: m.group(1) + "\x00", text)
    return kept.replace("\\_", "_").replace("\x00", "\\_")


def sample_indices(text: str) -> str:
    """a^{(i)} -> a_{i}: the data point's index written above, read as the index it is."""
    return _SAMPLE_RE.sub(r"\1_{\2}", text)


def _brace(text: str, pos: int, step: int) -> int:
    """The unmatched brace met walking from pos by step (-1: the group's '{', 1: its '}'), or -1."""
    opening, closing = ("}", "{") if step < 0 else ("{", "}")
    depth = 0
    while 0 <= pos < len(text):
        ch = text[pos]
        if ch in "{}" and text[pos - 1:pos] != "\\":
            if ch == opening:
                depth += 1
            elif depth == 0:
                return pos
            else:
                depth -= 1
        pos += step
    return -1


def _over(text: str) -> str:
    """{a \\over b} -> \\frac{a}{b} (plain TeX fractions), innermost groups first."""
    for _ in range(20):
        m = re.search(r"\\over(?![a-zA-Z])", text)
        if not m:
            return text
        start = _brace(text, m.start() - 1, -1)
        if start < 0:
            return text
        end = _brace(text, m.end(), 1)
        if end < 0:
            # the whole side is the group: {a \over b} with its closing brace cut off by the extractor
            end = len(text)
        num, den = text[start + 1:m.start()], text[m.end():end]
        text = text[:start] + rf"\frac{{{num}}}{{{den}}}" + text[end + 1:]
    return text


def _fresh(text: str) -> str:
    for c in _FREE_LETTERS:
        if not re.search(rf"(?<![\\A-Za-z]){c}(?![A-Za-z])", text):
            return c
    return "u"


def _softmax_entry(base: str, sub: str, text: str) -> str:
    u = _fresh(text)
    inner = sub.strip("{} ")
    if len(inner) > 1 and inner.isalpha():   # x_{ik}: the sum runs over the last index
        other = inner[:-1] + u
        return rf"\frac{{e^{{{base}_{{{inner}}}}}}}{{\sum_{{{u}}} e^{{{base}_{{{other}}}}}}}"
    return rf"\frac{{e^{{{base}_{{{inner}}}}}}}{{\sum_{{{u}}} e^{{{base}_{{{u}}}}}}}"


def index_words(math: str) -> dict[str, str]:
    """x[class], y[j]: words used as indices in brackets, each given a letter the document does not use."""
    words = sorted(set(re.findall(r"(?<![\\A-Za-z])[A-Za-z]\s*\[\s*([A-Za-z]{2,})\s*\]", math)))
    free = [c for c in "uvwrqo" if not re.search(rf"(?<![\\A-Za-z]){c}(?![A-Za-z])", math)]
    out = dict(zip(words, free))
    if len(free) > len(words):
        out[NABLA] = free[len(words)]   # \nabla_{a_i}: the component index of the gradient
    return out


NABLA = "\\nabla"


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that puts `text` in as it is (its backslashes are LaTeX, not escapes)."""
    return lambda _m: text


def normalize(text: str, vectors: frozenset = frozenset(), words: dict | None = None, macros: tuple = (),
              calls: bool = True, functions: dict | None = None) -> str:
    """The same math in the notation our grammar reads; `vectors` are names also written with subscripts,
    `words` the letters standing for index words (x[class]). `calls=False` (a loss for the engine) keeps
    f(x) a call: there the name of a function is never the quantity it computes; so do `functions`, the
    names the document defines as functions, name -> parameters (f(x) = x^2 + 1: f(a_i) is a_i^2 + 1, never
    f), except at their own parameters, where f(x) is the name f its definition defines."""
    for head, body in macros:   # \sum_K standing alone (not followed by its operand) is the defined sum
        text = re.sub(re.escape(head) + r"(?=\s*(?:[})\-+^]|$))", _literal("(" + body + ")"), text)
    text = _JAC_RE.sub(r"\\frac{\\partial \\mathbf{\2}}{\\partial \\mathbf{\1}}", text)   # J_x y
    if words and NABLA in words:   # \nabla_{a_i} X: the gradient over row i of a, component u
        text = _NABLA_ROW_RE.sub(lambda m: rf"\frac{{\partial}}{{\partial {m.group(1)}_{{{m.group(2)}{words[NABLA]}}}}}", text)
    text = _BRACKET_INDEX_RE.sub(lambda m: f"{m.group(1)}_{{{(words or {}).get(m.group(2), m.group(2))}}}", text)
    text = re.sub(r"\\ell(?![a-zA-Z])", r"\\mathit{ell}", text)
    text = re.sub(r"\\bigtriangledown(?![a-zA-Z])", r"\\nabla", text)   # the same symbol
    if "\\_" in text:
        text = _underscores(text)
    text = re.sub(r"\\[hv]space\*?\s*\{[^{}]*\}", " ", text)   # \ell_j: a name the grammar reads as a word
    text = sample_indices(text)
    text = _INDICATOR_RE.sub(r"\\delta_{\1\2}", text)
    text = _PRIME_RE.sub(lambda m: rf"\frac{{d}}{{d{m.group(2)}}} \{m.group(1)}({m.group(2)})", text)                # 1\{k = i\}: the indicator of k = i
    text = _SUB_EQ_RE.sub(lambda m: "_{" + (m.group(3) if m.group(2) == "=" else m.group(1)) + "}", text)
    text = _over(text)
    text = _LEAD_RE.sub("", text)
    text = _LN_RE.sub(r"\\ln", text)
    if "&amp;" in text:
        text = text.replace("&amp;", "&")
    text = _BOLD_HAT_RE.sub(r"\\hat{\1}_\2", text)
    text = _HAT_SUB_RE.sub(r"\\hat{\1}_\2", text)
    text = _BOLD_RE.sub(lambda m: rf"\mathbf{{{m.group(2)}}}", text)
    text = _BOLD_ENTRY_RE.sub(r"\1_", text)          # \mathbf{\theta}_i is the entry theta_i
    text = _NABLA_OF_RE.sub(lambda m: rf"\frac{{\partial {_vec(m.group(1), vectors)}}}{{\partial \mathbf{{{m.group(2)}}}}}", text)
    text = _NABLA_SUB_RE.sub(lambda m: rf"\frac{{\partial {m.group(3)}}}{{\partial \mathbf{{{m.group(1) or m.group(2)}}}}}", text)
    text = _SOFTMAX_RE.sub(lambda m: _softmax_entry(m.group(1), m.group(2), text), text)
    text = _SOFTMAX_ENTRY_RE.sub(lambda m: _softmax_entry(m.group(1), m.group(2), text), text)
    text = _DERIV_LETTERS_RE.sub(lambda m: rf"\frac{{\partial {_vec(m.group(1), vectors)}}}{{\partial {_vec(m.group(2), vectors)}}}", text)
    text = _SIGMA_CALL_RE.sub(_sigma_entry, text)
    text = _SIGMA_BARE_RE.sub(r"\\mathit{sigma}\1 ", text)
    if calls:
        text = _CALL_RE.sub(lambda m: m.group(0) if _applied(m, functions or {}) else _call(m, functions or {}), text)
    return text


_FUNCTION_HEAD_RE = re.compile(r"\s*([A-Za-z]|\\(?:operatorname|mathrm)\s*\{[A-Za-z]+\})\s*\(\s*([a-z](?:\s*,\s*[a-z])*)\s*\)\s*")


_SIMPLE_CALL_RE = re.compile(r"(?<![\\A-Za-z_^])([A-Za-z]+)\s*\(\s*((?:-?\s*(?:[A-Za-z]|[0-9.]+))(?:\s*,\s*-?\s*(?:[A-Za-z]|[0-9.]+))*)\s*\)")


def called_names(math: str) -> frozenset[str]:
    """Names applied to different arguments in one document (f(a) and f(b), g(0) and g(z)): functions,
    whatever else they are; f(a) = f(b) is then about a function f, never the name f twice."""
    seen: dict[str, set] = {}
    for m in _SIMPLE_CALL_RE.finditer(math):
        if m.group(1).lower() not in _FUNCTION_WORDS:
            seen.setdefault(m.group(1), set()).add(re.sub(r"\s", "", m.group(2)))
    return frozenset(n for n, args in seen.items() if len(args) > 1)


def _applied(m: re.Match, functions: dict) -> bool:
    params = functions.get(m.group(1))
    return params is not None and re.sub(r"\s", "", m.group(3)) != ",".join(params)


def function_head(text: str) -> tuple[str, tuple[str, ...]] | None:
    """f(x), g(u, v): the left side of a function's definition -> (name, parameter letters)."""
    m = _FUNCTION_HEAD_RE.fullmatch(text)
    if m is None:
        return None
    name = re.sub(r"^\\(?:operatorname|mathrm)\s*\{|\}$", "", m.group(1))
    params = tuple(p.strip() for p in m.group(2).split(","))
    if name in _FUNCTION_WORDS or len(set(params)) != len(params) or name in params:
        return None
    return name, params


def _sigma_entry(m: re.Match) -> str:
    name = rf"\mathit{{sigma}}{m.group(2)}"
    return rf"{m.group(1)}({name})" if m.group(1) else name + " "


def _vec(letter: str, vectors: frozenset) -> str:
    return rf"\mathbf{{{letter}}}" if letter in vectors else letter


_FUNCTION_WORDS = {"log", "ln", "exp", "softmax", "max", "min", "diag", "sum", "tanh", "sigmoid", "sigma", "mean"}


def vector_names(math: str, scalars) -> frozenset:
    """Letters written with a letter subscript (s_i, x_{t}): a bare s in a derivative is then the vector."""
    names = set(re.findall(r"(?<![\\A-Za-z])([A-Za-z])\s*_\s*\{?\s*[a-z]", math))
    return frozenset(names - {"e", "E", "L", "J", "C"} - set(scalars))


def _call(m: re.Match, functions: dict) -> str:
    name, sub, args = m.group(1), m.group(2) or "", m.group(3)
    word = re.sub(r"^\\(?:text|operatorname|mathrm)\s*\{|\}$", "", name).replace(" ", "")
    if word.lower() in _FUNCTION_WORDS:
        return m.group(0)
    name = word if word != name else name
    if len(name) > 1 and name.isalpha() and len(name) < 3:
        name = rf"\mathit{{{name}}}"   # CE(y, a) standing for its value: the one name CE, never C times E
    if name in ("e",) or (not sub and len(name) == 1 and re.fullmatch(r"\s*[A-Za-z]\s*_.*", args)):
        return m.group(0)   # e(x) and a(b_i) may be products; only names of functions are dropped
    if m.group(1) in functions:   # g(z)(1 - g(z)): the value g, then a product (a space the grammar keeps)
        return name + sub + r"\, "
    return name + sub + " "
