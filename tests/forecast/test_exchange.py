"""Tests of the Stokman equal-gain exchange model (detente.forecast.models.exchange)."""

from __future__ import annotations

from typing import cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import InputError
from detente.forecast.models import exchange
from detente.forecast.space import ForecastResult, IssueSpace


def log(r: ForecastResult) -> list[list[exchange.Exchange]]:
    return cast(list[list[exchange.Exchange]], r.details["exchanges"])


def two_actor_space() -> IssueSpace:
    # A at (0, 0) cares about p (0.8) more than q (0.2); B at (100, 100) the other way (0.4, 0.6).
    return IssueSpace(
        ("A", "B"),
        np.array([1.0, 1.0]),
        np.array([[0.0, 0.0], [100.0, 100.0]]),
        np.array([[80.0, 20.0], [40.0, 60.0]]),
        ("p", "q"),
        ((0.0, 100.0), (0.0, 100.0)),
    )


def test_two_actor_two_issue_exchange_hand_worked() -> None:
    # D_p = 1.2, D_q = 0.8; O = (33.33, 75). A demands p (ratio 4 > 2/3), supplies q.
    # B moving fully to 0 on p would shift O_p by 33.33 and require dO_q = 33.33 * 1.2 / 0.8 = 50,
    # more than A's full move gives (0.2 * 100 / 0.8 = 25, also the room up to B's position), so A moves
    # fully (q: 0 -> 100), dO_q = 25, dO_p = 25 * 0.8 / 1.2 = 16.67, B moves 16.67 * 1.2 / 0.4 = 50
    # (p: 100 -> 50). Gain A: 0.8 * 16.67 - 0.2 * 25 = 8.33; gain B: 0.6 * 25 - 0.4 * 16.67 = 8.33.
    r = exchange.run(two_actor_space(), rounds=1)
    assert r.outcome_by_round[0] == pytest.approx([100 / 3, 75.0])
    (ex,) = log(r)[0]
    assert (ex.demand_p, ex.demand_q, ex.p, ex.q) == ("A", "B", "p", "q")
    assert ex.move_on_q == pytest.approx(100.0)
    assert ex.move_on_p == pytest.approx(-50.0)
    assert ex.gain == pytest.approx(25 / 3)
    assert cast(np.ndarray, r.details["voting_positions"])[0] == pytest.approx(
        np.array([[0.0, 100.0], [50.0, 100.0]])
    )
    assert r.outcome == pytest.approx([50 / 3, 100.0])
    # next start: A on q (s = 0.2): 0.32*100 + 0.1*100 + 0.58*0 = 42;
    # B on p (s = 0.4): 0.24*50 + 0.1*50 + 0.66*100 = 83
    assert r.rounds[1] == pytest.approx(np.array([[0.0, 42.0], [83.0, 100.0]]))


def test_actor_on_the_outcome_counts_as_right_of_it() -> None:
    # O = (50, 50); C sits exactly on it, so (as in decide, "left" means x < O) C is right of both
    # outcomes and may trade with A (left of both), not with B (right of both).
    x = np.array([[0.0, 0.0], [100.0, 100.0], [50.0, 50.0]])
    sal = np.array([[0.9, 0.1], [0.1, 0.9], [0.7, 0.3]])
    c = exchange.candidates(x, np.array([50.0, 50.0]), sal)
    pairs = sorted(tuple(sorted((int(a), int(b)))) for a, b in zip(c.a, c.b, strict=True))
    assert pairs == [(0, 1), (0, 2)]


def test_outcome_may_not_pass_the_demanders_position() -> None:
    # A third, weightless-on-p actor sits beyond A; when A is at the outcome's edge the shift is capped.
    y = np.array([[20.0, 0.0], [100.0, 100.0], [10.0, 50.0]])
    sal = np.array([[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]])
    weight = sal * 1.0
    outcome = np.array([22.0, 60.0])
    c = exchange.Candidates(np.array([0]), np.array([1]), np.array([0]), np.array([1]))
    t = exchange.equal_gain(c, y, outcome, sal, weight, np.zeros_like(y))
    d_op = abs(t.move_b[0]) * weight[1, 0] / weight[:, 0].sum()
    assert d_op == pytest.approx(2.0)  # exactly the room between O_p = 22 and A's 20


@st.composite
def spaces(draw: st.DrawFn) -> IssueSpace:
    n = draw(st.integers(2, 7))
    d = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    return IssueSpace(
        tuple(f"A{i}" for i in range(n)),
        rng.uniform(0.5, 3, n),
        rng.uniform(0, 100, (n, d)).round(0),
        rng.uniform(5, 100, (n, d)).round(0),
        tuple(f"i{k}" for k in range(d)),
        ((0.0, 100.0),) * d,
    )


@settings(max_examples=25, deadline=None)
@given(spaces())
def test_no_exchange_when_saliences_are_equal_across_issues(space: IssueSpace) -> None:
    flat = np.repeat(space.salience[:, :1], space.n_dims, axis=1)
    same = IssueSpace(space.actors, space.capability, space.positions, flat, space.dimensions, space.scale)
    r = exchange.run(same)
    assert r.details["rounds_run"] == 0
    assert r.rounds.shape[0] == 1
    assert np.allclose(
        r.outcome, exchange.weighted_outcome(space.positions, space.capability[:, None] * flat / 100)
    )


@settings(max_examples=25, deadline=None)
@given(spaces())
def test_gains_equal_and_outcomes_within_range(space: IssueSpace) -> None:
    r = exchange.run(space, rounds=3)
    lo, hi = space.positions.min(axis=0), space.positions.max(axis=0)
    assert np.all((r.outcome_by_round >= lo - 1e-9) & (r.outcome_by_round <= hi + 1e-9))
    assert np.all((r.rounds >= lo - 1e-9) & (r.rounds <= hi + 1e-9))
    sal = space.salience / 100
    weight = space.capability[:, None] * sal
    den = weight.sum(axis=0)
    idx = {a: i for i, a in enumerate(space.actors)}
    dim = {k: i for i, k in enumerate(space.dimensions)}
    for round_log in log(r):
        for ex in round_log:
            a, b, p, q = idx[ex.demand_p], idx[ex.demand_q], dim[ex.p], dim[ex.q]
            d_op = abs(ex.move_on_p) * weight[b, p] / den[p]
            d_oq = abs(ex.move_on_q) * weight[a, q] / den[q]
            gain_a = sal[a, p] * d_op - sal[a, q] * d_oq
            gain_b = sal[b, q] * d_oq - sal[b, p] * d_op
            assert gain_a == pytest.approx(gain_b, rel=1e-9, abs=1e-12)
            assert gain_a == pytest.approx(ex.gain, rel=1e-9, abs=1e-12)
            assert gain_a > 0


@settings(max_examples=40, deadline=None)
@given(spaces(), st.integers(0, 2**31 - 1))
def test_equal_gain_vectorised_equals_loop(space: IssueSpace, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sal = space.salience / 100
    weight = space.capability[:, None] * sal
    y = space.positions
    c = exchange.candidates(y, exchange.weighted_outcome(y, weight), sal)
    direction = rng.choice([-1.0, 0.0, 1.0], size=y.shape)
    outcome = exchange.weighted_outcome(y, weight)
    fast = exchange.equal_gain(c, y, outcome, sal, weight, direction)
    slow = exchange.equal_gain_loop(c, y, outcome, sal, weight, direction)
    assert np.array_equal(fast.valid, slow.valid)
    v = fast.valid
    assert np.allclose(fast.move_a[v], slow.move_a[v])
    assert np.allclose(fast.move_b[v], slow.move_b[v])
    assert np.allclose(fast.gain[v], slow.gain[v])


@settings(max_examples=15, deadline=None)
@given(spaces(), st.floats(0.01, 50.0), st.floats(-100.0, 100.0))
def test_issue_units_do_not_matter(space: IssueSpace, factor: float, shift: float) -> None:
    # Re-express issue 0 in other units (x -> shift + factor x, scale likewise): same run, same units.
    pos = space.positions.copy()
    pos[:, 0] = shift + factor * pos[:, 0]
    scale = ((shift, shift + 100 * factor), *space.scale[1:])
    other = IssueSpace(space.actors, space.capability, pos, space.salience, space.dimensions, scale)
    a, b = exchange.run(space, rounds=2), exchange.run(other, rounds=2)
    assert np.allclose(b.rounds[..., 0], shift + factor * a.rounds[..., 0])
    assert np.allclose(b.rounds[..., 1:], a.rounds[..., 1:])
    assert np.allclose(b.outcome[0], shift + factor * a.outcome[0])
    d0 = space.dimensions[0]
    pairs = [(ea, eb) for ra, rb in zip(log(a), log(b), strict=True) for ea, eb in zip(ra, rb, strict=True)]
    assert len(pairs) == sum(len(r) for r in log(a)) == sum(len(r) for r in log(b))
    for ea, eb in pairs:
        assert eb.move_on_p == pytest.approx(ea.move_on_p * (factor if ea.p == d0 else 1.0))
        assert eb.move_on_q == pytest.approx(ea.move_on_q * (factor if ea.q == d0 else 1.0))
        assert eb.gain == pytest.approx(ea.gain)


def test_new_start_positions_formula() -> None:
    x, y, s = np.array([[10.0]]), np.array([[60.0]]), np.array([[0.5]])
    # (1 - 0.5) 0.4 * 60 + 0.1 * 60 + (1 - 0.2 - 0.1) * 10 = 12 + 6 + 7
    assert exchange.new_start_positions(x, y, s)[0, 0] == pytest.approx(25.0)


def test_per_issue_power_and_bad_input() -> None:
    space = two_actor_space()
    r = exchange.run(space, rounds=1, power=[[1.0, 1.0], [1.0, 1.0]])
    assert r.outcome == pytest.approx(exchange.run(space, rounds=1).outcome)
    with pytest.raises(InputError, match="power"):
        exchange.run(space, power=[[1.0], [1.0]])
    one = IssueSpace(("A", "B"), np.ones(2), np.array([[0.0], [100.0]]), np.array([[50.0], [50.0]]))
    with pytest.raises(InputError, match="two issues"):
        exchange.run(one)


# --- decide's cumulative-move cap and candidate removal -----------------------------------------


@settings(max_examples=25, deadline=None)
@given(spaces(), st.sampled_from([5.0, 20.0, 60.0]))
def test_move_cap_bounds_each_actors_signed_moves_per_round(space: IssueSpace, cap: float) -> None:
    # decide refuses an exchange when the signed sum of the supplier's moves on its supply issue
    # this round would pass the cap (on the 0..100 scale); every test space here is on 0..100.
    r = exchange.run(space, rounds=3, move_cap=cap)
    for round_log in log(r):
        total: dict[tuple[str, str], float] = {}
        for ex in round_log:
            total[(ex.demand_p, ex.q)] = total.get((ex.demand_p, ex.q), 0.0) + ex.move_on_q
            total[(ex.demand_q, ex.p)] = total.get((ex.demand_q, ex.p), 0.0) + ex.move_on_p
        assert max(total.values(), default=0.0) <= cap + 1e-9


@settings(max_examples=25, deadline=None)
@given(spaces())
def test_dropping_invalid_candidates_never_adds_an_exchange_kept_ones_would_not_allow(
    space: IssueSpace,
) -> None:
    # With drop_invalid every exchange made is one the default would also accept at that point:
    # equal gains, within range; and the decide variant is exactly (move_cap=100, drop_invalid=True).
    a = exchange.run(space, rounds=2, variant="decide", bookkeeping="detente")
    b = exchange.run(space, rounds=2, move_cap=100.0, drop_invalid=True)
    np.testing.assert_array_equal(a.rounds, b.rounds)
    assert a.params["move_cap"] == 100.0 and a.params["drop_invalid"] is True
    lo, hi = space.positions.min(axis=0), space.positions.max(axis=0)
    assert np.all((a.rounds >= lo - 1e-9) & (a.rounds <= hi + 1e-9))


def test_a_candidate_invalid_once_is_dropped_for_the_round() -> None:
    # Three actors, two issues. The default keeps a lapsed candidate and may realise it later in the
    # round; with drop_invalid the round makes no more exchanges than the candidates valid throughout.
    space = IssueSpace(
        ("A", "B", "C"),
        np.array([1.0, 1.0, 1.0]),
        np.array([[0.0, 0.0], [100.0, 100.0], [90.0, 95.0]]),
        np.array([[80.0, 20.0], [40.0, 60.0], [30.0, 70.0]]),
        ("p", "q"),
        ((0.0, 100.0), (0.0, 100.0)),
    )
    kept = log(exchange.run(space, rounds=1))[0]
    dropped = log(exchange.run(space, rounds=1, drop_invalid=True))[0]
    assert len(dropped) <= len(kept)
    assert [(e.demand_p, e.demand_q) for e in dropped] == [(e.demand_p, e.demand_q) for e in kept][
        : len(dropped)
    ]
    with pytest.raises(InputError):
        exchange.run(space, variant="stokman")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        exchange.run(space, move_cap=-1.0)


def test_decide_move_lists_follow_is_move_valid() -> None:
    # decide is_move_valid on a side's move list: signed sum not past the cap, one sign throughout.
    assert exchange._lists_ok([60.0, 30.0], 100.0)
    assert not exchange._lists_ok([60.0, 50.0], 100.0)  # a superseded tentative move still counts
    assert exchange._lists_ok([-60.0, -50.0], 100.0)  # decide's test is on the signed sum
    assert not exchange._lists_ok([5.0, -1.0], None)
    assert exchange._lists_ok([5.0], None)


@settings(max_examples=20, deadline=None)
@given(spaces())
def test_decide_bookkeeping_makes_equal_gain_exchanges_within_range(space: IssueSpace) -> None:
    r = exchange.run(space, rounds=2, variant="decide")
    assert r.params["bookkeeping"] == "decide"
    lo, hi = space.positions.min(axis=0), space.positions.max(axis=0)
    assert np.all((r.rounds >= lo - 1e-9) & (r.rounds <= hi + 1e-9))
    for round_log in log(r):
        assert all(ex.gain > 0 for ex in round_log)
