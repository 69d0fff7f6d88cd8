"""Forecast results as documented JSON (``docs/json.md``): a model run, its Monte Carlo, back-tests."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from detente.render.conflict_json import SCHEMA_VERSION

if TYPE_CHECKING:
    import pandas as pd

    from detente.forecast.montecarlo import MonteCarloResult
    from detente.forecast.space import ForecastResult

Json = dict[str, Any]


def records(frame: pd.DataFrame) -> list[Json]:
    """DataFrame rows as JSON-safe dicts (NaN -> None)."""
    rows: list[Json] = []
    for rec in frame.to_dict(orient="records"):
        rows.append({str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return rows


def run_dict(
    result: ForecastResult, mc: MonteCarloResult | None, table: pd.DataFrame | None, dim: int = 0
) -> Json:
    """A forecast (kind ``"forecast"``): the model, its parameters, the outcome per dimension, each
    actor's start and end, the outcome by round; with Monte Carlo its runs, seed, quantiles and the
    histogram of dimension ``dim``; with uncertain inputs the tornado table of ``dim``."""
    space = result.space
    out: Json = {
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
        counts, edges = mc.histogram(dim)
        out["monte_carlo"] = {
            "runs": mc.n,
            "seed": mc.seed,
            "chunk_size": mc.chunk_size,
            "failures": mc.failures,
            "inputs": list(mc.labels),
            "quantiles": records(mc.quantiles()),
            "histogram": {
                "dimension": mc.dimensions[dim],
                "counts": counts.tolist(),
                "edges": edges.tolist(),
            },
        }
    if table is not None:
        out["tornado"] = records(table)
    return out


def backtest_dict(file: str, within: float, frame: pd.DataFrame, skipped: dict[str, str]) -> Json:
    """A back-test (kind ``"backtest"``): per model MAE, median error and hit rate; models that could
    not run on the file, with why."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "backtest",
        "file": file,
        "hit_within": within,
        "models": records(frame),
        "not_run": [{"model": m, "reason": r} for m, r in skipped.items()],
    }
