"""Interventions, questions and scores as terminal tables and words (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from detente.interventions.evaluate import Assessment, InterventionReport
from detente.interventions.questions import Answer
from detente.interventions.scoring import ScoreCard
from detente.io.questions import QuestionSet
from detente.io.scenario import Scenario
from detente.render import intervention_words as words
from detente.render.narrate import concept_name
from detente.render.question_words import reasoning


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


def print_interventions(scenario: Scenario, report: InterventionReport, out: Console) -> None:
    """The ranked table, then the ranking in words."""
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
            Text(words.summary(report, r)),
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
            f"\n{k}. {a.title} ({a.name}, addressed to {addressee.get(a.name, '?')}). "
            + words.summary(report, r)
            + (forecast_words if forecast else ""),
            markup=False,
        )


def print_questions(
    scenario: Scenario, qset: QuestionSet, answers: Sequence[Answer], caption: str, out: Console
) -> None:
    """The probabilities table, then each question's reasoning."""
    table = Table(title=Text(f"Forecast questions: {qset.spec.name}"), caption=Text(caption))
    table.add_column("question")
    table.add_column("probability", justify="right")
    table.add_column("baseline", justify="right")
    table.add_column("method")
    for a in answers:
        table.add_row(Text(a.title), f"{a.probability:.3f}", f"{a.baseline:.3f}", Text(a.method))
    out.print(table)
    for a in answers:
        out.print(f"\n{a.title} — {a.probability:.3f}", style="bold", markup=False)
        out.print(reasoning(scenario, a), markup=False)


def print_scores(card: ScoreCard, out: Console) -> None:
    """Per question and overall: Brier, log score and Brier skill."""
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
    out.print(table)
