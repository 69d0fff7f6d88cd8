"""Closed forms of bargaining theory as expected values for the clock's solvers.

Sources: Rubinstein (1982), "Perfect equilibrium in a bargaining model", Econometrica 50(1) 97-109;
Osborne & Rubinstein (1990), Bargaining and Markets, section 3.10 (finite horizon, deadline);
Baron & Ferejohn (1989), "Bargaining in legislatures", APSR 83(4) 1181-1206 (closed rule);
Fearon (1995), "Rationalist explanations for war", IO 49(3) 379-414 (bargaining range);
Shaked & Sutton (1984) / Osborne & Rubinstein (1990) section 3.12 (outside option principle);
Powell (2006), "War as a commitment problem", IO 60(1) 169-203.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.clock.analysis import deadline_effect
from detente.clock.exact import solve_exact
from detente.clock.model import ClockModel, Party, War, with_war
from detente.clock.solve import solve


def two(d1: float | Fraction, d2: float | Fraction, rounds: int, **kw: object) -> ClockModel:
    return ClockModel((Party("A", d1), Party("B", d2)), rounds=rounds, **kw)  # type: ignore[arg-type]


def test_rubinstein_share_approached_as_the_horizon_grows() -> None:
    # Rubinstein (1982): first proposer's share (1 - d2) / (1 - d1 d2) = 0.2 / 0.28 = 0.7143 at 0.9, 0.8.
    limit = (1 - 0.8) / (1 - 0.9 * 0.8)
    assert limit == pytest.approx(0.7142857, abs=1e-7)
    gaps = [abs(solve(two(0.9, 0.8, T)).values[0] - limit) for T in (4, 10, 40, 200)]
    assert gaps[0] > 0.05  # a short horizon is far from it ...
    assert all(b < a for a, b in itertools.pairwise(gaps))  # ... and it closes in
    assert gaps[-1] < 1e-9
    assert solve(two(0.9, 0.8, 200)).first_agreement_round() == 0  # agreement without delay


@pytest.mark.parametrize("T", range(1, 9))
def test_finite_horizon_common_discount_exact(T: int) -> None:
    # Osborne & Rubinstein (1990) 3.10: share (1 - (-d)^T) / (1 + d) with a common d.
    d = Fraction(9, 10)
    sol = solve_exact(two(d, d, T))
    assert sol.values[0] == (1 - (-d) ** T) / (1 + d)
    assert sol.p_agree[0] == 1


def test_finite_horizon_quoted_values() -> None:
    d = Fraction(9, 10)
    assert solve_exact(two(d, d, 2)).values[0] == Fraction(1, 10)
    assert solve_exact(two(d, d, 3)).values[0] == Fraction(91, 100)
    assert solve(two(0.9, 0.9, 3)).values[0] == pytest.approx(0.91, abs=1e-12)


def test_deadline_last_proposer_takes_all() -> None:
    # In the last round before a deadline the proposer offers the responder its reservation (0) and keeps 1.
    m = two(0.9, 0.9, 12, deadline=5)
    sol = solve(m)
    assert m.horizon == 5
    last = 4 % 2  # alternating from A: the proposer of round 4
    assert sol.policy.agree[0, 4, 0, last]
    assert sol.policy.deal[0, 4, 0, last, last] == pytest.approx(1.0)
    assert sol.policy.deal[0, 4, 0, last, 1 - last] == pytest.approx(0.0)
    undiscounted = solve_exact(two(Fraction(1), Fraction(1), 3)).values
    assert undiscounted == (Fraction(1), Fraction(0))  # no discounting: all to round 2's proposer, A
    eff = deadline_effect(two(0.9, 0.9, 200, deadline=2))
    # with the deadline after two rounds A gets 0.1; without it (200 rounds) about 1 / 1.9
    assert eff.with_deadline.values[0] == pytest.approx(0.1)
    assert eff.without.values[0] == pytest.approx(1 / 1.9, abs=1e-6)
    assert eff.value_shift[0] == pytest.approx(0.1 - 1 / 1.9, abs=1e-6)


@pytest.mark.parametrize("n", [3, 5, 7])
@pytest.mark.parametrize("d", [Fraction(9, 10), Fraction(4, 5), Fraction(1, 2)])
def test_baron_ferejohn_closed_rule(n: int, d: Fraction) -> None:
    # Baron & Ferejohn (1989): proposer keeps 1 - d (n - 1) / (2n) under majority rule, equal recognition.
    parties = tuple(Party(f"P{i}", d) for i in range(n))
    for T in (2, 3, 6):
        m = ClockModel(parties, rounds=T, protocol="random", quota=(n + 1) // 2)
        exact = solve_exact(m)
        assert exact.values == tuple(Fraction(1, n) for _ in range(n))
        fast = solve(m)
        keep = fast.policy.deal[0, 0, 0, 0, 0]
        assert keep == pytest.approx(float(1 - d * (n - 1) / (2 * n)), abs=1e-12)
        partners = fast.policy.deal[0, 0, 0, 0, 1:]
        # each other party is in the coalition with probability 1/2 and then paid d/n
        assert partners == pytest.approx([float(d / n) / 2] * (n - 1))


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(0.05, 0.95),
    c0=st.floats(0.0, 0.3),
    c1=st.floats(0.0, 0.3),
    d0=st.floats(0.5, 0.99),
    d1=st.floats(0.5, 0.99),
    first=st.integers(0, 1),
)
def test_fearon_bargaining_range(p: float, c0: float, c1: float, d0: float, d1: float, first: int) -> None:
    # Fearon (1995): with war costs >= 0 a deal both prefer to war exists, and the equilibrium deal
    # gives party 0 a share in [p - c0, p + c1]; no war happens.
    war = War(p, c0, c1)
    m = with_war(ClockModel((Party("A", d0), Party("B", d1)), rounds=80, first=first), war)
    sol = solve(m)
    lo, hi = war.bargaining_range
    assert lo == pytest.approx(p - c0) and hi == pytest.approx(p + c1)
    assert sol.p_walkout == 0
    assert sol.p_agree[0] == pytest.approx(1.0)
    share = sol.terms_at(0)[0]
    assert lo - 1e-9 <= share <= hi + 1e-9


def test_outside_option_principle() -> None:
    # Osborne & Rubinstein (1990) 3.12: an outside option below the Rubinstein share does not matter;
    # one above it is exactly what the responder gets.
    base = ClockModel((Party("A", 0.9, outside_option=0.0), Party("B", 0.8, outside_option=0.0)), rounds=300)
    assert solve(base).values[0] == pytest.approx(0.2 / 0.28, abs=1e-9)
    m = with_war(ClockModel((Party("A", 0.9), Party("B", 0.8)), rounds=300), War(0.2, 0.05, 0.05))
    assert solve(m).values == pytest.approx([0.25, 0.75], abs=1e-9)  # B's war value 1 - 0.2 - 0.05 binds


def test_powell_commitment_problem_war_when_power_shifts_fast() -> None:
    # Powell (2006): if what the rising side can expect from waiting (its future strength) leaves the
    # declining side less than its war value now, the declining side fights now; without the shift the
    # same clock ends in a deal. Agreements here are final, so the declining side's own offer is where
    # the range closes: it must give the rising side 0.95 * 0.675 = 0.641 and keep 0.359 < 0.45 = war.
    base = ClockModel((Party("Rising", 0.95), Party("Declining", 0.95)), rounds=60, first=1)
    steady = solve(with_war(base, War(0.5, 0.05, 0.05)))
    assert steady.p_walkout == 0 and steady.p_agree[0] == pytest.approx(1)
    shift = with_war(base, War(0.5, 0.05, 0.05, p_end=0.95, shift_from=0, shift_until=2))
    sol = solve(shift)
    assert sol.outcome.p_walkout[0, 0] == pytest.approx(1.0)
    assert sol.policy.walk[0, 0, 0, 1] == 1  # the declining proposer walks out
