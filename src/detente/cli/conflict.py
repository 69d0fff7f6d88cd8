"""``detente conflict ...``: analyse graph-model conflicts from a detente YAML or GMCR+ ``.gmcr`` file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from detente.analysis import is_scenario
from detente.cli.common import console, parse_choices, print_json, reporting_errors
from detente.conflict import coalition as coal
from detente.conflict import inverse, limited_move, paths, stability
from detente.conflict.model import BoolArray, Conflict
from detente.errors import InputError, Problem
from detente.io import gmcr as gmcr_json
from detente.io.scenario import parse_scenario
from detente.io.yamlio import LineMap, load_yaml
from detente.render import conflict_json as export
from detente.render import narrate

app = typer.Typer(no_args_is_help=True, help=__doc__)

FileArg = Annotated[
    Path,
    typer.Argument(
        help="Conflict file: detente conflict YAML, a scenario (its conflict), or GMCR+ JSON with the "
        ".gmcr suffix."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the documented JSON (docs/json.md).")]
MethodOpt = Annotated[str, typer.Option(help="fast (vectorised) or reference (brute force).")]
OPTION_COLUMNS = 8
"""Beyond this many options, the stability table shows each state as one Y/N string."""


def _scenario_yaml(file: Path) -> tuple[Any, LineMap] | None:
    """The parsed YAML of ``file`` if it is a scenario (top level ``meta`` and ``conflict``), else None."""
    if file.suffix.lower() == gmcr_json.GMCR_SUFFIX:
        return None
    data, lines = load_yaml(file)
    return (data, lines) if is_scenario(data) else None


def _load(file: Path) -> Conflict:
    """The conflict of a detente conflict YAML or ``.gmcr`` file, or the ``conflict`` of a scenario file."""
    scenario = _scenario_yaml(file)
    return gmcr_json.load_any(file) if scenario is None else parse_scenario(*scenario).conflict


def _method(text: str) -> stability.Method:
    return "reference" if parse_choices(text, ("fast", "reference"), "method")[0] == "reference" else "fast"


def _state(conflict: Conflict, ref: str, what: str) -> int:
    """Index of the state a user names by number or by a Y/N/- pattern in option order."""
    try:
        return conflict.resolve_state(int(ref) if ref.strip().isdigit() else ref.strip())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=what) from exc


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _stability_table(conflict: Conflict, stable: Mapping[str, BoolArray], title: str) -> Table:
    """States as rows: number, option values, and per concept the DMs for which the state is stable."""
    caption = "cells list the decision makers for whom the state is stable; EQ: stable for all"
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
    for s in range(conflict.n_states):
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


def _equilibria_table(conflict: Conflict, stable: Mapping[str, BoolArray]) -> Table:
    table = Table(title="Equilibria")
    table.add_column("concept")
    table.add_column("states")
    for concept, values in stable.items():
        states = [
            f"{conflict.number(s)} {conflict.label(s)}"
            for s in range(conflict.n_states)
            if values[:, s].all()
        ]
        table.add_row(concept.upper(), Text(", ".join(states) or "none"))
    return table


@app.command()
def analyze(
    file: FileArg,
    concepts: Annotated[
        str,
        typer.Option(
            help="Comma-separated: nash, gmr, smr, seq, and for two decision makers the limited-move "
            "horizons l1, l2, l3, ... (l<h>)."
        ),
    ] = "nash,gmr,smr,seq",
    json: JsonOpt = False,
    method: MethodOpt = "fast",
) -> None:
    """Stability of every state for every decision maker, and the equilibria, per solution concept."""
    chosen = parse_choices(concepts, stability.CONCEPTS, "concept", limited_move.is_concept, "l<h> (h >= 1)")
    with reporting_errors():
        conflict = _load(file)
        limited = [c for c in chosen if limited_move.is_concept(c)]
        if limited and conflict.n_dms != 2:
            raise typer.BadParameter(
                f"{', '.join(limited)}: limited-move stability needs exactly two decision makers; "
                f"{conflict.name!r} has {conflict.n_dms}. Use nash, gmr, smr or seq.",
                param_hint="--concepts",
            )
        result = stability.analyze(conflict, chosen, _method(method))
    if json:
        print_json(export.stability_dict(result))
        return
    console().print(_stability_table(conflict, result.stable, f"{conflict.name}: stability"))
    console().print(_equilibria_table(conflict, result.stable))


@app.command()
def coalitions(
    file: FileArg,
    concepts: Annotated[str, typer.Option(help="Comma-separated: cnash, cgmr, csmr, cseq.")] = (
        "cnash,cgmr,csmr,cseq"
    ),
    json: JsonOpt = False,
    method: MethodOpt = "fast",
) -> None:
    """Coalition stability (Inohara & Hipel 2008) for the coalitions the file names, or all of them."""
    chosen = parse_choices(concepts, coal.CONCEPTS, "concept")
    with reporting_errors():
        conflict = _load(file)
        result = coal.coalition_stability(conflict, chosen, method=_method(method))
    if json:
        print_json(export.coalition_dict(result))
        return
    console().print(_stability_table(conflict, result.stable, f"{conflict.name}: coalition stability"))
    table = Table(title="Stable states per coalition")
    table.add_column("coalition")
    for concept in result.concepts:
        table.add_column(concept.upper())
    for row, members in enumerate(result.coalitions):
        cells = [
            ", ".join(str(conflict.number(s)) for s in range(conflict.n_states) if values[row, s]) or "none"
            for values in result.by_coalition.values()
        ]
        table.add_row(Text(coal.coalition_name(conflict, members)), *cells)
    console().print(table)
    console().print(_equilibria_table(conflict, result.stable))


def _path_text(conflict: Conflict, path: paths.Path) -> str:
    """``1 NNN -A-> 3 YNN -B+C-> 7 YYY``: states by number and label, movers on the arrows."""
    parts = [f"{conflict.number(path.start)} {conflict.label(path.start)}"]
    for step in path.steps:
        mover = coal.coalition_name(conflict, step.mover)
        parts.append(f"-{mover}-> {conflict.number(step.target)} {conflict.label(step.target)}")
    return " ".join(parts)


@app.command("paths")
def paths_command(
    file: FileArg,
    concept: Annotated[str, typer.Option(help="Equilibria to reach: nash, gmr, smr or seq.")] = "seq",
    start: Annotated[
        str | None, typer.Option("--from", help="Start state (number or Y/N pattern); default: status quo.")
    ] = None,
    with_coalitions: Annotated[
        bool, typer.Option("--coalitions", help="Allow coalition improvements too.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Status quo analysis (Li, Kilgour & Hipel 2005): how the conflict can reach its equilibria."""
    chosen = parse_choices(concept, stability.CONCEPTS, "concept")[0]
    with reporting_errors():
        conflict = _load(file)
        origin = None if start is None else _state(conflict, start, "--from")
        if origin is None and conflict.status_quo is None:
            raise typer.BadParameter("the conflict names no status quo; give --from", param_hint="--from")
        result = stability.analyze(conflict, [chosen])
        analysis = paths.status_quo_paths(conflict, result, chosen, origin, with_coalitions)
    if json:
        print_json(export.paths_dict(analysis))
        return
    table = Table(title=Text(f"{conflict.name}: paths from state {conflict.number(analysis.start)}"))
    table.add_column(f"{chosen.upper()} equilibrium")
    table.add_column("steps", justify="right")
    table.add_column("shortest paths")
    for e in analysis.equilibria:
        e = int(e)
        found = analysis.paths.get(e, ())
        steps = str(int(analysis.distance[e])) if analysis.distance[e] >= 0 else "unreachable"
        text = "\n".join(_path_text(conflict, p) for p in found) or "-"
        table.add_row(Text(f"{conflict.number(e)} {conflict.label(e)}"), steps, Text(text))
    console().print(table)
    for paragraph in narrate.describe_paths(conflict, analysis):
        console().print(paragraph, markup=False)
        console().print()


@app.command("inverse")
def inverse_command(
    file: FileArg,
    target: Annotated[str, typer.Option(help="Target state: number or Y/N pattern in option order.")],
    dm: Annotated[str, typer.Option(help="The decision maker whose preferences are unknown.")],
    concept: Annotated[str, typer.Option(help="nash, gmr, smr or seq.")] = "seq",
    statements: Annotated[
        bool, typer.Option("--statements", help="Try the orders of the DM's statements instead.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Inverse analysis (Kinsara, Kilgour & Hipel 2015): which preferences make TARGET an equilibrium."""
    chosen = parse_choices(concept, stability.CONCEPTS, "concept")[0]
    with reporting_errors():
        conflict = _load(file)
        t = _state(conflict, target, "--target")
        try:
            i = conflict.dm_index(dm)
        except KeyError as exc:
            names = ", ".join(d.name for d in conflict.decision_makers)
            raise typer.BadParameter(
                f"no decision maker {dm!r}; choose from {names}", param_hint="--dm"
            ) from exc
        if statements:
            try:
                orders = inverse.inverse_statement_orders(conflict, t, i, chosen)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--statements") from exc
        else:
            result = inverse.inverse_analysis(conflict, t, i, chosen)
    name = f"state {conflict.number(t)} ({conflict.label(t)})"
    if statements:
        if json:
            print_json(export.statement_orders_dict(conflict, orders))
            return
        console().print(
            f"{orders.count} of {orders.total} orders of {dm}'s statements make {name} "
            f"a {chosen.upper()} equilibrium",
            markup=False,
        )
        for order in orders.orders:
            console().print("  " + " > ".join(order), markup=False)
        return
    if json:
        print_json(export.inverse_dict(conflict, result))
        return
    console().print(
        f"{result.count} of {result.total} strict rankings of {dm} ({result.share:.1%}) make {name} "
        f"a {chosen.upper()} equilibrium",
        markup=False,
    )
    for condition in result.conditions:
        console().print(f"  - {condition}", markup=False)
    for ranking in result.examples:
        console().print("  e.g. " + " > ".join(str(conflict.number(s)) for s in ranking), markup=False)


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="Input: detente YAML or .gmcr.")],
    target: Annotated[Path, typer.Argument(help="Output: .gmcr for GMCR+ JSON, anything else is YAML.")],
) -> None:
    """Convert a conflict between detente YAML and GMCR+ .gmcr (written atomically)."""
    with reporting_errors():
        if _scenario_yaml(source) is not None:
            message = "a scenario file; convert takes a conflict file (detente conflict YAML or .gmcr)"
            raise InputError([Problem(str(source), None, "", message)])
        gmcr_json.convert(source, target)
    console().print(f"wrote {target}", markup=False)
