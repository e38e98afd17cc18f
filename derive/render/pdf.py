"""PDF output: latexmk with pdflatex (en) or xelatex (zh), no shell escape, openin_any=p, in its own
process group under a time limit (DERIVE_TEX_TIMEOUT seconds, default 60)."""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
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
    """Compile the file tex into a PDF beside it (written only on success). Messages name the file
    as `shown` (default: tex)."""
    tex = Path(tex)
    target = tex.with_suffix(".pdf")
    write_atomic(target, pdf_of(tex.read_text(encoding="utf-8"), lang, shown or tex))
    return target


def pdf_of(source: str, lang: str = "en", shown: str | os.PathLike = "the document") -> bytes:
    """The PDF of a LaTeX document, compiled in a scratch directory that is removed afterwards
    (also when a signal stops the run: see signals.py)."""
    name = shown
    engine = "-xelatex" if lang == "zh" else "-pdf"
    limit = timeout()
    if shutil.which("latexmk") is None or shutil.which("xelatex" if lang == "zh" else "pdflatex") is None:
        raise RenderError(f"--pdf needs TeX: install the Debian packages {DEBIAN_PACKAGES}")
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    # the supervisor may remove the folder first (a run stopped while TeX runs)
    with tempfile.TemporaryDirectory(prefix="derive-tex-", ignore_cleanup_errors=True) as work:
        src = Path(work) / "document.tex"  # a fixed short name: the user's may be long or odd
        src.write_text(source, encoding="utf-8")
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
        return pdf.read_bytes()


@contextlib.contextmanager
def directory_lock(folder: Path):
    """An exclusive lock on a directory (flock on its descriptor; no lock file is left behind):
    concurrent writers of a .tex/.pdf pair there replace both files one writer at a time, so the
    pair always comes from one run."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# The TeX run's supervisor. It starts latexmk in a process group of its own and, once latexmk
# ends, kills that group (a pdflatex left behind). As soon as its pipe from derive reaches EOF it
# kills the group and removes the scratch folder (its working directory): that happens when derive
# ends in any way, SIGKILL included, which no signal handler of ours can catch.
_SUPERVISOR = """
import os, select, shutil, signal, subprocess, sys
fd, work = int(sys.argv[1]), os.getcwd()
child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, process_group=0)
def end():
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        pass
while child.poll() is None:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready and not os.read(fd, 1):
        end()
        child.wait()
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(137)
end()
sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)
"""


def _run_group(cmd: list[str], cwd: str, env: dict, limit: float) -> tuple[int | None, str]:
    """Run cmd under a supervisor in a new session (its own process group); (exit code, output), or
    (None, output) when the time ran out. The whole group is killed either way, so that no pdflatex
    started by latexmk outlives us; if we are killed first, the supervisor sees its pipe close and
    kills the group; a CPU-time limit on every process of it is the last backstop."""
    cpu = int(limit) + 5

    def limits():  # runs in the child before exec; inherited by latexmk's children
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    alive, held = os.pipe()  # the supervisor reads `alive`; we hold `held` open until the run ends
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _SUPERVISOR, str(alive), *cmd], cwd=cwd,
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True,
                                preexec_fn=limits, pass_fds=(alive,))
    finally:
        os.close(alive)
    try:
        out, _ = proc.communicate(timeout=limit)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.close(held)  # the supervisor stops TeX's group
        held = -1
        out, _ = proc.communicate()
        return None, out
    finally:
        if held >= 0:
            os.close(held)  # interrupted (a signal): the supervisor stops TeX's group
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        _kill_group(proc.pid)  # the backstop: the supervisor itself
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
