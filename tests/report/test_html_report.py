"""The HTML report: it opens in headless Chromium and shows every section, and the renderers behave.

The browser tests render the built-in scenario's report (small Monte Carlo sizes) once, open it from
disk and check what a reader sees: no console errors, no failed or external requests, every section
visible under its heading, every figure an inline SVG with a drawn, non-empty area, and the evidence
table with its quotes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from rich.console import Console

from detente.analysis import analyze_scenario
from detente.errors import InputError
from detente.io.scenario import builtin_scenario, load_scenario
from detente.render.report.builder import build_document
from detente.render.report.document import Document, Figure, Section, Table
from detente.render.report.html import render_html, write_html
from detente.render.report.terminal import MAX_TERMINAL_ROWS, print_document
from tests.report import SCENARIO_SECTIONS
from tests.report.chromium import chromium, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="30" height="10"/></svg>'


# -- the built-in scenario's report in the browser --------------------------------------------------
@dataclass
class Opened:
    """The report open in a page, and everything the page logged or asked for while loading."""

    document: Document
    html: str
    page: Page
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, Path]:
    scenario = load_scenario(builtin_scenario())
    analysis = analyze_scenario(scenario, runs=50, seed=3, intervention_runs=10)
    document = build_document(analysis)
    return document, write_html(document, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def opened(report: tuple[Document, Path]) -> Iterator[Opened]:
    document, path = report
    with chromium() as browser:
        context = browser.new_context()
        # Nothing may leave the machine: any network request is recorded (below) and refused here.
        context.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
        page = context.new_page()
        url = path.resolve().as_uri()
        seen = Opened(document, path.read_text(encoding="utf-8"), page, url)
        page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("requestfailed", lambda r: seen.failed.append(r.url))
        page.goto(url, wait_until="load")
        yield seen
        context.close()


def _text(s: str) -> str:
    return " ".join(s.split())


@needs_chromium
def test_the_report_loads_without_errors_or_outside_requests(opened: Opened) -> None:
    assert opened.console_errors == []
    assert opened.failed == []
    # The only request is the page itself: styles and figures are inline.
    assert [u for u in opened.requests if not u.startswith("data:")] == [opened.url]
    assert opened.page.title() == f"{opened.document.title} — detente report"
    # Nothing in the page points outside it either (links are in-page anchors; the SVG namespaces
    # are names, not requests).
    targets = re.findall(r'\b(?:src|href|xlink:href)\s*=\s*["\']([^"\']*)', opened.html)
    assert targets and all(t.startswith("#") for t in targets)
    assert not re.search(r"<(?:script|link|img|iframe)\b|@import|url\(\s*['\"]?(?!#)", opened.html)


@needs_chromium
def test_every_section_is_visible_under_its_heading(opened: Opened) -> None:
    page, sections = opened.page, opened.document.sections
    ids = [s.id for s in sections]
    assert ids == SCENARIO_SECTIONS
    assert page.eval_on_selector_all("main > section", "els => els.map(e => e.id)") == ids
    nav = page.eval_on_selector_all("nav a", "els => els.map(a => [a.getAttribute('href'), a.textContent])")
    assert nav == [[f"#{s.id}", s.title] for s in sections]
    for s in sections:
        box = page.locator(f"section#{s.id}")
        assert box.is_visible(), s.id
        heading = box.locator("h2")
        assert heading.is_visible() and heading.inner_text() == s.title
        paragraphs = box.locator(":scope > p").all_inner_texts()
        assert [_text(p) for p in paragraphs] == [_text(p) for p in s.paragraphs], s.id
        assert box.locator("details p").count() == len(s.details), s.id
        assert box.locator("table").count() == len(s.tables), s.id


@needs_chromium
def test_every_figure_is_an_inline_svg_that_renders(opened: Opened) -> None:
    page = opened.page
    figures = [(s.id, f) for s in opened.document.sections for f in s.figures]
    # The state graph (with paths), three forecast panels (trajectories, Monte Carlo, tornado) and the
    # intervention comparison.
    assert [sid for sid, _ in figures] == [
        "stability",
        "forecast",
        "forecast",
        "forecast",
        "clock",
        "interventions",
    ]
    assert page.locator("figure").count() == len(figures)
    assert page.locator("img").count() == 0
    for k, (sid, fig) in enumerate(figures):
        element = page.locator("figure").nth(k)
        assert element.locator("xpath=ancestor::section").get_attribute("id") == sid
        svg = element.locator(":scope > svg")
        assert svg.count() == 1 and svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 50, (sid, box)
        # Something is drawn: paths (lines, bars, glyphs) with a non-empty rendered extent.
        drawn = svg.evaluate(
            "s => [...s.querySelectorAll('path')].filter(p => { const b = p.getBBox();"
            " return b.width > 0 || b.height > 0; }).length"
        )
        assert drawn > 10, sid
        assert _text(element.locator("figcaption").inner_text()) == _text(fig.caption)


@needs_chromium
def test_the_evidence_table_shows_its_quotes(opened: Opened) -> None:
    [section] = [s for s in opened.document.sections if s.id == "evidence"]
    [table] = section.tables
    shown = opened.page.eval_on_selector_all(
        "section#evidence tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [h.lower() for h in opened.page.locator("section#evidence th").all_inner_texts()] == list(
        table.headers
    )
    assert len(shown) == len(table.rows) > 100
    quote = table.headers.index("quote or note")
    quoted = [row for row in shown if row[quote].strip()]
    assert len(quoted) == sum(1 for row in table.rows if row[quote]) > 100
    assert [_text(c) for row in shown for c in row] == [_text(c) for row in table.rows for c in row]
    assert opened.page.locator("section#evidence").is_visible()


# -- the renderers ----------------------------------------------------------------------------------
@needs_chromium
@pytest.mark.parametrize("width", [900, 1280])
def test_no_horizontal_overflow_at_900_px_or_wider(opened: Opened, width: int) -> None:
    page = opened.page
    page.set_viewport_size({"width": width, "height": 900})
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0
    # no card's content is wider than the card (tables, figures, long quotes wrap or shrink)
    over = page.eval_on_selector_all(
        "main > section", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id)"
    )
    assert over == []


@needs_chromium
def test_the_evidence_table_filters_without_a_script(opened: Opened) -> None:
    page = opened.page
    [section] = [s for s in opened.document.sections if s.id == "evidence"]
    [table] = section.tables
    status = table.headers.index("check")
    notes = sum(1 for row in table.rows if row[status] == "assumption or note")
    assert 0 < notes < len(table.rows)
    page.click("#evidence-table-assumption-or-note")
    shown = page.eval_on_selector_all(
        "#evidence-table tbody tr", "rows => rows.filter(r => r.offsetParent).length"
    )
    assert shown == notes
    page.click("#evidence-table-all")
    shown = page.eval_on_selector_all(
        "#evidence-table tbody tr", "rows => rows.filter(r => r.offsetParent).length"
    )
    assert shown == len(table.rows)
    # compact: the table scrolls inside a box instead of filling the page
    height = page.eval_on_selector("section#evidence .scroll", "e => e.clientHeight")
    assert height < page.eval_on_selector("#evidence-table", "e => e.scrollHeight")


def _hostile_document() -> Document:
    evil = "<x-evil onclick=\"alert('x')\">&amp;</x-evil>"
    section = Section(
        "s1",
        f"title {evil}",
        (f"paragraph {evil}",),
        (Table((f"header {evil}",), ((f"cell {evil}",),), caption=f"caption {evil}"),),
        (Figure(SVG, f"figure {evil}"),),
        details=(f"detail {evil}",),
    )
    return Document(f"doc {evil}", f"subtitle {evil}", (section,))


def test_render_html_escapes_user_text() -> None:
    page = render_html(_hostile_document())
    assert "<x-evil" not in page and "alert('x')" not in page
    escaped = "&lt;x-evil onclick=&#34;alert(&#39;x&#39;)&#34;&gt;&amp;amp;&lt;/x-evil&gt;"
    for where in ("doc", "subtitle", "title", "paragraph", "header", "cell", "caption", "figure", "detail"):
        assert f"{where} {escaped}" in page, where
    # The figure, and only the figure, is written as markup.
    assert page.count(SVG) == 1


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("this cell cannot be rendered")


def test_write_html_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "report"
    good = _hostile_document()
    path = write_html(good, out)
    assert path == out / "index.html" and path.read_text(encoding="utf-8") == render_html(good)
    table = Table(("h",), ((cast(str, _Unprintable()),),))
    bad = Document("broken", "", (Section("s", "s", tables=(table,)),))
    with pytest.raises(RuntimeError, match="cannot be rendered"):
        write_html(bad, out)
    assert path.read_text(encoding="utf-8") == render_html(good)
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def test_write_html_survives_a_failing_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The disk fills up halfway through: the earlier report stays whole and no partial file is left.
    out = tmp_path / "report"
    out.mkdir()
    (out / "index.html").write_text("an earlier report", encoding="utf-8")
    real_write = Path.write_text

    def half_write(self: Path, data: str, *args: object, **kwargs: object) -> int:
        real_write(self, data[: len(data) // 2], encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_write)
    with pytest.raises(InputError, match=r"index\.html: cannot write: No space left on device"):
        write_html(_hostile_document(), out)
    monkeypatch.undo()
    assert (out / "index.html").read_text(encoding="utf-8") == "an earlier report"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def test_the_terminal_shows_paragraphs_and_terminal_tables_only() -> None:
    rows = tuple((f"row{k:02d}", str(k)) for k in range(1, MAX_TERMINAL_ROWS + 3))
    shown = Section(
        "shown",
        "Shown section",
        ("First paragraph of the summary.", "Second paragraph."),
        (
            Table(("name", "value"), rows, caption="Terminal rows"),
            Table(("html-only header",), (("html-only cell",),), caption="HTML-only table", terminal=False),
        ),
        (Figure(SVG, "figure caption"),),
        details=("A longer explanation for the HTML report.",),
    )
    hidden = Section("hidden", "Hidden section", ("Paragraph of an HTML-only section.",), terminal=False)
    buffer = io.StringIO()
    print_document(Document("Doc title", "Doc subtitle", (shown, hidden)), Console(file=buffer, width=120))
    out = buffer.getvalue()
    for text in ("Doc title", "Doc subtitle", "Shown section", "First paragraph of the summary."):
        assert text in out
    assert "Second paragraph." in out and "Terminal rows" in out and "name" in out and "value" in out
    assert all(f"row{k:02d}" in out for k in range(1, MAX_TERMINAL_ROWS + 1))
    assert f"row{MAX_TERMINAL_ROWS + 1:02d}" not in out
    assert "2 more rows in the HTML report" in out
    for text in ("HTML-only table", "html-only header", "html-only cell", "figure caption", "<svg"):
        assert text not in out
    assert "longer explanation" not in out
    assert "Hidden section" not in out and "HTML-only section" not in out
