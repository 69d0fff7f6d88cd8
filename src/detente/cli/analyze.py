"""``detente analyze [FILE]``: the main job — every analysis, a summary here and an HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from detente.analysis import analyze_file
from detente.cli.common import console, reporting_errors
from detente.io.scenario import builtin_scenario
from detente.render.report.builder import build_document
from detente.render.report.html import write_html
from detente.render.report.terminal import print_document


def analyze(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A scenario, conflict YAML or .gmcr file (default: the built-in North Korea–US scenario)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("detente-report"),
    runs: Annotated[
        int,
        typer.Option(
            "--mc", min=0, help="Monte Carlo runs for the forecast (at most 200 per intervention variant)."
        ),
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed for every random draw (recorded in the report).")
    ] = 2019,
) -> None:
    """Analyse a scenario with every engine; print a summary and write OUT/index.html."""
    path = file if file is not None else builtin_scenario()
    with reporting_errors():
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console(),
            transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            analysis = analyze_file(
                path, runs=runs, seed=seed, intervention_runs=min(runs, 200), progress=progress
            )
            document = build_document(analysis)
        print_document(document, console())
        written = write_html(document, out)
    console().print(f"\nHTML report written to {written}", markup=False)
