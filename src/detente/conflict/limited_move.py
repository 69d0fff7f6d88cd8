"""Limited-move stability L_h for two decision makers (Kilgour, Hipel & Fang 1987, "The graph model
for conflicts", *Automatica* 23(1):41-55; Fang, Hipel & Kilgour 1993, *Interactive Decision Making*,
ch. 3).

Decision makers i and j alternate, looking at most h moves ahead. The anticipated outcome
G_h(i, s) of i being about to move at s with h moves left is defined recursively:

* G_0(i, s) = s;
* M_h(i, s) = {t in R_i(s) : G_{h-1}(j, t) >_i s}, the moves i expects to pay off;
* G_h(i, s) = s if M_h(i, s) is empty, otherwise G_{h-1}(j, t*) for a t* in M_h(i, s) whose
  anticipated outcome i likes most.

State s is L_h stable for i iff M_h(i, s) is empty. L_1 is Nash stability. Every move counts, not
only improvements: i may move to a worse state expecting j's reply to help.

Ties: when the mover likes several anticipated outcomes equally, the textbook leaves G_h open (the
anticipated state need not be unique: "On some properties of limited move stability, generalized
metarationality, and policy equilibrium in bilateral conflicts", *Discrete Applied Mathematics*,
2024). Here the
mover is anticipated to pick, among its equally liked outcomes, one its opponent likes least (a
cautious reading: a rival who gains nothing either way is not expected to help). With strict
rankings no tie arises and the rule plays no part.

Only two decision makers: for three or more the textbook offers competing extensions (Soares et al.
2026, *Group Decision and Negotiation*), so other sizes raise ValueError.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from detente.conflict import budget, reference
from detente.conflict.fast import receiving_sides
from detente.conflict.model import BoolArray, Conflict, IntArray

CONCEPTS = ("l2", "l3", "l4")
"""Concept names offered by :func:`stable_for` (any ``l<h>`` with h >= 1 is accepted)."""


def is_concept(name: str) -> bool:
    """Is ``name`` a limited-move concept ``l<h>`` with h >= 1 (``l2``, ``l3``, ...)?"""
    return len(name) >= 2 and name[0] == "l" and name[1:].isdigit() and int(name[1:]) >= 1


def horizon(concept: str) -> int:
    """The horizon h of a concept name ``l<h>`` (``l2`` -> 2); ValueError if it is not one."""
    if not is_concept(concept):
        raise ValueError(f"{concept!r} is not a limited-move concept; use l<h> with h >= 1, e.g. l2")
    return int(concept[1:])


def _check(conflict: Conflict, h: int) -> None:
    if conflict.n_dms != 2:
        raise ValueError(
            f"limited-move stability is defined here for two decision makers; {conflict.name!r} has "
            f"{conflict.n_dms}. Merge decision makers into two sides, or use nash, gmr, smr or seq."
        )
    if h < 1:
        raise ValueError(f"the horizon h must be at least 1, got {h}")


def reference_stable(conflict: Conflict, h: int) -> BoolArray:
    """L_h stability by the textbook recursion, state by state (for testing :func:`stable`)."""
    _check(conflict, h)
    ranks = conflict.ranks

    @cache
    def anticipated(level: int, k: int, s: int) -> int:
        """G_level(k, s): the state expected when k is about to move at s with ``level`` moves left."""
        if level == 0:
            return s
        o = 1 - k
        best = s
        for t in reference.reachable(conflict, k, s):
            g = anticipated(level - 1, o, t)
            if ranks[k, g] > ranks[k, s] and (
                best == s or (ranks[k, g], -ranks[o, g]) > (ranks[k, best], -ranks[o, best])
            ):
                best = g
        return best

    return np.array(
        [
            [
                not any(
                    ranks[i, anticipated(h - 1, 1 - i, t)] > ranks[i, s]
                    for t in reference.reachable(conflict, i, s)
                )
                for s in range(conflict.n_states)
            ]
            for i in range(2)
        ],
        dtype=bool,
    )


def _max_over_moves(conflict: Conflict, k: int, values: IntArray) -> IntArray:
    """Per state s: max of ``values`` (>= 0) over R_k(s), s itself excluded; -1 if k cannot move.

    Keeps the two largest values of each sub-cube of codes (per-option reductions, as in
    :mod:`detente.conflict.fast`), then drops s's own value once.
    """
    size = 1 << conflict.n_options
    first = np.full(size, -1, dtype=np.int64)
    first[conflict.states] = values
    second = np.full(size, -1, dtype=np.int64)
    for j in conflict.decision_makers[k].options:
        f, s = first.reshape(-1, 2, 1 << j), second.reshape(-1, 2, 1 << j)
        top = np.maximum(f[:, 0], f[:, 1])
        runner = np.maximum(np.minimum(f[:, 0], f[:, 1]), np.maximum(s[:, 0], s[:, 1]))
        for side in receiving_sides(conflict.options[j].direction):
            f[:, side], s[:, side] = top, runner
    top, runner = first[conflict.states], second[conflict.states]
    return np.where(top == values, runner, top)


def _anticipate(conflict: Conflict, k: int, outcome: IntArray) -> tuple[BoolArray, IntArray]:
    """One level of the recursion for mover k.

    ``outcome[d, t]`` is decision maker d's rank of G_{h-1}(other, t). Returns (moves, G) where
    ``moves[s]`` says M_h(k, s) is non-empty and ``G[d, s]`` is d's rank of G_h(k, s).
    """
    n, o = conflict.n_states, 1 - k
    key = outcome[k] * (n + 1) + (n - outcome[o])  # own rank first, then the opponent's, reversed
    best = _max_over_moves(conflict, k, key)
    own, other = best // (n + 1), n - best % (n + 1)
    moves = own > conflict.ranks[k]
    result = conflict.ranks.copy()
    result[k, moves] = own[moves]
    result[o, moves] = other[moves]
    return moves, result


def stable(conflict: Conflict, h: int) -> BoolArray:
    """L_h stability of every state for both decision makers: a (2 x states) boolean array.

    Vectorised over all states, level by level (G_0, G_1, ..., G_h for both movers); equal to
    :func:`reference_stable`. Raises ValueError unless there are exactly two decision makers.
    """
    _check(conflict, h)
    budget.check(conflict, f"l{h}")
    outcomes = [conflict.ranks, conflict.ranks]  # G_0(k, s) = s for both movers k
    for _ in range(h - 1):
        outcomes = [_anticipate(conflict, k, outcomes[1 - k])[1] for k in (0, 1)]
    return ~np.stack([_anticipate(conflict, i, outcomes[1 - i])[0] for i in (0, 1)])


def stable_for(conflict: Conflict, concept: str, method: str = "fast") -> BoolArray:
    """Dispatcher for :func:`detente.conflict.stability.analyze`: concept ``l<h>``, method fast/reference."""
    h = horizon(concept)
    if method == "fast":
        return stable(conflict, h)
    if method == "reference":
        return reference_stable(conflict, h)
    raise ValueError(f"unknown method {method!r}; choose fast or reference")
