"""Stability of every state for every decision maker, and the equilibria, per solution concept.

A state is an *equilibrium* under a concept when it is stable for every decision maker
(Fang, Hipel & Kilgour 1993, ch. 3). ``method="fast"`` uses the vectorised engine in
:mod:`detente.conflict.fast`; ``method="reference"`` the brute-force definitions in
:mod:`detente.conflict.reference`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from detente.conflict import fast, limited_move, reference
from detente.conflict.model import BoolArray, Conflict, IntArray

if TYPE_CHECKING:
    import pandas as pd

CONCEPTS = reference.CONCEPTS
Method = Literal["fast", "reference"]


class Equilibria:
    """What every stability result offers: its concepts and, per concept, the equilibria — the states
    stable for every decision maker (``stable[concept]`` is a decision makers x states array)."""

    stable: Mapping[str, BoolArray]

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(self.stable)

    def equilibria(self, concept: str) -> IntArray:
        """Indices of the states stable for every decision maker under ``concept``."""
        return np.flatnonzero(self.stable[concept].all(axis=0)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class StabilityResult(Equilibria):
    """Per concept, a (decision makers x states) array: is the state stable for that decision maker."""

    conflict: Conflict
    stable: Mapping[str, BoolArray]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        """One row per state: its number, option values, and per concept and DM whether it is stable."""
        c = self.conflict
        data: dict[str, object] = {"state": np.arange(1, c.n_states + 1)}
        for j, opt in enumerate(c.options):
            data[opt.name] = ((c.states >> j) & 1).astype(bool)
        for concept, table in self.stable.items():
            for i, dm in enumerate(c.decision_makers):
                data[f"{concept}:{dm.name}"] = table[i]
            data[f"{concept}:equilibrium"] = table.all(axis=0)
        return pd.DataFrame(data).set_index("state")


def analyze(
    conflict: Conflict, concepts: Iterable[str] = CONCEPTS, method: Method = "fast"
) -> StabilityResult:
    """Stability of every state for every decision maker under each concept.

    Concepts: nash, gmr, smr, seq (any number of decision makers) and the limited-move horizons
    l2, l3, l4 (two decision makers; :mod:`detente.conflict.limited_move`).
    """
    compute = fast.stable if method == "fast" else reference.stable
    return StabilityResult(
        conflict,
        {
            concept: limited_move.stable_for(conflict, concept, method)
            if limited_move.is_concept(concept)
            else compute(conflict, concept)
            for concept in concepts
        },
    )
