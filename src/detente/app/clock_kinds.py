"""The run kind of the negotiation clock: the equilibrium over dated rounds, the value of waiting, the
deadline effect, the smallest change for an earlier deal, and a Monte Carlo over uncertain inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from detente.app.kind import CliOption, Execution, Json, Params, RunKind, Writer
from detente.app.scenario_kinds import builtin_scenario_path
from detente.budget import Cost
from detente.errors import NothingToDoError
from detente.io.kinds import CLOCKS
from detente.render import headlines

if TYPE_CHECKING:
    from rich.console import Console

    from detente.clock.analysis import ClockAnalysis
    from detente.io.loader import Document

_DRAW_SECONDS = 1e-3
"""Seconds per Monte Carlo draw of a clock (measured: about 2,650-4,000 draws a second on one core)."""


class ClockParams(Params):
    """Solve the negotiation clock (subgame-perfect equilibrium over dated rounds, with chance events)."""

    kind: Literal["clock"] = "clock"
    mc: int = Field(
        1000, ge=0, le=1_000_000, description="Monte Carlo draws over the uncertain inputs (0: none)."
    )
    seed: int = Field(2019, ge=0, lt=2**63, description="Seed of the Monte Carlo draws.")
    by: dt.date | None = Field(
        None,
        description="Find the smallest change that brings agreement by this date (default: the deadline).",
    )

    def steps(self) -> int:
        return max(1, self.mc)


def _cost(doc: Document, p: ClockParams) -> list[Cost]:
    if doc.clock is None:
        raise NothingToDoError(f"{doc.file}: the scenario has no clock: section (see docs/clock.md)")
    rounds = doc.clock.base.rounds
    return [
        Cost(
            what="the negotiation clock",
            size=f"{rounds} rounds, {p.mc:,} Monte Carlo draws",
            bytes=64 * 1024**2 + p.mc * 2000,
            seconds=0.05 + p.mc * _DRAW_SECONDS,
            result_bytes=20_000,
            shrink="Use fewer Monte Carlo draws (--mc) or fewer rounds.",
        )
    ]


def _run(doc: Document, p: ClockParams, ex: Execution) -> ClockAnalysis:
    from detente.clock.analysis import analyse

    by = p.by or getattr(doc.clock.base, "deadline_day", None)
    return analyse(doc.clock, p.mc, seed=p.seed, workers=ex.workers or 1, progress=ex.progress, changes_by=by)


def _json(doc: Document, p: ClockParams, a: ClockAnalysis) -> Json:
    from detente.render.clock_json import clock_json

    return clock_json(a)


def _terminal(doc: Document, p: ClockParams, a: ClockAnalysis, out: Console) -> None:
    from detente.render.clock_words import describe_clock
    from detente.render.terminal_conflict import print_lines

    print_lines(describe_clock(a), out)


def figures(doc: Document, p: ClockParams, a: ClockAnalysis) -> dict[str, str]:
    """The probability of agreement over time, with the deadline and elections marked, as SVG."""
    from detente.render.clock_plot import plot_clock
    from detente.render.conflict_plots import figure_svg

    return {"clock": figure_svg(plot_clock(a))}


def write_plot(doc: Document, p: ClockParams, a: ClockAnalysis, path: Path) -> None:
    from detente.render.clock_plot import save_clock_plot

    save_clock_plot(a, path)


CLOCK = RunKind(
    name="clock",
    title="detente clock",
    params=ClockParams,
    reads=CLOCKS,
    run=_run,
    to_json=_json,
    headline=headlines.clock,
    cost=_cost,
    terminal=_terminal,
    figures=figures,
    command=("clock",),
    default_document=builtin_scenario_path,
    writer=Writer(CliOption(("--plot",), "Write the timeline chart to OUT.png or OUT.svg."), write_plot),
    execution=("workers",),
)
