"""The main job (``detente analyze``): its key results on both built-in snapshots, worked out by hand
from the scenario files, and the pipeline on bare conflict files.

The snapshots model the North Korea–US talks after Hanoi (seed 000_, Daminov Ildar, "North Korea's
Negotiating Strategy After Hanoi", The Diplomat, June 2019) and after Stockholm (seed 001_, Thomas
Cynkin, "North Korea exploits its advantages in talks with U.S.", The Japan Times, 9 October 2019).
The articles' claim the model must reproduce: the talks rest in a no-deal state, while North Korea,
having "very seriously underestimated Trump as a negotiator", expects a deal of Yongbyon for
sanctions relief that the real game does not support.

Both snapshots have the same eight options, in this order: nk_yongbyon, nk_broad_step, nk_provoke,
nk_bypass (North Korea), us_relief, us_walk (the US president), off_cvid (the US officials) and
cn_support (China). Preferences are option-prioritisation statements, most important first.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from detente.analysis import Analysis, analyze_scenario
from detente.app.runs import run
from detente.conflict.model import Conflict
from detente.conflict.stability import CONCEPTS
from detente.errors import InputError
from detente.io.scenario import builtin_scenario, load_scenario
from detente.render.hypergame_words import explain
from detente.render.narrate import option_phrase
from detente.render.report.builder import build_document
from detente.render.report.document import Document
from tests.report import SCENARIO_SECTIONS

JUNE = "dprk_us_2019_06"
OCTOBER = "dprk_us_2019_10"
SNAPSHOTS = (JUNE, OCTOBER)
RUNS = 50
INTERVENTION_RUNS = 10
SEED = 7
OPTIONS = (
    "nk_yongbyon",
    "nk_broad_step",
    "nk_provoke",
    "nk_bypass",
    "us_relief",
    "us_walk",
    "off_cvid",
    "cn_support",
)
GMCR_DATA = Path(__file__).resolve().parent / "conflict" / "data"


@cache
def analysis(name: str) -> Analysis:
    """The whole pipeline on a built-in snapshot, with small Monte Carlo sizes."""
    scenario = load_scenario(builtin_scenario(name))
    return analyze_scenario(scenario, runs=RUNS, seed=SEED, intervention_runs=INTERVENTION_RUNS)


def state(c: Conflict, *taken: str) -> int:
    """The index of the feasible state in which exactly the options ``taken`` are taken."""
    assert set(taken) <= {o.name for o in c.options}, taken
    label = "".join("Y" if o.name in taken else "N" for o in c.options)
    labels = [c.label(s) for s in range(c.n_states)]
    return labels.index(label)


NO_DEAL = {
    # June, the Hanoi no-deal state (the file's status quo): North Korea's Yongbyon offer on the table
    # and nothing more, no provocation, the channel around the State Department in use; the president
    # walked away, the officials hold the CVID line, China keeps North Korea afloat.
    JUNE: ("nk_yongbyon", "nk_bypass", "us_walk", "off_cvid", "cn_support"),
    # October, after Stockholm: North Korea holds its Hanoi offer, tests missiles and plays to the
    # president over his team; the US stays at the table with no relief and has dropped CVID-first.
    OCTOBER: ("nk_yongbyon", "nk_provoke", "nk_bypass", "cn_support"),
}
DEAL = {
    # The deal North Korea expected at Hanoi: Yongbyon (no serious step) for relief, the president
    # at the table; the rest as in the no-deal state. In October North Korea stops provoking once it
    # has relief (its second priority is "nk_provoke iff -us_relief").
    JUNE: ("nk_yongbyon", "nk_bypass", "us_relief", "off_cvid", "cn_support"),
    OCTOBER: ("nk_yongbyon", "nk_bypass", "us_relief", "cn_support"),
}


def test_both_snapshots_share_the_option_order() -> None:
    for name in SNAPSHOTS:
        assert tuple(o.name for o in analysis(name).conflict.options) == OPTIONS


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_status_quo_is_the_no_deal_state(name: str) -> None:
    c = analysis(name).conflict
    assert c.status_quo == state(c, *NO_DEAL[name])


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_real_game_rests_in_the_no_deal_state(name: str) -> None:
    """The no-deal state is an equilibrium under every concept, and the only one under Nash and SEQ.

    At the no-deal state nobody can gain by moving alone. North Korea's first priority is to keep its
    programme (-nk_broad_step), its second is no blackmail in June (-nk_provoke) or provoking exactly
    while there is no relief in October (nk_provoke iff -us_relief); every statement it controls below
    those (keep the Yongbyon offer, use the bypass) already holds. The president's first priority is
    no relief without a serious step (nk_broad_step if us_relief), so easing sanctions is worse for him;
    in June he walks exactly when there is no serious step (us_walk iff -nk_broad_step), in October he
    prefers to stay (-us_walk): both hold. The officials keep CVID in June (their own off_cvid) and
    drop it in October (-off_cvid), as they prefer; China supports North Korea, as it prefers. So it is
    Nash stable for every decision maker, hence stable under GMR, SMR and SEQ too.

    No state with relief is stable under any concept. With relief and no serious step the president
    withdraws relief: his first statement then holds whatever the others do (only he controls relief),
    so no sanction exists even under GMR, the weakest concept. With relief and a serious step North
    Korea withdraws the step: its first statement then holds whatever the others do. Nash, SMR and SEQ
    stability each imply GMR stability (Fang, Hipel & Kilgour 1993, Interactive Decision Making, Wiley),
    so checking GMR covers all four.
    """
    a = analysis(name)
    c, result = a.conflict, a.stability
    sq = c.status_quo
    assert result.concepts == CONCEPTS == ("nash", "gmr", "smr", "seq")
    for concept in CONCEPTS:
        eq = result.equilibria(concept).tolist()
        assert sq in eq, concept
        assert not any(c.option_values(s)["us_relief"] for s in eq), concept
    assert result.equilibria("nash").tolist() == [sq]
    assert result.equilibria("seq").tolist() == [sq]
    # The inclusions between the concepts: Nash within SEQ and SMR, both within GMR.
    nash, gmr, smr, seq = (set(result.equilibria(k).tolist()) for k in CONCEPTS)
    assert nash <= seq <= gmr and nash <= smr <= gmr
    # Status-quo paths (under SEQ): the status quo is itself the only equilibrium, reached in 0 steps.
    assert a.status_quo is not None and a.status_quo.concept == "seq"
    assert a.status_quo.reachable_equilibria.tolist() == [sq]
    assert a.status_quo.unreachable_equilibria.tolist() == []


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_north_korea_expects_the_deal_the_real_game_does_not_give(name: str) -> None:
    """North Korea's perceived game has the Yongbyon-for-relief deal as its Nash equilibrium.

    In the perception, the president's first priority is to ease sanctions exactly when North Korea
    offers something (us_relief iff (nk_yongbyon | nk_broad_step)), then not to walk away. At the deal
    both hold, so he keeps it; North Korea has what it wants most after keeping its programme (relief,
    the president at the table, Yongbyon offered, bypass in use; in October no provocation, since it
    provokes exactly while there is no relief). At the no-deal state the perceived president would
    ease sanctions, so it is no equilibrium of North Korea's game. Only North Korea misperceives.
    """
    a = analysis(name)
    c, hyper = a.conflict, a.hypergame
    assert hyper is not None
    nk, sq, deal = c.dm_index("NK"), c.status_quo, state(c, *DEAL[name])
    assert hyper.misperceivers() == (nk,)
    assert hyper.expected_equilibria(nk, "nash").tolist() == [deal]
    assert deal in hyper.expected_equilibria(nk, "seq").tolist()
    assert sq not in hyper.expected_equilibria(nk, "nash").tolist()
    # ... and in the real game the deal is no equilibrium under any concept (see above), nor in the
    # hypergame: the president, acting on his true preferences, withdraws relief.
    for concept in CONCEPTS:
        assert deal not in a.stability.equilibria(concept).tolist()
        assert deal not in hyper.equilibria(concept).tolist()


def test_hypergame_equilibria_june() -> None:
    """In June the hypergame rests where the real game does: the Hanoi no-deal state alone (Nash, SEQ).

    North Korea acts on its perceived game, the others on the real one. At the Hanoi state North
    Korea has no improvement (see above) and the US sides none either; at any other state someone
    moves exactly as in the real game, or, for North Korea, as its own (true) preferences dictate.
    """
    a = analysis(JUNE)
    assert a.hypergame is not None
    sq = a.conflict.status_quo
    assert a.hypergame.equilibria("nash").tolist() == [sq]
    assert a.hypergame.equilibria("seq").tolist() == [sq]


def test_hypergame_equilibria_october() -> None:
    """In October the hypergame SEQ equilibria are the no-deal state and the two states one NK move
    away from it: without the Yongbyon offer, and without the bypass.

    In the real game North Korea would add the missing offer or the bypass (both are among its
    preferences and nobody can punish it). In its perceived game, doing so brings the no-deal state,
    where the president (as North Korea sees him) answers the offer with relief; relief while North
    Korea is still provoking breaks its second priority (nk_provoke iff -us_relief), which outranks
    everything the move gained. So the move is sanctioned in its own view and it stays put. The other
    decision makers act on the real game, where these states differ from the no-deal state only in
    options they do not control and do not rank above their own (the officials even prefer no bypass).
    Under Nash there are no sanctions, so North Korea moves and only the no-deal state remains.
    """
    a = analysis(OCTOBER)
    c, hyper = a.conflict, a.hypergame
    sq = c.status_quo
    assert hyper is not None and sq is not None
    no_offer = state(c, "nk_provoke", "nk_bypass", "cn_support")
    no_bypass = state(c, "nk_yongbyon", "nk_provoke", "cn_support")
    assert hyper.equilibria("nash").tolist() == [sq]
    assert hyper.equilibria("seq").tolist() == sorted([sq, no_offer, no_bypass])
    assert no_offer not in a.stability.equilibria("seq").tolist()
    assert no_bypass not in a.stability.equilibria("seq").tolist()


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_explanation_names_the_us_move_and_the_belief(name: str) -> None:
    """The hypergame explanation says why the expected deal does not hold: the president's move and
    North Korea's mistaken belief about it.

    From the deal the real president withdraws relief (his first priority, no relief without a serious
    step). In June he also walks away, since he walks exactly when there is no serious step: the move
    leads back to the Hanoi state. In October he prefers to stay at the table, so he only withdraws
    relief. North Korea believed he liked the deal better (relief for any offer was his first
    priority in its eyes).
    """
    a = analysis(name)
    c, hyper = a.conflict, a.hypergame
    assert hyper is not None
    deal = state(c, *DEAL[name])
    # Options are quoted as the narration quotes them (by their label); adoptions are told first.
    relief, walk = (option_phrase(c, OPTIONS.index(n)) for n in ("us_relief", "us_walk"))
    if name == JUNE:
        target, move = c.status_quo, f"US president adopts {walk} and abandons {relief}"
    else:
        target, move = state(c, "nk_yongbyon", "nk_bypass", "cn_support"), f"US president abandons {relief}"
    assert target is not None
    text = explain(hyper, "seq")
    [about_deal] = [p for p in text if p.startswith(f"NK expects state {c.number(deal)} ")]
    assert f"It does not hold: US president truly prefers to move: {move}, reaching state " in about_deal
    assert f"reaching state {c.number(target)}," in about_deal
    belief = f"NK believed US president likes state {c.number(deal)} better than state {c.number(target)}"
    assert belief in about_deal
    # The report's hypergame section carries the explanation and the perception it comes from.
    [section] = [s for s in document(name).sections if s.id == "hypergame"]
    assert about_deal in section.paragraphs
    perception = load_scenario(builtin_scenario(name)).spec.perceptions[0]
    assert f"NK about US_president: {perception.description}" in section.paragraphs


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_forecast_with_its_uncertainty(name: str) -> None:
    """Point forecasts, and a Monte Carlo distribution consistent with them.

    The compromise model's outcome is a weighted mean of the actors' positions and the median model's
    a weighted median (Bueno de Mesquita's median voter), so both lie within the range of the
    positions on each dimension. The Monte Carlo run's reference point is the same model on the point
    inputs, so it equals the point forecast of that model; every run lies on the 0-100 scale.
    """
    f = analysis(name).forecast
    assert f is not None and f.monte_carlo is not None
    positions = f.space.base.positions
    for model in ("compromise", "median"):
        outcome = f.point[model].outcome
        assert np.all(positions.min(axis=0) <= outcome + 1e-9), model
        assert np.all(outcome <= positions.max(axis=0) + 1e-9), model
    mc = f.monte_carlo
    assert mc.n == RUNS and mc.seed == SEED and mc.failures == 0
    np.testing.assert_allclose(mc.point_outcome, f.point[f.model].outcome)
    assert np.all((mc.outcomes >= 0) & (mc.outcomes <= 100))
    q = mc.quantiles()[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    assert len(f.tornado) == f.space.base.n_dims


def test_interventions_ranked_june() -> None:
    """Keeping the momentum ranks first in June.

    The intervention replaces the president's "us_walk iff -nk_broad_step" with "-us_walk". At the
    Hanoi state (walked away) he now gains by returning to the table, and no credible answer hurts
    him: only North Korea could (by provoking), but provoking is not an improvement for it. So the
    undesired "talks break down" stops being a reachable equilibrium under Nash and SEQ (under GMR
    and SMR the provocation still counts as a sanction): +2. No other intervention changes a
    reachable equilibrium of an outcome of interest.
    """
    report = analysis(JUNE).interventions
    assert report is not None
    first, *rest = report.ranked
    assert first.assessment.name == "keep_momentum" and first.reach_gain == 2
    assert all(r.reach_gain == 0 for r in rest)
    base = report.baseline.outcomes["talks_break_down"]
    after = first.assessment.outcomes["talks_break_down"]
    assert all(base[k].reachable for k in CONCEPTS)
    assert [k for k in CONCEPTS if not after[k].reachable] == ["nash", "seq"]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_every_intervention_is_ranked_in_order(name: str) -> None:
    a = analysis(name)
    assert a.interventions is not None and a.scenario is not None
    ranked = a.interventions.ranked
    assert sorted(r.assessment.name for r in ranked) == sorted(
        iv.name for iv in a.scenario.spec.interventions
    )
    keys = [(-r.reach_gain, -r.equilibrium_gain, r.assessment.name) for r in ranked]
    assert keys == sorted(keys)
    assert all(len(r.assessment.forecast_median) == 3 for r in ranked)


@cache
def document(name: str) -> Document:
    return build_document(analysis(name))


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_document_has_every_section(name: str) -> None:
    a = analysis(name)
    doc = document(name)
    by_id = {s.id: s for s in doc.sections}
    assert [s.id for s in doc.sections] == SCENARIO_SECTIONS
    assert doc.title == a.title and a.scenario is not None and a.scenario.spec.meta.name == doc.title
    assert all(s.paragraphs and s.title for s in doc.sections)
    # Figures: the state graph, one per forecast dimension (trajectories, Monte Carlo, tornado) and
    # the intervention comparison; each is inline SVG.
    assert [len(by_id[k].figures) for k in ("stability", "forecast", "clock", "interventions")] == [
        1,
        3,
        1,
        1,
    ]
    assert all(f.svg.startswith("<svg") for s in doc.sections for f in s.figures)
    # Why the status quo holds, in words (summary and report; it is the only SEQ equilibrium, so the
    # HTML-only details explain no further equilibrium); the evidence table, one row per entry.
    sq = a.conflict.status_quo
    assert sq is not None
    why = [p for p in by_id["stability"].paragraphs if p.startswith("Why the status quo, state ")]
    assert len(why) == 1 and why[0].endswith("holds under SEQ:")
    assert by_id["stability"].details == ()
    [evidence] = by_id["evidence"].tables
    assert len(evidence.rows) == len(a.evidence) > 100
    assert sum(1 for row in evidence.rows if row[3] != "assumption or note") == sum(
        1 for e in a.evidence if e.quote
    )
    # Each intervention ranked, in the table and in words ("1. <title>: <effect>").
    assert a.interventions is not None
    titles = [r.assessment.title for r in a.interventions.ranked]
    assert [row[1] for row in by_id["interventions"].tables[0].rows] == titles
    words = [p for p in by_id["interventions"].paragraphs if p[0].isdigit()]
    assert [p.split(": ", 1)[0] for p in words] == [f"{k}. {t}" for k, t in enumerate(titles, start=1)]
    assert [s.id for s in doc.sections if not s.terminal] == [
        "timeline",
        "glossary",
        "evidence",
        "provenance",
    ]


def test_the_main_job_reports_progress_of_the_long_steps() -> None:
    calls: list[tuple[str, int, int]] = []
    scenario = load_scenario(builtin_scenario(JUNE))
    a = analyze_scenario(scenario, runs=20, seed=SEED, progress=lambda *call: calls.append(call))
    assert a.scenario is not None and a.forecast is not None and a.forecast.monte_carlo is not None
    assert a.forecast.monte_carlo.n == 20
    steps = {step for step, _, _ in calls}
    assert {"Conflict stability", "Monte Carlo", "Interventions"} <= steps
    for step in steps:
        done = [(d, t) for s, d, t in calls if s == step]
        assert [d for d, _ in done] == sorted(d for d, _ in done), step
        assert done[-1][0] == done[-1][1] > 0, step
    n_interventions = len(a.scenario.spec.interventions)
    assert [call for call in calls if call[0] == "Interventions"][-1][1:] == (n_interventions + 1,) * 2


PRISONERS_DILEMMA = """\
name: Prisoner's dilemma
description: Each prisoner may confess (defect); each is better off defecting whatever the other does.
source: Rapoport & Chammah (1965), Prisoner's Dilemma; graph model in Fang, Hipel & Kilgour (1993).
decision_makers:
  - name: A
    options:
      - name: a_defects
        description: A confesses
    preferences:
      statements:
        - statement: -b_defects
          evidence:
            - quote: "<b>the other's silence</b> matters most"
              source: a test of the pipeline
        - statement: a_defects
          evidence:
            - note: "assumption: then A gains by defecting"
  - name: B
    options:
      - name: b_defects
        description: B confesses
    preferences:
      statements:
        - statement: -a_defects
          evidence:
            - note: "assumption: symmetric to A"
        - statement: b_defects
          evidence:
            - note: "assumption: symmetric to A"
status_quo: NN
"""


def test_the_main_job_on_a_bare_conflict_yaml(tmp_path: Path) -> None:
    """The prisoner's dilemma in option form: mutual defection is the only Nash equilibrium, and mutual
    cooperation is stable under GMR, SMR and SEQ, since a defection is credibly answered by the other's
    defection, which leaves the defector worse off than under cooperation (Fang, Hipel & Kilgour 1993,
    Interactive Decision Making, Wiley, the prisoner's dilemma in the graph model).

    States in option order (a_defects, b_defects): NN cooperate, YY both defect.
    """
    path = tmp_path / "pd.yaml"
    path.write_text(PRISONERS_DILEMMA, encoding="utf-8")
    a = run("report", path, runs=RUNS).result.analysis
    c = a.conflict
    cooperate, defect = state(c), state(c, "a_defects", "b_defects")
    assert a.scenario is None and a.hypergame is None and a.forecast is None and a.interventions is None
    assert a.title == "Prisoner's dilemma" and c.status_quo == cooperate
    assert a.stability.equilibria("nash").tolist() == [defect]
    for concept in ("gmr", "smr", "seq"):
        assert sorted(a.stability.equilibria(concept).tolist()) == sorted([cooperate, defect]), concept
    # From cooperation, a defection is an improvement, and then the other's defection: the conflict can
    # reach mutual defection; cooperation itself is an equilibrium reached in 0 steps.
    assert a.status_quo is not None
    assert sorted(a.status_quo.reachable_equilibria.tolist()) == sorted([cooperate, defect])
    assert int(a.status_quo.distance[defect]) == 2
    quotes = [e for e in a.evidence if e.quote]
    assert [(e.quote, e.source) for e in quotes] == [
        ("<b>the other's silence</b> matters most", "a test of the pipeline")
    ]
    assert len(a.evidence) == 4
    doc = build_document(a)
    assert [s.id for s in doc.sections] == ["brief", "options", "stability", "paths", "glossary", "evidence"]


def test_the_main_job_on_a_gmcr_file() -> None:
    """Chicken from a GMCR+ file (manual ranking; state numbers by code: 1 both swerve, 2 only Row goes
    straight, 3 only Col goes straight, 4 crash). Nash: 2 and 3. GMR and SMR add 1: going straight
    alone is sanctioned by the other going straight too (a crash, the worst state), and the driver
    cannot escape to anything better than 1. SEQ drops 1 again: from 2 or 3, going straight into a crash
    is no improvement for the swerving driver, so the sanction is not credible (Fang, Hipel & Kilgour
    1993, Interactive Decision Making, Wiley, the game of chicken). The file has no status quo, so no
    paths.
    """
    a = run("report", GMCR_DATA / "chicken.gmcr").result.analysis
    c = a.conflict
    numbers = {k: sorted(c.number(int(s)) for s in a.stability.equilibria(k)) for k in CONCEPTS}
    assert numbers == {"nash": [2, 3], "gmr": [1, 2, 3], "smr": [1, 2, 3], "seq": [2, 3]}
    assert c.status_quo is None and a.status_quo is None
    assert [dm.name for dm in c.decision_makers] == ["Row", "Col"]
    assert [s.id for s in build_document(a).sections] == [
        "brief",
        "options",
        "stability",
        "glossary",
        "evidence",
    ]


def test_the_main_job_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(PRISONERS_DILEMMA.replace("status_quo: NN", "status_quo: NNN"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run("report", path)
    line = PRISONERS_DILEMMA.splitlines().index("status_quo: NN") + 1
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), line, "status_quo")
