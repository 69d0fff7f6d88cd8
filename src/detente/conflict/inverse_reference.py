"""Brute-force reference for inverse analysis: every strict ranking of the varying decision makers.

Written to read like the definitions, for testing :mod:`detente.conflict.inverse_condition`,
:mod:`detente.conflict.inverse_change` and :mod:`detente.conflict.inverse_share` on small conflicts:
a profile makes the target an equilibrium when :func:`detente.conflict.reference.is_stable` says so
for every decision maker (Fang, Hipel & Kilgour 1993, ch. 3).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from detente.conflict import reference
from detente.conflict.model import Conflict, IntArray


def profiles(conflict: Conflict, varying: Sequence[int]) -> Iterator[IntArray]:
    """Every rank profile in which each varying decision maker has a strict ranking (others as given)."""
    k = conflict.n_states
    perms = list(itertools.permutations(range(k)))
    for choice in itertools.product(perms, repeat=len(varying)):
        ranks = conflict.ranks.copy()
        for d, perm in zip(varying, choice, strict=True):
            ranks[d] = np.array(perm, dtype=np.int64)
        yield ranks


def is_equilibrium(conflict: Conflict, ranks: IntArray, target: int, concept: str) -> bool:
    """Is ``target`` stable for every decision maker under ``concept`` with these ranks?"""
    variant = conflict.with_ranks(ranks)
    return all(reference.is_stable(variant, concept, j, target) for j in range(conflict.n_dms))


def reaches(conflict: Conflict, ranks: IntArray, start: int, end: int) -> bool:
    """Is ``end`` reached from ``start`` by unilateral improvements (consecutive movers differ)?"""
    variant = conflict.with_ranks(ranks)
    seen = {(start, -1)}
    frontier = [(start, -1)]
    while frontier:
        nxt = []
        for s, last in frontier:
            if s == end:
                return True
            for k in range(conflict.n_dms):
                if k == last:
                    continue
                for t in reference.improvements(variant, k, s):
                    if (t, k) not in seen:
                        seen.add((t, k))
                        nxt.append((t, k))
        frontier = nxt
    return False


def counted_distance(
    conflict: Conflict, ranks: IntArray, varying: Sequence[int], target: int, with_moves: bool
) -> int:
    """Reversed counted comparisons: per varying decision maker, pairs (target, x) - and, with
    ``with_moves``, pairs joined by one of its own moves - ordered strictly now and the other way in
    ``ranks``."""
    total = 0
    for d in varying:
        pairs = {frozenset((target, x)) for x in range(conflict.n_states) if x != target}
        if with_moves:
            pairs |= {
                frozenset((v, w))
                for v in range(conflict.n_states)
                for w in reference.reachable(conflict, d, v)
            }
        old, new = conflict.ranks[d], ranks[d]
        for pair in pairs:
            a, b = sorted(pair)
            total += bool((old[a] - old[b]) * (new[a] - new[b]) < 0)
    return total


def smallest_distance(
    conflict: Conflict, target: int, concept: str, varying: Sequence[int], goal: str, from_status_quo: bool
) -> int | None:
    """Least :func:`counted_distance` over all profiles reaching the goal (None if none does)."""
    with_moves = concept == "seq" or (from_status_quo and goal == "stable")
    best: int | None = None
    for ranks in profiles(conflict, varying):
        eq = is_equilibrium(conflict, ranks, target, concept)
        if goal == "stable":
            ok = eq and (
                not from_status_quo
                or conflict.status_quo is None
                or reaches(conflict, ranks, conflict.status_quo, target)
            )
        else:
            ok = not eq
        if ok:
            dist = counted_distance(conflict, ranks, varying, target, with_moves)
            best = dist if best is None else min(best, dist)
    return best
