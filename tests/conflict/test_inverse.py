"""Inverse analysis: the fast count against brute force over all permutations, hand-worked cases."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from detente.conflict import inverse as inverse_module
from detente.conflict import reference
from detente.conflict.inverse import MAX_STATES, inverse_analysis, inverse_statement_orders
from detente.conflict.model import Conflict, DecisionMaker, Option
from detente.errors import ModelTooLargeError
from detente.io.conflict import compile_conflict, load_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.io.statement_arrays import statement_preferences
from detente.io.yamlio import parse_yaml, validate_model
from tests.conflict.helpers import EXAMPLES
from tests.conflict.strategies import conflicts


def brute_force(
    conflict: Conflict, target: int, dm: int, concept: str, known: tuple[tuple[int, int], ...] = ()
) -> tuple[int, int, int, set[tuple[int, ...]]]:
    """(count, total, stable for dm, qualifying rankings) by trying every permutation of the states."""
    k = conflict.n_states
    count = total = own = 0
    good: set[tuple[int, ...]] = set()
    for order in itertools.permutations(range(k)):
        position = {s: p for p, s in enumerate(order)}
        if any(position[b] > position[w] for b, w in known):
            continue
        total += 1
        ranks = conflict.ranks.copy()
        ranks[dm] = [k - 1 - position[s] for s in range(k)]
        variant = conflict.with_ranks(ranks)
        own += reference.is_stable(variant, concept, dm, target)
        if all(reference.is_stable(variant, concept, j, target) for j in range(conflict.n_dms)):
            count += 1
            good.add(order)
    return count, total, own, good


SMALL = conflicts(min_dms=2, max_dms=3, max_options=3).filter(lambda c: c.n_states <= 6)


@settings(max_examples=60, deadline=None)
@given(
    SMALL,
    hs.sampled_from(reference.CONCEPTS),
    hs.data(),
)
def test_count_matches_brute_force(conflict: Conflict, concept: str, data: hs.DataObject) -> None:
    """Counts, totals and examples equal brute force over all k! rankings (others may have ties)."""
    k = conflict.n_states
    target = data.draw(hs.integers(0, k - 1))
    dm = data.draw(hs.integers(0, conflict.n_dms - 1))
    pairs = data.draw(hs.lists(hs.tuples(hs.integers(0, k - 1), hs.integers(0, k - 1)), max_size=3))
    known = tuple((b, w) for b, w in pairs if b != w)
    result = inverse_analysis(conflict, target, dm, concept, known, max_examples=4)
    count, total, own, good = brute_force(conflict, target, dm, concept, known)
    assert (result.count, result.total, result.stable_for_dm) == (count, total, own)
    assert len(result.examples) == min(4, count)
    assert set(result.examples) <= good


# -- hand-worked cases ---------------------------------------------------------------------------
# Prisoner's Dilemma file: option order A_defects, B_defects; state indices 0 = NN (both silent),
# 1 = YN (A defects), 2 = NY (B defects), 3 = YY (both defect). A's only move from NN is to YN;
# B's only reply from YN is to YY; A's only move from YY is to NY.
NN, YN, NY, YY = 0, 1, 2, 3


def prisoners_dilemma() -> Conflict:
    return load_conflict(EXAMPLES / "prisoners_dilemma.yaml")


def test_pd_nash_mutual_cooperation_is_impossible() -> None:
    """B gains by defecting from NN whatever A prefers, so no ranking of A makes NN Nash."""
    result = inverse_analysis(prisoners_dilemma(), NN, 0, "nash")
    assert (result.count, result.total, result.examples) == (0, 24, ())
    assert result.stable_for_dm == 12  # A ranks NN above YN in half of the orders
    assert result.conditions[0] == "A must prefer state 1 to state 2"
    assert "B cannot be NASH-stable at state 1" in result.conditions[1]


def test_pd_gmr_counts_by_hand() -> None:
    """GMR for A at NN: A's move to YN is deterred unless A ranks both YN and YY above NN.

    Of the 24 orders of 4 states, NN is below both YN and YY in 1/3 of them (8), so 16 remain.
    B is GMR-stable at NN whatever A prefers (A's reply YY is B's third state, below NN).
    """
    result = inverse_analysis(prisoners_dilemma(), NN, 0, "gmr")
    assert (result.count, result.total) == (16, 24)
    assert result.conditions == (
        "if A prefers state 2 to state 1, it must prefer state 1 to state 4 (GMR sanctions by the others)",
        "B is GMR-stable at state 1 whatever A prefers",
    )


def test_pd_smr_counts_by_hand() -> None:
    """SMR for A at NN fails only if YN > NN and NN is above both YY and NY (A's counter from YY).

    Orders with YN > NN: 12; of those, YN > NN > {YY, NY}: 2 orders. 24 - (12 - 2) = 14.
    """
    assert inverse_analysis(prisoners_dilemma(), NN, 0, "smr").count == 14


def test_pd_seq_counts_by_hand() -> None:
    """SEQ at NN needs A's own condition (as GMR) and, for B, A's reply NY -> YY to be credible.

    B's defection NN -> NY is sanctioned only if A prefers YY to NY (then YY is below NN for B).
    Orders with YY > NY: 12. Of those, the ones where A also ranks YN and YY above NN are the
    linear extensions of {YY > NY, YY > NN, YN > NN}: 3 with YY on top and 2 with YN on top, 5 in
    all. 12 - 5 = 7.
    """
    result = inverse_analysis(prisoners_dilemma(), NN, 0, "seq")
    assert (result.count, result.total) == (7, 24)
    assert "A must prefer state 4 to state 3" in result.conditions[-1]
    for order in result.examples:
        assert order.index(YY) < order.index(NY)


def test_known_preferences_restrict_the_count() -> None:
    """With A known to prefer NN to YN, A's move from NN is no improvement: all 12 orders qualify."""
    result = inverse_analysis(prisoners_dilemma(), NN, 0, "gmr", known=[(NN, YN)])
    assert (result.count, result.total) == (12, 12)
    contradictory = inverse_analysis(prisoners_dilemma(), NN, 0, "gmr", known=[(NN, YN), (YN, NN)])
    assert (contradictory.count, contradictory.total) == (0, 0)


def syria_like() -> Conflict:
    """A constructed three-party model (not the published one) with Syria's counting structure.

    Options: Release, Escalate (Syria), Attack (Iraq), Act (Third); six feasible states. From the
    target "Syria releases" Syria can move to a = "nothing" or b = "escalate". From a, Iraq's
    attack then the third party's action are both improvements (two sanctioning states); from b the
    third party's action is one. Iraq and the third party cannot move at the target.
    """
    codes = np.array([0b0000, 0b0001, 0b0010, 0b0100, 0b1010, 0b1100])
    options = (Option("Release", 0), Option("Escalate", 0), Option("Attack", 1), Option("Act", 2))
    dms = (DecisionMaker("Syria", (0, 1)), DecisionMaker("Iraq", (2,)), DecisionMaker("Third", (3,)))
    # ranks by state index (codes above): Iraq prefers attacking when Syria holds the water (0b0100
    # over 0b0000); the third party prefers acting after an attack and after an escalation.
    iraq = [1, 0, 2, 5, 3, 4]
    third = [0, 1, 2, 3, 5, 4]
    return Conflict("syria-like", dms, options, codes, np.array([[0] * 6, iraq, third]))


def test_syria_count_arithmetic() -> None:
    """The combinatorics behind counts like Hipel, Kilgour & Kinsara's (2014) 240 and 420 of 6!.

    Nash: Syria must rank the target above its two moves: 1/3 of 720 = 240. SEQ with sanction sets
    of sizes p = 2 and q = 1 (disjoint, since the others cannot change Syria's options): by
    inclusion-exclusion 1 - 1/(p+2) - 1/(q+2) + 1/(p+q+3) = 1 - 1/4 - 1/3 + 1/6 = 7/12 of 720 = 420.
    """
    conflict = syria_like()
    target = 1
    assert reference.reachable(conflict, 0, target) == [0, 2]
    nash = inverse_analysis(conflict, target, 0, "nash")
    seq = inverse_analysis(conflict, target, 0, "seq")
    assert (nash.count, seq.count, seq.total) == (240, 420, math.factorial(6))
    assert (nash.stable_for_dm, seq.stable_for_dm) == (240, 420)  # the others have no moves
    assert nash.conditions[0] == "Syria must prefer state 2 to states 1 and 3"


def test_statement_orders_prisoners_dilemma() -> None:
    """A's two statement orders: PD order keeps NN a GMR equilibrium; "A_defects" first does not.

    With A_defects first, A ranks YN > YY > NN > NY, so B's sanction YY is no deterrent from NN.
    Mutual defection stays a Nash equilibrium under both orders (A's move YY -> NY is worse).
    """
    pd = prisoners_dilemma()
    gmr = inverse_statement_orders(pd, NN, 0, "gmr", statement_preferences(pd, 0, pool=False))
    assert gmr.orders == (("-B_defects", "A_defects"),) and gmr.total == 2
    nash = inverse_statement_orders(pd, YY, 0, "nash", statement_preferences(pd, 0, pool=False))
    assert nash.count == 2


def test_bad_arguments() -> None:
    pd = prisoners_dilemma()
    with pytest.raises(ValueError, match="unknown stability concept"):
        inverse_analysis(pd, NN, 0, "nope")
    with pytest.raises(ValueError, match="two different states"):
        inverse_analysis(pd, NN, 0, "nash", known=[(NN, NN)])
    with pytest.raises(ValueError, match="out of range"):
        inverse_analysis(pd, 9, 0, "nash")
    with pytest.raises(ValueError, match="conflict file"):
        statement_preferences(syria_like(), 0, pool=False)
    data, lines = parse_yaml(RANKED, "ranked.yaml")
    ranked = compile_conflict(validate_model(ConflictSpec, data, lines), lines)
    with pytest.raises(ValueError, match="explicit ranking"):
        statement_preferences(ranked, 0, pool=False)


RANKED = """
name: ranked
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {ranking: [Y-, N-]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b]}
"""


def test_refuses_large_state_spaces() -> None:
    m = 5
    options = tuple(Option(f"o{j}", j % 2) for j in range(m))
    dms = (DecisionMaker("A", (0, 2, 4)), DecisionMaker("B", (1, 3)))
    big = Conflict("big", dms, options, np.arange(1 << m), np.zeros((2, 1 << m), dtype=np.int64))
    assert big.n_states > MAX_STATES
    with pytest.raises(ModelTooLargeError, match="exact up to"):
        inverse_analysis(big, 0, 0, "nash")


def test_seq_search_budget_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SEQ case at NN needs a branch on A's move NY -> YY; a budget of one case refuses it."""
    monkeypatch.setattr(inverse_module, "MAX_BRANCHES", 1)
    with pytest.raises(ModelTooLargeError, match="known pairs"):
        inverse_analysis(prisoners_dilemma(), NN, 0, "seq")
