"""The Jinja environments (LaTeX-safe delimiters for TeX), the LaTeX escaper and the message catalogues."""
from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..errors import UsageError
from ..files import read_capped

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "^": r"\textasciicircum{}", "_": r"\_", "~": r"\textasciitilde{}", "%": r"\%"}
_TEX_RE = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))


def tex_escape(value) -> str:
    """Plain text made safe for LaTeX; trusted formula output (Markup) passes unchanged."""
    if isinstance(value, Markup):
        return str(value)
    return _TEX_RE.sub(lambda m: _TEX_SPECIALS[m.group()], str(value))


def builtin_templates() -> Path:
    """templates/ at the top of a checkout, or the copy shipped inside the package (derive/templates/:
    a folder of data without __init__.py, so found beside the package's own files, not through
    importlib.resources, which hands a namespace package back as a MultiplexedPath)."""
    package = Path(__file__).resolve().parents[1]
    here = package.parent / "templates"
    if (here / "messages").is_dir():
        return here
    return package / "templates"


MAX_TEMPLATE_BYTES = 1_000_000   # one template or message catalogue of a --templates DIR
MAX_CATALOGUE_DEPTH = 8          # ours nest 3 deep: {"rules": {"chain-rule": {"name": ...}}}
MAX_CATALOGUES = 64              # *.json files in one messages/LANG folder


def _loader(user: str | Path | None) -> jinja2.BaseLoader:
    base = jinja2.FileSystemLoader(str(builtin_templates()))
    if user is None:
        return base
    p = Path(user)
    if not p.is_dir():
        raise UsageError(f"--templates {user}: not a directory")
    return jinja2.ChoiceLoader([FolderLoader(p), base])


class FolderLoader(jinja2.BaseLoader):
    """A user's --templates DIR: only regular files that are really inside it (a symbolic link to
    /etc/passwd is refused, not rendered), each at most MAX_TEMPLATE_BYTES."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def get_source(self, environment, template):
        from jinja2.loaders import split_template_path

        path = self.folder.joinpath(*split_template_path(template))  # refuses '..'
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        return user_file(self.folder, path).decode("utf-8", "replace"), str(path), lambda: True

    def list_templates(self):
        return sorted(str(p.relative_to(self.folder)) for p in self.folder.rglob("*.j2"))


def user_file(folder: Path, path: Path) -> bytes:
    """The bytes of a file of the user's --templates folder: refused when it is not a regular file
    inside the folder (following links), or too large."""
    real, root = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    shown = path.relative_to(folder) if path.is_relative_to(folder) else path
    if root not in real.parents:
        raise UsageError(f"--templates {folder}: {shown} leads outside the folder (to {real}); refused")
    return read_capped(real, MAX_TEMPLATE_BYTES, shown=f"--templates {folder}: {shown}")


def environment(fmt: str, user_templates: str | Path | None = None) -> jinja2.Environment:
    """LaTeX templates use ((* *)) / ((( ))) so that TeX braces stay plain text.

    Every template renders in Jinja's sandbox: a user's --templates DIR is code we do not trust.
    """
    common = {"loader": _loader(user_templates), "undefined": jinja2.StrictUndefined, "autoescape": False,
              "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
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
    env.filters["mathtext"] = mathtext
    env.filters["plain"] = plain_text
    env.filters["width"] = display_width
    return env


def mathtext(value) -> Markup:
    """A catalogue phrase with inline $math$, written for math mode: 'case $i = j$' -> \\text{case }i = j."""
    parts = str(value).split("$")
    out = [(rf"\text{{{p}}}" if p else "") if n % 2 == 0 else p for n, p in enumerate(parts)]
    return Markup("".join(out))


_UNICODE = {r"\partial": "∂", r"\dots": "…", r"\cdots": "⋯", r"\neq": "≠", r"\ne": "≠", r"\le": "≤",
            r"\ge": "≥", r"\sum": "Σ", r"\delta": "δ", r"\sigma": "σ", r"\top": "ᵀ", r"\cdot": "·",
            r"\to": "→", r"\infty": "∞", r"\quad": " "}
_COMMAND = re.compile(r"\\[A-Za-z]+")


def plain_text(value) -> str:
    """A sentence without its math markup, for the terminal: $\\partial L$ -> ∂L, y_{i} -> y_i."""
    t = re.sub(r"\\(?:mathbf|operatorname|mathrm|text|boldsymbol)\{([^{}]*)\}", r"\1", str(value))
    t = _COMMAND.sub(lambda m: _UNICODE.get(m.group(), m.group()[1:]), t)
    t = re.sub(r"([_^])\{(\w)\}", r"\1\2", t)
    t = t.replace("$", "")
    return re.sub(r"[ \t]+", " ", t).strip()


def display_width(value) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def messages(lang: str, user_templates: str | Path | None = None) -> dict:
    """The catalogue of sentences for a language: every messages/LANG/*.json merged, a user's
    --templates DIR/messages/LANG/*.json last (so it wins)."""
    out = _merge({}, _builtin_messages(lang))
    if user_templates is not None:
        _merge(out, _read_catalogue(Path(user_templates) / "messages" / lang, root=Path(user_templates)))
    return out


@cache
def _builtin_messages(lang: str) -> dict:
    return _read_catalogue(builtin_templates() / "messages" / lang)


def _read_catalogue(folder: Path, root: Path | None = None) -> dict:
    """Every *.json of a folder merged; a user's (root: their --templates DIR) is read as untrusted."""
    out: dict = {}
    found = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if len(found) > MAX_CATALOGUES:
        raise UsageError(f"{folder}: {len(found)} message catalogues (at most {MAX_CATALOGUES})")
    for p in found:
        try:
            raw = user_file(root, p) if root is not None else p.read_bytes()
            data = json.loads(raw.decode("utf-8"))
        except RecursionError:
            raise UsageError(f"{p}: not a message catalogue (nested too deeply)") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"{p}: not a valid JSON message catalogue ({str(exc)[:200]})") from None
        problem = _catalogue_problem(data)
        if problem:
            raise UsageError(f"{p}: not a message catalogue ({problem})")
        _merge(out, data)
    return out


def _catalogue_problem(data, depth: int = 0) -> str | None:
    """Why data is not a catalogue: an object whose values are strings or such objects, not deep."""
    if depth == 0 and not isinstance(data, dict):
        return f"expected a JSON object of sentences, found {type(data).__name__}"
    if depth > MAX_CATALOGUE_DEPTH:
        return f"nested more than {MAX_CATALOGUE_DEPTH} levels deep"
    for key, value in data.items():
        if isinstance(value, dict):
            problem = _catalogue_problem(value, depth + 1)
            if problem:
                return problem
        elif not isinstance(value, (str, int, float, bool)):
            return f"{str(key)[:40]!r} is {type(value).__name__}, not a sentence"
    return None


def _merge(into: dict, new: dict) -> dict:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = json.loads(json.dumps(v)) if isinstance(v, dict) else v
    return into
