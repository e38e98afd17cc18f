"""`derive check FILE`: arguments, reading the input, exit codes; and the Python entry check()."""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from ..errors import DeriveError, UsageError
from .budget import Budget
from .checker import CheckResult, check_document, parse_K
from ..latex.extract import MAX_BYTES, extract
from ..files import check_output, read_capped, write_atomic, write_stdout
from .arguments import add_arguments  # noqa: F401  (the CLI's subparser)
from . import many
from .words import language
from .report import annotate, terminal, to_json


def read_input(file: str) -> tuple[str, str]:
    """(text, name) of a path or of stdin ('-'); size capped, UTF-8 required."""
    if file == "-":
        if sys.stdin is None:
            raise UsageError("standard input is closed (give a file, or pipe the text into derive check -)")
        try:
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read standard input: {exc.strerror or exc}") from None
        name = "<stdin>"
    else:
        data = read_capped(file, MAX_BYTES, hint=" (use - to read standard input)")
        name = file
    if len(data) > MAX_BYTES:
        raise UsageError(f"{name}: larger than {MAX_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"{name}: not UTF-8 text (line {line}, byte {exc.start})") from None
    return text, name


def _format_of(name: str, text: str, given: str | None) -> str:
    if given:
        return given
    suffix = Path(name).suffix.lower()
    if suffix in (".md", ".markdown"):
        return "md"
    if suffix in (".tex", ".latex", ".ltx"):
        return "tex"
    if suffix in (".ipynb", ".rst"):
        return suffix[1:]
    # stdin or unknown: Markdown if it has $$ blocks and no LaTeX environments
    return "md" if "$$" in text and "\\begin{document}" not in text and "\\begin{align" not in text else "tex"


def check(text_or_path: str | os.PathLike, *, K: int | str | None = None, defines=(), assumes=(),
          fmt: str | None = None, budget: Budget | None = None) -> CheckResult:
    """Check a hand derivation given as a path or as the text itself (within budget: time per document)."""
    if isinstance(text_or_path, os.PathLike) or ("\n" not in str(text_or_path) and Path(str(text_or_path)).is_file()):
        text, name = read_input(str(text_or_path))
    else:
        text, name = str(text_or_path), "<text>"
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise UsageError(f"input larger than {MAX_BYTES // 1_000_000} MB")
    fmt = _format_of(name, text, fmt)
    doc = extract(text, fmt)
    return check_document(doc, file=name, K=parse_K(K), defines=tuple(defines), assumes=tuple(assumes), budget=budget)


def judge(text: str, name: str, fmt: str | None = None, *, K: int | str | None = None, define: tuple[str, ...] = (),
          assume: tuple[str, ...] = (), budget: Budget | None = None, lang: str | None = None) -> CheckResult:
    """Check a document's text, as `derive check` and derive.check() do: a document with no display
    math, or none of whose math could be read, is unusable input (UsageError), not a verdict."""
    doc = extract(text, _format_of(name, text, fmt))
    result = check_document(doc, file=name, K=parse_K(K), defines=define, assumes=assume, budget=budget)
    if not any(hasattr(it, "sides") or hasattr(it, "reason") for it in doc.items):
        raise UsageError(f"{name}: no display math found (use align, equation, \\[ \\] or $$ $$)")
    unread = result.nothing_read
    if unread is not None:   # not one step could be read: unusable input, not a verdict
        raise UsageError(f"{name}: nothing could be read; line {unread.line}: {unread.reason}")
    return dataclasses.replace(result, lang=language(text, lang))


def main(args: argparse.Namespace) -> int:
    """Run `derive check`; returns 0 when every claimed step is confirmed, 1 when one is wrong or could
    not be verified (an unconfirmed step is never passed as true). DeriveError (exit 2) propagates."""
    report = args.report or ("json" if args.json else "text")
    files = list(args.file) if isinstance(args.file, list) else [args.file]
    if len(files) > 1 or Path(files[0]).is_dir() or report in ("github", "junit"):
        return _many(args, files, report)
    args.file = files[0]
    if args.annotate:  # checked before the work: never the input itself, a device or a directory
        # '-' is standard output, as for -o (not a file named '-')
        annotate_to = check_output("/dev/stdout" if args.annotate == "-" else args.annotate, "--annotate",
                                   inputs=() if args.file == "-" else (args.file,))
    text, name = read_input(args.file)
    result = judge(text, name, getattr(args, "input_format", None), K=args.K, define=tuple(args.define or ()),
                   assume=tuple(args.assume or ()), lang=getattr(args, "lang", None) or _english_only())
    if args.annotate:
        write_atomic(annotate_to, annotate(result))
    if args.json:
        write_stdout(to_json(result))
    else:
        write_stdout(terminal(result, color=sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ))
    return 0 if result.ok else 1


def _many(args: argparse.Namespace, files: list[str], report: str) -> int:
    """Several files (or a folder): a report per file folded into one table, GitHub or JUnit output."""
    if args.annotate:
        raise UsageError("--annotate takes one input file")
    names = many.expand(files)
    lang = getattr(args, "lang", None) or _english_only()

    def one(name: str) -> CheckResult:
        text, shown = read_input(name)
        return judge(text, shown, getattr(args, "input_format", None), K=args.K, define=tuple(args.define or ()),
                     assume=tuple(args.assume or ()), lang=lang)

    progress = report == "text" and sys.stderr is not None and sys.stderr.isatty()
    outcomes = many.check_all(names, one, progress)
    if report == "json":
        write_stdout(many.as_json(outcomes))
    elif report == "github":
        write_stdout(many.github(outcomes))
    elif report == "junit":
        write_stdout(many.junit(outcomes))
    else:
        write_stdout(many.table(outcomes, lang or "en"))
    return many.exit_code(outcomes)


def _english_only() -> str | None:
    """en when the terminal cannot show Chinese (an ASCII locale): a report in escapes helps nobody."""
    try:
        "错误".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "en"
    return None


def run(argv: list[str] | None = None) -> int:
    """Stand-alone entry (python -m derive.checker.command): the same mapping of errors as the CLI."""
    parser = argparse.ArgumentParser(prog="derive check")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return main(args)
    except DeriveError as exc:
        if args.debug:
            raise
        print(f"derive check: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(run())
