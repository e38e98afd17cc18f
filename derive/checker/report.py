"""Present a CheckResult: a terminal report, the JSON contract, and the annotated document."""
from __future__ import annotations

import json
import re

from ..shown import escaped
from ..render.environment import tex_escape
from ..verifier.verdict import Outcome
from .checker import CheckResult, StepResult
from .words import hint_text, reason_text, words

_COLOR = {"ok": "32", "wrong": "1;31", "definition": "36", "unverified": "33"}


def _short(s: str, n: int = 60) -> str:
    s = escaped(" ".join(s.split()), newlines=False)  # an escape sequence in the input never reaches the terminal
    return s if len(s) <= n else s[: n - 1] + "…"


def terminal(result: CheckResult, color: bool = False) -> str:
    """One line per step in the document's language; the first wrong line is marked with >> and its
    counterexample shown; every wrong step shows its verified hint."""
    def paint(code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    w, lang = words(result.lang), result.lang
    fmt = result.document.fmt if result.document else "md"
    first = result.first_wrong
    sized = str(result.K).isdigit()
    out = [escaped(w["header" if sized else "header-general"].format(file=result.file, K=result.K), newlines=False)]
    for s in result.steps:
        mark = ">>" if s is first else "  "
        cond = f"   [{escaped(', '.join(s.conditions), newlines=False)}]" if s.conditions else ""
        cond += "   (inline)" if s.inline else ""
        label = paint(_COLOR[s.status], f"{w['labels'][s.status]:<10}" if lang == "en" else _pad(w["labels"][s.status], 10))
        how = "  (checked, not proved)" if s.outcome is Outcome.CHECKED else ""
        out.append(f"{mark} line {s.line:>4}  {label} {_short(s.lhs, 40)} = {_short(s.rhs, 50)}{cond}{how}")
        if s.status == "wrong":
            out.append(f"{'':17}{escaped(reason_text(s.reason, lang), newlines=False)}")
            if s.hint is not None:
                out.append(f"{'':17}{paint('1;32', w['hint'])}: {escaped(hint_text(s.hint, lang, fmt), newlines=False)}")
            if s is first and s.counterexample:
                out.append(f"{'':17}{w['counterexample']}: {_ce_text(s.counterexample)}")
        elif s.status == "unverified":
            out.append(f"{'':17}{escaped(reason_text(s.reason, lang), newlines=False)}")
    c = result.counts()
    summary = w["summary"].format(**c)
    if c["ok"]:
        summary += f" (ok: {c['proved']} proved, {c['checked']} checked numerically)"
    if first:
        summary += w["first_wrong"].format(line=first.line)
    out.append(summary)
    return "\n".join(out) + "\n"


def _pad(s: str, n: int) -> str:
    """Pad to n terminal columns (a Chinese character takes two)."""
    width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
    return s + " " * max(n - width, 0)


def _ce_text(ce: dict) -> str:
    parts = []
    for k, v in ce.items():
        if isinstance(v, list):
            parts.append(f"{k}=[{', '.join(f'{x:.4g}' for x in v)}]")
        elif isinstance(v, float):
            parts.append(f"{k}={v:.6g}")
        else:
            parts.append(f"{k}={v}")
    return escaped(", ".join(parts), newlines=False)


def to_json(result: CheckResult) -> str:
    return json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"


_CLASS_LINE = re.compile(r"(?m)^(\\documentclass(?:\[[^\]\n]*\])?\{[^}\n]*\})[ \t]*$")
_TEX_COLOR = {"WRONG": "red", "unverified": "orange", "definition": "teal", "ok": "green!50!black"}


def _mark(steps: list[StepResult], fmt: str, color: bool = False, lang: str = "en") -> str:
    """A visible mark for a row: \\mbox for LaTeX (core, no package), \\text for Markdown renderers."""
    statuses = {s.status for s in steps}
    if "wrong" in statuses:
        word = "WRONG"
    elif "unverified" in statuses:
        word = "unverified"
    elif statuses == {"definition"}:
        word = "definition"
    else:
        word = "ok"
    if fmt == "tex" and color:   # a coloured note: the verdict, the reason, the verified hint (xcolor loaded)
        bad = next((s for s in steps if s.status in ("wrong", "unverified")), None)
        note = ""
        if bad is not None:
            note = " " + tex_escape(_short(reason_text(bad.reason, lang), 70))
            if bad.hint is not None:
                note += "; " + tex_escape(_short(hint_text(bad.hint, lang, fmt), 90))
        return f" \\qquad \\mbox{{\\color{{{_TEX_COLOR[word]}}}[derive: {word}]\\scriptsize{note}}}"
    cmd = "\\mbox" if fmt == "tex" else "\\text"
    return f" \\qquad {cmd}{{[derive: {word}]}}"


def annotate(result: CheckResult) -> str:
    """The user's document with a mark at the end of each checked row; everything else untouched."""
    doc = result.document
    if doc is None:
        raise ValueError("the result holds no document")
    by_end: dict[int, list[StepResult]] = {}
    for s in result.steps:
        if s.end >= 0:
            by_end.setdefault(s.end, []).append(s)
    text = doc.text
    # LaTeX: xcolor on the \documentclass line itself (no line moves, so the notes' lines stay the report's)
    color = doc.fmt == "tex" and _CLASS_LINE.search(text) is not None
    for end in sorted(by_end, reverse=True):
        text = text[:end] + _mark(by_end[end], doc.fmt, color, result.lang) + text[end:]
    if color and "{xcolor}" not in text:
        text = _CLASS_LINE.sub(lambda m: m.group(1) + "\\usepackage{xcolor}", text, count=1)
    return text
