"""Input text as it may reach a terminal: control and bidirectional characters escaped, length capped."""
from __future__ import annotations

import re
import unicodedata

MAX_MESSAGE = 600   # characters of one error message: the head and the tail of what it quotes

# C0 and C1 controls (ESC starts the sequences that retitle, clear or recolour a terminal), the
# bidirectional overrides and isolates (they reorder what is shown), zero-width characters
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def escaped(text: str, newlines: bool = True) -> str:
    """text with every unsafe character shown as an escape (\\x1b, \\u202e); newlines and tabs kept
    unless `newlines` is false (a one-line message)."""
    out = _UNSAFE.sub(_escape, text)
    if not newlines:
        out = out.replace("\n", "\\n").replace("\t", " ")
    return "".join(ch if unicodedata.category(ch) != "Cs" else f"\\u{ord(ch):04x}" for ch in out)


def message(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line for stderr: escaped, and cut in the middle when longer than `limit` characters."""
    line = escaped(text, newlines=False)
    if len(line) <= limit:
        return line
    head = limit * 2 // 3
    return f"{line[:head]} ... [{len(line) - limit} characters cut] ... {line[-(limit - head):]}"
