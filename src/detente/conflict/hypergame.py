"""First-level hypergames: each decision maker analyses the game as it perceives it.

Definitions after Bennett (1980), "Hypergames: developing a model of conflict", Futures 12(6), and
Wang, Hipel & Fraser (1988), "Modeling misperceptions in games", Behavioral Science 33(3), as carried
into the graph model by Aljefri, Hipel & Fang (2018), "General hypergame analysis within the graph model
for conflict resolution", Int. J. Systems Science 49:

* Decision maker i's *perceived game* G_i has i's true preferences, the other decision makers'
  preferences as i believes them to be, and only the options i knows of. An option i does not know of
  stays at its value in the status quo (or N when there is none): states where it differs are absent
  from G_i.
* A state is stable for i in the hypergame when it is stable for i *in G_i*: i acts on its own view of
  how the others would respond. A *hypergame equilibrium* is a state stable in this sense for every
  decision maker.
* The equilibria of G_i are the outcomes i expects; comparing them with the hypergame equilibria shows
  where a misperception leads a decision maker to expect an outcome that will not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from detente.conflict.model import Conflict, IntArray
from detente.conflict.stability import CONCEPTS, StabilityResult, analyze


@dataclass(frozen=True, eq=False)
class Perception:
    """How ``perceiver`` sees the game: a full (decision makers x states) rank table over the real
    states (its own row is ignored: a decision maker knows its own preferences) and the options it
    does not know of."""

    perceiver: int
    ranks: IntArray
    hidden_options: frozenset[int] = frozenset()


@dataclass(frozen=True, eq=False)
class HypergameResult:
    """The real game, each decision maker's perceived game, and the hypergame equilibria."""

    conflict: Conflict
    real: StabilityResult
    games: tuple[Conflict, ...]
    perceived: tuple[StabilityResult, ...]
    state_maps: tuple[IntArray, ...] = field(repr=False)

    def stable_for(self, concept: str) -> np.ndarray:
        """(decision makers x real states): is the state stable for i in i's perceived game."""
        c = self.conflict
        out = np.zeros((c.n_dms, c.n_states), dtype=bool)
        for i in range(c.n_dms):
            idx = self.state_maps[i]
            present = idx >= 0
            out[i, present] = self.perceived[i].stable[concept][i, idx[present]]
        return out

    def equilibria(self, concept: str) -> IntArray:
        """Hypergame equilibria (real state indices): stable for every DM in its own perceived game."""
        return np.flatnonzero(self.stable_for(concept).all(axis=0)).astype(np.int64)

    def expected_equilibria(self, perceiver: int, concept: str) -> IntArray:
        """The equilibria of ``perceiver``'s perceived game, as real state indices."""
        local = self.perceived[perceiver].equilibria(concept)
        back = np.flatnonzero(self.state_maps[perceiver] >= 0)
        return back[local].astype(np.int64)

    def misperceivers(self) -> tuple[int, ...]:
        """Decision makers whose perceived game differs from the real one."""
        c = self.conflict
        return tuple(
            i
            for i, g in enumerate(self.games)
            if g.n_states != c.n_states or not np.array_equal(g.ranks, c.ranks)
        )


def perceived_game(conflict: Conflict, perception: Perception) -> tuple[Conflict, IntArray]:
    """G_i for one perception, and the map from real state index to G_i's index (-1 = absent)."""
    i = perception.perceiver
    ranks = np.array(perception.ranks, dtype=np.int64, copy=True)
    if ranks.shape != conflict.ranks.shape:
        raise ValueError(f"perceived ranks must have shape {conflict.ranks.shape}, got {ranks.shape}")
    ranks[i] = conflict.ranks[i]
    keep = np.ones(conflict.n_states, dtype=bool)
    if perception.hidden_options:
        base = int(conflict.states[conflict.status_quo]) if conflict.status_quo is not None else 0
        hidden = sum(1 << j for j in perception.hidden_options)
        keep = (conflict.states & hidden) == (base & hidden)
    state_map = np.full(conflict.n_states, -1, dtype=np.int64)
    state_map[keep] = np.arange(int(keep.sum()))
    sq = conflict.status_quo
    game = Conflict(
        f"{conflict.name} as {conflict.decision_makers[i].name} sees it",
        conflict.decision_makers,
        conflict.options,
        conflict.states[keep],
        ranks[:, keep],
        None if sq is None or not keep[sq] else int(state_map[sq]),
        conflict.coalitions,
        conflict.description,
        conflict.source,
    )
    return game, state_map


def analyze_hypergame(
    conflict: Conflict,
    perceptions: Mapping[int, Perception],
    concepts: Iterable[str] = CONCEPTS,
    method: str = "fast",
) -> HypergameResult:
    """Analyse every decision maker's perceived game (the real game for those with no perception)."""
    concepts = tuple(concepts)
    real = analyze(conflict, concepts, "fast" if method == "fast" else "reference")
    games: list[Conflict] = []
    maps: list[IntArray] = []
    results: list[StabilityResult] = []
    for i in range(conflict.n_dms):
        if i in perceptions:
            game, state_map = perceived_game(conflict, perceptions[i])
            result = analyze(game, concepts, "fast" if method == "fast" else "reference")
        else:
            game, state_map, result = conflict, np.arange(conflict.n_states, dtype=np.int64), real
        games.append(game)
        maps.append(state_map)
        results.append(result)
    return HypergameResult(conflict, real, tuple(games), tuple(results), tuple(maps))


def free_move(result: HypergameResult, concept: str, i: int, s: int) -> int | None:
    """Decision maker i's most preferred undeterred improvement from real state s, judged in i's own
    perceived game (as a real state index), or None."""
    from detente.conflict.reference import unsanctioned_improvements

    game, local = result.games[i], result.state_maps[i]
    free = unsanctioned_improvements(game, concept, i, int(local[s]))
    if not free:
        return None
    back = np.flatnonzero(local >= 0)
    return int(back[max(free, key=lambda x: int(game.ranks[i, x]))])
