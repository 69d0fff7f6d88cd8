"""Print a :class:`~detente.render.report.document.Document` to the terminal with rich (figures omitted).

Every string of the document is shown as plain text (``rich.text.Text``), never read as rich markup:
names and quotes come from user files, and ``[sic]`` or ``[/x]`` in them must print as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from detente.render.report.document import Document

MAX_TERMINAL_ROWS = 25


def print_document(document: Document, console: Console | None = None) -> None:
    """The title panel, then each terminal section: its title, paragraphs and (first rows of) tables."""
    console = console or Console()
    heading = Text(document.title, style="bold")
    if document.subtitle:
        heading.append("\n" + document.subtitle)
    console.print(Panel(heading, expand=False))
    for section in document.sections:
        if not section.terminal:
            continue
        console.rule(Text(section.title, style="bold"))
        for paragraph in section.paragraphs:
            console.print(Text(paragraph))
        for table in (t for t in section.tables if t.terminal):
            rich_table = RichTable(title=Text(table.caption) if table.caption else None, show_lines=False)
            for header in table.headers:
                rich_table.add_column(Text(header))
            for row in table.rows[:MAX_TERMINAL_ROWS]:
                rich_table.add_row(*(Text(cell) for cell in row))
            console.print(rich_table)
            if len(table.rows) > MAX_TERMINAL_ROWS:
                console.print(
                    f"… {len(table.rows) - MAX_TERMINAL_ROWS} more rows in the HTML report", style="dim"
                )
