"""Rendering: a verified Derivation -> text in a format and a language, through Jinja templates."""
from __future__ import annotations

import json
from pathlib import Path

import sympy as sp
from jinja2 import TemplateNotFound, TemplateSyntaxError
from markupsafe import Markup

from ..errors import DeriveError, RenderError, UsageError, quoted
from ..steps import Derivation
from .environment import environment, messages
from .katex import inline_assets
from .printer import latex, latex_name
from .styles import FLAVORS, STYLES, check_flavor, check_style
from .flavor import markdown_flavor
from .view import Html, rebuilt, view

FORMATS = {
    "latex": ("latex/document.tex.j2", "tex"),
    "latex-fragment": ("latex/fragment.tex.j2", "fragment.tex"),  # beside the standalone .tex, not over it
    "markdown": ("markdown/document.md.j2", "md"),
    "html": ("html/document.html.j2", "html"),
    "text": ("text/document.txt.j2", "txt"),
    "json": (None, "json"),
}
TEMPLATES = {fmt: name for fmt, (name, _) in FORMATS.items() if name is not None}   # json has none
LANGS = ("en", "zh")
CODE_FORMATS = ("numpy", "torch")   # a Python module from the verified result (derive.render.code)


def extension(fmt: str) -> str:
    return "py" if check_format(fmt) in CODE_FORMATS else FORMATS[fmt][1]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS and fmt not in CODE_FORMATS:
        raise UsageError(f"unknown format {quoted(fmt)} (use {', '.join([*FORMATS, *CODE_FORMATS])})")
    return fmt


def render(d: Derivation, fmt: str = "latex", lang: str = "en", templates: str | Path | None = None,
           style: str | None = None, flavor: str | None = None, label: str | None = None) -> str:
    """Text of the derivation in a style (full, paper, teaching; the default depends on the format)
    and, for Markdown, a flavor. Reads the steps only: never simplifies or differentiates."""
    check_format(fmt)
    if fmt in CODE_FORMATS:  # code, not a document: no style, language or template applies
        from .code import generate

        return generate(d, fmt)
    style, flavor = check_style(style, fmt), check_flavor(flavor, fmt)
    if lang not in LANGS:
        raise UsageError(f"unknown language {quoted(lang)} (use {', '.join(LANGS)})")
    if fmt == "json":
        return to_json(d, lang, templates, style)
    name = TEMPLATES[fmt]
    if templates is not None:
        check_user_templates(templates, fmt, lang)
    env = environment(fmt, templates)
    msgs = messages(lang, templates)
    context = view(d, msgs, fmt, lang, style, label)
    if fmt == "html":
        context = {**_escaped(context), "katex": inline_assets()}
    chosen = _choose(env, name, lang)
    if templates is None:
        text = _render_template(env, chosen, context)
    else:
        from .contain import contained  # a user's templates: a child process under time and memory limits

        text = contained(lambda: _render_template(env, chosen, context), f"--templates {templates}")
    return markdown_flavor(text, flavor) if fmt == "markdown" else text


def notebook_latex(d: Derivation, lang: str = "en") -> str:
    """What Jupyter's text/latex shows: one $$ aligned $$ block of every line (math only)."""
    env = environment("markdown")
    return _render_template(env, "markdown/notebook.tex.j2", view(d, messages(lang), "markdown", lang))


def _render_template(env, name: str, context: dict) -> str:
    try:
        return env.get_template(name).render(**context)
    except DeriveError:  # ours, already one line (a refused template file, a limit)
        raise
    except Exception as exc:  # a template bug: name the template and line, not a traceback
        raise RenderError(_template_problem(exc, name)) from exc


def _choose(env, name: str, lang: str) -> str:
    """A language's own template (zh/latex/document.tex.j2) wins over the shared one."""
    try:
        env.loader.get_source(env, f"{lang}/{name}")
        return f"{lang}/{name}"
    except TemplateNotFound:
        return name


def check_user_templates(folder: str | Path, fmt: str, lang: str) -> None:
    """A --templates DIR must hold something for this format: a template of its folder (latex/,
    markdown/, ...; also under LANG/) or a message catalogue messages/LANG/*.json."""
    p = Path(folder)
    if not p.is_dir():
        raise UsageError(f"--templates {folder}: not a directory")
    kind = TEMPLATES[fmt].split("/")[0]
    found = [*p.glob(f"{kind}/*.j2"), *p.glob(f"{lang}/{kind}/*.j2"), *p.glob(f"messages/{lang}/*.json")]
    if not found:
        raise UsageError(f"--templates {folder}: no {TEMPLATES[fmt]} (nor any {kind}/ template or "
                         f"messages/{lang}/*.json) for --format {fmt}")


def _escaped(value):
    """For HTML every formula is text that KaTeX reads from the page: escape it like any text."""
    if isinstance(value, Html):
        return value
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, dict):
        return rebuilt(value, {k: _escaped(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    return value


def _template_problem(exc, name) -> str:
    import traceback

    line = getattr(exc, "lineno", None)
    if isinstance(exc, TemplateSyntaxError):
        name = exc.filename or exc.name or name
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename and frame.filename.endswith(".j2"):
                name, line = frame.filename, frame.lineno
    where = f"{name}, line {line}" if line else str(name)
    message = getattr(exc, "message", None) or str(exc)
    return f"template {where}: {type(exc).__name__}: {message}".replace("\n", " ")


def to_json(d: Derivation, lang: str = "en", templates=None, style: str = "full") -> str:
    """The JSON contract of DESIGN.md (the steps of the style: every step for full and teaching)."""
    msgs = messages(lang, templates)
    v = view(d, msgs, "json", lang, style)
    out = {
        "recipe": d.recipe,
        "K": d.K if isinstance(d.K, int) else str(d.K),
        "notation": d.notation.as_dict(),
        "params": {k: v for k, v in d.params},
        "verified": d.verified,
        "style": style,
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


__all__ = ["CODE_FORMATS", "FLAVORS", "FORMATS", "LANGS", "STYLES", "extension", "latex", "latex_name", "notebook_latex", "render", "to_json"]
