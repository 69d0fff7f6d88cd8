"""Simulation: the equilibrium played forward matches the solved probabilities; tactics behave."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.clock.model import ClockModel, Event, OfferGrid, Party, Patch
from detente.clock.simulate import AGREED, BROKE, WALKED, Tactic, simulate
from detente.clock.solve import solve
from detente.errors import InputError


def clock(**kw: object) -> ClockModel:
    base: dict[str, object] = {
        "parties": (Party("A", 0.95, reservation=0.3), Party("B", 0.9, reservation=0.6)),
        "rounds": 30,
        "breakdown": (0.05,),
        "start": dt.date(2020, 1, 1),
        "events": (Event("vote", 6, 0.5, (Patch(1, reservation=0.2),), "vote", "election"),),
    }
    base.update(kw)
    return ClockModel(**base)  # type: ignore[arg-type]


def test_equilibrium_play_matches_the_solution() -> None:
    m = clock(parties=(Party("A", 0.95, reservation=0.45), Party("B", 0.9, reservation=0.6)))
    sol = solve(m)
    assert sol.first_agreement_round() == 6  # no deal until the vote may open the range
    assert 0.2 < sol.p_agree_ever < 0.9  # delayed, uncertain agreement: a real test
    sim = simulate(m, n=20_000, seed=3)
    freq = np.bincount(sim.round[sim.ending == AGREED], minlength=m.horizon)[: m.horizon] / sim.n
    # each round's agreement frequency within 4 standard errors of the solved probability
    se = np.sqrt(sol.p_agree * (1 - sol.p_agree) / sim.n) + 1e-9
    assert np.all(np.abs(freq - sol.p_agree) <= 4 * se + 1e-3)
    assert sim.share(BROKE) == pytest.approx(sol.p_breakdown, abs=0.02)
    # agreed terms are the equilibrium terms of that round
    t = int(np.argmax(sol.p_agree))
    hits = (sim.ending == AGREED) & (sim.round == t)
    assert np.allclose(sim.payoff[hits].mean(axis=0), sol.terms_at(t), atol=1e-9)


def test_same_seed_same_play() -> None:
    m = clock()
    a = simulate(m, (Tactic("boulware"), Tactic("conceder")), n=500, seed=11)
    b = simulate(m, (Tactic("boulware"), Tactic("conceder")), n=500, seed=11)
    assert np.array_equal(a.round, b.round) and np.array_equal(a.payoff, b.payoff)


def test_boulware_holds_out_longer_than_conceders() -> None:
    m = clock(breakdown=(0.0,), events=())
    boul = simulate(m, (Tactic("boulware"), Tactic("boulware")), n=200, seed=1)
    conc = simulate(m, (Tactic("conceder"), Tactic("conceder")), n=200, seed=1)
    assert boul.share(AGREED) == 1 and conc.share(AGREED) == 1
    assert conc.round.mean() < boul.round.mean()
    # Faratin et al. (1998): a Boulware demand stays near the top until late; beta = 0.2 at t/T = 1/2
    # has alpha = 0.5 ** 5 = 0.03125 of the way conceded
    log = simulate(m, (Tactic("boulware"), Tactic("boulware")), n=1, seed=0, log=1).log[0]
    half = log[15]
    assert half.offer is not None
    own = half.offer[0] if half.proposer == "A" else half.offer[1]
    floor = 0.3 if half.proposer == "A" else 0.6
    assert own == pytest.approx(1 - 0.5**5 * (1 - floor))


def test_walking_out_after_loss_of_face() -> None:
    m = clock(breakdown=(0.0,), events=())
    sim = simulate(m, (Tactic("boulware", walk_after=3), Tactic("boulware")), n=50, seed=0, log=1)
    assert sim.share(WALKED) == 1 and set(sim.walker) == {0}
    log = sim.log[0]
    assert log[-1].reply == "A walks out" and log[-1].round == 6  # A's 4th turn, after 3 refusals


def test_tit_for_tat_matches_concessions() -> None:
    m = clock(breakdown=(0.0,), events=())
    sim = simulate(m, (Tactic("tit_for_tat"), Tactic("linear")), n=1, seed=0, log=1)
    offers = [(t.proposer, t.offer) for t in sim.log[0] if t.offer is not None]
    to_a = [o[0] for who, o in offers if who == "B"]
    own_a = [o[0] for who, o in offers if who == "A"]
    # after its first step, A concedes what B conceded to it in B's last move
    for k in range(2, min(len(own_a), len(to_a))):
        assert own_a[k - 1] - own_a[k] == pytest.approx(max(to_a[k - 1] - to_a[k - 2], 0.0), abs=1e-12)


def test_turn_log_names_date_proposer_offer_reply() -> None:
    m = clock()
    log = simulate(m, n=1, seed=5, log=1).log[0]
    assert [t.date for t in log] == [m.date_of(t.round) for t in log]
    assert [t.proposer for t in log[:4]] == ["A", "B", "A", "B"][: len(log[:4])]
    assert (
        log[-1].reply in {"accepted", "no offer; talks break down", "refused; talks break down"}
        or len(log) == 30
    )


def test_grid_clock_simulation() -> None:
    pos = tuple(float(x) for x in range(0, 101, 10))
    util = (tuple(x / 100 for x in pos), tuple(1 - x / 100 for x in pos))
    m = ClockModel((Party("A", 0.9), Party("B", 0.9)), rounds=20, grid=OfferGrid(pos, util))
    sim = simulate(m, n=10, seed=0)
    sol = solve(m)
    assert sim.share(AGREED) == 1 and np.all(sim.position == sol.position_at(0))


def test_more_than_two_parties_refused() -> None:
    m = ClockModel(tuple(Party(f"P{i}", 0.9) for i in range(3)), rounds=3, protocol="random", quota=2)
    with pytest.raises(InputError):
        simulate(m, n=1)


@settings(max_examples=40, deadline=None)
@given(
    d0=st.floats(0.5, 0.99),
    d1=st.floats(0.5, 0.99),
    r0=st.floats(0.0, 0.6),
    r1=st.floats(0.0, 0.6),
    first=st.integers(0, 1),
)
def test_deterministic_equilibrium_play_is_the_solution(
    d0: float, d1: float, r0: float, r1: float, first: int
) -> None:
    # no chance at all: every simulated negotiation follows the solved path exactly
    m = ClockModel((Party("A", d0, reservation=r0), Party("B", d1, reservation=r1)), rounds=12, first=first)
    sol = solve(m)
    sim = simulate(m, n=5, seed=0)
    first_round = sol.first_agreement_round()
    if first_round is None:
        assert np.all(sim.ending == 0)
    else:
        assert np.all(sim.round == first_round) and np.all(sim.ending == AGREED)
        assert np.allclose(sim.payoff, sol.terms_at(first_round))


def test_words_for_a_simulation() -> None:
    from detente.render.clock_words import describe_simulation, describe_turns

    m = clock(breakdown=(0.0,), events=())
    sim = simulate(m, (Tactic("boulware", walk_after=3), Tactic("boulware")), n=20, seed=0, log=1)
    text = describe_simulation(sim)
    assert text[0].startswith("Of 20 simulated negotiations, 0 % ended in agreement, 100 % in a walk-out")
    assert text[-1] == "A walked out of 20 of them."
    lines = describe_turns(sim.log[0])
    assert lines[0].startswith("2020-01-01  round   0  A: offers 1.00/0.00 (position 100) — refused")
    assert lines[-1].endswith("A: no offer — A walks out")
