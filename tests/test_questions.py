"""Forecast questions answered by the model (detente.interventions.questions), on hand-worked scenarios.

The conflict is the Prisoner's Dilemma: A controls ``a`` (defect), B controls ``b``; each cares most
that the other does not defect, then about defecting itself (A: ``-b`` then ``a``). Under SEQ its
equilibria are mutual cooperation NN and mutual defection YY (Fang, Hipel & Kilgour 1993,
*Interactive Decision Making*, Wiley, ch. 3). The issue space has one dimension and three actors of
equal capability and salience at 10, 40 and 90, so the median model's forecast is 40 (Black 1948).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from detente.errors import InputError
from detente.interventions.questions import (
    answer_questions,
    perturb,
    settle,
    write_probabilities,
)
from detente.interventions.scoring import score_files
from detente.io.questions import QuestionSet, QuestionSetSpec
from detente.io.scenario import Scenario, parse_scenario
from detente.io.yamlio import LineMap, dump_yaml, parse_yaml, validate_model
from detente.render.question_words import probabilities_document, reasoning

NOTE = [{"note": "assumption: a test"}]


def pd_data(status_quo: str = "NN", perceptions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Scenario data: the Prisoner's Dilemma with a one-dimension issue space."""

    def dm(name: str, option: str, statements: list[str]) -> dict[str, Any]:
        return {
            "name": name,
            "options": [{"name": option}],
            "preferences": {"statements": statements},
        }

    return {
        "meta": {
            "name": "Test snapshot",
            "as_of": "2019-10-09",
            "sources": [{"file": "s.txt", "title": "S", "date": "2019"}],
        },
        "actors": [
            {"name": "A", "label": "A", "decision_maker": "A", "evidence": NOTE},
            {"name": "B", "label": "B", "decision_maker": "B", "evidence": NOTE},
            {"name": "C", "label": "C", "evidence": NOTE},
        ],
        "conflict": {
            "name": "Prisoner's Dilemma",
            "decision_makers": [dm("A", "a", ["-b", "a"]), dm("B", "b", ["-a", "b"])],
            "status_quo": status_quo,
        },
        "perceptions": perceptions or [],
        "issues": {
            "dimensions": [{"name": "x", "status_quo": 30}],
            "actors": [
                {"name": "A", "capability": 1, "positions": {"x": 10}, "salience": {"x": 50}},
                {"name": "B", "capability": 1, "positions": {"x": 40}, "salience": {"x": 50}},
                {"name": "C", "capability": 1, "positions": {"x": 90}, "salience": {"x": 50}},
            ],
        },
    }


def scenario(data: dict[str, Any]) -> Scenario:
    return parse_scenario(data, LineMap("test.yaml"))


def question(qid: str, indicator: dict[str, Any], closes: str = "2020-12-31") -> dict[str, Any]:
    return {
        "id": qid,
        "title": qid.replace("_", " "),
        "question": f"{qid}?",
        "opens": "2019-10-09",
        "closes": closes,
        "resolution": "yes if it happens",
        "indicator": {**indicator, "evidence": NOTE},
    }


def qset_text(*questions: dict[str, Any]) -> str:
    return dump_yaml({"name": "test questions", "questions": list(questions)})


def qset(*questions: dict[str, Any]) -> QuestionSet:
    """A question set parsed from YAML text, so problems carry lines."""
    data, lines = parse_yaml(qset_text(*questions), "q.yaml")
    return QuestionSet(validate_model(QuestionSetSpec, data, lines), lines)


def probability(data: dict[str, Any], indicator: dict[str, Any], **kw: Any) -> tuple[float, float]:
    [answer] = answer_questions(scenario(data), qset(question("q", indicator)), **kw)
    return answer.probability, answer.baseline


# -- conflict indicator -------------------------------------------------------------------------
def test_two_reachable_equilibria_one_matching_gives_one_half() -> None:
    # From NN both SEQ equilibria are reachable: NN itself, and YY via A's defection then B's.
    p = probability(pd_data("NN"), {"kind": "conflict", "pattern": {"a": "Y"}}, samples=0)
    assert p == (0.5, 0.5)
    p = probability(pd_data("NN"), {"kind": "conflict", "pattern": "YY"}, samples=0)
    assert p == (0.5, 0.5)
    questions = qset(question("q", {"kind": "conflict", "pattern": "YY"}))
    scenario_of_answer = scenario(pd_data("NN"))
    [answer] = answer_questions(scenario_of_answer, questions)
    # States are numbered by code (a adds 1, b adds 2): NN is state 1, YY state 4.
    for words in ("state 1 (no option taken); state 4 (a, b)", "1 of 2 match", "200 samples (seed 2019)"):
        assert words in reasoning(scenario_of_answer, answer)


def test_without_swaps_the_samples_agree_with_the_baseline() -> None:
    p, base = probability(pd_data("NN"), {"kind": "conflict", "pattern": {"a": "Y"}}, samples=5, swap=0.0)
    assert p == base == 0.5


def test_one_reachable_equilibrium_gives_certainty() -> None:
    # From YY neither player has a unilateral improvement: YY is the only reachable equilibrium.
    data = pd_data("YY")
    assert probability(data, {"kind": "conflict", "pattern": {"a": "Y", "b": "Y"}}, samples=0) == (1.0, 1.0)
    assert probability(data, {"kind": "conflict", "pattern": {"a": "N"}}, samples=0) == (0.0, 0.0)


def test_misperception_removes_the_sanction_that_held_cooperation() -> None:
    # A believes B cares only that A does not defect, so B would not answer A's defection (YN -> YY
    # is no improvement in A's view): NN stops being stable for A, and YY is the only hypergame
    # equilibrium left.
    view = {"name": "v", "perceiver": "A", "about": "B", "description": "d", "evidence": NOTE}
    data = pd_data("NN", [{**view, "preferences": {"statements": ["-a"]}}])
    assert probability(data, {"kind": "conflict", "pattern": {"a": "Y"}}, samples=0) == (1.0, 1.0)


def test_no_reachable_equilibrium_counts_the_status_quo() -> None:
    # A does not know B's option exists: in A's game only NN and YN exist and A prefers YN, so NN is
    # not stable for A; YN is not stable for B (B gains by YY, and A cannot answer); states with b = Y
    # are missing from A's game. No hypergame equilibrium: the conflict stays at NN.
    view = {"name": "v", "perceiver": "A", "about": "B", "description": "d", "evidence": NOTE}
    data = pd_data("NN", [{**view, "unknown_options": ["b"]}])
    s = scenario(data)
    settlement = settle(s, samples=0)
    assert settlement.baseline == (s.conflict.status_quo,) and settlement.baseline_stuck
    [answer] = answer_questions(s, qset(question("q", {"kind": "conflict", "pattern": "NN"})), samples=0)
    scenario_of_answer = s
    assert (answer.probability, answer.baseline) == (1.0, 1.0)
    assert "no equilibrium is reachable" in reasoning(scenario_of_answer, answer)


def test_swapping_every_pair_reverses_two_statements() -> None:
    # swap = 1: A's statements become [a, -b] and B's [b, -a]; defecting is then each side's first
    # aim, cooperation is no longer sanctioned, and YY is the only reachable SEQ equilibrium.
    p = probability(pd_data("NN"), {"kind": "conflict", "pattern": "YY"}, samples=3, swap=1.0)
    assert p == (1.0, 0.5)


def test_perturb_walks_the_pairs_and_leaves_the_input_alone() -> None:
    data = pd_data()
    data["conflict"]["decision_makers"][0]["preferences"]["statements"] = ["s0", "s1", "s2"]
    before = copy.deepcopy(data)
    rng = np.random.default_rng(0)
    same = perturb(data, rng, 0.0)
    assert same == data
    rotated = perturb(data, rng, 1.0)  # (0 1) then (1 2): s0 moves to the bottom
    assert rotated["conflict"]["decision_makers"][0]["preferences"]["statements"] == ["s1", "s2", "s0"]
    assert rotated["conflict"]["decision_makers"][1]["preferences"]["statements"] == ["b", "-a"]
    assert data == before


def test_perturb_swaps_with_the_stated_probability() -> None:
    # Two statements per decision maker: one draw each, so the swap frequency estimates ``swap``.
    rng = np.random.default_rng(7)
    data = pd_data()
    n = 2000
    swapped = sum(
        perturb(data, rng, 0.3)["conflict"]["decision_makers"][0]["preferences"]["statements"][0] == "a"
        for _ in range(n)
    )
    assert abs(swapped / n - 0.3) < 4 * (0.3 * 0.7 / n) ** 0.5


def test_blend_with_a_prior() -> None:
    ind = {"kind": "conflict", "pattern": {"a": "Y"}, "prior": 0.2, "weight": 0.5}
    p, base = probability(pd_data("NN"), ind, samples=0)
    assert p == pytest.approx(0.5 * 0.5 + 0.5 * 0.2) and base == pytest.approx(0.35)


# -- forecast indicator -------------------------------------------------------------------------
def test_forecast_without_uncertainty_is_zero_or_one() -> None:
    data = pd_data()
    for indicator, expected in [({"above": 30}, 1.0), ({"above": 50}, 0.0), ({"below": 50}, 1.0)]:
        ind = {"kind": "forecast", "dimension": "x", "model": "median", **indicator}
        assert probability(data, ind, runs=20) == (expected, expected)


def test_forecast_share_of_uncertain_runs() -> None:
    # B's position ~ U(20, 60) lies between the other two, so the median forecast is B's position:
    # P(outcome > 50) = 10 / 40 = 0.25; the point forecast (B at 40) is below 50.
    data = pd_data()
    data["issues"]["actors"][1]["positions"]["x"] = {"value": 40, "low": 20, "high": 60, "dist": "uniform"}
    ind = {"kind": "forecast", "dimension": "x", "model": "median", "above": 50}
    p, base = probability(data, ind, runs=2000, seed=3)
    assert base == 0.0
    assert abs(p - 0.25) < 4 * (0.25 * 0.75 / 2000) ** 0.5


def test_same_seed_same_answers() -> None:
    data = pd_data()
    data["issues"]["actors"][1]["positions"]["x"] = {"value": 40, "low": 20, "high": 60, "dist": "uniform"}
    questions = qset(
        question("c", {"kind": "conflict", "pattern": {"a": "Y"}}),
        question("f", {"kind": "forecast", "dimension": "x", "model": "median", "above": 45}),
    )
    s = scenario(data)
    first = answer_questions(s, questions, samples=30, swap=0.4, runs=200, seed=11)
    assert answer_questions(s, questions, samples=30, swap=0.4, runs=200, seed=11) == first
    other = answer_questions(s, questions, samples=30, swap=0.4, runs=200, seed=12)
    assert [a.probability for a in other] != [a.probability for a in first]


def test_progress_counts_conflict_samples_then_monte_carlo_runs() -> None:
    questions = qset(
        question("c", {"kind": "conflict", "pattern": {"a": "Y"}}),
        question("f", {"kind": "forecast", "dimension": "x", "model": "median", "above": 45}),
    )
    seen: list[tuple[int, int]] = []
    answers = answer_questions(
        scenario(pd_data()), questions, samples=7, runs=20, seed=3, progress=lambda d, t: seen.append((d, t))
    )
    assert {t for _, t in seen} == {7 + 20}
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[:7] == list(range(1, 8)) and done[-1] == 27
    assert answers == answer_questions(scenario(pd_data()), questions, samples=7, runs=20, seed=3)


# -- judgement, reasoning, warnings ---------------------------------------------------------------
def test_judgement_is_the_stated_prior_and_says_so() -> None:
    questions = qset(question("j", {"kind": "judgement", "probability": 0.3}))
    scenario_of_answer = scenario(pd_data())
    [answer] = answer_questions(scenario_of_answer, questions)
    assert (answer.probability, answer.baseline, answer.method) == (0.3, 0.3, "judgement")
    assert "analyst's stated prior" in reasoning(
        scenario_of_answer, answer
    ) and "9 October 2019" in reasoning(scenario_of_answer, answer)
    assert answer.warnings == ()


def test_snapshot_after_the_question_closes_is_warned() -> None:
    q = question("old", {"kind": "judgement", "probability": 0.3}, closes="2019-01-31")
    q["opens"] = "2019-01-01"
    scenario_of_answer = scenario(pd_data())
    [answer] = answer_questions(scenario_of_answer, qset(q))
    assert answer.warnings and "Warning:" in reasoning(scenario_of_answer, answer)


# -- bad input ------------------------------------------------------------------------------------
def problems_of(*questions: dict[str, Any]) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        answer_questions(scenario(pd_data()), qset(*questions), samples=0, runs=5)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_unknown_option_and_dimension_name_line_and_field() -> None:
    questions = (
        question("c", {"kind": "conflict", "pattern": {"a": "Y", "zz": "N"}}),
        question("f", {"kind": "forecast", "dimension": "nope", "above": 50}),
    )
    text = qset_text(*questions).splitlines()
    found = problems_of(*questions)
    assert found[0] == (
        next(k for k, line in enumerate(text, 1) if line.strip().startswith("zz:")),
        "questions[0].indicator.pattern.zz",
        "unknown option 'zz'",
    )
    assert found[1][:2] == (
        next(k for k, line in enumerate(text, 1) if line.strip() == "dimension: nope"),
        "questions[1].indicator.dimension",
    )
    assert "unknown dimension 'nope'" in found[1][2]


def test_threshold_outside_the_scale_and_missing_indicator() -> None:
    bare = question("bare", {"kind": "judgement", "probability": 0.5})
    del bare["indicator"]
    found = problems_of(question("f", {"kind": "forecast", "dimension": "x", "above": 100}), bare)
    assert [f for _, f, _ in found] == ["questions[0].indicator.above", "questions[1].id"]


def test_indicator_fields_must_fit_the_kind() -> None:
    with pytest.raises(InputError) as info:
        qset(question("f", {"kind": "forecast", "dimension": "x", "above": 10, "below": 20}))
    [p] = info.value.problems
    assert p.field == "questions[0].indicator" and "exactly one of 'above' or 'below'" in p.message
    with pytest.raises(InputError, match="go together"):
        qset(question("c", {"kind": "conflict", "pattern": "YY", "prior": 0.3}))


# -- the probabilities file ---------------------------------------------------------------------------
def test_probabilities_file_is_read_by_scoring(tmp_path: Path) -> None:
    questions = qset(
        question("c", {"kind": "conflict", "pattern": {"a": "Y"}}),
        question("j", {"kind": "judgement", "probability": 0.2}),
    )
    s = scenario(pd_data())
    answers = answer_questions(s, questions, samples=0)
    path = tmp_path / "probs.yaml"
    write_probabilities(path, probabilities_document(answers, s, questions, samples=0))
    assert [p.name for p in tmp_path.iterdir()] == ["probs.yaml"]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["as_of"] == "2019-10-09" and doc["method"]["seed"] == 2019
    assert dt.date.fromisoformat(doc["written"])
    resolutions = tmp_path / "res.yaml"
    resolutions.write_text("c: true\nj: false\n", encoding="utf-8")
    card = score_files(path, resolutions)
    # Brier by hand: c: (0.5 - 1)^2 = 0.25; j: (0.2 - 0)^2 = 0.04.
    assert card.brier == pytest.approx((0.25 + 0.04) / 2)
