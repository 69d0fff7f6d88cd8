"""The model registry, the weighted mean, the weighted median and the Nash bargaining solution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.forecast.models import MODEL_NAMES, get, run_model, stack_dimensions
from detente.forecast.models.median import Tie, weighted_median
from detente.forecast.models.nash import default_blocs
from detente.forecast.space import ForecastResult, IssueSpace
from tests.forecast.fixtures import SCHOLZ_MEANS, emission_space, make_space


def one_dim(c: list[float], x: list[float], s: list[float]) -> IssueSpace:
    return make_space(tuple(f"a{i}" for i in range(len(c))), c, x, s)


@st.composite
def spaces(draw: st.DrawFn, min_actors: int = 1) -> IssueSpace:
    n = draw(st.integers(min_actors, 7))
    # No subnormal capabilities: their products with saliences underflow to zero.
    c = draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 10.0)), min_size=n, max_size=n))
    s = draw(st.lists(st.floats(1.0, 100.0), min_size=n, max_size=n))
    x = draw(st.lists(st.floats(0.0, 100.0), min_size=n, max_size=n))
    if sum(c) <= 0:
        c[0] = 1.0
    return one_dim(c, x, s)


# --- registry -----------------------------------------------------------------------------------


def test_registry_resolves_the_models_and_names_the_known_ones_for_an_unknown_name() -> None:
    assert MODEL_NAMES == ("compromise", "median", "nash", "eum", "smp", "exchange")
    from detente.forecast.models import compromise

    assert get("compromise") is compromise.run
    with pytest.raises(ValueError, match="known models: compromise, median"):
        get("delphi")


def test_run_model_passes_parameters_through() -> None:
    space = one_dim([1, 1], [0, 10], [50, 50])
    assert run_model("median", space, tie="lower").outcome[0] == 0.0
    assert run_model("median", space, tie="upper").outcome[0] == 10.0


def test_stack_dimensions_pads_a_run_that_stopped_early() -> None:
    # A fake one-dimensional model that runs k + 1 rounds on dimension k, moving everyone by 1 each
    # round: the stacked result repeats the last round of the shorter run.
    space = make_space(
        ("a", "b"),
        [1, 1],
        [[0, 10], [5, 20]],
        [[50, 50], [50, 50]],
        dimensions=("x", "y"),
        scale=((0, 100),) * 2,
    )

    def fake(one: IssueSpace) -> ForecastResult:
        steps = 1 if one.dimensions == ("x",) else 2
        rounds = np.stack([one.positions + t for t in range(steps + 1)])
        return ForecastResult("fake", one, rounds, rounds[-1, 0], rounds[:, 0, :], details={"k": steps})

    result = stack_dimensions(space, fake, "fake", {"p": 1})
    assert result.rounds.shape == (3, 2, 2)
    np.testing.assert_array_equal(result.rounds[:, :, 0], [[0, 5], [1, 6], [1, 6]])
    np.testing.assert_array_equal(result.rounds[:, :, 1], [[10, 20], [11, 21], [12, 22]])
    np.testing.assert_array_equal(result.outcome, [1, 12])
    np.testing.assert_array_equal(result.outcome_by_round, [[0, 10], [1, 11], [1, 12]])
    assert result.details == {"by_dimension": {"x": {"k": 1}, "y": {"k": 2}}} and result.params == {"p": 1}


# --- compromise ---------------------------------------------------------------------------------


def test_weighted_mean_hand_worked() -> None:
    # w = c * s / 100 = 0.5, 2, 1; mean = (0.5*0 + 2*100 + 1*40) / 3.5 = 240 / 3.5
    result = run_model("compromise", one_dim([1, 2, 1], [0, 100, 40], [50, 100, 100]))
    assert result.outcome[0] == pytest.approx(240 / 3.5)
    assert result.rounds.shape == (1, 3, 1)
    assert result.outcome_by_round.shape == (1, 1)


def test_weighted_mean_of_the_emission_table_is_scholz_mean() -> None:
    # Sum w x / Sum w = 5.003 / 0.677 by hand; Scholz et al. (2011), Table 2, report 7.4 as the mean.
    outcome = run_model("compromise", emission_space()).outcome[0]
    assert outcome == pytest.approx(5.003 / 0.677)
    assert round(outcome, 1) == SCHOLZ_MEANS[0]


def test_weighted_mean_per_dimension_uses_that_dimensions_salience() -> None:
    space = make_space(
        ("a", "b"),
        [1, 1],
        [[0, 0], [100, 100]],
        [[100, 25], [100, 75]],
        dimensions=("x", "y"),
        scale=((0, 100),) * 2,
    )
    np.testing.assert_allclose(run_model("compromise", space).outcome, [50.0, 75.0])


def test_weighted_mean_refuses_a_dimension_nobody_cares_about() -> None:
    with pytest.raises(ValueError, match="positive capability x salience"):
        run_model("compromise", one_dim([1, 1], [0, 10], [0, 0]))


@settings(max_examples=60, deadline=None)
@given(spaces(), st.sampled_from([0.25, 3.0, 1000.0]))
def test_weighted_mean_properties(space: IssueSpace, factor: float) -> None:
    mean = run_model("compromise", space).outcome[0]
    w = space.capability * space.salience[:, 0]
    held = space.positions[w > 0, 0]
    assert held.min() - 1e-9 <= mean <= held.max() + 1e-9
    scaled = make_space(space.actors, space.capability * factor, space.positions, space.salience)
    assert run_model("compromise", scaled).outcome[0] == pytest.approx(mean, rel=1e-12, abs=1e-9)
    extra = make_space(
        (*space.actors, "nobody"),
        np.append(space.capability, 0.0),
        np.append(space.positions, 7.0),
        np.append(space.salience, 90.0),
    )
    assert run_model("compromise", extra).outcome[0] == pytest.approx(mean, rel=1e-12, abs=1e-9)


# --- median -------------------------------------------------------------------------------------


def test_weighted_median_of_the_emission_table() -> None:
    # Weight at 4 years: 0.248; at 7: 0.093; at 10: 0.336 (total 0.677). Cumulative 0.248 < 0.3385
    # <= 0.341, so the median is 7 years, the round-0 position of BDM's model.
    assert run_model("median", emission_space()).outcome[0] == 7.0


@pytest.mark.parametrize(
    ("x", "w", "tie", "expected"),
    [
        ([0, 10], [1, 1], "midpoint", 5.0),
        ([0, 10], [1, 1], "lower", 0.0),
        ([0, 10], [1, 1], "upper", 10.0),
        ([1, 2, 3, 4], [3, 1, 1, 1], "midpoint", 1.5),  # cumulative 3 = half of 6 at x = 1
        ([1, 2, 3, 4], [3, 1, 1, 2], "midpoint", 2.0),  # cumulative 3, 4 against half 3.5
        ([5, 1, 9], [1, 1, 1], "midpoint", 5.0),  # unsorted input
        ([0, 5, 10], [1, 0, 1], "lower", 0.0),  # zero weights are ignored
        ([3.0], [2.0], "midpoint", 3.0),
    ],
)
def test_weighted_median_hand_worked(x: list[float], w: list[float], tie: Tie, expected: float) -> None:
    assert weighted_median(np.array(x, dtype=float), np.array(w, dtype=float), tie) == expected


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5)), min_size=1, max_size=8).filter(
        lambda rows: sum(w for _, w in rows) > 0
    )
)
def test_weighted_median_minimises_weighted_distance(rows: list[tuple[int, int]]) -> None:
    # Brute force: the median minimises sum_i w_i |x_i - m| over every m on a fine grid (Black 1948).
    x = np.array([r[0] for r in rows], dtype=float)
    w = np.array([r[1] for r in rows], dtype=float)
    cost = np.abs(x[None, :] - np.linspace(0, 20, 401)[:, None]) @ w
    ties: tuple[Tie, ...] = ("midpoint", "lower", "upper")
    for tie in ties:
        m = weighted_median(x, w, tie)
        assert float(np.abs(x - m) @ w) == pytest.approx(cost.min(), abs=1e-9)
        assert m in x[w > 0] or tie == "midpoint"


def test_median_stacks_dimensions() -> None:
    space = make_space(
        ("a", "b", "c"),
        [1, 1, 1],
        [[0, 90], [50, 10], [100, 20]],
        [[10, 100], [10, 100], [100, 100]],
        dimensions=("x", "y"),
        scale=((0, 100),) * 2,
    )
    result = run_model("median", space)
    np.testing.assert_allclose(result.outcome, [100.0, 20.0])
    assert result.rounds.shape == (1, 3, 2)
    by_dimension = result.details["by_dimension"]
    assert isinstance(by_dimension, dict) and set(by_dimension) == {"x", "y"}


# --- Nash bargaining ----------------------------------------------------------------------------


def distance(p: np.ndarray, ideal: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Salience-weighted Euclidean distance on 0-100 scales, written out independently of nash.py."""
    return np.sqrt((s * ((p - ideal) / 100) ** 2).sum(axis=-1) / s.sum())  # type: ignore[no-any-return]


def test_nash_symmetric_case_is_the_midpoint() -> None:
    # Mirror symmetry about x = 50 forces the symmetric Nash solution onto it; on the contract curve
    # (the segment between the ideals, equal saliences) that is (50, 50).
    space = make_space(
        ("A", "B"),
        [1, 1],
        [[20, 50], [80, 50]],
        [[50, 50], [50, 50]],
        dimensions=("x", "y"),
        scale=((0, 100),) * 2,
    )
    for curvature in (1.0, 2.0, 3.0):
        np.testing.assert_allclose(
            run_model("nash", space, disagreement=[50, 90], curvature=curvature).outcome, [50, 50], atol=1e-6
        )


@pytest.mark.parametrize("alpha_share", [1.0, 2.0, 3.0])
def test_nash_linear_loss_one_dimension_closed_form(alpha_share: float) -> None:
    # d = 10 < a = 30 < b = 70, linear loss. For x >= a the gains are (50 - x) and (x - 10) (over 100),
    # so alpha log(50 - x) + (1 - alpha) log(x - 10) peaks at x = 10 + 40 (1 - alpha), clipped to
    # x >= 30 (below a both gains are x - 10 and grow). With alpha = c_A / (c_A + c_B):
    space = one_dim([1.0, alpha_share], [30, 70], [50, 50])
    alpha = 1.0 / (1.0 + alpha_share)
    expected = max(30.0, 10 + 40 * (1 - alpha))
    result = run_model("nash", space, disagreement=[10], curvature=1.0, power="capability")
    assert result.outcome[0] == pytest.approx(expected, abs=1e-6)


def test_nash_quadratic_loss_one_dimension_solves_the_first_order_condition() -> None:
    # a = 30, b = 70, d = 10, quadratic loss, equal power: with y = x - 30 the product
    # (400 - y^2)(3600 - (40 - y)^2) is stationary where y^3 - 60 y^2 - 1200 y + 8000 = 0.
    roots = np.roots([1, -60, -1200, 8000])
    y = float(next(r.real for r in roots if abs(r.imag) < 1e-12 and 0 < r.real < 40))
    result = run_model("nash", one_dim([1, 1], [30, 70], [50, 50]), disagreement=[10])
    assert result.outcome[0] == pytest.approx(30 + y, abs=1e-6)


def test_nash_disagreement_already_pareto_optimal_stays() -> None:
    result = run_model("nash", one_dim([1, 1], [30, 70], [50, 50]), disagreement=[40])
    assert result.outcome[0] == 40.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=6, max_size=6),
    st.lists(st.floats(5, 100), min_size=4, max_size=4),
    st.floats(0.1, 0.9),
    st.sampled_from([1.0, 2.0]),
)
def test_nash_beats_a_brute_force_grid(
    coords: list[float], sal: list[float], share: float, curvature: float
) -> None:
    # Brute force over a 201 x 201 grid of the plane: no grid point gives a larger Nash product.
    a, b, d = np.array(coords[:2]), np.array(coords[2:4]), np.array(coords[4:])
    space = make_space(
        ("A", "B"),
        [share, 1 - share],
        [a, b],
        [sal[:2], sal[2:]],
        dimensions=("x", "y"),
        scale=((0, 100),) * 2,
    )
    result = run_model("nash", space, disagreement=d, curvature=curvature, power="capability")
    g = np.linspace(0, 100, 201)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)

    def log_product(x: np.ndarray) -> np.ndarray:
        gains = []
        for ideal, s in ((a, np.array(sal[:2])), (b, np.array(sal[2:]))):
            gains.append(distance(d[None, :], ideal, s) ** curvature - distance(x, ideal, s) ** curvature)
        ok = (gains[0] > 0) & (gains[1] > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ok, share * np.log(gains[0]) + (1 - share) * np.log(gains[1]), -np.inf)

    best_grid = log_product(grid).max()
    found = log_product(result.outcome[None, :])[0]
    if np.isfinite(best_grid):
        assert found >= best_grid - 1e-9
    gains = result.details["gains"]
    assert gains[0] >= -1e-12 and gains[1] >= -1e-12  # type: ignore[index]


def test_nash_default_blocs_split_at_the_weighted_mean() -> None:
    space = one_dim([1, 1, 1, 1], [10, 20, 80, 90], [50, 50, 50, 50])
    assert default_blocs(space) in ((("a0", "a1"), ("a2", "a3")), (("a2", "a3"), ("a0", "a1")))
    # The blocs bargain from their capability x salience weighted ideals 15 and 85: symmetric -> 50.
    assert run_model("nash", space, disagreement=[50]).outcome[0] == pytest.approx(50.0)
    assert run_model("nash", space, blocs=(["a0"], ["a3"]), disagreement=[0]).outcome[0] == pytest.approx(
        run_model("nash", one_dim([1, 1], [10, 90], [50, 50]), disagreement=[0]).outcome[0]
    )


def test_nash_needs_a_disagreement_point_and_disjoint_blocs() -> None:
    space = one_dim([1, 1], [30, 70], [50, 50])
    with pytest.raises(ValueError, match="disagreement point"):
        run_model("nash", space)
    with pytest.raises(ValueError, match="both blocs"):
        run_model("nash", space, blocs=(["a0"], ["a0", "a1"]), disagreement=[0])
    sq = make_space(space.actors, space.capability, space.positions, space.salience, status_quo=[10.0])
    assert run_model("nash", sq).params["disagreement"] == (10.0,)
