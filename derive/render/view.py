"""What templates see: sections of blocks of lines, every formula already LaTeX (trusted Markup)."""
from __future__ import annotations

import re

import sympy as sp
from markupsafe import Markup

from ..errors import RenderError, UsageError
from ..steps import Derivation, Rule, Step
from .plain import plain_formula
from .printer import inline, latex, latex_name


def names(d: Derivation) -> dict[str, str]:
    """Placeholders the message sentences may use: {a} {z} {y} {L} {i} {j} {k} {K} {Kname}."""
    n = d.notation
    return {"z": latex_name(n.logits), "a": latex_name(n.probs), "y": latex_name(n.target),
            "L": latex_name(n.loss), "i": latex_name(n.i), "j": latex_name(n.j), "k": latex_name(n.k),
            "K": str(d.K) if isinstance(d.K, int) else latex(d.K),
            "Kname": "K" if isinstance(d.K, int) else latex(d.K),  # the size as a letter, in sentences about the method
            "av": r"\mathbf{" + latex_name(n.probs) + "}", "zv": r"\mathbf{" + latex_name(n.logits) + "}",
            "yv": r"\mathbf{" + latex_name(n.target) + "}", **{k: str(v) for k, v in d.params}}


STEP_NAMES = ("var", "through")   # step params a sentence may use ({var}, {through})


def fill(text: str, values: dict) -> Markup:
    """Our catalogue's sentences are trusted LaTeX; only {placeholders} are filled in."""
    return Markup(re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text))


_CODE = re.compile(r"\\texttt\{((?:[^{}]|\{[^{}]*\})*)\}")


class Html(Markup):
    """Prose already escaped for HTML (with <code> in it): passed through as it is."""


def prose(value, fmt: str):
    """A catalogue sentence for a format: outside LaTeX no LaTeX text commands stay in the prose
    (\\texttt{x} is `x` in Markdown, <code> in HTML, x in the terminal); math ($...$) is kept."""
    if fmt.startswith("latex") or not isinstance(value, str) or "\\texttt" not in value:
        return value
    code = lambda m: m.group(1).replace("\\_", "_")  # noqa: E731
    if fmt == "markdown":
        return Markup(_CODE.sub(lambda m: f"`{code(m)}`", str(value)))
    if fmt == "html":
        from markupsafe import escape

        return Html(_CODE.sub(lambda m: f"<code>{code(m)}</code>", str(escape(str(value)))))
    return Markup(_CODE.sub(code, str(value)))


def _prose_all(value, fmt: str):
    if isinstance(value, dict):
        out = {k: v if k in ("lhs", "rhs", "rhs_parts", "conditions", "expr") else _prose_all(v, fmt)
               for k, v in value.items()}
        return rebuilt(value, out, fmt)
    if isinstance(value, list):
        return [_prose_all(v, fmt) for v in value]
    return prose(value, fmt)


def plain(text: str) -> str:
    """A sentence without its math markup, for JSON and the terminal."""
    t = re.sub(r"\\(mathbf|operatorname|mathrm|text)\{([^{}]*)\}", r"\2", str(text))
    t = t.replace("$", "").replace("\\", "")
    return re.sub(r"\s+", " ", t).strip()


_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9:._-]{0,60}")


def label_prefix(d: Derivation, label: str | None = None) -> str:
    r"""eq:PREFIX (--label PREFIX), else one of the derivation's own: its recipe and size, or for a
    derived loss (recipe "grad") six hex digits of its definitions, so that two fragments \input
    into one paper never share a label."""
    if label is not None:
        if not _LABEL.fullmatch(label):
            raise UsageError(f"--label {label[:40]!r}: use letters, digits and : . _ - (starting with a letter)")
        return label if label.startswith("eq:") else "eq:" + label
    name = d.recipe
    if d.recipe == "grad":
        import hashlib

        text = "\n".join(f"{latex(s.lhs)}={latex(s.rhs)}" for s in d.steps if s.is_definition)
        name = "grad-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"eq:{name}" + (f"-K{d.K}" if isinstance(d.K, int) else "")


def view(d: Derivation, msgs: dict, fmt: str, lang: str, style: str = "full", label: str | None = None) -> dict:
    values = names(d)
    sections = paper_sections(d, msgs, values, fmt, label_prefix(d, label)) if style == "paper" \
        else _full_sections(d, msgs, values, fmt)
    for sec in sections:
        sec.update(why="", numbers=[])
    if style == "teaching":
        _teach(d, sections, msgs, values)
        for sec in sections:
            for block in sec["blocks"]:
                for line in block["lines"]:
                    line["quiet"] = True
    claims = d.claims
    counts = {st: sum(1 for s in claims if s.verdict and s.verdict.status == st)
              for st in ("verified", "refuted", "unconfirmed")}
    methods = sorted({s.verdict.method for s in claims if s.verdict and s.verdict.method})
    proved = sum(1 for s in claims if s.verdict and s.verdict.ok and s.verdict.method == "symbolic")
    split = {"proved": str(proved), "checked": str(counts["verified"] - proved)}
    recipe_msgs = msgs["recipes"].get(d.recipe, {"title": d.recipe, "intro": ""})
    return _prose_all({
        "lang": lang,
        "fmt": fmt,
        "style": style,
        "paper": {**msgs.get("paper", {}), "shown": sum(len(b["lines"]) for sec in sections for b in sec["blocks"]
                                                         if b["lines"] and b["lines"][0]["claim"])
                  if style == "paper" else 0},
        "recipe": d.recipe,
        "label": label_prefix(d, label),
        "title": fill(recipe_msgs["title"], values),
        "intro": fill(recipe_msgs["intro"], values),
        # a derivative with respect to one number, with no sum over classes, has no size to state
        "size_sentence": "" if d.recipe.endswith("-scalar") and not any(s.lhs.has(sp.Sum) or s.rhs.has(sp.Sum)
                                                                        for s in d.steps)
        else fill(msgs["size"]["concrete" if isinstance(d.K, int) else "general"], values),
        "assumptions": [fill(msgs["assumptions"][a], values) for a in d.assumptions],
        "sections": sections,
        "verified": d.verified,
        "counts": counts,
        "methods": methods,
        "labels": {k: fill(fill(v, split) if k == "split" else v, values) for k, v in msgs["labels"].items()},
        "result": Markup(latex(d.result)) if d.result is not None else None,
        "numeric": _numeric(d, values),
        "names": values,
        "K": d.K if isinstance(d.K, int) else str(d.K),
        "notation": d.notation.as_dict(),
    }, fmt)


def _full_sections(d: Derivation, msgs: dict, values: dict, fmt: str = "latex") -> list[dict]:
    rules = msgs["rules"]
    sections: list[dict] = []
    derived: list = []      # the left sides shown so far (to name what a substitution puts in)
    previous = None
    for s in d.steps:
        key = s.section or "main"
        if not sections or sections[-1]["key"] != key:
            sections.append({"key": key, "title": fill(msgs["sections"].get(key, key), values), "blocks": []})
        blocks = sections[-1]["blocks"]
        line = _line(s, d, rules, values, msgs)
        if s.rule is Rule.SUBSTITUTE and s.chain and previous is not None:
            gone = [e for e in derived if e != s.lhs and _has(previous.rhs, e) and not _has(s.rhs, e)]
            if gone:  # it substitutes earlier results, not only a definition: say which
                what = msgs["paper"]["and"].join(f"${inline(e)}$" for e in gone[:-1])
                what = (what + msgs["paper"]["last_and"] if what else "") + f"${inline(gone[-1])}$"
                line["rule_name"] = Markup(str(fill(msgs["paper"]["substituting"], values)).replace("{what}", what))
        if fmt != "json" and s.chain and previous is not None and previous.conditions == s.conditions:
            line["conditions"], line["conditions_plain"] = "", ""   # said once, on the block's first line
        if not s.is_definition and s.lhs not in derived:
            derived.append(s.lhs)
        previous = s
        if blocks and (s.chain or s.is_definition and blocks[-1]["lines"][-1]["status"] == "definition"):
            blocks[-1]["lines"].append(line)
        else:
            blocks.append({"sentence": line["sentence"], "lines": [line], "after": "", "left": False})
    return sections


def _teach(d: Derivation, sections: list[dict], msgs: dict, values: dict) -> None:
    """Why each stage is taken (a sentence opening its section) and the worked numbers at its end."""
    from .teaching import CROSS_ENTROPY, stages

    words = msgs["teaching"]
    numbers = stages(d, values)
    last = {sec["key"]: n for n, sec in enumerate(sections)}
    # the why-sentences tell the softmax route's two legs (a from z, L from a): only where it is taken
    two_legs = "jacobian" in last
    for n, sec in enumerate(sections):
        key = sec["key"]
        if two_legs and key in words["why"] and last[key] == n:
            sec["why"] = fill(words["why"][key], values)
        if key in numbers and last[key] == n:
            sec["numbers"] = [{"sentence": fill(words["numbers"][key], values),
                               "rows": [{"lhs": Markup(lhs), "rhs": Markup(rhs)} for lhs, rhs in numbers[key]],
                               "after": fill(words["meaning"], values)
                               if key == "result" and d.recipe in CROSS_ENTROPY else ""}]


def paper_sections(d: Derivation, msgs: dict, values: dict, fmt: str = "latex", prefix: str = "") -> list[dict]:
    """The shortest route (route.paper_rows): numbered rows, each justified by the rules it stands
    for and references to the equations it substitutes; no verification marks."""
    from .route import SILENT, paper_rows

    rules, words = msgs["rules"], msgs["paper"]
    prefix = prefix or label_prefix(d)
    label = lambda n: f"{prefix}-{n}"  # noqa: E731
    defs, displays = paper_rows(d)
    number = 0

    def numbered(row, first: bool) -> dict:
        nonlocal number
        number += 1
        line = _line(row.step, d, rules, values, msgs)
        lines = [_line(m, d, rules, values, msgs) for m in row.merged]
        names = []
        for m, info in zip(row.merged, lines):
            if row.refs and m.rule in (Rule.SUBSTITUTE, Rule.KRONECKER_UNIFY):
                continue  # the references say what was substituted
            if info["rule_name"] not in names and m.rule not in SILENT:
                names.append(info["rule_name"])
        refs = [Markup(rf"\eqref{{{label(n)}}}" if fmt.startswith("latex") else f"({n})") for n in row.refs]
        lead = lines[-1]["sentence"] if first and len(lines) > 1 and str(lines[-1]["sentence"]).strip() \
            and row.step.rule is Rule.VECTOR_FORM else lines[0]["sentence"]
        line.update(expr=row.step.rhs, number=number, label=label(number), refs=refs, ref_numbers=list(row.refs),
                    reasons=names, lead=lead, chain=not first and row.step.chain)
        return line

    sections: list[dict] = []

    def section(key: str) -> list:
        if not sections or sections[-1]["key"] != key:
            sections.append({"key": key, "title": fill(msgs["sections"].get(key, key), values), "blocks": []})
        return sections[-1]["blocks"]

    if defs:
        lines = [numbered(r, True) for r in defs]
        section(defs[0].step.section or "main").append({"sentence": lines[0]["sentence"], "lines": lines,
                                                        "after": ""})
    for rows in displays:
        lines = [numbered(r, n == 0) for n, r in enumerate(rows)]
        section(rows[0].merged[0].section or "main").append(
            {"sentence": _lead(lines[0], words, values), "lines": lines, "after": _after(lines, words, values)})
    for sec in sections:
        for block in sec["blocks"]:
            block["left"] = _break_lines(block["lines"], [r.step for r in [*defs, *[x for d_ in displays for x in d_]]])
    return sections


def _break_lines(lines: list[dict], steps) -> bool:
    """Fit one column of a two-column paper. A right side too long for its place is broken before
    a + or -; if a part still does not fit, the display goes flush left: each left side alone on
    its line, each '= ...' indented below it. Returns whether the display is flush left."""
    from .breaks import split_terms
    from .width import COLUMN, EQUATION_NUMBER, width

    room = COLUMN - EQUATION_NUMBER
    column1 = max((width(str(line["lhs"])) for line in lines if not line["chain"]), default=0)
    for line in lines:
        line["rhs_parts"] = split_terms(line["expr"], room - column1 - 13)
    if all(width(p) <= room - column1 - 13 for line in lines for p in line["rhs_parts"]):
        return False
    for line in lines:
        line["rhs_parts"] = split_terms(line["expr"], room - 20)
    return True


def _justification(line: dict, words: dict, skip_first: bool = False) -> str:
    reasons = line["reasons"][1:] if skip_first else line["reasons"]
    parts = [str(x) for x in line["refs"]] + [str(x) for x in reasons]
    if len(parts) < 2:
        return "".join(parts)
    return words["and"].join(parts[:-1]) + words["last_and"] + parts[-1]


def _lead(line: dict, words: dict, values: dict) -> Markup:
    """The first rule's own sentence ('..., so the chain rule gives'), else its name."""
    if str(line["lead"]).strip():
        return line["lead"]
    what = _justification(line, words)
    return Markup(words["lead"].replace("{what}", what)) if what else Markup("")


def _after(lines: list[dict], words: dict, values: dict) -> Markup:
    """'The second line uses (3) and (6); the third, linearity of the sum; ...'"""
    parts: list[str] = []
    for n, line in enumerate(lines):
        what = _justification(line, words, skip_first=n == 0 and bool(str(line["lead"]).strip()))
        if not what:
            continue
        ordinal = words["ordinals"].get(str(n + 1), words["ordinals"]["more"])
        template = words["uses_single"] if len(lines) == 1 else words["uses_first"] if not parts else words["uses_next"]
        parts.append(template.replace("{ordinal}", ordinal).replace("{what}", what))
    return Markup(words["separator"].join(parts) + words["end"]) if parts else Markup("")


def _line(s: Step, d: Derivation, rules: dict, values: dict, msgs: dict) -> dict:
    variant = dict(s.params).get("variant")
    info = rules.get(f"{s.rule.id}#{variant}") or rules.get(s.rule.id)
    if info is None:
        raise RenderError(f"the message catalogue has no entry for rule {s.rule.id!r}")
    # a step may name what it is about (the layer z it goes through): trusted LaTeX from the engine
    values = {**values, **{k: v for k, v in s.params if k in STEP_NAMES and isinstance(v, str)}}
    sentence = fill(info["sentence"], values)
    status = "definition" if s.is_definition else (s.verdict.status if s.verdict else "unchecked")
    conds = [latex(c) for c in s.conditions]
    return _Line(s, {
        "rule": s.rule.id,
        "quiet": False,          # True: no verification mark beside it (the teaching style)
        "rule_name": fill(info["name"], values),
        "sentence": sentence,
        "plain_sentence": plain(sentence),
        "lhs": Markup(latex(s.lhs)),
        "rhs": Markup(latex(s.rhs)),
        "relation": Markup(":=" if s.is_definition and fmt_is_def(s) else "="),
        "chain": s.chain,
        "claim": not s.is_definition,
        "status": status,
        "method": s.verdict.method if s.verdict else None,
        "method_label": msgs.get("methods", {}).get(s.verdict.method, s.verdict.method) if s.verdict else "",
        "detail": s.verdict.detail if s.verdict else "",
        "mark": fill(msgs["marks"][status], values),
        "conditions": Markup(", ".join(conds)) if conds else "",
        "uses": [fill(msgs["uses"][u], values) for u in s.uses],
    })


def rebuilt(value: dict, fields: dict, fmt: str | None = None) -> dict:
    """fields in place of a view dict's: a line keeps its plain-text forms to come."""
    if isinstance(value, _Line):
        return _Line(value._step, fields, fmt or value._fmt)
    return fields


class _Line(dict):
    """A line of the view. Its plain-text forms (the text format's) are printed when a template
    asks for them: the other formats never do, and printing costs more than the rest of the line."""

    PLAIN = {"lhs_plain": lambda s: plain_formula(s.lhs), "rhs_plain": lambda s: plain_formula(s.rhs),
             "conditions_plain": lambda s: ", ".join(plain_formula(c) for c in s.conditions)}

    def __init__(self, step: Step, fields: dict, fmt: str | None = None):
        super().__init__(fields)
        self._step, self._fmt = step, fmt   # _fmt: the typography (prose) the text gets, once set

    def __missing__(self, key):
        if key not in self.PLAIN:
            raise KeyError(key)
        text = self.PLAIN[key](self._step)
        value = self[key] = prose(text, self._fmt) if self._fmt is not None else text
        return value


def _has(e, part) -> bool:
    return e == part or bool(getattr(e, "has", None)) and e.has(part)


def fmt_is_def(s: Step) -> bool:
    return isinstance(s.lhs, (sp.Symbol, sp.Indexed))


def _numeric(d: Derivation, values: dict):
    if d.numeric is None:
        return None
    return d.numeric.view()
