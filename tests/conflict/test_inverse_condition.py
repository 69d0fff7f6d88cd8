"""Inverse analysis for several decision makers: the condition, the smallest change and the share
against brute force over every strict ranking (detente.conflict.inverse_reference)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hs

from detente.conflict import inverse_reference as ref
from detente.conflict.inverse_change import smallest_change
from detente.conflict.inverse_condition import Comparison, build_condition
from detente.conflict.inverse_share import condition_share, samples_for, wilson
from detente.conflict.model import Conflict
from tests.conflict.strategies import conflicts

CONCEPTS = ("nash", "gmr", "smr", "seq")
SMALL = conflicts(min_dms=2, max_dms=4, max_options=4).filter(lambda c: 2 <= c.n_states <= 4)


def _varying(data: hs.DataObject, conflict: Conflict) -> list[int]:
    size = 1 if conflict.n_states == 4 else 2
    return sorted(data.draw(hs.sets(hs.integers(0, conflict.n_dms - 1), min_size=1, max_size=size)))


@settings(max_examples=150, deadline=None)
@given(SMALL, hs.sampled_from(CONCEPTS), hs.data())
def test_condition_equals_brute_force(conflict: Conflict, concept: str, data: hs.DataObject) -> None:
    """For every strict ranking of the varying decision makers (others keep ties), the condition is
    true exactly when the reference definitions make the target an equilibrium."""
    target = data.draw(hs.integers(0, conflict.n_states - 1))
    varying = _varying(data, conflict)
    cond = build_condition(conflict, target, concept, varying)
    compiled = cond.compiled()
    profiles = list(ref.profiles(conflict, varying))
    truth = [ref.is_equilibrium(conflict, r, target, concept) for r in profiles]
    assert [cond.holds(r) for r in profiles] == truth
    assert compiled.holds_many(np.stack(profiles)).tolist() == truth
    assert cond.possible == any(truth)
    assert cond.always == all(truth)
    for req in cond.requirements:  # never "prefer a to b, or b to a"
        singles = {alt[0] for alt in req.alternatives if len(alt) == 1}
        assert not any(Comparison(c.dm, c.worse, c.better) in singles for c in singles)
        assert all(c.dm in varying for alt in req.alternatives for c in alt)
    share = condition_share(cond)
    assert share.method == "exact"
    assert share.share == sum(truth) / len(truth)


@settings(max_examples=60, deadline=None)
@given(
    conflicts(min_dms=2, max_dms=3, max_options=3, ties=True).filter(lambda c: 2 <= c.n_states <= 4),
    hs.sampled_from(CONCEPTS),
    hs.data(),
)
def test_condition_exact_for_weak_orders(conflict: Conflict, concept: str, data: hs.DataObject) -> None:
    """With strict=False the condition is exact for any ranks of the varying decision maker, ties too."""
    target = data.draw(hs.integers(0, conflict.n_states - 1))
    dm = data.draw(hs.integers(0, conflict.n_dms - 1))
    cond = build_condition(conflict, target, concept, [dm], strict=False)
    for _ in range(10):
        row = data.draw(hs.lists(hs.integers(0, 2), min_size=conflict.n_states, max_size=conflict.n_states))
        ranks = conflict.ranks.copy()
        ranks[dm] = row
        assert cond.holds(ranks) == ref.is_equilibrium(conflict, ranks, target, concept)


@settings(max_examples=80, deadline=None)
@given(
    conflicts(min_dms=2, max_dms=3, max_options=3).filter(lambda c: 2 <= c.n_states <= 4),
    hs.sampled_from(CONCEPTS),
    hs.sampled_from(["stable", "unstable"]),
    hs.booleans(),
    hs.data(),
)
def test_smallest_change_is_minimal_and_works(
    conflict: Conflict, concept: str, goal: str, from_sq: bool, data: hs.DataObject
) -> None:
    """The integer programme's change is as small as exhaustive search finds, and applied it reaches
    the goal (and the status quo reaches the target by improvements when asked)."""
    target = data.draw(hs.integers(0, conflict.n_states - 1))
    sq = data.draw(hs.integers(0, conflict.n_states - 1))
    conflict = dataclasses.replace(conflict, status_quo=sq)
    varying = [data.draw(hs.integers(0, conflict.n_dms - 1))]
    if conflict.n_states <= 3 and conflict.n_dms > 1 and data.draw(hs.booleans()):
        varying = [0, 1]
    change = smallest_change(conflict, target, concept, varying, goal=goal, from_status_quo=from_sq)  # type: ignore[arg-type]
    best = ref.smallest_distance(conflict, target, concept, varying, goal, from_sq)
    assert change.feasible == (best is not None)
    if best is None:
        return
    assert change.cost == best
    with_moves = concept == "seq" or (from_sq and goal == "stable")
    assert ref.counted_distance(conflict, change.ranks, varying, target, with_moves) == best
    if change.cost:
        for d in varying:
            assert np.unique(change.ranks[d]).size == conflict.n_states  # a strict ranking
    eq = ref.is_equilibrium(conflict, change.ranks, target, concept)
    assert eq == (goal == "stable")
    if from_sq and goal == "stable":
        assert ref.reaches(conflict, change.ranks, sq, target)
        assert change.path[0] == sq and change.path[-1] == target


def test_wilson_interval_and_sample_size() -> None:
    # closed form: p = 1/2, n = 100 -> centre 0.5, half-width z*sqrt(0.25/100 + z^2/40000)/(1+z^2/100)
    low, high = wilson(50, 100)
    z = 1.959963984540054
    half = z * np.sqrt(0.0025 + z * z / 40000) / (1 + z * z / 100)
    assert np.isclose(high - 0.5, half) and np.isclose(0.5 - low, half)
    n = samples_for(0.01)
    assert n == 9604
    lo, hi = wilson(n // 2, n)
    assert hi - lo <= 0.02


def test_sampled_share_agrees_with_exact() -> None:
    """On a conflict whose exact share is known, the sampled interval covers it."""
    from tests.conflict.test_inverse_flagship import dprk

    c, t = dprk()
    cond = build_condition(c, t, "gmr", [0, 1])
    exact = condition_share(cond)
    sampled = condition_share(cond, samples=samples_for(0.01), seed=1)
    assert sampled.method == "sampled" and exact.method in ("exact", "sampled")
    assert sampled.high - sampled.low <= 0.02
    if exact.method == "exact":
        assert sampled.low <= exact.share <= sampled.high


@settings(max_examples=50, deadline=None)
@given(hs.lists(hs.integers(0, 4), min_size=1, max_size=12), hs.data())
def test_kendall_counts_reversed_pairs(old: list[int], data: hs.DataObject) -> None:
    from detente.conflict.inverse_change import _kendall
    from detente.conflict.model import DecisionMaker, Option

    k = len(old)
    new = data.draw(hs.lists(hs.integers(0, 4), min_size=k, max_size=k))
    c = Conflict("k", (DecisionMaker("A", (0,)),), (Option("o", 0),), np.arange(k), np.array([old]))
    naive = sum(1 for a in range(k) for b in range(k) if c.ranks[0, a] < c.ranks[0, b] and new[a] > new[b])
    assert _kendall(c, np.array([new]), [0]) == naive
