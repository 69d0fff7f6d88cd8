"""The ``detente conflict`` and ``detente schema`` commands, run with typer's CliRunner."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
from typer.testing import CliRunner

from detente.cli import app
from detente.conflict import reference
from detente.io.conflict import load_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.gmcr import load_gmcr
from tests.conflict.helpers import EXAMPLES

runner = CliRunner(env={"COLUMNS": "160"})  # wide enough that no message is wrapped
PD = EXAMPLES / "prisoners_dilemma.yaml"
DATA = Path(__file__).resolve().parent / "conflict" / "data"


def run_json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- analyze --------------------------------------------------------------------------------------
def test_analyze_prints_the_tables() -> None:
    result = runner.invoke(app, ["conflict", "analyze", str(PD)])
    assert result.exit_code == 0, result.output
    assert "Prisoner's Dilemma: stability" in result.stdout
    lines = result.stdout.splitlines()
    nash = next(line for line in lines if "NASH" in line and "YY" in line)
    assert "4 YY" in nash and "NN" not in nash
    seq = next(line for line in lines if "SEQ" in line and "YY" in line)
    assert "1 NN, 4 YY" in seq


def test_analyze_json_for_the_prisoners_dilemma() -> None:
    doc = run_json("conflict", "analyze", str(PD))
    assert doc["schema_version"] == 1 and doc["kind"] == "stability"
    options = [{k: o[k] for k in ("name", "owner", "reversibility")} for o in doc["conflict"]["options"]]
    assert options == [
        {"name": "A_defects", "owner": "A", "reversibility": "both"},
        {"name": "B_defects", "owner": "B", "reversibility": "both"},
    ]
    assert doc["conflict"]["status_quo"] == 1
    # Fang, Hipel & Kilgour (1993): mutual defection is the Nash equilibrium; mutual cooperation is
    # also GMR, SMR and SEQ stable because a unilateral defection is sanctioned by the other's.
    assert doc["equilibria"] == {"nash": [4], "gmr": [1, 4], "smr": [1, 4], "seq": [1, 4]}
    second = doc["states"][1]
    assert second["number"] == 2 and second["label"] == "YN"
    assert second["options"] == {"A_defects": True, "B_defects": False}
    assert second["stable"]["nash"] == {"A": True, "B": False}
    assert second["equilibrium"]["nash"] is False
    assert second["rank"] == {"A": 3, "B": 0}


def test_json_stability_flags_match_the_reference_definitions() -> None:
    path = DATA / "three_parties.gmcr"
    doc = run_json("conflict", "analyze", str(path), "--method", "fast")
    c = load_gmcr(path)
    for concept in reference.CONCEPTS:
        for s, row in enumerate(doc["states"]):
            expected = {
                dm.name: reference.is_stable(c, concept, i, s) for i, dm in enumerate(c.decision_makers)
            }
            assert row["stable"][concept] == expected
            assert row["equilibrium"][concept] == all(expected.values())
        equilibria = [row["number"] for row in doc["states"] if row["equilibrium"][concept]]
        assert doc["equilibria"][concept] == equilibria


def test_gmcr_and_yaml_give_the_same_analysis() -> None:
    from_yaml = run_json("conflict", "analyze", str(PD), "--concepts", "nash,seq")
    from_gmcr = run_json(
        "conflict", "analyze", str(DATA / "prisoners_dilemma.gmcr"), "--concepts", "nash,seq"
    )
    assert from_gmcr["concepts"] == ["nash", "seq"]
    assert from_gmcr["equilibria"] == from_yaml["equilibria"] == {"nash": [4], "seq": [1, 4]}
    assert [r["stable"] for r in from_gmcr["states"]] == [r["stable"] for r in from_yaml["states"]]


def test_reference_and_fast_methods_agree() -> None:
    path = str(DATA / "three_parties.gmcr")
    assert run_json("conflict", "analyze", path, "--method", "reference") == run_json(
        "conflict", "analyze", path, "--method", "fast"
    )


def test_unknown_concept_is_a_usage_error() -> None:
    result = runner.invoke(app, ["conflict", "analyze", str(PD), "--concepts", "nash,best"])
    assert result.exit_code == 2
    assert "unknown concept best" in result.stderr


def test_too_large_a_model_exits_3(tmp_path: Path) -> None:
    options = "\n".join(f"      - name: o{j}" for j in range(27))
    text = (
        "name: big\ndecision_makers:\n  - name: A\n    options:\n"
        f"{options}\n    preferences: {{statements: []}}\n"
        "  - name: B\n    options: [{name: b}]\n    preferences: {statements: []}\n"
    )
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["conflict", "analyze", str(path)])
    assert result.exit_code == 3
    assert "model too large" in result.stderr and "28 options" in result.stderr


WIDE = """
name: wide
decision_makers:
  - name: A
    options: [{name: a1}, {name: a2}, {name: a3}, {name: a4}, {name: a5}]
    preferences: {statements: [a1, -b1]}
  - name: B
    options: [{name: b1}, {name: b2}, {name: b3}, {name: b4}]
    preferences: {statements: [b1, -a1]}
constraints:
  mutually_exclusive: [{options: [a1, a2, a3, a4, a5]}, {options: [b1, b2, b3, b4]}]
"""


def test_many_options_are_shown_as_one_label_column(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(WIDE, encoding="utf-8")
    result = runner.invoke(app, ["conflict", "analyze", str(path), "--concepts", "nash"])
    assert result.exit_code == 0, result.output
    # By hand: each takes its first option whatever the other does, so a1 & b1 is the Nash equilibrium.
    row = next(line for line in result.stdout.splitlines() if "YNNNNYNNN" in line)
    assert "EQ" in row
    assert "a1, a2, a3, a4, a5, b1, b2, b3, b4" in " ".join(result.stdout.split())


# -- coalitions, paths, inverse -----------------------------------------------------------------------
def test_coalitions_json_for_the_prisoners_dilemma() -> None:
    doc = run_json("conflict", "coalitions", str(PD))
    assert doc["kind"] == "coalitions"
    # By hand: at 4 (YY) both would rather be at 1 (NN) and can get there together, so 4 is unstable
    # for the grand coalition; at 1 no joint move helps both, and A's (or B's) unilateral defection
    # is sanctioned by the other's: 1 is the CGMR / CSMR / CSEQ equilibrium, and none is CNash.
    assert doc["equilibria"] == {"cnash": [], "cgmr": [1], "csmr": [1], "cseq": [1]}
    grand = next(h for h in doc["coalitions"] if h["members"] == ["A", "B"])
    assert grand["stable_states"]["cnash"] == [1, 2, 3]


def test_paths_from_the_status_quo() -> None:
    doc = run_json("conflict", "paths", str(PD), "--concept", "nash")
    assert doc["kind"] == "paths" and doc["start"] == 1
    # By hand: from NN either player defects (one step), then the other (two steps) reaching YY.
    assert doc["steps_to"] == {"1": 0, "2": 1, "3": 1, "4": 2}
    [eq] = doc["equilibria"]
    assert eq["state"] == 4 and eq["steps"] == 2
    routes = sorted([step["from"], step["to"], step["mover"]] for p in eq["paths"] for step in p["steps"])
    assert routes == [[1, 2, ["A"]], [1, 3, ["B"]], [2, 4, ["B"]], [3, 4, ["A"]]]
    assert len(doc["narration"]) == 2  # one paragraph per shortest path
    assert all("in 2 steps" in paragraph for paragraph in doc["narration"])


def test_paths_from_a_chosen_state_and_the_table() -> None:
    doc = run_json("conflict", "paths", str(PD), "--concept", "gmr", "--from", "YY")
    assert doc["start"] == 4
    # YY is Nash: nobody improves from it, so NN (a GMR equilibrium) cannot be reached.
    assert doc["steps_to"]["1"] is None
    assert {e["state"]: e["steps"] for e in doc["equilibria"]} == {1: None, 4: 0}
    result = runner.invoke(app, ["conflict", "paths", str(PD), "--concept", "nash"])
    assert result.exit_code == 0
    assert "1 NN -A-> 2 YN -B-> 4 YY" in result.stdout


def test_paths_without_a_status_quo_need_a_start() -> None:
    result = runner.invoke(app, ["conflict", "paths", str(DATA / "three_parties.gmcr")])
    assert result.exit_code == 2
    assert "the conflict names no status quo; name the state the paths start from" in result.stderr


def test_paths_with_a_bad_start_state() -> None:
    result = runner.invoke(app, ["conflict", "paths", str(PD), "--from", "YYY"])
    assert result.exit_code == 2
    assert "must have one of Y, N or -" in result.stderr


def test_inverse_count_matches_brute_force_over_all_rankings() -> None:
    doc = run_json(
        "conflict", "inverse", str(PD), "--target", "1", "--dm", "A", "--concept", "seq", "--mode", "rankings"
    )
    c = load_conflict(PD)
    qualifying = 0
    for order in itertools.permutations(range(c.n_states)):
        ranks = np.array(c.ranks)
        ranks[0, list(order)] = np.arange(c.n_states)[::-1]  # order is best first
        variant = c.with_ranks(ranks)
        qualifying += all(reference.is_stable(variant, "seq", i, 0) for i in range(c.n_dms))
    assert doc["kind"] == "inverse" and doc["target"] == 1 and doc["decision_maker"] == "A"
    assert (doc["count"], doc["total"]) == (qualifying, 24)
    assert all(len(example) == 4 for example in doc["examples"])


def test_inverse_statement_orders_by_hand() -> None:
    doc = run_json(
        "conflict",
        "inverse",
        str(PD),
        "--target",
        "NN",
        "--dm",
        "A",
        "--concept",
        "seq",
        "--mode",
        "statement_orders",
    )
    # Putting "A_defects" first makes A prefer YN to NN and YY to NN, so B's reply to A's defection
    # no longer deters it: only the file's own order keeps NN a SEQ equilibrium.
    assert doc["orders"] == [["-B_defects", "A_defects"]]
    assert doc["total"] == 2


def test_inverse_with_an_unknown_decision_maker() -> None:
    result = runner.invoke(app, ["conflict", "inverse", str(PD), "--target", "1", "--dm", "C"])
    assert result.exit_code == 2
    assert "no decision maker 'C'; choose from A, B" in result.stderr


# -- convert and schema -------------------------------------------------------------------------------
def test_convert_yaml_to_gmcr_and_back(tmp_path: Path) -> None:
    gmcr = tmp_path / "pd.gmcr"
    back = tmp_path / "pd.yaml"
    assert runner.invoke(app, ["conflict", "convert", str(PD), str(gmcr)]).exit_code == 0
    assert runner.invoke(app, ["conflict", "convert", str(gmcr), str(back)]).exit_code == 0
    original, again = load_conflict(PD), load_conflict(back)
    assert [o.name for o in again.options] == [o.name for o in original.options]
    np.testing.assert_array_equal(again.ranks, original.ranks)
    assert again.status_quo == original.status_quo and again.name == original.name


def test_convert_of_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gmcr"
    bad.write_text('{"options": []}', encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = runner.invoke(app, ["conflict", "convert", str(bad), str(out)])
    assert result.exit_code == 2
    assert f"{bad}:1: [options]" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_schema_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    expected = ConflictSpec.model_json_schema()
    assert run_json_plain("schema", "conflict") == expected
    out = tmp_path / "schemas" / "conflict.schema.json"
    assert runner.invoke(app, ["schema", "conflict", "--out", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == expected


def run_json_plain(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_schema_of_an_unknown_format_is_a_usage_error() -> None:
    assert runner.invoke(app, ["schema", "bogus"]).exit_code == 2


def test_root_help_lists_the_sub_apps() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "conflict" in result.stdout and "schema" in result.stdout


def _keys(value: Any) -> set[str]:
    """Every object key in a JSON document, except those that are names or numbers from the conflict."""
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    out: set[str] = set()
    for key, item in value.items():
        if key in (
            "options",
            "rank",
            "stable",
            "equilibrium",
            "equilibria",
            "steps_to",
            "stable_states",
            "rankings",
        ):
            out.add(key)
            if isinstance(item, list):
                out |= _keys(item)  # lists of objects keep their keys documented
            continue
        out.add(key)
        out |= _keys(item)
    return out


def test_every_field_of_every_kind_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "json.md").read_text(encoding="utf-8")
    documents = [
        run_json("conflict", "analyze", str(PD)),
        run_json("conflict", "coalitions", str(PD)),
        run_json("conflict", "paths", str(PD), "--concept", "nash"),
        run_json("conflict", "inverse", str(PD), "--target", "1", "--dm", "A", "--mode", "rankings"),
        run_json("conflict", "inverse", str(PD), "--target", "1", "--dm", "A", "--mode", "statement_orders"),
        run_json("conflict", "inverse", str(PD), "--target", "1"),
    ]
    for doc in documents:
        assert f"`{doc['kind']}`" in docs
        missing = sorted(k for k in _keys(doc) if f"`{k}`" not in docs)
        assert missing == [], (doc["kind"], missing)


# -- user text, limited-move concepts, scenario files, failed writes -------------------------------
def _renamed_pd(tmp_path: Path, name: str) -> Path:
    """The Prisoner's Dilemma example under another name."""
    text = PD.read_text(encoding="utf-8")
    assert text.count("name: Prisoner's Dilemma\n") == 1
    path = tmp_path / "renamed.yaml"
    path.write_text(
        text.replace("name: Prisoner's Dilemma\n", f"name: {json.dumps(name)}\n"), encoding="utf-8"
    )
    return path


def test_names_are_printed_as_written_not_read_as_markup(tmp_path: Path) -> None:
    # "[/x]" used to raise rich's MarkupError; "[sic]" used to vanish as an unknown style tag.
    path = _renamed_pd(tmp_path, "Talks [/x] [sic]")
    for command in ("analyze", "coalitions", "paths"):
        result = runner.invoke(app, ["conflict", command, str(path)])
        assert result.exit_code == 0, result.output
        assert "Talks [/x] [sic]: " in result.stdout, command


def test_limited_move_concepts_are_accepted_for_two_decision_makers() -> None:
    doc = run_json("conflict", "analyze", str(PD), "--concepts", "nash,l1,l2,seq")
    assert doc["concepts"] == ["nash", "l1", "l2", "seq"]
    # L1 is Nash stability by definition (Kilgour 1985; Fang, Hipel & Kilgour 1993, ch. 3).
    assert doc["equilibria"]["l1"] == doc["equilibria"]["nash"] == [4]
    # L2 by hand: from NN, A's defection to YN is answered by B's defection to YY, which A likes less
    # than NN (A cares first that B stays silent), and symmetrically for B; YN and YN's mirror are
    # left by the silent prisoner's improving defection. So NN and YY are the L2 equilibria.
    assert doc["equilibria"]["l2"] == [1, 4]
    table = runner.invoke(app, ["conflict", "analyze", str(PD), "--concepts", "l2"])
    assert table.exit_code == 0 and "L2" in table.stdout


def test_limited_move_concepts_need_exactly_two_decision_makers() -> None:
    result = runner.invoke(app, ["conflict", "analyze", str(DATA / "three_parties.gmcr"), "--concepts", "l2"])
    assert result.exit_code == 2, result.output
    assert "needs exactly two decision makers" in result.stderr and "has 3" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_concept_message_offers_the_limited_move_horizons() -> None:
    result = runner.invoke(app, ["conflict", "analyze", str(PD), "--concepts", "l0"])
    assert result.exit_code == 2
    assert "unknown concept l0" in result.stderr and "l<h>" in result.stderr


def test_a_scenario_file_is_analysed_as_its_conflict_section(tmp_path: Path) -> None:
    import yaml

    from detente.io.scenario import builtin_scenario

    scenario = builtin_scenario("dprk_us_2019_06")
    section = tmp_path / "conflict.yaml"
    section.write_text(
        yaml.safe_dump(yaml.safe_load(scenario.read_text(encoding="utf-8"))["conflict"], allow_unicode=True),
        encoding="utf-8",
    )
    for command in (["analyze"], ["paths"], ["coalitions", "--concepts", "cnash"]):
        assert run_json("conflict", *command, str(scenario)) == run_json("conflict", *command, str(section))


def test_convert_reads_a_scenario_as_analyze_does(tmp_path: Path) -> None:
    """The one loader: a scenario's conflict converts, and analyses the same as the scenario."""
    from detente.io.scenario import builtin_scenario

    out = tmp_path / "out.yaml"
    result = runner.invoke(app, ["conflict", "convert", str(builtin_scenario()), str(out)])
    assert result.exit_code == 0, result.output
    direct = run_json("conflict", "analyze", str(builtin_scenario()))
    converted = run_json("conflict", "analyze", str(out))
    assert converted["equilibria"] == direct["equilibria"]


def test_failed_writes_exit_2_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    for args in (
        ["conflict", "convert", str(PD), str(blocker / "pd.gmcr")],
        ["schema", "conflict", "--out", str(blocker / "conflict.schema.json")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert f"{blocker}" in result.stderr and "cannot write" in result.stderr, args
    assert blocker.read_text(encoding="utf-8") == "not a folder"
