"""The checker's words in the document's language (templates/messages/LANG/check.json)."""
from __future__ import annotations

import re
from functools import cache

from .hints import Hint

LANGS = ("en", "zh")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def language(text: str, given: str | None = None) -> str:
    """--lang when given, else zh when the prose (outside math) has a fair share of Chinese characters."""
    if given:
        return given
    prose = re.sub(r"(?m)^\s*%[^\n]*$|<!--.*?-->|\$\$.*?\$\$", " ", text, flags=re.S)   # comments say nothing of the reader
    han = len(_HAN.findall(prose))
    latin = len(re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}", re.sub(r"\$[^$]*\$", " ", prose)))
    return "zh" if han >= 2 and 8 * han >= latin else "en"


@cache
def words(lang: str) -> dict:
    from ..render.environment import messages

    return messages(lang if lang in LANGS else "en")["check"]


def declaration(text: str, fmt: str) -> str:
    """How the document declares an assumption in its own format."""
    return f"<!-- derive: assume {text} -->" if fmt == "md" else f"% derive: assume {text}"


def hint_text(hint: Hint, lang: str = "en", fmt: str = "md") -> str:
    flipped = hint.detail.replace("!=", "\0").replace("=", "!=").replace("\0", "=")
    declare = declaration(hint.latex, fmt)
    return words(lang)["hints"][hint.kind].format(latex=hint.latex, detail=hint.detail.replace("!=", "≠"),
                                                  flipped=flipped.replace("!=", "≠"), declare=declare)


@cache
def _reason_table(lang: str) -> tuple:
    return tuple((re.compile(k), v) for k, v in words(lang).get("reasons", {}).items())


def reason_text(reason: str, lang: str = "en") -> str:
    """A reason in the report's language: the first pattern of the catalogue that matches, else as it is."""
    for pattern, template in _reason_table(lang):
        m = pattern.match(reason)
        if m:
            return template.format(*(g or "" for g in m.groups()))
    return reason
