"""Print the figures of the hostile suite: every case's exit code, time and peak memory, the slowest
and the largest. Run: .venv/bin/python tests/hostile/figures.py [CASE-ID-SUBSTRING ...]"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hostile.cases import CASES  # noqa: E402
from hostile.harness import run_case  # noqa: E402


def _codes(code) -> str:
    return "/".join(map(str, code)) if isinstance(code, tuple) else str(code)


def main(argv: list[str]) -> int:
    cases = [c for c in CASES if not argv or any(a in c.id for a in argv)]
    cases = [c for c in cases if all(shutil.which(t) for t in c.tools)]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="derive-hostile-") as root, ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda c: run_case(c, Path(root) / c.id), cases))
    wall = time.monotonic() - start
    print(f"{'case':<36} {'surface':<9} {'exit':>4} {'want':>4} {'s':>6} {'MB':>6}  first line of stderr")
    for r in results:
        line = (r.stderr.strip().splitlines() or [""])[-1][:90]
        flag = "" if r.code in (r.case.code if isinstance(r.case.code, tuple) else (r.case.code,)) else "  <-- MISMATCH"
        issues = [x for x, bad in (("changed", r.changed), ("leftovers", r.leftovers), ("canary", r.canary_leaked),
                                   ("foreign reads " + ",".join(r.foreign_reads), r.foreign_reads)) if bad]
        print(f"{r.case.id:<36} {r.case.surface:<9} {str(r.code):>4} {_codes(r.case.code):>4} {r.seconds:6.2f} "
              f"{r.maxrss_kb / 1024:6.0f}  {line}{flag}{' ' + ','.join(issues) if issues else ''}")
    slow = max(results, key=lambda r: r.seconds)
    big = max(results, key=lambda r: r.maxrss_kb)
    print(f"\n{len(results)} inputs tried, "
          f"wall {wall:.1f} s with 3 workers")
    print(f"slowest: {slow.case.id} {slow.seconds:.2f} s; peak memory: {big.case.id} {big.maxrss_kb / 1024:.0f} MB")
    print(f"tracebacks: {sum('Traceback' in r.stderr for r in results)}, internal errors: "
          f"{sum('internal error' in r.stderr for r in results)}, over 30 s: {sum(r.seconds >= 30 for r in results)}, "
          f"cut off at their limit: {sum(r.code is None for r in results)}, "
          f"files touched outside: {sum(bool(r.changed) for r in results)}, processes left: "
          f"{sum(len(r.leftovers) for r in results)}, canary leaks: {sum(r.canary_leaked for r in results)}, "
          f"files opened outside: {sum(len(r.foreign_reads) for r in results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
