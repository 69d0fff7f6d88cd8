"""GMCR+ .gmcr interchange: reading sample files, round trips, statements in normal form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from detente.conflict.model import Conflict, Direction
from detente.conflict.stability import analyze
from detente.errors import InputError
from detente.io import statements as st
from detente.io.conflict import compile_conflict, load_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.gmcr import (
    dnf,
    gmcr_dict,
    json_line_map,
    load_any,
    load_gmcr,
    read_gmcr,
    spec_from_conflict,
    write_gmcr,
    write_yaml,
)
from detente.io.yamlio import parse_yaml, validate_model
from tests.conflict.helpers import EXAMPLES
from tests.conflict.strategies import conflicts

DATA = Path(__file__).resolve().parent / "data"


def compile_yaml(text: str) -> Conflict:
    data, lines = parse_yaml(text, "test.yaml")
    return compile_conflict(validate_model(ConflictSpec, data, lines), lines)


def canonical(c: Conflict) -> tuple[Any, ...]:
    """The conflict up to the order of its options: options, states and ranks keyed by option name."""
    names = sorted(o.name for o in c.options)
    where = [c.option_index(n) for n in names]
    recoded = sum(((c.states >> j) & 1) << k for k, j in enumerate(where))
    order = np.argsort(recoded)
    options = tuple(
        (n, c.decision_makers[c.options[j].owner].name, int(c.options[j].direction))
        for n, j in zip(names, where, strict=True)
    )
    sq = None if c.status_quo is None else int(recoded[c.status_quo])
    coalitions = sorted(tuple(c.decision_makers[i].name for i in h) for h in c.coalitions)
    return (
        options,
        tuple(dm.name for dm in c.decision_makers),
        recoded[order].tolist(),
        c.ranks[:, order].tolist(),
        sq,
        coalitions,
    )


# -- the sample files ---------------------------------------------------------------------------
def test_prisoners_dilemma_gmcr_matches_the_yaml_example() -> None:
    from_gmcr = load_gmcr(DATA / "prisoners_dilemma.gmcr")
    from_yaml = load_conflict(EXAMPLES / "prisoners_dilemma.yaml")
    assert [o.name for o in from_gmcr.options] == ["A_defects", "B_defects"]
    assert from_gmcr.options[0].description == "A defects"  # the original name is kept
    np.testing.assert_array_equal(from_gmcr.ranks, from_yaml.ranks)
    # Textbook (Fang, Hipel & Kilgour 1993, ch. 2): mutual defection is the only Nash equilibrium.
    result = analyze(from_gmcr, ["nash"], method="reference")
    assert [from_gmcr.label(int(s)) for s in result.equilibria("nash")] == ["YY"]


def test_chicken_manual_ranking_uses_gmcr_state_numbers() -> None:
    c = load_gmcr(DATA / "chicken.gmcr")
    # Numbers: 1 = NN (both swerve), 2 = YN (Row straight), 3 = NY, 4 = YY (crash).
    best_first = [sorted(range(4), key=lambda s: -int(c.ranks[i, s])) for i in range(2)]
    assert [[c.label(s) for s in order] for order in best_first] == [
        ["YN", "NN", "NY", "YY"],
        ["NY", "NN", "YN", "YY"],
    ]
    # Chicken's pure Nash equilibria: one driver goes straight, the other swerves (Rapoport & Chammah 1966).
    result = analyze(c, ["nash"], method="reference")
    assert sorted(c.label(int(s)) for s in result.equilibria("nash")) == ["NY", "YN"]


THREE_PARTIES_YAML = """
name: three_parties
decision_makers:
  - name: State_X
    options: [{name: Build, reversibility: forward}, {name: Inspect}]
    preferences:
      statements: ["-Sanction & -Lift_sanctions", "Build | (-Inspect & Mediate)", -Inspect]
  - name: Coalition
    options: [{name: Sanction}, {name: Lift_sanctions, reversibility: backward}]
    preferences: {statements: [-Build, Inspect, Sanction]}
  - name: Broker
    options: [{name: Mediate}]
    preferences: {statements: ["(-Build & Inspect) | Mediate", -Sanction]}
constraints:
  infeasible:
    - pattern: {Sanction: Y, Inspect: N, Lift_sanctions: Y}
    - pattern: {Sanction: N, Lift_sanctions: Y}
coalitions: [[State_X, Broker], [Coalition, Broker]]
"""


def test_interleaved_owners_string_ids_and_compound_statements_match_hand_written_yaml() -> None:
    from_gmcr = load_gmcr(DATA / "three_parties.gmcr")
    expected = compile_yaml(THREE_PARTIES_YAML)
    # detente declares options owner by owner: Build, Inspect | Sanction, Lift_sanctions | Mediate.
    assert [o.name for o in from_gmcr.options] == [
        "Build",
        "Inspect",
        "Sanction",
        "Lift_sanctions",
        "Mediate",
    ]
    assert [o.direction for o in from_gmcr.options] == [
        Direction.FORWARD,
        Direction.BOTH,
        Direction.BOTH,
        Direction.BACKWARD,
        Direction.BOTH,
    ]
    assert canonical(from_gmcr) == canonical(expected)
    # Infeasible: Sanction & -Inspect & Lift (4 codes) and -Sanction & Lift (8 codes), disjoint.
    assert from_gmcr.n_states == 32 - 4 - 8
    assert [[from_gmcr.decision_makers[i].name for i in h] for h in from_gmcr.coalitions] == [
        ["State_X", "Broker"],
        ["Coalition", "Broker"],
    ]
    assert from_gmcr.decision_makers[0].description == "State X"


def test_names_that_are_not_identifiers_are_rewritten_uniquely(tmp_path: Path) -> None:
    doc = {
        "options": [{"name": "not"}, {"name": "1st strike?"}, {"name": "Étape"}, {"name": "not"}],
        "decisionMakers": [
            {"name": "not", "options": [0, 1], "preferences": [[[0, "Y"], [3, "N"]]]},
            {"name": "Other side", "options": [2, 3], "preferences": [[[1, "Y"]]]},
        ],
    }
    path = tmp_path / "odd.gmcr"
    path.write_text(json.dumps(doc), encoding="utf-8")
    c = load_gmcr(path)
    assert [dm.name for dm in c.decision_makers] == ["not_", "Other_side"]
    assert [o.name for o in c.options] == ["not__2", "_1st_strike", "Etape", "not__3"]
    # The first statement reads "not__2 & -not__3": true only with option 0 taken and option 3 not.
    best = np.flatnonzero(c.ranks[0] == c.ranks[0].max())
    assert all(c.label(int(s))[0] == "Y" and c.label(int(s))[3] == "N" for s in best)


def test_manual_ranking_with_ties_and_detente_extras(tmp_path: Path) -> None:
    doc = {
        "options": [{"name": "x"}, {"name": "y"}],
        "decisionMakers": [
            {"name": "A", "options": [0], "preferenceRanking": [[4, 1], 2, 3]},
            {"name": "B", "options": [1], "preferenceRanking": [1, [2, 3, 4]]},
        ],
        "useManualPreferenceRanking": True,
        "detente": {"name": "extras", "statusQuo": 3},
    }
    path = tmp_path / "ties.gmcr"
    path.write_text(json.dumps(doc), encoding="utf-8")
    c = load_gmcr(path)
    assert c.name == "extras"
    assert c.label(c.status_quo or 0) == "NY"
    assert c.ranks.tolist() == [[2, 1, 0, 2], [1, 0, 0, 0]]


# -- writing ------------------------------------------------------------------------------------
def test_written_file_uses_literals_and_compound_groups(tmp_path: Path) -> None:
    doc = gmcr_dict(compile_yaml(THREE_PARTIES_YAML))
    assert doc["useManualPreferenceRanking"] is False
    state_x = doc["decisionMakers"][0]
    index = {o["name"]: j for j, o in enumerate(doc["options"])}
    assert state_x["options"] == [index["Build"], index["Inspect"]]
    assert state_x["preferences"][0] == sorted([[index["Sanction"], "N"], [index["Lift_sanctions"], "N"]])
    assert state_x["preferences"][1] == {
        "compound": True,
        "members": [[[index["Build"], "Y"]], [[index["Inspect"], "N"], [index["Mediate"], "Y"]]],
    }
    assert doc["infeasibles"][1] == sorted([[index["Sanction"], "N"], [index["Lift_sanctions"], "Y"]])


def test_tied_statements_fall_back_to_the_manual_ranking(tmp_path: Path) -> None:
    text = THREE_PARTIES_YAML.replace(
        "statements: [-Build, Inspect, Sanction]", "statements: [{tied: [-Build, Inspect]}]"
    )
    conflict = compile_yaml(text)
    path = tmp_path / "tied.gmcr"
    write_gmcr(conflict.spec or spec_from_conflict(conflict), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["useManualPreferenceRanking"] is True
    assert canonical(load_gmcr(path)) == canonical(conflict)


def test_constraints_of_every_kind_survive_the_round_trip(tmp_path: Path) -> None:
    text = """
name: constrained
decision_makers:
  - name: A
    options: [{name: a1}, {name: a2}, {name: a3}]
    preferences: {statements: ["a1 iff b1", "a2 if -b2", -a3]}
  - name: B
    options: [{name: b1}, {name: b2}]
    preferences: {statements: ["-(a1 & a2) | b2", b1]}
constraints:
  mutually_exclusive: [{options: [a1, a2, a3]}]
  at_least_one: [{options: [b1, b2]}]
  requires: [{option: a3, requires: b2}]
status_quo: NNNYN
"""
    conflict = compile_yaml(text)
    path = tmp_path / "constrained.gmcr"
    write_gmcr(conflict.spec or conflict, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["useManualPreferenceRanking"] is False
    assert len(doc["infeasibles"]) == 3 + 1 + 1  # three pairs, one all-N pattern, one requirement
    again = load_gmcr(path)
    assert canonical(again) == canonical(conflict)
    # And back to YAML through the spec read from the .gmcr file.
    out = tmp_path / "constrained.yaml"
    write_yaml(read_gmcr(path), out)
    assert canonical(load_conflict(out)) == canonical(conflict)


@settings(max_examples=40, deadline=None)
@given(conflicts(max_dms=3, max_options=6))
def test_round_trip_through_gmcr_keeps_options_states_and_rankings(conflict: Conflict) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        direct = Path(tmp) / "direct.gmcr"
        write_gmcr(conflict, direct)
        assert canonical(load_gmcr(direct)) == canonical(conflict)
        via_spec = Path(tmp) / "spec.gmcr"
        write_gmcr(spec_from_conflict(conflict), via_spec)
        assert canonical(load_any(via_spec)) == canonical(conflict)
        as_yaml = Path(tmp) / "conflict.yaml"
        write_yaml(conflict, as_yaml)
        assert canonical(load_any(as_yaml)) == canonical(conflict)


# -- statements in disjunctive normal form ---------------------------------------------------------
OPTIONS = {"p": 0, "q": 1, "r": 2}
exprs = hs.recursive(
    hs.sampled_from([st.Lit(n) for n in OPTIONS]),
    lambda inner: hs.one_of(
        inner.map(st.Not),
        hs.builds(st.BinOp, hs.sampled_from(["&", "|", "if", "iff"]), inner, inner),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(exprs)
def test_dnf_is_equivalent_to_the_statement(expr: st.Expr) -> None:
    codes = np.arange(8, dtype=np.int64)
    terms = dnf(expr)
    value = np.zeros(8, dtype=bool)
    for term in terms:
        value |= np.all([((codes >> OPTIONS[n]) & 1) == v for n, v in term], axis=0) if term else True
    np.testing.assert_array_equal(value, st.evaluate(expr, codes, OPTIONS))
    # No term is contradictory and none contains another.
    assert all(len({n for n, _ in t}) == len(t) for t in terms)
    assert not any(u < t for u in terms for t in terms)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p if q", [{("p", True)}, {("q", False)}]),
        ("-(p | q)", [{("p", False), ("q", False)}]),
        ("(p & q) | p", [{("p", True)}]),
        ("p & -p", []),
    ],
)
def test_dnf_by_hand(text: str, expected: list[set[tuple[str, bool]]]) -> None:
    assert [set(t) for t in dnf(st.parse(text, OPTIONS))] == expected


# -- line numbers of JSON values ------------------------------------------------------------------
def test_json_line_map_gives_the_line_of_each_key_and_item() -> None:
    text = '{\n  "a": [\n    1,\n    {"b": "x\\"y"}\n  ],\n  "c":\n    null\n}\n'
    lines = json_line_map(text, "t.json")
    assert json.loads(text) == {"a": [1, {"b": 'x"y'}], "c": None}
    assert lines.line(("a",)) == 2
    assert lines.line(("a", 0)) == 3
    assert lines.line(("a", 1, "b")) == 4
    assert lines.line(("c",)) == 6  # a member is located at its key
    assert lines.line(("a", 1, "missing")) == 4


def test_duplicate_keys_and_deep_nesting_are_clear_errors(tmp_path: Path) -> None:
    dup = tmp_path / "dup.gmcr"
    dup.write_text('{"options": [], "options": []}')
    with pytest.raises(InputError, match=r"dup.gmcr: \[options\] malformed JSON: duplicate key 'options'"):
        read_gmcr(dup)
    deep = tmp_path / "deep.gmcr"
    deep.write_text("[" * 3000 + "]" * 3000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_gmcr(deep)


# -- files as GMCR+ writes them ------------------------------------------------------------------
def test_older_preference_vector_keys_are_read(tmp_path: Path) -> None:
    """Older GMCR+ files: ``useManualPreferenceVectors`` and ``preferenceVector`` mean the manual
    ranking; they must give the same ranks as the newer keys, not be ignored (all states tied)."""
    doc = {
        "options": [{"name": "x"}, {"name": "y"}],
        "decisionMakers": [
            {"name": "A", "options": [0], "preferenceVector": [[4, 1], 2, 3]},
            {"name": "B", "options": [1], "preferenceVector": [1, [2, 3, 4]]},
        ],
        "useManualPreferenceVectors": True,
    }
    path = tmp_path / "old.gmcr"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_gmcr(path).ranks.tolist() == [[2, 1, 0, 2], [1, 0, 0, 0]]


def test_integer_coalitions_are_singletons(tmp_path: Path) -> None:
    doc = json.loads((DATA / "chicken.gmcr").read_text(encoding="utf-8"))
    doc["coalitions"] = [0, 1]
    path = tmp_path / "singletons.gmcr"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_gmcr(path).coalitions == ()  # singletons: no coalition of two or more
    doc["coalitions"] = [0, [0, 1]]
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_gmcr(path).coalitions == ((0, 1),)


def test_misperceptions_are_dropped_with_a_warning(tmp_path: Path) -> None:
    from detente.io.gmcr import GmcrWarning, read_gmcr_notes

    doc = json.loads((DATA / "chicken.gmcr").read_text(encoding="utf-8"))
    doc["decisionMakers"][0]["misperceptions"] = [[1, "Y"]]
    path = tmp_path / "mis.gmcr"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.warns(GmcrWarning, match="misperceptions of .* dropped"):
        load_gmcr(path)
    _, notes = read_gmcr_notes(path)
    assert len(notes) == 1 and doc["decisionMakers"][0]["name"] in notes[0]
    _, quiet = read_gmcr_notes(DATA / "chicken.gmcr")
    assert quiet == []
