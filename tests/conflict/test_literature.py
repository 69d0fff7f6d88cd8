"""Classic conflicts from the literature: detente's equilibria against the standard answers.

States are compared by their option values (which options are taken), never by state numbers,
because every publication numbers states its own way. The expected sets are worked out by hand
in each test's docstring from the definitions of Nash, GMR, SMR and SEQ stability (Fang, Hipel &
Kilgour 1993, Interactive Decision Making, ch. 3; Fraser & Hipel 1984, Conflict Analysis), and
agree with the textbook results for these games. Both stability methods must give them.

Not covered, for want of the published option tables and preferences in the sources available
when this was written: the Cuban missile crisis, Elmira, the Garrison Diversion Unit and the
Syria-Iraq model of Hipel, Kilgour & Kinsara (2014). Entering them from memory would be inventing.
"""

from __future__ import annotations

import pytest

from detente.conflict.model import Conflict
from detente.conflict.stability import CONCEPTS, analyze
from detente.io.conflict import load_conflict
from tests.conflict.helpers import EXAMPLES


def equilibria_by_options(conflict: Conflict, method: str) -> dict[str, set[frozenset[str]]]:
    """Per concept, each equilibrium as the set of option names taken in it."""
    result = analyze(conflict, CONCEPTS, method=method)  # type: ignore[arg-type]
    out: dict[str, set[frozenset[str]]] = {}
    for concept in CONCEPTS:
        out[concept] = {
            frozenset(name for name, taken in conflict.option_values(int(s)).items() if taken)
            for s in result.equilibria(concept)
        }
    return out


def taken(*names: str) -> frozenset[str]:
    return frozenset(names)


@pytest.fixture(params=["fast", "reference"])
def method(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_prisoners_dilemma(method: str) -> None:
    """The Prisoner's Dilemma as a graph model (Fang, Hipel & Kilgour 1993).

    Mutual defection is the only Nash equilibrium. Mutual cooperation is GMR, SMR and SEQ stable:
    by hand, if A defects from it (A's only improvement), B's reply "defect too" is itself an
    improvement for B and leaves A worse off than mutual cooperation, and A's only counter-reply
    from mutual defection (back to silence) is worse still for A; symmetrically for B. The two
    one-sided defections are unstable for the exploited player under every concept (its move to
    mutual defection cannot be sanctioned: the other's only reply is A's best state).
    """
    pd = load_conflict(EXAMPLES / "prisoners_dilemma.yaml")
    eq = equilibria_by_options(pd, method)
    both_defect = taken("A_defects", "B_defects")
    cooperate = taken()
    assert eq["nash"] == {both_defect}
    for concept in ("gmr", "smr", "seq"):
        assert eq[concept] == {both_defect, cooperate}, concept


def test_chicken(method: str) -> None:
    """Rapoport & Guyer (1966) Chicken, analysed with the graph-model definitions.

    Nash: the two states where exactly one driver swerves (the swerver would only crash by
    moving). Both swerving is GMR and SMR stable: a driver who goes straight from there can be
    answered by the other going straight too, a crash, and its own only counter-move from the crash
    (swerving) is still worse than the draw. It is not SEQ stable, because that answer is no
    improvement for the one who gives it (crash < swerving alone), so the threat is not credible.
    The crash itself is unstable under every concept: either driver gains by swerving and the other
    can only answer by swerving too, which is better still for the first.
    """
    chicken = load_conflict(EXAMPLES / "chicken.yaml")
    eq = equilibria_by_options(chicken, method)
    a_wins, b_wins, draw = taken("A_straight"), taken("B_straight"), taken()
    assert eq["nash"] == {a_wins, b_wins}
    assert eq["seq"] == {a_wins, b_wins}
    assert eq["gmr"] == {a_wins, b_wins, draw}
    assert eq["smr"] == {a_wins, b_wins, draw}
