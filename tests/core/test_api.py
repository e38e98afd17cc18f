"""The Python API keeps what its docstrings promise: names, keywords, inputs, results, display, errors."""
from __future__ import annotations

import doctest
import inspect
import math
import pathlib
import pydoc
import subprocess
import sys

import pytest
import sympy as sp

import derive
import derive.api
from conftest import ROOT, require_module

SOFTMAX = r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"
CE = r"L = -\sum_{i=1}^{K} y_i \log a_i"
SUM_ONE = r"\sum_{i=1}^{K} y_i = 1"
Z = [1.1316, -0.7943, 0.1328]
WRONG_MD = "$$\\frac{\\partial}{\\partial x} x^3 = 2x^2$$\n"   # the derivative is 3x^2
GOOD_MD = "$$\\frac{\\partial}{\\partial x} x^3 = 3x^2$$\n"


def softmax(z):
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


# -- the docstrings' own examples run, and say what help() shows ---------------------------------
def test_the_docstring_examples_hold(tmp_path, monkeypatch):
    (tmp_path / "notes.md").write_text(WRONG_MD, encoding="utf-8")  # what check()'s example reads
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(derive.api, extraglobs={"derive": derive}, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


@pytest.mark.parametrize("name", derive.__all__)
def test_every_public_name_exists_and_is_documented(name):
    obj = getattr(derive, name)
    if name != "__version__":
        assert (obj.__doc__ or "").strip(), name
    if callable(obj) and not isinstance(obj, type):
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        assert obj.__doc__.strip().splitlines()[0] in text  # help() shows the docstring, not a wrapper's
        assert "*args" not in text and "**kwargs" not in text  # and the real signature
        hints = inspect.get_annotations(obj)
        assert "return" in hints and all(p in hints for p in inspect.signature(obj).parameters), name


def test_the_same_keyword_names_everywhere():
    params = {f: set(inspect.signature(getattr(derive, f)).parameters)
              for f in ("derivation", "gradient", "check", "check_text")}
    assert {"K", "values"} <= params["derivation"] and {"K", "values", "define", "assume"} <= params["gradient"]
    for f in ("check", "check_text"):
        assert {"K", "define", "assume"} <= params[f]
    assert not any(name.endswith("s") and name[:-1] in ("define", "assume") for p in params.values() for name in p)


def test_importing_derive_does_not_import_sympy():
    code = "import sys, derive; assert 'sympy' not in sys.modules; print(derive.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == derive.__version__


def test_the_version_is_the_installed_one():
    from importlib.metadata import version

    assert version("derive") == derive.__version__


# -- check(path) and check_text(text) ------------------------------------------------------------
@pytest.mark.parametrize("as_path", [str, pathlib.Path])
def test_check_reads_a_file_given_as_str_or_path(tmp_path, as_path):
    f = tmp_path / "notes.md"
    f.write_text(WRONG_MD, encoding="utf-8")
    r = derive.check(as_path(f))
    assert not r.ok and r.first_wrong_line == 1 and [s.status for s in r.steps] == ["wrong"]
    assert r.file == str(f)


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="pots.md"):
        derive.check(tmp_path / "pots.md")
    with pytest.raises(derive.DeriveError):
        derive.check(str(tmp_path / "pots.md"))


def test_text_given_to_check_is_not_taken_as_a_document():
    with pytest.raises(FileNotFoundError, match="check_text"):
        derive.check(GOOD_MD)


def test_check_text_checks_text_and_refuses_a_path(tmp_path):
    assert derive.check_text(GOOD_MD).ok
    r = derive.check_text(WRONG_MD, name="mine")
    assert not r.ok and r.file == "mine"
    with pytest.raises(derive.UsageError, match="derive.check"):
        derive.check_text(tmp_path / "notes.md")  # type: ignore[arg-type]


def test_check_text_of_a_file_name_does_not_read_the_file(tmp_path, monkeypatch):
    (tmp_path / "notes.md").write_text(WRONG_MD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(derive.UsageError, match="no display math"):
        derive.check_text("notes.md")


def test_check_takes_define_assume_and_K_as_one_string_or_several():
    text = "$$\\frac{\\partial L}{\\partial z_j} = a_j - y_j$$\n"
    assert [s.status for s in derive.check_text(text).steps] == ["unverified"]  # L is never defined
    one = derive.check_text(text, define=[SOFTMAX, CE], assume=SUM_ONE)
    assert one.ok and one.counts()["ok"] == 1
    at_three = derive.check_text(text, define=(SOFTMAX, CE.replace("K", "3")), assume=[SUM_ONE], K=3)
    assert at_three.ok and at_three.K == "3"


def test_ok_means_every_step_confirmed():
    r = derive.check_text("$$\\frac{\\partial L}{\\partial z_j} = a_j - y_j$$\n")
    assert r.counts()["wrong"] == 0 and r.counts()["unverified"] == 1
    assert r.ok is False and r.as_json()["ok"] is False


# -- values as Python gives them -----------------------------------------------------------------
def _worked(**values):
    return derive.derivation("softmax-cross-entropy", K=3, values=values).numbers


def test_values_as_numbers_lists_arrays_and_tensors_give_the_same_numbers():
    np = require_module("numpy")
    torch = require_module("torch")
    text = _worked(z=",".join(map(repr, Z)), target="0")
    for z, target in [(Z, 0), (tuple(Z), 0), (np.array(Z), np.int64(0)), (torch.tensor(Z, dtype=torch.float64),
                                                                           torch.tensor(0))]:
        assert _worked(z=z, target=target) == text
    assert _worked(z=Z, target=[1, 0, 0]).gradient == pytest.approx(text.gradient, rel=1e-15)


def test_worked_numbers_agree_with_pytorch():
    torch = require_module("torch")
    z = torch.tensor([Z], dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(z, torch.tensor([0]))
    loss.backward()
    n = _worked(z=z.detach()[0], target=0)
    assert n.loss == pytest.approx(loss.item(), rel=1e-12)
    assert n.gradient == pytest.approx(z.grad[0].tolist(), rel=1e-12)
    assert n.probs == pytest.approx(softmax(Z), rel=1e-12)


def test_a_batch_takes_rows_and_one_class_index_per_row_as_pytorch():
    torch = require_module("torch")
    rows = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.2]], dtype=torch.float64, requires_grad=True)
    classes = torch.tensor([2, 0])
    torch.nn.functional.cross_entropy(rows, classes).backward()
    d = derive.derivation("batch-cross-entropy", K=3, values={"z": rows.detach(), "target": classes})
    flat = [g for row in d.numbers.gradient for g in row]
    assert flat == pytest.approx(rows.grad.flatten().tolist(), rel=1e-12)


def test_gradient_takes_scalars_by_name():
    x, y = 0.3, 1
    d = derive.gradient(r"L = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))", values={"x": x, "y": y})
    assert d.numbers.gradient == pytest.approx([1 / (1 + math.exp(-x)) - y], rel=1e-12)
    assert d.numbers.values == {"x": x, "y": y}


@pytest.mark.parametrize("values,needle", [
    ({"z": [1, "a", 2], "target": 0}, "values['z']: 'a' is not a number"),
    ({"z": [[[1.0]]], "target": 0}, "at most two dimensions"),
    ({"z": {"x": 1}, "target": 0}, "values['z']"),
    ({"z": [1, float("nan"), 2], "target": 0}, "values['z']: 'nan' is not a finite number"),
    ({"z": [1.0, 2.0], "target": 0}, "values['z']: 2 numbers, but K = 3"),
    ({"z": Z, "target": 3}, "values['target']=3: class index out of range 0..2"),
    ({"z": Z, "target": True}, "values['target']: 'True' is not a number"),
])
def test_bad_values_name_the_keyword(values, needle):
    with pytest.raises(derive.UsageError) as info:
        derive.derivation("softmax-cross-entropy", K=3, values=values)
    assert needle in str(info.value) and "--" not in str(info.value)


# -- results: short reprs, SymPy and LaTeX, one shape of worked numbers ------------------------------
def test_reprs_are_short_and_say_what_matters():
    d = derive.derivation("softmax-cross-entropy", K=3, values={"z": Z, "target": 0})
    text = repr(d)
    assert len(text) < 200 and text.startswith("<Derivation softmax-cross-entropy K=3:")
    assert f"{len(d.steps)} steps" in text and "verified" in text and "NOT" not in text and "a - y" in text
    assert all(len(repr(s)) < 160 and s.rule.id in repr(s) for s in d.steps)
    r = derive.check_text(WRONG_MD)
    assert repr(r) == "<CheckResult <text>: NOT ok (1 wrong), first wrong line 1>"
    assert "loss=0.414799" in repr(d.numbers) and len(repr(d.numbers)) < 120


def test_the_result_as_sympy_and_as_latex():
    d = derive.derivation("softmax-cross-entropy", K=3)
    a, y = sp.MatrixSymbol("a", 3, 1), sp.MatrixSymbol("y", 3, 1)
    assert isinstance(d.expression, sp.Basic) and d.expression.as_explicit() == (a - y).as_explicit()
    assert d.latex == r"\mathbf{a} - \mathbf{y}"
    g = derive.gradient(CE, define=SOFTMAX, assume=SUM_ONE, K=3, values={"z": Z, "y": [1, 0, 0]})
    # the SymPy result, evaluated at the worked numbers, is the gradient: a - y with a = softmax(z)
    probs = sp.Matrix(softmax(Z))
    at = g.expression.subs({sp.MatrixSymbol("a", 3, 1): probs, sp.MatrixSymbol("y", 3, 1): sp.Matrix([1, 0, 0])})
    assert [float(v) for v in sp.Matrix(at)] == pytest.approx(g.numbers.gradient, rel=1e-12)


def test_an_entrywise_result_is_plain_sympy():
    from derive.calculus.objects import Entrywise

    d = derive.derivation("batch-cross-entropy", K=3)
    assert isinstance(d.result, Entrywise)  # the engine's own object ...
    assert not isinstance(d.expression, Entrywise) and isinstance(d.expression, sp.Expr)  # ... and SymPy's
    assert {str(s) for s in d.expression.free_symbols} >= {"m", "j"}


def test_worked_numbers_have_one_shape():
    recipe = derive.derivation("softmax-cross-entropy", K=3, values={"z": Z, "target": 0}).numbers
    batch = derive.derivation("batch-cross-entropy", K=3, values={"z": [Z, Z], "target": [0, 1]}).numbers
    grad = derive.gradient(CE, define=SOFTMAX, K=3, values={"z": Z, "y": [1, 0, 0]}).numbers
    for n in (recipe, batch, grad):
        assert type(n) is type(recipe)
        assert set(n.as_dict()) >= {"values", "probs", "loss", "gradient", "check_digits"}
        assert n.check_digits >= 12
    assert recipe.loss == pytest.approx(grad.loss, rel=1e-12) == pytest.approx(-math.log(softmax(Z)[0]))
    assert recipe.gradient == pytest.approx(grad.gradient, rel=1e-12)
    assert grad.values == {"z": Z, "y": [1.0, 0.0, 0.0]}
    assert derive.derivation("softmax-cross-entropy", K=3).numbers is None


# -- notebook display ------------------------------------------------------------------------------
def test_a_check_result_displays_as_a_table_of_lines_and_verdicts():
    text = GOOD_MD + "\n" + WRONG_MD.replace("x^3", "x^{3}")
    r = derive.check_text(text)
    md = r._repr_markdown_()
    rows = [line for line in md.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.split("|")[1].strip() for row in rows] == [str(s.line) for s in r.steps] == ["1", "3"]
    assert "**ok**" in rows[0] and "**wrong**" in rows[1]
    assert r"$\frac{\partial}{\partial x} x^3 = 3x^2$" in rows[0]  # the user's LaTeX as written
    page = r._repr_html_()
    assert page.count("<tr>") == 3 and "<b>wrong</b>" in page and r"\frac{\partial}{\partial x} x^{3}" in page


def test_the_html_table_escapes_the_text():
    page = derive.check_text("$$x < y = 1$$\n")._repr_html_()
    assert "relation &lt; is not an equality" in page and "relation < is" not in page


def test_a_derivation_displays_itself_in_a_notebook():
    d = derive.derivation("softmax-cross-entropy", K=3)
    assert "$$" in d._repr_markdown_() and r"\begin{aligned}" in d._repr_latex_()


# -- errors of the project's hierarchy, in Python's words -------------------------------------------
@pytest.mark.parametrize("call,kind,message", [
    (lambda: derive.derivation("softmax-cross-entropy", K=1), derive.UsageError,
     "K=1: softmax needs at least 2 classes"),
    (lambda: derive.derivation("sigmoid-cross-entropy", K=3), derive.UsageError, "(use K=2)"),
    (lambda: derive.derivation("softmax-cross-entropy", notation={"logits": "1x"}), derive.UsageError, "notation"),
    (lambda: derive.derivation("no-such-recipe"), derive.UsageError, "no-such-recipe"),
    (lambda: derive.gradient(r"L = \frac{", define=SOFTMAX), derive.UsageError, "loss '\\frac{': line 1, column 8"),
    (lambda: derive.gradient(r"L = \max_i z_i"), derive.DeriveError, ""),
    (lambda: derive.gradient(CE, define=SOFTMAX, route="cases"), derive.UsageError, "route 'cases'"),
    (lambda: derive.gradient(CE, define=[SOFTMAX, 3]), derive.UsageError, "define: expected LaTeX strings"),
    (lambda: derive.check_text(GOOD_MD, K=1), derive.UsageError, "K=1:"),
])
def test_errors_are_the_projects_and_speak_python(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    text = str(info.value)
    assert message in text and "--" not in text and not text.startswith("-K")
    assert isinstance(info.value, derive.DeriveError)


def test_messages_quote_latex_as_written():
    with pytest.raises(derive.UsageError) as info:
        derive.check_text(GOOD_MD, define=r"a_i = \frac{")
    assert r"define 'a_i = \frac{': the expression ends too early" in str(info.value)
    assert "\\\\" not in str(info.value)  # no doubled backslash
