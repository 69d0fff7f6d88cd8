"""The kinds of input document detente reads, and how each is described to a user (no heavy imports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

DocKind = Literal["scenario", "conflict", "gmcr", "issues", "table", "questions", "clock"]

DESCRIPTIONS: Mapping[DocKind, str] = {
    "scenario": "a scenario file (meta, actors, conflict, issues, ...)",
    "conflict": "a conflict file (decision_makers, options, preferences)",
    "gmcr": "a GMCR+ .gmcr file",
    "issues": "an issue-space file (actors, dimensions)",
    "table": "a forecast data file (KTAB CSV/XML, name-x-c-s, actor/capability/position/salience CSV, "
    "exchange model, DEU)",
    "questions": "a forecast questions file",
    "clock": "a negotiation clock file (parties, start, rounds, events)",
}

CONFLICTS: frozenset[DocKind] = frozenset({"scenario", "conflict", "gmcr"})
"""Documents that hold a graph-model conflict."""
SPACES: frozenset[DocKind] = frozenset({"scenario", "issues", "table"})
"""Documents that hold an issue space for the forecast models."""
SCENARIOS: frozenset[DocKind] = frozenset({"scenario"})
CLOCKS: frozenset[DocKind] = frozenset({"scenario", "clock"})
"""Documents that may hold a negotiation clock (a scenario's ``clock:`` section)."""
