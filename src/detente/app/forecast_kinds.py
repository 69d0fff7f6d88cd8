"""Run kinds of the forecast engine: a model run with its Monte Carlo, and back-tests."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from detente.app.kind import CliOption, Execution, Json, Params, RunKind, Writer
from detente.budget import Cost
from detente.errors import ClusterError, InputError, ParameterError, Problem
from detente.io.kinds import SPACES
from detente.render import headlines

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from detente.forecast.montecarlo import MonteCarloResult
    from detente.forecast.space import ForecastResult
    from detente.forecast.uncertain import UncertainSpace
    from detente.io.loader import Document

ModelName = Literal["compromise", "median", "nash", "eum", "smp", "exchange"]
MODELS: tuple[ModelName, ...] = typing.get_args(ModelName)
BacktestModel = Literal["compromise", "median", "nash", "eum", "smp", "exchange", "blend"]
BACKTEST_DEFAULT: tuple[BacktestModel, ...] = ("compromise", "median", "blend")

MAX_RUNS = 1_000_000
"""Monte Carlo runs accepted at most (the guard also refuses runs that would take too long)."""
DEFAULT_CHUNK = 250
"""Monte Carlo runs per chunk: part of the reproducible seeding (the same seed and chunk size give the
same draws whatever the number of workers)."""

_RUN_OVERHEAD = 1e-3
"""Seconds of overhead per Monte Carlo run (sampling, batching, collecting), measured on 2 cores."""


def bind_params(model: str, params: Mapping[str, object]) -> dict[str, object]:
    """``params`` bound to the keyword parameters of model ``model``'s ``run``, each value validated
    and converted by a pydantic ``TypeAdapter`` of that parameter's annotation.

    An unknown name or a value of the wrong type is a :class:`ParameterError` naming the parameters
    the model knows, or the value and what was expected.
    """
    from pydantic import ConfigDict, TypeAdapter, ValidationError

    from detente.forecast.models import get

    run_model = get(model)
    hints = typing.get_type_hints(run_model)
    known = [p.name for p in inspect.signature(run_model).parameters.values() if p.kind is p.KEYWORD_ONLY]
    unknown = [name for name in params if name not in known]
    if unknown:
        takes = f"its parameters are {', '.join(known)}" if known else "it takes no parameters"
        raise ParameterError("param", f"model {model} has no parameter {', '.join(unknown)}; {takes}")
    config = ConfigDict(arbitrary_types_allowed=True)  # numpy ArrayLike annotations hold protocol classes
    out: dict[str, object] = {}
    for name, value in params.items():
        try:
            out[name] = TypeAdapter(hints[name], config=config).validate_python(value)
        except ValidationError as exc:
            reasons = "; ".join(dict.fromkeys(str(e["msg"]) for e in exc.errors()))
            raise ParameterError("param", f"{name}={value!r}: {reasons}") from None
    return out


# -- forecast -----------------------------------------------------------------------------------
class ForecastParams(Params):
    """Forecast the outcome with one model; with ``mc`` runs, its distribution under uncertainty."""

    kind: Literal["forecast"] = "forecast"
    model: ModelName = Field("eum", description=f"One of {', '.join(MODELS)}.")
    mc: int = Field(0, ge=0, le=MAX_RUNS, description="Monte Carlo runs over the uncertain inputs (0: none).")
    seed: int | None = Field(
        None, ge=0, lt=2**63, description="Monte Carlo seed (default: drawn and reported)."
    )
    chunk_size: int = Field(
        DEFAULT_CHUNK, ge=1, le=100_000, description="Runs per chunk (part of the seeding)."
    )
    dimension: int = Field(0, ge=0, description="Index of the dimension of the histogram and the tornado.")
    params: dict[str, Any] = Field(
        default_factory=dict, description="Model parameters NAME=VALUE (YAML values)."
    )
    outcomes: bool = Field(False, description="Also list every Monte Carlo run's outcome in the JSON.")

    def steps(self) -> int:
        return max(1, self.mc)

    spread_position: float = Field(
        0.0, ge=0, description="Add ± this many scale points of triangular uncertainty to every position."
    )
    spread_salience: float = Field(0.0, ge=0, description="Add ± this many points (0-100) to every salience.")
    spread_capability: float = Field(
        0.0, ge=0, description="Add ± this fraction (0.1 = 10 %) of uncertainty to every capability."
    )


@dataclass(frozen=True, eq=False)
class Forecast:
    """A model run on the point values, and its Monte Carlo and tornado table when asked for."""

    result: ForecastResult
    monte_carlo: MonteCarloResult | None
    tornado: pd.DataFrame | None
    space: UncertainSpace


def _space(doc: Document, p: ForecastParams) -> UncertainSpace:
    assert doc.space is not None  # every document this kind reads holds an issue space
    return doc.space.with_spread(p.spread_position, p.spread_salience, p.spread_capability)


def _bound(doc: Document, p: ForecastParams) -> dict[str, object]:
    return bind_params(
        p.model, {**doc.params.get(p.model, {}), **p.params}
    )  # the run's params override the file's


def forecast_cost(model: str, n_actors: int, n_dims: int, runs: int, params: Mapping[str, object]) -> Cost:
    """Memory and time of ``runs`` + 1 runs of ``model`` (:func:`detente.forecast.budget.estimate`)."""
    from detente.forecast.budget import estimate

    est = estimate(model, n_actors, n_dims, params)
    return Cost(
        what=f"the {model} model",
        size=f"{n_actors:,} actors on {n_dims:,} dimension(s), {runs + 1:,} run(s) ({est.work})",
        bytes=est.bytes + runs * n_dims * 16,
        seconds=est.seconds * (runs + 1) + runs * _RUN_OVERHEAD,
        result_bytes=est.result_bytes + 4000,
        shrink="Shrink it: merge actors with the same position, fewer Monte Carlo runs, or a model "
        "that grows more slowly with the number of actors (compromise, median).",
    )


def _forecast_cost(doc: Document, p: ForecastParams) -> list[Cost]:
    if doc.space is None:  # a many-issue data file
        n = len(doc.imported.cases)
        raise InputError(
            [Problem(doc.file, None, "", f"holds {n} issues; pick one with --issue or run a back-test")]
        )
    base = doc.space.base
    if p.dimension >= base.n_dims:
        raise ParameterError("dimension", f"dimension {p.dimension} is out of range 0..{base.n_dims - 1}")
    cost = forecast_cost(p.model, base.n_actors, base.n_dims, p.mc, _bound(doc, p))
    if p.outcomes:
        cost = dataclasses.replace(cost, result_bytes=cost.result_bytes + p.mc * base.n_dims * 24)
    return [cost]


def _forecast(doc: Document, p: ForecastParams, ex: Execution) -> Forecast:
    from detente.forecast.models import get

    space = _space(doc, p)
    kw = _bound(doc, p)
    try:
        result = get(p.model)(space.base, **kw)
    except InputError as exc:
        raise InputError(
            [
                Problem(doc.file, q.line, f"{p.model}.{q.field}" if q.field else p.model, q.message)
                for q in exc.problems
            ]
        ) from None
    except ValueError as exc:
        raise InputError([Problem(doc.file, None, p.model, str(exc))]) from None
    mc = table = None
    if p.mc > 0:
        from detente.forecast.montecarlo import run_monte_carlo, tornado

        try:
            mc = run_monte_carlo(
                space,
                p.model,
                p.mc,
                seed=p.seed,
                params=kw,
                workers=ex.workers,
                dask=ex.dask,
                chunk_size=p.chunk_size,
                progress=ex.progress,
            )
        except OSError as exc:  # an unreachable Dask scheduler
            raise ClusterError(f"the Dask scheduler {ex.dask} cannot be reached: {exc}") from None
        table = tornado(space, p.model, params=kw, dim=p.dimension, result=mc) if space.inputs else None
    return Forecast(result, mc, table, space)


def _forecast_json(doc: Document, p: ForecastParams, f: Forecast) -> Json:
    from detente.render.forecast_json import run_dict

    out = run_dict(f.result, f.monte_carlo, f.tornado, p.dimension)
    if p.outcomes and f.monte_carlo is not None:
        out["monte_carlo"]["outcomes"] = f.monte_carlo.outcomes.tolist()
    return out


def _forecast_terminal(doc: Document, p: ForecastParams, f: Forecast, out: Console) -> None:
    from detente.render.terminal_forecast import print_run

    print_run(f.result, f.monte_carlo, f.tornado, out)


def forecast_figures(doc: Document, p: ForecastParams, f: Forecast) -> dict[str, str]:
    """The trajectories of each dimension as SVG; with Monte Carlo one combined figure."""
    import functools

    from detente.render.conflict_plots import figure_svg
    from detente.render.forecast_plots import forecast_figure

    if f.monte_carlo is not None:
        return {
            "montecarlo": figure_svg(forecast_figure(f.result, f.monte_carlo, f.tornado, dim=p.dimension))
        }
    draw = {
        f"trajectories_{k}": functools.partial(forecast_figure, f.result, dim=k)
        for k in range(f.result.space.n_dims)
    }
    return {name: figure_svg(make()) for name, make in draw.items()}


def check_plot(path: Path) -> None:
    """A plot path must end in .png or .svg (checked before the run starts)."""
    from detente.render.forecast_plots import check_plot_path

    check_plot_path(path)


def write_plot(doc: Document, p: ForecastParams, f: Forecast, path: Path) -> None:
    """The forecast figure written to ``path`` (.png or .svg)."""
    from detente.render.forecast_plots import forecast_figure, save_figure

    save_figure(forecast_figure(f.result, f.monte_carlo, f.tornado, dim=p.dimension), path)


FORECAST = RunKind(
    name="forecast",
    title="detente forecast run",
    params=ForecastParams,
    reads=SPACES,
    run=_forecast,
    to_json=_forecast_json,
    headline=headlines.forecast,
    cost=_forecast_cost,
    terminal=_forecast_terminal,
    figures=forecast_figures,
    command=("forecast", "run"),
    writer=Writer(
        CliOption(("--plot",), "Write the plots to OUT.png or OUT.svg."), write_plot, check=check_plot
    ),
    execution=("workers", "dask"),
    load_options=("format", "issue"),
    cli={"model": CliOption(("--model", "-m")), "params": CliOption(("--param", "-p"))},
    random=("seed",),
)


# -- back-test ----------------------------------------------------------------------------------
class BacktestParams(Params):
    """Score models on the file's issues with known outcomes (e.g. DEU III): MAE, median error, hit rate."""

    kind: Literal["backtest"] = "backtest"
    model: list[BacktestModel] = Field(
        default_factory=lambda: list(BACKTEST_DEFAULT),
        min_length=1,
        description="Models to score.",
    )
    folds: int = Field(10, ge=2, le=1000, description="Folds of the cross-validation of fitted models.")
    seed: int = Field(0, ge=0, lt=2**63, description="Seed of the fold assignment.")
    within: float = Field(
        10.0, gt=0, le=100, description="A hit is a forecast within this many points (0-100)."
    )


@dataclass(frozen=True, eq=False)
class Backtests:
    results: list[Any]
    skipped: dict[str, str]


def _backtest_cost(doc: Document, p: BacktestParams) -> list[Cost]:
    cases = doc.imported.cases if doc.imported is not None else ()
    return [
        Cost(
            what=f"back-testing {m}",
            size=f"{len(cases):,} issues",
            bytes=len(cases) * 50_000,
            seconds=len(cases) * (0.05 if m in ("eum", "smp") else 0.002) * (p.folds if m == "blend" else 1),
        )
        for m in p.model
    ]


def _backtest(doc: Document, p: BacktestParams, ex: Execution) -> Backtests:
    from detente.forecast import backtest as bt

    cases = doc.imported.cases if doc.imported is not None else ()
    try:
        results, skipped = bt.backtest_all(cases, p.model, folds=p.folds, seed=p.seed, within=p.within)
    except ValueError as exc:
        raise InputError([Problem(doc.file, None, "", str(exc))]) from None
    if not results:
        reasons = "; ".join(f"{s.model}: {s.reason}" for s in skipped)
        raise InputError([Problem(doc.file, None, "model", f"no model can run on this file ({reasons})")])
    return Backtests(results, {s.model: s.reason for s in skipped})


def _backtest_json(doc: Document, p: BacktestParams, r: Backtests) -> Json:
    from detente.forecast import backtest as bt
    from detente.render.forecast_json import backtest_dict

    return backtest_dict(doc.file, p.within, bt.summary(r.results), r.skipped)


def _backtest_terminal(doc: Document, p: BacktestParams, r: Backtests, out: Console) -> None:
    from detente.forecast import backtest as bt
    from detente.render.terminal_forecast import frame_table

    out.print(
        frame_table(
            bt.summary(r.results), f"Back-test on {Path(doc.file).name} (hit = within {p.within:g} points)", 4
        )
    )
    for res in r.results:
        if res.model == bt.BLEND:
            fits = typing.cast(list[dict[str, float]], res.info["fits"])
            lams = sorted({f["lambda"] for f in fits})
            out.print(
                f"blend: {p.folds}-fold cross-validation (seed {p.seed}); every score is out-of-fold; "
                f"penalty chosen per fold by inner 5-fold CV from {lams}",
                markup=False,
            )
    for model, reason in r.skipped.items():
        out.print(f"{model}: not run: {reason}", markup=False)


BACKTEST = RunKind(
    name="backtest",
    title="detente forecast backtest",
    params=BacktestParams,
    reads=frozenset({"table"}),
    run=_backtest,
    to_json=_backtest_json,
    headline=headlines.backtest,
    cost=_backtest_cost,
    terminal=_backtest_terminal,
    command=("forecast", "backtest"),
    load_options=("format",),
    cli={"model": CliOption(("--model", "-m"))},
)
