"""Forecast results as terminal tables (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

    from detente.forecast.montecarlo import MonteCarloResult
    from detente.forecast.space import ForecastResult


def frame_table(frame: pd.DataFrame, title: str, digits: int = 3) -> Table:
    """A DataFrame as a table: numbers right-aligned to ``digits`` significant digits."""
    import pandas as pd

    table = Table(title=Text(title))
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for rec in frame.itertuples(index=False):
        table.add_row(*(Text(f"{v:.{digits}g}" if isinstance(v, float) else str(v)) for v in rec))
    return table


def print_run(
    result: ForecastResult, mc: MonteCarloResult | None, table: pd.DataFrame | None, out: Console
) -> None:
    """Each actor's start and end, the forecast, and with Monte Carlo its quantiles and tornado."""
    space = result.space
    rounds = result.rounds.shape[0] - 1
    actors = Table(title=Text(f"{result.model}: {space.name or 'issue space'} ({rounds} round(s))"))
    actors.add_column("actor")
    for dim in space.dimensions:
        actors.add_column(Text(f"{dim} start"), justify="right")
        actors.add_column(Text(f"{dim} end"), justify="right")
    for i, a in enumerate(space.actors):
        cells = [
            f"{v:.4g}" for k in range(space.n_dims) for v in (result.rounds[0, i, k], result.rounds[-1, i, k])
        ]
        actors.add_row(Text(a), *cells)
    out.print(actors)
    outcome = ", ".join(f"{d} = {v:.4g}" for d, v in zip(space.dimensions, result.outcome, strict=True))
    out.print(f"Forecast ({result.model}): {outcome}", markup=False)
    if mc is not None:
        title = f"Monte Carlo: {mc.n} runs, seed {mc.seed}, chunk {mc.chunk_size}, {mc.failures} failed"
        out.print(frame_table(mc.quantiles(), title))
        if not mc.labels:
            out.print("No input carries uncertainty: every run has the point values.")
    if table is not None:
        out.print(frame_table(table, "Tornado (outcome on the first dimension)"))


def print_validation(document: dict[str, Any], out: Console) -> None:
    """One row per data file and model; crashed runs in bold red."""
    table = Table(title=Text(f"forecast validate {document['directory']}"))
    for col in ("file", "format", "actors", "model", "outcome", "seconds"):
        table.add_column(col, justify="right" if col in ("actors", "seconds") else "left")
    for r in document["results"]:
        table.add_row(
            Text(r["file"]),
            r["format"],
            str(r["actors"]),
            r["model"],
            Text(r["outcome"]),
            f"{r['seconds']:.2f}",
            style="" if r["ok"] else "bold red",
        )
    out.print(table)
