"""What the words around inline math make of it: a claim, a definition, an assumption, a case or a mention."""
from __future__ import annotations

import re

# the clause before a piece of inline math, back to the end of the last sentence or clause
_CLAUSE_END = re.compile(r"[.。;；!?！？:：]\s|[.。;；!?！？:：]$|\n\s*\n|[，,]\s*(?=[^$]*$)")
# cue words, nearest one before the math wins; Chinese cues need no word boundary
_CUES = [
    ("case", re.compile(r"(?<![A-Za-z])(when|whenever|if|for|provided|unless|in case|for all|for every)(?![A-Za-z])|(?<!相)当|若|如果|对于|对任意|对所有|在", re.I)),
    ("assume", re.compile(r"(?<![A-Za-z])(assume[sd]?|assuming|suppose[sd]?|supposing|we model|is modell?ed|are modell?ed|model(?:s|ed)? (?:it|this|the \w+) as)(?![A-Za-z])|假设|假定|设定", re.I)),
    ("define", re.compile(r"(?<![A-Za-z])(let|define[sd]?|denote[sd]?|denoting|set|where|write|call|put|we have defined)(?![A-Za-z])|令|(?<!假)设|记|定义|其中|这里|此处|表示", re.I)),
]
_CASE_AFTER = re.compile(r"^\s*(时|的时候|的情况下|情况下|这种情况)")
# i = 1, \dots, K; i = 1 \sim c; j = 2; K = 3; y = 1 (a value or a range named, not a claim)
_MENTION = re.compile(r"^\s*\\?[A-Za-z]+\s*(?:_\s*\{?\w\}?)?\s*=\s*[-\d.]+\s*(?:(?:,|\\sim|\\dots|\\ldots|\\cdots|\.\.\.|\\,)\s*[-\w\\{}.]*\s*)*[.,;]?\s*$")
_PAIR = re.compile(r"^\s*\{?\s*[a-zA-Z]\s*\}?\s*(=|\\neq|\\ne|\\not\s*=|≠)\s*\{?\s*[a-zA-Z]\s*\}?\s*[.,;]?\s*$")


_CASE_END = re.compile(r"(?:" + _CUES[0][1].pattern + r")\s*(?:that|all|every|each|any|some)?\s*$", re.I)


def _case_cue_ends(clause: str) -> bool:
    """The clause ends in a case word right before the math: "when $", "if $", "for all $", "当 $"."""
    return bool(_CASE_END.search(clause))


def _clause_before(masked: str, start: int) -> str:
    window = masked[max(0, start - 200):start]
    cut = [m.end() for m in _CLAUSE_END.finditer(window)]
    return window[cut[-1]:] if cut else window


def inline_role(masked: str, start: int, end: int, body: str) -> str:
    """How an inline equality is meant: "claim", "define", "assume", or "skip" (a case, a value or a
    range named in passing: i = j, y = 1, i = 1, ..., K; the readers of conditions take the cases)."""
    if _MENTION.match(body) or _PAIR.match(body):
        return "skip"
    clause = _clause_before(masked, start)
    best, role = -1, "claim"
    for name, cue in _CUES[1:]:
        for m in cue.finditer(clause):
            if m.start() > best:
                best, role = m.start(), name
    if _case_cue_ends(clause):
        return "skip"
    if _CASE_AFTER.match(masked[end:end + 12]):
        return "skip"
    return "skip" if role == "case" else role


def display_role(before: str) -> str:
    """"assume" when the words just before a display say the text assumes or models what it shows
    ("We model the log-odds as", "假设"); "" otherwise."""
    tail = before.rstrip()[-120:]
    cut = [m.end() for m in re.finditer(r"[.。;；!?！？]\s|\n\s*\n", tail)]
    clause = tail[cut[-1]:] if cut else tail
    if re.search(r"[.。!?！？]$", clause):
        return ""
    cues = list(_CUES[1][1].finditer(clause))
    cue = cues[-1] if cues else None
    # "We model the log-odds as" leads into the display; "假设 $x > 0$，" states its premise inline
    return "assume" if cue is not None and not re.search(r"\$|\\\(", clause[cue.end():]) else ""


_INLINE = re.compile(r"\\\\\((.+?)\\\\\)|\\\((.+?)\\\)|(?<![\\$])\$(?!\$)([^$\n]+?)\$(?!\$)")
_SENTENCE = re.compile(r"[.。;；!?！？]\s|[.。;；!?！？]$|\n\s*\n")


def sentence_start(prose: str) -> int:
    """Where the last sentence of `prose` begins (a sentence ending the prose itself does not count)."""
    tail = max(0, len(prose) - 300)
    cut = [m.end() for m in _SENTENCE.finditer(prose, tail) if m.end() < len(prose.rstrip())]
    return cut[-1] if cut else tail


def stated_conditions(sentence: str) -> list[tuple[str, int]]:
    """Conditions on values the sentence states in inline math ("When $x > 0$", "当 $y = 1$ 时",
    "if $x_i \\ge 0$"), as written with their offsets; index cases (i = j) are read elsewhere."""
    out = []
    for m in _INLINE.finditer(sentence):
        g = next(n for n in (1, 2, 3) if m.group(n) is not None)
        body = m.group(g)
        if _PAIR.match(body) or re.search(r"\\[lc]?dots|\\sim|\.\.\.", body) or not re.search(r"=|<|>|\\[lg]eq?(?![a-zA-Z])|\\neq?(?![a-zA-Z])|\\in(?![a-zA-Z])|≤|≥", body):
            continue
        clause = _clause_before(sentence, m.start())
        if _case_cue_ends(clause) or _CASE_AFTER.match(sentence[m.end():m.end() + 12]):
            out.append((" ".join(body.split()), m.start()))
    return out
