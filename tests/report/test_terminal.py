"""The terminal summary prints every string of a document as written, never as rich markup."""

from __future__ import annotations

import io

from rich.console import Console

from detente.render.report.document import Document, Section, Table
from detente.render.report.terminal import MAX_TERMINAL_ROWS, print_document

# Each string would be read as markup if it were not escaped: a closing tag with no opening tag
# raises MarkupError, and "[sic]" / "[bold]" look like style tags that rich would swallow.
TEXTS = {
    "title": "Talks [/x] title",
    "subtitle": "as of [sic] 2019",
    "section": "Section [/y] [bold]",
    "paragraph": "The envoy said [sic] that *nothing* [/z] was agreed.",
    "caption": "caption [/c]",
    "header": "[h] header",
    "cell": "[sic] cell",
}


def render(document: Document) -> str:
    buffer = io.StringIO()
    print_document(document, Console(file=buffer, width=200, color_system=None))
    return buffer.getvalue()


def test_every_string_is_printed_as_written() -> None:
    table = Table(headers=(TEXTS["header"], "n"), rows=((TEXTS["cell"], "1"),), caption=TEXTS["caption"])
    section = Section(id="s", title=TEXTS["section"], paragraphs=(TEXTS["paragraph"],), tables=(table,))
    out = render(Document(title=TEXTS["title"], subtitle=TEXTS["subtitle"], sections=(section,)))
    for what, text in TEXTS.items():
        assert text in out, what


def test_sections_not_for_the_terminal_and_rows_beyond_the_limit_are_left_out() -> None:
    rows = tuple((f"row {k}",) for k in range(MAX_TERMINAL_ROWS + 3))
    shown = Section(id="a", title="Shown", tables=(Table(headers=("h",), rows=rows),))
    hidden = Section(id="b", title="Hidden", paragraphs=("not here",), terminal=False)
    out = render(Document(title="T", sections=(shown, hidden)))
    assert f"row {MAX_TERMINAL_ROWS - 1} " in out and f"row {MAX_TERMINAL_ROWS} " not in out
    assert "… 3 more rows in the HTML report" in out
    assert "Hidden" not in out and "not here" not in out
