"""The model: one registry of rules, immutable Steps and Derivations (SymPy objects, no LaTeX)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .display import Numbers
    from .verifier.verify import Context, Verdict


class Rule(Enum):
    """Every rule a step may cite. The second field is the rule as a formula."""

    DEFINITION = ("definition", "x := f(...)")
    QUOTIENT_RULE = ("quotient-rule", "d(u/v)/dx = (u' v - u v') / v^2")
    DERIVATIVE_EXP = ("derivative-exp", "d e^{z_i} / d z_j = delta_ij e^{z_i}")
    DERIVATIVE_INDEXED = ("derivative-indexed", "d z_k / d z_j = delta_kj")
    DERIVATIVE_SUM = ("derivative-sum", "d/dz_j sum_k f_k = sum_k d f_k / d z_j")
    DERIVATIVE_LOG = ("derivative-log", "d/dx log u = u' / u")
    DELTA_CONTRACTION = ("delta-contraction", "sum_k delta_kj f(k) = f(j)   (1 <= j <= K)")
    SUBSTITUTE = ("substitute-definition", "e^{z_i} / sum_k e^{z_k} -> a_i")
    CASE_DIAGONAL = ("case-diagonal", "i = j: delta_ii = 1")
    CASE_OFF_DIAGONAL = ("case-off-diagonal", "i != j: delta_ij = 0")
    KRONECKER_UNIFY = ("kronecker-unify", "f(i=j) and g(i!=j) -> one formula with delta_ij")
    JACOBIAN_MATRIX = ("jacobian-matrix", "da/dz = [d a_i / d z_j]_{ij}")
    MATRIX_FORM = ("matrix-form", "[a_i (delta_ij - a_j)]_{ij} = diag(a) - a a^T")
    CHAIN_RULE = ("chain-rule", "dL/dz_j = sum_i dL/da_i da_i/dz_j ;  dL/dz = J^T dL/da")
    MATRIX_PRODUCT = ("matrix-product", "(A^T v)_j = sum_i A_ij v_i")
    LINEARITY = ("linearity", "sum_i (c f_i + g_i) = c sum_i f_i + sum_i g_i")
    FACTOR_CONSTANT = ("factor-constant", "sum_i c f_i = c sum_i f_i   (c free of i)")
    SPLIT_SUM = ("split-sum", "sum_i f_i = f_j + sum_{i != j} f_i")
    ALGEBRA = ("algebra", "cancel, expand, collect")
    USE_CONSTRAINT = ("use-constraint", "sum_i y_i = 1")
    VECTOR_FORM = ("vector-form", "(v_j)_{j=1..K} -> v")
    # -- the family of losses (issue 4) --
    SOFTMAX_JACOBIAN = ("softmax-jacobian", "d a_i / d z_j = a_i (delta_ij - a_j)   (derived in softmax-jacobian)")
    DERIVATIVE_EXP_SCALED = ("derivative-exp-scaled", "d e^{z_k/T} / d z_j = delta_kj e^{z_k/T} / T")
    DERIVATIVE_WEIGHTED_LOG = ("derivative-weighted-log", "d/da_i (-sum_k t_k log a_k) = -t_i / a_i")
    CONSTRAINT_GAP = ("constraint-gap", "(sum_i y_i) a_j - y_j = (a_j - y_j) + (sum_i y_i - 1) a_j")
    SUM_SMOOTHED = ("sum-smoothed", "sum_i ((1 - eps) y_i + eps/K) = (1 - eps) sum_i y_i + eps")
    SMOOTHING_SPLIT = ("smoothing-split", "-sum_i q_i log a_i = (1 - eps)(-sum_i y_i log a_i) + (eps/K) sum_i (-log a_i)")
    ONE_HOT_WEIGHT = ("one-hot-weight", "y one-hot: w_j y_j = (sum_i w_i y_i) y_j")
    LOG_SOFTMAX = ("log-softmax", "log a_i = z_i - log sum_k e^{z_k}")
    NLL_OF_LOG_SOFTMAX = ("nll-of-log-softmax", "NLLLoss(LogSoftmax(z), y) = -sum_i y_i log a_i = CrossEntropyLoss(z, y)")
    LOG_SUM_EXP_SHIFT = ("log-sum-exp-shift", "log sum_k e^{z_k} = m + log sum_k e^{z_k - m}   (any m; m = max_k z_k)")
    DERIVATIVE_LOG_SUM_EXP = ("derivative-log-sum-exp", "d/dz_j log sum_k e^{z_k} = e^{z_j} / sum_k e^{z_k}")
    SHIFT_INVARIANCE = ("shift-invariance", "e^{z_j} / sum_k e^{z_k} = e^{z_j - m} / sum_k e^{z_k - m}")
    ROWS_INDEPENDENT = ("rows-independent", "a_{ni} depends on row n of Z only: d a_{ni} / d z_{mj} = delta_nm a_{ni}(delta_ij - a_{nj})")
    BATCH_CHAIN_RULE = ("batch-chain-rule", "dL/dz_{mj} = sum_n sum_i dL/da_{ni} da_{ni}/dz_{mj}")
    MATRIX_OF_ENTRIES = ("matrix-of-entries", "[dL/dz_{mj}]_{mj} = dL/dZ")
    # -- the Hessian, KL divergence, the K = 2 sigmoid and the stop-gradient form --
    CE_GRADIENT = ("cross-entropy-gradient", "dL/dz_j = a_j sum_i y_i - y_j   (derived in multi-label-cross-entropy)")
    TARGET_CONSTANT = ("target-constant", "the target does not depend on the logits: d y_i / d z_j = 0")
    HESSIAN_MATRIX = ("hessian-matrix", "nabla^2 L = [d^2 L / dz_i dz_j]_{ij}")
    QUADRATIC_FORM = ("quadratic-form", "v^T H v = sum_i sum_j v_i H_ij v_j")
    VARIANCE_FORM = ("variance-form", "sum_i a_i v_i^2 - (sum_i a_i v_i)^2 = sum_i a_i (v_i - sum_k a_k v_k)^2   (sum_i a_i = 1)")
    SOFTMAX_SUMS_TO_ONE = ("softmax-sums-to-one", "sum_j a_j = 1")
    LOG_QUOTIENT = ("log-quotient", "log(u / v) = log u - log v")
    ENTROPY_PLUS_KL = ("entropy-plus-kl", "H(y, a) = H(y) + KL(y || a)")
    SIGMOID_FORM = ("sigmoid-form", "e^{u} / (e^{u} + e^{w}) = 1 / (1 + e^{-(u - w)}) = sigma(u - w)")
    DERIVATIVE_SIGMOID = ("derivative-sigmoid", "sigma'(x) = e^{-x} / (1 + e^{-x})^2 = sigma(x) (1 - sigma(x))")
    DERIVATIVE_TANH = ("derivative-tanh", "tanh'(x) = 1 - tanh^2(x)")
    BINARY_REDUCTION = ("binary-reduction", "K = 2, y_2 = 1 - y_1: -y_1 log a_1 - y_2 log a_2 = BCE(z_1 - z_2, y_1)")
    STOP_GRADIENT = ("stop-gradient", "sg(u) has the value of u and derivative 0")
    PRODUCT_RULE = ("product-rule", "d(u v)/dx = u' v + u v'")
    CENTERED_SUM = ("centered-sum", "sum_i a_i (z_i - sum_k a_k z_k) = 0   (sum_i a_i = 1)")
    # -- the derivation engine (issue 11) --
    DERIVATIVE_LINEARITY = ("derivative-linearity", "d(f + g)/dx = df/dx + dg/dx ;  d(c f)/dx = c df/dx   (c free of x)")
    DERIVATIVE_POWER = ("derivative-power", "d u^n / dx = n u^{n-1} du/dx   (n free of x)")
    DERIVATIVE_CONSTANT = ("derivative-constant", "dc/dx = 0   (c free of x)")
    EXPAND_DEFINITION = ("expand-definition", "d f/dx = d(body of f)/dx   (f := body)")
    SUM_CONSTANT = ("sum-constant", "sum_{i=1}^K c = K c   (c free of i)")

    def __init__(self, rule_id: str, formula: str):
        self.id = rule_id
        self.formula = formula

    @classmethod
    def by_id(cls, rule_id: str) -> Rule:
        for r in cls:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass(frozen=True)
class Step:
    """lhs = rhs by `rule`. `chain` continues the previous line (its lhs is the previous rhs).

    `conditions` restrict free indices (Eq(i, j), Ne(i, j)); `uses` names assumptions the step
    relies on; `section` groups steps under a heading; `params` feed the rule's sentence.
    """

    rule: Rule
    lhs: Any
    rhs: Any
    section: str = ""
    chain: bool = False
    conditions: tuple = ()
    uses: tuple[str, ...] = ()
    params: tuple[tuple[str, Any], ...] = ()
    verdict: Verdict | None = field(default=None, compare=False)

    @property
    def is_definition(self) -> bool:
        return self.rule is Rule.DEFINITION

    def __repr__(self) -> str:
        from .display import step_repr

        return step_repr(self)


@dataclass(frozen=True)
class Derivation:
    """An immutable derivation: the recipe that made it, its steps, and what it assumes."""

    recipe: str
    K: Any                                    # int, or the size Symbol
    notation: Any
    steps: tuple[Step, ...]
    context: Context
    params: tuple[tuple[str, Any], ...] = ()
    result: Any = None                        # the final formula (a SymPy object)
    numeric: Any = None                       # a numeric.Worked example, or None
    assumptions: tuple[str, ...] = ()         # message keys shown in the document
    # what a step's `uses` key imposes on the verifier: (key, (leaf name, domain))
    constraints: tuple[tuple[str, tuple[str, Any]], ...] = ()   # a domain name, or a point (K -> values)

    @property
    def verified(self) -> bool:
        return all(s.verdict is not None and s.verdict.ok for s in self.claims)

    @property
    def claims(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if not s.is_definition)

    @property
    def expression(self) -> Any:
        """The result as a SymPy expression (an explicit Matrix where the engine keeps entries)."""
        from .display import expression

        return expression(self.result)

    @property
    def latex(self) -> str | None:
        """The result in LaTeX, as the documents print it."""
        from .display import latex

        return latex(self.result)

    @property
    def numbers(self) -> Numbers | None:
        """The worked numbers (with values=): values, probs, loss, gradient, check_digits."""
        from .display import Numbers

        return None if self.numeric is None else Numbers.of(self.numeric)

    def __repr__(self) -> str:
        from .display import derivation_repr

        return derivation_repr(self)

    def with_steps(self, steps) -> Derivation:
        return replace(self, steps=tuple(steps))

    def with_numeric(self, numeric) -> Derivation:
        return replace(self, numeric=numeric)

    def render(self, fmt: str = "latex", lang: str = "en", templates=None, style=None, flavor=None) -> str:
        """The derivation as text: latex, latex-fragment, markdown, html, text or json; a style
        (full, paper, teaching) and, for Markdown, a flavor (standard, marked, hexo, markdown-it)."""
        from .render import render

        return render(self, fmt, lang, templates, style, flavor)

    # Jupyter displays a derivation by itself.
    def _repr_latex_(self) -> str:
        # Jupyter hands text/latex to MathJax: one $$ aligned $$ block, not a fragment with prose.
        from .render import notebook_latex

        return notebook_latex(self)

    def _repr_markdown_(self) -> str:
        from .render import render

        return render(self, "markdown")
