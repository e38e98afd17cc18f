"""Shared test helpers: tools that may be missing locally but must be present in CI."""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_TOOLS = os.environ.get("DERIVE_REQUIRE_TOOLS") == "1"


def require_tool(name: str) -> str:
    """The path of a command-line tool; skip without it, except in CI (DERIVE_REQUIRE_TOOLS=1)."""
    path = shutil.which(name)
    if path is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{name} is required (DERIVE_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{name} is not installed", allow_module_level=True)
    return path


def require_module(name: str):
    """Import a Python module; skip without it, except in CI."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if REQUIRE_TOOLS:
            pytest.fail(f"the Python module {name} is required (DERIVE_REQUIRE_TOOLS=1)")
        pytest.skip(f"{name} is not installed", allow_module_level=True)


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """python -m derive ARGS, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, input=stdin, timeout=600)


@pytest.fixture
def cli():
    return run_cli
