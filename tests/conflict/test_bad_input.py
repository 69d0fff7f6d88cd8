"""Bad conflict files: each problem is reported as ``file:line: [field] message`` with exit code 2.

Every case edits one line of a valid file; the expected line is the line of the edited text (or,
for a missing key, of the object that lacks it), counted by hand.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from detente.cli import app
from tests.conflict.helpers import EXAMPLES

runner = CliRunner(env={"COLUMNS": "160"})  # wide enough that no message is wrapped

BASE = """\
name: bad
decision_makers:
  - name: A
    options:
      - name: x
      - name: y
        reversibility: forward
    preferences:
      statements:
        - x
        - -y
  - name: B
    options:
      - name: z
    preferences:
      ranking:
        - [NNN, YNN]
        - "--Y"
        - [NYN, YYN]
status_quo: NNN
"""


def fails(tmp_path: Path, text: str, name: str = "conflict.yaml") -> tuple[str, str]:
    """Run ``detente conflict analyze`` on ``text``; check it exits 2 printing nothing on stdout."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["conflict", "analyze", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    return str(path), result.stderr


def edit(line: int, old: str, new: str, text: str = BASE) -> str:
    """``text`` with ``old`` replaced by ``new`` on line ``line`` (1-based), which must contain it."""
    lines = text.split("\n")
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines)


def test_the_base_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert runner.invoke(app, ["conflict", "analyze", str(path)]).exit_code == 0


def test_unknown_option_in_a_statement(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(11, "-y", "-w"))
    assert (
        f"{path}:11: [decision_makers[0].preferences.statements[1]] statement '-w': unknown option 'w'" in err
    )


def test_option_owned_by_two_decision_makers(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(14, "name: z", "name: x"))
    assert f"{path}:14: [decision_makers[1].options[0].name] option 'x' is owned by both A and B" in err


def test_option_declared_twice(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(5, "name: x", "name: y"))
    assert f"{path}:6: [decision_makers[0].options[1].name] option 'y' is declared twice by A" in err


def test_duplicate_decision_maker_names(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(12, "name: B", "name: A"))
    assert f"{path}:12: [decision_makers[1].name] duplicate decision maker name 'A'" in err


def test_empty_feasible_set(tmp_path: Path) -> None:
    text = BASE + 'constraints:\n  infeasible:\n    - pattern: "N--"\n    - pattern: "Y--"\n'
    path, err = fails(tmp_path, text)
    assert f"{path}:21: [constraints] the constraints rule out every state" in err


def test_malformed_yaml(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(20, "status_quo: NNN", "status_quo: NNN: x"))
    assert f"{path}:20: malformed YAML: mapping values are not allowed here" in err


def test_ranking_that_leaves_out_states(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(19, "[NYN, YYN]", "[NYN]"))
    assert (
        f"{path}:16: [decision_makers[1].preferences.ranking] the ranking leaves out 1 feasible state(s): 4"
        in err
    )


def test_status_quo_of_the_wrong_length(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(20, "NNN", "NNNN"))
    assert f"{path}:20: [status_quo] state pattern 'NNNN' must have one of Y, N or - for each of the 3" in err


def test_status_quo_matching_several_states(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(20, "NNN", '"N-N"'))
    assert f"{path}:20: [status_quo] 'N-N' matches 2 feasible states, expected exactly one" in err


def test_missing_decision_makers(tmp_path: Path) -> None:
    path, err = fails(tmp_path, "name: bad\nstatus_quo: NNN\n")
    assert f"{path}:1: [decision_makers] required but missing" in err


def test_bad_reversibility(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(7, "forward", "sideways"))
    field = "[decision_makers[0].options[1].reversibility]"
    expected = "expected one of 'both', 'forward' or 'backward'; found the text 'sideways'"
    assert f"{path}:7: {field} {expected}" in err


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = edit(12, "name: B", "name: A", edit(5, "name: x", "name: y"))
    path, err = fails(tmp_path, text)
    assert f"{path}:6: [decision_makers[0].options[1].name]" in err
    assert f"{path}:12: [decision_makers[1].name]" in err


# -- GMCR+ .gmcr files -------------------------------------------------------------------------------
GMCR = (Path(__file__).resolve().parent / "data" / "three_parties.gmcr").read_text(encoding="utf-8")


def test_gmcr_that_is_not_json(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(4, '{"name": "Sanction"},', '{"name": "Sanction"}', GMCR), "x.gmcr")
    assert f"{path}:5: malformed JSON: Expecting ',' delimiter" in err


def test_gmcr_unknown_option_id_in_a_decision_maker(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(12, '[0, "2"]', "[0, 7]", GMCR), "x.gmcr")
    assert (
        f"{path}:12: [decisionMakers[0].options[1]] unknown option id 7 (the options are numbered 0..4)"
        in err
    )
    assert f"{path}:5: [options[2]] option 2 ('Inspect') is not listed by any decision maker" in err


def test_gmcr_unknown_option_id_in_a_statement(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(14, '[3, "N"]', '[9, "N"]', GMCR), "x.gmcr")
    assert f"{path}:14: [decisionMakers[0].preferences[0][1][0]] unknown option id 9" in err


def test_gmcr_option_listed_by_two_decision_makers(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(12, '[0, "2"]', "[0, 1]", GMCR), "x.gmcr")
    assert (
        f"{path}:22: [decisionMakers[1].options[0]] option 1 ('Sanction') is already listed by 'State X'"
        in err
    )


def test_gmcr_missing_keys(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(21, '"name"', '"nom"', GMCR), "x.gmcr")
    assert f"{path}:20: [decisionMakers[1].name] required but missing" in err
    path, err = fails(tmp_path, edit(2, '"options"', '"opts"', GMCR), "y.gmcr")
    assert f"{path}:1: [options] required but missing" in err


def test_gmcr_bad_pattern(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(39, '"-YNY-"', '"-YNY"', GMCR), "x.gmcr")
    assert f"{path}:39: [infeasibles[0]] pattern '-YNY' must have one of Y, N or - for each of the 5" in err


def test_gmcr_bad_literal(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(40, '[3, "Y"]', '[3, "maybe"]', GMCR), "x.gmcr")
    assert f"{path}:40: [infeasibles[1][1][1]] expected 'Y' or 'N'; found the text 'MAYBE'" in err


def test_gmcr_bad_direction(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(3, "fwd", "sideways", GMCR), "x.gmcr")
    field = "[options[0].permittedDirection]"
    assert f"{path}:3: {field} expected one of 'both', 'fwd' or 'back'; found the text 'sideways'" in err


MANUAL = """\
{"options": [{"name": "x"}, {"name": "y"}],
 "decisionMakers": [
  {"name": "A", "options": [0], "preferenceRanking": [1, 2, 3, 4]},
  {"name": "B", "options": [1], "preferenceRanking": [1, [2, 3], 4]}],
 "infeasibles": [],
 "useManualPreferenceRanking": true}
"""


def test_gmcr_ranking_naming_a_state_twice(tmp_path: Path) -> None:
    # Found when the spec is compiled: reported with the .gmcr field and line.
    path, err = fails(tmp_path, edit(3, "[1, 2, 3, 4]", "[1, 2, 3, [4, 3]]", MANUAL), "x.gmcr")
    assert f"{path}:3: [decisionMakers[0].preferenceRanking[3][1]] 'NY' ranks state 3 a second time" in err


def test_gmcr_ranking_that_leaves_out_states(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(3, "[1, 2, 3, 4]", "[1, 2, 3]", MANUAL), "x.gmcr")
    expected = "[decisionMakers[0].preferenceRanking] the ranking leaves out 1 feasible state(s): 4"
    assert f"{path}:3: {expected}" in err


def test_gmcr_state_number_out_of_range(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(4, "[2, 3]", "[2, 3, 9]", MANUAL), "x.gmcr")
    assert f"{path}:4: [decisionMakers[1].preferenceRanking[1][2]] state number 9 is out of range 1..4" in err


def test_gmcr_empty_feasible_set(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(5, "[]", '["--"]', MANUAL), "x.gmcr")
    assert f"{path}:5: [infeasibles] the patterns rule out every state: the feasible set is empty" in err


def test_gmcr_manual_ranking_missing(tmp_path: Path) -> None:
    path, err = fails(tmp_path, edit(4, ', "preferenceRanking": [1, [2, 3], 4]', "", MANUAL), "x.gmcr")
    assert f"{path}:4: [decisionMakers[1]] useManualPreferenceRanking is true but" in err


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["conflict", "analyze", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere.yaml'}: cannot read file" in result.stderr


def test_examples_stay_valid() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        assert runner.invoke(app, ["conflict", "analyze", str(path)]).exit_code == 0, path
