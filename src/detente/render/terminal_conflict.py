"""Conflict results as terminal tables (rich): stability, coalitions, paths, inverse, hypergames.

Tables never list more than :data:`MAX_ROWS` states: beyond that they show the status quo and the
equilibria, and say how many states were left out (the JSON has them on request).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from detente.conflict.coalition import CoalitionResult, coalition_name
from detente.conflict.model import BoolArray, Conflict
from detente.conflict.paths import Path, StatusQuoAnalysis

OPTION_COLUMNS = 8
"""Beyond this many options, the stability table shows each state as one Y/N string."""
MAX_ROWS = 256
"""Beyond this many states, tables show the status quo and the equilibria only."""


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def shown_states(conflict: Conflict, stable: Mapping[str, BoolArray]) -> list[int]:
    """Every state when there are few; else the status quo and every equilibrium, in order."""
    if conflict.n_states <= MAX_ROWS:
        return list(range(conflict.n_states))
    keep = {int(s) for table in stable.values() for s in np.flatnonzero(table.all(axis=0))}
    if conflict.status_quo is not None:
        keep.add(conflict.status_quo)
    return sorted(keep)


def stability_table(conflict: Conflict, stable: Mapping[str, BoolArray], title: str) -> Table:
    """States as rows: number, option values, and per concept the DMs for which the state is stable."""
    caption = "cells list the decision makers for whom the state is stable; EQ: stable for all"
    rows = shown_states(conflict, stable)
    if len(rows) < conflict.n_states:
        caption += (
            f"\nshowing the status quo and the equilibria: {len(rows):,} of {conflict.n_states:,} states "
            "(--json --states all lists every state)"
        )
    wide = conflict.n_options > OPTION_COLUMNS
    if wide:
        caption += "\nstate: one Y/N per option, in the order " + ", ".join(o.name for o in conflict.options)
    table = Table(title=Text(title), caption=Text(caption))
    table.add_column("#", justify="right")
    for option in [] if wide else conflict.options:
        table.add_column(Text(option.name), justify="center")
    if wide:
        table.add_column("state")
    for concept in stable:
        table.add_column(concept.upper())
    for s in rows:
        number = str(conflict.number(s)) + (" (SQ)" if s == conflict.status_quo else "")
        cells = []
        for table_ in stable.values():
            column = table_[:, s]
            if column.all():
                cells.append(Text("EQ", style="bold green"))
            else:
                names = ", ".join(dm.name for i, dm in enumerate(conflict.decision_makers) if column[i])
                cells.append(Text(names))
        values = [conflict.label(s)] if wide else [_yn(v) for v in conflict.option_values(s).values()]
        table.add_row(number, *(Text(v) for v in values), *cells)
    return table


def equilibria_table(conflict: Conflict, stable: Mapping[str, BoolArray]) -> Table:
    table = Table(title="Equilibria")
    table.add_column("concept")
    table.add_column("states")
    for concept, values in stable.items():
        states = [
            f"{conflict.number(int(s))} {conflict.label(int(s))}" for s in np.flatnonzero(values.all(axis=0))
        ]
        table.add_row(concept.upper(), Text(", ".join(states) or "none"))
    return table


def print_stability(conflict: Conflict, stable: Mapping[str, BoolArray], out: Console) -> None:
    out.print(stability_table(conflict, stable, f"{conflict.name}: stability"))
    out.print(equilibria_table(conflict, stable))


def print_coalitions(result: CoalitionResult, out: Console) -> None:
    conflict = result.conflict
    out.print(stability_table(conflict, result.stable, f"{conflict.name}: coalition stability"))
    table = Table(title="Stable states per coalition")
    table.add_column("coalition")
    for concept in result.concepts:
        table.add_column(concept.upper())
    for row, members in enumerate(result.coalitions):
        cells = [
            ", ".join(str(conflict.number(int(s))) for s in np.flatnonzero(values[row])[:MAX_ROWS]) or "none"
            for values in result.by_coalition.values()
        ]
        table.add_row(Text(coalition_name(conflict, members)), *cells)
    out.print(table)
    out.print(equilibria_table(conflict, result.stable))


def path_text(conflict: Conflict, path: Path) -> str:
    """``1 NNN -A-> 3 YNN -B+C-> 7 YYY``: states by number and label, movers on the arrows."""
    parts = [f"{conflict.number(path.start)} {conflict.label(path.start)}"]
    for step in path.steps:
        mover = coalition_name(conflict, step.mover)
        parts.append(f"-{mover}-> {conflict.number(step.target)} {conflict.label(step.target)}")
    return " ".join(parts)


def print_paths(analysis: StatusQuoAnalysis, narration: Sequence[str], out: Console) -> None:
    conflict = analysis.conflict
    table = Table(title=Text(f"{conflict.name}: paths from state {conflict.number(analysis.start)}"))
    table.add_column(f"{analysis.concept.upper()} equilibrium")
    table.add_column("steps", justify="right")
    table.add_column("shortest paths")
    for e in analysis.equilibria[:MAX_ROWS]:
        e = int(e)
        found = analysis.paths.get(e, ())
        steps = str(int(analysis.distance[e])) if analysis.distance[e] >= 0 else "unreachable"
        text = "\n".join(path_text(conflict, p) for p in found) or "-"
        table.add_row(Text(f"{conflict.number(e)} {conflict.label(e)}"), steps, Text(text))
    out.print(table)
    for paragraph in narration:
        out.print(paragraph, markup=False)
        out.print()


def print_lines(lines: Sequence[str], out: Console) -> None:
    """Plain paragraphs (never read as markup)."""
    for line in lines:
        out.print(line, markup=False)


def print_hypergame(document: Mapping[str, Any], out: Console) -> None:
    """The hypergame JSON document as a short table and its explanation."""
    table = Table(title=Text(f"Hypergame under {str(document['concept']).upper()}"))
    table.add_column("")
    table.add_column("states")

    def states(items: Sequence[Mapping[str, Any]]) -> Text:
        return Text(", ".join(f"{e['number']} {e['label']}" for e in items) or "none")

    table.add_row("equilibria of the real game", states(document["real_equilibria"]))
    table.add_row("hypergame equilibria", states(document["hypergame_equilibria"]))
    for who, expected in sorted(document["expected"].items()):
        table.add_row(Text(f"{who} expects"), states(expected))
    out.print(table)
    print_lines(document["explanation"], out)
