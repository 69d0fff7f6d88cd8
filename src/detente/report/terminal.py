"""Print a :class:`~detente.report.document.Document` to the terminal with rich (figures omitted)."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table as RichTable

from detente.report.document import Document

MAX_TERMINAL_ROWS = 25


def print_document(document: Document, console: Console | None = None) -> None:
    console = console or Console()
    console.print(Panel(f"[bold]{document.title}[/bold]\n{document.subtitle}".rstrip(), expand=False))
    for section in document.sections:
        if not section.terminal:
            continue
        console.rule(f"[bold]{section.title}")
        for paragraph in section.paragraphs:
            console.print(Markdown(paragraph))
        for table in (t for t in section.tables if t.terminal):
            rich_table = RichTable(*table.headers, title=table.caption or None, show_lines=False)
            for row in table.rows[:MAX_TERMINAL_ROWS]:
                rich_table.add_row(*row)
            console.print(rich_table)
            if len(table.rows) > MAX_TERMINAL_ROWS:
                console.print(
                    f"[dim]… {len(table.rows) - MAX_TERMINAL_ROWS} more rows in the HTML report[/dim]"
                )
