"""The expected utility model of Scholz, Calbert & Smith (2011): hand-worked rounds, the plain-loop
reference against the vectorised round, properties, and the BDM (1994) emission-standards case."""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.forecast.models import run_model
from detente.forecast.models.eum import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    NO_OFFER,
    EumSettings,
    eum_round,
    eum_round_reference,
)
from detente.forecast.space import FloatArray
from tests.forecast.fixtures import (
    ACTUAL_OUTCOME,
    BDM_FORECAST,
    BDM_FORECAST_PROLONGED,
    SCHOLZ_MEANS,
    SCHOLZ_MEDIANS,
    SULTAN_TABLE,
    emission_space,
    make_space,
    sultan_space,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "forecast"


def arr(*values: float) -> FloatArray:
    return np.array(values, dtype=np.float64)


# --- hand-worked rounds -------------------------------------------------------------------------
# Two actors at 0 and 1 (R = 1, d = 1), c = (1, 1), s = (0.5, 1): w = (0.5, 1), so the median is 1,
# P_01 = 0.5 / 1.5 = 1/3 and P_10 = 2/3 (eq. 30: each actor is its own only supporter).


def test_two_actor_round_risk_neutral_is_a_compromise() -> None:
    # r = 1, Q = 1: U_s = 2d, U_f = -2d, U_sq = 0, so E_ij = 2 d (1 - 2 s_j (1 - P_ij)):
    # E_01 = 2 (1 - 2 * 1 * 2/3) = -2/3 and E_10 = 2 (1 - 2 * 0.5 * 1/3) = 4/3.
    # Actor 1 wants to challenge, actor 0 does not, |E_01| < |E_10|: actor 0 compromises and moves
    # |E_01 / E_10| = 1/2 of the way (eq. 35).
    step = eum_round(arr(0, 1), arr(1, 1), arr(0.5, 1.0), 1.0, EumSettings(risk=False))
    assert step.median == 1.0
    np.testing.assert_allclose(step.probability, [[0.5, 1 / 3], [2 / 3, 0.5]])
    np.testing.assert_allclose(step.eu, [[0, -2 / 3], [4 / 3, 0]])
    np.testing.assert_allclose(step.positions, [0.5, 1.0])
    assert step.offer_class.tolist() == [COMPROMISE, NO_OFFER]
    assert step.offer_from.tolist() == [1, -1]


def test_two_actor_round_with_risk_turns_into_a_lost_conflict() -> None:
    # Securities (first pass) are E_10 = 4/3 for actor 0 and E_01 = -2/3 for actor 1, so R = (1, -1)
    # and r = ((1 - 1/3) / (1 + 1/3), (1 + 1/3) / (1 - 1/3)) = (0.5, 2) (eqs. 32-34). Then
    # E_01 = (1/3 * 2 + 2/3 * (-2)) - (2 - 4 sqrt(0.5)) = 2 sqrt(2) - 8/3 > 0 and
    # E_10 = 0.5 (2/3 * 2 - 1/3 * 2) + 0.5 * 2 - (2 - 4 * 0.25) = 1/3: both want to challenge and
    # actor 0, with the smaller expected utility, gives in and moves to actor 1.
    step = eum_round(arr(0, 1), arr(1, 1), arr(0.5, 1.0), 1.0, EumSettings())
    np.testing.assert_allclose(step.risk_exponent, [0.5, 2.0])
    np.testing.assert_allclose(step.eu, [[0, 2 * math.sqrt(2) - 8 / 3], [1 / 3, 0]])
    np.testing.assert_allclose(step.positions, [1.0, 1.0])
    assert step.offer_class.tolist() == [CONFLICT, NO_OFFER]


def test_two_actor_round_with_q_below_one_uses_t() -> None:
    # Q = 0.5, r = 1. Actor 0: |x_0 - mu| = 1 is not < |x_0 - x_1| = 1, so T = 0 and
    # U_w = 2 - 4 (0.5 + 0.25 * 2) = -2: E_01 = -2/3 - 0.5 * (-2) = 1/3. Actor 1: |x_1 - mu| = 0 < 1,
    # T = 1, U_b = 2 - 4 (0.5 - 0.25) = 1: E_10 = 4/3 - 0.5 * 1 = 5/6. Conflict; actor 0 gives in.
    step = eum_round(arr(0, 1), arr(1, 1), arr(0.5, 1.0), 1.0, EumSettings(q=0.5, risk=False))
    np.testing.assert_allclose(step.eu, [[0, 1 / 3], [5 / 6, 0]])
    np.testing.assert_allclose(step.positions, [1.0, 1.0])


def test_capitulation_when_the_loss_outweighs_the_gain() -> None:
    # s = (1, 1), w = (0.5, 1): E_01 = 2 (1 - 2 * 2/3) = -2/3, E_10 = 2 (1 - 2 * 1/3) = 2/3.
    # |E_01| = |E_10|: the compromise share reaches 1, which is a capitulation (full move).
    step = eum_round(arr(0, 1), arr(0.5, 1), arr(1.0, 1.0), 1.0, EumSettings(risk=False))
    np.testing.assert_allclose(step.eu, [[0, -2 / 3], [2 / 3, 0]])
    assert step.offer_class.tolist() == [CAPITULATION, NO_OFFER]
    np.testing.assert_allclose(step.positions, [1.0, 1.0])


def test_offer_rules_pick_different_offers() -> None:
    # Four actors, r = 1. Actor 0 (at 1) loses a conflict to actor 2 (E_20 = 0.895 > E_02 = 0.641:
    # move 7, to 8) and is offered a compromise by actor 3 (E_30 = 0.958 > 0 > E_03 = -0.697: move
    # 9 * 0.697 / 0.958 = 6.55). Actor 1 (at 7) loses conflicts to actors 0 (move 6), 2 (move 1) and
    # 3 (move 3). "class": a lost conflict first, then the least move -> actor 0 to 8, actor 1 to 8.
    # "least_move": actor 0 takes the compromise (6.55 < 7). "max_eu": the proposer with the largest
    # expected utility: actor 3 (0.958) for actor 0 and actor 0 (0.938) for actor 1, who moves to 1.
    x, c, s = arr(1, 7, 8, 10), arr(0.5, 0.75, 1.25, 0.5), arr(0.8, 0.2, 0.4, 1.0)
    picks = {}
    for rule in ("class", "least_move", "max_eu"):
        choice = EumSettings(risk=False, offer_rule=rule)
        step = eum_round(x, c, s, 9.0, choice)
        picks[rule] = step.offer_from.tolist()
        np.testing.assert_allclose(step.positions, eum_round_reference(x, c, s, 9.0, choice).positions)
        compromise = 1 + 9 * abs(step.eu[0, 3]) / step.eu[3, 0]
        expected = {
            "class": [8, 8, 10, 10],
            "least_move": [compromise, 8, 10, 10],
            "max_eu": [compromise, 1, 10, 10],
        }
        np.testing.assert_allclose(step.positions, expected[rule])
    assert picks == {"class": [2, 2, 3, -1], "least_move": [3, 2, 3, -1], "max_eu": [3, 0, 3, -1]}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(1, 4), st.integers(0, 4)), min_size=2, max_size=6))
def test_risk_neutral_expected_utility_closed_form(rows: list[tuple[int, int, int]]) -> None:
    # With r = 1 and Q = 1: U_s = 2d, U_f = -2d, U_sq = 0, so eq. 25a reduces to
    # E_ij = 2 d_ij (1 - 2 s_j (1 - P_ij)), and P_ij is eq. 30 written out here independently.
    x = np.array([r[0] for r in rows], dtype=np.float64)
    c = np.array([r[1] for r in rows], dtype=np.float64)
    s = np.array([r[2] for r in rows], dtype=np.float64) / 4
    if np.ptp(x) == 0 or (c * s).sum() == 0:
        return
    big_r = float(np.ptp(x))
    step = eum_round(x, c, s, big_r, EumSettings(risk=False))
    n = len(x)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            support = [c[k] * s[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i])) for k in range(n)]
            total = sum(abs(v) for v in support)
            p = sum(v for v in support if v > 0) / total if total > 0 else 0.5
            d = abs(x[i] - x[j]) / big_r
            assert step.eu[i, j] == pytest.approx(2 * d * (1 - 2 * s[j] * (1 - p)), abs=1e-12)


# --- vectorised round == plain loops ------------------------------------------------------------


@st.composite
def rounds_input(draw: st.DrawFn) -> tuple[FloatArray, FloatArray, FloatArray, EumSettings]:
    n = draw(st.integers(2, 7))
    # Small integer grids make ties (equal positions, equal weights) common on purpose.
    x = np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype=np.float64)
    c = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.float64) / 4
    s = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.float64) / 4
    if np.ptp(x) == 0:
        x[0] += 1
    if (c * s).sum() == 0:
        c[0] = s[0] = 1.0
    choice = EumSettings(
        q=draw(st.sampled_from([1.0, 0.5, 0.0])),
        risk=draw(st.booleans()),
        offer_rule=draw(st.sampled_from(["class", "least_move", "max_eu"])),
        probability=draw(st.sampled_from(["pair", "all_pairs"])),
        perspective=draw(st.sampled_from(["challenger", "receiver"])),
        compromise=draw(st.sampled_from(["share", "eu_weighted"])),
        voter_risk=draw(st.booleans()),
    )
    if choice.offer_rule == "class" and draw(st.booleans()):
        choice = replace(choice, compromise="eu_ranked")
    return x, c, s, choice


@settings(max_examples=150, deadline=None)
@given(rounds_input())
def test_vectorised_round_equals_the_plain_loop_reference(
    case: tuple[FloatArray, FloatArray, FloatArray, EumSettings],
) -> None:
    x, c, s, choice = case
    big_r = float(np.ptp(x))
    fast, slow = eum_round(x, c, s, big_r, choice), eum_round_reference(x, c, s, big_r, choice)
    assert fast.median == slow.median
    np.testing.assert_allclose(fast.probability, slow.probability, atol=1e-12)
    np.testing.assert_allclose(fast.risk_exponent, slow.risk_exponent, atol=1e-12)
    np.testing.assert_allclose(fast.eu, slow.eu, atol=1e-12)
    assert fast.offer_class.tolist() == slow.offer_class.tolist()
    assert fast.offer_from.tolist() == slow.offer_from.tolist()
    np.testing.assert_allclose(fast.positions, slow.positions, atol=1e-12)


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(rounds_input())
def test_paper_probabilities_are_complementary_and_positions_stay_in_range(
    case: tuple[FloatArray, FloatArray, FloatArray, EumSettings],
) -> None:
    x, c, s, choice = case
    step = eum_round(x, c, s, float(np.ptp(x)), choice)
    if choice.probability == "pair":
        # Eq. 30: the supporters of i and of j split the same denominator, so P_ij + P_ji = 1.
        np.testing.assert_allclose(step.probability + step.probability.T, 1.0, atol=1e-12)
    # Every move is towards another actor's position, never past it: the hull cannot grow.
    assert x.min() - 1e-12 <= step.positions.min() and step.positions.max() <= x.max() + 1e-12
    assert step.risk_exponent.min() >= 0.5 - 1e-12 and step.risk_exponent.max() <= 2 + 1e-12


@settings(max_examples=25, deadline=None)
@given(rounds_input(), st.integers(-5, 5))
def test_run_is_invariant_to_scaling_capabilities_and_shifting_positions(
    case: tuple[FloatArray, FloatArray, FloatArray, EumSettings], shift: int
) -> None:
    # Capabilities enter only through ratios (eq. 30) and vote comparisons; positions only through
    # differences. Scaling by 4 and shifting by an integer are exact in floating point.
    x, c, s, choice = case
    kw = {
        "q": choice.q,
        "risk": choice.risk,
        "offer_rule": choice.offer_rule,
        "probability": choice.probability,
        "perspective": choice.perspective,
        "compromise": choice.compromise,
        "voter_risk": choice.voter_risk,
    }
    names = tuple(f"a{i}" for i in range(len(x)))
    base = run_model("eum", make_space(names, c, x, 100 * s), rounds=4, **kw)
    scaled = run_model("eum", make_space(names, 4 * c, x, 100 * s), rounds=4, **kw)
    shifted = run_model("eum", make_space(names, c, x + shift, 100 * s), rounds=4, **kw)
    np.testing.assert_array_equal(base.rounds, scaled.rounds)
    np.testing.assert_allclose(base.rounds + shift, shifted.rounds, atol=1e-9)


def test_multi_dimensional_space_runs_each_dimension_separately() -> None:
    em = emission_space()
    flipped = 14.0 - em.positions[:, 0]
    space = make_space(
        em.actors,
        em.capability,
        np.column_stack([em.positions[:, 0], flipped]),
        np.column_stack([em.salience[:, 0], em.salience[:, 0][::-1]]),
        dimensions=("years", "other"),
        scale=((4.0, 10.0), (4.0, 10.0)),
    )
    both = run_model("eum", space, rounds=5)
    first = run_model("eum", space.dimension(0), rounds=5)
    second = run_model("eum", space.dimension(1), rounds=5)
    t1, t2 = first.rounds.shape[0], second.rounds.shape[0]
    np.testing.assert_array_equal(both.rounds[:t1, :, 0], first.rounds[:, :, 0])
    np.testing.assert_array_equal(both.rounds[:t2, :, 1], second.rounds[:, :, 0])
    np.testing.assert_array_equal(both.outcome, [first.outcome[0], second.outcome[0]])


def test_consensus_stops_at_once_and_bad_parameters_are_refused() -> None:
    space = make_space(("a", "b"), [1, 2], [5, 5], [50, 50])
    result = run_model("eum", space)
    assert result.rounds.shape == (1, 2, 1) and result.outcome[0] == 5.0
    for bad in ({"rounds": 0}, {"q": 1.5}, {"offer_rule": "best"}, {"probability": "p"}, {"outcome": "mode"}):
        with pytest.raises(ValueError):
            run_model("eum", emission_space(), **bad)


# --- the BDM (1994) emission-standards case -----------------------------------------------------


def test_emission_round_zero_is_the_published_input() -> None:
    # Before any move: the vote winner (Condorcet median) is 7 years and the weighted mean 7.39,
    # which Scholz et al. (2011, Table 2) print as 7.4.
    result = run_model("eum", emission_space(), rounds=8)
    assert result.outcome_by_round[0, 0] == 7.0
    assert round(float(result.details["mean_by_round"][0]), 1) == SCHOLZ_MEANS[0]  # type: ignore[index]


def test_emission_with_the_papers_equation_30_does_not_reproduce_table_2() -> None:
    # Honest record. With P as printed (eq. 30) P_ij + P_ji = 1 and s_j (1 - P_ij) < 1/2 for most
    # pairs, so almost every pair is in conflict (eight of ten actors lose one in round 1) and actors
    # jump to each other's positions: the median stays at 7 for two rounds and then flips to 10.
    # Scholz et al. report 8.4 after round 1 and BDM forecast 8.35; this reading cannot produce a
    # median strictly between the actors' initial positions 7 and 10 in round 1.
    result = run_model("eum", emission_space(), rounds=8)
    medians = result.details["median_by_round"]
    assert isinstance(medians, np.ndarray)
    assert result.details["offer_class"][0].count("conflict") == 8  # type: ignore[index]
    assert medians[1] == 7.0 and medians[-1] == 10.0
    assert abs(medians[1] - SCHOLZ_MEDIANS[0]) > 1.0


def test_emission_with_the_all_pairs_denominator_comes_close_to_table_2() -> None:
    # With the denominator Scholz et al.'s program reportedly used, P is small, conflicts are rare,
    # and Belgium compromises towards the large states in round 1 and becomes the median voter.
    result = run_model("eum", emission_space(), rounds=8, probability="all_pairs")
    medians, means = result.details["median_by_round"], result.details["mean_by_round"]
    assert isinstance(medians, np.ndarray) and isinstance(means, np.ndarray)
    # Round 1: 8.79, inside BDM's own range 8.35 (forecast) - 9.05 (prolonged talks), 0.4 above
    # Scholz's 8.4 and 0.04 from the actual 8.833.
    assert BDM_FORECAST <= medians[1] <= BDM_FORECAST_PROLONGED
    assert abs(medians[1] - ACTUAL_OUTCOME) < 0.1
    assert abs(medians[1] - SCHOLZ_MEDIANS[0]) < 0.5
    # Rounds 2-5: Scholz report 9.9 throughout; this run gives 9.80, 9.97, 10.0, 10.0.
    np.testing.assert_allclose(medians[2:6], SCHOLZ_MEDIANS[1:5], atol=0.15)
    # Means of rounds 1-3 within 0.1 of Table 2 (7.4, 7.5, 7.6).
    np.testing.assert_allclose(means[1:4], SCHOLZ_MEANS[:3], atol=0.1)
    # Not reproduced: Scholz's rounds 6-8 swing back to 7.4, 8.8, 9.6 (and their means dip to 7.3
    # in rounds 4-5); here the median voter creeps up to 10 and stays there.
    assert medians[-1] == pytest.approx(10.0, abs=1e-3)


def test_scholz_program_reproduces_table_2() -> None:
    # The preset that behaves as Scholz et al.'s program: (a) the receiver's own risk exponent for
    # both E_mk and E_km, (b) compromise offers ranked by the utility-weighted point, (c) each
    # voter's support curved by its risk exponent, with the all-pairs denominator of P.
    result = run_model("eum", emission_space(), rounds=8, stop_when_stable=False, variant="scholz_program")
    medians, means = result.details["median_by_round"], result.details["mean_by_round"]
    assert isinstance(medians, np.ndarray) and isinstance(means, np.ndarray)
    assert len(medians) == 9
    # Rounds 1 and 3-8 within 0.1 of Table 2 (8.4, -, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6): the
    # round-4 jump of Belgium towards the Netherlands and the round-6 drop to 7.4 are reproduced.
    for t in (1, 3, 4, 5, 6, 7, 8):
        assert abs(medians[t] - SCHOLZ_MEDIANS[t - 1]) < 0.1, (t, medians[t])
    # Round 2 is not: Belgium compromises with France a second time and lands at 9.61; Table 2's 9.9
    # would need it to cover 94 % of the remaining distance instead of 75 %.
    assert medians[2] == pytest.approx(9.611, abs=1e-3)
    assert abs(medians[2] - SCHOLZ_MEDIANS[1]) > 0.2
    # The means of rounds 1-8 are all within 0.1 of Table 2.
    np.testing.assert_allclose(means[1:], SCHOLZ_MEANS, atol=0.1)
    assert result.params["perspective"] == "receiver" and result.params["compromise"] == "eu_ranked"


def test_each_of_the_three_program_choices_is_needed() -> None:
    # Dropping any one of (a), (b), (c) or the all-pairs denominator loses Table 2.
    for override in (
        {"perspective": "challenger"},
        {"compromise": "share"},
        {"probability": "pair"},
    ):
        result = run_model(
            "eum", emission_space(), rounds=8, stop_when_stable=False, variant="scholz_program", **override
        )
        medians = np.asarray(result.details["median_by_round"])
        # (a run that reaches consensus early stops: all actors at one point, R = 0)
        assert (
            len(medians) < 9
            or np.max(
                np.abs(medians[[1, 3, 4, 5, 6, 7, 8]] - np.array(SCHOLZ_MEDIANS)[[0, 2, 3, 4, 5, 6, 7]])
            )
            > 0.1
        )
    # Without (c) the medians move by up to 0.05 (round 6: 7.52 rather than 7.47): still close.
    no_c = run_model(
        "eum", emission_space(), rounds=8, stop_when_stable=False, variant="scholz_program", voter_risk=False
    )
    assert np.asarray(no_c.details["median_by_round"])[6] == pytest.approx(7.524, abs=1e-3)
    # The reading "the compromise lands at the utility-weighted point" gives 9.04 after round 1.
    landed = run_model(
        "eum",
        emission_space(),
        rounds=8,
        stop_when_stable=False,
        variant="scholz_program",
        compromise="eu_weighted",
    )
    assert np.asarray(landed.details["median_by_round"])[1] == pytest.approx(9.038, abs=1e-3)


def test_variant_presets_and_bad_options() -> None:
    plain = run_model("eum", emission_space(), rounds=3)
    assert plain.params["variant"] == "equations" and plain.params["probability"] == "pair"
    with pytest.raises(ValueError, match="offer_rule='class'"):
        run_model("eum", emission_space(), variant="scholz_program", offer_rule="max_eu")
    for bad in ({"variant": "bdm"}, {"perspective": "x"}, {"compromise": "x"}):
        with pytest.raises(ValueError):
            run_model("eum", emission_space(), **bad)


# --- the Sultan case ----------------------------------------------------------------------------


def test_sultan_runs_and_stays_within_the_positions() -> None:
    result = run_model("eum", sultan_space(), rounds=10)
    assert 12.85 <= result.outcome[0] <= 14.25
    assert result.params["rounds"] == 10 and result.params["probability"] == "pair"


@pytest.mark.skipif(not (SHARED / "jmckib_bdm_scholz" / "Sultan.csv").exists(), reason="shared data absent")
def test_sultan_fixture_matches_the_shared_data_file() -> None:
    with (SHARED / "jmckib_bdm_scholz" / "Sultan.csv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("Actor")]
    expected = [
        (r["Actor"], float(r["Capability"]), float(r["Position"]), 100 * float(r["Salience"])) for r in rows
    ]
    assert len(expected) == len(SULTAN_TABLE)
    for got, want in zip(SULTAN_TABLE, expected, strict=True):
        assert got[0] == want[0]
        np.testing.assert_allclose(got[1:], want[1:])
