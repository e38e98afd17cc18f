"""`derive check` over many files: folders walked, a progress line, a summary table, GitHub and JUnit reports."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..errors import DeriveError, UsageError
from .checker import CheckResult
from .words import hint_text, reason_text, words

SUFFIXES = (".md", ".markdown", ".tex", ".latex", ".ltx")
MAX_FILES = 10_000


@dataclass(frozen=True)
class Outcome:
    """One file: its result, or the one-line reason it could not be read."""

    name: str
    result: CheckResult | None = None
    error: str = ""

    @property
    def status(self) -> str:
        if self.result is None:
            return "error"
        c = self.result.counts()
        return "wrong" if c["wrong"] else "unverified" if c["unverified"] else "ok"


def expand(files: list[str]) -> list[str]:
    """The FILE arguments with every folder replaced by its .md/.tex files (sorted, hidden ones skipped)."""
    out: list[str] = []
    for f in files:
        p = Path(f)
        if f != "-" and p.is_dir():
            found = sorted(str(q) for q in p.rglob("*") if q.suffix.lower() in SUFFIXES and q.is_file()
                           and not any(part.startswith(".") for part in q.relative_to(p).parts))
            out.extend(found)
        else:
            out.append(f)
        if len(out) > MAX_FILES:
            raise UsageError(f"more than {MAX_FILES} files to check")
    if not out:
        raise UsageError("no .md or .tex file found in " + ", ".join(files))
    return out


def check_all(names: list[str], one, progress: bool) -> list[Outcome]:
    """one(name) -> CheckResult for every file; a file that cannot be read is an outcome, not the end."""
    out = []
    for n, name in enumerate(names, 1):
        if progress:
            sys.stderr.write(f"\r\033[K[{n}/{len(names)}] {name[-60:]}")
            sys.stderr.flush()
        try:
            out.append(Outcome(name, one(name)))
        except DeriveError as exc:
            out.append(Outcome(name, error=str(exc)))
    if progress:
        sys.stderr.write("\r\033[K")
    return out


def exit_code(outcomes: list[Outcome]) -> int:
    results = [o.result for o in outcomes if o.result is not None]
    if len(results) < len(outcomes):   # a file that could not be read
        return 2
    return 0 if all(r.ok for r in results) else 1


def table(outcomes: list[Outcome], lang: str = "en") -> str:
    """A summary table: one row per file, then the totals."""
    w = words(lang)["table"]
    width = min(max(len(o.name) for o in outcomes), 70)
    rows = [f"{w['file']:<{width}}  {w['ok']:>5}  {w['wrong']:>5}  {w['unverified']:>10}  {w['first']}"]
    for o in outcomes:
        if o.result is None:
            rows.append(f"{o.name[-width:]:<{width}}  {'-':>5}  {'-':>5}  {'-':>10}  {o.error[:80]}")
            continue
        c = o.result.counts()
        first = o.result.first_wrong_line
        rows.append(f"{o.name[-width:]:<{width}}  {c['ok']:>5}  {c['wrong']:>5}  {c['unverified']:>10}  {first or ''}")
    by = [o.status for o in outcomes]
    rows.append(w["total"].format(files=len(outcomes), ok=by.count("ok"), wrong=by.count("wrong"),
                                  unverified=by.count("unverified"), errors=by.count("error")))
    return "\n".join(rows) + "\n"


def _escape_gh(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def github(outcomes: list[Outcome]) -> str:
    """GitHub workflow commands: an error on each wrong line, a warning on each unverified one."""
    out = []
    for o in outcomes:
        f = _escape_gh(o.name, prop=True)
        if o.result is None:
            out.append(f"::error file={f}::{_escape_gh(o.error)}")
            continue
        fmt = o.result.document.fmt if o.result.document else "md"
        for s in o.result.steps:
            if s.status not in ("wrong", "unverified"):
                continue
            msg = reason_text(s.reason, o.result.lang)
            if s.hint is not None:
                msg += " — " + hint_text(s.hint, o.result.lang, fmt)
            kind = "error" if s.status == "wrong" else "warning"
            title = "derive: wrong step" if s.status == "wrong" else "derive: unverified step"
            out.append(f"::{kind} file={f},line={s.line},col={max(s.column, 1)},title={_escape_gh(title, True)}::{_escape_gh(msg)}")
    return "\n".join(out) + ("\n" if out else "")


def junit(outcomes: list[Outcome]) -> str:
    """JUnit XML: a test case per file, failing on its first wrong or unverified step."""
    failures = sum(o.status in ("wrong", "unverified") for o in outcomes)
    errors = sum(o.status == "error" for o in outcomes)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name="derive check" tests="{len(outcomes)}" failures="{failures}" errors="{errors}">']
    for o in outcomes:
        out.append(f"  <testcase classname=\"derive.check\" name={quoteattr(o.name)}>")
        if o.result is None:
            out.append(f"    <error message={quoteattr(o.error)}/>")
        else:
            bad = [s for s in o.result.steps if s.status in ("wrong", "unverified")]
            if bad:
                lines = "; ".join(f"line {s.line}: {s.status}: {s.reason}" for s in bad[:20])
                out.append(f"    <failure message={quoteattr(lines[:2000])}/>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"


def as_json(outcomes: list[Outcome]) -> str:
    files = [o.result.as_json() if o.result else {"file": o.name, "error": o.error} for o in outcomes]
    by = [o.status for o in outcomes]
    summary = {k: by.count(k) for k in ("ok", "wrong", "unverified", "error")}
    return json.dumps({"files": files, "summary": summary}, ensure_ascii=False, indent=2) + "\n"
