"""The ``detente`` command line: one command per registered run kind, plus file conversion, schemas,
scores, data validation and the web app. Commands parse options, call the application layer
(:mod:`detente.app`) and render; none wires an engine itself.

Run-kind commands are made when they are used (:class:`LazyCommand`): listing them reads only the
registry's entries, so ``detente --help`` imports no engine, no pydantic model and no numpy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from detente.app.registry import ENTRIES, GROUPS, Entry
from detente.cli.common import console, print_json, reporting_errors


class LazyCommand(TyperCommand):
    """A run kind's command, built from its parameters model only when invoked (or asked for help)."""

    def __init__(self, entry: Entry) -> None:
        super().__init__(
            entry.command[-1],
            context_settings={
                "ignore_unknown_options": True,
                "allow_extra_args": True,
                "help_option_names": [],
            },
            callback=None,
            params=[],
            help=entry.summary,
            short_help=entry.summary,
            add_help_option=False,
        )
        self.entry = entry

    def invoke(self, ctx: Any) -> Any:
        from detente.app.registry import get
        from detente.cli.build import build

        single = typer.Typer(add_completion=False)
        single.command(self.entry.command[-1])(build(get(self.entry.name), self.entry.summary))
        real = typer.main.get_command(single)
        return real.main(args=list(ctx.args), prog_name=ctx.command_path, standalone_mode=True)


def _group_class(group: str | None) -> type[TyperGroup]:
    """A typer group that adds the registry's commands of ``group`` (None: the top level)."""

    class Group(TyperGroup):
        def __init__(self, **attrs: Any) -> None:
            super().__init__(**attrs)
            for entry in ENTRIES:
                where = entry.command[0] if len(entry.command) == 2 else None
                if entry.command and where == group:
                    self.add_command(LazyCommand(entry))

    return Group


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="detente: analyse strategic conflicts and negotiations (graph model, bargaining, interventions).",
    cls=_group_class(None),
    rich_markup_mode=None,  # the command list in plain text: rich's help renderer costs more than the rest
)
conflict_app = typer.Typer(no_args_is_help=True, help=GROUPS["conflict"], cls=_group_class("conflict"))
forecast_app = typer.Typer(no_args_is_help=True, help=GROUPS["forecast"], cls=_group_class("forecast"))
app.add_typer(conflict_app, name="conflict")
app.add_typer(forecast_app, name="forecast")


@conflict_app.callback()
def _conflict() -> None:
    """Analyse graph-model conflicts (detente YAML, a scenario's conflict, or GMCR+ .gmcr)."""


@forecast_app.callback()
def _forecast() -> None:
    """Spatial bargaining forecasts, Monte Carlo, back-tests and data validation."""


SCHEMA_KINDS = ("conflict", "scenario", "forecast", "questions")


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help=f"Which file format: {', '.join(SCHEMA_KINDS)}.")] = "conflict",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print or write the JSON Schema of a detente file format."""
    import json

    with reporting_errors():
        from detente.app.documents import json_schema

        document = json_schema(kind)
        if out is not None:
            from detente.io.yamlio import atomic_write_text

            atomic_write_text(out, json.dumps(document, indent=2) + "\n")
    if out is None:
        print_json(document)
    else:
        console().print(f"wrote {out}", markup=False)


@conflict_app.command()
def convert(
    source: Annotated[
        Path, typer.Argument(help="Input: a conflict YAML, a scenario (its conflict) or .gmcr.")
    ],
    target: Annotated[Path, typer.Argument(help="Output: .gmcr for GMCR+ JSON, anything else is YAML.")],
) -> None:
    """Convert a conflict between detente YAML and GMCR+ .gmcr (written atomically)."""
    with reporting_errors():
        from detente.app.documents import convert_conflict

        convert_conflict(source, target)
    console().print(f"wrote {target}", markup=False)


@forecast_app.command()
def validate(
    directory: Annotated[Path, typer.Argument(help="Directory of data files (searched recursively).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Comma-separated models, or all.")] = "all",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Import every file under DIRECTORY and run every model on it; print one row per file and model."""
    with reporting_errors():
        from detente.app.documents import validate_folder

        document, failed = validate_folder(directory, model)
    if json_out:
        print_json(document)
    else:
        from detente.render.terminal_forecast import print_validation

        print_validation(document, console())
    if failed:
        typer.echo(f"{failed} model run(s) crashed", err=True)


@app.command()
def score(
    probabilities: Annotated[Path, typer.Argument(help="A probabilities file (`detente questions --out`).")],
    resolutions: Annotated[Path, typer.Argument(help="A resolutions file: question id -> true/false.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Brier score, log score and Brier skill of a probabilities file against resolutions."""
    with reporting_errors():
        from detente.app.scenario_kinds import score_card

        card = score_card(probabilities, resolutions)
    if json_out:
        from detente.render.scenario_json import score_json

        print_json(score_json(card))
        return
    from detente.render.scenario_terminal import print_scores

    print_scores(card, console())


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to bind; the default keeps the app on this machine only.")
    ] = "127.0.0.1",
    data: Annotated[
        Path | None, typer.Option("--data", help="Folder of the app's database (default: user data folder).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Background threads for long runs.", min=1, max=16)] = 2,
) -> None:
    """Start the local web app: scenario list, editor, analyses, forecasts and reports in a browser."""
    from detente.cli.web import serve as run_server

    with reporting_errors():
        run_server(port, host, data, workers)


def main() -> None:
    app()
