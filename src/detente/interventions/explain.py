"""What an intervention changed in the equilibria, concept by concept, in the real game and the hypergame.

A variant may add options, so state numbers of the baseline and of a variant differ. States are
compared by the set of options taken: a baseline state is the variant state that takes the same
options and none of the new ones (a new option is off in the status quo of every built-in patch).

For each solution concept and each game (``real``: the game as the scenario states it;
``hypergame``: each decision maker acting on its own perceived game, Bennett 1980) the result lists
the equilibria gained and lost, and for each decision maker the common states whose stability for it
changed. Words are in :mod:`detente.render.intervention_words`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detente.conflict.hypergame import HypergameResult
from detente.conflict.model import Conflict

StateKey = frozenset[str]
"""A state by the options taken in it."""

GAMES = ("real", "hypergame")


def state_key(conflict: Conflict, s: int) -> StateKey:
    code = int(conflict.states[s])
    return frozenset(o.name for j, o in enumerate(conflict.options) if code >> j & 1)


def state_index(conflict: Conflict) -> dict[StateKey, int]:
    return {state_key(conflict, s): s for s in range(conflict.n_states)}


@dataclass(frozen=True)
class StabilityShift:
    """A state (common to both variants) whose stability for one decision maker changed."""

    dm: str
    state: StateKey
    now_stable: bool


@dataclass(frozen=True)
class ConceptEffect:
    """What moved under one concept in one game."""

    game: str  # "real" or "hypergame"
    concept: str
    gained: tuple[StateKey, ...]  # equilibria after, not before
    lost: tuple[StateKey, ...]  # equilibria before, not after
    shifts: tuple[StabilityShift, ...]

    @property
    def moved(self) -> bool:
        return bool(self.gained or self.lost)


@dataclass(frozen=True)
class InterventionEffect:
    """Every concept's effect in both games."""

    effects: tuple[ConceptEffect, ...]
    new_options: tuple[str, ...]

    def moved(self, game: str | None = None) -> bool:
        return any(e.moved for e in self.effects if game is None or e.game == game)

    def of(self, game: str, concept: str) -> ConceptEffect:
        return next(e for e in self.effects if e.game == game and e.concept == concept)


def _sorted(keys: set[StateKey]) -> tuple[StateKey, ...]:
    return tuple(sorted(keys, key=lambda k: (len(k), sorted(k))))


def _stable(h: HypergameResult, game: str, concept: str) -> np.ndarray:
    return h.real.stable[concept] if game == "real" else h.stable_for(concept)


def compare(base: HypergameResult, variant: HypergameResult, concepts: Sequence[str]) -> InterventionEffect:
    """The equilibria gained and lost and the per-decision-maker stability shifts of ``variant``."""
    bc, vc = base.conflict, variant.conflict
    new_options = tuple(o.name for o in vc.options if o.name not in {p.name for p in bc.options})
    b_index: Mapping[StateKey, int] = state_index(bc)
    v_index: Mapping[StateKey, int] = state_index(vc)
    common = sorted(set(b_index) & set(v_index), key=lambda k: b_index[k])
    b_dms = {dm.name: i for i, dm in enumerate(bc.decision_makers)}
    b_keys = {s: k for k, s in b_index.items()}
    v_keys = {s: k for k, s in v_index.items()}
    b_common = np.array([b_index[k] for k in common], dtype=np.int64)
    v_common = np.array([v_index[k] for k in common], dtype=np.int64)
    effects = []
    for game in GAMES:
        for concept in concepts:
            sb, sv = _stable(base, game, concept), _stable(variant, game, concept)
            eb = {b_keys[int(s)] for s in np.flatnonzero(sb.all(axis=0))}
            ev = {v_keys[int(s)] for s in np.flatnonzero(sv.all(axis=0))}
            shifts = []
            for j, dm in enumerate(vc.decision_makers):
                i = b_dms.get(dm.name)
                if i is None:
                    continue
                changed = np.flatnonzero(sb[i, b_common] != sv[j, v_common])
                shifts += [StabilityShift(dm.name, common[k], bool(sv[j, v_common[k]])) for k in changed]
            effects.append(ConceptEffect(game, concept, _sorted(ev - eb), _sorted(eb - ev), tuple(shifts)))
    return InterventionEffect(tuple(effects), new_options)
