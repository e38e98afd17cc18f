"""--style: golden files for each style, and the paper style in a two-column paper (compiled, overfull boxes)."""
from __future__ import annotations

import re
import subprocess

import pytest
from conftest import require_module, require_tool, run_cli
from render.render_helpers import assert_golden, derived

from derive.recipebook import all_recipes
from derive.render import STYLES, render
from derive.render.route import paper_rows
from derive.render.view import label_prefix

NAMES = [r.name for r in all_recipes()]
EXT = {"latex-fragment": "fragment.tex", "markdown": "md", "text": "txt"}
TWO_COLUMNS = "\\documentclass[twocolumn]{article}\n\\usepackage{amsmath,amssymb}\n\\allowdisplaybreaks\n" \
              "\\begin{document}\n\\input{fragment}\n\\end{document}\n"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("fmt", sorted(EXT))
def test_golden_styles(style, fmt):
    assert_golden(f"render/softmax-cross-entropy-KK-{style}-en.{EXT[fmt]}",
                  render(derived("softmax-cross-entropy", "K"), fmt, "en", style=style))


@pytest.mark.parametrize("recipe", ["softmax-cross-entropy", "sigmoid-cross-entropy"])
def test_golden_paper_chinese(recipe):
    assert_golden(f"render/{recipe}-KK-paper-zh.fragment.tex",
                  render(derived(recipe, "K"), "latex-fragment", "zh", style="paper"))


def test_fragment_defaults_to_paper_and_the_rest_to_full():
    d = derived("softmax-jacobian", "K")
    assert render(d, "latex-fragment") == render(d, "latex-fragment", style="paper")
    for fmt in ("latex", "markdown", "text", "json", "html"):
        assert render(d, fmt) == render(d, fmt, style="full"), fmt


@pytest.mark.parametrize("recipe", NAMES)
def test_paper_prints_only_verified_steps_of_the_route(recipe):
    """Every printed row is a step of the full route (same lhs, same rhs) that the verifier confirmed."""
    d = derived(recipe, "K")
    defs, displays = paper_rows(d)
    claims = {(repr(s.lhs), repr(s.rhs)): s for s in d.claims}
    rows = [r for rows in displays for r in rows]
    assert rows and len(rows) < len(d.claims)                 # shorter than the full route
    for r in rows:
        original = claims[(repr(r.step.lhs), repr(r.step.rhs))]
        assert original.verdict is not None and original.verdict.ok
        assert r.merged[-1] is original or r.merged[-1] == original
    assert [r.step for r in defs] == [s for s in d.steps if s.is_definition]


@pytest.mark.tex
@pytest.mark.parametrize("recipe", NAMES)
def test_paper_fragment_fits_a_two_column_paper(recipe, tmp_path):
    """One pdflatex run per recipe: no overfull box wider than 1 pt; every equation numbered and
    labelled eq:<recipe>-N (N = 1, 2, ...), every \\eqref to an earlier label; no verification marks."""
    pdflatex = require_tool("pdflatex")
    frag = render(derived(recipe, "K"), "latex-fragment", "en", style="paper")
    prefix = label_prefix(derived(recipe, "K"))   # eq:<recipe>; eq:<recipe>-K2 for the two-class recipe
    (tmp_path / "fragment.tex").write_text(frag, encoding="utf-8")
    _assert_fits_two_columns(pdflatex, tmp_path, TWO_COLUMNS)
    body = "\n".join(line for line in frag.splitlines() if not line.startswith("%"))
    labels = re.findall(r"\\label\{" + re.escape(prefix) + r"-(\d+)\}", body)
    assert labels and [int(n) for n in labels] == list(range(1, len(labels) + 1))
    rows = sum(len(re.findall(r"\\label|\\nonumber", env)) for env in re.findall(r"\\begin\{align\}(.*?)\\end\{align\}",
                                                                                   body, re.S))
    assert rows == body.count(r"\label") + body.count(r"\nonumber")    # no row outside an align
    assert r"\begin{align*}" not in body and r"\notag" not in body      # every printed equation numbered
    for n, ref in ((body.index(m.group(0)), m.group(1)) for m in re.finditer(r"\\eqref\{([^}]*)\}", body)):
        assert body.index(rf"\label{{{ref}}}") < n, ref
    for mark in (r"\checkmark", r"\tag", r"\fbox", "verified", r"\ numeric", r"\ symbolic"):
        assert mark not in body, mark
    assert "verifier confirmed" in frag.splitlines()[0] and r"\allowdisplaybreaks" in frag


def test_style_option_on_the_command_line(tmp_path):
    out = tmp_path / "p.tex"
    proc = run_cli("render", "softmax-jacobian", "-K", "K", "-f", "latex", "--style", "paper", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert r"\label{eq:softmax-jacobian-1}" in out.read_text(encoding="utf-8")
    bad = run_cli("render", "softmax-jacobian", "--style", "poster", "-o", str(tmp_path / "x.tex"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unknown style 'poster'" in bad.stderr
    assert not (tmp_path / "x.tex").exists()


WORKED = ("softmax-cross-entropy", "3", (("z", "1.1316,-0.7943,0.1328"), ("target", "0")))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_teaching_worked_example(lang):
    assert_golden(f"render/softmax-cross-entropy-K3-teaching-{lang}.md",
                  render(derived(*WORKED), "markdown", lang, style="teaching"))


def _numbers(tex: str) -> list[float]:
    """The decimal numbers of a printed matrix or vector, in order (phantoms are only spacing)."""
    return [float(x) for x in re.findall(r"-?\d+\.\d+", tex)]


def test_teaching_threads_the_numbers_and_they_match_pytorch():
    """The K = 3 teaching document shows the numeric Jacobian, the product J^T dL/da multiplied out
    and evaluated, and a - y: each against torch.autograd, independently of our evaluator."""
    torch = require_module("torch")
    md = render(derived(*WORKED), "markdown", "en", style="teaching")
    z = torch.tensor([1.1316, -0.7943, 0.1328], dtype=torch.float64, requires_grad=True)
    jac = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), z)
    torch.nn.functional.cross_entropy(z[None], torch.tensor([0])).backward()
    rows = dict(re.findall(r"^(.*?) &= (.*?)(?: \\\\)?$", md, re.M))
    jacobian = next(v for k, v in rows.items() if k.endswith(r"\mathbf{a} \mathbf{a}^{\top}") and "0." in v)
    assert _numbers(jacobian) == pytest.approx(jac.flatten().tolist(), abs=1e-6)
    product = md.split("Multiplying the transposed Jacobian")[1].split("## ")[0]
    lines = [line for line in product.splitlines() if line.startswith(("\\frac", " &="))]
    assert len(lines) == 3                                              # J^T v, multiplied out, evaluated
    assert lines[1].count(r"\cdot") == 9                               # every product written out
    assert _numbers(lines[2]) == pytest.approx(z.grad.tolist(), abs=1e-6)
    result = md.split("The same numbers, directly:")[1]
    assert _numbers(result.split(" &= ")[2].split("$$")[0]) == pytest.approx(z.grad.tolist(), abs=1e-6)
    assert "✓" not in md and r"\checkmark" not in md                  # no verification marks in the margin
    assert "nothing left to correct" in md                             # what a - y means


@pytest.mark.tex
def test_derived_losses_fit_a_two_column_paper(tmp_path):
    """`derive grad`'s paper fragments for the engine's losses (general K and K = 4), in one
    two-column paper: long right sides (a product with a sum, a sum of a long product) are broken."""
    import derive
    from engine.losses import LOSSES

    pdflatex = require_tool("pdflatex")
    body = []
    for name, (loss, defs, facts, _values, _fn) in LOSSES.items():
        for K in ("K", 4):
            frag = render(derive.gradient(loss, define=defs, assume=facts, K=K), "latex-fragment", "en", style="paper")
            (tmp_path / f"{name}-{K}.tex").write_text(frag, encoding="utf-8")
            body.append(f"\\section{{{name}, {K}}}\n\\input{{{name}-{K}}}")
    _assert_fits_two_columns(pdflatex, tmp_path, TWO_COLUMNS.replace("\\input{fragment}", "\n".join(body)))


def _assert_fits_two_columns(pdflatex, tmp_path, paper: str) -> None:
    """Compile paper.tex in tmp_path: it compiles, and no box is overfull by more than 1 pt."""
    (tmp_path / "paper.tex").write_text(paper, encoding="utf-8")
    proc = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    log = (tmp_path / "paper.log").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, log[-2000:]
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert [w for w in overfull if w > 1.0] == []


@pytest.mark.tex
def test_two_grad_and_two_recipe_fragments_share_one_paper(tmp_path):
    """Two `derive grad` fragments and two recipe fragments (one recipe at K = 3 and at K) \\input
    into one two-column paper: no label defined twice, no reference undefined, no overfull box over
    1 pt, and every \\eqref of a fragment names a label of that same fragment."""
    import derive
    from engine.losses import LOSSES

    pdflatex = require_tool("pdflatex")
    frags = {}
    for name in ("focal", "entropy-regularised"):
        loss, defs, facts, _values, _fn = LOSSES[name]
        frags[name] = render(derive.gradient(loss, define=defs, assume=facts), "latex-fragment", "en")
    for K in ("3", "K"):
        frags[f"ce-{K}"] = render(derived("softmax-cross-entropy", K), "latex-fragment", "en")
    for name, frag in frags.items():
        (tmp_path / f"{name}.tex").write_text(frag, encoding="utf-8")
        labels = re.findall(r"\\label\{([^}]*)\}", frag)
        assert labels and all(ref in labels for ref in re.findall(r"\\eqref\{([^}]*)\}", frag)), name
    paper = TWO_COLUMNS.replace("\\input{fragment}", "\n".join(f"\\section{{{n}}}\n\\input{{{n}}}" for n in frags))
    _assert_fits_two_columns(pdflatex, tmp_path, paper)
    subprocess.run([pdflatex, "-interaction=nonstopmode", "paper.tex"], cwd=tmp_path, capture_output=True, timeout=300,
                   check=False)   # the second run resolves the references
    log = (tmp_path / "paper.log").read_text(encoding="utf-8", errors="replace")
    assert "multiply defined" not in log and "multiply-defined" not in log
    assert not re.search(r"Reference `[^']*' on page \d+ undefined", log), log[-1500:]
    every = [x for frag in frags.values() for x in re.findall(r"\\label\{([^}]*)\}", frag)]
    assert len(every) == len(set(every))


def test_label_option(tmp_path):
    out = tmp_path / "p.tex"
    r = run_cli("render", "softmax-cross-entropy", "-f", "latex-fragment", "--label", "eq:ce", "-o", str(out))
    assert r.returncode == 0, r.stderr
    tex = out.read_text(encoding="utf-8")
    assert r"\label{eq:ce-1}" in tex and "eq:softmax-cross-entropy" not in tex
    bad = run_cli("grad", r"L = -\sum_i y_i \log a_i", "--define", r"a_i = \frac{e^{z_i}}{\sum_k e^{z_k}}",
                  "-f", "latex-fragment", "--label", "eq:{x}", "-o", str(out))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--label" in bad.stderr


def test_describe_offers_only_the_sizes_a_recipe_takes():
    two = run_cli("describe", "sigmoid-cross-entropy")
    assert two.returncode == 0 and "-K 3" not in two.stdout and "-K 2" in two.stdout
    refused = run_cli("render", "sigmoid-cross-entropy", "-K", "3", "-o", "-")
    assert refused.returncode == 2                                   # what describe no longer offers
    assert "-K 3" in run_cli("describe", "softmax-cross-entropy").stdout
