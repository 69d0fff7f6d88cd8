"""Coalition stability (Inohara & Hipel 2008): fast path against the definitions, properties, hand cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from detente.conflict import reference
from detente.conflict.coalition import (
    CONCEPTS,
    all_coalitions,
    coalition_stability,
    legal_closure,
    move_matrix,
)
from detente.conflict.model import Conflict
from detente.errors import ModelTooLargeError
from detente.io.conflict import compile_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.yamlio import parse_yaml, validate_model
from tests.conflict.strategies import conflicts

INDIVIDUAL = {"cnash": "nash", "cgmr": "gmr", "csmr": "smr", "cseq": "seq"}


def compile_text(text: str) -> Conflict:
    data, lines = parse_yaml(text, "test.yaml")
    return compile_conflict(validate_model(ConflictSpec, data, lines), lines)


# Three DMs, one option each. A and B are in a Prisoner's Dilemma over contributing (a, b): each most
# wants the other to contribute, then not to contribute itself; both fear C's punishment (c) above all.
# C wants both to contribute and does not want to punish.
JOINT = """
name: joint improvement
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: [-c, b, -a]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [-c, a, -b]}
  - name: C
    options: [{name: c}]
    preferences: {statements: [a & b, -c]}
status_quo: NNN
"""


def state(c: Conflict, label: str) -> int:
    return c.resolve_state(label)


def test_two_dms_jointly_improve_from_a_nash_state() -> None:
    c = compile_text(JOINT)
    nnn, yyn = state(c, "NNN"), state(c, "YYN")
    res = coalition_stability(c)
    row = {members: k for k, members in enumerate(res.coalitions)}
    ab, abc = row[(0, 1)], row[(0, 1, 2)]
    # NNN: no DM gains by moving alone (A: YNN loses -a; B: NYN loses -b; C: NNY loses -c) ...
    assert reference.stable(c, "nash")[:, nnn].all()
    # ... but A then B reach YYN, where both gain "the other contributes" at the cost of their own -a/-b.
    assert not res.by_coalition["cnash"][ab, nnn]
    # C can answer YYN by punishing (YYY), which A and B like less than NNN (-c fails): CGMR and
    # CSMR hold for {A, B}, since from YYY neither A nor B can undo c.
    assert res.by_coalition["cgmr"][ab, nnn]
    assert res.by_coalition["csmr"][ab, nnn]
    # Punishing is not an improvement for C (it loses -c, a & b unchanged): no credible sanction.
    assert not res.by_coalition["cseq"][ab, nnn]
    # The grand coalition also gains by moving to YYN (C gains a & b) and nobody is left to sanction it.
    for concept in CONCEPTS:
        assert not res.by_coalition[concept][abc, nnn]
        assert not res.stable[concept][:, nnn].any()
    # YYN: A alone gains by dropping a (NYN), so it is not CNash, but B answers by dropping b (NNN),
    # an improvement for B that A likes less than YYN: YYN is a CGMR, CSMR and CSEQ equilibrium.
    assert not res.stable["cnash"][0, yyn]
    for concept in ("cgmr", "csmr", "cseq"):
        assert yyn in res.equilibria(concept)
    assert list(res.equilibria("cnash")) == []


def test_sanctions_are_judged_by_each_member() -> None:
    # As JOINT, but B wants A to contribute above all and does not mind C's punishment: C's answer
    # (YYY) to the joint move NNN -> YYN deters A but not B (Inohara & Hipel 2008: stability for a DM).
    c = compile_text(JOINT.replace("[-c, a, -b]", "[a, -b, -c]"))
    nnn = state(c, "NNN")
    res = coalition_stability(c, coalitions=[["A", "B"]])
    ab = res.coalitions.index((0, 1))
    assert res.by_member["cgmr"][ab, :, nnn].tolist() == [True, False, True]
    assert not res.by_coalition["cgmr"][ab, nnn]
    assert res.stable["cgmr"][:, nnn].tolist() == [True, False, True]
    assert res.upsetting("cgmr", nnn) == ((0, 1),)
    assert res.upsetting("cgmr", nnn, dm=0) == ()


def test_prisoners_dilemma_mutual_defection_falls_to_the_grand_coalition() -> None:
    # Fang, Hipel & Kilgour (1993) ch. 2: YY (both defect) is the Nash equilibrium; both prefer NN, which
    # the coalition of the two reaches in two moves, and no one remains to sanction it.
    c = compile_text(
        """
name: pd
decision_makers:
  - name: A
    options: [{name: da}]
    preferences: {statements: [-db, da]}
  - name: B
    options: [{name: db}]
    preferences: {statements: [-da, db]}
"""
    )
    yy, nn = state(c, "YY"), state(c, "NN")
    res = coalition_stability(c)
    assert reference.stable(c, "nash")[:, yy].all()
    for concept in CONCEPTS:
        assert not res.stable[concept][:, yy].any()
        assert res.upsetting(concept, yy) == ((0, 1),)
    # NN: each gains alone by defecting, but the other defects in turn, to YY: GMR/SEQ-stable, not Nash.
    assert list(res.equilibria("cgmr")) == [nn]
    assert list(res.equilibria("cseq")) == [nn]
    assert list(res.equilibria("cnash")) == []


def test_coalitions_by_name_and_from_the_file() -> None:
    c = compile_text(JOINT + "coalitions: [[A, B]]\n")
    assert c.coalitions == ((0, 1),)
    res = coalition_stability(c)
    assert res.coalitions == ((0,), (1,), (2,), (0, 1))
    named = coalition_stability(c, coalitions=[["A", "B"]])
    assert named.coalitions == res.coalitions
    # C is in no listed coalition, so its coalition stability is its individual stability.
    assert np.array_equal(res.stable["cgmr"][2], reference.stable(c, "gmr")[2])
    frame = res.to_frame()
    assert "cseq:A+B" in frame.columns and "cseq:C" in frame.columns
    assert list(frame["cnash:equilibrium"]) == list(res.stable["cnash"].all(axis=0))


def test_too_large_for_the_memory_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    c = compile_text(JOINT)
    monkeypatch.setenv("DETENTE_MEMORY_BUDGET", "512")  # bytes: below 8 x 8 states x 16 bytes
    with pytest.raises(ModelTooLargeError, match="memory budget"):
        coalition_stability(c)
    monkeypatch.setenv("DETENTE_MEMORY_BUDGET", "1M")
    assert coalition_stability(c).coalitions


def test_bad_coalitions_and_concepts_are_refused() -> None:
    c = compile_text(JOINT)
    with pytest.raises(ValueError, match="distinct"):
        coalition_stability(c, coalitions=[[0, 0]])
    with pytest.raises(ValueError, match="distinct"):
        coalition_stability(c, coalitions=[[0, 5]])
    with pytest.raises(KeyError):
        coalition_stability(c, coalitions=[["A", "Z"]])
    with pytest.raises(ValueError, match="unknown coalition concept"):
        coalition_stability(c, concepts=["gmr"])


@settings(max_examples=100, deadline=None)
@given(conflicts(max_dms=4, max_options=4))
def test_fast_equals_reference(c: Conflict) -> None:
    fast = coalition_stability(c, method="fast")
    ref = coalition_stability(c, method="reference")
    assert fast.coalitions == ref.coalitions
    for concept in CONCEPTS:
        assert np.array_equal(fast.by_member[concept], ref.by_member[concept]), concept
        assert np.array_equal(fast.stable[concept], ref.stable[concept]), concept


@settings(max_examples=40, deadline=None)
@given(conflicts(min_dms=3, max_dms=3, max_options=5))
def test_fast_equals_reference_three_dms(c: Conflict) -> None:
    fast = coalition_stability(c, method="fast")
    ref = coalition_stability(c, method="reference")
    for concept in CONCEPTS:
        assert np.array_equal(fast.by_member[concept], ref.by_member[concept]), concept


@settings(max_examples=40, deadline=None)
@given(conflicts(max_dms=4, max_options=5))
def test_properties(c: Conflict) -> None:
    res = coalition_stability(c)
    # Singleton coalitions only: exactly the individual concepts (Inohara & Hipel 2008).
    alone = coalition_stability(c, coalitions=[(i,) for i in range(c.n_dms)])
    for concept, individual in INDIVIDUAL.items():
        assert np.array_equal(alone.stable[concept], reference.stable(c, individual))
    nash = reference.stable(c, "nash")
    assert not (res.stable["cnash"] & ~nash).any()
    for table in (res.by_member, res.by_coalition, res.stable):
        # CNash implies every other concept; CSMR and CSEQ imply CGMR.
        assert not (table["cnash"] & ~(table["csmr"] & table["cseq"])).any()
        assert not ((table["csmr"] | table["cseq"]) & ~table["cgmr"]).any()
    # More coalitions can only remove stability.
    assert not (res.stable["cgmr"] & ~alone.stable["cgmr"]).any()


@settings(max_examples=30, deadline=None)
@given(conflicts(max_dms=3, max_options=5))
def test_legal_closure_matches_breadth_first_reference(c: Conflict) -> None:
    for i in range(c.n_dms):
        moves = move_matrix(c, i).toarray()
        for s in range(c.n_states):
            assert set(np.flatnonzero(moves[s])) == set(reference.reachable(c, i, s))
    for members in all_coalitions(c, 1):
        for improving in (False, True):
            steps = [move_matrix(c, k, improving) for k in members]
            closure = legal_closure(steps, c.n_states)
            for s in range(c.n_states):
                # Off the diagonal (whether H can come back to s is never used).
                expected = reference.coalition_reachable(c, members, s, improving) - {s}
                assert set(np.flatnonzero(closure[s])) == expected
                assert not closure[s, s]
