"""SIGTERM and SIGHUP end a run the way Ctrl-C does: every cleanup runs (children, temporaries)."""
from __future__ import annotations

import contextlib
import signal
import threading


class Stopped(BaseException):
    """A terminating signal arrived. Not an Exception: no `except Exception` may swallow it, and
    every `finally` and `except BaseException` on the way out runs (TeX's process group is killed,
    temporary files and folders are removed, the old output file stays)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


_CAUGHT = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def handled():
    """Within the block, SIGTERM and SIGHUP raise Stopped (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        for s in _CAUGHT:  # a second signal must not cut the cleanup short
            signal.signal(s, signal.SIG_IGN)
        raise Stopped(signum)

    old = {s: signal.signal(s, stop) for s in _CAUGHT}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


RUN_SECONDS = 20.0            # derive, verify, worked example and render of one command (TeX has its own limit)
RUN_ENV = "DERIVE_TIME_LIMIT"


class OutOfTime(BaseException):
    """The run passed its time limit. A BaseException, so that no `except Exception` on the way
    (a step's own fallback, say) can swallow it and go on past the limit."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"stopped after {seconds:g} s")


@contextlib.contextmanager
def run_limit(seconds: float):
    """Raise OutOfTime in the block after `seconds` of wall clock (SIGALRM, main thread only).

    The per-step bounds (checker.budget.time_bound) nest inside it: each takes the smaller of its
    own share and what is left here, and gives the timer back when it ends."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum, frame):
        raise OutOfTime(seconds)

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
