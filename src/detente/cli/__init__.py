"""The ``detente`` command line: a thin layer that parses arguments and renders engine results."""

from __future__ import annotations

import importlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from detente.cli import analyze, conflict, forecast, scenario, web
from detente.cli.common import console, print_json, reporting_errors
from detente.io.yamlio import atomic_write_text

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(conflict.app, name="conflict")
app.add_typer(forecast.app, name="forecast")
app.command("analyze")(analyze.analyze)
app.command("interventions")(scenario.interventions)
app.command("questions")(scenario.questions)
app.command("score")(scenario.score)
app.command("serve")(web.serve)


class FileFormat(StrEnum):
    conflict = "conflict"
    scenario = "scenario"
    forecast = "forecast"


SCHEMAS = {
    FileFormat.conflict: "detente.io.conflict_spec:ConflictSpec",
    FileFormat.scenario: "detente.io.scenario_spec:ScenarioSpec",
    FileFormat.forecast: "detente.io.forecast_spec:IssueSpaceSpec",
}
"""The pydantic model of each file format, as ``module:class`` (imported only when asked for)."""


@app.command()
def schema(
    kind: Annotated[FileFormat, typer.Argument(help="Which file format.")] = FileFormat.conflict,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print or write the JSON Schema of a detente file format."""
    module, name = SCHEMAS[kind].split(":")
    try:
        model = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        typer.echo(f"the {kind.value} file format is not available in this version ({exc})", err=True)
        raise typer.Exit(1) from exc
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{SCHEMAS[kind]} is not a pydantic model")
    document = model.model_json_schema()
    if out is None:
        print_json(document)
        return
    with reporting_errors():
        atomic_write_text(out, json.dumps(document, indent=2) + "\n")
    console().print(f"wrote {out}", markup=False)


def main() -> None:
    app()
