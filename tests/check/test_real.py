"""Real derivations as their authors wrote them: written-out arrays, \\nabla, function-style names."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from derive.checker.command import check

REAL = Path(__file__).with_name("real")
MANIFEST = tomllib.loads((REAL / "MANIFEST.toml").read_text(encoding="utf-8"))
FILES = sorted(REAL.glob("*.md"))


def test_corpus_is_real_and_sourced():
    assert len(FILES) >= 15
    langs = {"zh" if re.search(r"[\u4e00-\u9fff]", p.read_text(encoding="utf-8")) else "en" for p in FILES}
    assert langs == {"en", "zh"}
    for p in FILES:
        first = p.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("<!-- source:"), f"{p.name}: the first line names no source"


@pytest.mark.parametrize("err", MANIFEST["error"], ids=lambda e: f"{e['file']}:{e['line']}")
def test_manifest_points_at_math(err):
    lines = (REAL / err["file"]).read_text(encoding="utf-8").splitlines()
    assert "=" in lines[err["line"] - 1], "the manifest's line holds no equality"


JACOBIAN = r"""<!-- derive: define a_i = \frac{e^{z_i}}{\sum_{k=1}^n e^{z_k}} -->
$$\frac{\partial \mathbf a}{\partial \mathbf z} = \begin{bmatrix} a_1(1-a_1) & -a_1a_2 & \cdots & -a_1a_n\\ -a_2a_1 & a_2(1-a_2) & \cdots & -a_2a_n \\ \vdots & \vdots & \ddots & \vdots \\ -a_na_1 & -a_na_2 & \cdots & a_n(1-a_n) \end{bmatrix}$$
"""


def _cells(text: str) -> list[tuple[int, int]]:
    """Spans of the matrix entries of JACOBIAN (the text between & and row breaks)."""
    body = text[text.index(r"\begin{bmatrix}") + len(r"\begin{bmatrix}"):text.index(r"\end{bmatrix}")]
    start = text.index(body)
    spans, pos = [], 0
    for piece in re.split(r"(&|\\\\)", body):
        if piece not in ("&", "\\\\") and piece.strip() and "dots" not in piece:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + pos + lead, start + pos + len(piece.rstrip())))
        pos += len(piece)
    return spans


def test_written_jacobian_checks_entry_by_entry():
    r = check(JACOBIAN, fmt="md")
    assert [s.status for s in r.steps] == ["ok"]


@pytest.mark.parametrize("n", range(9))
def test_a_planted_sign_slip_in_one_entry_is_found_with_its_position(n):
    assert len(_cells(JACOBIAN)) == 9   # 3 written rows x 3 written columns
    a, b = _cells(JACOBIAN)[n]
    entry = JACOBIAN[a:b]
    flipped = entry[1:] if entry.startswith("-") else "-" + entry
    r = check(JACOBIAN[:a] + flipped + JACOBIAN[b:], fmt="md")
    [step] = r.steps
    assert step.status == "wrong" and step.line == 2
    assert f"expected {entry}, written {flipped}" in step.reason
    assert step.counterexample and "entry" in step.counterexample


def test_seed001_sign_slip_found_at_entry_n_2():
    lines = (REAL / "seed001_dicer_en.md").read_text(encoding="utf-8").splitlines()
    text = "<!-- derive: define a_i = \\frac{e^{z_i}}{\\sum_{k=1}^n e^{z_k}} -->\n" + lines[39] + "\n"
    [step] = check(text, fmt="md").steps
    assert step.status == "wrong" and step.line == 2
    assert "entry (n, 2)" in step.reason and "expected -a_na_2, written a_na_2" in step.reason


def test_a_vector_written_with_elisions_defines_its_entries():
    text = r"""
$$z = [z_1, z_2, \cdots, z_n] \\ a = [\frac{e^{z_1}}{\sum_{k=1}^n e^{z_k}}, \frac{e^{z_2}}{\sum_{k=1}^n e^{z_k}}, \cdots, \frac{e^{z_n}}{\sum_{k=1}^n e^{z_k}}]$$
$$\frac{\partial a_i}{\partial z_i} = a_i(1-a_i)$$
$$\frac{\partial a_i}{\partial z_i} = a_i(1+a_i)$$
"""
    r = check(text, fmt="md")
    judged = [(s.line, s.status) for s in r.steps if s.status in ("ok", "wrong")]
    assert judged == [(3, "ok"), (4, "wrong")]


def test_nabla_and_a_written_gradient_with_elisions():
    text = r"""
$$s_{i} = \frac{e^{x_{i}}}{ \sum_{t = 1}^{k}e^{x_{t}}} \\ e = crossEntropy(s, y)  = -\sum_{i = 1}^{k}y_{i}log(s_{i})$$
$$\nabla e_{(s)}=( -\frac{y_1}{s_1}, -\frac{y_2}{s_2},\cdots,-\frac{y_k}{s_k})$$
$$\nabla e_{(s)}=( -\frac{y_1}{s_1}, \frac{y_2}{s_2},\cdots,-\frac{y_k}{s_k})$$
"""
    r = check(text, fmt="md")
    judged = [(s.line, s.status) for s in r.steps if s.status in ("ok", "wrong", "unverified")]
    assert judged == [(3, "ok"), (4, "wrong")]
    assert "entry 2" in r.steps[-1].reason


def test_wrong_number_of_entries_for_a_concrete_K():
    text = "<!-- derive: K = 3 -->\n$$a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n$$\\mathbf{a} = [a_1, a_2]$$\n"
    r = check(text, fmt="md")
    assert r.steps[-1].status == "wrong" and "2 entries" in r.steps[-1].reason


SOFTMAX = "$$a_i = \\frac{e^{z_i}}{\\sum_{k=1}^{K} e^{z_k}}$$\n\n"


@pytest.mark.parametrize("sentence, rhs, cond", [
    ("Furthermore, when $i = j$,", "a_i(1-a_i)", "i = j"),
    ("When $i \\neq j$,", "-a_ia_j", "i != j"),
    ("当 $i=j$ 时:", "a_i - a_i^2", "i = j"),
    ("And for \\(i \\neq j\\), by quotient rule:", "-a_i a_j", "i != j"),
])
def test_a_case_stated_in_the_sentence_before_a_display_applies_to_it(sentence, rhs, cond):
    text = SOFTMAX + sentence + "\n\n$$\\frac{\\partial a_i}{\\partial z_j} = " + rhs + "$$\n"
    step = check(text, fmt="md").steps[-1]
    assert step.status == "ok", step.reason
    assert step.conditions == (f"assuming {cond}, from line 3",)
    # the same display without the sentence is a false claim for the other case
    assert check(SOFTMAX + "$$\\frac{\\partial a_i}{\\partial z_j} = " + rhs + "$$\n", fmt="md").steps[-1].status == "wrong"


def test_the_binary_case_in_prose_sets_K_2():
    text = SOFTMAX.replace("K", "N") + "二元情形下的Softmax有以下形式：\n\n$$a_1=\\frac{e^{z_1}}{e^{z_1}+e^{z_2}}=\\frac{1}{1+e^{-(z_1-z_2)}}$$\n"
    steps = check(text, fmt="md").steps
    assert [s.status for s in steps[1:]] == ["ok", "ok"] and "K = 2" in steps[-1].conditions[0]


def test_a_one_hot_vector_has_its_one_where_the_text_writes_it():
    text = ("$$H(p, q) = -\\sum p_i\\log q_i$$\n\nIn classification problems, $p$ is usual a one-hot vector.\n\n"
            "$$H(p, q)=-p_k\\log q_k = -\\log q_k$$\n")
    steps = check(text, fmt="md").steps
    assert [s.status for s in steps] == ["definition", "ok", "ok"]
    assert "p_k = 1" in steps[-1].reason
    # without the sentence nothing says p is one-hot: the step is false
    assert check(text.replace("one-hot", "probability"), fmt="md").steps[1].status == "wrong"


def test_an_undefined_name_is_unverified_not_wrong():
    text = SOFTMAX + "$$L = -\\sum_{k=1}^{K} y_k \\log a_k$$\n\n$$L = Q + 1$$\n"
    step = check(text, fmt="md").steps[-1]
    assert step.status == "unverified" and "define Q" in step.reason


def test_a_gradient_written_as_a_row_times_the_jacobian():
    text = SOFTMAX + "$$L = -\\sum_{k=1}^{K} y_k \\log a_k$$\n\n" \
        "$$\\frac{\\partial L}{\\partial \\mathbf z} = \\frac{\\partial L}{\\partial \\mathbf a}\\frac{\\partial \\mathbf a}{\\partial \\mathbf z}$$\n"
    assert check(text, fmt="md").steps[-1].status == "ok"


def test_per_line_reading_plain_tex_fractions_and_indicators():
    # 1\{k = i\}, y_{k=i} and {a \over b} as the 2016 post writes them; one wrong step on line 35
    r = check(REAL / "zhu_2016_softmax_ce_en.md")
    assert {s.line for s in r.steps if s.status == "wrong"} == {35}
    assert not [s for s in r.steps if s.status == "unverified"]


def test_an_exercise_redefines_a_under_a_new_heading_and_L_is_any_function():
    r = check(REAL / "pku_homework_zh.md")
    assert sorted({s.line for s in r.steps if s.status == "wrong"}) == [12, 30, 32, 35, 38]
    assert any("any differentiable function of a" in s.reason for s in r.steps if s.status == "ok")


def test_x_class_and_a_loss_named_Loss_differentiated_as_L():
    r = check(REAL / "seed003_zh.md")
    assert not [s for s in r.steps if s.status == "wrong"]
    assert sum(s.status == "ok" for s in r.steps) >= 12
