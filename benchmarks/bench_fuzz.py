"""The verifier's soundness fuzzer at scale (python benchmarks/bench_fuzz.py [--cases N] [--seed S] [--json FILE]).

Random index-calculus identities and their mutations (tests/verifier/fuzz.py), each judged by derive's verifier
(proved / checked / wrong / not proved) and by brute force (every K from 2 to 12, every index pattern, exact
fractions at two random integer points). A false proof, a false "checked" or a false "wrong" is a failure; the
figures are the counts per outcome and truth, and the CPU time of the verifier alone and of the whole run.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)

    from verifier.fuzz import K, cases, outcome, truth

    from derive.verifier.verify import Context, verify

    tally: collections.Counter = collections.Counter()
    by_kind: dict = collections.defaultdict(collections.Counter)
    bad, ill = [], 0
    verify_cpu = 0.0
    start = time.process_time()
    wall = time.perf_counter()
    for n, case in enumerate(cases(args.seed, args.cases)):
        true, _ = truth(case, seed=n)
        if true is None:
            ill += 1
            continue
        t = time.process_time()
        got = outcome(verify(case.lhs, case.rhs, Context(size=K, conditions=case.conditions, time_limit=10.0)))
        verify_cpu += time.process_time() - t
        tally[got, true] += 1
        by_kind[case.kind][got] += 1
        if (got in ("proved", "checked") and not true) or (got == "wrong" and true):
            bad.append({"got": got, "true": true, "lhs": str(case.lhs), "rhs": str(case.rhs),
                        "conditions": [str(c) for c in case.conditions], "kind": case.kind, "mutation": case.mutation})
        if (n + 1) % 1000 == 0:
            print(f"  {n + 1} cases, {len(bad)} unsound, {time.perf_counter() - wall:.0f} s", file=sys.stderr, flush=True)
    total = sum(tally.values())
    out = {
        "cases": total, "seed": args.seed, "ill_posed_skipped": ill,
        "true": {o: tally[o, True] for o in ("proved", "checked", "wrong", "not proved")},
        "false": {o: tally[o, False] for o in ("proved", "checked", "wrong", "not proved")},
        "false_proofs": tally["proved", False], "false_checked": tally["checked", False], "false_wrong": tally["wrong", True],
        "by_template": {k: dict(v) for k, v in sorted(by_kind.items())},
        "verify_cpu_seconds": round(verify_cpu, 1), "total_cpu_seconds": round(time.process_time() - start, 1),
        "wall_seconds": round(time.perf_counter() - wall, 1), "unsound": bad[:20],
    }
    t, f = out["true"], out["false"]
    print(f"{total} cases ({sum(t.values())} true, {sum(f.values())} false), seed {args.seed}")
    print(f"  true identities:  {t['proved']} proved, {t['checked']} checked, {t['not proved']} not proved, {t['wrong']} called wrong")
    print(f"  false identities: {f['wrong']} wrong, {f['not proved']} not proved, {f['proved']} proved, {f['checked']} checked")
    print(f"  unsound: {out['false_proofs']} false proofs, {out['false_checked']} false checked, {out['false_wrong']} false wrong")
    print(f"  verifier CPU {out['verify_cpu_seconds']} s ({1000 * verify_cpu / max(total, 1):.1f} ms a case); "
          f"whole run {out['total_cpu_seconds']} s CPU, {out['wall_seconds']} s wall")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
