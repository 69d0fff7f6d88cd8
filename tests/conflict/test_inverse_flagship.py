"""The flagship question on the built-in North Korea–US scenario (9 October 2019, 4 decision makers,
144 states): what would make a relief-for-denuclearisation deal stable, and reachable from the status
quo? Answered with the condition, the smallest change and their reasoning."""

from __future__ import annotations

import numpy as np

from detente.conflict import inverse_reference as ref
from detente.conflict import reference
from detente.conflict.inverse_change import smallest_change, smallest_statement_change
from detente.conflict.inverse_condition import Comparison, build_condition
from detente.conflict.model import Conflict
from detente.io.scenario import builtin_scenario, load_scenario
from detente.io.statement_arrays import statement_preferences
from detente.render.inverse_json import change_dict, condition_dict, statement_change_dict
from detente.render.inverse_words import condition_words

DEAL = "NYNNYNNY"  # a serious step, no tests, no bypass; relief, no walk-out, no CVID-first; China leaks


def dprk() -> tuple[Conflict, int]:
    c = load_scenario(builtin_scenario("dprk_us_2019_10")).conflict
    return c, next(s for s in range(c.n_states) if c.label(s) == DEAL)


def test_the_deal_is_not_stable_today_and_only_north_korea_can_change_that() -> None:
    c, t = dprk()
    nk, us = c.dm_index("NK"), c.dm_index("US_president")
    assert c.n_states == 144 and c.n_dms == 4
    assert not all(reference.is_stable(c, "nash", j, t) for j in range(c.n_dms))
    # Varying only the US president cannot help: North Korea would leave the deal whatever he prefers.
    us_only = build_condition(c, t, "nash", [us])
    assert not us_only.possible
    assert {dm for dm, _ in us_only.blocked} == {nk}
    # Varying North Korea (and the president): one requirement per move away from the deal, no more.
    both = build_condition(c, t, "nash", [nk, us])
    moves = [(i, s1) for i in range(c.n_dms) for s1 in reference.reachable(c, i, t)]
    movers = {i for i, s1 in moves if i in (nk, us)}
    assert movers == {nk, us}
    assert {(r.dm, r.move) for r in both.requirements} == {(i, s1) for i, s1 in moves if i in (nk, us)}
    for r in both.requirements:  # Nash: each is "prefer the deal to where the move leads"
        assert r.alternatives == ((Comparison(r.dm, t, r.move),),)


def test_smallest_change_makes_the_deal_stable_and_reachable() -> None:
    c, t = dprk()
    nk, us = c.dm_index("NK"), c.dm_index("US_president")
    cond = build_condition(c, t, "nash", [nk, us])
    change = smallest_change(c, t, "nash", [nk, us], condition=cond)
    assert change.feasible and change.cost > 0
    # only North Korea has to change its mind: the president already prefers the deal to his moves
    assert {x.dm for x in change.reversed} == {nk}
    assert ref.is_equilibrium(c, change.ranks, t, "nash")
    # every reversal is one of the condition's comparisons, and dropping any one breaks it
    needed = set(cond.comparisons())
    assert set(change.reversed) <= needed
    reach = smallest_change(c, t, "nash", [nk, us], from_status_quo=True, condition=cond)
    assert reach.feasible and reach.cost >= change.cost
    assert ref.is_equilibrium(c, reach.ranks, t, "nash")
    assert c.status_quo is not None
    assert reach.path[0] == c.status_quo and reach.path[-1] == t
    variant = c.with_ranks(reach.ranks)
    for a, b in zip(reach.path, reach.path[1:], strict=False):  # each step an improvement for its mover
        mover = next(k for k in range(c.n_dms) if reference.legal_move(c, k, a, b))
        assert variant.ranks[mover, b] > variant.ranks[mover, a]
    doc = change_dict(c, reach)
    assert doc["kind"] == "inverse_change" and doc["path"][-1] == t + 1
    assert doc["cost"] == reach.cost and len(doc["reversed"]) == reach.cost


def test_seq_condition_and_destabilising_the_status_quo() -> None:
    c, t = dprk()
    nk = c.dm_index("NK")
    cond = build_condition(c, t, "seq", [nk])
    assert cond.possible
    words = condition_words(c, cond)
    assert words[0].startswith(f"state {t + 1} (") and "SEQ" in words[0]
    assert all("NK prefers" in line for line in words[1:])
    doc = condition_dict(c, cond)
    assert doc["kind"] == "inverse_condition" and len(doc["requirements"]) == len(cond.requirements)
    change = smallest_change(c, t, "seq", [nk], condition=cond)
    assert ref.is_equilibrium(c, change.ranks, t, "seq")
    # the converse: the smallest change that ends the status quo as an equilibrium
    sq = c.status_quo
    assert sq is not None and ref.is_equilibrium(c, c.ranks, sq, "nash")
    undo = smallest_change(c, sq, "nash", [nk], goal="unstable")
    assert undo.feasible and undo.cost == 1 and undo.broken is not None
    assert not ref.is_equilibrium(c, undo.ranks, sq, "nash")


def test_statement_edits_for_north_korea() -> None:
    c, t = dprk()
    nk = c.dm_index("NK")
    prefs = statement_preferences(c, nk)
    assert prefs.truth.shape == (len(prefs.texts), 144) and len(prefs.tiers) == 8
    from detente.conflict.inverse_change import statement_ranks

    np.testing.assert_array_equal(statement_ranks(prefs.truth, prefs.tiers), c.ranks[nk])
    change = smallest_statement_change(c, t, "nash", nk, prefs, max_edits=2)
    if change.feasible:
        assert change.edits
        assert ref.is_equilibrium(c, change.ranks, t, "nash")
    doc = statement_change_dict(c, change, prefs)
    assert doc["feasible"] == change.feasible


def test_default_varying_and_clear_refusal() -> None:
    import pytest

    from detente.conflict.inverse_condition import suggest_varying
    from detente.errors import ModelTooLargeError

    c, t = dprk()
    nk = c.dm_index("NK")
    # who must change their minds for the deal: those for whom it is not stable now
    v = suggest_varying(c, t, "nash")
    assert v == tuple(j for j in range(c.n_dms) if not reference.is_stable(c, "nash", j, t))
    assert nk in v
    assert build_condition(c, t, "nash", v).possible
    # the status quo is an equilibrium: everyone who can move away from it may vary
    assert c.status_quo is not None
    assert suggest_varying(c, c.status_quo, "nash") == tuple(range(c.n_dms))
    # SEQ with every party varying at once is refused up front with advice, not left running
    with pytest.raises(ModelTooLargeError, match="vary fewer decision makers"):
        build_condition(c, c.status_quo, "seq", range(c.n_dms))
