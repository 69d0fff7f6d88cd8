"""The clock's timeline chart: probability of agreement over time, with the deadline and elections
marked, and the equilibrium terms of agreement by date. Renders only (matplotlib, imported when a
chart is drawn, Agg backend); it computes nothing of its own."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from detente.clock.analysis import ClockAnalysis
from detente.errors import InputError, Problem

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = (".png", ".svg")
WIDTH = 7.5
"""Inches: 540 pt, shown as 720 CSS px, which fits the web page at a 900 px window unshrunk, so the
smallest text (SMALL, 9 pt = 12 px) stays above 11 px."""
SMALL = 9


def plot_clock(analysis: ClockAnalysis) -> Figure:
    """Two panels over the clock's dates: (top) the probability of agreement by each date at the
    central values and, with a Monte Carlo, averaged over the draws with its 5-95 % band; (bottom)
    the expected place of an agreement reached in each round on the 0-100 scale. Dashed red line:
    the deadline; dotted grey lines: elections and other uncertain events."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m, sol = analysis.model, analysis.solution
    T = m.horizon
    dates = [m.date_of(t) for t in range(T)]
    fig, (ax1, ax2) = plt.subplots(
        2, 1, figsize=(WIDTH, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    ax1.step(dates, sol.cumulative, where="post", color="black", label="central values")
    mc = analysis.monte_carlo
    if mc is not None:
        cum = np.cumsum(mc.p_agree, axis=1)
        ax1.step(dates, cum.mean(axis=0), where="post", color="tab:blue", label=f"mean of {mc.n:,} draws")
        lo, hi = np.quantile(cum, [0.05, 0.95], axis=0)
        ax1.fill_between(dates, lo, hi, step="post", color="tab:blue", alpha=0.15, label="5–95 % of draws")
    marks = []
    if m.deadline_day is not None:
        marks.append((m.deadline_day, "deadline", "tab:red", "--"))
    for e in m.events:
        if e.kind == "election" or (0 < e.probability < 1):
            marks.append((m.event_date(e), e.label or e.name, "grey", ":"))
    for ax in (ax1, ax2):
        for day, _label, color, style in marks:
            ax.axvline(day, color=color, linestyle=style, linewidth=1)
    for day, label, color, _ in marks:
        ax1.annotate(label, (day, 1.0), rotation=90, va="top", ha="right", fontsize=SMALL, color=color)
    ax1.set_ylim(-0.02, 1.02)
    ax1.set_ylabel("P(agreement by date)")
    ax1.legend(loc="center right", fontsize=SMALL)
    ax1.set_title(m.name)
    pos = np.array([sol.position_at(t) for t in range(T)])
    ax2.plot(dates, pos, marker="o", markersize=3, linestyle="none", color="black")
    if np.isnan(pos).all():
        note = "no agreement at the central values"
        ax2.text(0.5, 0.5, note, transform=ax2.transAxes, ha="center", va="center")
    ax2.set_ylim(-3, 103)
    low, high = m.scale
    ax2.set_ylabel("terms (0–100)")
    if low or high:
        ax2.set_title(textwrap.fill(f"0 = {low}; 100 = {high}", 95), fontsize=SMALL)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def save_clock_plot(analysis: ClockAnalysis, path: str | Path) -> Path:
    """Draw :func:`plot_clock` into ``path`` (.png or .svg)."""
    import matplotlib.pyplot as plt

    target = Path(path)
    if target.suffix not in FORMATS:
        raise InputError([Problem(str(target), None, "", f"plots are written as {' or '.join(FORMATS)}")])
    fig = plot_clock(analysis)
    try:
        fig.savefig(target, dpi=120)
    finally:
        plt.close(fig)
    return target
