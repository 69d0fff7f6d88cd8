"""Tests of the KTAB-style Spatial Model of Politics (detente.forecast.models.smp)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import InputError
from detente.forecast.models import smp
from detente.forecast.space import IssueSpace


def space_1d(pos: list[float], cap: list[float], sal: list[float]) -> IssueSpace:
    names = tuple(f"A{i}" for i in range(len(pos)))
    return IssueSpace(names, np.array(cap), np.array(pos)[:, None], np.array(sal)[:, None])


# ---------------------------------------------------------------- hand-worked building blocks


def test_vote_rules_hand_values() -> None:
    du = np.array([-0.5, 0.0, 0.5])
    assert np.allclose(smp.vote("Prop", 2.0, du), [-1.0, 0.0, 1.0])
    assert np.allclose(smp.vote("Binary", 2.0, du), [-2.0, 0.0, 2.0])
    assert np.allclose(smp.vote("Cubic", 2.0, du), [-0.25, 0.0, 0.25])
    assert np.allclose(smp.vote("PropCbc", 2.0, du), [-0.625, 0.0, 0.625])  # 2 (0.25 + 0.0625)
    assert np.allclose(smp.vote("PropBin", 2.0, du), [-1.2, 0.0, 1.2])  # 2 (0.4 + 0.2)
    assert np.allclose(smp.vote("ASymProsp", 3.0, du), [-1.5, 0.0, 1.0])


def test_utility_risk_shapes() -> None:
    d = np.array([0.0, 0.5, 1.0])
    assert np.allclose(smp.utility(d, 0.0), [1.0, 0.5, 0.0])
    assert np.allclose(smp.utility(d, 1.0), 1 - d**2)  # risk averse
    assert np.allclose(smp.utility(d, -1.0), (1 - d) ** 2)  # risk seeking


def test_perspective_utilities_follow_estimated_risk() -> None:
    rng = np.random.default_rng(1)
    d = rng.uniform(0, 1.2, (4, 4))  # includes distances beyond 1
    r = rng.uniform(-0.5, 1, 4)
    u = smp.perspective_utilities(d, r, "OneThird")
    for h in range(4):
        for a in range(4):
            assert np.allclose(u[h, a], smp.utility(d[a], (2 * r[h] + r[a]) / 3))


def test_salience_distance_hand_value() -> None:
    # actor 0 weighs dimension 0 three times dimension 1: sqrt((9*0.2^2 + 1*0.4^2) / 10)
    x = np.array([[0.0, 0.0], [0.2, 0.4]])
    s = np.array([[0.3, 0.1], [0.5, 0.5]])
    d = smp.salience_distance(x, x, s)
    assert d[0, 1] == pytest.approx(np.sqrt((9 * 0.04 + 0.16) / 10))
    assert d[1, 0] == pytest.approx(np.sqrt((0.04 + 0.16) / 2))
    assert np.allclose(np.diag(d), 0.0)


@pytest.mark.parametrize("model", ["Conditional", "MarkovUniform", "MarkovIncentive"])
def test_two_option_pce_equals_victory_probability(model: str) -> None:
    # With two options every PCE form gives p = (P(0>1), P(1>0)); hand value 3/4.
    c = np.array([[1e-8, 3.0], [1.0, 1e-8]])
    p = smp.pce(c, "Linear", model)
    assert p == pytest.approx([0.75, 0.25], abs=1e-5)  # Markov forms stop at 1e-6 change


def test_victory_probability_models() -> None:
    c = np.array([[1e-8, 2.0], [1.0, 1e-8]])
    assert smp.victory_probability(c, "Linear")[0, 1] == pytest.approx(2 / 3)
    assert smp.victory_probability(c, "Square")[0, 1] == pytest.approx(4 / 5)
    assert smp.victory_probability(c, "Binary")[0, 1] == pytest.approx(1.0, abs=1e-5)
    near = np.array([[1e-8, 1.05], [1.0, 1e-8]])  # 5 % ahead: halfway to certainty
    share = 1.05 / 2.05
    assert smp.victory_probability(near, "Binary")[0, 1] == pytest.approx((share * 2.1 - 1) / 0.1)


def test_risk_attitudes_two_actors_mid_range() -> None:
    # The stronger actor's position is more probable: R = 1 for it, -1/2 for the weaker (Mid range).
    x = np.array([[0.0], [1.0]])
    s = np.array([[0.5], [0.5]])
    r = smp.risk_attitudes(
        smp.salience_distance(x, x, s), np.array([3.0, 1.0]), "Prop", "Linear", "Conditional", "Mid"
    )
    assert r == pytest.approx([1.0, -0.5])


def test_two_actor_challenge_gain_hand_worked() -> None:
    # Positions 0 and 1: u = 1 at own position and 0 at the other's, whatever the risk attitude.
    # phi = (S0 c0)/(S0 c0 + S1 c1) (+1e-10 floors); gain = 2(1-S1) + 2 S1 phi - 1.
    x = np.array([[0.0], [1.0]])
    s = np.array([[0.5], [0.4]])
    cap = np.array([3.0, 1.0])
    util = smp.perspective_utilities(smp.salience_distance(x, x, s), np.array([1.0, -0.5]), "OneThird")
    w = cap * s.sum(axis=1)
    i, j = np.array([0, 1]), np.array([1, 0])
    phi, gain = smp.challenge_terms(util, i, i, i, j, w, s.sum(axis=1), "Prop", "SemiCommit")
    phi0 = (1e-10 + 1.5) / (2e-10 + 1.5 + 0.4)
    assert phi[0] == pytest.approx(phi0)
    assert gain[0] == pytest.approx(1 - 2 * 0.4 * (1 - phi0))
    assert phi[1] == pytest.approx(1 - phi0)
    assert gain[1] == pytest.approx(1 - 2 * 0.5 * phi0)


def test_best_challenges_pick_largest_gain_above_threshold() -> None:
    # The two-actor case above: both gains are positive, each targets the other.
    x = np.array([[0.0], [1.0]])
    s = np.array([[0.5], [0.4]])
    util = smp.perspective_utilities(smp.salience_distance(x, x, s), np.array([1.0, -0.5]), "OneThird")
    w, total = np.array([3.0, 1.0]) * s.sum(axis=1), s.sum(axis=1)
    target, phi, gain = smp.best_challenges(util, w, total, "Prop", "SemiCommit")
    assert list(target) == [1, 0]
    phi0 = (1e-10 + 1.5) / (2e-10 + 1.9)
    assert phi == pytest.approx([phi0, 1 - phi0])
    assert gain == pytest.approx([1 - 0.8 * (1 - phi0), 1 - phi0])
    # Everyone at one position: no challenge gains anything, nobody has a target.
    same = np.zeros((3, 1))
    flat = smp.perspective_utilities(
        smp.salience_distance(same, same, np.full((3, 1), 0.5)), np.zeros(3), "OneThird"
    )
    target, _, gain = smp.best_challenges(flat, np.ones(3), np.full(3, 0.5), "Prop", "SemiCommit")
    assert list(target) == [-1, -1, -1] and np.all(gain == 0)


def test_three_actor_third_party_vote_hand_worked() -> None:
    # h = k = i = 0 challenges j = 2; equal weights 1 and resolve S = 0.5; third party 1 leans to 0.
    # Principals: v_i = 1 - 0 = 1, v_j = 0 - 1 = -1, so C(0:2) = C(2:0) = 1 (+1e-10).
    # Third party: little-conflict vote 0.8 - 0.2 = 0.6 gives p = 1.6 / 2.6; under SemiCommit it votes
    # p (U_11 - U_10) + (1 - p)(U_12 - U_11) = p 0.2 - (1 - p) 0.8 = -0.184615..., i.e. for j.
    # phi = 1 / (2 + 0.184615...); gain = (1 - S) 2 + S (2 phi) - (1 + 0) = phi.
    u0 = np.array([[1.0, 0.5, 0.0], [0.8, 1.0, 0.2], [0.0, 0.5, 1.0]])
    util = np.stack([u0, u0, u0])
    zero, two = np.array([0]), np.array([2])
    phi, gain = smp.challenge_terms(
        util, zero, zero, zero, two, np.ones(3), np.full(3, 0.5), "Prop", "SemiCommit"
    )
    p = 1.6 / 2.6
    v_third = p * 0.2 - (1 - p) * 0.8
    assert v_third == pytest.approx(-0.18461538)
    assert phi[0] == pytest.approx(1 / (2 - v_third))
    assert gain[0] == pytest.approx(phi[0])
    # Under FullCommit and NoCommit the third party's two outcome sums are equal, so it casts no vote.
    for commit in ("FullCommit", "NoCommit"):
        phi_c, _ = smp.challenge_terms(
            util, zero, zero, zero, two, np.ones(3), np.full(3, 0.5), "Prop", commit
        )
        assert phi_c[0] == pytest.approx(0.5)


def test_s2p2_bargain_hand_worked() -> None:
    # w_i = s_i^2 p^2 = 0.25 * 0.5625, w_j = 0.25 * 0.0625; both end at 0.1 after rounding to 4 places.
    bi, bj = smp.interpolate_bargain(
        np.array([0.0]), np.array([0.5]), 0.75, np.array([1.0]), np.array([0.5]), 0.25, "S2P2"
    )
    assert bi[0] == pytest.approx(0.1)
    assert bj[0] == pytest.approx(0.1)


def test_two_actor_run_hand_worked() -> None:
    # Turn 1: both actors challenge, both bargains put both actors at 0.1 (see the test above), the
    # queues' PCE prefers a bargain (strong actor's vote 3 x 0.49 against 1 x 0.445), so both move
    # to 10. Turn 2: nobody gains from a challenge, nothing moves, and the stop rule ends the run.
    r = smp.run(space_1d([0.0, 100.0], [3.0, 1.0], [50.0, 50.0]))
    assert r.rounds.shape == (3, 2, 1)
    assert np.allclose(r.rounds[1], 10.0)
    assert np.allclose(r.rounds[2], 10.0)
    assert r.details["turns"] == 2
    assert r.outcome == pytest.approx([10.0])
    # initial outcome: probability-weighted mean 0.75 * 0 + 0.25 * 100
    assert r.outcome_by_round[0] == pytest.approx([25.0])


# ---------------------------------------------------------------- vectorised vs plain loop


@st.composite
def challenge_cases(draw: st.DrawFn) -> tuple[object, ...]:
    n = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    util = rng.uniform(0, 1, (n, n, n))
    m = draw(st.integers(1, 8))
    i = rng.integers(0, n, m)
    j = (i + rng.integers(1, n, m)) % n
    h = rng.integers(0, n, m)
    k = rng.integers(0, n, m)
    w = rng.uniform(0, 2, n) * (rng.uniform(0, 1, n) > 0.2)
    s = rng.uniform(0, 1, n)
    rule = draw(st.sampled_from(smp.CHOICES["voting_rule"]))
    commit = draw(st.sampled_from(smp.CHOICES["third_party_commit"]))
    return util, h, k, i, j, w, s, rule, commit


@settings(max_examples=60, deadline=None)
@given(challenge_cases())
def test_challenge_terms_vectorised_equals_loop(case: tuple[object, ...]) -> None:
    fast = smp.challenge_terms(*case)  # type: ignore[arg-type]
    slow = smp.challenge_terms_loop(*case)  # type: ignore[arg-type]
    assert np.allclose(fast[0], slow[0], atol=1e-12)
    assert np.allclose(fast[1], slow[1], atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 7),
    st.integers(0, 2**31 - 1),
    st.sampled_from(smp.CHOICES["voting_rule"]),
    st.sampled_from(smp.CHOICES["third_party_commit"]),
)
def test_own_perspective_grid_equals_loop(n: int, seed: int, rule: str, commit: str) -> None:
    rng = np.random.default_rng(seed)
    util, w, s = rng.uniform(0, 1, (n, n, n)), rng.uniform(0, 2, n), rng.uniform(0, 1, n)
    phi, gain = smp.own_challenge_terms(util, w, s, rule, commit)
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    phi_ref, gain_ref = smp.challenge_terms_loop(util, ii, ii, ii, jj, w, s, rule, commit)
    assert np.allclose(phi[ii, jj], phi_ref, atol=1e-12)
    assert np.allclose(gain[ii, jj], gain_ref, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(smp.CHOICES["voting_rule"]))
def test_coalitions_equal_plain_sums(seed: int, rule: str) -> None:
    rng = np.random.default_rng(seed)
    nv, m = int(rng.integers(1, 6)), int(rng.integers(2, 6))
    w, u = rng.uniform(0, 2, nv), rng.uniform(0, 1, (nv, m))
    c = smp.coalitions(w, u, rule)
    for a in range(m):
        for b in range(a):  # KTAB scans the lower triangle: option a (higher index) against b
            votes = [float(smp.vote(rule, w[k], np.array(u[k, a] - u[k, b]))) for k in range(nv)]
            assert c[a, b] == pytest.approx(1e-8 + sum(v for v in votes if v > 0))
            assert c[b, a] == pytest.approx(1e-8 + sum(-v for v in votes if v < 0))


# ---------------------------------------------------------------- properties of runs


@st.composite
def spaces(draw: st.DrawFn) -> IssueSpace:
    n = draw(st.integers(3, 7))
    d = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    pos = rng.uniform(0, 100, (n, d)).round(1)
    sal = rng.uniform(5, 100 / d, (n, d)).round(1)
    cap = rng.uniform(1, 100, n).round(1)
    return IssueSpace(
        tuple(f"A{i}" for i in range(n)), cap, pos, sal, tuple(f"d{k}" for k in range(d)), ((0.0, 100.0),) * d
    )


@settings(max_examples=12, deadline=None)
@given(spaces())
def test_positions_stay_within_initial_bounds_and_stop_rule_holds(space: IssueSpace) -> None:
    r = smp.run(space)
    lo, hi = space.positions.min(axis=0), space.positions.max(axis=0)
    tol = 0.005 + 1e-9  # bargains are rounded to 4 decimals on [0, 1], i.e. 0.005 on 0..100
    assert np.all(r.rounds >= lo - tol) and np.all(r.rounds <= hi + tol)
    assert np.all((r.outcome >= lo - tol) & (r.outcome <= hi + tol))
    t = r.rounds.shape[0] - 1
    assert r.details["turns"] == t
    step = np.linalg.norm((r.rounds[1:] - r.rounds[:-1]) / 100.0, axis=2).sum(axis=1)
    ratios = step / (step[0] + 1e-4)
    assert t == 100 or (t >= 2 and ratios[-1] < 0.02)
    assert t == 1 or np.all(ratios[1:-1] >= 0.02)  # it did not run past an earlier stopping point


def test_zero_weight_voter_casts_no_vote() -> None:
    rng = np.random.default_rng(3)
    w, u = rng.uniform(0, 2, 4), rng.uniform(0, 1, (4, 5))
    base = smp.coalitions(w, u, "Prop")
    more = smp.coalitions(np.append(w, 0.0), np.vstack([u, rng.uniform(0, 1, (1, 5))]), "Prop")
    assert np.allclose(base, more)


def test_zero_capability_third_party_does_not_change_challenges() -> None:
    rng = np.random.default_rng(5)
    util = rng.uniform(0, 1, (5, 5, 5))
    w, s = rng.uniform(0.5, 2, 5), rng.uniform(0.2, 1, 5)
    i, j = np.array([0, 1, 2]), np.array([1, 2, 0])
    w0 = w.copy()
    w0[4] = 0.0
    phi_a, gain_a = smp.challenge_terms(util, i, i, i, j, w0, s, "Prop", "SemiCommit")
    util_b = util.copy()
    util_b[:, 4, :] = rng.uniform(0, 1, (5, 5))  # the weightless actor's own utilities are irrelevant
    phi_b, gain_b = smp.challenge_terms(util_b, i, i, i, j, w0, s, "Prop", "SemiCommit")
    assert np.allclose(phi_a, phi_b) and np.allclose(gain_a, gain_b)


def test_mirror_symmetric_inputs_give_symmetric_outcome() -> None:
    pos = [10.0, 30.0, 45.0, 55.0, 70.0, 90.0]
    cap = [20.0, 35.0, 10.0, 10.0, 35.0, 20.0]
    sal = [60.0, 40.0, 80.0, 80.0, 40.0, 60.0]
    r = smp.run(space_1d(pos, cap, sal))
    assert r.outcome[0] == pytest.approx(50.0, abs=1e-6)
    # the run itself stays mirror symmetric
    assert np.allclose(r.rounds[:, :, 0], 100.0 - r.rounds[:, ::-1, 0], atol=1e-6)


def test_max_turns_and_stochastic_seed() -> None:
    space = space_1d([0.0, 30.0, 60.0, 100.0], [10.0, 40.0, 20.0, 30.0], [50.0, 70.0, 30.0, 90.0])
    assert smp.run(space, max_turns=1).rounds.shape[0] == 2
    a = smp.run(space, state_transitions="Stochastic", seed=7)
    b = smp.run(space, state_transitions="stochastic", seed=7)
    assert np.array_equal(a.rounds, b.rounds)
    assert a.params["state_transitions"] == "Stochastic"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pce_model", "MarkovIncentive"),
        ("voting_rule", "PropCbc"),
        ("bargn_model", "PWCompInterp"),
        ("bargn_model", "InitRcvrInterp"),
        ("inter_vec_brgn", "S2PMax"),
        ("victory_prob_model", "Binary"),
    ],
)
def test_non_default_parameters_run_and_are_recorded(field: str, value: str) -> None:
    space = space_1d([0.0, 30.0, 60.0, 100.0], [10.0, 40.0, 20.0, 30.0], [50.0, 70.0, 30.0, 90.0])
    params: dict[str, str] = {field: value.lower()}
    r = smp.run(space, **params)  # type: ignore[arg-type]
    assert r.params[field] == value
    assert np.all((r.rounds >= -0.005) & (r.rounds <= 100.005))


def test_bad_parameters_raise_input_error() -> None:
    space = space_1d([0.0, 50.0, 100.0], [1.0, 1.0, 1.0], [50.0, 50.0, 50.0])
    with pytest.raises(InputError, match="voting_rule"):
        smp.run(space, voting_rule="Majority")
    heavy = IssueSpace(
        ("a", "b", "c"),
        np.ones(3),
        np.array([[0.0, 0.0], [50.0, 50.0], [100.0, 100.0]]),
        np.array([[60.0, 60.0], [10.0, 10.0], [10.0, 10.0]]),
        ("p", "q"),
        ((0.0, 100.0), (0.0, 100.0)),
    )
    with pytest.raises(InputError, match="at most 100"):
        smp.run(heavy)


@settings(max_examples=10, deadline=None)
@given(
    spaces(),
    st.lists(st.floats(0.01, 50.0), min_size=2, max_size=2),
    st.lists(st.floats(-500.0, 500.0), min_size=2, max_size=2),
)
def test_outcome_is_equivariant_under_affine_rescaling(
    space: IssueSpace, a: list[float], b: list[float]
) -> None:
    # Positions are compared relative to each dimension's range: mapping every position and the
    # scale by x -> a x + b (a > 0) maps every round and the outcome the same way.
    d = space.n_dims
    gain, shift = np.array(a[:d]), np.array(b[:d])
    moved = IssueSpace(
        space.actors,
        space.capability,
        space.positions * gain + shift,
        space.salience,
        space.dimensions,
        tuple((lo * g + s, hi * g + s) for (lo, hi), g, s in zip(space.scale, gain, shift, strict=True)),
    )
    base, r = smp.run(space), smp.run(moved)
    assert r.details["turns"] == base.details["turns"]
    np.testing.assert_allclose(r.outcome, base.outcome * gain + shift, rtol=0, atol=1e-6 * gain.max())
    np.testing.assert_allclose(r.rounds, base.rounds * gain + shift, rtol=0, atol=1e-6 * gain.max())


def test_minus_100_to_100_scale_matches_the_0_100_run() -> None:
    # Two actors at the ends of a (-100, 100) scale: the same run as on 0-100 (see
    # test_two_actor_run_hand_worked), mapped back: both end at -100 + 2 * 10 = -80.
    space = IssueSpace(
        ("A0", "A1"),
        np.array([3.0, 1.0]),
        np.array([[-100.0], [100.0]]),
        np.array([[50.0], [50.0]]),
        scale=((-100.0, 100.0),),
    )
    r = smp.run(space)
    assert r.outcome == pytest.approx([-80.0])
    assert r.outcome_by_round[0] == pytest.approx([-50.0])  # 0.75 * -100 + 0.25 * 100
