"""The forecast size guard (detente.forecast.budget) and extreme but valid numbers in every model."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import ModelTooLargeError
from detente.forecast import budget
from detente.forecast.models import MODEL_NAMES, run_model
from detente.forecast.space import IssueSpace


def test_estimates_grow_as_the_models_data_structures() -> None:
    # EUM memory is O(n^2) (support sums in blocks), SMP O(n^3), exchange O(n^2 d^2).
    e1, e2 = budget.estimate("eum", 1000, 1, {}), budget.estimate("eum", 2000, 1, {})
    assert 3.5 < (e2.bytes - 2**20) / (e1.bytes - 2**20) < 4.1
    assert 7.9 < e2.seconds / e1.seconds < 8.1
    s1, s2 = budget.estimate("smp", 200, 3, {}), budget.estimate("smp", 400, 3, {})
    assert 7 < s2.bytes / s1.bytes < 8.1
    x1, x2 = budget.estimate("exchange", 100, 4, {}), budget.estimate("exchange", 100, 8, {})
    assert x2.bytes > 4 * (x1.bytes - 2**20)
    assert (
        budget.estimate("eum", 10, 1, {"rounds": 20}).result_bytes
        > budget.estimate("eum", 10, 1, {}).result_bytes
    )
    with pytest.raises(ValueError):
        budget.estimate("bdm", 10, 1, {})


@pytest.mark.parametrize("model", ["compromise", "median", "nash", "eum", "smp", "exchange"])
def test_every_model_is_refused_beyond_the_budget_with_figures_and_advice(model: str) -> None:
    with pytest.raises(ModelTooLargeError) as err:
        budget.check(model, 10**7, 3, {}, budget=1 << 30)
    text = str(err.value)
    assert "10,000,000 actors" in text and "GiB" in text and "Shrink the run" in text
    assert "DETENTE_MEMORY_BUDGET" in text
    assert budget.check(model, 10, 2, {}, budget=1 << 30).bytes < 1 << 30


def test_the_environment_budget_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_MEMORY_BUDGET", "40M")
    with pytest.raises(ModelTooLargeError, match=r"40\.0 MiB"):
        budget.check("eum", 1000, 1, {})
    monkeypatch.setenv("DETENTE_MEMORY_BUDGET", "8G")
    assert budget.check("eum", 1000, 1, {}).n_actors == 1000


def test_a_million_actor_eum_is_refused_before_any_work() -> None:
    n = 1_000_000
    space = IssueSpace(
        tuple(f"a{i}" for i in range(n)), np.ones(n), np.linspace(0, 100, n)[:, None], np.full((n, 1), 50.0)
    )
    with pytest.raises(ModelTooLargeError, match="1,000,000 actors"):
        run_model("eum", space)


def test_eum_memory_estimate_bounds_the_measured_peak() -> None:
    n = 300
    rng = np.random.default_rng(2)
    space = IssueSpace(
        tuple(f"a{i}" for i in range(n)),
        rng.uniform(1, 9, n),
        rng.uniform(0, 100, (n, 1)),
        rng.uniform(10, 90, (n, 1)),
    )
    tracemalloc.start()
    try:
        run_model("eum", space, rounds=2, stop_when_stable=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    est = budget.estimate("eum", n, 1, {"rounds": 2}).bytes
    assert peak < est < 20 * peak


# --- extreme but valid numbers ------------------------------------------------------------------

EXTREMES = {
    "capabilities near the largest float": [1e308, 1.7e308, 1e308, 5e307],
    "capabilities near the smallest float": [1e-300, 2e-300, 1e-310, 5e-300],
    "capabilities 600 orders of magnitude apart": [1e308, 1e-300, 1.0, 5.0],
}


@pytest.mark.parametrize("label", list(EXTREMES))
@pytest.mark.parametrize("model", MODEL_NAMES)
def test_extreme_capabilities_give_finite_results_equal_to_rescaled_ones(label: str, model: str) -> None:
    positions = np.array([[0.0, 10.0], [30.0, 80.0], [60.0, 20.0], [100.0, 50.0]])
    salience = np.array([[50.0, 40.0], [70.0, 20.0], [30.0, 60.0], [90.0, 10.0]])
    cap = np.array(EXTREMES[label])

    def space(c: np.ndarray) -> IssueSpace:
        return IssueSpace(
            ("a", "b", "c", "d"),
            c,
            positions,
            salience,
            ("p", "q"),
            ((0.0, 100.0),) * 2,
            status_quo=np.array([50.0, 50.0]),
        )

    params: dict[str, object] = {"blocs": (("a", "b"), ("c", "d"))} if model == "nash" else {}
    with np.errstate(over="ignore"):
        result = run_model(model, space(cap), **params)
    assert np.all(np.isfinite(result.outcome)) and np.all(np.isfinite(result.rounds))
    json.dumps(result.outcome.tolist(), allow_nan=False)
    # Capabilities enter through ratios only: scaling by a power of two changes nothing.
    top = np.frexp(cap.max())[1]
    again = run_model(model, space(np.ldexp(cap, -int(top))), **params)
    np.testing.assert_array_equal(result.outcome, again.outcome)


def test_weighted_median_of_overflowing_weights_is_the_true_median() -> None:
    from detente.forecast.models.median import weighted_median

    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1e308, 1e308, 1e308])) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.ldexp(1.0, np.array([1022, 1022, 1023]))) == 2.5


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_positions_too_far_apart_are_refused_with_a_message(model: str) -> None:
    space = IssueSpace(
        ("a", "b", "c"),
        np.ones(3),
        np.array([[-1e300, 0.0], [1e300, 1.0], [0.0, 2.0]]),
        np.full((3, 2), 30.0),
        ("p", "q"),
        ((-1e300, 1e300), (0.0, 100.0)),
        status_quo=np.zeros(2),
    )
    with pytest.raises(ValueError, match="positions lie"):
        run_model(model, space)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-300, 308), min_size=3, max_size=5),
    st.lists(st.floats(0, 100), min_size=10, max_size=10),
    st.lists(st.floats(1, 100), min_size=10, max_size=10),
    st.sampled_from(["compromise", "median", "eum", "smp", "exchange"]),
)
def test_any_finite_magnitudes_give_finite_json_safe_outcomes(
    exponents: list[int], pos: list[float], sal: list[float], model: str
) -> None:
    n = len(exponents)
    cap = np.array([10.0**e for e in exponents])
    space = IssueSpace(
        tuple(f"a{i}" for i in range(n)),
        cap,
        np.array(pos[: 2 * n]).reshape(n, 2),
        np.array(sal[: 2 * n]).reshape(n, 2) / 2,
        ("p", "q"),
        ((0.0, 100.0),) * 2,
    )
    params: dict[str, object] = {"max_turns": 5} if model == "smp" else {}
    with np.errstate(over="ignore"):
        result = run_model(model, space, **params)
    json.dumps(result.outcome.tolist(), allow_nan=False)
    assert np.all(np.isfinite(result.rounds)) and np.all(np.isfinite(result.outcome_by_round))
