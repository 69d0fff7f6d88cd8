"""Status quo analysis and its narration: hand-worked cases and a brute-force path enumeration."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings

from detente.conflict import reference
from detente.conflict.coalition import coalition_stability
from detente.conflict.model import Conflict
from detente.conflict.paths import Path, Step, status_quo_paths
from detente.conflict.stability import StabilityResult, analyze
from detente.errors import ModelTooLargeError
from detente.render import narrate
from tests.conflict.strategies import conflicts
from tests.conflict.test_coalition import JOINT, compile_text

# Prisoner's Dilemma (Fang, Hipel & Kilgour 1993, ch. 2), options described as an analyst would.
PD = """
name: pd
decision_makers:
  - name: A
    options: [{name: da, description: confesses}]
    preferences: {statements: [-db, da]}
  - name: B
    options: [{name: db}]
    preferences: {statements: [-da, db]}
status_quo: NN
"""


def irreversible(direction: str) -> Conflict:
    """A wants to drop x, B wants y; the status quo has x taken. With x forward-only A cannot drop it."""
    return compile_text(
        f"""
name: lock-in
decision_makers:
  - name: A
    options: [{{name: x, reversibility: {direction}}}]
    preferences: {{statements: [-x]}}
  - name: B
    options: [{{name: y}}]
    preferences: {{statements: [y]}}
status_quo: YN
"""
    )


def test_prisoners_dilemma_from_mutual_cooperation_reaches_mutual_defection() -> None:
    c = compile_text(PD)
    nn, yn, ny, yy = (c.resolve_state(s) for s in ("NN", "YN", "NY", "YY"))
    a = status_quo_paths(c, analyze(c, ["nash", "seq"]), concept="nash")
    assert list(a.equilibria) == [yy]
    # Li, Kilgour & Hipel (2005): reachable in exactly t steps; each DM defects once, in either order.
    assert a.reach.shape == (3, 4)
    assert set(np.flatnonzero(a.reach[0])) == {nn}
    assert set(np.flatnonzero(a.reach[1])) == {yn, ny}
    assert set(np.flatnonzero(a.reach[2])) == {yy}
    assert list(a.distance) == [0, 1, 1, 2]
    assert a.paths[yy] == (
        Path(nn, (Step(nn, yn, (0,), (0,)), Step(yn, yy, (1,), (1,)))),
        Path(nn, (Step(nn, ny, (1,), (1,)), Step(ny, yy, (0,), (0,)))),
    )
    assert all(step.kind == "unilateral" for step in a.paths[yy][0].steps)
    # NN is itself SEQ-stable (each defection is answered by the other's), so it is its own path.
    seq = status_quo_paths(c, analyze(c, ["seq"]))
    assert seq.paths[nn] == (Path(nn, ()),)
    assert list(seq.reachable_equilibria) == [nn, yy]


def test_an_equilibrium_that_cannot_be_reached_without_a_coalition() -> None:
    c = compile_text(PD)
    nn, yy = c.resolve_state("NN"), c.resolve_state("YY")
    result = analyze(c, ["seq"])
    a = status_quo_paths(c, result, start=yy)
    # From mutual defection neither DM gains alone: nothing moves, NN stays out of reach.
    assert list(a.unreachable_equilibria) == [nn]
    assert list(a.distance) == [-1, -1, -1, 0]
    assert a.reach.shape == (1, 4)
    # Together they do: one coalition improvement in which both change their option.
    joint = status_quo_paths(c, result, start=yy, coalitions=True)
    assert joint.paths[nn] == (Path(yy, (Step(yy, nn, (0, 1), (0, 1)),)),)
    assert joint.paths[nn][0].steps[0].kind == "coalition"
    text = narrate.describe_paths(c, a)
    assert len(text) == 2
    assert text[0].startswith("State 4 (A chooses “confesses”; B chooses “db”) is already an equilibrium")
    assert text[1].startswith("State 1 (A does not choose “confesses”")
    assert text[1].endswith("cannot be reached from state 4 by unilateral improvements.")


def test_irreversibility_blocks_the_path() -> None:
    free, locked = irreversible("both"), irreversible("forward")
    target = free.resolve_state("NY")
    for c in (free, locked):
        assert target in analyze(c, ["nash"]).equilibria("nash")
    a = status_quo_paths(free, analyze(free, ["nash"]), concept="nash")
    assert a.distance[target] == 1 + 1
    b = status_quo_paths(locked, analyze(locked, ["nash"]), concept="nash")
    assert b.distance[target] == -1
    assert target in b.unreachable_equilibria
    assert list(b.reachable_equilibria) == [locked.resolve_state("YY")]


def test_max_steps_caps_the_search(monkeypatch: pytest.MonkeyPatch) -> None:
    c = compile_text(PD)
    a = status_quo_paths(c, analyze(c, ["nash"]), concept="nash", max_steps=1)
    assert a.reach.shape == (2, 4)
    assert list(a.unreachable_equilibria) == [c.resolve_state("YY")]
    assert narrate.describe_paths(c, a)[-1].endswith(
        "from the status quo by unilateral improvements within 1 step."
    )
    with pytest.raises(ValueError, match="out of range"):
        status_quo_paths(c, analyze(c, ["nash"]), concept="nash", start=9)
    with pytest.raises(ValueError, match="has no 'seq'"):
        status_quo_paths(c, analyze(c, ["nash"]))
    result = analyze(c, ["nash"])
    monkeypatch.setenv("DETENTE_MEMORY_BUDGET", "100")  # bytes: below 4 x 4 states x 10 bytes
    with pytest.raises(ModelTooLargeError, match="status quo analysis"):
        status_quo_paths(c, result, concept="nash")


# -- brute force: enumerate every legal sequence of improvements -----------------------------------
def brute_force(c: Conflict, start: int, depth: int, coalitions: bool) -> dict[int, list[tuple[Step, ...]]]:
    """All legal improvement sequences of each length up to ``depth``, keyed by length."""
    movers: list[tuple[int, ...]] = [(i,) for i in range(c.n_dms)]
    if coalitions:
        movers += [h for k in range(2, c.n_dms + 1) for h in combinations(range(c.n_dms), k)]

    def options_of(s: int, t: int) -> tuple[int, ...]:
        diff = int(c.states[s]) ^ int(c.states[t])
        return tuple(j for j in range(c.n_options) if diff >> j & 1)

    def steps_from(h: tuple[int, ...], s: int) -> list[int]:
        if len(h) == 1:
            return reference.improvements(c, h[0], s)
        out = []
        for t in sorted(reference.coalition_reachable(c, h, s, False)):
            owners = {c.options[j].owner for j in options_of(s, t)}
            if all(c.ranks[k, t] > c.ranks[k, s] for k in h) and owners == set(h):
                out.append(t)
        return out

    seqs: dict[int, list[tuple[Step, ...]]] = {0: [()]}
    for n in range(1, depth + 1):
        seqs[n] = []
        for seq in seqs[n - 1]:
            here = seq[-1].target if seq else start
            last = seq[-1].mover if seq else None
            for h in movers:
                if h != last:
                    seqs[n] += [(*seq, Step(here, t, h, options_of(here, t))) for t in steps_from(h, here)]
    return seqs


@settings(max_examples=80, deadline=None)
@given(conflicts(max_dms=3, max_options=4))
def test_matches_brute_force_enumeration(c: Conflict) -> None:
    depth = 4
    for coalitions in (False, True):
        concept = "nash"
        result = StabilityResult(c, {concept: reference.stable(c, concept)})
        a = status_quo_paths(
            c, result, concept, start=0, coalitions=coalitions, max_steps=depth, max_paths=10**6
        )
        seqs = brute_force(c, 0, depth, coalitions)
        assert a.reach.shape[0] == depth + 1
        for n in range(depth + 1):
            ends = {seq[-1].target if seq else 0 for seq in seqs[n]}
            assert set(np.flatnonzero(a.reach[n])) == ends
        for e in a.equilibria:
            lengths = [n for n in range(depth + 1) if any((s[-1].target if s else 0) == e for s in seqs[n])]
            if not lengths:
                assert a.distance[e] == -1
                continue
            d = min(lengths)
            assert a.distance[e] == d
            expected = {s for s in seqs[d] if (s[-1].target if s else 0) == e}
            if d == 0:
                expected = {()}
            assert {p.steps for p in a.paths[int(e)]} == expected


@settings(max_examples=25, deadline=None)
@given(conflicts(max_dms=3, max_options=5))
def test_default_search_finds_every_reachable_state(c: Conflict) -> None:
    result = StabilityResult(c, {"nash": reference.stable(c, "nash")})
    a = status_quo_paths(c, result, "nash", start=0)
    # Breadth-first reference on (state, last mover) nodes.
    seen = {(0, -1)}
    frontier = [(0, -1)]
    states = {0}
    while frontier:
        nxt = []
        for s, last in frontier:
            for i in range(c.n_dms):
                if i != last:
                    for t in reference.improvements(c, i, s):
                        if (t, i) not in seen:
                            seen.add((t, i))
                            nxt.append((t, i))
                            states.add(t)
        frontier = nxt
    assert set(np.flatnonzero(a.distance >= 0)) == states
    assert a.reach.any(axis=0).tolist() == [s in states for s in range(c.n_states)]


# -- narration ---------------------------------------------------------------------------------------
def test_describe_state_uses_descriptions_then_names() -> None:
    c = compile_text(PD)
    text = narrate.describe_state(c, c.resolve_state("YN"))
    assert text == "state 2 (A chooses “confesses”; B does not choose “db”)"


def test_describe_paths_tells_each_step() -> None:
    c = compile_text(PD)
    a = status_quo_paths(c, analyze(c, ["nash"]), concept="nash")
    text = narrate.describe_paths(c, a)
    assert len(text) == 2
    assert text[0].startswith("From the status quo, state 1 (A does not choose “confesses”")
    assert "A adopts “confesses”, reaching state 2, which A prefers to state 1; then B adopts “db”" in text[0]
    assert text[0].endswith("in 2 steps, stable under Nash for both A and B.")
    assert "B adopts “db”, reaching state 3" in text[1]


def test_describe_stability_names_the_sanction() -> None:
    c = compile_text(PD)
    nn = c.resolve_state("NN")
    text = narrate.describe_stability(c, analyze(c, ["nash", "gmr", "seq"]), nn)
    assert len(text) == 2
    a = text[0]
    assert "A could improve by moving alone: A adopts “confesses” (state 2)" in a
    assert "Under Nash state 1 is unstable for A." in a
    assert "Under GMR state 1 is stable for A" in a
    assert "B adopts “db” (state 4), which A likes less than state 1" in a
    yn = c.resolve_state("YN")
    b = narrate.describe_stability(c, analyze(c, ["gmr"]), yn)[1]
    assert "Under GMR state 2 is unstable for B: if B adopts “db” (state 4), no sequence" in b
    assert "A has no move of its own" in narrate.describe_stability(c, analyze(c, ["gmr"]), yn)[0]


def test_describe_stability_for_coalitions() -> None:
    c = compile_text(PD)
    yy = c.resolve_state("YY")
    text = narrate.describe_stability(c, coalition_stability(c, ["cnash", "cgmr"]), yy)
    assert "Under CNash state 4 is unstable for A: A and B can improve jointly" in text[0]
    assert "nobody is left to sanction it" in text[0]


def test_narration_of_several_options() -> None:
    c = compile_text(
        """
name: two options
decision_makers:
  - name: North_Korea
    options: [{name: x, label: the Yongbyon offer}, {name: y_step}]
    preferences: {statements: [x & y_step]}
  - name: US
    options: [{name: z, description: Sanctions relief.}]
    preferences: {statements: [-z]}
status_quo: NNN
"""
    )
    assert narrate.describe_state(c, c.resolve_state("YNN")) == (
        "state 2 (North Korea chooses “the Yongbyon offer” but not “y step”; US does not choose "
        "“Sanctions relief”)"
    )
    a = status_quo_paths(c, analyze(c, ["nash"]), concept="nash")
    (text,) = narrate.describe_paths(c, a)
    assert "North Korea adopts “the Yongbyon offer” and “y step”, reaching state 4" in text


def test_describe_stability_names_the_joint_move() -> None:
    c = compile_text(JOINT)
    nnn = c.resolve_state("NNN")
    text = narrate.describe_stability(c, coalition_stability(c, ["cgmr", "cseq"], [["A", "B"]]), nnn)
    assert "A has no move of its own that it prefers" in text[0]
    assert "Under CGMR state 1 is stable for A" in text[0]
    assert (
        "Under CSEQ state 1 is unstable for A: A and B can improve jointly: B adopts “b” (state 3), "
        "then A adopts “a” (state 4), which A and B each prefer; the others cannot answer" in text[0]
    )
    assert "Under CGMR and CSEQ state 1 is stable for C" in text[2]
