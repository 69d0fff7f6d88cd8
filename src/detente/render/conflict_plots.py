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


def states_to_draw(
    conflict: Conflict, equilibria: Sequence[int], paths: Sequence[Sequence[int]]
) -> list[int]:
    """All states when the conflict is small; else the status quo, every state one move away from
    it, the equilibria and the path states (at most 2 * MAX_DRAWN_STATES, the status quo first)."""
    if conflict.n_states <= MAX_DRAWN_STATES:
        return list(range(conflict.n_states))
    keep: list[int] = []
    sq = conflict.status_quo
    if sq is not None:
        keep.append(sq)
        keep += [
            t
            for t in range(conflict.n_states)
            if any(legal_move(conflict, i, sq, t) for i in range(conflict.n_dms))
        ]
    keep += [int(s) for s in equilibria] + [s for p in paths for s in p]
    return sorted(dict.fromkeys(keep[: MAX_DRAWN_STATES * 2]))


def state_graph_svg(
    conflict: Conflict,
    equilibria: Sequence[int],
    paths: Sequence[Sequence[int]] = (),
    title: str = "",
) -> str:
    """The graph of unilateral improvements, equilibria ringed, the status quo and path steps marked."""
    nodes = states_to_draw(conflict, equilibria, paths)
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
    nx.draw_networkx_labels(graph, pos, labels={s: str(s + 1) for s in nodes}, font_size=8, ax=ax)
    ax.scatter([], [], color="#ffd54f", edgecolors="#607d8b", label="equilibrium")
    if conflict.status_quo is not None:
        ax.scatter([], [], color="#eceff1", edgecolors="#000000", linewidths=3, label="status quo")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(title or f"{conflict.name}: unilateral improvements")
    ax.axis("off")
    return figure_svg(fig)
