"""Plots of forecast results: actor trajectories, the Monte Carlo histogram, the tornado chart.

Renderers only (matplotlib, Agg backend): they draw result objects and compute nothing of their own.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from detente.errors import InputError, Problem
from detente.forecast.montecarlo import MonteCarloResult
from detente.forecast.space import ForecastResult
from detente.io.yamlio import atomic_write

FORMATS = (".png", ".svg")
MAX_LABELLED_ACTORS = 20


def draw_trajectories(ax: Axes, result: ForecastResult, dim: int = 0) -> None:
    """Each actor's position on dimension ``dim`` across rounds, and the model's outcome per round."""
    space = result.space
    t = np.arange(result.rounds.shape[0])
    for i, name in enumerate(space.actors):
        label = name if space.n_actors <= MAX_LABELLED_ACTORS else None
        ax.plot(t, result.rounds[:, i, dim], marker="o", markersize=3, linewidth=1, label=label)
    ax.plot(t, result.outcome_by_round[:, dim], color="black", linestyle="--", linewidth=2, label="outcome")
    lo, hi = space.scale[dim]
    ax.set_ylim(lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    ax.set_ylabel(space.dimensions[dim])
    ax.set_title(f"{result.model}: positions by round")
    ax.legend(fontsize="x-small", ncol=2, loc="best")


def draw_histogram(ax: Axes, mc: MonteCarloResult, dim: int = 0, bins: int = 30) -> None:
    """Histogram of the Monte Carlo outcomes on ``dim`` with the 5/50/95 % quantiles and the point run."""
    counts, edges = mc.histogram(dim, bins)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#9ecae1", edgecolor="#3182bd")
    row = mc.quantiles().iloc[dim]
    for key, style in (("q05", ":"), ("q50", "-"), ("q95", ":")):
        ax.axvline(
            float(row[key]), color="#08519c", linestyle=style, label=f"{int(key[1:])} % = {row[key]:.3g}"
        )
    ax.axvline(float(mc.point_outcome[dim]), color="#d62728", label=f"point = {mc.point_outcome[dim]:.3g}")
    ax.set_xlabel(f"outcome on {mc.dimensions[dim]}")
    ax.set_ylabel("runs")
    ax.set_title(f"Monte Carlo: {mc.n} runs of {mc.model} (seed {mc.seed})")
    ax.legend(fontsize="x-small")


def draw_tornado(ax: Axes, table: pd.DataFrame, point: float, top: int = 12) -> None:
    """Horizontal bars from the outcome at each input's low end to that at its high end (largest on top)."""
    rows = table.head(top).iloc[::-1]
    y = np.arange(len(rows))
    lo = rows["outcome_low"].to_numpy(dtype=float)
    hi = rows["outcome_high"].to_numpy(dtype=float)
    ax.barh(y, hi - point, left=point, color="#fdae6b", label="input at high end")
    ax.barh(y, lo - point, left=point, color="#6baed6", label="input at low end")
    ax.axvline(point, color="black", linewidth=1)
    ax.set_yticks(y, list(rows["input"]), fontsize="x-small")
    ax.set_xlabel("outcome")
    ax.set_title("Tornado: one input at a time")
    ax.legend(fontsize="x-small")


def forecast_figure(
    result: ForecastResult,
    mc: MonteCarloResult | None = None,
    tornado: pd.DataFrame | None = None,
    dim: int = 0,
) -> Figure:
    """One figure with the trajectories, and the histogram and tornado panels when given."""
    panels = 1 + (mc is not None) + (tornado is not None and len(tornado) > 0)
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4.5), squeeze=False)
    draw_trajectories(axes[0, 0], result, dim)
    k = 1
    if mc is not None:
        draw_histogram(axes[0, k], mc, dim)
        k += 1
    if tornado is not None and len(tornado) > 0:
        draw_tornado(axes[0, k], tornado, float(result.outcome[dim]))
    fig.tight_layout()
    return fig


def check_plot_path(path: str | Path) -> Path:
    """The plot path if its suffix is .png or .svg, else InputError (checked before any work is done)."""
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise InputError([Problem(str(p), None, "--plot", "the plot file must end in .png or .svg")])
    return p


def save_figure(fig: Figure, path: str | Path) -> None:
    """Write the figure atomically as PNG or SVG (by suffix) and close it."""
    p = check_plot_path(path)
    try:
        atomic_write(p, lambda tmp: fig.savefig(tmp, format=p.suffix.lower()[1:], dpi=120))
    finally:
        plt.close(fig)
