"""The share of steps proved (not merely checked) of every recipe and every loss of tests/engine/losses.py, and
their derive + verify cost (python benchmarks/bench_proved.py [--json FILE]).

Recipes at a general K and at K = 3; the losses (and the Jensen-Shannon divergence on softmax, issue 18's slow
case) through derive grad at a general K and at K = 4. Every figure is CPU seconds of derive + verify in this
process. DERIVE_ROOT=/path/to/other/checkout measures another version (the figures before a change).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("DERIVE_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engine"))

JS = (r"L = \frac{1}{2} \sum_{i=1}^{K} a_i \log \frac{2 a_i}{a_i + y_i} + \frac{1}{2} \sum_{i=1}^{K} y_i \log \frac{2 y_i}{a_i + y_i}",
      [r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"], [])


def _figures(build) -> dict:
    t = time.process_time()
    d = build()
    seconds = time.process_time() - t
    claims = d.claims
    return {"seconds": round(seconds, 3), "verified": bool(d.verified), "claims": len(claims),
            "proved": sum(1 for s in claims if s.verdict.ok and s.verdict.method == "symbolic")}


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--json", default="")
    args = p.parse_args(argv)
    from losses import LOSSES

    import derive
    from derive import recipebook
    from derive.pipeline import derivation

    rows = {}
    for r in recipebook.all_recipes():
        for K in ("K", 3):
            size = 2 if r.name == "sigmoid-cross-entropy" else K
            rows[f"recipe {r.name} K={size}"] = _figures(lambda r=r, size=size: derivation(r.name, size))
    losses = {name: (loss, defs, facts) for name, (loss, defs, facts, _v, _t) in LOSSES.items()}
    losses["jensen-shannon (issue 18)"] = JS
    for name, (loss, defs, facts) in losses.items():
        for K in ("K", 4):
            rows[f"loss {name} K={K}"] = _figures(lambda loss=loss, defs=defs, facts=facts, K=K:
                                                        derive.gradient(loss, define=defs, assume=facts, K=K))
    width = max(map(len, rows))
    print(f"{'':<{width}}  {'proved':>9} {'share':>6} {'CPU s':>8}  verified")
    for name, f in rows.items():
        share = f["proved"] / f["claims"] if f["claims"] else 1.0
        print(f"{name:<{width}}  {f['proved']:>4}/{f['claims']:<4} {share:>6.0%} {f['seconds']:>8.2f}  {f['verified']}")
    proved = sum(f["proved"] for f in rows.values())
    claims = sum(f["claims"] for f in rows.values())
    print(f"{'total':<{width}}  {proved:>4}/{claims:<4} {proved / claims:>6.0%} {sum(f['seconds'] for f in rows.values()):>8.2f}  "
          f"{all(f['verified'] for f in rows.values())}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
