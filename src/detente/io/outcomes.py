"""Outcomes of interest: named sets of states an analyst wants to reach or avoid (e.g. "a deal")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from detente.conflict.model import Conflict, IntArray, match_states
from detente.io.conflict_spec import Name, StateRef
from detente.io.evidence import EvidenceList


class OutcomeSpec(BaseModel):
    """A named outcome: the states matching ``pattern`` (option -> Y/N/-, or a Y/N/- string)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    label: str = Field(min_length=1)
    pattern: StateRef
    desired: bool = Field(True, description="True: an outcome to reach; False: one to avoid.")
    evidence: EvidenceList = []


def outcome_states(conflict: Conflict, outcome: OutcomeSpec) -> IntArray:
    """Indices of the feasible states that make up the outcome."""
    return match_states(conflict, outcome.pattern)
