"""Measure `derive check` on the unseen corpus (issue 17/18): per half, per file and in total.

    python benchmarks/bench_unseen.py               # both halves
    python benchmarks/bench_unseen.py dev           # one half (dev | heldout)

Columns: eq, the equalities a careful reader counts (hand triage in the half's MANIFEST.toml);
steps, the equalities derive reports; ok, wrong, unver(ified) as derive reports them; fa, false
alarms (a wrong on a line that holds no listed error and is not listed as ambiguous); found, the
listed true errors with a wrong on their line, out of how many; fok, false ok (a listed error's
line judged ok, and nothing on it wrong); s, seconds of check() in process
(imports excluded). A file `derive check` refuses (exit 2: no math found, nothing could be read)
counts every equality unverified and is marked "refused"; an internal error (a traceback) is marked "CRASH". definite = (ok + wrong) / max(eq, steps).

The split is recomputed from the files (per collection batch and language, sorted by sha256 of the
source line, alternately dev and heldout) and a file in the wrong half is reported.

"Before" figures (main at 0f23963, before the reader work of issue 17): benchmarks/results/unseen-before.txt.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from derive.checker.command import check  # noqa: E402  (after the path is set)
from derive.errors import DeriveError  # noqa: E402

UNSEEN = ROOT / "tests" / "check" / "unseen"
HALVES = ("dev", "heldout")
SUFFIXES = (".md", ".tex", ".ipynb")


def corpus_files(half: str) -> list[Path]:
    return sorted(p for p in (UNSEEN / half).iterdir() if p.suffix in SUFFIXES)


def manifest(half: str) -> dict:
    return tomllib.loads((UNSEEN / half / "MANIFEST.toml").read_text(encoding="utf-8"))


def source_of(path: Path) -> str:
    """The source named on line 1 (for a notebook, in its first cell)."""
    text = path.read_text(encoding="utf-8")
    first = json.loads(text)["cells"][0]["source"][0] if path.suffix == ".ipynb" else text.split("\n", 1)[0]
    found = re.search(r"source:\s*(.*?)\s*(-->)?$", first)  # <!-- source: ... --> or % source: ...
    if found is None:
        raise ValueError(f"{path.name}: no source on line 1")
    return found.group(1)


def language_of(path: Path) -> str:
    return "zh" if re.search(r"_zh(tw)?\.", path.name) else "en"


def batch_of() -> dict[str, int]:
    """Files were collected in batches (the manifest's `batch`, default 1); each batch is split alone,
    so a later batch never moves a file of an earlier one between the halves."""
    return {c["file"]: c.get("batch", 1) for half in HALVES for c in manifest(half)["counts"]}


def split() -> dict[str, str]:
    """file name -> half, from the sources alone: per batch and language, sorted by sha256 of the
    source line, alternately dev and heldout."""
    files = [p for half in HALVES for p in corpus_files(half)]
    batches = batch_of()
    out: dict[str, str] = {}
    for batch in sorted(set(batches.values())):
        for lang in ("zh", "en"):
            mine = sorted((p for p in files if language_of(p) == lang and batches.get(p.name, 1) == batch),
                          key=lambda p: hashlib.sha256(source_of(p).encode()).hexdigest())
            out.update({p.name: HALVES[n % 2] for n, p in enumerate(mine)})
    return out


@dataclass(frozen=True)
class Row:
    name: str
    eq: int
    steps: int
    ok: int
    wrong: int
    unverified: int
    false_alarms: tuple[int, ...]
    found: int
    errors: int
    false_ok: tuple[int, ...]
    seconds: float
    note: str = ""


def measure(path: Path, want: dict) -> Row:
    errors = {e["line"] for e in want["error"] if e["file"] == path.name}
    ambiguous = {a["line"] for a in want.get("ambiguous", ()) if a["file"] == path.name}
    eq = next(c["equalities"] for c in want["counts"] if c["file"] == path.name)
    t0 = time.perf_counter()
    try:
        result = check(path)
    except DeriveError as exc:
        return Row(path.name, eq, 0, 0, 0, eq, (), 0, len(errors), (), time.perf_counter() - t0,
                   "refused: " + str(exc).split(": ")[-1][:40])
    except Exception as exc:  # noqa: BLE001 - the benchmark reports an internal error, never hides it
        return Row(path.name, eq, 0, 0, 0, eq, (), 0, len(errors), (), time.perf_counter() - t0,
                   f"CRASH {type(exc).__name__}")
    seconds = time.perf_counter() - t0
    refused = "refused: no math found" if not result.steps else (
        "refused: nothing could be read" if result.nothing_read is not None else "")
    status = [(s.line, s.status) for s in result.steps if s.status in ("ok", "wrong", "unverified")]
    wrong_lines = {line for line, st in status if st == "wrong"}
    ok_lines = {line for line, st in status if st == "ok"}
    return Row(path.name, eq, len(status),
               sum(st == "ok" for _, st in status), sum(st == "wrong" for _, st in status),
               sum(st == "unverified" for _, st in status),
               tuple(sorted(wrong_lines - errors - ambiguous)), len(errors & wrong_lines), len(errors),
               tuple(sorted((errors & ok_lines) - wrong_lines)), seconds, refused)


def report(half: str) -> list[Row]:
    want = manifest(half)
    halves = split()
    rows = [measure(p, want) for p in corpus_files(half)]
    print(f"\n== {half} ({len(rows)} files)")
    print(f"{'file':40} {'eq':>4} {'steps':>5} {'ok':>4} {'wrong':>5} {'unver':>5} {'fa':>3} {'found':>6} {'fok':>3} {'s':>6}")
    for r in rows:
        misplaced = "" if halves[r.name] == half else f" (split says {halves[r.name]})"
        fa = f" false alarms on {list(r.false_alarms)}" if r.false_alarms else ""
        fok = f" false ok on {list(r.false_ok)}" if r.false_ok else ""
        print(f"{r.name:40} {r.eq:4} {r.steps:5} {r.ok:4} {r.wrong:5} {r.unverified:5} {len(r.false_alarms):3}"
              f" {r.found:>2}/{r.errors:<3} {len(r.false_ok):3} {r.seconds:6.2f} {r.note}{fa}{fok}{misplaced}")
    total = {k: sum(getattr(r, k) for r in rows) for k in ("eq", "steps", "ok", "wrong", "unverified", "found", "errors")}
    fas = sum(len(r.false_alarms) for r in rows)
    foks = sum(len(r.false_ok) for r in rows)
    secs = sum(r.seconds for r in rows)
    definite = (total["ok"] + total["wrong"]) / max(1, total["eq"], total["steps"])
    for lang in ("zh", "en"):
        mine = [r for r in rows if language_of(Path(r.name)) == lang]
        d = sum(r.ok + r.wrong for r in mine) / max(1, sum(r.eq for r in mine), sum(r.steps for r in mine))
        print(f"  {lang}: {len(mine)} files, {sum(r.eq for r in mine)} equalities, definite {d:.0%}")
    print(f"{'total':40} {total['eq']:4} {total['steps']:5} {total['ok']:4} {total['wrong']:5} {total['unverified']:5}"
          f" {fas:3} {total['found']:>2}/{total['errors']:<3} {foks:3} {secs:6.2f}")
    print(f"definite {definite:.0%}; false alarms {fas}; false ok on an error line {foks}; true errors found on their line {total['found']} of "
          f"{total['errors']}; refused {sum(r.note.startswith('refused') for r in rows)}; "
          f"crashed {sum(r.note.startswith('CRASH') for r in rows)}")
    return rows


def main(argv: list[str]) -> None:
    halves = [a for a in argv if a in HALVES] or list(HALVES)
    for half in halves:
        report(half)


if __name__ == "__main__":
    main(sys.argv[1:])
