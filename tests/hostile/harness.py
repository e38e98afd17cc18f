"""Runs one hostile case through the real CLI, contained and watched: its own cwd, HOME and TMPDIR,
a canary file outside, a wall-clock limit, peak memory, and a scan for processes it left behind."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

LIMIT = 30.0          # seconds: the bound for any run
MARKER = "DERIVE_HOSTILE_CASE"
ROOT = Path(__file__).resolve().parents[2]
# python -m derive with an audit hook that logs every file Python opens (the forked template child
# inherits it): one line per open, written at once (a run may be killed)
BOOT = """
import os, sys, runpy
fd = os.open(os.environ.pop("DERIVE_HOSTILE_OPENS"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        p = os.fsdecode(args[0])
        try:
            os.write(fd, (os.path.join(os.getcwd(), p) + "\\0" + os.path.realpath(p) + "\\n").encode("utf-8", "surrogateescape"))
        except OSError:
            pass
sys.addaudithook(hook)
sys.argv = ["derive", *sys.argv[1:]]
runpy.run_module("derive", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Case:
    """One hostile input: the derive arguments (run in an empty working directory), what the
    directories must hold first (setup), and the exit code and message it must give."""

    id: str
    args: tuple[str, ...]
    code: int | tuple[int, ...]                    # several: any of them (a bounded run that may finish or stop)
    message: str                                   # a regular expression searched in stderr (exit 2) or both streams
    setup: Callable[[Dirs], None] | None = None
    stdin: bytes | None = None
    env: tuple[tuple[str, str], ...] = ()
    writes: tuple[str, ...] = ()                   # paths (relative to cwd) the user named for output
    unchanged: tuple[str, ...] = ()                # paths whose bytes must be the same afterwards
    surface: str = "render"                        # render | check | templates | pdf | output | values | notation | param | stdin
    limit: float = LIMIT
    tools: tuple[str, ...] = ()                    # commands it needs (TeX)


@dataclass(frozen=True)
class Dirs:
    """The directories of one run: cwd (the user's), home, tmp (TMPDIR) and outside (not named)."""

    cwd: Path
    home: Path
    tmp: Path
    outside: Path
    canary: str                                    # a token written in outside/secret.txt


@dataclass
class Result:
    case: Case
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    maxrss_kb: int
    changed: list[str] = field(default_factory=list)       # files created, changed or removed, unexpected
    leftovers: list[str] = field(default_factory=list)     # processes still running with our marker
    canary_leaked: bool = False
    foreign_reads: list[str] = field(default_factory=list)  # files opened outside what the user named


def make_dirs(root: Path) -> Dirs:
    dirs = Dirs(root / "cwd", root / "home", root / "tmp", root / "outside", f"CANARY-{uuid.uuid4().hex}")
    for d in (dirs.cwd, dirs.home, dirs.tmp, dirs.outside):
        d.mkdir(parents=True)
    (dirs.outside / "secret.txt").write_text(f"{dirs.canary}\n")
    return dirs


def snapshot(*folders: Path) -> dict[str, str]:
    """path -> a digest of what it is (kind, mode, content); links are not followed."""
    out = {}
    for top in folders:
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                st = p.lstat()
                if p.is_symlink():
                    sig = "link:" + os.readlink(p)
                elif p.is_file():
                    sig = f"file:{st.st_mode:o}:" + hashlib.sha256(p.read_bytes()).hexdigest()
                elif p.is_dir():
                    sig = f"dir:{st.st_mode:o}"
                else:
                    sig = f"special:{st.st_mode:o}"
                out[str(p)] = sig
    return out


def run_case(case: Case, root: Path) -> Result:
    dirs = make_dirs(root)
    if case.setup:
        case.setup(dirs)
    watched = (dirs.cwd, dirs.home, dirs.tmp, dirs.outside)
    before = snapshot(*watched)
    token = uuid.uuid4().hex
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(dirs.home), "TMPDIR": str(dirs.tmp),
           "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", MARKER: token,
           "DERIVE_HOSTILE_OPENS": str(root / "opens.log"), **dict(case.env)}
    out_path, err_path = root / "stdout", root / "stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", BOOT, *case.args], cwd=dirs.cwd, env=env,
                                stdin=subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL,
                                stdout=out, stderr=err, start_new_session=True)
        if case.stdin is not None:
            threading.Thread(target=_feed, args=(proc, case.stdin), daemon=True).start()
        killed = threading.Event()
        timer = threading.Timer(case.limit, _kill_session, (proc.pid, killed))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        seconds = time.monotonic() - start
    proc.returncode = code = None if killed.is_set() else os.waitstatus_to_exitcode(status)
    leftovers = _leftovers(token)
    after = snapshot(*watched)
    allowed = {str(dirs.cwd / w) for w in case.writes}
    allowed |= {str(p) for w in case.writes for p in (dirs.cwd / w).parents if p != dirs.cwd and dirs.cwd in p.parents}
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p) and p not in allowed)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    leaked = dirs.canary in stdout or dirs.canary in stderr or any(
        dirs.canary.encode() in p.read_bytes() for p in dirs.cwd.rglob("*") if p.is_file() and not p.is_symlink())
    foreign = _foreign_reads(root / "opens.log", dirs, case)
    return Result(case, code, stdout, stderr, seconds, usage.ru_maxrss, changed, leftovers, leaked, foreign)


def _foreign_reads(log: Path, dirs: Dirs, case: Case) -> list[str]:
    """Files derive opened that are neither Python's and ours (interpreter, packages, this checkout,
    /proc, /dev) nor in the user's working directory or TMPDIR, unless the user named that very path
    (a link they named may lead anywhere). HOME and the `outside` folder are never allowed."""
    allowed = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, ROOT, "/proc", "/dev/null",
                                              "/dev/urandom", dirs.cwd, dirs.tmp)}
    named = {str(dirs.cwd / a) for a in case.args if a and not a.startswith("-")}
    out = []
    for line in log.read_text(encoding="utf-8", errors="surrogateescape").splitlines() if log.exists() else []:
        given, _, real = line.partition("\0")
        inside = any(real == a or real.startswith(a.rstrip("/") + "/") for a in allowed)
        if not inside and os.path.normpath(given) not in named:
            out.append(real)
    return sorted(set(out))


def _feed(proc, data: bytes) -> None:
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def _kill_session(pid: int, killed: threading.Event) -> None:
    killed.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _leftovers(token: str, grace: float = 1.0) -> list[str]:
    """Processes (not zombies) whose environment carries this run's marker: anything derive started
    (latexmk, pdflatex, a rendering child) inherits it, whatever session or group it moved to."""
    needle = f"{MARKER}={token}".encode()
    end = time.monotonic() + grace
    while True:
        found = []
        for d in Path("/proc").iterdir():
            if not d.name.isdigit() or int(d.name) == os.getpid():
                continue
            try:
                if needle in (d / "environ").read_bytes().split(b"\0"):
                    state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        found.append(f"{d.name} {(d / 'comm').read_text().strip()}")
            except OSError:
                continue
        if not found or time.monotonic() > end:
            for line in found:  # do not leave them running for the next case
                try:
                    os.kill(int(line.split()[0]), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            return found
        time.sleep(0.1)
