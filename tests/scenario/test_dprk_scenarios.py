"""The North Korea–US scenarios: they load, every judgement has evidence, every quote is the
source's own words, and the equilibria say what the articles say.

The modelling claims (seed 000_, Daminov Ildar, The Diplomat, June 2019; seed 001_, Thomas Cynkin,
The Japan Times, 9 October 2019): the no-deal state is where the real game rests, while North Korea,
misreading Trump ("North Korea very seriously underestimated Trump as a negotiator"; a president under
pressure "to pull a diplomatic rabbit out of the hat"), expects a deal of Yongbyon for sanctions relief.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

from detente.conflict import reference
from detente.conflict.hypergame import Perception, analyze_hypergame
from detente.conflict.model import Conflict, IntArray, match_states
from detente.conflict.stability import analyze
from detente.interventions.scoring import ResolutionsFile
from detente.io.conflict_spec import PreferenceSpec, StateRef, TiedSpec
from detente.io.patch import Change, apply_intervention
from detente.io.questions import load_questions
from detente.io.quotes import verify_quotes
from detente.io.scenario import Scenario, evidence_entries, load_scenario, parse_scenario
from detente.io.yamlio import LineMap, load_yaml, validate_model

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / ".." / "shared" / "seeds"
SEED_A = "000_9e5668bcc584c6dd.txt"
SEED_B = "001_52647c87ce2f59b3.txt"
JUNE = ROOT / "scenarios" / "dprk_us_2019_06.yaml"
OCTOBER = ROOT / "scenarios" / "dprk_us_2019_10.yaml"
QUESTIONS = ROOT / "questions" / "dprk_us_2019.yaml"
RESOLUTIONS = ROOT / "questions" / "dprk_us_2019_resolutions.yaml"
SNAPSHOTS = [JUNE, OCTOBER]
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles are not available")


@cache
def scenario(path: Path) -> Scenario:
    return load_scenario(path)


def patched(path: Path, *names: str) -> Scenario:
    """The scenario with the named interventions applied in order."""
    s = scenario(path)
    by_name = {iv.name: iv for iv in s.spec.interventions}
    data: Any = s.data
    for name in names:
        data = apply_intervention(data, by_name[name].changes)
    return parse_scenario(data, LineMap(str(path)), check_interventions=False)


def states(c: Conflict, **pattern: bool | Literal["Y", "N"]) -> IntArray:
    ref: StateRef = {option: value for option, value in pattern.items()}
    return match_states(c, ref)


def yongbyon_for_relief(c: Conflict) -> IntArray:
    """The deal North Korea wanted at Hanoi: Yongbyon (and nothing more) for sanctions relief."""
    return states(c, nk_yongbyon="Y", nk_broad_step="N", us_relief="Y")


# -- the files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_snapshot_loads_and_compiles(path: Path) -> None:
    s = scenario(path)
    c = s.conflict
    assert [dm.name for dm in c.decision_makers] == ["NK", "US_president", "US_officials", "China"]
    assert 8 <= c.n_options <= 12 and c.status_quo is not None
    assert s.issues.base.dimensions == ("denuclearisation", "sanctions_relief", "inter_korean_engagement")
    # The brief's minimum cast, across the two snapshots (Biegun and Kim Myong Gil appear only in 001_).
    actors = {a.name for a in s.spec.actors}
    assert {"NK", "Kim_Jong_Un", "Kim_Yong_Chol", "Trump", "Bolton", "Pompeo_State_Department"} <= actors
    assert {"US_intelligence_channel", "China", "Xi_Jinping", "Russia", "Putin", "South_Korea"} <= actors
    assert {"Moon_Jae_in"} <= actors


def test_october_adds_what_only_the_october_article_names() -> None:
    actors = {a.name for a in scenario(OCTOBER).spec.actors}
    assert {"Kim_Myong_Gil", "Biegun", "Japan"} <= actors
    assert not {"Kim_Myong_Gil", "Biegun", "Japan"} & {a.name for a in scenario(JUNE).spec.actors}


def test_every_recommendation_is_an_intervention() -> None:
    # 000_ makes five recommendations, 001_ six (SEED_MODEL.md §6); June knows only 000_'s.
    def sources(path: Path) -> list[str | None]:
        return [next(ev.source for ev in iv.evidence if ev.quote) for iv in scenario(path).spec.interventions]

    june, october = sources(JUNE), sources(OCTOBER)
    assert june.count(SEED_A) == 5 and len(june) == 5
    assert october.count(SEED_A) == 5 and october.count(SEED_B) == 6


def test_june_quotes_only_the_june_article() -> None:
    s = scenario(JUNE)
    assert [src.file for src in s.spec.meta.sources] == [SEED_A]
    sources = {entry.get("source") for _, entry in evidence_entries(s.data) if entry.get("quote")}
    assert sources == {SEED_A}


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_timeline_agrees_with_the_snapshot_date(path: Path) -> None:
    s = scenario(path)
    as_of = s.spec.meta.as_of
    for t in s.spec.timeline:
        assert (t.status == "past") == ((t.end or t.date) <= as_of), t.name
    # June is before the Panmunjom meeting of 30 June 2019, which only the October snapshot knows.
    assert scenario(JUNE).spec.meta.as_of < dt.date(2019, 6, 30)
    names = {t.name for t in s.spec.timeline}
    assert ("panmunjom_meeting" in names) == (path == OCTOBER)


@needs_seeds
@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_every_quote_is_exact(path: Path) -> None:
    assert verify_quotes(scenario(path), SEEDS) == []


@needs_seeds
def test_question_quotes_are_exact() -> None:
    data, _ = load_yaml(QUESTIONS)
    texts = {name: (SEEDS / name).read_text(encoding="utf-8") for name in (SEED_A, SEED_B)}
    entries = [entry for _, entry in evidence_entries(data)]
    assert entries and all(str(e["quote"]) in texts[str(e["source"])] for e in entries)


# -- every judgement has evidence ---------------------------------------------------------------
def _statements_without_evidence(prefs: PreferenceSpec | None, where: str) -> Iterator[str]:
    if prefs is None:
        return
    if prefs.ranking is not None:
        if not prefs.evidence:
            yield f"{where}.ranking"
        return
    for k, item in enumerate(prefs.statements or []):
        if isinstance(item, str) or (isinstance(item, TiedSpec) and not item.evidence) or not item.evidence:
            yield f"{where}.statements[{k}]"


def _value_without_evidence(value: Any) -> bool:
    """A patch value is evidenced if it is a mapping with evidence, or a list of such mappings."""
    if isinstance(value, Mapping):
        return not value.get("evidence")
    if isinstance(value, list):
        return any(_value_without_evidence(v) for v in value)
    return True


def unevidenced(s: Scenario) -> list[str]:
    """Every judgement of the scenario that carries no evidence."""
    spec = s.spec
    out: list[str] = []
    c = spec.conflict
    for i, dm in enumerate(c.decision_makers):
        out += [] if dm.evidence else [f"dm {dm.name}"]
        out += [f"option {o.name}" for o in dm.options if not o.evidence]
        out += _statements_without_evidence(dm.preferences, f"decision_makers[{i}].preferences")
    k = c.constraints
    for group in (k.infeasible, k.mutually_exclusive, k.at_least_one, k.requires):
        out += [f"constraint {g}" for g in group if not g.evidence]
    for p, perception in enumerate(spec.perceptions):
        out += [] if perception.evidence else [f"perception {perception.name}"]
        out += _statements_without_evidence(perception.preferences, f"perceptions[{p}].preferences")
    for dim in spec.issues.dimensions:
        out += [] if dim.evidence else [f"dimension {dim.name}"]
        out += [] if dim.status_quo is None or dim.status_quo.evidence else [f"status quo {dim.name}"]
    for actor in spec.issues.actors:
        numbers = {"capability": actor.capability}
        numbers |= {f"position {d}": v for d, v in actor.positions.items()}
        numbers |= {f"salience {d}": v for d, v in actor.salience.items()}
        out += [f"issues {actor.name} {what}" for what, v in numbers.items() if not v.evidence]
    out += [f"outcome {o.name}" for o in spec.outcomes if not o.evidence]
    for iv in spec.interventions:
        out += [] if iv.evidence else [f"intervention {iv.name}"]
        for change in iv.changes:
            if change.action == "remove" and not change.note:
                out.append(f"intervention {iv.name}: remove {change.path}")
            if change.action != "remove" and not change.note and _value_without_evidence(change.value):
                out.append(f"intervention {iv.name}: {change.action} {change.path}")
    return out


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_every_judgement_has_evidence(path: Path) -> None:
    assert unevidenced(scenario(path)) == []


def test_evidence_check_catches_a_bare_statement() -> None:
    s = scenario(JUNE)
    change = Change(append="conflict.decision_makers[name=China].preferences.statements", value="-nk_bypass")
    data: Any = apply_intervention(s.data, [change])
    bare = parse_scenario(data, LineMap("test"), check_interventions=False)
    assert unevidenced(bare) == ["decision_makers[3].preferences.statements[2]"]


def test_every_assumption_says_so() -> None:
    # Evidence is a quote or an explicit assumption: a bare note must start with 'assumption:'.
    for path in SNAPSHOTS:
        for _, entry in evidence_entries(scenario(path).data):
            if not entry.get("quote"):
                assert str(entry.get("note", "")).startswith("assumption:"), (path.name, entry)


# -- the equilibria -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_no_deal_status_quo_is_the_equilibrium_of_the_real_game(path: Path) -> None:
    # Real game. North Korea: its top priority is keeping the programme (-nk_broad_step), then no
    # blackmail in June / provoking while there is no relief in October, then relief, then talks;
    # it holds the Yongbyon offer. The president's top priority: no relief without a serious step
    # (he walked away at Hanoi). So at the status quo no decision maker can improve alone, and no
    # other state survives: the status quo is the unique Nash and SEQ equilibrium.
    c = scenario(path).conflict
    sq = c.status_quo
    assert sq is not None
    result = analyze(c, ("nash", "seq"))
    assert result.equilibria("nash").tolist() == [sq]
    assert result.equilibria("seq").tolist() == [sq]
    assert c.option_values(sq)["us_relief"] is False


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_no_relief_state_is_stable_in_the_real_game(path: Path) -> None:
    # GMR is the weakest of the four concepts (Nash, SEQ and SMR stability each imply GMR stability),
    # so a state unstable under GMR for some decision maker is an equilibrium under none. With relief
    # for Yongbyon alone, the president withdraws it and nothing North Korea can do brings him back
    # below that state; with relief for a serious step, North Korea withdraws the step and the
    # president's sanction (withdrawing relief) still leaves it better off, since keeping its
    # programme comes first.
    c = scenario(path).conflict
    relief = states(c, us_relief="Y")
    assert relief.size > 0
    for s in relief.tolist():
        assert not all(reference.is_stable(c, "gmr", i, s) for i in range(c.n_dms)), c.label(s)


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_north_korea_expects_a_deal(path: Path) -> None:
    # North Korea's perceived game: the president eases sanctions for any offer, Yongbyon included,
    # and does not walk away. Then Yongbyon-for-relief is stable for him, and North Korea (relief is
    # its aim; it provokes only without relief) has no better move: the unique Nash equilibrium. The
    # real status quo is not SEQ-stable for the president as North Korea sees him: he would ease
    # sanctions, and the one answer that would hurt him, North Korea withdrawing its offer, is no
    # improvement for North Korea, so it is not a credible sanction.
    s = scenario(path)
    g = s.perceived_conflict("NK")
    us = g.dm_index("US_president")
    deal = yongbyon_for_relief(g).tolist()
    result = analyze(g, ("nash", "seq"))
    nash = result.equilibria("nash").tolist()
    assert len(nash) == 1 and nash[0] in deal
    assert nash[0] in result.equilibria("seq").tolist()
    assert g.status_quo is not None
    assert not reference.is_stable(g, "seq", us, g.status_quo)


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.stem)
def test_hypergame_north_korea_expects_what_will_not_happen(path: Path) -> None:
    s = scenario(path)
    c = s.conflict
    nk = c.dm_index("NK")
    perception = Perception(nk, s.perceived_ranks(nk), s.hidden_options(nk))
    result = analyze_hypergame(c, {nk: perception}, ("nash",))
    assert result.misperceivers() == (nk,)
    expected = result.expected_equilibria(nk, "nash").tolist()
    assert len(expected) == 1 and expected[0] in yongbyon_for_relief(c).tolist()
    assert result.equilibria("nash").tolist() == [c.status_quo]


# -- what the interventions do ------------------------------------------------------------------
def test_flexibility_and_rewards_together_make_the_hanoi_deal_real() -> None:
    # 000_: "be much more versatile and give efficient rewards". Dropping the demand for a serious
    # step alone leaves the president walking away from a Yongbyon-only offer; adding the reward alone
    # is outranked by that demand. Together (and keeping the momentum) the president becomes what
    # North Korea thought he was, and Yongbyon-for-relief is the unique Nash and SEQ equilibrium.
    for names in (("more_flexibility",), ("effective_rewards",)):
        c = patched(JUNE, *names).conflict
        assert analyze(c, ("nash",)).equilibria("nash").tolist() == [c.status_quo], names
    c = patched(JUNE, "more_flexibility", "effective_rewards", "keep_momentum").conflict
    result = analyze(c, ("nash", "seq"))
    deal = yongbyon_for_relief(c).tolist()
    for concept in ("nash", "seq"):
        [eq] = result.equilibria(concept).tolist()
        assert eq in deal


def test_empowering_the_negotiators_corrects_north_koreas_view() -> None:
    # 001_: Trump should say he has empowered his negotiators "to disabuse the North Koreans of the
    # notion that they can get a better deal from the president". Modelled as a mechanism: the
    # perception is removed (North Korea's perceived game is the real one) and the president gives no
    # relief to a side that goes around his team. North Korea's own preferences are untouched, so the
    # engines decide: its aversion to a serious step (its first priority) means relief is out of reach
    # either way, and in the real game it keeps going around the team; what moves is what it expects
    # (the hypergame), which the interventions output reports (tests/test_mechanisms.py).
    s = patched(OCTOBER, "empower_negotiators")
    c = s.conflict
    assert np.array_equal(s.perceived_ranks("NK"), c.ranks)
    base = scenario(OCTOBER).conflict
    nk = base.dm_index("NK")
    assert np.array_equal(c.ranks[nk], base.ranks[nk])  # not assumed: North Korea's wishes unchanged
    eqs = analyze(c, ("nash",)).equilibria("nash").tolist()
    assert eqs == [c.status_quo] and c.option_values(c.status_quo)["nk_bypass"]


def test_secondary_sanctions_deter_chinese_leakage() -> None:
    # 001_: secondary sanctions "will help deter Chinese tolerance of leakage". While China leaks, the
    # president imposes them; once imposed, China's first priority is to stop leaking. So in every
    # Nash equilibrium they are in force and China does not leak.
    c = patched(OCTOBER, "secondary_sanctions").conflict
    eqs = analyze(c, ("nash",)).equilibria("nash").tolist()
    assert eqs
    for e in eqs:
        values = c.option_values(e)
        assert values["us_secondary"] and not values["cn_support"]


# -- the questions ------------------------------------------------------------------------------
def test_questions_load_and_match_their_resolutions() -> None:
    q = load_questions(QUESTIONS)
    assert len(q.ids) == 6
    assert all(question.opens == scenario(OCTOBER).spec.meta.as_of for question in q.spec.questions)
    data, lines = load_yaml(RESOLUTIONS)
    resolutions = validate_model(ResolutionsFile, data, lines)
    assert sorted(resolutions.root) == sorted(q.ids)
