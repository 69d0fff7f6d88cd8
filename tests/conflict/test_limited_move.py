"""Limited-move stability L_h: vectorised against the textbook recursion, L_1 = Nash, hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from detente.conflict import fast, limited_move
from detente.conflict.model import Conflict
from tests.conflict.strategies import conflicts
from tests.conflict.test_fast_properties import CC, DC, DD, build


@settings(max_examples=60, deadline=None)
@given(conflicts(max_dms=2, max_options=7), hs.integers(1, 4))
def test_vectorised_matches_recursion(conflict: Conflict, h: int) -> None:
    np.testing.assert_array_equal(
        limited_move.stable(conflict, h), limited_move.reference_stable(conflict, h)
    )


@settings(max_examples=40, deadline=None)
@given(conflicts(max_dms=2, max_options=8))
def test_horizon_one_is_nash(conflict: Conflict) -> None:
    """L_1 stability is Nash stability (Kilgour, Hipel & Fang 1987)."""
    np.testing.assert_array_equal(limited_move.stable(conflict, 1), fast.stable(conflict, "nash"))


def test_prisoners_dilemma_horizon_two() -> None:
    """Hand-worked. DM1: DC > CC > DD > CD; DM2: CD > CC > DD > DC (code = d1 + 2 d2).

    At CC, DM1's only move is to DC, where DM2's best reply is DD, worse for DM1 than CC: stable.
    At DD, DM1's move to CD is left alone by DM2 (CD is DM2's best), worse for DM1: stable.
    At DC, DM2 moves to DD and DM1 leaves it there (CD is worse for DM1): DC is unstable for DM2.
    """
    pd = build([0, 1], [[2, 3, 0, 1], [2, 0, 3, 1]])
    table = limited_move.stable(pd, 2)
    assert {int(s) for s in np.flatnonzero(table.all(axis=0))} == {CC, DD}
    assert table[0, DC] and not table[1, DC]
    np.testing.assert_array_equal(table, limited_move.reference_stable(pd, 2))


def test_moving_to_a_worse_state_anticipating_the_reply() -> None:
    """Hand-worked: DM1 controls bit 0, DM2 bit 1; s = 0, t = 1, u = 3, v = 2.

    DM1: u > s > t > v; DM2: u > t and v > s. At s, DM1's only move (to t) is worse, so s is Nash
    stable for DM1. With horizon 2, DM1 foresees DM2 improving from t to u, which DM1 prefers to s:
    s is not L_2 stable for DM1.
    """
    conflict = build([0, 1], [[2, 1, 0, 3], [0, 1, 2, 3]])
    assert fast.stable(conflict, "nash")[0, 0]
    assert not limited_move.stable(conflict, 2)[0, 0]
    assert not limited_move.reference_stable(conflict, 2)[0, 0]


def test_tie_is_read_cautiously() -> None:
    """DM1 controls bit 0; DM2 bits 1 and 2, with code 7 infeasible. s = 0, t = 1 (DM1's move).

    From t, DM2 can reach 3 or 5, which it likes equally and more than t. DM1 likes 3 more than s
    and 5 less. The documented rule anticipates the one DM1 likes least (5), so DM1 does not move:
    s is L_2 stable for DM1. If DM2 strictly preferred 3, s would not be.
    """
    codes = [0, 1, 2, 3, 4, 5, 6]
    tied = build([0, 1, 1], [[2, 1, 0, 3, 0, 0, 0], [0, 1, 0, 2, 0, 2, 0]], states=codes)
    assert limited_move.stable(tied, 2)[0, 0]
    assert limited_move.reference_stable(tied, 2)[0, 0]
    strict = build([0, 1, 1], [[2, 1, 0, 3, 0, 0, 0], [0, 1, 0, 3, 0, 2, 0]], states=codes)
    assert not limited_move.stable(strict, 2)[0, 0]
    assert not limited_move.reference_stable(strict, 2)[0, 0]


def test_only_two_decision_makers() -> None:
    three = build([0, 1, 2], [[0] * 8, [0] * 8, [0] * 8])
    with pytest.raises(ValueError, match="two decision makers"):
        limited_move.stable(three, 2)
    with pytest.raises(ValueError, match="two decision makers"):
        limited_move.reference_stable(three, 2)
    with pytest.raises(ValueError, match="at least 1"):
        limited_move.stable(build([0, 1], [[0] * 4, [0] * 4]), 0)


def test_concept_names() -> None:
    assert [limited_move.horizon(c) for c in limited_move.CONCEPTS] == [2, 3, 4]
    for bad in ("gmr", "l", "l0", "lx", "L2"):
        assert not limited_move.is_concept(bad)
        with pytest.raises(ValueError):
            limited_move.horizon(bad)
    pd = build([0, 1], [[2, 3, 0, 1], [2, 0, 3, 1]])
    np.testing.assert_array_equal(limited_move.stable_for(pd, "l3"), limited_move.stable(pd, 3))
    np.testing.assert_array_equal(
        limited_move.stable_for(pd, "l3", method="reference"), limited_move.reference_stable(pd, 3)
    )
    with pytest.raises(ValueError, match="unknown method"):
        limited_move.stable_for(pd, "l3", method="quick")
