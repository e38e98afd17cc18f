"""A user's templates render in a child process with limits on time, memory and output size."""
from __future__ import annotations

import os
import select
import signal
import time

from .. import errors
from ..errors import DeriveError, RenderError, UsageError, quoted

TIME_LIMIT = 20.0                 # seconds of wall clock (and of CPU) for one rendering
TIME_ENV = "DERIVE_TEMPLATE_TIMEOUT"
MEMORY_HEADROOM = 512 << 20       # bytes of address space the child may add to what it has
MAX_OUTPUT = 64_000_000           # characters of rendered text (a K = 1024 document is ~2 MB)


def time_limit() -> float:
    """$DERIVE_TEMPLATE_TIMEOUT seconds, else TIME_LIMIT."""
    return env_seconds(TIME_ENV, TIME_LIMIT)


def env_seconds(name: str, default: float) -> float:
    """A time limit given in an environment variable (seconds, up to an hour), else the default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value <= 3600:
        raise UsageError(f"{name}={quoted(raw[:40])}: expected a number of seconds between 0 and 3600")
    return value


def contained(render, what: str) -> str:
    """render() -> str, run in a forked child under RLIMIT_AS / RLIMIT_CPU and a wall-clock limit.

    Jinja's sandbox already keeps a template from reaching Python; these limits keep it from taking
    the machine: a nested range(100000) loop, or a loop building gigabytes of output. Without fork
    (not POSIX) the rendering runs in this process, sandboxed only.
    """
    if not hasattr(os, "fork"):
        return render()
    limit = time_limit()
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            os.close(read_end)
            _die_with(parent)
            _limit_child(limit)
            _send(write_end, _run(render, what))
        except BaseException:  # noqa: BLE001  (nothing may escape a forked child)
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        data, finished = _receive(read_end, pid, limit)
    except BaseException:  # interrupted (Ctrl-C): the child must not outlive us
        _reap(pid, kill=True)
        raise
    finally:
        os.close(read_end)
    if not finished:
        _reap(pid, kill=True)
        if finished is None:
            raise RenderError(f"{what}: the output passed {MAX_OUTPUT // 1_000_000} million characters; stopped")
        raise RenderError(f"{what}: rendering took longer than {limit:g} s; stopped (set {TIME_ENV} for more time)")
    status = _reap(pid)
    return _decode(data, status, what, limit)


def _die_with(parent: int) -> None:
    """The child is killed when its parent dies, however it dies (SIGKILL too): Linux's parent-death
    signal. Elsewhere the CPU limit ends it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(1)


def _limit_child(limit: float) -> None:
    import resource

    cpu = max(1, int(limit + 1))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    size = _address_space()
    if size:
        cap = size + MEMORY_HEADROOM
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _run(render, what: str) -> bytes:
    try:
        text = render()
        if len(text) > MAX_OUTPUT:
            return b"E RenderError\n" + f"{what}: the output passed {MAX_OUTPUT // 1_000_000} million characters".encode()
        return b"K\n" + text.encode("utf-8", "surrogateescape")
    except MemoryError:
        return _out_of_memory(what)
    except DeriveError as exc:
        if isinstance(exc.__cause__, MemoryError):  # a template's MemoryError, named by its line
            return _out_of_memory(what)
        return f"E {type(exc).__name__}\n{exc}".encode("utf-8", "replace")
    except RecursionError:
        return f"E RenderError\n{what}: nested too deeply (recursion)".encode()
    except Exception as exc:  # noqa: BLE001  (a bug of ours: still one line, in the parent)
        return f"E RenderError\n{what}: {type(exc).__name__}: {exc}".encode("utf-8", "replace")


def _out_of_memory(what: str) -> bytes:
    return f"E RenderError\n{what}: needed more than {MEMORY_HEADROOM >> 20} MB of memory; stopped".encode()


def _send(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        n = os.write(fd, view[:1 << 16])
        view = view[n:]
    os.close(fd)


def _receive(fd: int, pid: int, limit: float) -> tuple[bytes, bool | None]:
    """(bytes, True) when the child closed the pipe, (partial, False) on timeout, (partial, None)
    when the output passed MAX_OUTPUT (each UTF-8 character is at most 4 bytes)."""
    chunks: list[bytes] = []
    size = 0
    end = time.monotonic() + limit
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if size > 4 * MAX_OUTPUT + 64:
            return b"", None


def _reap(pid: int, kill: bool = False) -> int:
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue


def _decode(data: bytes, status: int, what: str, limit: float) -> str:
    head, _, body = data.partition(b"\n")
    if head == b"K":
        return body.decode("utf-8", "surrogateescape")
    if head.startswith(b"E "):
        cls = getattr(errors, head[2:].decode("ascii", "replace"), RenderError)
        if not (isinstance(cls, type) and issubclass(cls, DeriveError)):
            cls = RenderError
        raise cls(body.decode("utf-8", "replace"))
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        raise RenderError(f"{what}: rendering used more than {limit:g} s of CPU; stopped")
    if os.WIFSIGNALED(status):
        raise RenderError(f"{what}: the rendering process died ({signal.Signals(os.WTERMSIG(status)).name})")
    raise RenderError(f"{what}: the rendering process ended without a result (out of memory?)")
