"""Time the worked example (render with --values) at K = 16, 256, 1024, each in a fresh process,
beside PyTorch computing the same loss and gradient; prints the figures (target: K = 1024 under 5 s).

Before issue 13 the finite-difference check took one O(K) loss evaluation per class (O(K^2)):
-K K with 1024 values took 121 s; it now checks along 6 random directions beyond K = 16."""
from __future__ import annotations

import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def logits(K: int) -> str:
    rng = random.Random(K)
    return ",".join(f"{rng.uniform(-3, 3):.4f}" for _ in range(K))


def timed(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of python -m derive ARGS in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "derive", *args], cwd=ROOT, capture_output=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def torch_seconds(K: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    z = torch.tensor([[float(x) for x in logits(K).split(",")]], dtype=torch.float64, requires_grad=True)
    start = time.perf_counter()
    torch.nn.functional.cross_entropy(z, torch.tensor([3])).backward()
    return time.perf_counter() - start


def main() -> None:
    print(f"{'job':<44} {'wall s':>7} {'cpu s':>7} {'exit':>4}  {'torch s':>8}")
    for K in (16, 256, 1024):
        for size in ("K", str(K)):
            args = ["render", "softmax-cross-entropy", "-K", size, "--values", f"z={logits(K)}", "--values", "target=3",
                    "-f", "json", "-o", "-"]
            wall, cpu, code = timed(args)
            t = torch_seconds(K)
            print(f"{f'worked example K={K} (-K {size})':<44} {wall:7.2f} {cpu:7.2f} {code:>4}  "
                  f"{'-' if t is None else f'{t:.4f}':>8}")


if __name__ == "__main__":
    main()
