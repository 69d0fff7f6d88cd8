"""The scenario file format: one YAML file per snapshot of a conflict, validated with pydantic.

A scenario gathers everything detente knows about one conflict at one date, each judgement with its
evidence (an exact quote and its source, or a note starting ``assumption:``)::

    meta:          name, as_of date, description, the sources quoted (file, title, author, date)
    actors:        actors and sub-actors (parent), their long- and short-term interests, the moves
                   the sources name (linked to conflict options where the conflict models them)
    conflict:      a graph-model conflict (:class:`detente.io.conflict_spec.ConflictSpec`)
    perceptions:   who believes what: a decision maker's view of another's preferences, and options
                   it does not know about (the input of a first-level hypergame)
    issues:        the forecast issue space (:class:`detente.io.forecast_spec.IssueSpaceSpec`)
    timeline:      dated events, deadlines and elections
    interventions: recommendations as named patches to the scenario data
                   (:class:`detente.io.patch.Intervention`, plus whom they address)
    outcomes:      named sets of conflict states to reach or avoid (e.g. a deal), by which the
                   interventions are compared (:class:`detente.io.outcomes.OutcomeSpec`)

The models check shape and types only; :func:`detente.io.scenario.load_scenario` checks the
cross-references (names, options, sources, patches that apply) and compiles the parts.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from detente.io.clock import ClockSpec
from detente.io.conflict_spec import Base, ConflictSpec, Name, PreferenceSpec
from detente.io.evidence import Evidence
from detente.io.forecast_spec import IssueSpaceSpec
from detente.io.outcomes import OutcomeSpec
from detente.io.patch import Intervention

Evidenced = Annotated[
    list[Evidence],
    Field(min_length=1, description="At least one quote with its source, or a note starting 'assumption:'."),
]


class SourceSpec(Base):
    """A document the scenario quotes; evidence names it by ``file`` in its ``source`` field."""

    file: str = Field(min_length=1, description="The name evidence uses as its source, e.g. a file name.")
    title: str
    author: str = ""
    publication: str = ""
    date: str = Field(description="Publication date as precisely known, e.g. 'late June 2019'.")
    url: str = ""
    note: str = ""


class MetaSpec(Base):
    name: str = Field(min_length=1)
    as_of: dt.date = Field(description="The snapshot date: the scenario uses only what was known then.")
    description: str = ""
    sources: list[SourceSpec] = Field(min_length=1)


class InterestSpec(Base):
    """What an actor wants, over the long term (its lasting goals) or the short term (its current aims)."""

    horizon: Literal["long", "short"]
    description: str = Field(min_length=1)
    evidence: Evidenced


MoveStatus = Literal[
    "taken",
    "ongoing",
    "expected",
    "possible",
    "threatened",
    "feared",
    "rejected",
    "unavailable",
    "recommended",
]


class MoveSpec(Base):
    """A move or tactic the sources name, with its status as of the snapshot."""

    name: Name
    description: str = Field(min_length=1)
    status: MoveStatus
    option: Name | None = Field(None, description="The conflict option that models this move, if any.")
    evidence: Evidenced


class ActorSpec(Base):
    """An actor, or a sub-actor of ``parent`` (a leader, a faction, a negotiator, a channel)."""

    name: Name
    label: str = Field(min_length=1, description="Display name, e.g. 'Kim Jong Un'.")
    parent: Name | None = None
    role: str = ""
    decision_maker: Name | None = Field(
        None, description="The conflict decision maker this actor is, or speaks for."
    )
    interests: list[InterestSpec] = Field(default_factory=list)
    moves: list[MoveSpec] = Field(default_factory=list)
    evidence: Evidenced


class PerceptionSpec(Base):
    """How ``perceiver`` sees decision maker ``about``: its perceived preferences and unknown options.

    ``preferences`` are written like a decision maker's own (statements or a ranking) over the real
    conflict's options; ``unknown_options`` are options of the real conflict the perceiver does not
    know of. A first-level hypergame (Bennett 1980, Futures 12(6)) is built from these.
    """

    name: Name
    perceiver: Name
    about: Name
    description: str = Field(min_length=1)
    held: str = Field("", description="When the belief was held, e.g. 'before and at Hanoi'.")
    verdict: Literal["mistaken", "accurate", "unclear"] = Field(
        "unclear", description="Whether the sources say the belief was wrong."
    )
    preferences: PreferenceSpec | None = None
    unknown_options: list[Name] = Field(default_factory=list)
    evidence: Evidenced

    @model_validator(mode="after")
    def _says_something(self) -> PerceptionSpec:
        if self.preferences is None and not self.unknown_options:
            raise ValueError("a perception needs perceived 'preferences' or 'unknown_options'")
        if self.perceiver == self.about:
            raise ValueError("a decision maker's view of itself is its real preferences, not a perception")
        return self


class TimeElementSpec(Base):
    """A dated event, deadline or election that bears on the conflict."""

    name: Name
    label: str = Field(min_length=1)
    kind: Literal["summit", "talks", "deadline", "election", "visit", "event"]
    date: dt.date
    end: dt.date | None = None
    status: Literal["past", "scheduled", "expected"] = Field(description="As of the snapshot date.")
    description: str = ""
    evidence: Evidenced

    @model_validator(mode="after")
    def _ordered(self) -> TimeElementSpec:
        if self.end is not None and self.end < self.date:
            raise ValueError(f"end {self.end} is before date {self.date}")
        return self


class InterventionSpec(Intervention):
    """A recommendation as a named patch: its changes, whom it addresses, and the words it rests on."""

    addressee: Name = Field(description="The actor the recommendation is addressed to.")
    evidence: Evidenced


class ScenarioSpec(Base):
    """One snapshot of a conflict: actors, graph model, perceptions, issue space, timeline, interventions."""

    meta: MetaSpec
    actors: list[ActorSpec] = Field(min_length=2)
    conflict: ConflictSpec
    perceptions: list[PerceptionSpec] = Field(default_factory=list)
    issues: IssueSpaceSpec
    timeline: list[TimeElementSpec] = Field(default_factory=list)
    interventions: list[InterventionSpec] = Field(default_factory=list)
    outcomes: list[OutcomeSpec] = Field(default_factory=list)
    clock: ClockSpec | None = Field(
        None, description="The negotiation clock: dated rounds, deadline, elections (docs/clock.md)."
    )
