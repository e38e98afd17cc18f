"""Every format in both languages: golden files, one per case, and the shape each format promises."""
from __future__ import annotations

import json
import re

import pytest
from render.render_helpers import SEED_Z, assert_golden, derived

from derive.render import FORMATS, LANGS, render

WORKED = ("softmax-cross-entropy", "3", (("z", SEED_Z), ("target", "0")))
GOLDEN_FORMATS = ("latex", "latex-fragment", "markdown", "text", "json")
EXT = {"latex": "tex", "latex-fragment": "fragment.tex", "markdown": "md", "text": "txt", "json": "json"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
def test_golden_worked_example(fmt, lang):
    assert_golden(f"render/softmax-cross-entropy-K3-{lang}.{EXT[fmt]}", render(derived(*WORKED), fmt, lang))


@pytest.mark.parametrize("recipe", ["softmax-jacobian", "softmax-cross-entropy"])
@pytest.mark.parametrize("lang", LANGS)
def test_golden_general_K_text(recipe, lang):
    assert_golden(f"render/{recipe}-KK-{lang}.txt", render(derived(recipe, "K"), "text", lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("K", ["2", "3", "K"])
def test_every_main_recipe_renders(fmt, lang, K):
    for recipe in ("softmax-jacobian", "softmax-cross-entropy"):
        text = render(derived(recipe, K), fmt, lang)
        assert text.strip()
        if lang == "zh" and fmt != "json":
            assert re.search(r"[\u4e00-\u9fff]", text), "the Chinese output has no Chinese"


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_uses_only_what_katex_and_mathjax_share(lang):
    md = render(derived(*WORKED), "markdown", lang)
    for forbidden in (r"\begin{align}", r"\begin{align*}", r"\tag", r"\notag", r"\footnotesize", r"\fbox", r"\subsection"):
        assert forbidden not in md
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", md, re.DOTALL)
    assert blocks and all(b.startswith(r"\begin{aligned}") and b.endswith(r"\end{aligned}") for b in blocks)
    assert all("\n\n" not in b for b in blocks), "a blank line inside $$ ends the paragraph in Markdown"
    assert md.count("$$") == 2 * len(blocks)


def test_text_is_plain_and_names_rule_and_status():
    txt = render(derived(*WORKED), "text", "en")
    assert "[verified, symbolic] quotient rule" in txt
    assert "$" not in txt and r"\text" not in txt
    assert "0.6604" in txt and "0.4147" in txt            # probabilities and loss of the seeds' example


def test_text_underlines_chinese_by_display_width():
    lines = render(derived(*WORKED), "text", "zh").splitlines()
    assert lines[1] == "=" * (2 * sum(1 for c in lines[0] if "\u4e00" <= c <= "\u9fff")
                              + sum(1 for c in lines[0] if not "\u4e00" <= c <= "\u9fff"))


def test_fragment_lists_its_packages_and_has_no_preamble():
    tex = render(derived(*WORKED), "latex-fragment", "en")
    head = tex.splitlines()[:4]
    assert all(line.startswith("%") for line in head[:3]) and "amsmath" in tex.splitlines()[1]
    assert r"\documentclass" not in tex and r"\begin{document}" not in tex


def test_json_is_the_contract():
    out = json.loads(render(derived(*WORKED), "json", "zh"))
    assert out["K"] == 3 and out["numeric"]["loss"] == pytest.approx(0.414799, abs=1e-6)
    assert all(s["verified"] for s in out["steps"] if s["verified"] is not None)


def test_jacobian_worked_example_shows_no_loss():
    md = render(derived("softmax-jacobian", "2", (("z", "0.5,-0.5"),)), "markdown", "en")
    assert r"\operatorname{softmax}" in md and "finite-difference" not in md and "\nL &=" not in md


def test_zh_prose_is_chinese_mathematical_style():
    md = render(derived("softmax-cross-entropy", "K"), "markdown", "zh")
    for phrase in ("由定义", "链式法则", "当 $i = j$ 时", "雅可比矩阵"):
        assert phrase in md


def test_catalogues_have_the_same_keys():
    from derive.render.environment import messages

    def keys(d, p=""):
        return {p + k for k in d} | {x for k, v in d.items() if isinstance(v, dict) for x in keys(v, p + k + ".")}

    # check.reasons translates the checker's English reasons (patterns -> the language's words): only a
    # language other than English holds entries there
    def shared(lang):
        return {k for k in keys(messages(lang)) if not k.startswith("check.reasons.")}

    assert shared("en") == shared("zh")


def test_rendering_is_read_only(monkeypatch):
    import sympy as sp

    d = derived(*WORKED)
    before = d.steps
    monkeypatch.setattr(sp, "simplify", lambda *a, **k: pytest.fail("a renderer called simplify"))
    for fmt in FORMATS:
        render(d, fmt, "en")
    assert d.steps is before and d.steps == before
