"""Scenario patches: every action, selectors, and errors that say where the path breaks."""

import pytest
from pydantic import ValidationError

from detente.io.patch import Change, PatchError, apply_intervention, parse_path

DATA = {
    "conflict": {
        "decision_makers": [
            {"name": "NK", "preferences": {"statements": ["a", "b"]}},
            {"name": "US", "preferences": {"statements": ["c"]}},
        ],
        "constraints": {"infeasible": []},
    }
}


def test_parse_path() -> None:
    assert parse_path("conflict.decision_makers[name=US].preferences[0]") == [
        "conflict",
        "decision_makers",
        ("name", "US"),
        "preferences",
        0,
    ]


def test_actions_and_input_untouched() -> None:
    base = "conflict.decision_makers[name=US].preferences.statements"
    out = apply_intervention(
        DATA,
        [
            Change(insert=base, at=0, value="deal"),
            Change(append="conflict.constraints.infeasible", value={"pattern": "YY"}),
            Change(remove="conflict.decision_makers[name=NK].preferences.statements[-1]"),
            Change(set="conflict.status_quo", value="NN"),
            Change(merge="conflict.decision_makers[1]", value={"description": "hawks"}),
        ],
    )
    assert out["conflict"]["decision_makers"][1]["preferences"]["statements"] == ["deal", "c"]
    assert out["conflict"]["decision_makers"][0]["preferences"]["statements"] == ["a"]
    assert out["conflict"]["constraints"]["infeasible"] == [{"pattern": "YY"}]
    assert out["conflict"]["status_quo"] == "NN"
    assert out["conflict"]["decision_makers"][1]["description"] == "hawks"
    assert DATA["conflict"]["decision_makers"][0]["preferences"]["statements"] == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change(remove="conflict.decision_makers[name=CN]"), r"\[name=CN\] matches 0 items"),
        (Change(append="conflict.decision_makers[0].name"), "append needs a list"),
        (Change(set="conflict.nothing.here"), "no key 'nothing'"),
        (Change(remove="conflict.decision_makers[5]"), "no list item 5"),
    ],
)
def test_errors_name_the_path(change: Change, message: str) -> None:
    with pytest.raises(PatchError, match=message):
        apply_intervention(DATA, [change])


def test_a_change_has_exactly_one_action() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Change(set="a", remove="b")
    with pytest.raises(ValidationError, match="'at' goes with 'insert'"):
        Change(append="a", at=1)
