"""The conflict file format: what an analyst writes, validated with pydantic.

A conflict file is YAML. Its JSON Schema is written by ``detente schema conflict``. The model here
only checks shape and types; cross-references (unknown options, options owned twice, an empty
feasible set) are checked when the spec is compiled into a :class:`detente.conflict.model.Conflict`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from detente.io.evidence import EvidenceList
from detente.io.statements import KEYWORDS, NAME

NAME_PATTERN = f"^{NAME}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, description="An identifier: letters, digits, _ and .")]


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _direction(value: object) -> object:
    aliases = {"fwd": "forward", "back": "backward", "reversible": "both"}
    return aliases.get(value, value) if isinstance(value, str) else value


Reversibility = Annotated[Literal["both", "forward", "backward"], BeforeValidator(_direction)]


class OptionSpec(Base):
    """A yes/no course of action controlled by one decision maker."""

    name: Name
    label: str = Field("", description="A short phrase for narration, e.g. 'the Yongbyon offer'.")
    description: str = ""
    reversibility: Reversibility = Field(
        "both",
        description="both: can be taken and dropped; forward: once taken cannot be dropped (N->Y only); "
        "backward: can only be dropped (Y->N only).",
    )
    evidence: EvidenceList = []

    @field_validator("name")
    @classmethod
    def _not_a_keyword(cls, name: str) -> str:
        if name.lower() in KEYWORDS:
            raise ValueError(f"{name!r} is a word of the statement language ({', '.join(sorted(KEYWORDS))})")
        return name


class StatementSpec(Base):
    """One option-prioritisation statement, e.g. ``not escalate & withdraw`` or ``attack if not talks``."""

    statement: str
    evidence: EvidenceList = []


class TiedSpec(Base):
    """Statements of equal priority."""

    tied: list[str | StatementSpec] = Field(min_length=1)
    evidence: EvidenceList = []


def _by_type(value: object) -> str:
    """Pick a union branch by the value's type, so a bad value gets one error, not one per branch.

    The tags are names :func:`detente.io.yamlio.validate_model` leaves out of error locations.
    """
    if isinstance(value, TiedSpec) or (isinstance(value, dict) and "tied" in value):
        return "tied-dict"
    if isinstance(value, dict | StatementSpec):
        return "dict"
    if isinstance(value, bool):
        return "str"
    return "int" if isinstance(value, int) else "str"


PriorityItem = Annotated[
    Annotated[str, Tag("str")]
    | Annotated[StatementSpec, Tag("dict")]
    | Annotated[TiedSpec, Tag("tied-dict")],
    Discriminator(_by_type),
]

StateRef = Annotated[
    Annotated[str, Tag("str")]
    | Annotated[int, Tag("int")]
    | Annotated[dict[str, bool | Literal["Y", "N", "y", "n", "-"]], Tag("dict")],
    Discriminator(_by_type),
]
"""A state: a Y/N/- string in option order, a 1-based state number, or a mapping option -> Y/N."""


class PreferenceSpec(Base):
    """A decision maker's preferences: option prioritisation *or* an explicit ranking (best first)."""

    statements: list[PriorityItem] | None = Field(
        None, description="Option-prioritisation statements, most important first."
    )
    ranking: list[list[StateRef] | StateRef] | None = Field(
        None, description="Tiers of states, best first; a tier lists states the DM is indifferent among."
    )
    evidence: EvidenceList = []

    @model_validator(mode="after")
    def _exactly_one(self) -> PreferenceSpec:
        if (self.statements is None) == (self.ranking is None):
            raise ValueError("give exactly one of 'statements' or 'ranking'")
        return self


class DecisionMakerSpec(Base):
    name: Name
    description: str = ""
    options: list[OptionSpec] = Field(min_length=1)
    preferences: PreferenceSpec
    evidence: EvidenceList = []


class InfeasibleSpec(Base):
    """States matching this pattern cannot occur."""

    pattern: StateRef
    evidence: EvidenceList = []


class GroupSpec(Base):
    options: list[Name] = Field(min_length=2)
    evidence: EvidenceList = []


class AtLeastOneSpec(Base):
    options: list[Name] = Field(min_length=1)
    evidence: EvidenceList = []


class RequiresSpec(Base):
    """``option`` can only be taken if ``requires`` is taken."""

    option: Name
    requires: Name
    evidence: EvidenceList = []


class ConstraintsSpec(Base):
    infeasible: list[InfeasibleSpec] = []
    mutually_exclusive: list[GroupSpec] = Field([], description="At most one option of each group.")
    at_least_one: list[AtLeastOneSpec] = []
    requires: list[RequiresSpec] = []


class ConflictSpec(Base):
    """A conflict in the graph model: decision makers, their options and preferences, constraints."""

    name: str
    description: str = ""
    source: str = Field("", description="Citation for the conflict as a whole.")
    decision_makers: list[DecisionMakerSpec] = Field(min_length=2)
    constraints: ConstraintsSpec = ConstraintsSpec()
    status_quo: StateRef | None = None
    coalitions: list[list[Name]] = Field([], description="Coalitions of interest (default: all).")
    evidence: EvidenceList = []
