"""--templates DIR: a house style overrides our templates by name, in the sandbox; bad directories and
broken templates are one line and exit 2, with nothing written."""
from __future__ import annotations

import pytest
from conftest import run_cli
from render.render_helpers import derived

from derive.errors import RenderError, UsageError
from derive.render import render

HOUSE = r"""((# A paper's house style: its own class and a boxed result. #))
\documentclass{amsart}
\usepackage{amsmath,amssymb}
\begin{document}
\section*{((( title )))}
((* include "latex/body.tex.j2" *))
\end{document}
"""


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


def test_a_house_style_overrides_the_document_and_reuses_our_body(tmp_path):
    house = write(tmp_path, "latex/document.tex.j2", HOUSE)
    tex = render(derived("softmax-jacobian", "3"), "latex", "en", house)
    assert tex.startswith(r"\documentclass{amsart}") and r"\section*{The Jacobian of the softmax function}" in tex
    assert r"\begin{align*}" in tex                                   # our body.tex.j2, included


def test_a_language_specific_template_wins(tmp_path):
    write(tmp_path, "zh/markdown/document.md.j2", "# {{ title }}（本站风格）\n")
    write(tmp_path, "markdown/document.md.j2", "# {{ title }} (house)\n")
    d = derived("softmax-jacobian", "K")
    assert render(d, "markdown", "zh", tmp_path) == "# softmax 函数的雅可比矩阵（本站风格）\n"
    assert render(d, "markdown", "en", tmp_path) == "# The Jacobian of the softmax function (house)\n"


def test_a_message_catalogue_alone_restyles_the_prose(tmp_path):
    write(tmp_path, "messages/en/house.json", '{"rules": {"chain-rule": {"name": "CR"}}}')
    md = render(derived("softmax-cross-entropy", "3"), "markdown", "en", tmp_path)
    assert r"\text{CR}" in md and "quotient rule" in md              # merged over ours, not instead of


@pytest.mark.parametrize("fmt,name,text,expected", [
    ("latex", "latex/document.tex.j2", "((* if *))\n", "document.tex.j2, line 1: TemplateSyntaxError"),
    ("markdown", "markdown/document.md.j2", "# {{ title }}\n\n{{ nosuch.thing }}\n",
     "document.md.j2, line 3: UndefinedError"),
    ("text", "text/document.txt.j2", "{{ title.__class__.__mro__ }}\n", "document.txt.j2, line 1: SecurityError"),
    ("html", "html/document.html.j2", "{{ ''.__class__.__subclasses__() }}\n", "line 1: SecurityError"),
])
def test_a_broken_template_names_itself_and_its_line(tmp_path, fmt, name, text, expected):
    write(tmp_path, name, text)
    with pytest.raises(RenderError, match=expected.replace("(", r"\(")):
        render(derived("softmax-jacobian", "2"), fmt, "en", tmp_path)


def test_a_directory_without_the_needed_template_is_bad_input(tmp_path):
    write(tmp_path, "markdown/document.md.j2", "# {{ title }}\n")
    with pytest.raises(UsageError, match=r"no latex/document.tex.j2"):
        render(derived("softmax-jacobian", "2"), "latex", "en", tmp_path)


@pytest.mark.parametrize("args,message", [
    (["--format", "pdf"], "unknown format 'pdf'"),
    (["--lang", "fr"], "unknown language 'fr'"),
    (["--templates", "/nonexistent/dir"], "not a directory"),
    (["--templates", "EMPTY"], "no latex/document.tex.j2"),
    (["--templates", "BROKEN"], "document.tex.j2, line 2: UndefinedError"),
])
def test_cli_bad_input_is_one_line_exit_2_nothing_written(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "broken", "latex/document.tex.j2", "x\n((( nosuch )))\n")
    args = [{"EMPTY": str(tmp_path / "empty"), "BROKEN": str(tmp_path / "broken")}.get(a, a) for a in args]
    out = tmp_path / "out.tex"
    proc = run_cli("render", "softmax-jacobian", "-K", "2", "-o", str(out), *args)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "empty"]


def test_cli_house_style_end_to_end(tmp_path):
    house = write(tmp_path / "house", "latex/document.tex.j2", HOUSE)
    proc = run_cli("render", "softmax-cross-entropy", "-K", "K", "--templates", str(house), "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(r"\documentclass{amsart}")
