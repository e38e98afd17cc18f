"""The generated backward (--format torch) against autograd on the same forward: CPU, float32,
N = 4096 rows, K = 1000 classes, for softmax-CE, the focal loss and label smoothing.

    python benchmarks/bench_code.py [--threads 1] [--repeat 15]

Per call (median of --repeat): the forward alone, backward alone and forward + backward, for
  autograd   loss() of the generated module (plain torch operations) and .backward()
  generated  DerivedLoss.apply (the same forward) and its backward from the verified gradient
and, for reference, torch.nn.functional.cross_entropy (PyTorch's fused kernel) where it applies.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402  (after the path is set)

import derive  # noqa: E402
from derive.render.code import generate  # noqa: E402

FOCAL = (r"L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i", [r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"])
N, K = 4096, 1000


def cases():
    """(name, derivation, extra leaves, PyTorch's own function or None)."""
    F = torch.nn.functional
    return [
        ("softmax-CE", derive.derivation("softmax-cross-entropy"), {},
         lambda z, y: F.cross_entropy(z, y.argmax(-1), reduction="sum")),
        ("focal (gamma=2)", derive.gradient(*FOCAL), {"gamma": 2.0}, None),
        ("label smoothing (0.1)", derive.derivation("label-smoothing-cross-entropy"), {"epsilon": 0.1},
         lambda z, y: F.cross_entropy(z, y.argmax(-1), reduction="sum", label_smoothing=0.1)),
    ]


def load(d, folder: Path, stem: str):
    path = folder / f"{stem}.py"
    path.write_text(generate(d, "torch"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed(forward, repeat: int) -> tuple[float, float, float]:
    """Median seconds of (forward, backward, forward + backward), after two warm-up calls."""
    fw, bw, both = [], [], []
    for n in range(repeat + 2):
        t0 = time.perf_counter()
        value, x = forward()
        t1 = time.perf_counter()
        value.backward()
        t2 = time.perf_counter()
        assert x.grad is not None and torch.isfinite(x.grad).all()
        if n >= 2:
            fw.append(t1 - t0)
            bw.append(t2 - t1)
            both.append(t2 - t0)
    return statistics.median(fw), statistics.median(bw), statistics.median(both)


def autograd_call(mod, leaves):
    def call():
        x = leaves[mod.WRT].clone().requires_grad_()
        return mod.loss(**{**leaves, mod.WRT: x}), x
    return call


def generated_call(mod, leaves):
    rest = [leaves[k] for k in mod.LEAVES[1:]]

    def call():
        x = leaves[mod.WRT].clone().requires_grad_()
        return mod.DerivedLoss.apply(x, *rest), x
    return call


def builtin_call(builtin, z0, y):
    def call():
        x = z0.clone().requires_grad_()
        return builtin(x, y), x
    return call


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    z0 = torch.randn(N, K, generator=gen) * 3
    y = torch.nn.functional.one_hot(torch.randint(0, K, (N,), generator=gen), K).float()
    print(f"CPU, float32, N = {N}, K = {K}, {args.threads} thread(s), median of {args.repeat} calls, ms per call")
    print(f"{'loss':<22} {'':<10} {'forward':>8} {'backward':>9} {'fwd+bwd':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, d, extra, builtin) in enumerate(cases()):
            mod = load(d, Path(tmp), f"bench_{n}")
            leaves = {mod.WRT: z0, "y": y, **extra}

            # the same numbers first: the two gradients agree (float32)
            (va, xa), (vo, xo) = autograd_call(mod, leaves)(), generated_call(mod, leaves)()
            va.backward()
            vo.backward()
            assert torch.allclose(xa.grad, xo.grad, rtol=1e-4, atol=1e-6)
            rows = [("autograd", timed(autograd_call(mod, leaves), args.repeat)),
                    ("generated", timed(generated_call(mod, leaves), args.repeat))]
            if builtin is not None:
                rows.append(("F.cross_entropy", timed(builtin_call(builtin, z0, y), args.repeat)))
            for label, (f, b, t) in rows:
                print(f"{name:<22} {label:<10} {f * 1e3:8.1f} {b * 1e3:9.1f} {t * 1e3:8.1f}")
            (_, ba, ta), (_, bo, to) = rows[0][1], rows[1][1]
            print(f"{'':<22} {'ratio':<10} {'':>8} {ba / bo:8.2f}x {ta / to:7.2f}x   (autograd / generated)")


if __name__ == "__main__":
    main()
