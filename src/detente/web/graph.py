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
from detente.render.conflict_plots import DM_COLOURS, drawn_states, improvement_edges

SIZE = 640.0
"""Width of the drawing (user units = CSS px when shown at full size); LARGE_SIZE when more states
are drawn than fit on one ring. Both fit the page's content width at a 900 px window, so the state
numbers (LABEL_PX) are shown at their full size there."""
LARGE_SIZE = 760.0
NODE_RADIUS = 15.0
LABEL_PX = 13
SPACING = 2 * NODE_RADIUS + 6


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
    caption: str
    """Which states are drawn, exactly (from :func:`detente.render.conflict_plots.drawn_states`)."""
    label_px: int = LABEL_PX


def state_graph(
    conflict: Conflict, equilibria: Mapping[str, Sequence[int]], paths: Sequence[Sequence[int]] = ()
) -> StateGraph:
    """Nodes on a circle and improvement edges; ``equilibria`` maps concept -> state *numbers*.

    ``paths`` are state-index sequences (e.g. status-quo paths): their steps are marked ``on_path``;
    a step that is no single decision maker's improvement (a coalition move) is drawn in black.
    """
    eq_index = {concept: {n - 1 for n in numbers} for concept, numbers in equilibria.items()}
    every = sorted(set().union(*eq_index.values())) if eq_index else []
    name = "equilibria" if len(eq_index) <= 1 else "equilibria under any of the concepts"
    chosen = drawn_states(conflict, every, paths, name)
    drawn = chosen.states
    size, place = _rings(drawn)
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
    return StateGraph(size, nodes, tuple(edges), legend, len(drawn), conflict.n_states, chosen.description)


def _rings(states: Sequence[int]) -> tuple[float, dict[int, tuple[float, float]]]:
    """States on concentric circles, in number order, the outer circle filled first, neighbours at
    least SPACING apart along a circle and between circles; the drawing's size."""
    size = SIZE if len(states) * SPACING <= 2 * math.pi * (SIZE / 2 - 2 * NODE_RADIUS) else LARGE_SIZE
    centre = size / 2
    place: dict[int, tuple[float, float]] = {}
    radius, left = size / 2 - 2 * NODE_RADIUS, list(states)
    while left:
        fits = max(1, int(2 * math.pi * radius / SPACING)) if radius > SPACING / 2 else len(left)
        ring, left = left[:fits], left[fits:]
        for k, s in enumerate(ring):
            angle = 2 * math.pi * k / len(ring) - math.pi / 2
            r = radius if radius > SPACING / 2 or len(ring) > 1 else 0.0
            place[s] = (centre + r * math.cos(angle), centre + r * math.sin(angle))
        radius -= SPACING
    return size, place
