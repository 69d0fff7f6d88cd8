"""Plots of graph-model results: the state graph with equilibria marked, and status-quo paths.

Renderers only: they take result objects and return SVG text; they compute nothing of their own
beyond layout.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import itertools
from dataclasses import dataclass

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.figure import Figure

from detente.conflict.model import Conflict
from detente.conflict.reference import legal_move

MAX_DRAWN_STATES = 48
DM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def figure_svg(fig: Figure) -> str:
    """The figure as inline SVG text (closes the figure); the same figure always gives the same bytes."""
    buf = io.StringIO()
    # Byte-identical output for the same inputs: fixed ids (hash salt) and no creation date.
    with matplotlib.rc_context({"svg.hashsalt": "detente"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def improvement_edges(conflict: Conflict, states: Sequence[int]) -> list[tuple[int, int, int]]:
    """Unilateral improvements (from, to, mover) among ``states``."""
    chosen = set(states)
    edges = []
    for i in range(conflict.n_dms):
        r = conflict.ranks[i]
        for a in chosen:
            for b in chosen:
                if r[b] > r[a] and legal_move(conflict, i, a, b):
                    edges.append((a, b, i))
    return edges


@dataclass(frozen=True)
class DrawnStates:
    """The states a state graph draws, and a sentence saying exactly which they are."""

    states: list[int]
    description: str


def drawn_states(
    conflict: Conflict,
    equilibria: Sequence[int],
    paths: Sequence[Sequence[int]] = (),
    equilibria_name: str = "equilibria",
) -> DrawnStates:
    """All states when the conflict has at most MAX_DRAWN_STATES; else, at most 2 * MAX_DRAWN_STATES
    of them in this order of priority: the status quo, the equilibria, the states on the paths, and
    the states one unilateral move away from the status quo (those last cut first). The
    description names each group with its count, e.g. "the status quo (state 3), the equilibria (4)
    and 20 of the other states one move from the status quo (27): 25 of 256 states"."""
    n = conflict.n_states
    if n <= MAX_DRAWN_STATES:
        return DrawnStates(list(range(n)), f"all {n} states")
    cap = 2 * MAX_DRAWN_STATES
    sq = conflict.status_quo
    also = ""
    taken: set[int] = set()
    groups: list[tuple[str, list[int]]] = []

    def group(name: str, members: Sequence[int]) -> None:
        fresh = [int(s) for s in dict.fromkeys(int(m) for m in members) if int(s) not in taken]
        room = cap - len(taken)
        kept = fresh[: max(room, 0)]
        taken.update(kept)
        if fresh:
            groups.append((name if len(kept) == len(fresh) else f"{len(kept)} of {name}", kept))

    if sq is not None:
        also = ", itself one of the " + equilibria_name if sq in {int(e) for e in equilibria} else ""
        group(f"the status quo (state {conflict.number(sq)}{also})", [sq])
    other = "other " if also else ""
    eq = [int(s) for s in equilibria if s != sq]
    group(f"the {other}{equilibria_name} ({len(eq)})", eq)
    on_paths = list(dict.fromkeys(s for p in paths for s in p if s not in taken))
    group(f"the other states on the paths ({len(on_paths)})", on_paths)
    if sq is not None:
        near = [
            t
            for t in range(n)
            if t not in taken and any(legal_move(conflict, i, sq, t) for i in range(conflict.n_dms))
        ]
        group(f"the other states one move from the status quo ({len(near)})", near)
    names = [g for g, _ in groups]
    listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else "none"
    return DrawnStates(sorted(taken), f"{listed}: {len(taken)} of {n} states")


def state_graph_svg(
    conflict: Conflict,
    drawn: DrawnStates,
    equilibria: Sequence[int],
    paths: Sequence[Sequence[int]] = (),
    title: str = "",
) -> str:
    """The graph of unilateral improvements between the ``drawn`` states (:func:`drawn_states`, whose
    description the caller's caption gives), equilibria ringed, the status quo and path steps marked."""
    nodes = drawn.states
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(nodes)
    edges = improvement_edges(conflict, nodes)
    for a, b, i in edges:
        graph.add_edge(a, b, mover=i)
    pos = nx.kamada_kawai_layout(nx.Graph(graph)) if len(nodes) > 1 else {nodes[0]: np.zeros(2)}
    size = 4 + 0.18 * len(nodes)
    fig, ax = plt.subplots(figsize=(min(size, 14), min(size, 12)))
    path_steps = {(a, b) for p in paths for a, b in itertools.pairwise(p)}
    for i, dm in enumerate(conflict.decision_makers):
        own = [(a, b) for a, b, mover in edges if mover == i]
        if not own:
            continue
        colour = DM_COLOURS[i % len(DM_COLOURS)]
        bold = [e for e in own if e in path_steps]
        # Every improvement faintly, then the status-quo path steps in bold on top.
        for edgelist, style in (
            (own, {"alpha": 0.35, "arrowsize": 10}),
            (bold, {"width": 2.8, "arrowsize": 16}),
        ):
            if edgelist:
                nx.draw_networkx_edges(
                    graph,
                    pos,
                    edgelist=edgelist,
                    ax=ax,
                    edge_color=colour,
                    arrows=True,
                    connectionstyle=f"arc3,rad={0.08 * (i + 1)}",
                    node_size=380,
                    **style,
                )
        ax.plot([], [], color=colour, label=f"{dm.name} improves")
    eq = set(equilibria)
    colours = ["#ffd54f" if s in eq else "#eceff1" for s in nodes]
    edgecolors = ["#000000" if s == conflict.status_quo else "#607d8b" for s in nodes]
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=nodes,
        node_color=colours,
        edgecolors=edgecolors,
        linewidths=[3 if s == conflict.status_quo else 1 for s in nodes],
        node_size=380,
        ax=ax,
    )
    nx.draw_networkx_labels(graph, pos, labels={s: str(s + 1) for s in nodes}, font_size=10, ax=ax)
    ax.scatter([], [], color="#ffd54f", edgecolors="#607d8b", label="equilibrium")
    if conflict.status_quo is not None:
        ax.scatter([], [], color="#eceff1", edgecolors="#000000", linewidths=3, label="status quo")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10, frameon=False)
    ax.set_title(title or f"{conflict.name}: unilateral improvements")
    ax.axis("off")
    return figure_svg(fig)
