"""First-level hypergames on a hand-worked two-player 'summit' game.

North Korea (NK) chooses whether to offer Yongbyon; the US whether to grant sanctions relief.
True US order (hand-set): NK offers & no relief > nothing > partial deal > relief for nothing.
NK's order: relief for nothing > partial deal > nothing > offer for nothing.
NK misperceives the US as valuing the partial deal most (the seed article's "underestimated Trump").
"""

import re
from random import Random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.conflict import reference
from detente.conflict.hypergame import Perception, analyze_hypergame
from detente.conflict.model import Conflict
from detente.io.conflict import compile_conflict
from detente.io.conflict_spec import ConflictSpec
from detente.render.hypergame_words import explain
from tests.conflict.strategies import conflicts

SPEC = {
    "name": "summit",
    "decision_makers": [
        {"name": "NK", "options": [{"name": "offer"}], "preferences": {"ranking": ["NY", "YY", "NN", "YN"]}},
        {"name": "US", "options": [{"name": "relief"}], "preferences": {"ranking": ["YN", "NN", "YY", "NY"]}},
    ],
    "status_quo": "NN",
}


def test_misperception_makes_the_deal_look_stable_only_to_north_korea() -> None:
    c = compile_conflict(ConflictSpec.model_validate(SPEC))
    deal, nothing = c.resolve_state("YY"), c.resolve_state("NN")
    # NK believes the US ranks: partial deal > NK offers alone > nothing > relief for nothing.
    believed = c.ranks.copy()
    us_believed = {"YY": 3, "YN": 2, "NN": 1, "NY": 0}
    believed[1] = [us_believed[c.label(s)] for s in range(c.n_states)]
    result = analyze_hypergame(c, {0: Perception(0, believed)}, concepts=("nash", "seq"))

    # Real game: from the deal the US improves by withdrawing relief (YY -> YN); NK's only answer is to
    # withdraw its offer (YN -> NN), which the US still prefers to the deal: the deal is not SEQ-stable.
    assert deal not in result.real.equilibria("seq")
    assert nothing in result.real.equilibria("seq")
    # NK's game: the US would not leave the deal (it believes the US likes it best), and NK's own
    # temptation (withdraw the offer, keep relief: YY -> NY) is sanctioned by the US ending relief
    # (NY -> NN), worse for NK than the deal: the deal is an equilibrium NK expects.
    assert deal in result.expected_equilibria(0, "seq")
    assert result.misperceivers() == (0,)
    # Hypergame: each side acts on its own game. The deal fails for the US, so it is no hypergame
    # equilibrium; the no-deal state is stable for both in their own games.
    assert deal not in result.equilibria("seq")
    assert nothing in result.equilibria("seq")


def test_hidden_options_fix_the_unknown_option_at_the_status_quo() -> None:
    c = compile_conflict(ConflictSpec.model_validate(SPEC))
    result = analyze_hypergame(c, {0: Perception(0, c.ranks, frozenset({1}))}, concepts=("nash",))
    kept = np.flatnonzero(result.state_maps[0] >= 0)
    assert sorted(c.label(s) for s in kept) == ["NN", "YN"]  # relief stays at N, as in the status quo
    # Without relief in view, NK's best is not to offer: NN is the only equilibrium it expects.
    assert [c.label(s) for s in result.expected_equilibria(0, "nash")] == ["NN"]


def test_explanation_names_the_move_and_the_belief() -> None:
    c = compile_conflict(ConflictSpec.model_validate(SPEC))
    believed = c.ranks.copy()
    us_believed = {"YY": 3, "YN": 2, "NN": 1, "NY": 0}
    believed[1] = [us_believed[c.label(s)] for s in range(c.n_states)]
    text = explain(analyze_hypergame(c, {0: Perception(0, believed)}, concepts=("seq",)), "seq")
    deal, walk = c.number(c.resolve_state("YY")), c.number(c.resolve_state("YN"))
    assert text[0].startswith(f"NK expects state {deal} ")
    assert f"US truly prefers to move: US abandons “relief”, reaching state {walk}" in text[0]
    assert f"NK believed US likes state {deal} better than state {walk}" in text[0]
    assert "outcomes that hold under SEQ are: state 1 " in text[-1]


@settings(max_examples=60, deadline=None)
@given(conflicts(max_dms=3, max_options=5), st.randoms(use_true_random=False))
def test_every_claim_of_the_explanation_holds_by_the_definitions(conflict: Conflict, rnd: Random) -> None:
    """Each 'X truly prefers to move ... reaching state T' names an improvement of X that no response
    deters (brute-force reference), and each stated belief matches the perceived ranks."""
    believed = conflict.ranks.copy()
    for i in range(1, conflict.n_dms):
        row = list(believed[i])
        rnd.shuffle(row)
        believed[i] = row
    result = analyze_hypergame(conflict, {0: Perception(0, believed)}, concepts=("seq",), method="reference")
    names = {dm.name.replace("_", " "): i for i, dm in enumerate(conflict.decision_makers)}
    for paragraph in explain(result, "seq"):
        head = re.match(r"\S+ expects state (\d+) ", paragraph)
        if head is None:
            continue
        s = int(head.group(1)) - 1
        for who, t in re.findall(r"(\S+) truly prefers to move: .*?, reaching state (\d+),", paragraph):
            i, t = names[who], int(t) - 1
            assert t in reference.unsanctioned_improvements(conflict, "seq", i, s)
            if believed[i, s] > believed[i, t]:
                assert f"believed {who} likes state {s + 1} better than state {t + 1}" in paragraph
            elif believed[i, s] < believed[i, t]:
                assert f"saw that {who} prefers state {t + 1}" in paragraph
            else:
                assert f"believed {who} is indifferent between states {s + 1} and {t + 1}" in paragraph
