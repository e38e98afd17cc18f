"""The Jinja environments (LaTeX-safe delimiters for TeX), the LaTeX escaper and the message catalogues."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..errors import UsageError

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "^": r"\textasciicircum{}", "_": r"\_", "~": r"\textasciitilde{}", "%": r"\%"}
_TEX_RE = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))


def tex_escape(value) -> str:
    """Plain text made safe for LaTeX; trusted formula output (Markup) passes unchanged."""
    if isinstance(value, Markup):
        return str(value)
    return _TEX_RE.sub(lambda m: _TEX_SPECIALS[m.group()], str(value))


def builtin_templates() -> Path:
    """templates/ at the top of a checkout, or the copy shipped inside the package."""
    here = Path(__file__).resolve().parents[2] / "templates"
    if (here / "messages").is_dir():
        return here
    return Path(str(resources.files("derive.templates")))


def _loader(user: str | Path | None) -> jinja2.BaseLoader:
    base = jinja2.FileSystemLoader(str(builtin_templates()))
    if user is None:
        return base
    p = Path(user)
    if not p.is_dir():
        raise UsageError(f"--templates {user}: not a directory")
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(p)), base])


def environment(fmt: str, user_templates: str | Path | None = None) -> jinja2.Environment:
    """LaTeX templates use ((* *)) / ((( ))) so that TeX braces stay plain text.

    Every template renders in Jinja's sandbox: a user's --templates DIR is code we do not trust.
    """
    common = dict(loader=_loader(user_templates), undefined=jinja2.StrictUndefined, autoescape=False,
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    if fmt.startswith("latex"):
        env = SandboxedEnvironment(block_start_string="((*", block_end_string="*))",
                                   variable_start_string="(((", variable_end_string=")))",
                                   comment_start_string="((#", comment_end_string="#))",
                                   line_comment_prefix="%#", finalize=tex_escape, **common)
    elif fmt == "html":
        env = SandboxedEnvironment(**{**common, "autoescape": True})
    else:
        env = SandboxedEnvironment(**common)
    env.filters["tex"] = tex_escape
    return env


def messages(lang: str, user_templates: str | Path | None = None) -> dict:
    """The catalogue of sentences for a language (a user's templates/messages/LANG.json wins)."""
    if user_templates is not None:
        p = Path(user_templates) / "messages" / f"{lang}.json"
        if p.is_file():
            try:
                return json.loads(p.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise UsageError(f"{p}: not a valid JSON message catalogue ({exc})") from None
    return _builtin_messages(lang)


@lru_cache(maxsize=None)
def _builtin_messages(lang: str) -> dict:
    return json.loads((builtin_templates() / "messages" / f"{lang}.json").read_text(encoding="utf-8"))
