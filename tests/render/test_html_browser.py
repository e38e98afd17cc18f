"""The HTML page renders in a real headless Chromium with the inlined KaTeX: no error node, a screenshot."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool
from render.render_helpers import ARTIFACTS, SEED_Z, derived

from derive.render import render

WORKED = ("softmax-cross-entropy", "3", (("z", SEED_Z), ("target", "0")))


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    exe = require_tool("chromium")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def rendered_dom(html: str, tmp_path: Path, name: str = "page.html") -> str:
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    proc = chromium(page, tmp_path, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def katex_errors(dom: str) -> list[str]:
    """What KaTeX drew as an error: .katex-error nodes (a formula that does not parse) and red
    commands (an unknown macro, drawn in errorColor #cc0000), and $$ left unrendered (auto-render
    skips a formula whose braces do not balance). Scripts and styles are left out: the inlined
    KaTeX mentions all of these."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.DOTALL)
    return (re.findall(r'<[^>]*class="[^"]*\bkatex-error\b[^>]*>', body)
            + re.findall(r'mathcolor="#cc0000"><mtext>([^<]*)<', body)
            + ["unrendered $$"] * body.count("$$"))


def test_html_is_self_contained():
    html = render(derived(*WORKED), "html", "en")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page loads something from the network"
    assert "url(fonts/" not in html and "data:font/woff2;base64," in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_renders_without_katex_errors(lang, tmp_path):
    html = render(derived(*WORKED), "html", lang)
    dom = rendered_dom(html, tmp_path)
    assert 'data-katex="done"' in dom, "the KaTeX script did not run"
    assert dom.count('class="katex-display"') == html.count('<div class="display">') > 10
    assert katex_errors(dom) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page = tmp_path / "page.html"
    shot = ARTIFACTS / f"softmax-cross-entropy-K3-{lang}.png"
    proc = chromium(page, tmp_path, "--window-size=1100,2400", f"--screenshot={shot}")
    assert proc.returncode == 0 and shot.stat().st_size > 20_000


def test_the_browser_check_sees_a_katex_error(tmp_path):
    """The assertion above is not vacuous: an unknown macro, a formula that does not parse and an
    unbalanced brace are all seen."""
    html = render(derived("softmax-jacobian", "K"), "html", "en").replace(r"\operatorname{diag}", r"\nosuchmacro")
    html = html.replace("</article>", '<p>$$\\left( x$$</p><p>$${x$$</p></article>')
    errors = katex_errors(rendered_dom(html, tmp_path))
    assert r"\nosuchmacro" in errors and "unrendered $$" in errors
    assert any("katex-error" in e for e in errors)
