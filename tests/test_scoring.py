"""Brier and log scores, worked by hand."""

import math
from pathlib import Path

import pytest

from detente.errors import InputError
from detente.interventions.scoring import score, score_files


def test_scores_worked_by_hand() -> None:
    card = score({"a": 0.8, "b": 0.3, "c": 0.5}, {"a": True, "b": False, "c": True})
    # Brier: (0.2^2 + 0.3^2 + 0.5^2) / 3 = (0.04 + 0.09 + 0.25) / 3
    assert card.brier == pytest.approx(0.38 / 3)
    assert card.log == pytest.approx((math.log(0.8) + math.log(0.7) + math.log(0.5)) / 3)
    assert card.brier_skill == pytest.approx(1 - (0.38 / 3) / 0.25)


def test_a_certain_wrong_forecast_has_minus_infinite_log_score() -> None:
    card = score({"a": 1.0}, {"a": False})
    assert card.brier == 1.0 and card.log == -math.inf


def test_files_and_their_errors(tmp_path: Path) -> None:
    probs = tmp_path / "p.yaml"
    probs.write_text("questions:\n  a: {probability: 0.9, reasoning: x}\n  b: {probability: 0.2}\n")
    res = tmp_path / "r.yaml"
    res.write_text("a: true\nb: {resolved: false, date: '2020-12-31'}\n")
    assert score_files(probs, res).brier == pytest.approx((0.01 + 0.04) / 2)
    res.write_text("a: true\nzz: false\n")
    with pytest.raises(InputError, match=r"r.yaml:2: \[zz\] question 'zz' has no probability"):
        score_files(probs, res)
    probs.write_text("questions:\n  a: {probability: 1.5}\n")
    with pytest.raises(InputError, match=r"p.yaml:2: \[questions.a.probability\]"):
        score_files(probs, res)


def test_brier_skill_per_question_and_overall_by_hand() -> None:
    card = score({"a": 0.8, "b": 0.5, "c": 0.9}, {"a": True, "b": False, "c": False})
    # Brier 0.04, 0.25, 0.81: skill 1 - B / 0.25 = 0.84, 0 (no better than 0.5), -2.24.
    assert [q.brier_skill for q in card.questions] == pytest.approx([0.84, 0.0, -2.24])
    # Overall: the skill of the mean Brier score, (0.04 + 0.25 + 0.81) / 3 = 0.3667 -> -0.4667.
    assert card.brier_skill == pytest.approx(1 - (1.1 / 3) / 0.25)


def test_questions_with_a_probability_and_no_resolution_are_skipped(tmp_path: Path) -> None:
    probs = tmp_path / "p.yaml"
    probs.write_text("questions:\n  a: {probability: 0.9}\n  later: {probability: 0.2}\n")
    res = tmp_path / "r.yaml"
    res.write_text("a: false\n")
    card = score_files(probs, res)
    assert [q.question for q in card.questions] == ["a"] and card.brier == pytest.approx(0.81)
    res.write_text("{}\n")
    with pytest.raises(InputError, match="resolves none of the questions"):
        score_files(probs, res)
