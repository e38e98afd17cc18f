"""derive grad: a focal loss at a general K, and each shipped recipe produced by the engine vs by hand.

python benchmarks/bench_grad.py  — times are derive + verify, in one process, warm imports.

Engine-made recipes against the hand-written builders they replaced, side by side in one run: the
hand-written builders live on in git (HAND_COMMIT, the last commit that had them, with the same verifier);
each (recipe, K) is timed in fresh processes (best of 3), imports done, the first derivation (cold: no memo of the
normal form, no SymPy cache of it) and then the same derivation again (warm). Without git history the
figures in HAND_WRITTEN (measured that way on this machine, 2 cores, load ~2) are printed instead.
Split (softmax-cross-entropy, one process): the engine's build costs 38 ms cold / 15 ms warm at K = 3 and
15-21 / 14 ms at general K against 25 / 4 and 5 / 4 ms by hand; the verification of the steps is the same
(~80-95 ms cold, 13-24 ms warm), so the engine-made recipe is 10-15 ms slower to build, not to verify.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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


HAND_COMMIT = "5d22b18"   # softmax-cross-entropy, softmax-jacobian and weighted-cross-entropy written by hand
REPLACED = ("softmax-jacobian", "softmax-cross-entropy", "weighted-cross-entropy")
# recipe -> K -> (cold s, warm s, steps, proved) of the hand-written builder (see the docstring)
HAND_WRITTEN = {
    "softmax-jacobian": {3: (0.058, 0.011, 12, 12), 16: (0.054, 0.009, 12, 12), "K": (0.055, 0.009, 12, 12)},
    "softmax-cross-entropy": {3: (0.107, 0.018, 25, 25), 16: (0.114, 0.017, 25, 25), "K": (0.099, 0.015, 23, 23)},
    "weighted-cross-entropy": {3: (0.095, 0.014, 12, 12), 16: (0.079, 0.007, 12, 12), "K": (0.083, 0.007, 11, 11)},
}
PROBE = """
import sys, time
from derive.pipeline import derivation
from derive import recipebook
recipebook._load()
name, K = sys.argv[1], (int(sys.argv[2]) if sys.argv[2].isdigit() else sys.argv[2])
t = time.perf_counter(); d = derivation(name, K); cold = time.perf_counter() - t
t = time.perf_counter(); derivation(name, K); warm = time.perf_counter() - t
proved = sum(1 for s in d.claims if s.verdict.ok and s.verdict.method == "symbolic")
print(cold, warm, len(d.claims), proved, d.verified)
"""


def _probe(tree: Path, name: str, K):
    """(cold s, warm s, steps, proved, verified) of one recipe built by the `derive` in tree."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    r = subprocess.run([sys.executable, "-c", PROBE, name, str(K)], cwd=tree, env=env, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}")
    cold, warm, steps, proved, ok = r.stdout.split()
    return float(cold), float(warm), int(steps), int(proved), ok == "True"


def _best(tree: Path, name: str, K, runs: int = 3):
    """The fastest cold and warm times over a few fresh processes (the machine is shared)."""
    got = [_probe(tree, name, K) for _ in range(runs)]
    return min(g[0] for g in got), min(g[1] for g in got), *got[0][2:]


def _hand_tree(tmp: Path) -> Path | None:
    """The repository at HAND_COMMIT, exported into tmp; None without the git history."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", HAND_COMMIT], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
        return tmp
    except (OSError, subprocess.CalledProcessError):
        return None


def engine_made() -> None:
    print("recipes the engine makes now vs the hand-written builder each replaced (best of 3 fresh processes;")
    print("cold = first derivation, warm = the same again; steps / proved symbolically)")
    print(f"  {'recipe':<34} {'K':>3} {'engine cold':>11} {'warm':>6} {'steps':>8} {'hand cold':>10} {'warm':>6} {'steps':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        hand = _hand_tree(Path(tmp))
        if hand is None:
            print("  (no git history: the hand-written figures are the ones recorded in HAND_WRITTEN)")
        for name in ["softmax-jacobian", *ENGINE_MADE]:
            for K in (3, 16, "K"):
                cold, warm, n, p, ok = _best(ROOT, name, K)
                old = (_best(hand, name, K)[:4] if hand is not None else HAND_WRITTEN[name][K]) \
                    if name in REPLACED else None
                right = f"{old[0]:>9.3f}s {old[1]:>5.3f}s {old[2]:>3} / {old[3]:<3}" if old else ""
                flag = "" if ok else "  NOT VERIFIED"
                print(f"  {name:<34} {K!s:>3} {cold:>10.3f}s {warm:>5.3f}s {n:>3} / {p:<3} {right}{flag}")


def main() -> int:
    print("derive grad of a focal loss (gamma symbolic), derive + verify every step")
    for K in ("K", 3, 16):
        t, d = _timed(lambda K=K: derive.gradient(FOCAL, define=[SOFTMAX], K=K))
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
            te, de = _timed(lambda loss=loss, defs=defs, facts=facts, K=K: derive.gradient(loss, define=defs, assume=facts, K=K))
            th, dh = _timed(lambda name=name, K=K: derivation(name, K))
            row += [te, th]
            ok = ok and de.verified and dh.verified
        print(f"  {name:<36} {row[0]:>9.2f}s {row[1]:>8.2f}s {row[2]:>8.2f}s {row[3]:>7.2f}s  {ok}")
    print()
    engine_made()
    return 0


if __name__ == "__main__":
    sys.exit(main())
