"""``detente forecast ...``: spatial bargaining forecasts, Monte Carlo, back-tests, data validation."""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, cast

import pandas as pd
import typer
import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from detente.cli.common import parse_choices, print_json, reporting_errors
from detente.errors import InputError, Problem
from detente.forecast import backtest as bt
from detente.forecast.models import MODEL_NAMES, get
from detente.forecast.montecarlo import MonteCarloResult, run_monte_carlo, tornado
from detente.forecast.space import ForecastResult
from detente.forecast.uncertain import UncertainSpace
from detente.io.forecast_spec import load_uncertain_space
from detente.io.importers import FORMATS, Format, detect_format, import_file, validate_directory
from detente.render.conflict_json import SCHEMA_VERSION

app = typer.Typer(no_args_is_help=True, help=__doc__)
OUT = Console(highlight=False)
"""Tables go to stdout (rich looks up ``sys.stdout`` at each print, so test runners capture them)."""

FileArg = Annotated[
    Path,
    typer.Argument(
        help=f"Issue-space YAML (or a scenario with an issues: section), or one of: {', '.join(FORMATS)}."
    ),
]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help=f"Input format ({', '.join(FORMATS)}); default: detect.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Model parameter NAME=VALUE (value read as YAML), repeatable."),
]


def _format(text: str | None) -> Format | None:
    if text is None:
        return None
    fmt = parse_choices(text, FORMATS, "format")[0]
    return next(f for f in FORMATS if f == fmt)


def _params(items: Sequence[str] | None) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--param")
        out[name.strip()] = yaml.safe_load(value)
    return out


def bind_params(model: str, params: Mapping[str, object]) -> dict[str, object]:
    """``params`` bound to the keyword parameters of model ``model``'s ``run``, each value validated
    and converted by a pydantic ``TypeAdapter`` of that parameter's annotation.

    An unknown name or a value of the wrong type is a ``typer.BadParameter`` (exit 2) that names the
    parameters the model knows, or the value and what was expected.
    """
    run_model = get(model)
    hints = typing.get_type_hints(run_model)
    known = [p.name for p in inspect.signature(run_model).parameters.values() if p.kind is p.KEYWORD_ONLY]
    unknown = [name for name in params if name not in known]
    if unknown:
        takes = f"its parameters are {', '.join(known)}" if known else "it takes no parameters"
        raise typer.BadParameter(
            f"model {model} has no parameter {', '.join(unknown)}; {takes}", param_hint="--param"
        )
    # arbitrary types: a numpy ArrayLike annotation holds protocol classes, checked by isinstance
    config = ConfigDict(arbitrary_types_allowed=True)
    out: dict[str, object] = {}
    for name, value in params.items():
        try:
            out[name] = TypeAdapter(hints[name], config=config).validate_python(value)
        except ValidationError as exc:
            reasons = "; ".join(dict.fromkeys(str(e["msg"]) for e in exc.errors()))
            raise typer.BadParameter(f"{name}={value!r}: {reasons}", param_hint="--param") from exc
    return out


def load_space(
    path: Path, fmt: Format | None, issue: str | None = None
) -> tuple[UncertainSpace, Mapping[str, Mapping[str, object]]]:
    """An issue space from YAML (with its uncertainty) or from an importable file (point values), and
    the model parameters the file itself sets, by model name (e.g. a KTAB XML's ModelParameters)."""
    if (fmt or detect_format(path)) == "yaml":
        return load_uncertain_space(path), {}
    imported = import_file(path, fmt)
    if issue is None:
        return UncertainSpace(imported.case.space), imported.case.params
    for case in imported.cases:
        if case.label == issue:
            return UncertainSpace(case.space), case.params
    raise InputError([Problem(str(path), None, "--issue", f"no issue labelled {issue!r}")])


@contextmanager
def _progress(description: str, quiet: bool) -> Iterator[Any]:
    """A rich progress bar on stderr; yields ``update(done, total)`` (a no-op when ``quiet``)."""
    if quiet:
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _run_model(model: str, space: UncertainSpace, params: dict[str, object], path: Path) -> ForecastResult:
    """Run ``model`` on the point values; a model's refusal (a ValueError, or an InputError that names
    the issue space or the parameters) becomes a problem of ``path`` in field ``model[.field]``."""
    try:
        return get(model)(space.base, **params)
    except InputError as exc:
        raise InputError(
            [
                Problem(str(path), p.line, f"{model}.{p.field}" if p.field else model, p.message)
                for p in exc.problems
            ]
        ) from exc
    except ValueError as exc:
        raise InputError([Problem(str(path), None, model, str(exc))]) from exc


@app.command()
def run(
    file: FileArg,
    model: Annotated[str, typer.Option("--model", "-m", help=f"One of {', '.join(MODEL_NAMES)}.")] = "eum",
    mc: Annotated[
        int, typer.Option("--mc", min=0, help="Monte Carlo runs over the uncertain inputs (0: none).")
    ] = 0,
    seed: Annotated[int | None, typer.Option(help="Monte Carlo seed (default: drawn and reported).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: CPU count).")
    ] = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Run the Monte Carlo on this Dask scheduler.")
    ] = None,
    param: ParamOpt = None,
    fmt: FormatOpt = None,
    spread_position: Annotated[
        float, typer.Option(help="Add ± this many scale points of triangular uncertainty to every position.")
    ] = 0.0,
    spread_salience: Annotated[
        float, typer.Option(help="Add ± this many points (0-100) of uncertainty to every salience.")
    ] = 0.0,
    spread_capability: Annotated[
        float, typer.Option(help="Add ± this fraction (0.1 = 10 %) of uncertainty to every capability.")
    ] = 0.0,
    issue: Annotated[str | None, typer.Option(help="Pick one issue of a many-issue file (e.g. DEU).")] = None,
    json_out: JsonOpt = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the plots to OUT.png or OUT.svg.")
    ] = None,
) -> None:
    """Forecast the outcome of FILE with one model; with --mc, its distribution under uncertainty."""
    with reporting_errors():
        name = parse_choices(model, MODEL_NAMES, "model")[0]
        from detente.render.forecast_plots import check_plot_path, forecast_figure, save_figure

        if plot is not None:
            check_plot_path(plot)
        try:
            loaded, file_params = load_space(file, _format(fmt), issue)
            space = loaded.with_spread(spread_position, spread_salience, spread_capability)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--spread-*") from exc
        params = bind_params(name, {**file_params.get(name, {}), **_params(param)})  # --param overrides
        result = _run_model(name, space, params, file)
        mc_result: MonteCarloResult | None = None
        table: pd.DataFrame | None = None
        if mc > 0:
            with _progress(f"Monte Carlo ({name})", json_out) as update:
                mc_result = run_monte_carlo(
                    space, name, mc, seed=seed, params=params, workers=workers, dask=dask, progress=update
                )
            table = tornado(space, name, params=params, result=mc_result) if space.inputs else None
        if plot is not None:
            save_figure(forecast_figure(result, mc_result, table), plot)
        if json_out:
            print_json(_run_json(result, mc_result, table))
            return
        _print_run(result, mc_result, table)


def _run_json(
    result: ForecastResult, mc: MonteCarloResult | None, table: pd.DataFrame | None
) -> dict[str, object]:
    space = result.space
    out: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "forecast",
        "model": result.model,
        "params": {k: v for k, v in result.params.items() if isinstance(v, str | int | float | bool)},
        "dimensions": list(space.dimensions),
        "outcome": result.outcome.tolist(),
        "outcome_by_round": result.outcome_by_round.tolist(),
        "actors": [
            {"name": a, "start": result.rounds[0, i].tolist(), "end": result.rounds[-1, i].tolist()}
            for i, a in enumerate(space.actors)
        ],
    }
    if mc is not None:
        counts, edges = mc.histogram()
        out["monte_carlo"] = {
            "runs": mc.n,
            "seed": mc.seed,
            "chunk_size": mc.chunk_size,
            "failures": mc.failures,
            "inputs": list(mc.labels),
            "quantiles": _records(mc.quantiles()),
            "histogram": {"counts": counts.tolist(), "edges": edges.tolist()},
        }
    if table is not None:
        out["tornado"] = _records(table)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """DataFrame rows as JSON-safe dicts (NaN -> None)."""
    rows: list[dict[str, object]] = []
    for rec in frame.to_dict(orient="records"):
        rows.append({str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return rows


def _frame_table(frame: pd.DataFrame, title: str, digits: int = 3) -> Table:
    table = Table(title=title)
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for rec in frame.itertuples(index=False):
        table.add_row(*(f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in rec))
    return table


def _print_run(result: ForecastResult, mc: MonteCarloResult | None, table: pd.DataFrame | None) -> None:
    space = result.space
    rounds = result.rounds.shape[0] - 1
    actors = Table(title=f"{result.model}: {space.name or 'issue space'} ({rounds} round(s))")
    actors.add_column("actor")
    for dim in space.dimensions:
        actors.add_column(f"{dim} start", justify="right")
        actors.add_column(f"{dim} end", justify="right")
    for i, a in enumerate(space.actors):
        cells = [
            f"{v:.4g}" for k in range(space.n_dims) for v in (result.rounds[0, i, k], result.rounds[-1, i, k])
        ]
        actors.add_row(a, *cells)
    OUT.print(actors)
    outcome = ", ".join(f"{d} = {v:.4g}" for d, v in zip(space.dimensions, result.outcome, strict=True))
    OUT.print(f"[bold]Forecast[/] ({result.model}): {outcome}")
    if mc is not None:
        title = f"Monte Carlo: {mc.n} runs, seed {mc.seed}, chunk {mc.chunk_size}, {mc.failures} failed"
        OUT.print(_frame_table(mc.quantiles(), title))
        if not mc.labels:
            OUT.print("No input carries uncertainty: every run has the point values.")
    if table is not None:
        OUT.print(_frame_table(table, "Tornado (outcome on the first dimension)"))


@app.command()
def backtest(
    file: FileArg,
    model: Annotated[
        str, typer.Option("--model", "-m", help=f"Comma-separated: {', '.join((*MODEL_NAMES, bt.BLEND))}.")
    ] = "compromise,median,blend",
    folds: Annotated[int, typer.Option(min=2, help="Folds of the cross-validation of fitted models.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment.")] = 0,
    within: Annotated[
        float, typer.Option(help="A hit is a forecast within this many points (0-100).")
    ] = 10.0,
    fmt: FormatOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Score models on FILE's issues with known outcomes (e.g. DEU III): MAE, median error, hit rate."""
    with reporting_errors():
        names = parse_choices(model, (*MODEL_NAMES, bt.BLEND), "model")
        cases = import_file(file, _format(fmt)).cases
        results = []
        for name in names:
            with _progress(f"back-test {name}", json_out) as update:
                try:
                    results.append(
                        bt.backtest(cases, name, folds=folds, seed=seed, within=within, progress=update)
                    )
                except ValueError as exc:
                    raise InputError([Problem(str(file), None, name, str(exc))]) from exc
        frame = bt.summary(results)
        if json_out:
            print_json(
                {
                    "schema_version": SCHEMA_VERSION,
                    "kind": "backtest",
                    "file": str(file),
                    "hit_within": within,
                    "models": _records(frame),
                }
            )
            return
        OUT.print(_frame_table(frame, f"Back-test on {file.name} (hit = within {within:g} points)", 4))
        for r in results:
            if r.model == bt.BLEND:
                fits = cast(list[dict[str, float]], r.info["fits"])
                lams = sorted({f["lambda"] for f in fits})
                OUT.print(
                    f"blend: {folds}-fold cross-validation (seed {seed}); every score is out-of-fold; "
                    f"penalty chosen per fold by inner 5-fold CV from {lams}"
                )


@app.command()
def validate(
    directory: Annotated[Path, typer.Argument(help="Directory of data files (searched recursively).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Comma-separated models, or all.")] = "all",
    json_out: JsonOpt = False,
) -> None:
    """Import every file under DIRECTORY and run every model on it; print one row per file and model."""
    with reporting_errors():
        names = MODEL_NAMES if model.strip().lower() == "all" else parse_choices(model, MODEL_NAMES, "model")
        if not directory.is_dir():
            raise InputError([Problem(str(directory), None, "", "no such directory")])
        with _progress("validating", json_out) as update:
            files: list[str] = []

            def seen(name: str) -> None:
                files.append(name)
                update(len(files), None)

            rows = validate_directory(directory, names, progress=seen)
        frame = pd.DataFrame([r.__dict__ for r in rows])
        if json_out:
            print_json(
                {
                    "schema_version": SCHEMA_VERSION,
                    "kind": "validation",
                    "directory": str(directory),
                    "results": _records(frame),
                }
            )
        else:
            table = Table(title=f"forecast validate {directory}")
            for col in ("file", "format", "actors", "model", "outcome", "seconds"):
                table.add_column(col, justify="right" if col in ("actors", "seconds") else "left")
            for r in rows:
                style = "" if r.ok else "bold red"
                table.add_row(
                    r.file, r.format, str(r.actors), r.model, r.outcome, f"{r.seconds:.2f}", style=style
                )
            OUT.print(table)
        failed = [r for r in rows if not r.ok]
        if failed:
            typer.echo(f"{len(failed)} model run(s) crashed", err=True)
            raise typer.Exit(1)
