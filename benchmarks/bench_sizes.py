"""Worked examples at large sizes (issue 22), whole process, side by side with the code before the fix:
the batch recipe with 1024 rows, derive grad at K = 1024 with numbers (cross-entropy and the focal loss),
the Hessian with 64 logits. Run: python benchmarks/bench_sizes.py [--before COMMIT] [--limit SECONDS]

The "before" column runs the same commands from a temporary git worktree of COMMIT (default a689a3d, the
session's start), each cut off at --limit seconds (default 120)."""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CE = (r"L = -\sum_{i=1}^{K} y_i \log a_i", "--define", r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}")
FOCAL = (r"L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i", "--define",
         r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}")


def jobs() -> list[tuple[str, list[str]]]:
    rng = random.Random(22)
    z1024 = ",".join(f"{rng.uniform(-3, 3):.3f}" for _ in range(1024))
    y1024 = ",".join(["1"] + ["0"] * 1023)
    rows = ";".join(",".join(f"{rng.uniform(-3, 3):.3f}" for _ in range(3)) for _ in range(1024))
    z64 = ",".join(f"{rng.uniform(-3, 3):.3f}" for _ in range(64))
    return [
        ("batch-cross-entropy, 1024 rows x 3", ["render", "batch-cross-entropy", "-K", "3", "--values", "z=" + rows,
                                                 "--values", "target=" + ";".join(["0"] * 1024), "-f", "json"]),
        ("grad cross-entropy, K = 1024, values", ["grad", *CE, "-K", "1024", "--values", "z=" + z1024,
                                                  "--values", "y=" + y1024, "-f", "json"]),
        ("grad focal loss, K = 1024, values", ["grad", *FOCAL, "-K", "1024", "--values", "z=" + z1024,
                                               "--values", "y=" + y1024, "--values", "gamma=2", "-f", "json"]),
        ("cross-entropy-hessian, 64 logits", ["render", "cross-entropy-hessian", "-K", "64", "--values", "z=" + z64,
                                              "--values", "target=0", "-f", "json"]),
    ]


def run(tree: Path, args: list[str], limit: float) -> str:
    """The seconds of one whole process, or '>limit' when cut off."""
    env = {**os.environ, "PYTHONPATH": str(tree), "DERIVE_TIME_LIMIT": "3600"}
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "derive", *args, "-o", "-"], cwd=tree,
                              env=env, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f">{limit:g}"
    seconds = time.monotonic() - start
    return f"{seconds:.2f}" + ("" if proc.returncode == 0 else f" (exit {proc.returncode})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default="a689a3d")
    p.add_argument("--limit", type=float, default=120.0)
    p.add_argument("--no-before", action="store_true")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="derive-before-") as tmp:
        before = None
        if not a.no_before:
            before = Path(tmp) / "tree"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), a.before],
                           check=True, capture_output=True)
        try:
            print(f"{'job':<40} {'now s':>12} {'before s':>12}")
            for name, args in jobs():
                now = run(ROOT, args, a.limit)
                then = run(before, args, a.limit) if before else "-"
                print(f"{name:<40} {now:>12} {then:>12}")
        finally:
            if before:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                               capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
