"""Scoring probability forecasts of yes/no questions against their resolutions.

* Brier score (Brier 1950, "Verification of forecasts expressed in terms of probability", Monthly
  Weather Review 78): the mean of (p - o)^2 over questions, o = 1 if the question resolved yes, else 0.
  0 is perfect; always saying 0.5 scores 0.25.
* Logarithmic score (Good 1952): the mean of ln(p) for questions that resolved yes and ln(1 - p) for
  those that resolved no. 0 is perfect; always saying 0.5 scores ln 0.5 = -0.693; a certain forecast
  that turns out wrong scores minus infinity.
* Brier skill score against the 0.5 baseline: 1 - Brier / 0.25 (1 perfect, 0 no better than
  always saying 0.5, negative worse).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, RootModel

from detente.errors import InputError, Problem
from detente.io.yamlio import load_yaml, validate_model


class ProbabilityEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    probability: float = Field(ge=0.0, le=1.0)


class ProbabilitiesFile(BaseModel):
    """What ``detente questions`` writes: question id -> probability (and its reasoning)."""

    model_config = ConfigDict(extra="allow")

    questions: dict[str, ProbabilityEntry]


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolved: bool
    date: str | None = None
    note: str | None = None


class ResolutionsFile(RootModel[dict[str, bool | Resolution]]):
    """Question id -> true/false, or {resolved, date, note}."""


BASELINE_BRIER = 0.25
"""Brier score of always forecasting 0.5, the reference of the Brier skill score."""


def brier_skill_score(brier: float) -> float:
    """Brier skill score against always forecasting 0.5: ``1 - brier / 0.25``."""
    return 1.0 - brier / BASELINE_BRIER


@dataclass(frozen=True)
class QuestionScore:
    question: str
    probability: float
    outcome: bool
    brier: float
    log: float

    @property
    def brier_skill(self) -> float:
        """Brier skill score of this question against always forecasting 0.5."""
        return brier_skill_score(self.brier)


@dataclass(frozen=True)
class ScoreCard:
    questions: tuple[QuestionScore, ...]

    @property
    def brier(self) -> float:
        return sum(q.brier for q in self.questions) / len(self.questions)

    @property
    def log(self) -> float:
        return sum(q.log for q in self.questions) / len(self.questions)

    @property
    def brier_skill(self) -> float:
        """Brier skill score of the mean Brier score against always forecasting 0.5."""
        return brier_skill_score(self.brier)


def score(probabilities: Mapping[str, float], outcomes: Mapping[str, bool]) -> ScoreCard:
    """Brier and log scores of the questions that have both a probability and an outcome."""
    common = [q for q in probabilities if q in outcomes]
    if not common:
        raise ValueError("no question has both a probability and a resolution")
    rows = []
    for q in common:
        p, o = float(probabilities[q]), bool(outcomes[q])
        hit = p if o else 1.0 - p
        rows.append(QuestionScore(q, p, o, (p - float(o)) ** 2, math.log(hit) if hit > 0 else -math.inf))
    return ScoreCard(tuple(rows))


def score_files(probabilities_path: str | Path, resolutions_path: str | Path) -> ScoreCard:
    """Score a probabilities file against a resolutions file (:func:`score`).

    A resolution of a question id the probabilities file has no probability for is an error, as is a
    resolutions file that resolves none of its questions; questions with a probability and no
    resolution (not resolved yet) are skipped.
    """
    pdata, plines = load_yaml(probabilities_path)
    probs = validate_model(ProbabilitiesFile, pdata, plines)
    rdata, rlines = load_yaml(resolutions_path)
    res = validate_model(ResolutionsFile, rdata, rlines)
    outcomes = {q: v if isinstance(v, bool) else v.resolved for q, v in res.root.items()}
    unknown = [q for q in outcomes if q not in probs.questions]
    if unknown:
        raise InputError(
            [
                rlines.problem((q,), f"question {q!r} has no probability in {probabilities_path}")
                for q in unknown
            ]
        )
    if not any(q in outcomes for q in probs.questions):
        raise InputError([Problem(str(resolutions_path), None, "", "resolves none of the questions")])
    return score({q: e.probability for q, e in probs.questions.items()}, outcomes)
