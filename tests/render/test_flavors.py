"""--flavor: every recipe's Markdown through the real marked and markdown-it (npm), then KaTeX.

The engines are installed from npm into test-artifacts/node (tests/render/node/package.json) on the
first run. What the engine's HTML hands to KaTeX must be exactly our LaTeX: every line break of an
aligned chain and every matrix row survives, and KaTeX draws each formula without an error.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache

import pytest
from conftest import ROOT, require_tool
from render.render_helpers import derived, katex_failures, math_chunks

from derive.recipebook import all_recipes
from derive.render import render

NODE = ROOT / "tests" / "render" / "node"
CACHE = ROOT / "test-artifacts" / "node"
ENGINES = {"marked": ("marked", "hexo"), "markdown-it": ("markdown-it",)}


@cache
def node_modules() -> str:
    """marked and markdown-it from npm, installed once (package.json says which versions)."""
    npm = require_tool("npm")
    spec = (NODE / "package.json").read_text(encoding="utf-8")
    stamp = CACHE / "package.json"
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8") == spec and (CACHE / "node_modules").is_dir()):
        shutil.rmtree(CACHE, ignore_errors=True)
        CACHE.mkdir(parents=True)
        stamp.write_text(spec, encoding="utf-8")
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=CACHE,
                              capture_output=True, text=True, timeout=600, check=False)
        if proc.returncode != 0:
            shutil.rmtree(CACHE, ignore_errors=True)
            pytest.fail(f"npm install marked markdown-it failed: {proc.stderr[-500:]}")
    return str(CACHE / "node_modules")


def through(engine: str, documents: list[str]) -> list[str]:
    """The text of each document's HTML as the engine renders it (what KaTeX then reads)."""
    node = require_tool("node")
    jobs = [{"engine": engine, "markdown": md} for md in documents]
    proc = subprocess.run([node, str(NODE / "engines.js"), node_modules()], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def rows(chunks) -> int:
    """Line breaks of aligned chains plus matrix rows: every \\\\ of every display."""
    return sum(tex.count("\\\\") for tex, display in chunks if display)


def unbraced(chunks):
    """The same formulas without the spaces the flavors put between braces ({ { and } })."""
    return [(re.sub(r"([{}]) (?=[{}])", r"\1", tex), display) for tex, display in chunks]


def documents(flavor: str) -> list[tuple[str, str, str]]:
    out = []
    for r in all_recipes():
        for K in ("2" if r.name == "sigmoid-cross-entropy" else "3", "K"):
            for lang in ("en", "zh"):
                for style in ("full", "paper"):
                    d = derived(r.name, K)
                    out.append((f"{r.name} -K {K} {lang} {style}", render(d, "markdown", lang, style=style),
                                render(d, "markdown", lang, style=style, flavor=flavor)))
    return out


@pytest.mark.parametrize("engine,flavor", [(e, f) for e, flavors in ENGINES.items() for f in flavors])
def test_every_recipe_survives_the_engine_and_draws_in_katex(engine, flavor):
    docs = documents(flavor)
    texts = through(engine, [flavored for _, _, flavored in docs])
    drawn = []
    for (name, standard, _), text in zip(docs, texts):
        source, after = math_chunks(standard), math_chunks(text)
        assert len(after) == len(source), name
        assert rows(after) == rows(source), name           # every line break and matrix row survives
        assert unbraced(after) == unbraced(source), name   # the LaTeX comes through unchanged
        drawn += after
    assert rows(drawn) > 500
    assert katex_failures(drawn) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_the_standard_form_does_collapse_in_the_engine(engine):
    """Why the flavors exist (and the check is not vacuous): the plain $$ form loses its rows."""
    standard = render(derived("softmax-cross-entropy", "3"), "markdown", "en")
    after = math_chunks(through(engine, [standard])[0])
    assert rows(after) < rows(math_chunks(standard))


def test_no_template_braces_in_any_flavor():
    for flavor in ("standard", "marked", "markdown-it"):
        for r in all_recipes():
            md = render(derived(r.name, "K"), "markdown", "en", flavor=flavor)
            assert "{{" not in md and "{%" not in md, (r.name, flavor)
            if flavor != "standard":
                assert "}}" not in md


def test_flavor_is_for_markdown_only(cli):
    bad = cli("render", "softmax-jacobian", "-f", "latex", "--flavor", "marked", "-o", "-")
    assert bad.returncode == 2 and "--flavor marked is for --format markdown" in bad.stderr
    bad = cli("render", "softmax-jacobian", "-f", "markdown", "--flavor", "jekyll", "-o", "-")
    assert bad.returncode == 2 and "unknown flavor 'jekyll'" in bad.stderr
