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

Resolutions (what happened) are kept apart, in the form :mod:`detente.interventions.scoring` reads,
so a forecaster working from the questions never sees the answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, model_validator

from detente.conflict.spec import Base, Name
from detente.errors import InputError
from detente.evidence import EvidenceList
from detente.yamlio import LineMap, load_yaml, validate_model


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


def load_questions(path: str | Path) -> QuestionSet:
    """Read and validate a questions file; duplicate ids are an InputError naming file, line, field."""
    data, lines = load_yaml(path)
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
