"""Forecast questions: dated yes/no questions with resolution criteria, validated with pydantic.

A questions file is YAML::

    name: North Korea–US talks, questions as of October 2019
    scenarios: [dprk_us_2019_10.yaml]
    questions:
      - id: us_dprk_agreement_2019
        title: Signed US–DPRK agreement by 31 Dec 2019
        question: Will the US and North Korea sign an agreement by 31 December 2019?
        opens: 2019-10-09
        closes: 2019-12-31
        resolution: Yes if ... ; no otherwise.
        indicator:                      # optional: how the model answers it
          kind: conflict                # or forecast, or judgement
          pattern: {us_relief: Y}
          prior: 0.1                    # optional blend with a stated prior ...
          weight: 0.5                   # ... probability = weight * model + (1 - weight) * prior
          evidence: [{note: "assumption: ..."}]

An ``indicator`` links a question to the model (see :class:`IndicatorSpec`;
:mod:`detente.interventions.questions` computes the answers). Resolutions (what happened) are kept
apart, in the form :mod:`detente.interventions.scoring` reads, so a forecaster working from the
questions never sees the answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from detente.errors import InputError
from detente.io.conflict_spec import Base, Name, StateRef
from detente.io.evidence import EvidenceList
from detente.io.packaged import builtin_yaml
from detente.io.yamlio import LineMap, load_yaml, validate_model

BUILTIN_QUESTIONS = "dprk_us_2019"
"""The default built-in question set: the North Korea–US talks, asked as of 9 October 2019."""


class IndicatorSpec(Base):
    """How the model answers a question: one of three kinds.

    * ``conflict``: yes if the conflict settles in a state matching ``pattern`` (option -> Y/N/-, or a
      Y/N/- string in option order, as for outcomes of interest);
    * ``forecast``: yes if the forecast outcome on ``dimension`` is ``above`` (or ``below``) a
      threshold on the dimension's scale, under forecast ``model`` (default ``eum``);
    * ``clock``: yes if the scenario's negotiation clock (``clock:``) brings agreement in a round dated
      on or before the question's ``closes`` (the mean over its Monte Carlo draws);
    * ``judgement``: the analyst's stated ``probability``, for questions the model does not speak to.

    A conflict or forecast answer may be blended with a stated ``prior``: the probability is then
    ``weight * model + (1 - weight) * prior``; ``prior`` and ``weight`` go together. ``evidence``
    backs the link, the thresholds, the prior and the weight.
    """

    kind: Literal["conflict", "forecast", "clock", "judgement"]
    pattern: StateRef | None = Field(None, description="conflict: the matching states (option -> Y/N/-).")
    dimension: Name | None = Field(None, description="forecast: the issue dimension.")
    above: float | None = Field(None, description="forecast: yes if the outcome is above this value.")
    below: float | None = Field(None, description="forecast: yes if the outcome is below this value.")
    model: str = Field("eum", description="forecast: the forecast model run in the Monte Carlo.")
    probability: float | None = Field(None, ge=0.0, le=1.0, description="judgement: the analyst's prior.")
    prior: float | None = Field(None, ge=0.0, le=1.0, description="A stated prior to blend with the model.")
    weight: float | None = Field(None, ge=0.0, le=1.0, description="The model's weight in the blend.")
    evidence: EvidenceList = Field(min_length=1)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> IndicatorSpec:
        wanted = {
            "conflict": {"pattern"},
            "forecast": {"dimension", "above", "below"},
            "judgement": {"probability"},
            "clock": set(),
        }[self.kind]
        fields = ("pattern", "dimension", "above", "below", "probability")
        given = {f for f in fields if getattr(self, f) is not None}
        if given - wanted:
            raise ValueError(f"a {self.kind} indicator takes no {', '.join(sorted(given - wanted))}")
        if self.kind == "conflict" and self.pattern is None:
            raise ValueError("a conflict indicator needs a 'pattern'")
        one_threshold = (self.above is None) != (self.below is None)
        if self.kind == "forecast" and (self.dimension is None or not one_threshold):
            raise ValueError("a forecast indicator needs a 'dimension' and exactly one of 'above' or 'below'")
        if self.kind == "judgement" and self.probability is None:
            raise ValueError("a judgement indicator needs a 'probability'")
        if self.kind == "judgement" and (self.prior is not None or self.weight is not None):
            raise ValueError("a judgement indicator is the prior itself: it takes no 'prior' or 'weight'")
        if (self.prior is None) != (self.weight is None):
            raise ValueError("'prior' and 'weight' go together")
        return self

    def blend(self, model: float) -> float:
        """``weight * model + (1 - weight) * prior``, or ``model`` when no prior is stated."""
        if self.prior is None or self.weight is None:
            return model
        return self.weight * model + (1.0 - self.weight) * self.prior


class QuestionSpec(Base):
    """One yes/no question: open from ``opens``, resolved on what has happened by ``closes``."""

    id: Name
    title: str = Field(min_length=1)
    question: str = Field(min_length=1, description="The question, ending in '?'.")
    opens: dt.date = Field(description="The date the question is asked: only what was known then counts.")
    closes: dt.date = Field(description="The resolution date: the question asks about events up to this day.")
    resolution: str = Field(min_length=1, description="What resolves the question yes; anything else is no.")
    fine_print: str = Field("", description="Edge cases and the sources that settle them.")
    related: list[str] = Field(
        default_factory=list, description="Scenario items it bears on (options, dimensions, events)."
    )
    indicator: IndicatorSpec | None = Field(None, description="How the model answers the question.")
    evidence: EvidenceList = Field(default_factory=list)

    @model_validator(mode="after")
    def _dated(self) -> QuestionSpec:
        if self.closes < self.opens:
            raise ValueError(f"closes {self.closes} is before opens {self.opens}")
        return self


class QuestionSetSpec(Base):
    name: str = Field(min_length=1)
    description: str = ""
    scenarios: list[str] = Field(default_factory=list, description="Scenario files they go with.")
    questions: list[QuestionSpec] = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class QuestionSet:
    spec: QuestionSetSpec
    lines: LineMap

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.spec.questions)


def builtin_questions(name: str = BUILTIN_QUESTIONS) -> Path:
    """The file of a question set shipped with detente (package data ``questions/<name>.yaml``)."""
    return builtin_yaml("questions", name, "question set")


def load_questions(path: str | Path) -> QuestionSet:
    """Read and validate a questions file; duplicate ids are an InputError naming file, line, field."""
    return parse_questions(*load_yaml(path))


def parse_questions(data: Any, lines: LineMap) -> QuestionSet:
    """Validate parsed questions YAML (duplicate ids are an InputError naming file, line, field)."""
    spec = validate_model(QuestionSetSpec, data, lines)
    ids = [q.id for q in spec.questions]
    problems = [
        lines.problem(("questions", k, "id"), f"duplicate question id {qid!r}")
        for k, qid in enumerate(ids)
        if qid in ids[:k]
    ]
    if problems:
        raise InputError(problems)
    return QuestionSet(spec, lines)
