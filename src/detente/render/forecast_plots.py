"""Plots of forecast results: actor trajectories, the Monte Carlo histogram, the tornado chart.

Renderers only (matplotlib, Agg backend): they draw result objects and compute nothing of their own.
"""

from __future__ import annotations

import re
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


WIDTH = 7.5
"""Figure width in inches: 540 pt, shown as 720 CSS px, which fits the web page's content at a
900 px window without shrinking, so the smallest text (SMALL, 9 pt = 12 px) stays above 11 px."""
SMALL = 9
TITLE = 11
LABEL_WIDTH = 30


def one_round(result: ForecastResult) -> bool:
    """Whether the model has a single round (its positions are the input; nothing moves)."""
    return bool(result.rounds.shape[0] <= 1)


def draw_trajectories(ax: Axes, result: ForecastResult, dim: int = 0) -> None:
    """Each actor's position on dimension ``dim`` across rounds, and the model's outcome per round;
    for a one-round model the dot chart of :func:`draw_positions` instead."""
    if one_round(result):
        draw_positions(ax, result, dim)
        return
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
    ax.set_title(f"{result.model}: positions by round", fontsize=TITLE)
    _legend_below(ax, ncol=3)


def draw_positions(ax: Axes, result: ForecastResult, dim: int = 0) -> None:
    """A dot chart for a one-round model: each actor's position on ``dim`` on the issue's own scale
    (one row per actor, lowest position at the bottom; dot area in proportion to capability times
    salience) and the predicted outcome as a red line."""
    space = result.space
    pos = result.rounds[-1, :, dim]
    weight = space.capability * space.salience[:, dim]
    top = float(weight.max()) if weight.size and float(weight.max()) > 0 else 1.0
    area = 25 + 175 * weight / top
    order = np.argsort(pos, kind="stable")
    n = space.n_actors
    if n <= MAX_LABELLED_ACTORS:
        y = np.arange(n, dtype=float)
        names = [_wrap(space.actors[i]) for i in order]
        ax.set_yticks(y, names, fontsize=SMALL)
        ax.set_ylim(-0.7, n - 0.3)
    else:
        y = (np.arange(n) % 9) / 8.0  # a strip, spread over nine rows so dots do not hide each other
        ax.set_yticks([])
        ax.set_ylim(-0.2, 1.2)
    ax.scatter(
        pos[order],
        y,
        s=area[order],
        color="#3182bd",
        alpha=0.8,
        zorder=3,
        label="actor (area: capability × salience)",
    )
    outcome = float(result.outcome[dim])
    ax.axvline(outcome, color="#d62728", linewidth=2, label=f"predicted outcome = {outcome:.3g}")
    lo, hi = space.scale[dim]
    ax.set_xlim(lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(f"position on {space.dimensions[dim]} ({lo:g} to {hi:g})")
    ax.set_title(f"{result.model}: positions and the predicted outcome", fontsize=TITLE)
    _legend_below(ax, ncol=2)


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
    ax.set_title(f"Monte Carlo: {mc.n} runs of {mc.model} (seed {mc.seed})", fontsize=TITLE)
    _legend_below(ax, ncol=4)


def draw_tornado(ax: Axes, table: pd.DataFrame, point: float, top: int = 12) -> None:
    """Horizontal bars from the outcome at each input's low end to that at its high end (largest on top)."""
    rows = table.head(top).iloc[::-1]
    y = np.arange(len(rows))
    lo = rows["outcome_low"].to_numpy(dtype=float)
    hi = rows["outcome_high"].to_numpy(dtype=float)
    ax.barh(y, hi - point, left=point, color="#fdae6b", label="input at high end")
    ax.barh(y, lo - point, left=point, color="#6baed6", label="input at low end")
    ax.axvline(point, color="black", linewidth=1)
    ax.set_yticks(y, [_wrap(str(x)) for x in rows["input"]], fontsize=SMALL)
    ax.set_xlabel("outcome")
    ax.set_title("Tornado: one input at a time", fontsize=TITLE)
    _legend_below(ax, ncol=2)


def _legend_below(ax: Axes, ncol: int) -> None:
    """The legend under the axes, clear of the tick labels and the axis label (whatever the axes'
    height: the gap is in font sizes), across the axes' width."""
    ax.legend(
        fontsize=SMALL,
        ncol=ncol,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=3.6,
        frameon=False,
    )


def _wrap(label: str) -> str:
    """A label on lines of at most LABEL_WIDTH characters, broken after spaces or dots (never
    inside a word; a longer word keeps its own line)."""
    lines: list[str] = []
    for token in re.findall(r"[^ .]+[ .]*|[ .]+", label):
        if lines and len(lines[-1]) + len(token.rstrip()) <= LABEL_WIDTH:
            lines[-1] += token
        else:
            lines.append(token)
    return "\n".join(line.rstrip() for line in lines) or label


def _positions_height(result: ForecastResult) -> float:
    n = result.space.n_actors
    rows = n if one_round(result) and n <= MAX_LABELLED_ACTORS else 8
    legend = 0.0 if one_round(result) else 0.25 * -(-min(n, MAX_LABELLED_ACTORS + 1) // 3)
    return 1.6 + 0.3 * rows + legend


def forecast_figure(
    result: ForecastResult,
    mc: MonteCarloResult | None = None,
    tornado: pd.DataFrame | None = None,
    dim: int = 0,
) -> Figure:
    """One figure, its panels stacked (so that each keeps the page's width): the positions (by
    round, or for a one-round model as a dot chart), and the histogram and the tornado when given."""
    heights = [_positions_height(result)]
    if mc is not None:
        heights.append(3.4)
    has_tornado = tornado is not None and len(tornado) > 0
    if has_tornado:
        assert tornado is not None
        heights.append(1.3 + 0.38 * min(len(tornado), 12))
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(WIDTH, sum(heights) + 0.4 * (len(heights) - 1)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
        layout="constrained",
    )
    draw_trajectories(axes[0, 0], result, dim)
    k = 1
    if mc is not None:
        draw_histogram(axes[k, 0], mc, dim)
        k += 1
    if has_tornado:
        assert tornado is not None
        draw_tornado(axes[k, 0], tornado, float(result.outcome[dim]))
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
