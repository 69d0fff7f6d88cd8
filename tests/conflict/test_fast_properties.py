"""The vectorised engine (detente.conflict.fast) against the brute-force definitions, properties of
the solution concepts, hand-worked and published cases, and the memory budget."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from detente.conflict import budget, fast, reference
from detente.conflict.model import BoolArray, Conflict, DecisionMaker, Direction, Option
from detente.errors import InputError, ModelTooLargeError
from tests.conflict.strategies import conflicts

CONCEPTS = ("nash", "gmr", "smr", "seq")


def build(
    owners: Sequence[int],
    ranks: Sequence[Sequence[int]],
    states: Sequence[int] | None = None,
    directions: Sequence[Direction] | None = None,
) -> Conflict:
    """A conflict from option owners, per-DM rank rows over ``states`` (default: every code)."""
    m = len(owners)
    dirs = list(directions) if directions is not None else [Direction.BOTH] * m
    options = tuple(Option(f"o{j}", owners[j], dirs[j]) for j in range(m))
    n = max(owners) + 1
    dms = tuple(DecisionMaker(f"D{i}", tuple(j for j in range(m) if owners[j] == i)) for i in range(n))
    codes = list(range(1 << m)) if states is None else list(states)
    return Conflict("case", dms, options, np.array(codes), np.array(ranks))


def equilibria(conflict: Conflict, concept: str) -> set[int]:
    """Codes of the states stable for every decision maker."""
    table = fast.stable(conflict, concept)
    return {int(conflict.states[s]) for s in np.flatnonzero(table.all(axis=0))}


# -- fast == reference -------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(conflicts(max_dms=2, max_options=8))
def test_fast_matches_reference_two_decision_makers(conflict: Conflict) -> None:
    for concept in CONCEPTS:
        np.testing.assert_array_equal(fast.stable(conflict, concept), reference.stable(conflict, concept))


@settings(max_examples=40, deadline=None)
@given(conflicts(min_dms=3, max_dms=4, max_options=6))
def test_fast_matches_reference_three_or_more(conflict: Conflict) -> None:
    for concept in CONCEPTS:
        np.testing.assert_array_equal(fast.stable(conflict, concept), reference.stable(conflict, concept))


@settings(max_examples=20, deadline=None)
@given(conflicts(max_options=5, constraints=False, ties=False, irreversible=False))
def test_fast_matches_reference_full_cubes_strict(conflict: Conflict) -> None:
    for concept in CONCEPTS:
        np.testing.assert_array_equal(fast.stable(conflict, concept), reference.stable(conflict, concept))


def test_single_decision_maker_has_no_sanctions() -> None:
    """With nobody to sanction, every concept reduces to Nash stability.

    Codes 0..3, ranks 1, 0, 3, 2; option 0 cannot be undone. Code 2 is the best state; from code 3
    the only move drops option 1 (to code 1, worse), because option 0 cannot be dropped.
    """
    alone = build([0, 0], [[1, 0, 3, 2]], directions=[Direction.FORWARD, Direction.BOTH])
    for concept in CONCEPTS:
        np.testing.assert_array_equal(fast.stable(alone, concept), reference.stable(alone, concept))
        np.testing.assert_array_equal(fast.stable(alone, concept), [[False, False, True, True]])


# -- properties of the concepts ----------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(conflicts(max_options=8))
def test_concept_inclusions(conflict: Conflict) -> None:
    """Nash ⊆ SMR ⊆ GMR and Nash ⊆ SEQ ⊆ GMR, per DM and state (Fang, Hipel & Kilgour 1993, ch. 3)."""
    t = {c: fast.stable(conflict, c) for c in CONCEPTS}
    assert not (t["nash"] & ~t["smr"]).any()
    assert not (t["smr"] & ~t["gmr"]).any()
    assert not (t["nash"] & ~t["seq"]).any()
    assert not (t["seq"] & ~t["gmr"]).any()


def relabel(
    conflict: Conflict, option_perm: Sequence[int], dm_perm: Sequence[int]
) -> tuple[Conflict, list[int]]:
    """The same conflict with option j renumbered option_perm[j] and DM i renumbered dm_perm[i].

    Returns the new conflict and, per old state index, the new index of the same state.
    """
    m = conflict.n_options
    old = conflict.options
    options = [old[0]] * m
    for j, o in enumerate(old):
        options[option_perm[j]] = Option(o.name, dm_perm[o.owner], o.direction)
    dms = [conflict.decision_makers[0]] * conflict.n_dms
    for i, dm in enumerate(conflict.decision_makers):
        dms[dm_perm[i]] = DecisionMaker(dm.name, tuple(sorted(option_perm[j] for j in dm.options)))
    codes = [sum(((int(c) >> j) & 1) << option_perm[j] for j in range(m)) for c in conflict.states]
    order = np.argsort(codes)
    ranks = np.empty_like(conflict.ranks)
    for i in range(conflict.n_dms):
        ranks[dm_perm[i]] = conflict.ranks[i][order]
    new = Conflict("relabelled", tuple(dms), tuple(options), np.array(codes)[order], ranks)
    new_index = [0] * len(codes)
    for pos, s in enumerate(order):
        new_index[int(s)] = pos
    return new, new_index


@settings(max_examples=60, deadline=None)
@given(conflicts(max_options=7), hs.randoms(use_true_random=False))
def test_invariant_under_relabelling(conflict: Conflict, rnd: random.Random) -> None:
    """Renumbering options and decision makers renumbers the states; stability follows the states."""
    option_perm = list(range(conflict.n_options))
    dm_perm = list(range(conflict.n_dms))
    rnd.shuffle(option_perm)
    rnd.shuffle(dm_perm)
    new, new_index = relabel(conflict, option_perm, dm_perm)
    for concept in CONCEPTS:
        before: BoolArray = fast.stable(conflict, concept)
        after: BoolArray = fast.stable(new, concept)
        for i in range(conflict.n_dms):
            np.testing.assert_array_equal(after[dm_perm[i], new_index], before[i])


# -- hand-worked and published cases -----------------------------------------------------------
# Two DMs, one option each ("defect"); code = d1 + 2 d2: 0 = CC, 1 = DC, 2 = CD, 3 = DD.
CC, DC, CD, DD = 0, 1, 2, 3


def test_prisoners_dilemma() -> None:
    """Prisoner's dilemma as a graph model (Fang, Hipel & Kilgour 1993, ch. 3): mutual defection is
    the only Nash equilibrium; mutual cooperation is also GMR, SMR and SEQ stable, because a
    defection is answered by the opponent's defection, an improvement for the opponent."""
    # DM1: DC > CC > DD > CD; DM2: CD > CC > DD > DC (ranks per code CC, DC, CD, DD).
    pd = build([0, 1], [[2, 3, 0, 1], [2, 0, 3, 1]])
    assert equilibria(pd, "nash") == {DD}
    for concept in ("gmr", "smr", "seq"):
        assert equilibria(pd, concept) == {CC, DD}


def test_chicken() -> None:
    """Chicken (Fang, Hipel & Kilgour 1993, ch. 3): Nash and SEQ give the two outcomes where one side
    gives way; GMR and SMR add mutual restraint, sanctioned by the crash, which is not an
    improvement for the sanctioner and so is no SEQ sanction."""
    # DM1: DC > CC > CD > DD; DM2: CD > CC > DC > DD.
    chicken = build([0, 1], [[2, 3, 1, 0], [2, 1, 3, 0]])
    assert equilibria(chicken, "nash") == {DC, CD}
    assert equilibria(chicken, "seq") == {DC, CD}
    assert equilibria(chicken, "gmr") == {CC, DC, CD}
    assert equilibria(chicken, "smr") == {CC, DC, CD}


def test_irreversible_disarmament_removes_the_threat() -> None:
    """Options are "disarm" (taken = disarmed); code = x1 + 2 x2, so 3 = both disarmed.

    A PD in these terms: each side likes best that only the other disarms. With reversible
    disarmament, mutual disarmament (3) is GMR stable: if side 1 re-arms (code 2), side 2 re-arms
    too (code 0, worse for side 1 than 3). If side 2's disarmament cannot be undone, it has no
    sanction left and side 1 re-arms: 3 is no longer stable for side 1.
    """
    # codes 0 (both armed), 1 (1 disarmed), 2 (2 disarmed), 3 (both disarmed)
    ranks = [[1, 0, 3, 2], [1, 3, 0, 2]]
    reversible = build([0, 1], ranks)
    one_way = build([0, 1], ranks, directions=[Direction.BOTH, Direction.FORWARD])
    assert 3 in equilibria(reversible, "gmr")
    assert 3 not in equilibria(one_way, "gmr")
    table = fast.stable(one_way, "gmr")
    assert not table[0, 3] and table[1, 3]  # side 1 re-arms; side 2 cannot move at all
    for concept in CONCEPTS:
        np.testing.assert_array_equal(fast.stable(one_way, concept), reference.stable(one_way, concept))


def test_three_dms_sanction_needs_an_opponent_to_move_twice() -> None:
    """A (option a), B (b1, b2), C (c); constraints c -> b1 and b2 -> c, bit order a, b1, b2, c.

    From s = all N, A improves to s1 = {a}. A's only worse-or-equal state with a = Y is
    z = {a, b1, b2, c}. From s1: B takes b1, then C takes c (needs b1), then B takes b2 (needs c):
    B must move twice. B cannot take b1 and b2 at once (b2 needs c), C cannot move first (c needs
    b1). So the standard legal sequences reach z and sanction A's move; sequences in which each
    opponent moves at most once do not. Each of the three moves improves its mover, so the
    sanction holds under SEQ too, and A's only counter-move from z (dropping a) leaves A no better
    off than at s, so also under SMR.
    """
    a, b1, b2, c = 1, 2, 4, 8
    codes = [x for x in range(16) if (not x & c or x & b1) and (not x & b2 or x & c)]
    z = a | b1 | b2 | c

    def rank_a(x: int) -> int:
        return 0 if x == z else (2 if x & a else 1)

    ranks = [
        [rank_a(x) for x in codes],
        [int(bool(x & b1)) + int(bool(x & b2)) for x in codes],
        [int(bool(x & c)) for x in codes],
    ]
    conflict = build([0, 1, 1, 2], ranks, states=codes)
    s, s1 = codes.index(0), codes.index(a)

    # Each opponent at most once (B then C, or C then B) never reaches z.
    def moves(k: int, x: int) -> set[int]:
        return {codes[t] for t in reference.reachable(conflict, k, codes.index(x))}

    once = {y for x in moves(1, a) for y in {x} | moves(2, x)}
    once |= {y for x in moves(2, a) for y in {x} | moves(1, x)}
    assert z not in once
    for concept in ("gmr", "smr", "seq"):
        assert fast.stable(conflict, concept)[0, s], concept
        assert reference.stable(conflict, concept)[0, s], concept
    assert not fast.stable(conflict, "nash")[0, s]
    assert s1 != s


# -- memory budget -----------------------------------------------------------------------------
def test_parse_size() -> None:
    assert budget.parse_size("4294967296") == 4 * 1024**3
    assert budget.parse_size("8G") == 8 * 1024**3
    assert budget.parse_size("512m") == 512 * 1024**2
    assert budget.parse_size("1.5GiB") == 3 * 1024**3 // 2
    for bad in ("lots", "8X", "", "0", "-1G"):
        with pytest.raises(ValueError):
            budget.parse_size(bad)


def test_budget_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(budget.ENV_VAR, raising=False)
    assert budget.memory_budget() == budget.DEFAULT_BUDGET
    monkeypatch.setenv(budget.ENV_VAR, "8G")
    assert budget.memory_budget() == 8 * 1024**3
    monkeypatch.setenv(budget.ENV_VAR, "a lot")
    with pytest.raises(InputError) as info:
        budget.memory_budget()
    assert info.value.problems[0].field == budget.ENV_VAR


def test_over_budget_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that does not fit is refused before any work, with the sizes and a way out."""
    conflict = build([0, 0, 1, 1, 2, 2], [list(range(64))] * 3)
    monkeypatch.setenv(budget.ENV_VAR, "4K")
    for concept in CONCEPTS:
        with pytest.raises(ModelTooLargeError) as info:
            fast.stable(conflict, concept)
        message = str(info.value)
        assert "64 feasible states" in message and "4.0 KiB" in message
        assert budget.ENV_VAR in message and "Shrink" in message
    monkeypatch.setenv(budget.ENV_VAR, "1G")
    assert fast.stable(conflict, "gmr").shape == (3, 64)


@settings(max_examples=30, deadline=None)
@given(conflicts(min_dms=3, max_options=7))
def test_edge_estimate_bounds_the_moves(conflict: Conflict) -> None:
    """The budget's move count is exact for reversible options and an upper bound otherwise."""
    for k in range(conflict.n_dms):
        counted = fast.move_edges(conflict, k, improving=False)[0].size
        bound = budget.move_edges(conflict, k)
        reversible = all(
            conflict.options[j].direction == Direction.BOTH for j in conflict.decision_makers[k].options
        )
        assert counted == bound if reversible else counted <= bound
