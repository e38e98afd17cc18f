"""Time `derive check` on the real derivations of tests/check/real (target: a blog post in under 2 s).

    python benchmarks/bench_real.py          # per file: equalities, ok, wrong, unverified, seconds

Each file is checked in a fresh process (`python -m derive check --json`), so the time is what a user
waits for, imports included; the in-process time of the check itself is printed beside it.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "check" / "real"
TARGET = 2.0


def main() -> None:
    rows, worst = [], 0.0
    total = dict(eq=0, ok=0, wrong=0, unverified=0)
    print(f"{'file':34} {'eq':>4} {'ok':>4} {'wrong':>5} {'unver':>5} {'CLI s':>6} {'check s':>7}")
    for path in sorted(REAL.glob("*.md")):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "derive", "check", str(path), "--json"],
                             capture_output=True, cwd=ROOT, check=False)
        cli = time.perf_counter() - t0
        data = json.loads(out.stdout)
        s = data["summary"]
        eq = s["ok"] + s["wrong"] + s["unverified"]
        inner = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                                "import time; from derive.checker.command import check; t = time.perf_counter(); "
                                "check(sys.argv[2]); print(time.perf_counter() - t)", str(ROOT), str(path)],
                               capture_output=True, text=True, check=False)
        check_s = float(inner.stdout.strip() or "nan")
        worst = max(worst, cli)
        for k, v in (("eq", eq), ("ok", s["ok"]), ("wrong", s["wrong"]), ("unverified", s["unverified"])):
            total[k] += v
        rows.append(path.name)
        print(f"{path.name:34} {eq:4} {s['ok']:4} {s['wrong']:5} {s['unverified']:5} {cli:6.2f} {check_s:7.2f}")
    definite = (total["ok"] + total["wrong"]) / max(1, total["eq"])
    print(f"{'total':34} {total['eq']:4} {total['ok']:4} {total['wrong']:5} {total['unverified']:5}"
          f"   definite {definite:.0%}; slowest file {worst:.2f} s (target {TARGET:g} s)")


if __name__ == "__main__":
    main()
