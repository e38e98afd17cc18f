"""PDF output: latexmk with pdflatex (en) or xelatex (zh), no shell escape, openin_any=p, in its own
process group under a time limit (DERIVE_TEX_TIMEOUT seconds, default 60)."""
from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError
from ..files import write_atomic
from .contain import env_seconds

DEBIAN_PACKAGES = "texlive-latex-base texlive-latex-recommended latexmk lmodern (and texlive-xetex texlive-lang-chinese for zh)"
TIMEOUT = 60           # seconds for the whole latexmk run; a K = 1024 document needs about 10
TIMEOUT_ENV = "DERIVE_TEX_TIMEOUT"
MAX_PDF_BYTES = 200_000_000


def timeout() -> float:
    """The time limit of a TeX run: $DERIVE_TEX_TIMEOUT seconds, else TIMEOUT."""
    return env_seconds(TIMEOUT_ENV, TIMEOUT)


def compile_pdf(tex: Path, lang: str = "en", shown: str | os.PathLike | None = None) -> Path:
    """Compile tex into a PDF beside it, in a scratch directory, moved into place only on success.
    Messages name the file as `shown` (default: tex)."""
    tex = Path(tex)
    name = shown or tex
    engine = "-xelatex" if lang == "zh" else "-pdf"
    limit = timeout()
    if shutil.which("latexmk") is None or shutil.which("xelatex" if lang == "zh" else "pdflatex") is None:
        raise RenderError(f"--pdf needs TeX: install the Debian packages {DEBIAN_PACKAGES}")
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as work:
        src = Path(work) / "document.tex"  # a fixed short name: the user's may be long or odd
        shutil.copyfile(tex, src)
        cmd = ["latexmk", engine, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               "-file-line-error", src.name]
        code, stdout = _run_group(cmd, work, env, limit)
        log = src.with_suffix(".log")
        if code is None:
            raise RenderError(f"TeX did not finish within {limit:g} s on {name} (stopped; set {TIMEOUT_ENV} "
                              f"for more time): {_log_excerpt(log, stdout, tail=True)}")
        pdf = src.with_suffix(".pdf")
        if code != 0 or not pdf.exists():
            raise RenderError(f"TeX failed on {name}: {_log_excerpt(log, stdout)}")
        if pdf.stat().st_size > MAX_PDF_BYTES:
            raise RenderError(f"TeX made a PDF of {pdf.stat().st_size // 1_000_000} MB from {name}; not kept")
        target = tex.with_suffix(".pdf")
        write_atomic(target, pdf.read_bytes())
    return target


def _run_group(cmd: list[str], cwd: str, env: dict, limit: float) -> tuple[int | None, str]:
    """Run cmd in a new session (its own process group); (exit code, output), or (None, output) when
    the time ran out. The whole group is killed either way, so that no pdflatex started by latexmk
    outlives us; a CPU-time limit on every process of it is the backstop if we are killed first."""
    cpu = int(limit) + 5

    def limits():  # runs in the child before exec; inherited by latexmk's children
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True,
                            preexec_fn=limits)
    try:
        out, _ = proc.communicate(timeout=limit)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, _ = proc.communicate()
        return None, out
    finally:
        _kill_group(proc.pid)  # children left behind by a finished (or interrupted) latexmk
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _wait_gone(proc.pid)


def _wait_gone(pgid: int, seconds: float = 3.0) -> None:
    """SIGKILL is delivered asynchronously: wait (briefly) until no process of the group is left."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        if not _live_members(pgid):
            return  # only zombies, which take no CPU and are reaped by their parent
        time.sleep(0.02)


def _live_members(pgid: int) -> bool:
    """Is a process of group pgid alive (not a zombie)? Read from /proc where there is one."""
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for d in proc.iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_ERROR_LINE = re.compile(r"^(!|\S+\.\w+:\d+: )")


def _log_excerpt(log: Path, stdout: str, tail: bool = False) -> str:
    """The lines of the log that say what went wrong ('! ...' or 'file.tex:12: ...' and the two
    lines of context after it), not the whole log; after a timeout, where TeX had got to."""
    text = log.read_text(encoding="utf-8", errors="replace")[-200_000:] if log.exists() else ""
    lines = [line for line in text.splitlines() if line.strip()] or [
        line for line in stdout[-200_000:].splitlines() if line.strip()]  # TeX had not flushed its log
    bad = [n for n, line in enumerate(lines) if _ERROR_LINE.match(line)]
    if not bad or tail:
        return " | ".join(line.strip() for line in lines[-3:])[:400] or "(the log is empty)"
    n = bad[0]
    return " | ".join(s.strip() for s in lines[n:n + 3])[:400]
