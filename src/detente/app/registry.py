"""The registry of run kinds: what a user can ask of a document.

Each :class:`Entry` names a run kind, where the command line shows it and in one line what it does,
and the module that defines it (a :class:`~detente.app.kind.RunKind`: parameters with their defaults,
guard, engine call, renderers). The command line (:mod:`detente.cli`) makes one command per entry
and the web app (:mod:`detente.web`) offers every kind that reads the document at hand, so adding an
engine means a folder under the engines, one entry here and its renderers. Listing the entries
imports nothing (``detente --help`` stays fast); a kind's module is imported when it is used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.app.kind import RunKind


@dataclass(frozen=True)
class Entry:
    """A run kind in the registry: ``command`` is its place on the command line (empty: none)."""

    name: str
    command: tuple[str, ...]
    summary: str
    definition: str
    """``module:attribute`` of its :class:`~detente.app.kind.RunKind`."""


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "stability",
        ("conflict", "analyze"),
        "Stability of every state for every decision maker, and the equilibria, per solution concept.",
        "detente.app.conflict_kinds:STABILITY",
    ),
    Entry(
        "coalitions",
        ("conflict", "coalitions"),
        "Coalition stability (Inohara & Hipel 2008) for the coalitions the file names, or all of them.",
        "detente.app.conflict_kinds:COALITIONS",
    ),
    Entry(
        "paths",
        ("conflict", "paths"),
        "Status quo analysis (Li, Kilgour & Hipel 2005): how the conflict can reach its equilibria.",
        "detente.app.conflict_kinds:PATHS",
    ),
    Entry(
        "inverse",
        ("conflict", "inverse"),
        "Inverse analysis: which preferences make a target state an equilibrium.",
        "detente.app.conflict_kinds:INVERSE",
    ),
    Entry(
        "hypergame",
        ("conflict", "hypergame"),
        "First-level hypergame of a scenario's perceptions (Bennett 1980): who expects what, and why.",
        "detente.app.conflict_kinds:HYPERGAME",
    ),
    Entry(
        "forecast",
        ("forecast", "run"),
        "Forecast the outcome with one model; with --mc, its distribution under uncertainty.",
        "detente.app.forecast_kinds:FORECAST",
    ),
    Entry(
        "backtest",
        ("forecast", "backtest"),
        "Score models on a file's issues with known outcomes (e.g. DEU III): MAE, median error, hit rate.",
        "detente.app.forecast_kinds:BACKTEST",
    ),
    Entry(
        "clock",
        ("clock",),
        "The negotiation clock: when agreement comes, on what terms, and what waiting is worth to each side.",
        "detente.app.clock_kinds:CLOCK",
    ),
    Entry(
        "interventions",
        ("interventions",),
        "Rank a scenario's interventions by their effect on the equilibria and on the forecast.",
        "detente.app.scenario_kinds:INTERVENTIONS",
    ),
    Entry(
        "questions",
        ("questions",),
        "A probability for each forecast question, from one snapshot's information only, with the reasoning.",
        "detente.app.scenario_kinds:QUESTIONS",
    ),
    Entry(
        "check",
        ("check",),
        "Verify a scenario's quotes against their sources; flag interventions that assume their own outcome.",
        "detente.app.scenario_kinds:CHECK",
    ),
    Entry(
        "report",
        ("analyze",),
        "Analyse a scenario with every engine; print a summary and write the HTML report.",
        "detente.app.scenario_kinds:REPORT",
    ),
)

GROUPS = {
    "conflict": "Analyse graph-model conflicts (detente YAML, a scenario's conflict, or GMCR+ .gmcr).",
    "forecast": "Spatial bargaining forecasts, Monte Carlo, back-tests and data validation.",
}
"""Command-line groups and their help."""


def entry(name: str) -> Entry:
    """The entry called ``name`` (a :class:`~detente.errors.ParameterError` naming the known ones)."""
    for e in ENTRIES:
        if e.name == name:
            return e
    from detente.errors import ParameterError

    raise ParameterError("kind", f"no run kind {name!r}; choose from {', '.join(e.name for e in ENTRIES)}")


def get(name: str) -> RunKind[Any, Any]:
    """The run kind called ``name``, its module imported now."""
    module, attribute = entry(name).definition.split(":")
    kind: RunKind[Any, Any] = getattr(importlib.import_module(module), attribute)
    return kind


def load_kinds() -> dict[str, RunKind[Any, Any]]:
    """Every registered kind, by name (importing every kind's module)."""
    return {e.name: get(e.name) for e in ENTRIES}
