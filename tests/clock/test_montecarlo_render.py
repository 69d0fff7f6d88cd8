"""Monte Carlo reproducibility, and the words, JSON and chart of a clock analysis."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from detente.clock.analysis import analyse
from detente.clock.model import ClockModel, Event, Party, Patch
from detente.clock.montecarlo import UncertainClock, UncertainParam, run_clock_chunk, run_clock_monte_carlo
from detente.clock.solve import solve
from detente.render.clock_json import clock_json
from detente.render.clock_words import describe_clock

DAYS = (dt.date(2020, 3, 1), dt.date(2021, 1, 1))


def uclock() -> UncertainClock:
    base = ClockModel(
        (Party("A", 0.95, reservation=0.45), Party("B", 0.9, reservation=0.6)),
        rounds=24,
        start=dt.date(2020, 1, 1),
        breakdown=(0.02,),
        events=(
            Event("vote", 6, 0.5, (Patch(1, reservation=0.2),), "the vote", "election", dt.date(2020, 6, 20)),
        ),
        deadline=12,
        deadline_ends=True,
        deadline_date=dt.date(2020, 12, 31),
    )
    inputs = (
        UncertainParam("B.reservation", ("party", 1, "reservation"), "uniform", 0.6, 0.3, 0.7),
        UncertainParam("vote.probability", ("event", 0, "probability"), "triangular", 0.5, 0.2, 0.8),
        UncertainParam("A.discount", ("party", 0, "discount"), "normal", 0.95, 0.9, 1.0, 0.03),
    )
    return UncertainClock(base, inputs)


def test_result_depends_on_seed_n_and_chunk_only() -> None:
    u = uclock()
    mc = run_clock_monte_carlo(u, 250, dates=DAYS, seed=5, chunk_size=100)
    parts = [run_clock_chunk(u, DAYS, 5, c, size) for c, size in ((0, 100), (1, 100), (2, 50))]
    assert np.array_equal(mc.samples, np.concatenate([p[1] for p in parts]))
    assert np.array_equal(mc.p_agree, np.concatenate([p[3] for p in parts]))
    again = run_clock_monte_carlo(u, 250, dates=DAYS, seed=5, chunk_size=100)
    assert np.array_equal(mc.p_by_date, again.p_by_date)
    assert mc.samples[:, 2].max() <= 1.0 and mc.samples[:, 2].min() >= 0.9  # truncated normal


def test_each_draw_equals_solving_its_model() -> None:
    u = uclock()
    mc = run_clock_monte_carlo(u, 20, dates=DAYS, seed=9, chunk_size=7)
    for r in (0, 7, 19):
        sol = solve(u.realise(mc.samples[r]))
        assert np.allclose(mc.values[r], sol.values)
        assert mc.p_by_date[r, 0] == pytest.approx(sol.prob_agreement_by(DAYS[0]))
        assert mc.p_by_date[r, 1] == pytest.approx(sol.prob_agreement_by(DAYS[1]))


def test_point_inputs_give_the_point_answer() -> None:
    u = UncertainClock(uclock().base)
    mc = run_clock_monte_carlo(u, 10, dates=DAYS, seed=1)
    sol = solve(u.base)
    assert np.allclose(mc.prob_by_date(), [sol.prob_agreement_by(d) for d in DAYS])


def test_words_json_and_chart(tmp_path: Path) -> None:
    a = analyse(uclock(), mc=200, seed=3)
    words = describe_clock(a)
    text = "\n".join(words)
    assert "1 July 2020" in text  # the first round after the vote, when agreement can first come
    assert "Probability of agreement by 31 December 2020 (deadline)" in text
    assert "The prospect of the vote (20 June 2020, probability 0.50)" in text
    assert "The deadline of 31 December 2020 ends the talks" in text
    j = clock_json(a)
    json.dumps(j, allow_nan=False)
    assert [row["date"] for row in j["by_date"]] == ["2020-12-31", "2020-06-20"]
    assert j["equilibrium"]["first_agreement"] == {"round": 6, "date": "2020-07-01"}
    assert j["by_date"][0]["p_agree"] == pytest.approx(a.solution.prob_agreement_by(dt.date(2020, 12, 31)))
    assert len(j["timeline"]) == 12
    from detente.render.clock_plot import save_clock_plot

    out = save_clock_plot(a, tmp_path / "clock.png")
    assert out.stat().st_size > 10_000


def _war_clock(tmp_path: Path) -> UncertainClock:
    from detente.io.clock import load_clock

    text = """\
start: 2020-01-01
rounds: 12
parties: [{name: A, discount: 0.9}, {name: B, discount: {value: 0.8, low: 0.7, high: 0.9}}]
war:
  p: {value: 0.4, low: 0.2, high: 0.6}
  costs: [{value: 0.1, low: 0.0, high: 0.2}, 0.2]
  shift: {to: {value: 0.7, low: 0.5, high: 0.9}, start: 2020-03-01, until: 2020-08-01}
"""
    path = tmp_path / "war.yaml"
    path.write_text(text, encoding="utf-8")
    return load_clock(path)


@pytest.mark.parametrize("which", ["nk", "war"])
def test_batch_compile_equals_compiling_each_draw(which: str, tmp_path: Path) -> None:
    from detente.clock.fast import compile_model, stack
    from detente.clock.montecarlo import compile_draws
    from detente.io.clock import builtin_clock, load_clock

    u = load_clock(builtin_clock("dprk_us_2019_10")) if which == "nk" else _war_clock(tmp_path)
    samples = u.draw(12, np.random.default_rng(4))
    batch = compile_draws(u, samples)
    one_by_one = stack([compile_model(u.realise(row)) for row in samples])
    for f in ("discount", "cost", "reservation", "outside", "breakdown", "event_prob"):
        a, b = getattr(batch, f), getattr(one_by_one, f)
        assert (a is None) == (b is None)
        if a is not None:
            assert np.allclose(a, b), f


def test_agreement_probability_for_questions() -> None:
    from detente.clock.analysis import agreement_probability

    u = uclock()
    point = analyse(u)
    p, how = agreement_probability(point, dt.date(2020, 12, 31))
    assert how == "central values" and p == pytest.approx(
        point.solution.prob_agreement_by(dt.date(2020, 12, 31))
    )
    assert agreement_probability(point, dt.date(2020, 6, 30))[0] == 0  # nothing before the vote
    mc = analyse(u, mc=100, seed=2)
    p_mc, how = agreement_probability(mc, DAYS[1])
    assert how == "monte carlo"
    assert mc.monte_carlo is not None
    assert p_mc == pytest.approx(float(mc.monte_carlo.p_agree.sum(axis=1).mean()))


def test_too_large_monte_carlo_refused_up_front() -> None:
    from detente.errors import ModelTooLargeError

    events = tuple(Event(f"e{k}", k + 1, 0.5, (Patch(0, reservation=0.1),)) for k in range(12))
    big = ClockModel((Party("A", 0.9), Party("B", 0.9)), rounds=600, events=events)
    with pytest.raises(ModelTooLargeError, match="smaller chunk_size"):
        run_clock_monte_carlo(UncertainClock(big), 1000, seed=1)


def test_distribution_of_agreement_dates_and_terms() -> None:
    u = uclock()
    mc = run_clock_monte_carlo(u, 300, dates=DAYS, seed=8)
    dist = mc.agreement_dates()
    assert dist.shape == (u.base.horizon,)
    assert dist.sum() == pytest.approx(mc.p_agree.sum(axis=1).mean())
    assert dist[0] > 0 and dist[1:6].sum() == 0  # at once, or only once the vote may open the range
    q = mc.terms_quantiles()
    assert q is not None and 0 <= q[0] <= q[1] <= q[2] <= 100


def test_explanation_for_a_dated_question() -> None:
    from detente.render.clock_words import explain_agreement_by

    a = analyse(uclock(), mc=100, seed=4)
    text = explain_agreement_by(a, dt.date(2020, 6, 30))
    assert text.startswith("The clock gives ")
    assert "(6 monthly rounds): at the central values the first deal cannot come before 1 July 2020" in text
    assert "mean over 100 draws" in text
    point = analyse(uclock())
    assert "first deal can come on 1 July 2020" in explain_agreement_by(point, dt.date(2020, 12, 31))
