"""Analysis results as plain, JSON-ready dicts in a documented, stable format (``docs/json.md``).

Every document has ``schema_version`` (:data:`SCHEMA_VERSION`), a ``kind`` and the ``conflict`` it is
about. States are identified by their 1-based *state number* (their position among the feasible
states in ascending code order, :mod:`detente.conflict.model`); option values are ``true`` (taken,
Y) or ``false`` (N), keyed by option name. Field names never change within a schema version; new
fields may be added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.conflict.model import BoolArray, Conflict

if TYPE_CHECKING:
    from detente.conflict.coalition import CoalitionResult
    from detente.conflict.inverse import InverseResult, StatementOrderResult
    from detente.conflict.paths import Path, StatusQuoAnalysis
    from detente.conflict.stability import StabilityResult

SCHEMA_VERSION = 1

Json = dict[str, Any]


def conflict_dict(conflict: Conflict) -> Json:
    """The conflict's name, decision makers, options (owner, reversibility), status quo and coalitions."""
    names = [dm.name for dm in conflict.decision_makers]
    return {
        "name": conflict.name,
        "description": conflict.description,
        "source": conflict.source,
        "decision_makers": [
            {
                "name": dm.name,
                "description": dm.description,
                "options": [conflict.options[j].name for j in dm.options],
            }
            for dm in conflict.decision_makers
        ],
        "options": [
            {
                "name": o.name,
                "description": o.description,
                "owner": names[o.owner],
                "reversibility": o.direction.name.lower(),
            }
            for o in conflict.options
        ],
        "n_states": conflict.n_states,
        "status_quo": None if conflict.status_quo is None else conflict.number(conflict.status_quo),
        "coalitions": [[names[i] for i in c] for c in conflict.coalitions],
    }


def state_dict(conflict: Conflict, s: int) -> Json:
    """State ``s`` (an index): its number, Y/N label, option values and each DM's preference rank."""
    return {
        "number": conflict.number(s),
        "label": conflict.label(s),
        "options": conflict.option_values(s),
        "rank": {dm.name: int(conflict.ranks[i, s]) for i, dm in enumerate(conflict.decision_makers)},
    }


def _numbers(conflict: Conflict, indices: Sequence[int] | np.ndarray[Any, Any]) -> list[int]:
    return [conflict.number(int(s)) for s in indices]


def conflict_document(kind: str, conflict: Conflict, **fields: Any) -> Json:
    """A JSON document about a conflict: schema version, ``kind``, the conflict, then ``fields``."""
    return {"schema_version": SCHEMA_VERSION, "kind": kind, "conflict": conflict_dict(conflict), **fields}


def _per_state(conflict: Conflict, stable: Mapping[str, BoolArray]) -> list[Json]:
    """Each state with, per concept, whether it is stable for each DM and whether it is an equilibrium."""
    rows = []
    for s in range(conflict.n_states):
        row = state_dict(conflict, s)
        row["stable"] = {
            concept: {dm.name: bool(table[i, s]) for i, dm in enumerate(conflict.decision_makers)}
            for concept, table in stable.items()
        }
        row["equilibrium"] = {concept: bool(table[:, s].all()) for concept, table in stable.items()}
        rows.append(row)
    return rows


def _summary(conflict: Conflict, stable: Mapping[str, BoolArray]) -> Json:
    """How many states are stable for each decision maker, and how many are equilibria, per concept."""
    return {
        concept: {
            "stable": {dm.name: int(table[i].sum()) for i, dm in enumerate(conflict.decision_makers)},
            "equilibria": int(table.all(axis=0).sum()),
        }
        for concept, table in stable.items()
    }


def stability_dict(result: StabilityResult, rows: bool = True) -> Json:
    """A stability analysis (kind ``"stability"``): per state, DM and concept whether the state is
    stable (Fang, Hipel & Kilgour 1993, ch. 3), and the equilibria per concept as state numbers.

    ``rows=False`` leaves out the per-state list (``states`` is ``null``; ``summary`` still counts)."""
    c = result.conflict
    return conflict_document(
        "stability",
        c,
        concepts=list(result.concepts),
        summary=_summary(c, result.stable),
        states=_per_state(c, result.stable) if rows else None,
        equilibria={concept: _numbers(c, result.equilibria(concept)) for concept in result.concepts},
    )


def coalition_dict(result: CoalitionResult, rows: bool = True) -> Json:
    """A coalition analysis (kind ``"coalitions"``, Inohara & Hipel 2008): per state, DM and concept
    whether stable, per coalition of the analysed class the states it is stable at, and the
    coalition equilibria as state numbers."""
    from detente.conflict.coalition import coalition_name

    c = result.conflict
    return conflict_document(
        "coalitions",
        c,
        concepts=list(result.concepts),
        coalitions=[
            {
                "name": coalition_name(c, h),
                "members": [c.decision_makers[i].name for i in h],
                "stable_states": {
                    concept: _numbers(c, np.flatnonzero(table[row]))
                    for concept, table in result.by_coalition.items()
                },
            }
            for row, h in enumerate(result.coalitions)
        ],
        summary=_summary(c, result.stable),
        states=_per_state(c, result.stable) if rows else None,
        equilibria={concept: _numbers(c, result.equilibria(concept)) for concept in result.concepts},
    )


def inverse_dict(conflict: Conflict, result: InverseResult) -> Json:
    """An inverse analysis (kind ``"inverse"``, Kinsara, Kilgour & Hipel 2015): how many of the
    decision maker's strict rankings make the target an equilibrium, examples (state numbers, best
    first) and the conditions in words."""
    return conflict_document(
        "inverse",
        conflict,
        concept=result.concept,
        target=conflict.number(result.target),
        decision_maker=conflict.decision_makers[result.dm].name,
        count=result.count,
        total=result.total,
        share=result.share,
        examples=[_numbers(conflict, ranking) for ranking in result.examples],
        conditions=list(result.conditions),
    )


def statement_orders_dict(conflict: Conflict, result: StatementOrderResult) -> Json:
    """The statement orders that make the target an equilibrium (kind ``"statement_orders"``)."""
    return conflict_document(
        "statement_orders",
        conflict,
        concept=result.concept,
        target=conflict.number(result.target),
        decision_maker=conflict.decision_makers[result.dm].name,
        count=result.count,
        total=result.total,
        orders=[list(order) for order in result.orders],
    )


def _path_dict(conflict: Conflict, path: Path) -> Json:
    return {
        "start": conflict.number(path.start),
        "end": conflict.number(path.end),
        "steps": [
            {
                "from": conflict.number(step.source),
                "to": conflict.number(step.target),
                "mover": [conflict.decision_makers[i].name for i in step.mover],
                "kind": step.kind,
                "changed": [conflict.options[j].name for j in step.changed],
            }
            for step in path.steps
        ],
    }


def paths_dict(analysis: StatusQuoAnalysis) -> Json:
    """A status quo analysis (kind ``"paths"``, Li, Kilgour & Hipel 2005): the least number of steps
    from the start to each state (``null``: unreachable), the shortest paths to each equilibrium, and
    their narration in words (:func:`detente.render.narrate.describe_paths`)."""
    from detente.render.narrate import describe_paths

    c = analysis.conflict
    return conflict_document(
        "paths",
        c,
        concept=analysis.concept,
        start=c.number(analysis.start),
        movers=[[c.decision_makers[i].name for i in m] for m in analysis.movers],
        steps_to={str(c.number(s)): (int(d) if d >= 0 else None) for s, d in enumerate(analysis.distance)},
        equilibria=[
            {
                "state": c.number(int(e)),
                "steps": int(analysis.distance[e]) if analysis.distance[e] >= 0 else None,
                "paths": [_path_dict(c, p) for p in analysis.paths.get(int(e), ())],
            }
            for e in analysis.equilibria
        ],
        narration=describe_paths(c, analysis),
    )
