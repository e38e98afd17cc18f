"""What templates see: sections of blocks of lines, every formula already LaTeX (trusted Markup)."""
from __future__ import annotations

import re

import sympy as sp
from markupsafe import Markup

from ..errors import RenderError
from ..steps import Derivation, Step
from .plain import plain_formula
from .printer import latex, latex_name


def names(d: Derivation) -> dict[str, str]:
    """Placeholders the message sentences may use: {a} {z} {y} {L} {i} {j} {k} {K}."""
    n = d.notation
    return {"z": latex_name(n.logits), "a": latex_name(n.probs), "y": latex_name(n.target),
            "L": latex_name(n.loss), "i": latex_name(n.i), "j": latex_name(n.j), "k": latex_name(n.k),
            "K": str(d.K) if isinstance(d.K, int) else latex(d.K),
            "av": r"\mathbf{" + latex_name(n.probs) + "}", "zv": r"\mathbf{" + latex_name(n.logits) + "}",
            "yv": r"\mathbf{" + latex_name(n.target) + "}", **{k: str(v) for k, v in d.params}}


def fill(text: str, values: dict) -> Markup:
    """Our catalogue's sentences are trusted LaTeX; only {placeholders} are filled in."""
    return Markup(re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text))


def plain(text: str) -> str:
    """A sentence without its math markup, for JSON and the terminal."""
    t = re.sub(r"\\(mathbf|operatorname|mathrm|text)\{([^{}]*)\}", r"\2", str(text))
    t = t.replace("$", "").replace("\\", "")
    return re.sub(r"\s+", " ", t).strip()


def view(d: Derivation, msgs: dict, fmt: str, lang: str) -> dict:
    values = names(d)
    rules = msgs["rules"]
    sections: list[dict] = []
    for s in d.steps:
        key = s.section or "main"
        if not sections or sections[-1]["key"] != key:
            sections.append({"key": key, "title": fill(msgs["sections"].get(key, key), values), "blocks": []})
        blocks = sections[-1]["blocks"]
        line = _line(s, d, rules, values, msgs)
        if blocks and (s.chain or s.is_definition and blocks[-1]["lines"][-1]["status"] == "definition"):
            blocks[-1]["lines"].append(line)
        else:
            blocks.append({"sentence": line["sentence"], "lines": [line]})
    claims = d.claims
    counts = {st: sum(1 for s in claims if s.verdict and s.verdict.status == st)
              for st in ("verified", "refuted", "unconfirmed")}
    methods = sorted({s.verdict.method for s in claims if s.verdict and s.verdict.method})
    recipe_msgs = msgs["recipes"].get(d.recipe, {"title": d.recipe, "intro": ""})
    return {
        "lang": lang,
        "fmt": fmt,
        "recipe": d.recipe,
        "title": fill(recipe_msgs["title"], values),
        "intro": fill(recipe_msgs["intro"], values),
        "size_sentence": fill(msgs["size"]["concrete" if isinstance(d.K, int) else "general"], values),
        "assumptions": [fill(msgs["assumptions"][a], values) for a in d.assumptions],
        "sections": sections,
        "verified": d.verified,
        "counts": counts,
        "methods": methods,
        "labels": {k: fill(v, values) for k, v in msgs["labels"].items()},
        "result": Markup(latex(d.result)) if d.result is not None else None,
        "numeric": _numeric(d, values),
        "names": values,
        "K": d.K if isinstance(d.K, int) else str(d.K),
        "notation": d.notation.as_dict(),
    }


def _line(s: Step, d: Derivation, rules: dict, values: dict, msgs: dict) -> dict:
    variant = dict(s.params).get("variant")
    info = rules.get(f"{s.rule.id}#{variant}") or rules.get(s.rule.id)
    if info is None:
        raise RenderError(f"the message catalogue has no entry for rule {s.rule.id!r}")
    sentence = fill(info["sentence"], values)
    status = "definition" if s.is_definition else (s.verdict.status if s.verdict else "unchecked")
    conds = [latex(c) for c in s.conditions]
    return {
        "rule": s.rule.id,
        "rule_name": fill(info["name"], values),
        "sentence": sentence,
        "plain_sentence": plain(sentence),
        "lhs": Markup(latex(s.lhs)),
        "rhs": Markup(latex(s.rhs)),
        "lhs_plain": plain_formula(s.lhs),
        "rhs_plain": plain_formula(s.rhs),
        "conditions_plain": ", ".join(plain_formula(c) for c in s.conditions),
        "relation": Markup(":=" if s.is_definition and fmt_is_def(s) else "="),
        "chain": s.chain,
        "claim": not s.is_definition,
        "status": status,
        "method": s.verdict.method if s.verdict else None,
        "detail": s.verdict.detail if s.verdict else "",
        "mark": fill(msgs["marks"][status], values),
        "conditions": Markup(", ".join(conds)) if conds else "",
        "uses": [fill(msgs["uses"][u], values) for u in s.uses],
    }


def fmt_is_def(s: Step) -> bool:
    return isinstance(s.lhs, (sp.Symbol, sp.Indexed))


def _numeric(d: Derivation, values: dict):
    if d.numeric is None:
        return None
    return d.numeric.view()
