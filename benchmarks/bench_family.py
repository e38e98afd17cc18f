"""Time derive + verify of each family recipe at K = 3 and at a general K (python benchmarks/bench_family.py)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from derive import recipebook  # noqa: E402
from derive.pipeline import derivation  # noqa: E402

def main() -> int:
    names = [r.name for r in recipebook.all_recipes() if not r.name.startswith("softmax-")]
    print(f"{'recipe':<36} {'K=3':>8} {'general K':>10}  verified")
    for name in names:
        times, ok = [], True
        for K in ((2, 2) if name == "sigmoid-cross-entropy" else (3, "K")):  # sigmoid is the K = 2 case
            t = time.perf_counter()
            d = derivation(name, K)
            times.append(time.perf_counter() - t)
            ok = ok and d.verified
        print(f"{name:<36} {times[0]:>7.2f}s {times[1]:>9.2f}s  {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
