"""Render-test helpers: golden files (UPDATE_GOLDEN=1 rewrites them), cached derivations, KaTeX checks."""
from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from conftest import require_tool

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ROOT = Path(__file__).resolve().parents[2]
KATEX_JS = ROOT / "derive" / "render" / "assets" / "katex" / "katex.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SEED_Z = "1.1316,-0.7943,0.1328"


@cache
def derived(recipe: str, K: str, values: tuple = ()):
    """A verified derivation, built once per test session (they are immutable)."""
    from derive.pipeline import derivation

    return derivation(recipe, K, values=dict(values) or None)


def assert_golden(name: str, text: str) -> None:
    """Compare text with tests/golden/NAME; with UPDATE_GOLDEN=1 rewrite the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no golden file {path}; run UPDATE_GOLDEN=1 pytest {os.path.relpath(__file__, ROOT)}")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                 "golden/" + name, "rendered", n=1))[:40])
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff}")


def math_chunks(markdown: str) -> list[tuple[str, bool]]:
    """The $$ display blocks and $ inline formulas of a Markdown text, as (tex, display)."""
    display = [(m.group(1), True) for m in re.finditer(r"\$\$(.*?)\$\$", markdown, re.DOTALL)]
    rest = re.sub(r"\$\$(.*?)\$\$", "", markdown, flags=re.DOTALL)
    inline = [(m.group(1), False) for m in re.finditer(r"\$([^$\n]+)\$", rest)]
    return display + inline


def katex_failures(chunks: list[tuple[str, bool]]) -> list[dict]:
    """Render each formula with the vendored KaTeX under node (throwOnError, strict): the failures."""
    node = require_tool("node")
    proc = subprocess.run([node, str(Path(__file__).with_name("katex_check.js")), str(KATEX_JS)],
                          input=json.dumps(chunks), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
