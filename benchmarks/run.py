"""Side-by-side timings: derive against plain SymPy (and tensorgrad when installed), in one run.

    python benchmarks/run.py            # the full run (plain SymPy at K = 16 takes minutes)
    python benchmarks/run.py --quick    # plain SymPy only up to K = 8
    python benchmarks/run.py --verification   # also: every recipe at K = 3, 256, general K,
                                              # time and steps proved (benchmarks/bench_verify.py)
"""
from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def plain_sympy(K: int) -> float:
    """The obvious way: Matrix.jacobian, simplify every entry, then the gradient, simplified."""
    import sympy as sp

    t = time.perf_counter()
    z = sp.symbols(f"z1:{K + 1}")
    y = sp.symbols(f"y1:{K + 1}")
    S = sum(sp.exp(v) for v in z)
    a = sp.Matrix([sp.exp(v) / S for v in z])
    J = a.jacobian(sp.Matrix(z)).applyfunc(sp.simplify)
    dL_da = sp.Matrix([-y[i] / a[i] for i in range(K)])
    grad = (J.T * dL_da).applyfunc(sp.simplify)
    sp.simplify(grad[0] - (a[0] * sum(y) - y[0]))  # and check one entry of the result
    return time.perf_counter() - t


def ours(K, recipe="softmax-cross-entropy") -> tuple[float, bool]:
    from derive.pipeline import derivation

    t = time.perf_counter()
    d = derivation(recipe, K)
    return time.perf_counter() - t, d.verified


def command(*args: str, root: Path = ROOT, bytecode: bool = True) -> float:
    env = {**os.environ, "PYTHONPATH": str(root)}
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive", *args], cwd="/tmp", env=env, capture_output=True, check=False)
    return time.perf_counter() - t


def whole_plain_sympy(K: int) -> float:
    """Plain SymPy's job in a process of its own, interpreter start and imports included."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); "
                    f"import run; run.plain_sympy({K})"], capture_output=True, check=True)
    return time.perf_counter() - t


def tensorgrad_general() -> str:
    """The tensor-calculus alternative: the same gradient with a symbolic size, but no steps."""
    try:
        import sympy
        import tensorgrad as tg
        import tensorgrad.functions as F
    except ImportError:
        return "not installed (pip install tensorgrad)"
    t = time.perf_counter()
    i = sympy.symbols("i")
    z, y = tg.Variable("z", i), tg.Variable("y", i)
    F.cross_entropy(z, y, "i").grad(z).full_simplify()
    return f"{time.perf_counter() - t:.3f}s (gradient only: no steps, nothing verified)"


def isolated(kind: str, K) -> tuple[float, bool]:
    """Time one job in a fresh process (after its imports), so neither side inherits the other's
    SymPy caches."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, __file__, "--one", kind, str(K)], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), out[1] == "True"


def one(kind: str, K: str) -> None:
    size = int(K) if K.isdigit() else K
    if kind == "sympy":
        print(plain_sympy(size), True)
    else:
        import derive.pipeline  # noqa: F401  (imports are not part of the job)

        print(*ours(size, kind))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--verification", action="store_true", help="also the verification cost of every recipe")
    p.add_argument("--one", nargs=2, metavar=("KIND", "K"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        return one(*args.one)
    print("(every figure is one job in a fresh process, imports excluded)\n")
    print("derive + verify (softmax-cross-entropy), against plain SymPy (jacobian + simplify + gradient)")
    print(f"{'K':>5} {'derive':>10} {'plain SymPy':>12} {'ratio':>8}")
    for K in (4, 8, 16) if not args.quick else (4, 8):
        mine, ok = isolated("softmax-cross-entropy", K)
        theirs, _ = isolated("sympy", K)
        print(f"{K:>5} {mine:>9.3f}s {theirs:>11.3f}s {theirs / mine:>7.0f}x" + ("" if ok else "  NOT VERIFIED"))
    print("\nscaling (derive + verify every step, no typesetting)")
    for K in (16, 32, 64, 128, 256, 1024):
        mine, ok = isolated("softmax-cross-entropy", K)
        print(f"{K:>5} {mine:>9.3f}s" + ("" if ok else "  NOT VERIFIED"))
    print("\ngeneral K")
    for recipe in ("softmax-jacobian", "softmax-cross-entropy"):
        mine, ok = isolated(recipe, "K")
        print(f"  {recipe:<24} {mine:.3f}s" + ("" if ok else "  NOT VERIFIED"))
    print(f"  tensorgrad, same gradient   {tensorgrad_general()}")
    # derive's bytecode compiled, as `pip install` leaves a package (and SymPy is); the whole process
    # is also timed with derive compiled from its source at every start (a checkout run with
    # PYTHONDONTWRITEBYTECODE set)
    compileall.compile_dir(str(ROOT / "derive"), quiet=1)
    print("\nend to end (a new process each; derive's bytecode compiled, as after pip install)")
    print(f"  derive --help                          {command('--help'):.3f}s")
    print(f"  derive render softmax-cross-entropy -K 3 "
          f"{min(command('render', 'softmax-cross-entropy', '-K', '3', '-o', '/tmp/bench.tex') for _ in range(5)):.3f}s")
    # the whole job as a user meets it: interpreter start, imports, derive, verify, typeset, write;
    # plain SymPy likewise in a process of its own (its start and import included). Best of 5 for
    # derive, 3 for plain SymPy (40 s each): a shared machine's other work only ever adds time, and
    # derive's runs vary by +-0.05 s from run to run on a 2-core machine
    K = 8 if args.quick else 16
    job = ("render", "softmax-cross-entropy", "-K", str(K), "-o", "/tmp/bench.tex")
    theirs = min(whole_plain_sympy(K) for _ in range(3))
    mine = min(command(*job) for _ in range(5))
    with tempfile.TemporaryDirectory() as tmp:
        for part in ("derive", "templates"):
            shutil.copytree(ROOT / part, Path(tmp) / part, ignore=shutil.ignore_patterns("__pycache__"))
        source = min(command(*job, root=Path(tmp), bytecode=False) for _ in range(5))
    print(f"  whole process at K = {K}: derive render {mine:.3f}s, plain SymPy {theirs:.3f}s, {theirs / mine:.0f}x"
          f" (best of 5 and 3; derive compiled from source at every start: {source:.3f}s, {theirs / source:.0f}x)")
    if args.verification:
        import bench_verify

        print("\nverification cost of every recipe (build + verify; proved = method symbolic)")
        bench_verify.main([])


if __name__ == "__main__":
    main()
