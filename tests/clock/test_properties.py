"""The fast solver against the brute-force game tree and the exact solver, on random small clocks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.clock.analysis import value_of_waiting
from detente.clock.exact import solve_exact
from detente.clock.model import ClockModel, Event, Patch
from detente.clock.reference import solve_reference
from detente.clock.solve import solve

from .strategies import grid_clocks, surplus_clocks


def close(a: object, b: object) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=1e-9))


@settings(max_examples=150, deadline=None)
@given(grid_clocks())
def test_fast_equals_game_tree_reference(m: ClockModel) -> None:
    ref = solve_reference(m)
    fast = solve(m)
    assert close(fast.values, ref.values)
    assert close(fast.p_agree, ref.p_agree)
    assert close(fast.outcome.p_walkout[0], ref.p_walkout)
    assert close(fast.outcome.p_breakdown[0], ref.p_breakdown)
    assert fast.p_open == pytest.approx(float(ref.p_open), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(grid_clocks())
def test_exact_equals_game_tree_reference(m: ClockModel) -> None:
    ref = solve_reference(m)
    exact = solve_exact(m)
    assert exact.values == ref.values
    assert exact.p_agree == ref.p_agree
    assert exact.p_walkout == ref.p_walkout


@settings(max_examples=150, deadline=None)
@given(surplus_clocks())
def test_fast_equals_exact_on_surplus_clocks(m: ClockModel) -> None:
    exact = solve_exact(m)
    fast = solve(m)
    assert close(fast.values, exact.values)
    assert close(fast.p_agree, exact.p_agree)
    assert close(fast.outcome.p_breakdown[0], exact.p_breakdown)
    total = sum(exact.p_agree) + sum(exact.p_walkout) + sum(exact.p_breakdown)
    assert float(total) + fast.p_open == pytest.approx(1.0)


@settings(max_examples=80, deadline=None)
@given(surplus_clocks(), st.integers(0, 5), st.sampled_from([0.25, 0.5, 0.9]))
def test_value_of_waiting_is_zero_when_the_event_changes_nothing(m: ClockModel, when: int, p: float) -> None:
    # an event that sets a party's parameters to the values they already have changes nothing
    i = when % m.n
    same = Patch(i, discount=m.parties[i].discount, reservation=m.parties[i].reservation)
    m = replace(
        m, events=(*[e for e in m.events if e.patches[0].party != i], Event("nothing", when, p, (same,)))
    )
    w = value_of_waiting(m, "nothing")
    assert np.all(w.gain == 0)
    assert np.allclose(w.with_event, w.without_event, rtol=0, atol=1e-12)  # equal up to rounding


@settings(max_examples=40, deadline=None)
@given(surplus_clocks())
def test_values_never_below_reservation_when_talks_can_be_left(m: ClockModel) -> None:
    # with walk-outs at the reservation value, nobody ends below what it can always get
    if m.n != 2:
        return
    parties = tuple(replace(p, outside_option=p.reservation) for p in m.parties)
    m = replace(m, parties=parties, events=())
    sol = solve(m)
    assert all(sol.values[i] >= float(p.reservation) - 1e-9 for i, p in enumerate(m.parties))
