"""Interventions judged from every side: stakeholders, bundles and the robustness of the ranking."""

from __future__ import annotations

from functools import cache

import numpy as np

from detente.analysis import compile_variant
from detente.conflict.stability import CONCEPTS
from detente.interventions.evaluate import InterventionReport, evaluate
from detente.interventions.judge import (
    evaluate_bundles,
    outcome_views,
    perturb_preferences,
    rank_robustness,
    stakeholder_values,
)
from detente.io.scenario import Scenario, builtin_scenario, load_scenario
from detente.render import intervention_words as words

OCTOBER = "dprk_us_2019_10"


@cache
def _scenario() -> Scenario:
    return load_scenario(builtin_scenario(OCTOBER))


@cache
def _report() -> InterventionReport:
    s = _scenario()
    return evaluate(s.data, s.spec.interventions, compile_variant(s.lines), s.spec.outcomes, CONCEPTS, runs=0)


def test_all_eleven_together_reach_the_undesired_hanoi_deal_and_the_words_warn() -> None:
    s, report = _scenario(), _report()
    bundles = evaluate_bundles(s.data, s.spec.interventions, compile_variant(s.lines), report)
    assert len(bundles) == 55 + 1
    everything = bundles[-1]
    assert len(everything.members) == 11 and not everything.error
    assert everything.assessment is not None
    assert everything.assessment.outcomes["yongbyon_for_relief"]["seq"].equilibrium
    said = words.bundle_sentences(report, bundles)
    assert any(line.startswith("Warning") and "Yongbyon alone" in line for line in said)
    # a pair's interaction is its gain minus the sum of its members' gains
    single = {r.assessment.name: r for r in report.ranked}
    for b in bundles[:-1]:
        a, c = (single[n] for n in b.members)
        assert b.interaction == b.equilibrium_gain - a.equilibrium_gain - c.equilibrium_gain


def test_without_perturbation_the_robust_ranking_is_the_plain_one() -> None:
    s, report = _scenario(), _report()
    rob = rank_robustness(
        s.data,
        s.spec.interventions,
        compile_variant(s.lines),
        s.spec.outcomes,
        draws=2,
        swap=0.0,
        concepts=CONCEPTS,
    )
    assert rob.draws == 2 and abs(sum(rob.first.values()) - 1.0) < 1e-9
    best = max((r.reach_gain, r.equilibrium_gain) for r in report.ranked)
    top = {r.assessment.name for r in report.ranked if (r.reach_gain, r.equilibrium_gain) == best}
    assert {n for n, v in rob.first.items() if v > 0} == top
    assert all(abs(rob.first[n] - 1 / len(top)) < 1e-9 for n in top)


def test_perturbation_only_reorders_statements() -> None:
    data = _scenario().data
    out = perturb_preferences(data, np.random.default_rng(3), swap=1.0)
    for a, b in zip(data["conflict"]["decision_makers"], out["conflict"]["decision_makers"], strict=True):
        sa = [x["statement"] for x in a["preferences"]["statements"]]
        sb = [x["statement"] for x in b["preferences"]["statements"]]
        assert sorted(sa) == sorted(sb)
    assert data["actors"] is out["actors"]  # untouched parts are shared, not copied


def test_stakeholders_judge_by_their_own_preferences() -> None:
    report = _report()
    assert report.baseline.hypergame is not None
    base = report.baseline.hypergame.conflict
    views = {(v.outcome, v.dm): v.view for v in outcome_views(base, report.outcomes)}
    # North Korea ranks "no serious disarmament step" first: the incremental deal is worse for it
    assert views[("incremental_deal", "NK")] == "worse"
    # the president ranks "a serious step if relief" first: every form of the deal beats the status quo
    assert views[("incremental_deal", "US_president")] == "better"
    before = stakeholder_values(base, report.baseline)
    after = stakeholder_values(
        base, next(r for r in report.ranked if r.assessment.name == "secondary_sanctions").assessment
    )
    assert all(v is None or 0.0 <= v <= 1.0 for v in (*before.values(), *after.values()))
    assert after["China"] is not None and before["China"] is not None and after["China"] < before["China"]
