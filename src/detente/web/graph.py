"""Layout of the interactive state graph drawn as inline SVG on the stability page.

Which states and which improvement edges to draw come from :mod:`detente.render.conflict_plots`
(the same choice as the HTML report); this module only places them: states on a circle in number
order, edges as straight arrows coloured by the decision maker who moves.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from detente.conflict.model import Conflict
from detente.render.conflict_plots import DM_COLOURS, improvement_edges, states_to_draw

SIZE = 640.0
NODE_RADIUS = 14.0


@dataclass(frozen=True)
class Node:
    number: int
    label: str
    x: float
    y: float
    status_quo: bool
    equilibrium_of: tuple[str, ...]
    """The concepts under which this state is an equilibrium."""


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    mover: str
    dm: int
    colour: str
    on_path: bool = False


@dataclass(frozen=True)
class StateGraph:
    size: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legend: tuple[tuple[str, str], ...]
    shown: int
    total: int


def state_graph(
    conflict: Conflict, equilibria: Mapping[str, Sequence[int]], paths: Sequence[Sequence[int]] = ()
) -> StateGraph:
    """Nodes on a circle and improvement edges; ``equilibria`` maps concept -> state *numbers*.

    ``paths`` are state-index sequences (e.g. status-quo paths): their steps are marked ``on_path``;
    a step that is no single decision maker's improvement (a coalition move) is drawn in black.
    """
    eq_index = {concept: {n - 1 for n in numbers} for concept, numbers in equilibria.items()}
    every = sorted(set().union(*eq_index.values())) if eq_index else []
    drawn = states_to_draw(conflict, every, paths)
    centre, radius = SIZE / 2, SIZE / 2 - 2.5 * NODE_RADIUS
    place: dict[int, tuple[float, float]] = {}
    for k, s in enumerate(drawn):
        angle = 2 * math.pi * k / max(len(drawn), 1) - math.pi / 2
        place[s] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle))
    nodes = tuple(
        Node(
            conflict.number(s),
            conflict.label(s),
            round(place[s][0], 1),
            round(place[s][1], 1),
            s == conflict.status_quo,
            tuple(c for c, members in eq_index.items() if s in members),
        )
        for s in drawn
    )
    on_path = {(a, b) for p in paths for a, b in itertools.pairwise(p)}
    moves = [(a, b, conflict.decision_makers[i].name, i) for a, b, i in improvement_edges(conflict, drawn)]
    joint = on_path - {(a, b) for a, b, _, _ in moves}
    moves += [(a, b, "coalition", -1) for a, b in sorted(joint) if a in place and b in place]
    edges = []
    for a, b, mover, i in moves:
        (x1, y1), (x2, y2) = place[a], place[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        dx, dy = (x2 - x1) / length * NODE_RADIUS, (y2 - y1) / length * NODE_RADIUS
        edges.append(
            Edge(
                round(x1 + dx, 1),
                round(y1 + dy, 1),
                round(x2 - 1.3 * dx, 1),
                round(y2 - 1.3 * dy, 1),
                mover,
                i,
                DM_COLOURS[i % len(DM_COLOURS)] if i >= 0 else "#000000",
                (a, b) in on_path,
            )
        )
    legend = tuple(
        (dm.name, DM_COLOURS[i % len(DM_COLOURS)]) for i, dm in enumerate(conflict.decision_makers)
    )
    return StateGraph(SIZE, nodes, tuple(edges), legend, len(drawn), conflict.n_states)
