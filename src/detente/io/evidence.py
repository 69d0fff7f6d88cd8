"""Evidence: every judgement in a scenario can say where it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Evidence(BaseModel):
    """Where a judgement comes from: an exact quote and its source, or an explicit assumption."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quote: str | None = Field(None, description="Exact words from the source.")
    source: str | None = Field(None, description="Where the quote comes from (file name, citation, URL).")
    note: str | None = Field(None, description="Reasoning; start with 'assumption:' for a judgement call.")

    @model_validator(mode="after")
    def _not_empty(self) -> Evidence:
        if not (self.quote or self.note):
            raise ValueError("evidence needs a quote or a note")
        if self.quote and not self.source:
            raise ValueError("a quote needs its source")
        return self


EvidenceList = list[Evidence]


@dataclass(frozen=True)
class EvidenceRow:
    """One piece of evidence and the judgement it supports, for the report's evidence table."""

    field: str
    subject: str
    quote: str | None
    source: str | None
    note: str | None


def _subject(model: BaseModel) -> str:
    for attr in ("name", "statement", "option", "id", "title"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def collect_evidence(model: BaseModel, loc: str = "") -> list[EvidenceRow]:
    """Every evidence entry in a validated spec, with the field path and the judgement it backs."""
    rows: list[EvidenceRow] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{loc}.{name}" if loc else name
        if name == "evidence" and isinstance(value, list):
            rows.extend(
                EvidenceRow(loc or "(top level)", _subject(model), ev.quote, ev.source, ev.note)
                for ev in value
                if isinstance(ev, Evidence)
            )
        else:
            rows.extend(_walk(value, path))
    return rows


def _walk(value: object, path: str) -> list[EvidenceRow]:
    if isinstance(value, BaseModel):
        return collect_evidence(value, path)
    if isinstance(value, list | tuple):
        return [row for k, item in enumerate(value) for row in _walk(item, f"{path}[{k}]")]
    if isinstance(value, dict):
        return [row for key, item in value.items() for row in _walk(item, f"{path}.{key}")]
    return []
