"""`derive grad` as a user runs it: documents, JSON numbers, honest stops and bad input."""
from __future__ import annotations

import json
import re

import pytest
import sympy as sp

import derive
from conftest import run_cli
from engine.losses import SOFTMAX, SUM_ONE

CE = r"L = -\sum_{i=1}^{K} y_i \log a_i"


def test_cross_entropy_arrives_at_a_minus_y_by_itself():
    d = derive.gradient(CE, define=[SOFTMAX], assume=[SUM_ONE])
    a, y, j = sp.IndexedBase("a"), sp.IndexedBase("y"), sp.Symbol("j", integer=True, positive=True)
    assert d.verified
    gradient_lines = [s for s in d.steps if s.lhs == sp.Derivative(sp.Symbol("L"), sp.IndexedBase("z")[j])]
    assert sp.expand(gradient_lines[-1].rhs - (a[j] - y[j])) == 0
    assert isinstance(d.result, sp.MatAdd) and sorted(str(t) for t in d.result.args) == ["-y", "a"]
    assert r"\mathbf{a} - \mathbf{y}" in d.render("latex")
    rules = [s.rule.id for s in d.steps]
    assert "use-constraint" in rules and "softmax-jacobian" in rules and "delta-contraction" in rules


def test_without_the_fact_the_sum_of_y_stays():
    d = derive.gradient(CE, define=[SOFTMAX])
    assert d.verified
    assert d.steps[-2].rhs.has(sp.Sum)  # a_j sum_i y_i - y_j: nothing assumed, nothing dropped


def test_grad_json_has_the_worked_numbers(tmp_path):
    out = tmp_path / "focal.json"
    r = run_cli("grad", r"L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i", "--define", SOFTMAX,
                "--values", "z=1,2,3", "--values", "y=0,0,1", "--values", "gamma=2", "-f", "json", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["verified"] is True
    assert len(data["numeric"]["gradient"]) == 3 and isinstance(data["numeric"]["loss"], float)
    assert abs(sum(data["numeric"]["gradient"])) < 1e-12   # a softmax gradient sums to zero


def test_greek_values_by_name_and_a_prior_vector():
    r = run_cli("grad", CE, "--define",
                r"a_i = \frac{e^{z_i + \tau \log \pi_i}}{\sum_{k=1}^{K} e^{z_k + \tau \log \pi_k}}",
                "--assume", SUM_ONE, "--values", "z=1,2,3,4", "--values", "y=2", "--values", "tau=1",
                "--values", "pi=0.4,0.1,0.2,0.3", "-f", "json", "-o", "-")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["numeric"]["values"]["y"] == [0.0, 0.0, 1.0, 0.0]   # a class index, as PyTorch takes it


@pytest.mark.parametrize("fmt", ["latex", "markdown", "html", "text"])
def test_every_format_renders(fmt):
    r = run_cli("grad", CE, "--define", SOFTMAX, "--assume", SUM_ONE, "-K", "3", "-f", fmt, "-o", "-")
    assert r.returncode == 0, r.stderr
    assert "a" in r.stdout


def test_zh():
    r = run_cli("grad", CE, "--define", SOFTMAX, "--assume", SUM_ONE, "--lang", "zh", "-f", "markdown", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert "链式法则" in r.stdout


@pytest.mark.parametrize("loss, name", [
    (r"L = \sum_i |z_i - y_i|", "absolute value"),
    (r"L = \max_k z_k - z_1", "max"),
    (r"L = \sum_i \mathbb{1}[y_i = 1] \log a_i", "indicator"),
    (r"L = -\log a_{\operatorname{argmax}_k y_k}", "argmax"),
])
def test_non_smooth_constructs_stop_with_one_line(loss, name, tmp_path):
    out = tmp_path / "x.tex"
    r = run_cli("grad", loss, "--define", SOFTMAX, "-o", str(out))
    assert r.returncode == 2
    assert name in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("args, words", [
    ([r"L = -\sum_i y_i \foo a_i", "--define", SOFTMAX], "foo"),
    ([r"L = -\sum_i y_i \log {a_i", "--define", SOFTMAX], "ends too early"),
    (["   ", "--define", SOFTMAX], "empty"),
    ([CE, "--define", SOFTMAX, "--wrt", "w"], "--wrt w"),
    ([CE, "--define", r"a_i = \frac{e^{a_i}}{\sum_k e^{z_k}}"], "refers to itself"),
    ([CE, "--define", SOFTMAX, "--define", r"b_i = c_i", "--define", r"c_i = b_i"], "refers to itself"),
    ([CE, "--define", SOFTMAX, "--values", "z=1,2,3", "--values", "y=1,0"], "2 numbers"),
    ([CE, "--define", SOFTMAX, "--values", "z=1,2,3"], "no value for y"),
    ([CE, "--define", SOFTMAX, "--values", "z=1,2,3", "--values", "y=0,0,1", "--values", "q=1"], "q"),
    ([CE, "--define", SOFTMAX, "--assume", r"y_1 > 0"], "--assume"),
    ([r"L = -y_i \log a_i", "--define", SOFTMAX], "not summed"),
    ([r"L = -\log a_c - \log a_d", "--define", SOFTMAX], "indices c, d are not summed"),
    ([r"L = \log \mathbf{a}", "--define", SOFTMAX], "a vector or a matrix, not a number"),
    ([r"L = \sum_i \sum_i a_i", "--define", SOFTMAX], "the index i is summed twice"),
    ([r"L = -\log a_c", "--define", SOFTMAX, "--values", "z=1,2,3"], "no value for the class index c"),
    ([r"L = -\log a_c", "--define", SOFTMAX, "--values", "z=1,2,3", "--values", "c=0"], "from 1 to 3"),
    ([r"L = -\log a_c", "--define", SOFTMAX, "--values", "z=1,2,3", "--values", "c=4"], "from 1 to 3"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(args, words, tmp_path):
    out = tmp_path / "out.tex"
    r = run_cli("grad", *args, "-o", str(out))
    assert r.returncode == 2, r.stderr
    assert words in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("loss", [r"L = -\log a_c", r"L = -\log a_y", r"L = -\log p_c"])
def test_a_free_index_is_the_true_class(loss):
    # papers write the loss of one example with its class: -log a_c (or p_c defined with the same letter)
    defs = [SOFTMAX.replace("a_i", "p_c").replace("z_i", "z_c")] if "p_c" in loss else [SOFTMAX]
    r = run_cli("grad", loss, "--define", *defs, "--values", "z=1,2,0.5", "--values", f"{loss[-1]}=2",
                "-f", "json", "-o", "-")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["verified"] is True
    z = [1.0, 2.0, 0.5]
    e = [__import__("math").exp(x) for x in z]
    a = [x / sum(e) for x in e]
    assert data["numeric"]["gradient"] == pytest.approx([a[0], a[1] - 1, a[2]], rel=1e-12)
    md = run_cli("grad", loss, "--define", *defs, "-f", "markdown", "-o", "-").stdout
    assert "fixed class" in md and r"- \delta_{" in md


def test_a_gradient_it_cannot_simplify_is_printed_and_says_so():
    r = run_cli("grad", r"L = \sum_{i=1}^{K} \log(1 + e^{z_i})", "--wrt", "z", "-f", "text", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert "not simplified" in r.stderr
    assert "unsimplified" in r.stdout


def test_wrt_defaults_to_the_logits_of_the_innermost_definition():
    d = derive.gradient(CE, define=[r"a_i = \frac{e^{u_i}}{\sum_k e^{u_k}}", r"u_i = z_i / T"], assume=[SUM_ONE])
    assert d.verified
    assert d.notation.logits == "z"


@pytest.mark.parametrize("loss, define, shown", [
    # the number of classes named by the sums' limit (no -K given), a hat on the probabilities
    (r"L = -\sum_{c=1}^{C} y_c \log \hat{y}_c", r"\hat{y}_c = \frac{e^{z_c}}{\sum_{k=1}^{C} e^{z_k}}",
     [r"\hat{y}", r"\sum_{c=1}^{C}"]),
    (r"\mathcal{L}_{CE} = -\sum_i y_i \log p_i", r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
     [r"\partial \mathcal{L}_{CE}"]),   # the name as written (was \mathrm{CE})
    (r"\ell = -\sum_i y_i \ln p_i", r"p_i = \exp(z_i) / \sum_j \exp(z_j)", [r"\partial \ell"]),
    (r"L = -\sum_i y_i \log p_i", r"p_i = \operatorname{softmax}(\mathbf{z})_i", [r"\sum_{i=1}^{K}"]),
    # vectors: u^T log v is the sum over the entries, a = softmax(z) the entries' definition
    (r"L = -\mathbf{y}^\top \log \mathbf{p}", r"\mathbf{p} = \operatorname{softmax}(\mathbf{z})",
     [r"L &:= - \sum_{i=1}^{K} y_{i} \log p_{i}"]),
])
def test_losses_as_papers_write_them(loss, define, shown):
    r = run_cli("grad", loss, "--define", define, "--assume", r"\sum_i y_i = 1" if "C}" not in loss else
                r"\sum_{c=1}^{C} y_c = 1", "-f", "markdown", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert "All steps verified" in r.stdout
    for s in shown:
        assert s in r.stdout, s
    assert r"\mathrm{" not in r.stdout.split("## Verification")[0]
    # the result is a - y in the user's letters
    assert re.search(r"&= \\mathbf\{(\\hat\{y\}|p)\} - \\mathbf\{y\}", r.stdout), r.stdout[-1500:]


BCE = r"L = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))"


@pytest.mark.parametrize("x, y", [(-2.0, 0.0), (0.3, 1.0), (5.0, 0.3)])
def test_binary_cross_entropy_on_a_scalar_logit_matches_torch(x, y):
    # K = 2 as a teacher writes it: one logit through a sigmoid; the variable found inside sigma
    from conftest import require_module

    torch = require_module("torch")
    d = derive.gradient(BCE, values={"x": repr(x), "y": repr(y)})
    assert d.verified and d.recipe == "grad-scalar"
    assert str(d.result) == "-y + sigmoid(x)"
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    want = torch.nn.functional.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    want.backward()
    got = d.numeric.as_json()
    assert got["loss"] == pytest.approx(want.item(), rel=1e-12)
    assert got["gradient"] == pytest.approx([t.grad.item()], rel=1e-12)


def test_binary_cross_entropy_in_every_format_and_style():
    for fmt in ("latex", "markdown", "html", "text"):
        for style in ("full", "paper", "teaching"):
            r = run_cli("grad", BCE, "--values", "x=0.3", "--values", "y=1", "-f", fmt, "--style", style, "-o", "-")
            assert r.returncode == 0, (fmt, style, r.stderr)
    md = run_cli("grad", BCE, "-f", "markdown", "-o", "-").stdout
    assert r"\partial L / \partial x" in md and r"&= \sigma(x) - y" in md and "classes" not in md
    teach = run_cli("grad", BCE, "--values", "x=0.3", "--values", "y=1", "-f", "markdown", "--style", "teaching", "-o", "-")
    assert "two legs" not in teach.stdout and "A worked example" in teach.stdout  # no softmax route to tell


def test_nested_sums_whose_letters_meet_the_gradient_index():
    # SymPy joins sum_i sum_j sum_k into one node, and j is also the gradient's index: every letter of
    # the joined sum is renamed apart (a captured j made a wrong contraction the verifier refuted)
    loss = r"L = -\sum_i \sum_j \sum_k y_i a_j a_k \log a_i"
    d = derive.gradient(loss, define=[SOFTMAX], K=3, values={"z": "1,2,3", "y": "0.2,0.3,0.5"})
    assert d.verified, [(s.rule.id, s.verdict.detail) for s in d.claims if not s.verdict.ok]
    import math
    e = [math.exp(v) for v in (1, 2, 3)]
    a = [v / sum(e) for v in e]
    # (sum a)^2 = 1: the gradient of plain cross-entropy with a distribution target
    assert d.numeric.as_json()["gradient"] == pytest.approx([a[0] - 0.2, a[1] - 0.3, a[2] - 0.5], rel=1e-12)
    assert derive.gradient(loss, define=[SOFTMAX]).verified


def test_route_jacobian_on_the_command_line():
    r = run_cli("grad", CE, "--define", SOFTMAX, "--assume", SUM_ONE, "--route", "jacobian", "-f", "json", "-o", "-")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    rules = [s["rule"] for s in data["steps"]]
    assert data["verified"] and "case-diagonal" in rules and "case-off-diagonal" in rules, rules
    bad = run_cli("grad", CE, "--define", SOFTMAX, "--route", "sideways", "-o", "-")
    assert bad.returncode == 2 and "route 'sideways'" in bad.stderr
