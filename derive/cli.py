"""Command line: derive list | describe | render | grad | check. SymPy is imported only when needed."""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from . import __version__, signals
from .errors import DeriveError, UsageError, quoted
from .files import check_output, descriptor, write_atomic, write_stdout
from .shown import message

CODE_FORMATS = ("numpy", "torch")   # derive.render.CODE_FORMATS (not imported here: it imports SymPy)

FORMAT_NAMES = ("latex", "latex-fragment", "markdown", "html", "json", "text", "numpy", "torch")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as one line and exit code 2 (its own usage dump is noise)."""

    def error(self, message):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="derive", description="Derive, verify and typeset the calculus of softmax and cross-entropy.")
    p.add_argument("--version", action="version", version=f"derive {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    ls = sub.add_parser("list", help="list the recipes")
    ls.add_argument("--json", action="store_true", help="print the recipes as JSON (name, group, summary)")

    ds = sub.add_parser("describe", help="what a recipe derives and its parameters")
    ds.add_argument("recipe", help="a recipe name, as `derive list` shows it")

    r = sub.add_parser("render", help="derive, verify and write a derivation")
    r.add_argument("recipe", help="a recipe name, as `derive list` shows it")
    r.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter of the recipe (repeatable; `derive describe RECIPE` lists them)")
    _output_options(r)

    g = sub.add_parser("grad", help="derive the gradient of a loss written in LaTeX, step by step")
    g.add_argument("loss", help=r"the loss, e.g. 'L = -\sum_{i=1}^{K} y_i \log a_i'")
    g.add_argument("--define", action="append", default=[], metavar="DEF", help=r"a definition, e.g. 'a_i = ...'")
    g.add_argument("--assume", action="append", default=[], metavar="FACT", help=r"a fact, e.g. '\sum_i y_i = 1'")
    g.add_argument("--wrt", default=None, metavar="NAME", help="the vector to differentiate by (default: the logits)")
    g.add_argument("--route", action="append", default=[], metavar="ROUTE",
                   help="jacobian: derive the softmax Jacobian case by case and write J^T dL/da (default: cite it)")
    g.add_argument("--size", action="append", default=[], metavar="NAME=N",
                   help="another size of the matrices and batches, e.g. D=3 (alongside -K)")
    _output_options(g)

    c = sub.add_parser("check", help="check a hand derivation (.tex or .md), line by line")
    from .checker.arguments import add_arguments

    add_arguments(c)
    return p


def _output_options(r) -> None:
    """The options render and grad share: size, format, language, output, values, notation."""
    r.add_argument("-K", dest="K", default=None, help="an integer >= 2, or a name such as K, C, n (default K)")
    r.add_argument("--format", "-f", default="latex", help="|".join(FORMAT_NAMES))
    r.add_argument("--lang", default="en", help="en|zh")
    r.add_argument("-o", "--output", default=None, help="output file; '-' for stdout (default output/<name>-K<k>.<ext>)")
    r.add_argument("--pdf", action="store_true", help="also compile a PDF with latexmk (at most $DERIVE_TEX_TIMEOUT s, default 60)")
    r.add_argument("--values", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="numbers for a worked example (repeatable): z=1.1,-0.7,0.1 and target=0 (a class index, "
                        "from 0) or target=0.2,0.3,0.5; rows of a batch separated by ';'")
    r.add_argument("--label", default=None, metavar="PREFIX",
                   help="paper style: equations labelled PREFIX-1, PREFIX-2, ... (default eq:<recipe>[-K<k>], eq:grad-<hex>)")
    r.add_argument("--notation", default=None, metavar="logits=z,probs=a,target=y,loss=L",
                   help="the letters of your own text, index letters too (i=c,j=k,k=j)")
    r.add_argument("--with-test", action="store_true",
                   help="--format torch: also write test_<module>.py beside it (gradcheck, autograd)")
    r.add_argument("--templates", default=None, metavar="DIR", help="a directory of templates overriding ours (rendered within $DERIVE_TEMPLATE_TIMEOUT s, default 20)")
    add_document_options(r)


def add_document_options(p: argparse.ArgumentParser) -> None:
    """--style and --flavor, for every command that writes a document."""
    p.add_argument("--style", default=None, help="full|paper|teaching (default: paper for latex-fragment, else full)")
    p.add_argument("--flavor", default=None, help="Markdown only: standard|marked|hexo|markdown-it (default standard)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _quick_exit()
    _safe_streams()
    debug = False  # the --debug option once parsed, never a word spelled --debug among the arguments
    try:
        with signals.handled():
            args = build_parser().parse_args(argv)
            debug = args.debug
            if args.command is None:
                build_parser().print_help()
                return 2
            code = COMMANDS[args.command](args)
            _flush_stdout()
            return code
    except DeriveError as exc:
        if debug:
            raise
        _say(f"derive: error: {message(str(exc))}")
        return exc.exit_code
    except signals.Stopped as exc:
        _say(f"derive: stopped by {exc.name}")
        return 128 + exc.signum
    except KeyboardInterrupt:
        _say("derive: interrupted")
        return 130
    except Exception as exc:  # a bug of ours: still one line, and the way to see more
        if debug:
            raise
        _say(f"derive: internal error: {type(exc).__name__}: {message(str(exc))} (rerun with --debug for a traceback)")
        return 2


def _flush_stdout() -> None:
    """What print() left in standard output's buffer, written now: a failure (a full disk,
    /dev/full) is an error with exit 2, not a silent 0 or a complaint at exit."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError as exc:
        try:  # what is still buffered goes nowhere: the interpreter's own flush at exit stays quiet
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        except (OSError, ValueError):
            pass
        from .errors import RenderError

        raise RenderError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _safe_streams() -> None:
    """Reports and messages never fail on the locale's encoding (PYTHONIOENCODING=ascii with --lang
    zh): what it cannot encode is written as escapes. Documents go out as UTF-8 (files.write_stdout)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _say(line: str) -> None:
    """One line on stderr, if there is a stderr to write to."""
    try:
        if sys.stderr is not None:
            print(line, file=sys.stderr)
    except (OSError, ValueError):
        pass


def run() -> int:
    """The process entry (python -m derive, the derive script): main() with the garbage collector
    kept out of SymPy's import, whose objects live as long as the process anyway (its collections
    there cost ~0.05 s of a 0.4 s command; memory is unchanged)."""
    import gc

    argv = sys.argv[1:]
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in COMMANDS and gc.isenabled():  # every command but --help and --version uses SymPy
        gc.disable()
        try:
            import sympy  # noqa: F401
        except ImportError:
            pass  # main() reports it as usual
        gc.freeze()  # what the import made is never walked by a collection again
        gc.enable()
    return main(argv)


def _quick_exit() -> None:
    """At exit, leave the objects SymPy made to the operating system: the interpreter's last
    garbage collection over them costs about 0.1 s, more than most commands' own work."""
    import atexit
    import gc

    if not _EXITING:
        atexit.register(gc.freeze)  # frozen objects are skipped by the collections at shutdown
        _EXITING.append(True)


_EXITING: list = []


def cmd_list(args) -> int:
    from . import recipebook as recipes

    items = recipes.all_recipes()
    if args.json:
        import json

        write_stdout(json.dumps([{"name": r.name, "group": r.group, "summary": r.summary} for r in items], indent=2) + "\n")
        return 0
    groups: dict[str, list] = {}
    for r in items:
        groups.setdefault(r.group, []).append(r)
    width = max(len(r.name) for r in items)
    lines = []
    for g, rs in groups.items():
        lines.append(f"{g}:")
        lines += [f"  {r.name:<{width}}  {r.summary}" for r in rs]
    write_stdout("\n".join(lines) + "\n")
    return 0


def cmd_describe(args) -> int:
    from . import recipebook as recipes

    r = recipes.get(args.recipe)
    lines = [f"{r.name}: {r.summary}"]
    if r.details:
        lines += ["", r.details]
    lines += ["", "Parameters (--param KEY=VALUE):" if r.params else "Parameters: none"]
    lines += [f"  {p.name} (default {p.default}): {p.help}" for p in r.params]
    lines.append(f"Target for --values: {r.target}")
    lines.append(_sizes_line(r))
    write_stdout("\n".join(lines) + "\n")
    return 0


def _sizes_line(r) -> str:
    """The sizes a recipe takes, as its own build says (a two-class recipe refuses -K 3 at once)."""
    from .errors import DeriveError
    from .notation import Notation

    try:
        r.build(3, Notation(), {p.name: p.default for p in r.params})
    except UsageError:
        return "Works for two classes only: -K 2 (a name such as -K K gives the same two-class document)."
    except (DeriveError, TypeError, ValueError):
        pass
    return "Works for a concrete K (-K 3) and for a general K (-K K)."


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"{option} {quoted(item)}: expected KEY=VALUE")
        k, v = (s.strip() for s in item.split("=", 1))
        out[k] = v
    return out


def cmd_render(args) -> int:
    from .pipeline import derivation

    fmt, out = _checked_output(args, args.recipe)
    with _bounded():
        d = derivation(args.recipe, args.K, args.notation, _pairs(args.param, "--param"), _values(args))
        text = _rendered(d, args, fmt)
    return _write(d, text, args, out)


@contextlib.contextmanager
def _bounded():
    """The whole of derive's own work on a command (derive, verify, worked numbers, render) within
    $DERIVE_TIME_LIMIT seconds (default signals.RUN_SECONDS): past it, one line and exit 2, and
    nothing is written (the output is written only after the work)."""
    from .render.contain import env_seconds

    limit = env_seconds(signals.RUN_ENV, signals.RUN_SECONDS)
    try:
        with signals.run_limit(limit):
            yield
    except signals.OutOfTime:
        raise UsageError(f"the run took longer than {limit:g} s and was stopped; nothing was written "
                         f"(set {signals.RUN_ENV} for more time)") from None


def _values(args) -> dict[str, str]:
    """--values, read by derive.numeric (imported only when there are some)."""
    if not args.values:
        return {}
    from .numeric import parse_values

    return parse_values(args.values)


def cmd_grad(args) -> int:
    from .engine import gradient

    fmt, out = _checked_output(args, _grad_name(args))
    with _bounded():
        d = gradient(args.loss, args.define, args.assume, args.wrt, args.K if args.K not in (None, "") else "K",
                     _values(args), args.notation, args.route, _sizes(args.size))
        text = _rendered(d, args, fmt)
    if dict(d.params).get("simplified") == "no" and fmt not in CODE_FORMATS:  # code refuses it in one line
        _say("derive: the gradient is derived but not simplified to the defined names; it is printed as it stands")
    return _write(d, text, args, out)


def _sizes(items: list[str]) -> dict:
    """--size D=3 (or D=D, general): the other sizes of matrices and batches, checked like -K."""
    out: dict = {}
    for item in items:
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or len(name) != 1 or not name.isupper():
            raise UsageError(f"--size {item!r}: expected a capital letter and its value, e.g. D=3")
        if value.isdigit():
            if not 1 <= int(value) <= 4096:
                raise UsageError(f"--size {name}={value}: a size from 1 to 4096")
            out[name] = int(value)
        elif value == name or not value:
            out[name] = name
        else:
            raise UsageError(f"--size {item!r}: the value is a whole number (D=3) or the letter itself (D=D)")
    return out


def _grad_name(args) -> str:
    """grad-<6 hex digits of the loss and its definitions>: each loss its own file under output/."""
    import hashlib

    text = "\n".join([args.loss, *args.define, *args.assume, args.wrt or "", *args.route])
    return "grad-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]


def _checked_output(args, name: str):
    from .render import check_format, extension

    fmt = check_format(args.format)
    from .render.styles import check_flavor, check_style

    style, _ = check_style(args.style, fmt), check_flavor(args.flavor, fmt)
    if args.lang not in ("en", "zh"):
        raise UsageError(f"unknown language {quoted(args.lang)} (use en or zh)")
    if args.pdf and not fmt.startswith("latex"):
        raise UsageError("--pdf needs --format latex")
    if args.with_test and fmt != "torch":
        raise UsageError("--with-test needs --format torch (the test runs gradcheck and autograd)")
    if args.with_test and args.output == "-":
        raise UsageError("--with-test needs a file: give -o FILE.py, not -o -")
    if args.templates is not None and not Path(args.templates).is_dir():
        raise UsageError(f"--templates {args.templates}: not a directory")
    from .render.styles import DEFAULT_STYLE

    # a style asked for that is not the format's own default is in the default file name
    shown = style if args.style is not None and style != DEFAULT_STYLE.get(fmt, "full") else None
    if fmt in CODE_FORMATS:  # an importable module name: output/softmax_cross_entropy_KK_torch.py
        name = f"{name.replace('-', '_')}_K{args.K if args.K not in (None, '') else 'K'}_{fmt}"
    return fmt, _output_path(args, extension(fmt), name, shown)


def _rendered(d, args, fmt: str) -> str:
    from .render import render

    return render(d, fmt, args.lang, args.templates, args.style, args.flavor, args.label)


def _write(d, text: str, args, out) -> int:
    if out is None:
        write_stdout(text)
    else:
        if args.output is None:  # output/ is made when there is something to write
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot make the directory {out.parent}: {exc.strerror or exc}") from None
        real = _checked(out, args)
        test = _test_file(d, args, out) if args.with_test else None
        if args.pdf:  # compiled first; then the .tex and the .pdf replace the old pair as one unit
            from .render.pdf import directory_lock, pdf_of

            pdf = pdf_of(text, args.lang, shown=out)
            with directory_lock(real.parent):
                write_atomic(real, text)
                write_atomic(real.with_suffix(".pdf"), pdf)
            _say(f"wrote {out}")
            _say(f"wrote {_pdf_name(out, real)}")
        else:
            write_atomic(real, text)
            _say(f"wrote {out}")
        if test is not None:
            write_atomic(test[0], test[1])
            _say(f"wrote {out.with_name(test[0].name)}")
    if not d.verified:
        from .pipeline import unconfirmed

        for n, s, v in unconfirmed(d):
            _say(f"derive: step {n} ({s.rule.id}) is {v.status}: {message(v.detail)}")
        return 1
    return 0


def _test_file(d, args, out: Path) -> tuple[Path, str]:
    """test_<module>.py beside the module, and its text (made before anything is written)."""
    from .render.code import generate_test

    path = out.with_name(f"test_{out.stem}.py")
    return check_output(path, "--with-test", inside=args.templates), generate_test(d, out.name)


def _output_path(args, ext: str, name: str, style: str | None = None) -> Path | None:
    """Where render writes (None: standard output), checked before any work is done."""
    if args.output == "-":
        if args.pdf:
            raise UsageError("--pdf needs a file: give -o FILE.tex, not -o -")
        return None
    if args.output:
        if args.output.endswith(("/", os.sep)):
            raise UsageError(f"-o {message(args.output)}: a directory name (it ends with /); give a file name")
        out = Path(args.output)
        if args.pdf and descriptor(out) is not None:
            raise UsageError(f"--pdf needs a file: -o {message(args.output)} is a descriptor of this process")
    else:
        k = args.K if args.K not in (None, "") else "K"
        out = Path("output") / (f"{name}.py" if ext == "py" else f"{name}-K{k}{'-' + style if style else ''}{'-' + args.lang if args.lang != 'en' else ''}.{ext}")
        if not out.parent.is_dir():
            return out  # output/ is made when there is something to write (then checked)
    _checked(out, args)
    return out


def _pdf_name(out: Path, real: Path) -> Path:
    """The PDF as the user would name it: beside -o (beside the file -o links to, if a link)."""
    return out.with_suffix(".pdf") if not out.is_symlink() else real.with_suffix(".pdf")


def _checked(out: Path, args) -> Path:
    """The resolved path to write: a regular file or a new name (files.check_output), and the PDF
    beside it likewise."""
    real = check_output(out, "-o", inside=args.templates)
    if args.pdf and real.suffix == ".pdf":
        raise UsageError(f"-o {out}: with --pdf the LaTeX source needs its own name, such as {out.with_suffix('.tex')}")
    if args.pdf:
        check_output(real.with_suffix(".pdf"), "--pdf", inside=args.templates, shown=_pdf_name(out, real))
    return real


def cmd_check(args) -> int:
    from .checker.command import main as check_main

    return check_main(args)


COMMANDS = {"list": cmd_list, "describe": cmd_describe, "render": cmd_render, "grad": cmd_grad, "check": cmd_check}


if __name__ == "__main__":
    sys.exit(main())
