"""The grammar's LALR tables are cached only in a directory the user alone can write; a bad file is rebuilt."""
from __future__ import annotations

import os
import subprocess
import sys

from derive.latex import parse

PARSE = "from derive.latex.parse import parse_latex; print(parse_latex(r'a_i + \\frac{1}{2}'))"


def _run(cache_home) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-c", PARSE], capture_output=True, text=True, env=env, check=False)


def test_the_cache_lives_in_a_private_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = parse._cache_file()
    assert isinstance(path, str) and path.startswith(str(tmp_path / "derive"))
    assert (tmp_path / "derive").stat().st_mode & 0o777 == 0o700


def test_a_directory_others_can_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "derive"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parse._cache_file() is False


def test_a_damaged_cache_file_is_rebuilt_and_the_answer_is_the_same(tmp_path):
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    cached = list((tmp_path / "derive").iterdir())
    assert len(cached) == 1
    cached[0].write_bytes(b"not a cache\n\x00\x01")
    again = _run(tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout == "a[i] + 1/2\n"
