"""``detente interventions``, ``questions`` and ``score``: a scenario's what-ifs and forecasts.

* ``interventions [FILE]``: every intervention of a scenario ranked by what it does to the equilibria
  and to the forecast (:mod:`detente.interventions.evaluate`, run as ``detente analyze`` runs it);
* ``questions [SNAPSHOT]``: a probability for each forecast question, from that snapshot only
  (:mod:`detente.interventions.questions`), optionally written to a probabilities file;
* ``score PROBS RESOLUTIONS``: Brier and log scores of a probabilities file
  (:mod:`detente.interventions.scoring`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from detente.analysis import analyze_scenario
from detente.cli.common import console, print_json, reporting_errors
from detente.interventions.evaluate import Assessment, InterventionReport
from detente.interventions.questions import (
    RUNS,
    SAMPLES,
    SEED,
    SWAP,
    answer_questions,
    probabilities_document,
    write_probabilities,
)
from detente.interventions.scoring import ScoreCard, score_files
from detente.io.questions import builtin_questions, load_questions
from detente.io.scenario import Scenario, builtin_scenario, load_scenario
from detente.render.conflict_json import SCHEMA_VERSION
from detente.render.narrate import concept_name

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed for every random draw (recorded in the output).")]


def _snapshot(file: Path | None) -> Scenario:
    return load_scenario(file if file is not None else builtin_scenario())


# -- interventions --------------------------------------------------------------------------------
def _statuses(a: Assessment, outcome: str) -> dict[str, dict[str, bool]]:
    return {
        concept: {
            "equilibrium": st.equilibrium,
            "hypergame_equilibrium": st.hypergame_equilibrium,
            "reachable": st.reachable,
        }
        for concept, st in a.outcomes[outcome].items()
    }


def _assessment_json(a: Assessment, dims: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": a.name,
        "title": a.title,
        "outcomes": {name: _statuses(a, name) for name in a.outcomes},
        "equilibria": {c: list(states) for c, states in a.equilibria.items()},
        "forecast_median": dict(zip(dims, a.forecast_median, strict=False)),
        "forecast_interval": {d: list(iv) for d, iv in zip(dims, a.forecast_interval, strict=False)},
    }


def interventions_json(scenario: Scenario, report: InterventionReport) -> dict[str, Any]:
    """The ranked interventions as a JSON document (``kind: interventions``)."""
    dims = scenario.issues.base.dimensions
    addressee = {iv.name: iv.addressee for iv in scenario.spec.interventions}
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "interventions",
        "scenario": scenario.spec.meta.name,
        "as_of": scenario.spec.meta.as_of.isoformat(),
        "concepts": list(report.concepts),
        "outcomes": [{"name": o.name, "label": o.label, "desired": o.desired} for o in report.outcomes],
        "dimensions": list(dims),
        "model": report.model,
        "runs": report.runs,
        "seed": report.seed,
        "ranking": "reach_gain, then equilibrium_gain (both descending), then name",
        "baseline": _assessment_json(report.baseline, dims),
        "ranked": [
            {
                "rank": k,
                "addressee": addressee.get(r.assessment.name),
                "reach_gain": r.reach_gain,
                "equilibrium_gain": r.equilibrium_gain,
                "forecast_shift": dict(zip(dims, r.forecast_shift, strict=False)),
                "summary": r.summary,
                **_assessment_json(r.assessment, dims),
            }
            for k, r in enumerate(report.ranked, start=1)
        ],
    }


def _signed(x: float) -> str:
    return f"{x:+.1f}" if abs(x) >= 0.05 else "0"


def _reachable_words(a: Assessment, report: InterventionReport) -> str:
    """'Incremental deal: NASH, SEQ; ...' for the desired outcomes that are reachable equilibria."""
    parts = []
    for o in report.outcomes:
        concepts = [c.upper() for c, st in a.outcomes[o.name].items() if st.reachable]
        if concepts:
            parts.append(f"{o.label} ({', '.join(concepts)})")
    return "; ".join(parts) if parts else "none"


def print_interventions(scenario: Scenario, report: InterventionReport) -> None:
    """The ranked table, then the ranking in words."""
    out = console()
    dims = scenario.issues.base.dimensions
    addressee = {iv.name: iv.addressee for iv in scenario.spec.interventions}
    forecast = bool(report.baseline.forecast_median)
    table = Table(
        title=Text(f"Interventions ranked: {scenario.spec.meta.name}"),
        caption=Text(
            "reach: net (outcome, concept) pairs where an outcome becomes a reachable hypergame "
            "equilibrium (desired +1, undesired -1); equilibria: the same for hypergame equilibria"
            + (f"; Δ: shift of the {report.model} Monte Carlo median, {report.runs} runs" if forecast else "")
        ),
    )
    table.add_column("#", justify="right")
    table.add_column("intervention", overflow="fold")
    table.add_column("addressed to", overflow="fold")
    table.add_column("reach", justify="right")
    table.add_column("equilibria", justify="right")
    for d in dims if forecast else ():
        table.add_column(Text(f"Δ {d}"), justify="right")
    table.add_column("what changes", overflow="fold")
    for k, r in enumerate(report.ranked, start=1):
        name = r.assessment.name
        shifts = [_signed(x) for x in r.forecast_shift] if forecast else []
        table.add_row(
            str(k),
            Text(name),
            Text(addressee.get(name, "")),
            f"{r.reach_gain:+d}",
            f"{r.equilibrium_gain:+d}",
            *shifts,
            Text(r.summary),
        )
    out.print(table)
    concepts = ", ".join(concept_name(c) for c in report.concepts)
    out.print(
        f"\nEach intervention is applied to the scenario and analysed afresh under {concepts}. "
        "The ranking counts, for every outcome of interest and concept, whether the outcome becomes an "
        "equilibrium when each side acts on its own view of the game and whether the conflict can reach "
        "it from the status quo by unilateral improvements; desired outcomes count for, undesired "
        "against. Ties are broken by the same count for equilibria regardless of reachability, then by "
        "name.",
        markup=False,
    )
    out.print(
        f"\nWithout intervention, the reachable equilibria among the outcomes of interest are: "
        f"{_reachable_words(report.baseline, report)}.",
        markup=False,
    )
    if forecast:
        medians = ", ".join(
            f"{d} {m:.1f} (90% {lo:.1f}–{hi:.1f})"
            for d, m, (lo, hi) in zip(
                dims, report.baseline.forecast_median, report.baseline.forecast_interval, strict=True
            )
        )
        head = f"Forecast ({report.model}, {report.runs} runs, seed {report.seed})"
        out.print(f"{head}: {medians}.", markup=False)
    for k, r in enumerate(report.ranked, start=1):
        a = r.assessment
        moved = [f"{d} {_signed(x)}" for d, x in zip(dims, r.forecast_shift, strict=False) if abs(x) >= 0.05]
        forecast_words = (
            f" The forecast median moves: {', '.join(moved)}." if moved else " The forecast does not move."
        )
        out.print(
            f"\n{k}. {a.title} ({a.name}, addressed to {addressee.get(a.name, '?')}). {r.summary}"
            + (forecast_words if forecast else ""),
            markup=False,
        )


def interventions(
    file: Annotated[
        Path | None, typer.Argument(help="A scenario file (default: the built-in October 2019 scenario).")
    ] = None,
    runs: Annotated[
        int, typer.Option("--mc", min=0, help="Monte Carlo runs per variant for the forecast (0: none).")
    ] = 200,
    seed: SeedOpt = SEED,
    as_json: JsonOpt = False,
) -> None:
    """Rank a scenario's interventions by their effect on the equilibria and on the forecast."""
    with reporting_errors():
        scenario = _snapshot(file)
        if not scenario.spec.interventions:
            typer.echo(f"{scenario.path}: the scenario has no interventions to rank", err=True)
            raise typer.Exit(1)
        report = analyze_scenario(scenario, runs=0, seed=seed, intervention_runs=runs).interventions
    assert report is not None
    if as_json:
        print_json(interventions_json(scenario, report))
    else:
        print_interventions(scenario, report)


# -- questions ------------------------------------------------------------------------------------
def questions(
    snapshot: Annotated[
        Path | None,
        typer.Argument(help="The snapshot (a scenario file; default: the built-in October 2019 scenario)."),
    ] = None,
    questions_file: Annotated[
        Path | None,
        typer.Option("--questions", help="A questions file (default: the built-in North Korea–US set)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the probabilities to this file.")] = None,
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Judgement-uncertainty samples of the conflict.")
    ] = SAMPLES,
    swap: Annotated[
        float,
        typer.Option("--swap", min=0.0, max=1.0, help="Chance of swapping each adjacent pair of statements."),
    ] = SWAP,
    runs: Annotated[int, typer.Option("--mc", min=1, help="Monte Carlo runs for forecast questions.")] = RUNS,
    seed: SeedOpt = SEED,
    as_json: JsonOpt = False,
) -> None:
    """A probability for each forecast question, from one snapshot's information only, with the reasoning."""
    with reporting_errors():
        scenario = _snapshot(snapshot)
        qset = load_questions(questions_file if questions_file is not None else builtin_questions())
        answers = answer_questions(scenario, qset, samples=samples, swap=swap, runs=runs, seed=seed)
        document = probabilities_document(answers, scenario, qset, samples, swap, runs, seed)
        if out is not None:
            write_probabilities(out, document)
    if as_json:
        print_json({"schema_version": SCHEMA_VERSION, "kind": "questions", **document})
        return
    con = console()
    table = Table(
        title=Text(f"Forecast questions: {qset.spec.name}"),
        caption=Text(
            f"snapshot: {scenario.spec.meta.name}; {samples} samples (swap {swap:g}), {runs} "
            f"Monte Carlo runs, seed {seed}"
        ),
    )
    table.add_column("question")
    table.add_column("probability", justify="right")
    table.add_column("baseline", justify="right")
    table.add_column("method")
    for a in answers:
        table.add_row(Text(a.title), f"{a.probability:.3f}", f"{a.baseline:.3f}", Text(a.method))
    con.print(table)
    for a in answers:
        con.print(f"\n{a.title} — {a.probability:.3f}", style="bold", markup=False)
        con.print(a.reasoning, markup=False)
    if out is not None:
        con.print(f"\nProbabilities written to {out}", markup=False)


# -- score ----------------------------------------------------------------------------------------
def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def score_json(card: ScoreCard) -> dict[str, Any]:
    """Per question and overall: Brier, log score (null for minus infinity) and Brier skill."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "scores",
        "questions": [
            {
                "id": q.question,
                "probability": q.probability,
                "outcome": q.outcome,
                "brier": q.brier,
                "log": _finite(q.log),
                "brier_skill": q.brier_skill,
            }
            for q in card.questions
        ],
        "overall": {
            "n": len(card.questions),
            "brier": card.brier,
            "log": _finite(card.log),
            "brier_skill": card.brier_skill,
        },
    }


def score(
    probabilities: Annotated[Path, typer.Argument(help="A probabilities file (`detente questions --out`).")],
    resolutions: Annotated[Path, typer.Argument(help="A resolutions file: question id -> true/false.")],
    as_json: JsonOpt = False,
) -> None:
    """Brier score, log score and Brier skill of a probabilities file against resolutions."""
    with reporting_errors():
        card = score_files(probabilities, resolutions)
    if as_json:
        print_json(score_json(card))
        return
    table = Table(
        title="Scores",
        caption="Brier: (p - outcome)² (0 best, 0.25 for always 0.5); log: ln of the probability given "
        "to what happened (0 best); skill: 1 - Brier / 0.25",
    )
    for header in ("question", "probability", "outcome", "Brier", "log", "skill"):
        table.add_column(header, justify="left" if header == "question" else "right")
    for q in card.questions:
        table.add_row(
            Text(q.question),
            f"{q.probability:.3f}",
            "yes" if q.outcome else "no",
            f"{q.brier:.4f}",
            f"{q.log:.4f}",
            f"{q.brier_skill:+.3f}",
        )
    table.add_section()
    overall = (f"{card.brier:.4f}", f"{card.log:.4f}", f"{card.brier_skill:+.3f}")
    table.add_row(f"overall ({len(card.questions)})", "", "", *overall)
    console().print(table)
