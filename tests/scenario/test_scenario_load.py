"""Loading scenarios: cross-reference checks, error locations, perceived ranks (hand-worked cases)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.errors import InputError
from detente.io.questions import load_questions
from detente.io.quotes import verify_quotes
from detente.io.scenario import builtin_scenario, load_scenario

# A Prisoner's Dilemma scenario (Fang, Hipel & Kilgour 1993, ch. 2) with one perception: A believes
# B never wants to defect. States in code order: NN, YN, NY, YY (a_defects is bit 0).
BASE = """\
meta:
  name: test
  as_of: 2019-01-01
  sources:
    - file: src.txt
      title: Test source
      date: "2019"
actors:
  - name: A
    label: Player A
    decision_maker: A
    evidence: [{note: "assumption: a player"}]
  - name: B
    label: Player B
    parent: A_PARENT
    decision_maker: B
    evidence: [{note: "assumption: a player"}]
conflict:
  name: dilemma
  decision_makers:
    - name: A
      options: [{name: a_defects}]
      preferences: {statements: [-b_defects, a_defects]}
    - name: B
      options: [{name: b_defects}]
      preferences: {statements: [-a_defects, b_defects]}
  status_quo: NN
perceptions:
  - name: a_trusts_b
    perceiver: A
    about: B
    description: A thinks B never wants to defect
    preferences:
      statements:
        - -b_defects
    evidence: [{quote: "hello", source: src.txt}]
issues:
  dimensions: [{name: d}]
  actors:
    - {name: A, capability: 1, positions: {d: 0}, salience: {d: 50}}
    - {name: B, capability: 1, positions: {d: 100}, salience: {d: 50}}
interventions:
  - name: b_nice
    title: Make B nice
    addressee: B
    changes:
      - set: "conflict.decision_makers[name=B].preferences.statements"
        value: [-b_defects]
    evidence: [{note: "assumption: a test"}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def good(tmp_path: Path) -> Path:
    return write(tmp_path, BASE.replace("    parent: A_PARENT\n", ""))


def problems(tmp_path: Path, text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, text))
    return [(p.line, p.field, p.message) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(k for k, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_perceived_ranks_hand_worked(tmp_path: Path) -> None:
    s = load_scenario(good(tmp_path))
    # Real ranks. A: -b_defects first, then a_defects -> YN 3, NN 2, YY 1, NY 0.
    # B: -a_defects first, then b_defects -> NY 3, NN 2, YY 1, YN 0.
    assert s.conflict.ranks.tolist() == [[2, 3, 0, 1], [2, 0, 3, 1]]
    # A sees B as caring only that B does not defect: NN = YN above NY = YY.
    assert s.perceived_ranks("A").tolist() == [[2, 3, 0, 1], [1, 1, 0, 0]]
    # B holds no perception: its view is the real game.
    assert np.array_equal(s.perceived_ranks("B"), s.conflict.ranks)
    assert s.hidden_options("A") == frozenset()
    assert s.perceived_conflict("A").ranks.tolist() == [[2, 3, 0, 1], [1, 1, 0, 0]]


def test_unknown_parent_names_line_and_field(tmp_path: Path) -> None:
    found = problems(tmp_path, BASE)
    assert found == [(line_of(BASE, "parent: A_PARENT"), "actors[1].parent", "unknown actor 'A_PARENT'")]


def test_bad_perceived_statement_is_reported_at_the_perception(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace("        - -b_defects", "        - -c_defects")
    [(line, field, message)] = problems(tmp_path, text)
    assert line == line_of(text, "- -c_defects")
    assert field == "perceptions[0].preferences.statements[0]"
    assert "unknown option 'c_defects'" in message


def test_conflict_errors_keep_their_place(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace("[-b_defects, a_defects]", "[-b_defects, z]")
    [(line, field, message)] = problems(tmp_path, text)
    assert line == line_of(text, "[-b_defects, z]")
    assert field == "conflict.decision_makers[0].preferences.statements[1]"
    assert "unknown option 'z'" in message


def test_quote_source_must_be_listed(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace("source: src.txt}", "source: other.txt}")
    [(line, field, message)] = problems(tmp_path, text)
    assert (line, field) == (line_of(text, "other.txt"), "perceptions[0].evidence[0].source")
    assert "not listed in meta.sources" in message


def test_perceiver_cannot_be_ignorant_of_its_own_option(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace(
        "    about: B\n", "    about: B\n    unknown_options: [a_defects, b_defects]\n"
    )
    [(_, field, message)] = problems(tmp_path, text)
    assert field == "perceptions[0].unknown_options[0]" and "owns option" in message


def test_intervention_path_must_exist(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace("[name=B]", "[name=C]")
    [(line, field, message)] = problems(tmp_path, text)
    assert (line, field) == (line_of(text, "[name=C]"), "interventions[0].changes[0]")
    assert "does not apply" in message


def test_intervention_must_leave_a_valid_scenario(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace("value: [-b_defects]", "value: [-zzz]")
    [(line, field, message)] = problems(tmp_path, text)
    assert (line, field) == (line_of(text, "- name: b_nice"), "interventions[0]")
    assert "unknown option 'zzz'" in message


def test_issue_actors_must_be_scenario_actors(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace("{name: B, cap", "{name: Q, cap")
    [(line, field, message)] = problems(tmp_path, text)
    assert (line, field) == (line_of(text, "{name: Q,"), "issues.actors[1].name")
    assert "neither an actor nor a decision maker" in message


def test_builtin_scenario() -> None:
    assert builtin_scenario().name == "dprk_us_2019_10.yaml"
    assert builtin_scenario("dprk_us_2019_06").is_file()
    with pytest.raises(InputError, match="no built-in scenario named 'nowhere'"):
        builtin_scenario("nowhere")


def test_outcome_must_match_a_state(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "") + (
        "outcomes:\n"
        "  - {name: both_defect, label: Both defect, pattern: {a_defects: Y, b_defects: Y}}\n"
        "  - {name: typo, label: Typo, pattern: {a_defect: Y}}\n"
    )
    assert load_scenario(write(tmp_path, text.replace("  - {name: typo", "  # - {name: typo"))).spec.outcomes
    [(line, field, message)] = problems(tmp_path, text)
    assert (line, field) == (line_of(text, "name: typo"), "outcomes[1].pattern")
    assert "unknown option 'a_defect'" in message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_scenario(tmp_path / "absent.yaml")


def test_verify_quotes(tmp_path: Path) -> None:
    path = good(tmp_path)
    s = load_scenario(path)
    assert [p.message for p in verify_quotes(s, tmp_path)] == ["source file 'src.txt' not found"]
    (tmp_path / "src.txt").write_text("hello world", encoding="utf-8")
    assert verify_quotes(s, tmp_path) == []
    (tmp_path / "src.txt").write_text("Hello world", encoding="utf-8")  # case matters: exact words
    [problem] = verify_quotes(s, tmp_path)
    where = (line_of(path.read_text(encoding="utf-8"), 'quote: "hello"'), "perceptions[0].evidence[0].quote")
    assert (problem.line, problem.field) == where


def test_duplicate_question_ids(tmp_path: Path) -> None:
    q = """\
name: q
questions:
  - {id: a, title: A, question: "A?", opens: 2019-01-01, closes: 2019-12-31, resolution: yes if A}
  - {id: a, title: B, question: "B?", opens: 2019-01-01, closes: 2019-12-31, resolution: yes if B}
"""
    path = tmp_path / "q.yaml"
    path.write_text(q, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_questions(path)
    [p] = info.value.problems
    assert (p.line, p.field) == (4, "questions[1].id")


def test_question_closing_before_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "name: q\nquestions:\n  - {id: a, title: A, question: 'A?', opens: 2020-01-01, closes: 2019-12-31,"
        " resolution: 'yes if A'}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="before opens"):
        load_questions(path)


def test_actor_without_evidence_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("    parent: A_PARENT\n", "").replace(
        '    decision_maker: B\n    evidence: [{note: "assumption: a player"}]\n', "    decision_maker: B\n"
    )
    [(line, field, message)] = problems(tmp_path, text)
    assert (line, field) == (line_of(text, "- name: B"), "actors[1].evidence")
    assert "required" in message.lower()
