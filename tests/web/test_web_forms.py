"""Form fields of the editor: which fields are offered, and that an edit changes exactly its field."""

from __future__ import annotations

import pytest

from detente.errors import InputError
from detente.io.yaml_edit import set_values
from detente.io.yamlio import parse_yaml
from detente.web.forms import form_groups
from tests.web.conftest import REPO


def _data(*parts: str) -> object:
    data, _ = parse_yaml(REPO.joinpath(*parts).read_text(encoding="utf-8"), "x")
    return data


def test_conflict_file_offers_each_statement_by_its_path() -> None:
    groups = form_groups(_data("examples", "conflicts", "chicken.yaml"))
    assert [g.title for g in groups] == ["Preferences of A", "Preferences of B"]
    fields = groups[0].fields
    assert [f.value for f in fields] == ["-(A_straight & B_straight)", "-B_straight", "A_straight"]
    assert fields[1].path == "decision_makers[0].preferences.statements[1].statement"


def test_scenario_offers_statements_positions_and_saliences() -> None:
    data = _data("scenarios", "dprk_us_2019_06.yaml")
    fields = {f.path: f for g in form_groups(data) for f in g.fields}
    assert fields["conflict.decision_makers[2].preferences.statements[1].statement"].value == "off_cvid"
    # An uncertain number is edited through its point value; a plain number directly.
    assert fields["issues.actors[0].positions.denuclearisation.value"].value == 10.0
    assert fields["issues.actors[0].salience.denuclearisation.value"].kind == "number"
    assert all(f.kind == "number" for p, f in fields.items() if p.startswith("issues."))


def test_an_edit_changes_only_its_field_and_its_line() -> None:
    text = REPO.joinpath("examples", "conflicts", "chicken.yaml").read_text(encoding="utf-8")
    path = "decision_makers[1].preferences.statements[2].statement"
    edited = set_values(text, [(path, "-B_straight")])
    changed = [(a, b) for a, b in zip(text.splitlines(), edited.splitlines(), strict=True) if a != b]
    assert [(a.strip(), b.strip()) for a, b in changed] == [
        ("- statement: B_straight", "- statement: -B_straight")
    ]
    before, _ = parse_yaml(text, "x")
    after, _ = parse_yaml(edited, "x")
    assert isinstance(after, dict) and isinstance(before, dict)
    after["decision_makers"][1]["preferences"]["statements"][2]["statement"] = "B_straight"
    assert after == before
    with pytest.raises(InputError, match=r"decision_makers\[7\]"):
        set_values(text, [("decision_makers[7].name", "X")])
