"""Brute-force reference implementation of the graph-model stability definitions.

Written to read like the textbook, state by state, for testing the fast paths. Definitions follow
Fang, Hipel & Kilgour (1993), *Interactive Decision Making: The Graph Model for Conflict
Resolution*, Wiley, ch. 3, with the n-decision-maker reachable lists of Fang, Hipel & Kilgour (1989)
and Xu, Hipel & Kilgour (2009): a coalition H reaches a state by a *legal sequence* of unilateral
moves by its members in which no member moves twice in a row (a member may move several times).

For decision maker i at state s, with H = N - {i}:

* R_i(s): states i can reach in one move (only i's options change, each in an allowed direction).
* R_i^+(s) = {t in R_i(s) : t >_i s}: unilateral improvements.
* Nash: R_i^+(s) is empty.
* GMR: for every s1 in R_i^+(s) there is s2 in R_H(s1) with s2 <=_i s.
* SMR: as GMR, and moreover every s3 in R_i(s2) has s3 <=_i s.
* SEQ: for every s1 in R_i^+(s) there is s2 in R_H^+(s1) with s2 <=_i s, where R_H^+ uses legal
  sequences of unilateral improvements (each move improves its mover from the state it leaves).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np

from detente.conflict.model import BoolArray, Conflict, Direction

CONCEPTS = ("nash", "gmr", "smr", "seq")


def legal_move(conflict: Conflict, i: int, a: int, b: int) -> bool:
    """Can decision maker i move from state index a to state index b in one step?"""
    if a == b:
        return False
    ca, cb = int(conflict.states[a]), int(conflict.states[b])
    if (ca ^ cb) & ~conflict.dm_mask(i):
        return False
    for j in conflict.decision_makers[i].options:
        before, after = ca >> j & 1, cb >> j & 1
        direction = conflict.options[j].direction
        if before != after and (
            (direction == Direction.FORWARD and before == 1)
            or (direction == Direction.BACKWARD and before == 0)
        ):
            return False
    return True


def reachable(conflict: Conflict, i: int, s: int) -> list[int]:
    """R_i(s): unilateral moves of decision maker i from state s."""
    return [t for t in range(conflict.n_states) if legal_move(conflict, i, s, t)]


def improvements(conflict: Conflict, i: int, s: int) -> list[int]:
    """R_i^+(s): unilateral improvements of decision maker i from state s."""
    return [t for t in reachable(conflict, i, s) if conflict.ranks[i, t] > conflict.ranks[i, s]]


def coalition_reachable(conflict: Conflict, coalition: Iterable[int], s: int, improving: bool) -> set[int]:
    """States a coalition reaches from s by legal sequences of its members' unilateral moves.

    A legal sequence has length one or more and no member moves twice in a row. With ``improving``,
    every move must be a unilateral improvement for its mover (R_H^+).
    """
    members = tuple(coalition)
    seen: set[tuple[int, int]] = set()
    queue: deque[tuple[int, int]] = deque([(s, -1)])
    while queue:
        state, last = queue.popleft()
        for k in members:
            if k == last:
                continue
            moves = improvements(conflict, k, state) if improving else reachable(conflict, k, state)
            for t in moves:
                if (t, k) not in seen:
                    seen.add((t, k))
                    queue.append((t, k))
    return {t for t, _ in seen}


def _others(conflict: Conflict, i: int) -> list[int]:
    return [k for k in range(conflict.n_dms) if k != i]


def unsanctioned_improvements(conflict: Conflict, concept: str, i: int, s: int) -> list[int]:
    """The unilateral improvements of decision maker i from state s that no admissible response
    under ``concept`` (nash, gmr, smr, seq) deters; s is stable for i exactly when there are none."""
    r = conflict.ranks[i]
    ups = improvements(conflict, i, s)
    if concept == "nash":
        return ups
    if concept not in CONCEPTS:
        raise ValueError(f"unknown stability concept {concept!r}; choose from {', '.join(CONCEPTS)}")
    others = _others(conflict, i)
    free = []
    for s1 in ups:
        if concept == "gmr":
            sanctioned = any(r[s2] <= r[s] for s2 in coalition_reachable(conflict, others, s1, False))
        elif concept == "smr":
            sanctioned = any(
                r[s2] <= r[s] and all(r[s3] <= r[s] for s3 in reachable(conflict, i, s2))
                for s2 in coalition_reachable(conflict, others, s1, False)
            )
        else:
            sanctioned = any(r[s2] <= r[s] for s2 in coalition_reachable(conflict, others, s1, True))
        if not sanctioned:
            free.append(s1)
    return free


def is_stable(conflict: Conflict, concept: str, i: int, s: int) -> bool:
    """Is state s stable for decision maker i under ``concept`` (nash, gmr, smr, seq)?"""
    return not unsanctioned_improvements(conflict, concept, i, s)


def stable(conflict: Conflict, concept: str) -> BoolArray:
    """Stability of every state for every decision maker: a (decision makers x states) boolean array."""
    return np.array(
        [
            [is_stable(conflict, concept, i, s) for s in range(conflict.n_states)]
            for i in range(conflict.n_dms)
        ],
        dtype=bool,
    ).reshape(conflict.n_dms, conflict.n_states)
