"""The hostile inputs of issue 13 and more: each with the exit code and the message it must give."""
from __future__ import annotations

import os
import random

from hostile.harness import Case, Dirs

SCE = "softmax-cross-entropy"
_rng = random.Random(1024)
Z1024 = ",".join(f"{_rng.uniform(-3, 3):.4f}" for _ in range(1024))


# -- setups: what the user's directories hold before the run --------------------------------------
def files(**named: str | bytes):
    """Write files under cwd (names use / for folders; '@' in a name stands for '.')."""
    def setup(d: Dirs) -> None:
        for name, content in named.items():
            p = d.cwd / name.replace("__", "/").replace("@", ".")
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return setup


def template(name: str, body: str, extra=None):
    """A --templates folder 'house' holding one template (name relative to it)."""
    def setup(d: Dirs) -> None:
        p = d.cwd / "house" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body)
        if extra:
            extra(d)
    return setup


def link_out(name: str, to: str = "secret.txt"):
    """cwd/name -> outside/to (a symbolic link out of the folder the user named)."""
    def setup(d: Dirs) -> None:
        p = d.cwd / name
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(d.outside / to, p)
    return setup


def both(*setups):
    def setup(d: Dirs) -> None:
        for s in setups:
            s(d)
    return setup


def fifo(name: str):
    return lambda d: os.mkfifo(d.cwd / name)


def read_only(name: str, text: str = "keep me\n"):
    def setup(d: Dirs) -> None:
        p = d.cwd / name
        p.write_text(text)
        p.chmod(0o444)
    return setup


GOOD_MD = "$$ x = x $$\n\n$$ y + y = 2 y $$\n"
ERR = r"^derive: error: .*?"  # then the words that matter, anywhere in the line
TEX_LOOP = "\\documentclass{article}\n\\begin{document}\n\\def\\x{\\x}\\x\n\\end{document}\n"
FAST = (("DERIVE_TEMPLATE_TIMEOUT", "3"),)

CASES: list[Case] = [
    # -- render: recipe, K, format, language -------------------------------------------------------
    Case("render-unknown-recipe", ("render", "nosuch", "-o", "-"), 2, ERR + r"unknown recipe 'nosuch'"),
    Case("render-recipe-path", ("render", "../../etc/passwd", "-o", "-"), 2, ERR + r"unknown recipe"),
    Case("render-K-zero", ("render", SCE, "-K", "0", "-o", "-"), 2, ERR + r"-K 0: softmax needs at least 2"),
    Case("render-K-huge", ("render", SCE, "-K", "100000000000000000000", "-o", "-"), 2, ERR + r"-K 1+0+: larger than the limit of 1024"),
    Case("render-K-shell", ("render", SCE, "-K", "K;rm -rf /", "-o", "-"), 2, ERR + r"-K 'K;rm -rf /': expected an integer >= 2"),
    Case("render-K-float", ("render", SCE, "-K", "1e9", "-o", "-"), 2, ERR + r"-K '1e9': expected an integer"),
    Case("render-format-pdf", ("render", SCE, "--format", "pdf"), 2, ERR + r"unknown format 'pdf'"),
    Case("render-lang-path", ("render", SCE, "--lang", "../../zh"), 2, ERR + r"unknown language"),
    Case("render-default-output", ("render", SCE, "-K", "2"), 0, r"wrote output/softmax-cross-entropy-K2.tex",
         writes=("output/softmax-cross-entropy-K2.tex",)),
    Case("render-output-is-a-file", ("render", SCE, "-K", "2"), 2, ERR + r"cannot make the directory output",
         setup=files(output="not a folder\n"), unchanged=("output",)),
    # -- --param, --notation -------------------------------------------------------------------------
    Case("param-unknown", ("render", SCE, "--param", "nosuch=1", "-o", "-"), 2, ERR + r"does not take --param nosuch"),
    Case("param-overflow", ("render", "temperature-softmax-cross-entropy", "--param", "T=1e309", "-o", "-"), 2,
         ERR + r"--param T='1e309': not a valid value", surface="param"),
    Case("param-no-equals", ("render", SCE, "--param", "T", "-o", "-"), 2, ERR + r"--param 'T': expected KEY=VALUE",
         surface="param"),
    Case("param-zero-temperature", ("render", "temperature-softmax-cross-entropy", "--param", "T=0", "-o", "-"), 2,
         ERR + r"temperature must be > 0", surface="param"),
    Case("notation-tex-injection", ("render", SCE, "--notation", r"logits=\input{/etc/passwd}", "-o", "-"), 2,
         ERR + r"is not a usable name", surface="notation"),
    Case("notation-huge-name", ("render", SCE, "--notation", "logits=" + "z" * 10000, "-o", "-"), 2,
         ERR + r"logits is a name of 10000 characters \(at most 24\)", surface="notation"),
    Case("notation-twice", ("render", SCE, "--notation", "logits=z,logits=x", "-o", "-"), 2,
         ERR + r"logits given twice", surface="notation"),
    Case("notation-reserved", ("render", SCE, "--notation", "logits=exp", "-o", "-"), 2, ERR + r"reserved",
         surface="notation"),
    Case("notation-collision", ("render", SCE, "--notation", "logits=a", "-o", "-"), 2, ERR + r"'a' is used twice",
         surface="notation"),
    # -- --values --------------------------------------------------------------------------------------
    Case("values-overflow-loss", ("render", SCE, "-K", "3", "--values", "z=1e308,-1e308,0", "--values", "target=1",
                                  "-o", "-"), 2, ERR + r"overflows double precision", surface="values"),
    Case("values-huge-but-finite", ("render", SCE, "-K", "3", "--values", "z=1e308,-1e308,0", "--values", "target=0",
                                    "-f", "json", "-o", "-"), 0, r'"loss": 0\.0', surface="values"),
    Case("values-beyond-double", ("render", SCE, "-K", "2", "--values", "z=1e309,0", "--values", "target=0", "-o", "-"), 2,
         ERR + r"'1e309' is not a finite number", surface="values"),
    Case("values-nan", ("render", SCE, "-K", "3", "--values", "z=nan,0,0", "--values", "target=0", "-o", "-"), 2,
         ERR + r"'nan' is not a finite number", surface="values"),
    Case("values-hex", ("render", SCE, "-K", "3", "--values", "z=0x10,0,0", "--values", "target=0", "-o", "-"), 2,
         ERR + r"'0x10' is not a number", surface="values"),
    Case("values-too-many", ("render", SCE, "--values", "z=" + ",".join(["1"] * 5000), "--values", "target=0", "-o", "-"),
         2, ERR + r"more than 4096 numbers", surface="values"),
    Case("values-class-out-of-range", ("render", SCE, "-K", "3", "--values", "z=1,2,3", "--values", "target=99999999999",
                                       "-o", "-"), 2, ERR + r"class index out of range 0\.\.2", surface="values"),
    Case("values-not-a-distribution", ("render", SCE, "-K", "3", "--values", "z=1,2,3", "--values", "target=0.5,0.5,0.5",
                                       "-o", "-"), 2, ERR + r"sums to 1\.5, not 1", surface="values"),
    Case("values-K1024-linear", ("render", SCE, "-K", "K", "--values", "z=" + Z1024, "--values", "target=3", "-f", "json",
                                 "-o", "-"), 0, r'"gradient_check_digits": (2[5-9]|30)', surface="values"),
    Case("values-K1024-concrete", ("render", SCE, "-K", "1024", "--values", "z=" + Z1024, "--values", "target=3", "-f",
                                   "json", "-o", "-"), 0, r'"gradient_check_digits": (2[5-9]|30)', surface="values"),
    Case("values-batch-rows-ragged", ("render", "batch-cross-entropy", "--values", "z=1,2;3", "--values", "target=0;0",
                                      "-o", "-"), 2, ERR + r"rows have different lengths", surface="values"),
    # -- -o ---------------------------------------------------------------------------------------------
    # through a link to /dev/null: were the refusal to regress, a rename would replace the link, not
    # the device (as root, -o /dev/null itself would replace the machine's /dev/null)
    Case("output-dev-null", ("render", SCE, "-K", "2", "-o", "null.tex"), 2,
         ERR + r"-o null\.tex: a character device, not a regular file", setup=lambda d: os.symlink("/dev/null", d.cwd / "null.tex"),
         surface="output"),
    *([Case("output-dev-null-direct", ("render", SCE, "-K", "2", "-o", "/dev/null"), 2,
            ERR + r"-o /dev/null: a character device", surface="output")] if os.geteuid() != 0 else []),
    Case("output-fifo", ("render", SCE, "-K", "2", "-o", "pipe"), 2, ERR + r"-o pipe: a FIFO, not a regular file",
         setup=fifo("pipe"), surface="output"),
    Case("output-directory", ("render", SCE, "-K", "2", "-o", "."), 2, ERR + r"-o \.: a directory", surface="output"),
    Case("output-read-only", ("render", SCE, "-K", "2", "-o", "ro.tex"), 2, ERR + r"-o ro\.tex: the file is read-only",
         setup=read_only("ro.tex"), unchanged=("ro.tex",), surface="output"),
    Case("output-name-300", ("render", SCE, "-K", "2", "-o", "n" * 300 + ".tex"), 2,
         ERR + r"a file name longer than 255 bytes", surface="output"),
    Case("output-name-250", ("render", SCE, "-K", "2", "-o", "n" * 250 + ".tex"), 0, r"wrote n+\.tex",
         writes=("n" * 250 + ".tex",), surface="output"),
    Case("output-missing-dir", ("render", SCE, "-K", "2", "-o", "no/such/dir/x.tex"), 2,
         ERR + r"the directory no/such/dir does not exist", surface="output"),
    Case("output-into-templates", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house",
                                   "-o", "house/markdown/document.md.j2"), 2, ERR + r"inside the --templates folder",
         setup=template("markdown/document.md.j2", "# {{ title }}\n"), unchanged=("house/markdown/document.md.j2",),
         surface="output"),
    Case("output-link-followed", ("render", SCE, "-K", "2", "-o", "link.tex"), 0, r"wrote link\.tex",
         setup=both(files(**{"real@tex": "old\n"}), lambda d: os.symlink("real.tex", d.cwd / "link.tex")),
         writes=("real.tex",), surface="output"),
    Case("output-stdout-with-pdf", ("render", SCE, "-K", "2", "-o", "-", "--pdf"), 2, ERR + r"--pdf needs a file",
         surface="output"),
    Case("annotate-the-input", ("check", "in.md", "--annotate", "in.md"), 2,
         ERR + r"--annotate in\.md: that is the input file", setup=files(**{"in@md": GOOD_MD}), unchanged=("in.md",),
         surface="output"),
    Case("annotate-link-to-input", ("check", "in.md", "--annotate", "alias.md"), 2, ERR + r"that is the input file",
         setup=both(files(**{"in@md": GOOD_MD}), lambda d: os.symlink("in.md", d.cwd / "alias.md")),
         unchanged=("in.md",), surface="output"),
    Case("annotate-dev-null", ("check", "in.md", "--annotate", "null.md"), 2, ERR + r"--annotate null\.md: a character device",
         setup=both(files(**{"in@md": GOOD_MD}), lambda d: os.symlink("/dev/null", d.cwd / "null.md")), surface="output"),
    Case("annotate-ok", ("check", "in.md", "--annotate", "marked.md"), 0, r"2 ok, 0 wrong",
         setup=files(**{"in@md": GOOD_MD}), writes=("marked.md",), surface="output"),
    # -- --templates ----------------------------------------------------------------------------------
    Case("templates-symlink-passwd", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"--templates house: markdown/document\.md\.j2 leads outside the folder",
         setup=link_out("house/markdown/document.md.j2"), surface="templates"),
    Case("templates-symlinked-folder", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"),
         2, ERR + r"leads outside the folder",
         setup=lambda d: ((d.outside / "markdown").mkdir(), (d.outside / "markdown" / "document.md.j2").write_text(
             d.canary), (d.cwd / "house").mkdir(), os.symlink(d.outside / "markdown", d.cwd / "house" / "markdown")),
         surface="templates"),
    Case("templates-include-outside", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"),
         2, ERR + r"TemplateNotFound", setup=template("markdown/document.md.j2", '{% include "../../outside/secret.txt" %}'),
         surface="templates"),
    Case("templates-catalogue-list", ("render", SCE, "-K", "2", "--templates", "house", "-o", "x.tex"), 2,
         ERR + r"house/messages/en/x\.json: not a message catalogue \(expected a JSON object",
         setup=template("messages/en/x.json", "[1, 2]"), surface="templates"),
    Case("templates-catalogue-deep", ("render", SCE, "-K", "2", "--templates", "house", "-o", "x.tex"), 2,
         ERR + r"not a message catalogue \(nested too deeply\)",
         setup=template("messages/en/x.json", "[" * 100_000 + "]" * 100_000), surface="templates"),
    Case("templates-catalogue-deep-objects", ("render", SCE, "-K", "2", "--templates", "house", "-o", "x.tex"), 2,
         ERR + r"not a message catalogue \((nested more than 8|nested too deeply)",
         setup=template("messages/en/x.json", '{"a":' * 2000 + '"x"' + "}" * 2000), surface="templates"),
    Case("templates-catalogue-not-utf8", ("render", SCE, "-K", "2", "--templates", "house", "-o", "x.tex"), 2,
         ERR + r"not a valid JSON message catalogue",
         setup=files(**{"house__messages__en__x@json": b"\xff\xfe{}"}), surface="templates"),
    Case("templates-catalogue-symlink", ("render", SCE, "-K", "2", "--templates", "house", "-o", "x.tex"), 2,
         ERR + r"leads outside the folder", setup=link_out("house/messages/en/x.json"), surface="templates"),
    Case("templates-nested-range", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"--templates house: rendering took longer than 3 s",
         setup=template("markdown/document.md.j2",
                        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
         env=FAST, surface="templates"),
    Case("templates-output-loop", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"--templates house: (rendering took longer|needed more than 512 MB)",
         setup=template("markdown/document.md.j2",
                        "{% for i in range(100000) %}{% for j in range(100000) %}{{ 'x' * 1000 }}{% endfor %}{% endfor %}"),
         env=FAST, surface="templates"),
    Case("templates-doubling", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"--templates house: needed more than 512 MB of memory",
         setup=template("markdown/document.md.j2",
                        '{% set ns = namespace(s="x") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}'
                        "{{ ns.s | length }}"),
         # the memory bound must be what stops it: under the suite's parallel load 3 s of wall clock
         # can pass first (CI, stop 25), so this case alone gets time to spare
         env=(("DERIVE_TEMPLATE_TIMEOUT", "25"),), surface="templates"),
    Case("templates-self-include", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"(RecursionError|nested too deeply|took longer|memory)",
         setup=template("markdown/document.md.j2", '{% include "markdown/document.md.j2" %}'), env=FAST,
         surface="templates"),
    Case("templates-sandbox-escape", ("render", SCE, "-K", "2", "-f", "text", "--templates", "house", "-o", "x.txt"), 2,
         ERR + r"SecurityError", setup=template("text/document.txt.j2", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
         surface="templates"),
    Case("templates-huge-file", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"larger than 1 MB", setup=template("markdown/document.md.j2", "x" * 2_000_000), surface="templates"),
    Case("templates-fifo", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 2,
         ERR + r"markdown/document\.md\.j2: a FIFO, not a regular file$",
         setup=lambda d: ((d.cwd / "house" / "markdown").mkdir(parents=True),
                          os.mkfifo(d.cwd / "house" / "markdown" / "document.md.j2")), surface="templates"),
    Case("templates-many-catalogues", ("render", SCE, "-K", "2", "--templates", "house", "-o", "x.tex"), 2,
         ERR + r"100 message catalogues \(at most 64\)",
         setup=files(**{f"house__messages__en__m{n}@json": "{}" for n in range(100)}), surface="templates"),
    Case("templates-not-a-folder", ("render", SCE, "--templates", "/etc/passwd", "-o", "-"), 2, ERR + r"not a directory",
         surface="templates"),
    Case("templates-house-style-ok", ("render", SCE, "-K", "2", "-f", "markdown", "--templates", "house", "-o", "x.md"), 0,
         r"wrote x\.md", setup=template("markdown/document.md.j2", "# {{ title }}\n"), writes=("x.md",),
         surface="templates"),
    # -- --pdf --------------------------------------------------------------------------------------------
    Case("pdf-tex-loop", ("render", "softmax-jacobian", "-K", "2", "--templates", "house", "-o", "x.tex", "--pdf"), 2,
         ERR + r"TeX did not finish within 4 s on x\.tex \(stopped",
         setup=template("latex/document.tex.j2", TEX_LOOP), env=(("DERIVE_TEX_TIMEOUT", "4"),), writes=("x.tex",),
         surface="pdf", tools=("latexmk", "pdflatex")),
    Case("pdf-read-outside", ("render", "softmax-jacobian", "-K", "2", "--templates", "house", "-o", "x.tex", "--pdf"), 2,
         ERR + r"TeX failed on x\.tex: .*(not found|not be found|Emergency stop)",
         setup=lambda d: template("latex/document.tex.j2",
                                  "\\documentclass{article}\n\\begin{document}\n\\input{" + str(d.outside / "secret.txt")
                                  + "}\n\\end{document}\n")(d),
         writes=("x.tex",), surface="pdf", tools=("latexmk", "pdflatex")),
    Case("pdf-read-parent", ("render", "softmax-jacobian", "-K", "2", "--templates", "house", "-o", "x.tex", "--pdf"), 2,
         ERR + r"TeX failed on x\.tex: .*(not found|not be found|Emergency stop)",
         setup=template("latex/document.tex.j2", "\\documentclass{article}\n\\begin{document}\n"
                        "\\input{../../outside/secret.txt}\n\\end{document}\n"),  # from TMPDIR/derive-tex-*/
         writes=("x.tex",), surface="pdf", tools=("latexmk", "pdflatex")),
    Case("pdf-tex-loop-xelatex", ("render", "softmax-jacobian", "-K", "2", "--lang", "zh", "--templates", "house",
                                  "-o", "x.tex", "--pdf"), 2, ERR + r"TeX did not finish within 4 s on x\.tex",
         setup=template("latex/document.tex.j2", TEX_LOOP), env=(("DERIVE_TEX_TIMEOUT", "4"),), writes=("x.tex",),
         surface="pdf", tools=("latexmk", "xelatex")),
    Case("pdf-shell-escape", ("render", "softmax-jacobian", "-K", "2", "--templates", "house", "-o", "x.tex", "--pdf"), 0,
         r"^wrote x\.pdf",
         setup=lambda d: template("latex/document.tex.j2", "\\documentclass{article}\n\\begin{document}\n"
                                  "\\immediate\\write18{touch " + str(d.cwd / "pwned") + "}x\n\\end{document}\n")(d),
         writes=("x.tex", "x.pdf"), surface="pdf", tools=("latexmk", "pdflatex")),
    Case("pdf-bad-timeout", ("render", SCE, "-K", "2", "-o", "x.tex", "--pdf"), 2,
         ERR + r"DERIVE_TEX_TIMEOUT='soon': expected a number of seconds", env=(("DERIVE_TEX_TIMEOUT", "soon"),),
         writes=("x.tex",), surface="pdf", tools=("latexmk", "pdflatex")),
    Case("pdf-onto-fifo", ("render", SCE, "-K", "2", "-o", "x.tex", "--pdf"), 2, ERR + r"--pdf x\.pdf: a FIFO",
         setup=fifo("x.pdf"), surface="pdf"),
    Case("pdf-source-is-the-pdf", ("render", SCE, "-K", "2", "-o", "doc.pdf", "--pdf"), 2,
         ERR + r"-o doc\.pdf: with --pdf the LaTeX source needs its own name, such as doc\.tex", surface="pdf"),
    Case("pdf-ok", ("render", "softmax-jacobian", "-K", "2", "-o", "x.tex", "--pdf"), 0, r"^wrote x\.pdf",
         writes=("x.tex", "x.pdf"), surface="pdf", tools=("latexmk", "pdflatex")),
    # -- derive grad: the user's own loss in LaTeX ---------------------------------------------------
    Case("grad-empty", ("grad", "", "-o", "-"), 2, ERR + r"the loss is empty", surface="grad"),
    Case("grad-tex-command", ("grad", r"L = \input{/etc/passwd}", "-o", "-"), 2, ERR + r"the command \\input", surface="grad"),
    Case("grad-deep-parens", ("grad", "L = " + "(" * 5000 + "z_1" + ")" * 5000, "-o", "-"), 2,
         ERR + r"longer than 4000 characters", surface="grad"),
    Case("grad-output-fifo", ("grad", r"L = -\sum_k y_k \log a_k", "--define", r"a_i = \frac{e^{z_i}}{\sum_k e^{z_k}}",
                              "-o", "pipe"), 2, ERR + r"-o pipe: a FIFO", setup=fifo("pipe"), surface="grad"),
    Case("grad-tower", ("grad", "L = 10^{10^{10}} z_1", "-o", "-"), 2, r"too large", surface="grad"),
    # -- check: the input file ------------------------------------------------------------------------------
    Case("check-dev-zero", ("check", "/dev/zero"), 2, ERR + r"/dev/zero: a character device, not a regular file",
         surface="check"),
    Case("check-fifo", ("check", "pipe.md"), 2, ERR + r"pipe\.md: a FIFO", setup=fifo("pipe.md"), surface="check"),
    # a folder is walked for its .md and .tex files (issue 23); one holding none is bad input
    Case("check-directory", ("check", "notes"), 2, ERR + r"no \.md or \.tex file found in notes",
         setup=files(**{"notes__a@txt": "x = x\n"}), surface="check"),
    Case("check-missing", ("check", "nosuch.md"), 2, ERR + r"nosuch\.md: no such file", surface="check"),
    Case("check-too-large", ("check", "big.md"), 2, ERR + r"big\.md: larger than 1 MB",
         setup=files(**{"big@md": "$$ x = x $$\n" * 100_000}), surface="check"),
    Case("check-binary", ("check", "bin.md"), 2, ERR + r"bin\.md: not UTF-8 text \(line 1",
         setup=files(**{"bin@md": b"$$ x = x $$ \xff\xfe"}), surface="check"),
    Case("check-link-outside", ("check", "notes.md"), 2, ERR + r"no display math",
         setup=link_out("notes.md"), surface="check"),
    Case("check-K-huge", ("check", "in.md", "-K", "1000000000"), 2, ERR + r"between 2 and 50",
         setup=files(**{"in@md": GOOD_MD}), surface="check"),
    Case("check-define-broken", ("check", "in.md", "--define", "x = ("), 2, ERR + r"ends too early",
         setup=files(**{"in@md": GOOD_MD}), surface="check"),
    Case("check-ok", ("check", "in.md"), 0, r"2 ok, 0 wrong, 0 unverified", setup=files(**{"in@md": GOOD_MD}),
         surface="check"),
    # -- check: stdin ------------------------------------------------------------------------------------------
    Case("stdin-zeros", ("check", "-"), 2, ERR + r"<stdin>: larger than 1 MB", stdin=b"\0" * 3_000_000, surface="stdin"),
    Case("stdin-empty", ("check", "-"), 2, ERR + r"<stdin>: no display math", stdin=b"", surface="stdin"),
    Case("stdin-not-utf8", ("check", "-"), 2, ERR + r"not UTF-8", stdin=b"$$ \xc3\x28 $$", surface="stdin"),
    Case("stdin-ok", ("check", "-"), 0, r"2 ok", stdin=GOOD_MD.encode(), surface="stdin"),
    # -- check: parse-time and whole-document budgets (issue 13 item 1, engineer grammar) -------------
    *(Case(f"check-budget-{n}", ("check", "in.md"), 1, r"unverified[\s\S]*a number too large to evaluate",
           setup=files(**{"in@md": f"$$ {tex} $$\n"}), surface="check")
      for n, tex in [("tower-10", "10^{10^{10}} = 1"), ("tower-9", "9^{9^{9}} = 1"),
                     ("tower-2", "2^{2^{2^{2^{2^{2}}}}} = 1"), ("log-tiny", r"\log(10^{-100000000}) = 1"),
                     ("sum-bound", r"\sum_{k=1}^{10^{10^{10}}} 1 = 1")]),
    Case("check-budget-define-tower", ("check", "in.md", "--define", "x = 10^{10^{10}}"), 2,
         ERR + r"--define 'x = 10\^\{10\^\{10\}\}': a number too large to evaluate",
         setup=files(**{"in@md": "$$ x = x $$\n"}), surface="check"),
    Case("check-budget-long-chain", ("check", "in.md"), 2, ERR + r"in\.md: nothing could be read; line 1: a row of \d+ characters",
         setup=files(**{"in@md": "$$ " + "x = " * 240_000 + "x $$\n"}), surface="check"),
    Case("check-budget-nested-aligned", ("check", "in.md"), 2, ERR + r"nothing could be read",
         setup=files(**{"in@md": "$$ " + r"\begin{aligned}" * 20_000 + "x = x" + r"\end{aligned}" * 20_000 + " $$\n"}),
         surface="check"),
    Case("check-budget-many-brackets", ("check", "in.tex"), 0, r"line +1 +ok[\s\S]*1 ok, 0 wrong",
         setup=files(**{"in@tex": r"\[ x = x \]" + "\n" + r"\[" * 300_000}), surface="check"),
    Case("check-budget-ten-big-sums", ("check", "in.md"), 1, r"a sum of more than 10000 terms[\s\S]*10 unverified",
         setup=files(**{"in@md": "".join(f"$$ \\sum_{{k=1}}^{{1000000000}} k = {n} $$\n\n" for n in range(10))}),
         surface="check"),
    Case("check-one-bad-line", ("check", "in.md"), 1, r"line +2 +unverified[\s\S]*ends too early[\s\S]*line +5 +ok",
         setup=files(**{"in@md": "$$\na_i = b_i +\n$$\n\n$$ y + y = 2 y $$\n"}), surface="check"),
]

# -- round three (issue 22): sizes, encodings, terminal escapes, smaller refusals -------------------------
GRAD_CE = (r"L = -\sum_{i=1}^{K} y_i \log a_i", "--define", r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}")
BCE = r"L = -y\log\sigma(x) - (1-y)\log(1-\sigma(x))"
ONE_HOT_1024 = ",".join(["1"] + ["0"] * 1023)
ROWS_1024 = ";".join(",".join(f"{_rng.uniform(-3, 3):.3f}" for _ in range(3)) for _ in range(1024))
ESCAPES = "$$ \x1b]0;PWNED\x07\x1b[2J a = b \u202e x $$\n"
CASES += [
    Case("render-K-5000-digits", ("render", SCE, "-K", "9" * 5000, "-o", "-"), 2,
         ERR + r"-K 9{12}\.\.\. \(5000 digits\): larger than the limit"),
    Case("check-K-5000-digits", ("check", "in.md", "-K", "9" * 5000), 2, ERR + r"give a number of classes",
         setup=files(**{"in@md": GOOD_MD}), surface="check"),
    Case("check-K-unicode-digit", ("check", "in.tex"), 2, ERR + r"K = ²: expected a number of classes",
         setup=files(**{"in@tex": "% derive: K = \u00b2\n\\[ a = a \\]\n"}), surface="check"),
    Case("render-zh-ascii-locale", ("render", SCE, "-K", "3", "--lang", "zh", "-o", "-"), 0, r"\\documentclass",
         env=(("PYTHONIOENCODING", "ascii"),), surface="render"),
    Case("check-zh-ascii-locale", ("check", "in.md"), 0, r"1 ok", env=(("PYTHONIOENCODING", "ascii"),),
         setup=files(**{"in@md": "当 $i = j$ 时：\n\n$$ a_i = a_i $$\n"}), surface="check"),
    Case("grad-debug-as-loss", ("grad", "--", "--debug"), 2, ERR + r"loss '--debug'", surface="grad"),
    Case("check-escape-sequences", ("check", "in.md"), 2, ERR + r"\\x07\\x1b\[2J",
         setup=files(**{"in@md": ESCAPES}), surface="check"),
    Case("check-escape-sequences-report", ("check", "in.md"), 1, r"\\x1b\]0;PWNED",
         setup=files(**{"in@md": "$$ a = a $$\n\n$$ x = \\mathrm{\x1b]0;PWNED\x07} $$\n"}), surface="check"),
    Case("values-message-capped", ("render", SCE, "-K", "3", "--values", "z=" + "x" * 100_000, "--values",
                                   "target=0", "-o", "-"), 2, ERR + r"characters cut", surface="values"),
    Case("output-trailing-slash", ("render", SCE, "-K", "2", "-o", "x.tex/"), 2,
         ERR + r"-o x\.tex/: a directory name", surface="output"),
    Case("annotate-dash-is-stdout", ("check", "in.md", "--annotate", "-"), 0, r"\[derive: ok\]",
         setup=files(**{"in@md": GOOD_MD}), surface="output"),
    Case("grad-assume-sum-two", ("grad", *GRAD_CE, "--assume", r"\sum_i y_i = 2", "-o", "-"), 2,
         ERR + r"the engine uses a sum of 1", surface="grad"),
    Case("grad-assume-contradict", ("grad", *GRAD_CE, "--assume", r"\sum_i y_i = 1", "--assume",
                                    r"\sum_k y_k = 3", "-o", "-"), 2, ERR + r"(contradicts|a sum of 1)", surface="grad"),
    Case("grad-notation-refused", ("grad", *GRAD_CE, "--notation", "logits=s", "-o", "-"), 2,
         ERR + r"names everything as the loss writes it", surface="grad"),
    Case("grad-bce-large-logit", ("grad", BCE, "--values", "x=130", "--values", "y=0", "-f", "text", "-o", "-"), 0,
         r"L = 130(\.0)?$", surface="values"),
    Case("render-sigmoid-700", ("render", "sigmoid-cross-entropy", "--values", "z=700,0", "--values", "target=1",
                                "-f", "json", "-o", "-"), 0, r'"loss": 700\.0', surface="values"),
    Case("grad-run-limit", ("grad", *GRAD_CE, "-K", "1024", "--values", "z=" + Z1024, "--values", "y=" + ONE_HOT_1024,
                            "-o", "g.tex"), 2, ERR + r"took longer than 1 s and was stopped; nothing was written",
         env=(("DERIVE_TIME_LIMIT", "1"),), surface="grad"),
    Case("grad-K1024-worked", ("grad", *GRAD_CE, "-K", "1024", "--values", "z=" + Z1024, "--values",
                               "y=" + ONE_HOT_1024, "-f", "json", "-o", "-"), 0, r'"gradient_check_digits"',
         surface="values"),
    Case("batch-1024-rows", ("render", "batch-cross-entropy", "-K", "3", "--values", "z=" + ROWS_1024, "--values",
                             "target=" + ";".join(["0"] * 1024), "-f", "json", "-o", "-"), 0, r'"reduction": "mean"',
         surface="values"),
]

# inputs whose work grew without bound (nested sigmoids, a chain of definitions, a loss of 199 terms):
# within the whole-run limit each finishes or stops with one line, never past 30 s
LETTERS = "bcdfghpqrstuvwo"  # fifteen names, each defined by the one before: b_i = z_i + 1, c_i = b_i + 1, ...
CHAIN = tuple(x for n, u in enumerate(LETTERS) for x in ("--define", f"{u}_i = {'z' if n == 0 else LETTERS[n - 1]}_i + 1"))
CASES += [
    Case("grad-nested-sigmoids", ("grad", r"L = \sigma(\sigma(\sigma(\sigma(\sigma(\sigma(x))))))", "-o", "-"), (0, 1, 2),
         r"(took longer than 20 s|\\documentclass)", surface="grad"),
    Case("grad-chain-of-15-definitions", ("grad", r"L = -\sum_{i=1}^{K} y_i \log a_i", "--define",
                                          r"a_i = \frac{e^{o_i}}{\sum_{k=1}^{K} e^{o_k}}", *CHAIN, "-o", "-"),
         (0, 1, 2), r"(took longer than 20 s|\\documentclass|cannot differentiate)", surface="grad"),
    Case("grad-199-terms", ("grad", "L = " + " + ".join(f"{n} x^{{{n}}}" for n in range(1, 200)), "--wrt", "x",
                            "-o", "-"), (0, 1, 2), r"(took longer than 20 s|\\documentclass)", surface="grad"),
    Case("hessian-K1024-values", ("render", "cross-entropy-hessian", "-K", "1024", "--values", "z=" + Z1024,
                                  "--values", "target=0", "-f", "json", "-o", "-"), 2,
         ERR + r"at most 64 logits", surface="values"),
]
