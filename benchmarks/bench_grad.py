"""derive grad: a focal loss at a general K, and each shipped recipe produced by the engine vs by hand.

python benchmarks/bench_grad.py  — times are derive + verify, in one process, warm imports.

The hand-written builders the engine replaced are gone; their figures (derive + verify, best of 3,
steps, steps proved symbolically) are in HAND_WRITTEN, measured on this machine (2 cores, load ~3.3)
just before each was replaced, back to back with the engine-made builder, which measured then:
softmax-cross-entropy 0.158 s / 0.170 s / 0.139 s at K = 3 / 16 / K (25, 25, 23 steps, all proved),
softmax-jacobian 0.050 / 0.047 / 0.044 s (12 steps), weighted-cross-entropy 0.069 / 0.079 / 0.064 s
(12, 12, 11 steps). soft-label, multi-label, label smoothing and temperature were replaced in an
earlier session (no figures kept); temperature now takes the route 'jacobian' with its cases.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sympy as sp  # noqa: E402

import derive  # noqa: E402
from derive.engine.catalog import ENGINE_MADE, RECIPE_SPECS  # noqa: E402
from derive.pipeline import derivation  # noqa: E402

FOCAL = r"L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i"
SOFTMAX = r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def plain_sympy_focal(K: int) -> float:
    """Plain SymPy doing the same job at a concrete K: diff the written-out loss, check one entry numerically."""
    def job():
        z = sp.symbols(f"z1:{K + 1}")
        y = sp.symbols(f"y1:{K + 1}")
        g = sp.Symbol("gamma")
        S = sum(sp.exp(x) for x in z)
        a = [sp.exp(x) / S for x in z]
        L = -sum(y[i] * (1 - a[i]) ** g * sp.log(a[i]) for i in range(K))
        grads = [sp.diff(L, x) for x in z]
        point = {**{x: sp.Rational(n, 7) for n, x in enumerate(z)}, **{x: sp.Rational(1, K) for x in y}, g: 2}
        return [sp.N(gr.subs(point), 30) for gr in grads]
    return _timed(job)[0]


# recipe -> K -> (seconds, steps, proved) of the hand-written builder it replaced (see the docstring)
HAND_WRITTEN = {
    "softmax-cross-entropy": {3: (0.131, 25, 25), 16: (0.145, 25, 25), "K": (0.133, 23, 23)},
    "softmax-jacobian": {3: (0.040, 12, 12), 16: (0.038, 12, 12), "K": (0.039, 12, 12)},
    "weighted-cross-entropy": {3: (0.057, 12, 12), 16: (0.058, 12, 12), "K": (0.049, 11, 11)},
}

def _recipe(name: str, K):
    """Best of 3: (seconds, steps, proved, verified) of the shipped builder."""
    best, d = None, None
    for _ in range(3):
        t, d = _timed(lambda: derivation(name, K))
        best = t if best is None else min(best, t)
    proved = sum(1 for s in d.claims if s.verdict.ok and s.verdict.method == "symbolic")
    return best, len(d.claims), proved, d.verified


def engine_made() -> None:
    print("recipes the engine makes now vs the hand-written builder each replaced (best of 3; steps / proved)")
    print(f"  {'recipe':<34} {'K':>3} {'engine':>8} {'steps':>9} {'hand':>8} {'steps':>9}  verified")
    for name in ["softmax-jacobian", *ENGINE_MADE]:
        for K in (3, 16, "K"):
            t, n, p, ok = _recipe(name, K)
            old = HAND_WRITTEN.get(name, {}).get(K)
            hand = f"{old[0]:>7.3f}s {old[1]:>4} / {old[2]:<3}" if old else f"{'(no figure)':>18}"
            print(f"  {name:<34} {K!s:>3} {t:>7.3f}s {n:>4} / {p:<3} {hand}  {ok}")


def main() -> int:
    print("derive grad of a focal loss (gamma symbolic), derive + verify every step")
    for K in ("K", 3, 16):
        t, d = _timed(lambda: derive.gradient(FOCAL, define=[SOFTMAX], K=K))
        plain = plain_sympy_focal(K) if isinstance(K, int) else float("nan")
        print(f"  K = {K!s:<3} engine {t:6.2f}s  ({len(d.claims)} steps, verified={d.verified})"
              + (f"   plain SymPy diff + evaluate {plain:6.2f}s" if isinstance(K, int) else "   (plain SymPy has no general K)"))
    cmd = [sys.executable, "-m", "derive", "grad", FOCAL, "--define", SOFTMAX, "-f", "json", "-o", "-"]
    t, r = _timed(lambda: subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True))
    print(f"  whole process `derive grad` at general K: {t:.2f}s (exit {r.returncode})")
    print()
    print("shipped recipes: `derive grad` of the recipe's LaTeX vs the recipe's builder, derive + verify")
    print(f"  {'recipe':<36} {'grad K=3':>10} {'recipe K=3':>9} {'grad K':>9} {'recipe K':>8}  verified")
    for name, (loss, defs, facts) in RECIPE_SPECS.items():
        row, ok = [], True
        for K in (3, "K"):
            te, de = _timed(lambda: derive.gradient(loss, define=defs, assume=facts, K=K))
            th, dh = _timed(lambda: derivation(name, K))
            row += [te, th]
            ok = ok and de.verified and dh.verified
        print(f"  {name:<36} {row[0]:>9.2f}s {row[1]:>8.2f}s {row[2]:>8.2f}s {row[3]:>7.2f}s  {ok}")
    print()
    engine_made()
    return 0


if __name__ == "__main__":
    sys.exit(main())
