"""Status quo analysis: how the conflict can evolve from the status quo by improvements.

Following Li, Kilgour & Hipel (2005), "Status quo analysis in the graph model for conflict resolution",
*Journal of the Operational Research Society* 56(6): 699-707 (and Li, Hipel, Kilgour & Fang 2004,
"Preference uncertainty in the graph model for conflict resolution", *IEEE Trans. SMC-A* 34(4)), the
conflict moves from the status quo by a sequence of *improvements*, consecutive steps taken by different
movers (a decision maker would have combined two successive moves into one; the "colored paths" of
Xu, Li, Kilgour & Hipel 2009). A step is

* a unilateral improvement: decision maker i moves from s to t in R_i^+(s), or, optionally,
* a coalition improvement (Kilgour, Hipel, Fang & Peng 2001): a coalition H of two or more decision
  makers reaches t in R_H(s) by a legal sequence of its members' moves, every member strictly prefers t
  to s, and every member changes some option on balance, so a step is credited to exactly the
  decision makers who move (a coalition whose member stays put adds nothing to its sub-coalition).

The analysis gives, for the states reachable in exactly t steps (t = 0, 1, ...), the matrix of Li,
Kilgour & Hipel's reachability by number of steps, the least number of steps to each state, and the
shortest paths to each equilibrium of a chosen concept. Paths are searched on the (state, last mover)
graph, breadth first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from detente.conflict.coalition import (
    Coalition,
    CoalitionResult,
    check_dense_budget,
    default_coalitions,
    legal_closure,
    move_matrix,
    normalise_coalitions,
    preferred_by_all,
)
from detente.conflict.model import BoolArray, Conflict, IntArray
from detente.conflict.stability import StabilityResult

if TYPE_CHECKING:
    import pandas as pd

PATH_CONCEPT = "seq"
"""The concept whose equilibria the status-quo paths lead to unless another is asked for."""


@dataclass(frozen=True)
class Step:
    """One move: ``mover`` (one DM, or a coalition of several) takes the conflict from source to target."""

    source: int
    target: int
    mover: Coalition
    changed: tuple[int, ...]
    """Indices of the options whose value differs between source and target."""

    @property
    def kind(self) -> Literal["unilateral", "coalition"]:
        return "unilateral" if len(self.mover) == 1 else "coalition"


@dataclass(frozen=True)
class Path:
    """A legal sequence of steps from ``start`` (no steps: the path stays at ``start``)."""

    start: int
    steps: tuple[Step, ...]

    @property
    def end(self) -> int:
        return self.steps[-1].target if self.steps else self.start


@dataclass(frozen=True)
class MoveGraph:
    """Movers and their allowed steps: ``steps[k][s, t]`` when ``movers[k]`` may go from s to t."""

    movers: tuple[Coalition, ...]
    steps: tuple[BoolArray, ...]


def changed_options(conflict: Conflict, s: int, t: int) -> tuple[int, ...]:
    """Indices of the options whose value differs between states s and t."""
    diff = int(conflict.states[s]) ^ int(conflict.states[t])
    return tuple(j for j in range(conflict.n_options) if diff >> j & 1)


def unilateral_graph(conflict: Conflict, movers: Sequence[int], improving: bool) -> MoveGraph:
    """Single-DM movers with their unilateral moves R_i (or unilateral improvements R_i^+)."""
    return MoveGraph(
        tuple((i,) for i in movers),
        tuple(move_matrix(conflict, i, improving).toarray() for i in movers),
    )


def coalition_improvements(conflict: Conflict, coalition: Coalition) -> BoolArray:
    """[s, t]: t in R_H^{++}(s) and every member of H changes some option between s and t."""
    n = conflict.n_states
    reach = legal_closure([move_matrix(conflict, k) for k in coalition], n)
    diff = conflict.states[:, None] ^ conflict.states[None, :]
    out = reach & preferred_by_all(conflict, coalition)
    for k in coalition:
        out &= (diff & conflict.dm_mask(k)) != 0
    return out


def improvement_graph(conflict: Conflict, coalitions: Sequence[Coalition] = ()) -> MoveGraph:
    """Every DM's unilateral improvements, then each coalition's joint coalition improvements."""
    uni = unilateral_graph(conflict, range(conflict.n_dms), improving=True)
    joint = tuple(c for c in coalitions if len(c) > 1)
    return MoveGraph(
        uni.movers + joint, uni.steps + tuple(coalition_improvements(conflict, c) for c in joint)
    )


# -- breadth-first search on (state, last mover) ------------------------------------------------
def _search(graph: MoveGraph, n: int, start: int, max_steps: int | None) -> tuple[list[BoolArray], IntArray]:
    """Layers (states x movers: reached in exactly t steps with that mover last) and first distances.

    Layer 0 is the start node (no mover yet), kept as an all-false array; ``dist[s, k]`` is the least
    number of steps (>= 1) reaching s with mover k last, -1 when never.
    """
    m = len(graph.movers)
    weights = [step.astype(np.float32) for step in graph.steps]
    dist = np.full((n, m), -1, dtype=np.int64)
    layers = [np.zeros((n, m), dtype=bool)]
    t = 0
    while max_steps is None or t < max_steps:
        t += 1
        prev = layers[-1]
        nxt = np.zeros((n, m), dtype=bool)
        count = prev.sum(axis=1)
        for k, weight in enumerate(weights):
            source = (count - prev[:, k]) > 0
            if t == 1:
                source[start] = True
            nxt[:, k] = source.astype(np.float32) @ weight > 0
        new = nxt & (dist < 0)
        if max_steps is None and not new.any():
            break
        dist[new] = t
        layers.append(nxt)
    return layers, dist


def _paths_to(
    conflict: Conflict, graph: MoveGraph, dist: IntArray, start: int, ends: Sequence[tuple[int, int]]
) -> Iterator[Path]:
    """Every shortest path from ``start`` to the (state, last mover) nodes ``ends``, in a fixed order.

    Walks backwards: a node first reached at distance d has a predecessor at distance d - 1 (the
    start node for d = 1), so the depth-first walk never dead-ends.
    """
    stack: list[tuple[tuple[int, int], tuple[Step, ...]]] = [(e, ()) for e in reversed(ends)]
    while stack:
        (u, k), tail = stack.pop()
        d = int(dist[u, k])
        if d == 1:
            if graph.steps[k][start, u]:
                step = Step(start, u, graph.movers[k], changed_options(conflict, start, u))
                yield Path(start, (step, *tail))
            continue
        preds = [
            (int(t), lk)
            for t in np.flatnonzero(graph.steps[k][:, u])
            for lk in range(len(graph.movers))
            if lk != k and dist[t, lk] == d - 1
        ]
        for t, lk in reversed(preds):
            step = Step(t, u, graph.movers[k], changed_options(conflict, t, u))
            stack.append(((t, lk), (step, *tail)))


def shortest_paths(
    conflict: Conflict, graph: MoveGraph, dist: IntArray, start: int, target: int, limit: int
) -> tuple[Path, ...]:
    """Up to ``limit`` shortest legal paths (one step or more) from start to target."""
    reached = dist[target] > 0
    if not reached.any():
        return ()
    d = int(dist[target][reached].min())
    ends = [(target, int(k)) for k in np.flatnonzero(dist[target] == d)]
    out: list[Path] = []
    for path in _paths_to(conflict, graph, dist, start, ends):
        out.append(path)
        if len(out) >= limit:
            break
    return tuple(sorted(out, key=lambda p: [(s.target, s.mover) for s in p.steps]))


def shortest_response(conflict: Conflict, graph: MoveGraph, start: int, accept: BoolArray) -> Path | None:
    """A shortest legal sequence (one step or more) of the graph's movers from start to an accepted state.

    Used to exhibit sanctions: with the opponents' moves (or unilateral improvements, for SEQ) and
    ``accept`` marking the states the focal DM does not prefer to the original one.
    """
    _, dist = _search(graph, conflict.n_states, start, None)
    hit = np.where(accept[:, None] & (dist > 0), dist, np.iinfo(np.int64).max)
    if not (dist[accept] > 0).any():
        return None
    s, _ = np.unravel_index(int(np.argmin(hit)), hit.shape)
    paths = shortest_paths(conflict, graph, dist, start, int(s), 1)
    return paths[0] if paths else None


# -- status quo analysis --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class StatusQuoAnalysis:
    """Where the conflict can go from ``start`` by improvements, and how it reaches the equilibria.

    ``reach[t, s]``: state s is reachable in exactly t steps (row 0 is the start); ``distance[s]``: the
    least number of steps to s (-1 if unreachable); ``paths[e]``: up to ``max_paths`` shortest paths to
    each reachable equilibrium e of ``concept``; ``movers``: the DMs and coalitions allowed to move;
    ``max_steps``: the cap on the number of steps, if one was given.
    """

    conflict: Conflict
    concept: str
    start: int
    movers: tuple[Coalition, ...]
    max_steps: int | None
    equilibria: IntArray
    reach: BoolArray
    distance: IntArray
    paths: Mapping[int, tuple[Path, ...]]

    @property
    def reachable_equilibria(self) -> IntArray:
        return self.equilibria[self.distance[self.equilibria] >= 0]

    @property
    def unreachable_equilibria(self) -> IntArray:
        return self.equilibria[self.distance[self.equilibria] < 0]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        """One row per state: least number of steps from the start (-1: never) and whether an equilibrium."""
        c = self.conflict
        is_eq = np.zeros(c.n_states, dtype=bool)
        is_eq[self.equilibria] = True
        data: dict[str, object] = {"state": np.arange(1, c.n_states + 1)}
        for j, opt in enumerate(c.options):
            data[opt.name] = ((c.states >> j) & 1).astype(bool)
        data["steps"] = self.distance
        data[f"{self.concept}:equilibrium"] = is_eq
        return pd.DataFrame(data).set_index("state")


def status_quo_paths(
    conflict: Conflict,
    stability: StabilityResult | CoalitionResult,
    concept: str = "seq",
    start: int | None = None,
    coalitions: bool | Sequence[Sequence[int | str]] = False,
    max_steps: int | None = None,
    max_paths: int = 10,
) -> StatusQuoAnalysis:
    """Status quo analysis (Li, Kilgour & Hipel 2005; see module doc) from ``start``.

    ``start`` defaults to the conflict's status quo. ``coalitions``: False for unilateral improvements
    only; True to add the coalition improvements of the default coalitions (those the file names, or
    every coalition of two or more DMs); or a list of coalitions. ``max_steps`` caps the number of steps
    (default: until no new (state, last mover) pair is reached, so every reachable state is found).
    """
    if start is None:
        if conflict.status_quo is None:
            raise ValueError("the conflict names no status quo; pass start=")
        start = conflict.status_quo
    if concept not in stability.stable:
        raise ValueError(f"the stability result has no {concept!r}; it has {', '.join(stability.stable)}")
    if not 0 <= start < conflict.n_states:
        raise ValueError(f"start state index {start} is out of range 0..{conflict.n_states - 1}")
    if coalitions is True:
        joint = default_coalitions(conflict)
    elif coalitions is False:
        joint = ()
    else:
        joint = normalise_coalitions(conflict, coalitions)
    # a boolean and a float32 step matrix per mover, and one coalition closure at a time
    movers = conflict.n_dms + sum(len(c) > 1 for c in joint)
    check_dense_budget(conflict, 5 * movers + (8 if movers > conflict.n_dms else 0), "status quo analysis")
    graph = improvement_graph(conflict, joint)
    layers, dist = _search(graph, conflict.n_states, start, max_steps)
    reach = np.stack([layer.any(axis=1) for layer in layers])
    reach[0, start] = True
    distance = np.where(dist >= 0, dist, np.iinfo(np.int64).max).min(axis=1)
    distance = np.where(distance == np.iinfo(np.int64).max, -1, distance)
    distance[start] = 0
    equilibria = np.asarray(stability.equilibria(concept), dtype=np.int64)
    paths: dict[int, tuple[Path, ...]] = {}
    for e in equilibria:
        e = int(e)
        if e == start:
            paths[e] = (Path(start, ()),)
        elif distance[e] >= 0:
            paths[e] = shortest_paths(conflict, graph, dist, start, e, max_paths)
    for arr in (reach, distance, equilibria):
        arr.setflags(write=False)
    return StatusQuoAnalysis(
        conflict, concept, start, graph.movers, max_steps, equilibria, reach, distance, paths
    )
