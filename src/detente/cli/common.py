"""What every ``detente`` command shares: the one translation of errors to exit statuses, JSON output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from detente.errors import DetenteError, InterruptedRun

EXIT_INPUT = 2
"""Exit status for bad input (each problem printed as ``file:line: [field] message``) or a bad option."""
EXIT_TOO_LARGE = 3
"""Exit status for a run refused up front by the guard (too large for the budget)."""


def console() -> Console:
    """A console for stdout, made per call so it sees the current terminal width and stream."""
    return Console(highlight=False)


def _say(text: str) -> None:
    typer.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"), err=True)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Every :class:`~detente.errors.DetenteError` as its lines on stderr and its exit status; Ctrl-C
    as exit status 130. Nothing else is caught: anything else is a defect, shown as one."""
    try:
        yield
    except DetenteError as exc:
        for line in exc.lines():
            _say(line)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _say("interrupted")
        raise typer.Exit(InterruptedRun.exit_code) from None


def print_json(data: Any) -> None:
    """Print a result's documented JSON on stdout (the one serialisation, :func:`detente.app.runs.dumps`)."""
    from detente.app.runs import dumps

    typer.echo(dumps(data))
