"""The vendored KaTeX (MIT, assets/katex/LICENSE) inlined into one self-contained HTML page."""
from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from markupsafe import Markup

_FONT_SRC = re.compile(r"src:url\(fonts/([\w-]+)\.woff2\) format\(\"woff2\"\)(?:,url\([^)]*\) format\(\"[a-z]+\"\))*")


def assets_dir() -> Path:
    return Path(str(resources.files("derive.render"))) / "assets" / "katex"


@lru_cache(maxsize=1)
def inline_assets() -> dict[str, Markup | str]:
    """KaTeX's CSS (fonts as woff2 data: URIs), its script and auto-render, ready to inline."""
    d = assets_dir()

    def font(m: re.Match) -> str:
        data = base64.b64encode((d / "fonts" / f"{m.group(1)}.woff2").read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    css = _FONT_SRC.sub(font, (d / "katex.min.css").read_text(encoding="utf-8"))
    if "url(fonts/" in css:  # a KaTeX upgrade changed the CSS: fail loudly rather than ship a page without fonts
        raise RuntimeError("katex.min.css refers to fonts that were not inlined")
    return {"css": Markup(css),
            "js": Markup((d / "katex.min.js").read_text(encoding="utf-8")),
            "autorender": Markup((d / "auto-render.min.js").read_text(encoding="utf-8")),
            "version": "0.19.1"}
