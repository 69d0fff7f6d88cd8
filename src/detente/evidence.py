"""Evidence: every judgement in a scenario can say where it comes from."""

from __future__ import annotations

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
