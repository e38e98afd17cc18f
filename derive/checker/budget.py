"""The work `derive check` may do on one document: claims judged, total time, each step's share."""
from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, field

MAX_CLAIMS = 600        # claimed equalities read per document (extract.py); the rest is reported as cut off
TOTAL_SECONDS = 20.0    # the whole document (reading included); well under the 30 s a user waits
STEP_SECONDS = 8.0      # one claimed equality, parsing included; never more than what is left


class Timeout(Exception):
    """A step ran past its share of the time."""


@dataclass
class Budget:
    """A deadline for the document; every step gets min(STEP_SECONDS, time left)."""

    total: float = TOTAL_SECONDS
    step: float = STEP_SECONDS
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.total - (time.monotonic() - self.start)

    def share(self) -> float:
        """Seconds the next step may use; 0 when the document's time is spent."""
        left = self.left()
        return 0.0 if left < 0.05 else min(self.step, left)


@contextlib.contextmanager
def time_bound(seconds: float):
    """Raise Timeout in the block after `seconds` (main thread only: SIGALRM; elsewhere unbounded).

    Nests: an inner bound never outlives the outer one, and the outer timer resumes afterwards."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum, frame):
        raise Timeout()

    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, max(min(seconds, outer_left) if outer_left else seconds, 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start), 0.001))
