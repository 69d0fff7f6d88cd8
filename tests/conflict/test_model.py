"""Compiling conflict files: feasibility, preference ranks, state references."""

import numpy as np
import pytest

from detente.errors import InputError
from detente.io.conflict import compile_conflict, load_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.yamlio import parse_yaml, validate_model
from tests.conflict.helpers import EXAMPLES


def compile_text(text: str):  # type: ignore[no-untyped-def]
    data, lines = parse_yaml(text, "test.yaml")
    return compile_conflict(validate_model(ConflictSpec, data, lines), lines)


BASE = """
name: t
decision_makers:
  - name: A
    options: [{name: x}, {name: y, reversibility: fwd}]
    preferences: {statements: [x, -y]}
  - name: B
    options: [{name: z}]
    preferences: {ranking: [["NNN", "YNN"], "--Y", ["NYN", "YYN"]]}
"""


def test_prisoners_dilemma_ranks_match_the_textbook() -> None:
    c = load_conflict(EXAMPLES / "prisoners_dilemma.yaml")
    # A: (A defects, B cooperates) > both cooperate > both defect > (A cooperates, B defects)
    order = sorted(range(4), key=lambda s: -int(c.ranks[0, s]))
    assert [c.label(s) for s in order] == ["YN", "NN", "YY", "NY"]
    assert c.status_quo == 0


def test_statement_priorities_are_lexicographic() -> None:
    c = compile_text(BASE)
    # A cares first about x, then about not y: x & -y > x & y > -x & -y > -x & y (z irrelevant).
    score = {c.label(s): int(c.ranks[0, s]) for s in range(c.n_states)}
    assert score["YNN"] == score["YNY"] > score["YYN"] > score["NNN"] > score["NYN"]
    assert c.options[1].direction == 1


def test_explicit_ranking_with_ties() -> None:
    c = compile_text(BASE)
    score = {c.label(s): int(c.ranks[1, s]) for s in range(c.n_states)}
    assert score["NNN"] == score["YNN"] > score["NNY"] == score["YYY"] > score["NYN"] == score["YYN"]


def test_ties_between_statements_count_satisfied_members() -> None:
    text = BASE.replace("statements: [x, -y]", "statements: [{tied: [x, -y]}, z]")
    c = compile_text(text)
    score = {c.label(s): int(c.ranks[0, s]) for s in range(c.n_states)}
    assert score["YNY"] > score["YNN"] > score["YYY"] == score["NNY"] > score["YYN"] == score["NNN"]


def test_constraints_restrict_the_feasible_set() -> None:
    text = (
        BASE
        + """
constraints:
  mutually_exclusive: [{options: [x, z]}]
  requires: [{option: y, requires: x}]
  infeasible: [{pattern: {x: Y, y: N}}]
"""
    )
    text = text.replace('ranking: [["NNN", "YNN"], "--Y", ["NYN", "YYN"]]', "statements: [z]")
    c = compile_text(text)
    labels = sorted(c.label(s) for s in range(c.n_states))
    # x,z exclusive; y needs x; not (x and not y): NNN, NNY, YYN
    assert labels == ["NNN", "NNY", "YYN"]
    assert np.all(np.diff(c.states) > 0)


def test_state_references() -> None:
    c = compile_text(BASE)
    assert c.resolve_state("YNN") == int(np.flatnonzero(c.states == 1)[0])
    assert c.resolve_state({"x": "Y", "y": "N", "z": "N"}) == c.resolve_state("YNN")
    assert c.resolve_state(3) == 2
    with pytest.raises(ValueError, match="matches 2"):
        c.resolve_state("YN-")


def test_statement_keywords_are_not_option_names() -> None:
    # "If" would parse as the implication keyword, so no statement could name the option.
    with pytest.raises(InputError, match=r"test.yaml:5: \[decision_makers\[0\].options\[0\].name\].*'If'"):
        compile_text(BASE.replace("{name: x}", "{name: If}"))
