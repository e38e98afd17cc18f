"""Everything derive writes, read back by `derive check`: printed equalities, ok, wrong, unverified.

    python benchmarks/bench_readback.py            # every recipe (K = 2, 3, general K) and derived loss,
                                                   # latex, latex-fragment, markdown, html x style x lang
    python benchmarks/bench_readback.py --quick    # three recipes and two losses
    python benchmarks/bench_readback.py --show unverified   # also list the lines that were not ok

Each document is checked as `derive check FILE` checks it (no -K, no --define: only what the document
itself states), in process. A "wrong" here is a false "wrong" on our own output: the worst bug.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

from derive.checker.command import judge  # noqa: E402
from derive.errors import DeriveError, UsageError  # noqa: E402

FORMATS = {"latex": "doc.tex", "latex-fragment": "doc.tex", "markdown": "doc.md", "html": "doc.html"}
STYLES = ("full", "paper", "teaching")
LANGS = ("en", "zh")
QUICK_RECIPES = ("softmax-cross-entropy", "softmax-jacobian", "sigmoid-cross-entropy")
QUICK_LOSSES = ("focal", "entropy-regularised")
KINDS = ("recipe ", "loss ")


def documents(quick: bool):
    """(kind, name, K, derivation) of every recipe at K = 2, 3, K and every derived loss at K = 3, K."""
    import derive
    from derive.pipeline import derivation
    from derive.recipebook import all_recipes
    from losses import LOSSES

    recipes = [r.name for r in all_recipes() if not quick or r.name in QUICK_RECIPES]
    for name in recipes:
        for K in ("2", "3", "K"):
            try:
                yield "recipe", name, K, derivation(name, K)
            except UsageError:   # a recipe refusing a size (sigmoid-cross-entropy is the K = 2 case)
                continue
    for name, (loss, define, facts, _, _) in LOSSES.items():
        if quick and name not in QUICK_LOSSES:
            continue
        for K in ("3", "K"):
            yield "loss", name, K, derive.gradient(loss, define=define, assume=facts, K=K)


def kind_of(kind: str, K: str) -> str:
    size = {"2": "K = 2", "3": "K = 3"}.get(K, "general K")
    return f"{kind} {size}"


def read_back(d, fmt: str, style: str, lang: str):
    """The check of one rendered document: its counts, and the steps that were not ok."""
    from derive.render import render

    text = render(d, fmt, lang, style=style)
    try:
        result = judge(text, FORMATS[fmt])
    except DeriveError as exc:   # refused whole: every printed equality is unread
        return None, str(exc)
    return result.counts(), [s for s in result.steps if s.status in ("wrong", "unverified")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--show", choices=("wrong", "unverified"), help="list the lines of that status")
    args = parser.parse_args()
    t0 = time.perf_counter()
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    refused, shown = [], []
    for kind, name, K, d in documents(args.quick):
        for fmt in FORMATS:
            for style in STYLES:
                for lang in LANGS:
                    counts, rest = read_back(d, fmt, style, lang)
                    where = f"{name} K={K} {fmt} {style} {lang}"
                    if counts is None:
                        refused.append(f"{where}: {rest}")
                        continue
                    for key in (kind_of(kind, K), f"{fmt} {style}"):
                        table[key].update({**counts, "docs": 1})
                    for s in rest:
                        if args.show and (s.status == args.show or args.show == "unverified"):
                            shown.append(f"{where} line {s.line} {s.status}: {s.reason[:90]} | {s.lhs[:40]} = {s.rhs[:40]}")
                        if s.status == "wrong":
                            print(f"WRONG {where} line {s.line}: {s.lhs[:60]} = {s.rhs[:60]}: {s.reason[:120]}")
    print(f"{'document kind':<28}{'docs':>6}{'printed':>9}{'ok':>7}{'wrong':>7}{'unverif.':>9}{'ok %':>8}")
    total: collections.Counter = collections.Counter()
    for key in sorted(table, key=lambda k: (not k.startswith(KINDS), k)):
        c = table[key]
        printed = c["ok"] + c["wrong"] + c["unverified"]
        print(f"{key:<28}{c['docs']:>6}{printed:>9}{c['ok']:>7}{c['wrong']:>7}{c['unverified']:>9}"
              f"{100 * c['ok'] / max(printed, 1):>7.1f}%")
        if key.startswith(KINDS):   # the size rows partition the documents: they make the total
            total.update(c)
    printed = total["ok"] + total["wrong"] + total["unverified"]
    print(f"{'total':<28}{total['docs']:>6}{printed:>9}{total['ok']:>7}{total['wrong']:>7}{total['unverified']:>9}"
          f"{100 * total['ok'] / max(printed, 1):>7.1f}%   ({total['proved']} proved, {total['checked']} checked)")
    print(f"{len(refused)} documents refused whole; {time.perf_counter() - t0:.0f} s")
    for line in refused[:20] + shown:
        print("  " + line)


if __name__ == "__main__":
    main()
