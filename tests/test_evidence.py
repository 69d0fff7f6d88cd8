"""Evidence is collected from every level of a spec, with the judgement it supports."""

import pytest
from pydantic import ValidationError

from detente.io.conflict_spec import ConflictSpec
from detente.io.evidence import Evidence, collect_evidence


def test_collects_from_every_level() -> None:
    spec = ConflictSpec.model_validate(
        {
            "name": "t",
            "evidence": [{"note": "assumption: two players"}],
            "decision_makers": [
                {
                    "name": "A",
                    "options": [{"name": "x", "evidence": [{"quote": "A may do x", "source": "s.txt"}]}],
                    "preferences": {"statements": [{"statement": "x", "evidence": [{"note": "n1"}]}]},
                },
                {"name": "B", "options": [{"name": "y"}], "preferences": {"statements": ["y"]}},
            ],
        }
    )
    rows = collect_evidence(spec)
    assert [(r.field, r.subject) for r in rows] == [
        ("decision_makers[0].options[0]", "x"),
        ("decision_makers[0].preferences.statements[0]", "x"),
        ("(top level)", "t"),
    ]
    assert rows[0].quote == "A may do x" and rows[0].source == "s.txt"


def test_a_quote_needs_a_source_and_evidence_needs_content() -> None:
    with pytest.raises(ValidationError, match="needs its source"):
        Evidence(quote="words")
    with pytest.raises(ValidationError, match="quote or a note"):
        Evidence()
