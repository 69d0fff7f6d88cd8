"""Interventions as mechanisms: the assumes-its-own-outcome check, the effects of the flagship
recommendations in the real game and the hypergame, and the words that explain them."""

from __future__ import annotations

from functools import cache

import pytest

from detente.analysis import compile_variant
from detente.conflict.stability import CONCEPTS
from detente.interventions.evaluate import InterventionReport, Ranked, evaluate
from detente.interventions.mechanism import assumes_own_outcome, check_interventions
from detente.io.patch import Change
from detente.io.scenario import builtin_scenario, load_scenario
from detente.render import intervention_words as words

OCTOBER = "dprk_us_2019_10"


@cache
def _report(name: str) -> InterventionReport:
    s = load_scenario(builtin_scenario(name))
    return evaluate(s.data, s.spec.interventions, compile_variant(s.lines), s.spec.outcomes, CONCEPTS, runs=0)


def _ranked(name: str, iv: str) -> Ranked:
    return next(r for r in _report(name).ranked if r.assessment.name == iv)


# -- the check ------------------------------------------------------------------------------------
def test_a_patch_rewriting_the_target_preference_is_flagged() -> None:
    """Hand-made: 'dissuade provocations' modelled as North Korea simply preferring not to provoke."""
    data = load_scenario(builtin_scenario(OCTOBER)).data
    bad = Change(
        set="conflict.decision_makers[name=NK].preferences.statements[statement=nk_provoke iff -us_relief]",
        value={"statement": "-nk_provoke"},
    )
    verdict = assumes_own_outcome(data, "dissuade", [bad], addressee="US_officials")
    assert verdict.assumes and verdict.only
    assert [(m.party, m.what) for m in verdict.flagged] == [("NK", "-nk_provoke")]
    assert "Assumes its own outcome" in words.assumption_sentence(verdict)


def test_a_conditional_cost_and_a_belief_are_not_flagged_but_a_mixed_patch_is_partly() -> None:
    data = load_scenario(builtin_scenario(OCTOBER)).data
    cost = Change(
        insert="conflict.decision_makers[name=China].preferences.statements",
        at=0,
        value={"statement": "-cn_support if nk_provoke"},
    )
    belief = Change(remove="perceptions[name=nk_expects_better_deal_from_trump]")
    assert not assumes_own_outcome(data, "x", [cost, belief], "US").assumes
    own = Change(
        set="conflict.decision_makers[name=NK].preferences.statements[statement=nk_bypass]",
        value={"statement": "-nk_bypass"},
    )
    mixed = assumes_own_outcome(data, "empower (old)", [belief, own], "Trump")
    assert mixed.assumes and not mixed.only
    assert words.assumption_sentence(mixed).startswith("Partly assumes")
    # the addressee choosing its own conduct is what a recommendation asks for
    ours = Change(
        set="conflict.decision_makers[name=NK].preferences.statements[statement=nk_bypass]",
        value={"statement": "-nk_bypass"},
    )
    assert not assumes_own_outcome(data, "x", [ours], "NK").assumes


@pytest.mark.parametrize("name", ["dprk_us_2019_06", OCTOBER])
def test_no_builtin_intervention_assumes_its_own_outcome(name: str) -> None:
    s = load_scenario(builtin_scenario(name))
    assert len(s.spec.interventions) == (5 if name.endswith("06") else 11)
    flagged = [v.intervention for v in check_interventions(s.data, s.spec.interventions) if v.assumes]
    assert flagged == []


# -- the flagship effects -------------------------------------------------------------------------
def _status(r: Ranked, outcome: str, concept: str) -> tuple[bool, bool]:
    st = r.assessment.outcomes[outcome][concept]
    return st.equilibrium, st.hypergame_equilibrium


def test_secondary_sanctions_and_coordination_end_chinese_leakage_through_a_cost() -> None:
    base = _report(OCTOBER).baseline
    assert base.outcomes["chinese_leakage"]["seq"].equilibrium
    for name in ("secondary_sanctions", "coordinate_with_seoul_and_beijing"):
        r = _ranked(OCTOBER, name)
        assert _status(r, "chinese_leakage", "nash") == (False, False)
        assert _status(r, "chinese_leakage", "seq") == (False, False)
        # the mechanism is a new US option and a cost on China conditional on it
        kinds = {(m.kind, m.party, m.own) for m in r.mechanism if m.kind in ("option", "preference")}
        assert ("preference", "China", False) in kinds
        text = " ".join(words.explanation(_report(OCTOBER), r, r.assessment.hypergame.conflict))  # type: ignore[union-attr]
        assert "stops being an equilibrium of the real game (Nash, SEQ)" in text
        assert "conditional on another party's move" in text


def test_more_flexibility_makes_the_hanoi_deal_an_equilibrium_which_the_report_says() -> None:
    r = _ranked(OCTOBER, "more_flexibility")
    assert not _report(OCTOBER).baseline.outcomes["yongbyon_for_relief"]["nash"].equilibrium
    for concept in CONCEPTS:
        assert _status(r, "yongbyon_for_relief", concept) == (True, True)
    assert "becomes an equilibrium of the real game (Nash, GMR, SMR, SEQ)" in words.summary(
        _report(OCTOBER), r
    )


def test_effective_rewards_is_named_a_hypergame_equilibrium_where_it_is_one() -> None:
    r = _ranked(OCTOBER, "effective_rewards")
    walk = r.assessment.outcomes["talks_break_down"]["seq"]
    assert walk.hypergame_equilibrium and not walk.equilibrium
    said = words.summary(_report(OCTOBER), r)
    assert "The US walks away from the talks becomes a hypergame equilibrium (GMR, SEQ)" in said


def test_empower_negotiators_shift_is_reported_with_its_game() -> None:
    """The belief correction moves the hypergame's SEQ equilibria: never reported as 'no change'."""
    r = _ranked(OCTOBER, "empower_negotiators")
    assert {m.kind for m in r.mechanism} == {"belief", "preference"}
    assert r.effect.moved("hypergame")
    seq = r.effect.of("hypergame", "seq")
    assert seq.lost  # North Korea no longer expects the president to reward its pressure
    summary = words.summary(_report(OCTOBER), r)
    assert "No equilibrium moves" not in summary and "hypergame" in summary
    lines = words.explanation(_report(OCTOBER), r, r.assessment.hypergame.conflict)  # type: ignore[union-attr]
    assert any(line.startswith("In the hypergame") and "under SEQ" in line for line in lines)
    assert any("belief “nk expects better deal from trump” removed" in line for line in lines)


def test_no_change_is_said_only_when_nothing_moved() -> None:
    for r in _report(OCTOBER).ranked:
        if "No equilibrium moves" in words.summary(_report(OCTOBER), r):
            assert not r.effect.moved()


def test_the_sanction_behind_a_change_is_narrated_before_and_after() -> None:
    """Secondary sanctions: China's leakage stops being stable for China; the words say why, before
    (no move of China's improves on leaking) and after (an improvement: stop leaking)."""
    r = _ranked(OCTOBER, "secondary_sanctions")
    lines = words.reason_sentences(_report(OCTOBER), r, limit=10)
    china = [x for x in lines if x.startswith("Why it changed for China (real game")]
    assert china and "Before: From state" in china[0] and "After: From state" in china[0]


def test_the_interventions_package_imports_no_renderer() -> None:
    """Layering: interventions is an analysis above io and the engines; all words live in render."""
    import ast
    from pathlib import Path

    import detente.interventions

    root = Path(detente.interventions.__file__).parent
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.startswith(("detente.render", "detente.cli", "detente.web")) for n in names), (
                path
            )
