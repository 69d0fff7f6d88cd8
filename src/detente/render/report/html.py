"""Write a :class:`~detente.render.report.document.Document` as one self-contained HTML page.

Figures are inline SVG and the style sheet is inline, so the page opens offline and loads nothing
from the network. The page is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from detente.io.yamlio import atomic_write_text
from detente.render.report.document import Document

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("detente.render.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def render_html(document: Document) -> str:
    """The page's HTML text."""
    return _ENV.get_template("report.html.j2").render(doc=document)


def write_html(document: Document, out_dir: str | Path) -> Path:
    """Write ``index.html`` into ``out_dir`` atomically and return its path."""
    path = Path(out_dir) / "index.html"
    atomic_write_text(path, render_html(document))
    return path
