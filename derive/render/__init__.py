"""Rendering: a verified Derivation -> text in a format and a language, through Jinja templates."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from ..errors import RenderError, UsageError
from ..steps import Derivation
from .environment import environment, messages
from .printer import latex, latex_name
from .view import view

FORMATS = {
    "latex": ("latex/document.tex.j2", "tex"),
    "latex-fragment": ("latex/fragment.tex.j2", "tex"),
    "markdown": ("markdown/document.md.j2", "md"),
    "html": ("html/document.html.j2", "html"),
    "text": ("text/document.txt.j2", "txt"),
    "json": (None, "json"),
}
LANGS = ("en", "zh")


def extension(fmt: str) -> str:
    return FORMATS[check_format(fmt)][1]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    return fmt


def render(d: Derivation, fmt: str = "latex", lang: str = "en", templates: str | Path | None = None) -> str:
    """Text of the derivation. Reads the steps only: never simplifies or differentiates."""
    check_format(fmt)
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r} (use {', '.join(LANGS)})")
    if fmt == "json":
        return to_json(d, lang, templates)
    env = environment(fmt, templates)
    msgs = messages(lang, templates)
    name = FORMATS[fmt][0]
    try:
        template = env.get_template(f"{lang}/{name}") if _exists(env, f"{lang}/{name}") else env.get_template(name)
        return template.render(**view(d, msgs, fmt, lang))
    except RenderError:
        raise
    except Exception as exc:  # a template bug: name the template and line, not a traceback
        raise RenderError(_template_problem(exc, name)) from exc


def _exists(env, name) -> bool:
    try:
        env.get_template(name)
        return True
    except Exception:
        return False


def _template_problem(exc, name) -> str:
    import traceback

    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and frame.filename.endswith(".j2"):
            name, line = Path(frame.filename).name, frame.lineno
    where = f"{name}, line {line}" if line else name
    return f"template {where}: {type(exc).__name__}: {exc}".replace("\n", " ")


def to_json(d: Derivation, lang: str = "en", templates=None) -> str:
    """The JSON contract of DESIGN.md."""
    msgs = messages(lang, templates)
    v = view(d, msgs, "json", lang)
    out = {
        "recipe": d.recipe,
        "K": d.K if isinstance(d.K, int) else str(d.K),
        "notation": d.notation.as_dict(),
        "params": {k: v for k, v in d.params},
        "verified": d.verified,
        "steps": [
            {"rule": line["rule"], "lhs": line["lhs"], "rhs": line["rhs"], "justification": line["plain_sentence"],
             "verified": line["status"] == "verified" if line["claim"] else None,
             "status": line["status"], "method": line["method"], "detail": line["detail"],
             **({"conditions": line["conditions"]} if line["conditions"] else {})}
            for sec in v["sections"] for block in sec["blocks"] for line in block["lines"]
        ],
        "result": {"latex": latex(d.result) if d.result is not None else None,
                   "srepr": sp.srepr(d.result) if d.result is not None else None},
    }
    if d.numeric is not None:
        out["numeric"] = d.numeric.as_json()
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


__all__ = ["render", "to_json", "FORMATS", "LANGS", "latex", "latex_name", "extension"]
