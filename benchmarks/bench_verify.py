"""Verification cost and method per recipe at K = 3, K = 256 and a general K (python benchmarks/bench_verify.py).

Each figure is the CPU time of build + verify of every step in a fresh process (imports excluded;
CPU time, so that a machine shared with other jobs does not inflate it); the columns "proved"
count the steps the verifier proved (method "symbolic") out of all claims.
DERIVE_ROOT=/path/to/other/checkout measures another version (the figures before a change).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("DERIVE_ROOT") or Path(__file__).resolve().parents[1])  # another checkout: its figures
sys.path.insert(0, str(ROOT))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", 300))  # seconds per job (wall clock)
MEMORY = 4 << 30  # bytes per job: the machine is shared


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

SIZES = ("3", "256", "K")


def one(recipe: str, K: str) -> dict:
    from derive.pipeline import derivation

    size = int(K) if K.isdigit() else K
    t = time.process_time()
    d = derivation(recipe, size)
    seconds = time.process_time() - t  # CPU time: the figures stay comparable on a loaded machine
    claims = d.claims
    return {"seconds": seconds, "verified": d.verified, "claims": len(claims),
            "proved": sum(1 for s in claims if s.verdict.ok and s.verdict.method == "symbolic"),
            "numeric": [f"{s.rule.id}: {s.verdict.detail}" for s in claims if s.verdict.method != "symbolic"]}


def isolated(recipe: str, K: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        out = subprocess.run([sys.executable, __file__, "--one", recipe, K], env=env, capture_output=True,
                             text=True, check=True, timeout=TIMEOUT, preexec_fn=_limit_memory).stdout
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
        why = f"over {TIMEOUT} s" if isinstance(exc, subprocess.TimeoutExpired) else f"failed (over {MEMORY >> 30} GB?)"
        return {"seconds": float("inf"), "verified": False, "claims": 0, "proved": 0, "numeric": [f"({why})"]}
    return json.loads(out.splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--one", nargs=2, metavar=("RECIPE", "K"), help=argparse.SUPPRESS)
    p.add_argument("--sizes", default=",".join(SIZES), help="comma-separated sizes (default 3,256,K)")
    p.add_argument("--list", action="store_true", help="list the steps not proved symbolically")
    args = p.parse_args(argv)
    if args.one:
        import derive.pipeline  # noqa: F401  (imports are not part of the job)

        print(json.dumps(one(*args.one)))
        return 0
    from derive import recipebook

    sizes = args.sizes.split(",")
    print("(every figure: CPU seconds to build + verify every step, one fresh process, imports excluded)")
    print(f"{'recipe':<36}" + "".join(f" {'K=' + k:>10} {'proved':>7}" for k in sizes))
    totals = {k: [0.0, 0, 0] for k in sizes}
    unproved = []
    for r in recipebook.all_recipes():
        row = f"{r.name:<36}"
        for K in sizes:
            if r.name == "sigmoid-cross-entropy" and K != "3":
                K_used = "2"
            elif r.name == "sigmoid-cross-entropy":
                K_used = "2"
            else:
                K_used = K
            res = isolated(r.name, K_used)
            totals[K][0] += res["seconds"]
            totals[K][1] += res["proved"]
            totals[K][2] += res["claims"]
            flag = "" if res["verified"] else "!"
            shown = f"{res['seconds']:>9.3f}s" if res["seconds"] != float("inf") else f"{'>' + str(TIMEOUT):>9}s"
            row += f" {shown}{flag} {res['proved']:>3}/{res['claims']:<3}"
            unproved += [(r.name, K_used, line) for line in res["numeric"]]
        print(row, flush=True)
    print(f"{'total':<36}" + "".join(f" {t:>9.3f}s  {p:>3}/{c:<3}" for t, p, c in totals.values()))
    print("(! = not every step verified; sigmoid-cross-entropy is the K = 2 case in every column)")
    if args.list:
        print("\nsteps not proved symbolically:")
        for name, K, line in unproved:
            print(f"  {name} K={K}  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
