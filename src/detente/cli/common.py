"""Helpers every ``detente`` command shares: error reporting, JSON output, option parsing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from detente.errors import InputError, ModelTooLargeError

EXIT_INPUT = 2
"""Exit code for bad input (each problem printed as ``file:line: [field] message``)."""
EXIT_TOO_LARGE = 3
"""Exit code for a model refused as too large for the memory budget."""


def console() -> Console:
    """A console for stdout, made per call so it sees the current terminal width and stream."""
    return Console(highlight=False)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn InputError / ModelTooLargeError into messages on stderr and exit codes 2 / 3."""
    try:
        yield
    except InputError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_INPUT) from exc
    except ModelTooLargeError as exc:
        typer.echo(f"model too large: {exc}", err=True)
        raise typer.Exit(EXIT_TOO_LARGE) from exc


def print_json(data: Any) -> None:
    """Print a JSON document on stdout (plain text, so it can be piped)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def parse_choices(
    text: str,
    allowed: Sequence[str],
    what: str,
    also: Callable[[str], bool] | None = None,
    also_hint: str = "",
) -> tuple[str, ...]:
    """A comma-separated list of names, each one of ``allowed`` or accepted by ``also`` (case-insensitive).

    ``also_hint`` describes the names ``also`` accepts in the error message (e.g. ``l<h>``).
    """
    chosen = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [c for c in chosen if c not in allowed and not (also is not None and also(c))]
    if unknown or not chosen:
        choices = ", ".join([*allowed, also_hint] if also_hint else allowed)
        unknown_text = ", ".join(unknown) or "(none given)"
        raise typer.BadParameter(f"unknown {what} {unknown_text}; choose from {choices}")
    return chosen
