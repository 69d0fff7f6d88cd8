"""Turn an :class:`~detente.analysis.Analysis` into a :class:`~detente.render.report.document.Document`.

One document feeds both faces: the terminal summary (sections marked ``terminal``) and the HTML
report (everything, with figures and the evidence table).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from detente.analysis import Analysis, ForecastFindings
from detente.conflict.hypergame import HypergameResult
from detente.conflict.stability import StabilityResult
from detente.interventions.evaluate import InterventionReport
from detente.io.scenario import Scenario
from detente.render.conflict_plots import figure_svg
from detente.render.forecast_plots import forecast_figure
from detente.render.hypergame_words import explain
from detente.render.narrate import concept_name, describe_paths, describe_stability, describe_state
from detente.render.report.conflict_sections import (
    evidence_section,
    options_section,
    stability_section,
    stability_table,
)
from detente.render.report.document import Document, Figure, Section, Table

EXPLAINED_EQUILIBRIA = 3


def _fmt(x: object) -> str:
    return f"{float(str(x)):.1f}"


def actors_section(scenario: Scenario) -> Section:
    rows = []
    for a in scenario.spec.actors:
        long = "; ".join(i.description for i in a.interests if i.horizon == "long")
        short = "; ".join(i.description for i in a.interests if i.horizon == "short")
        rows.append((a.label, a.parent or "", a.role, long, short))
    actors = scenario.spec.actors
    groups = []
    for top in (a for a in actors if a.parent is None):
        subs = [a.label.split(",")[0] for a in actors if a.parent == top.name]
        groups.append(top.label + (f" ({'; '.join(subs)})" if subs else ""))
    text = (
        f"{len(actors)} actors and sub-actors: {'; '.join(groups)}. Decision makers in the graph model: "
        + ", ".join(dm.name for dm in scenario.conflict.decision_makers)
        + "."
    )
    table = Table(
        ("actor", "part of", "role", "long-term interests", "short-term interests"),
        tuple(rows),
        terminal=False,
    )
    return Section("actors", "Actors and interests", (text,), (table,))


def _why(analysis: Analysis, only: StabilityResult, s: int) -> list[str]:
    """describe_stability for state s, naming the state in full once and by number after that."""
    c = analysis.conflict
    full = describe_state(c, s)
    return [p.replace(full, f"state {c.number(s)}") for p in describe_stability(c, only, s)]


def _stability(analysis: Analysis) -> Section:
    """Equilibria per concept; why the status quo does or does not hold (summary), why each
    equilibrium holds (report)."""
    c, result = analysis.conflict, analysis.stability
    concept = "seq" if "seq" in result.concepts else result.concepts[0]
    only = StabilityResult(c, {concept: result.stable[concept]})
    eq = [int(s) for s in result.equilibria(concept)]
    why: list[str] = []
    if c.status_quo is not None:
        verdict = "holds" if c.status_quo in eq else "does not hold"
        why.append(
            f"Why the status quo, {describe_state(c, c.status_quo)}, {verdict} under {concept_name(concept)}:"
        )
        why.extend(_why(analysis, only, c.status_quo))
    details: list[str] = []
    for s in (s for s in eq[:EXPLAINED_EQUILIBRIA] if s != c.status_quo):
        details.append(f"Why {describe_state(c, s)} is stable under {concept_name(concept)}:")
        details.extend(_why(analysis, only, s))
    sq = analysis.status_quo
    paths = [[p.start, *(st.target for st in p.steps)] for ps in sq.paths.values() for p in ps] if sq else []
    section = stability_section(c, result, details, paths)
    return Section(
        section.id,
        section.title,
        (*section.paragraphs, *why),
        (*section.tables, stability_table(c, result)),
        section.figures,
        details=section.details,
    )


def _paths(analysis: Analysis) -> Section | None:
    sq = analysis.status_quo
    if sq is None:
        return None
    text = describe_paths(analysis.conflict, sq)
    head = (
        f"How the conflict can evolve from the status quo by unilateral improvements, and which "
        f"{concept_name(sq.concept)} equilibria it reaches ({len(sq.reachable_equilibria)} reachable, "
        f"{len(sq.unreachable_equilibria)} not)."
    )
    return Section("paths", "Paths from the status quo", (head, *text))


def _hypergame(hyper: HypergameResult, scenario: Scenario | None) -> Section:
    c = hyper.conflict
    rows = []
    for i in range(c.n_dms):
        expected = hyper.expected_equilibria(i, "seq")
        rows.append(
            (
                c.decision_makers[i].name,
                "yes" if i in hyper.misperceivers() else "no",
                ", ".join(str(c.number(int(s))) for s in expected) or "none",
            )
        )
    beliefs = []
    if scenario is not None:
        beliefs = [f"{p.perceiver} about {p.about}: {p.description}" for p in scenario.spec.perceptions]
    table = Table(("decision maker", "misperceives", "outcomes it expects (SEQ)"), tuple(rows))
    held = ", ".join(str(c.number(int(s))) for s in hyper.equilibria("seq")) or "none"
    return Section(
        "hypergame",
        "Perceptions: the game each side thinks it is playing",
        (*beliefs, *explain(hyper, "seq"), f"Hypergame equilibria under SEQ: {held}."),
        (table,),
    )


def _forecast(f: ForecastFindings) -> Section:
    space = f.space.base
    rows = []
    for k, dim in enumerate(space.dimensions):
        cells = [dim]
        cells += [_fmt(float(r.outcome[k])) for r in f.point.values()]
        rows.append(tuple(cells))
    tables = [Table(("dimension", *f.point.keys()), tuple(rows), "Point forecasts by model (0-100 scales)")]
    paragraphs = []
    figures = []
    if f.monte_carlo is not None:
        quantiles = f.monte_carlo.quantiles().to_dict("records")
        tables.append(
            Table(
                ("dimension", "point", "5%", "25%", "median", "75%", "95%"),
                tuple(
                    (str(r["dimension"]), *(_fmt(r[c]) for c in ("point", "q05", "q25", "q50", "q75", "q95")))
                    for r in quantiles
                ),
                f"Monte Carlo: {f.monte_carlo.n} runs of {f.model}, seed {f.monte_carlo.seed}",
            )
        )
        paragraphs = [
            f"On {r['dimension']}, the {f.model} model puts the outcome at {_fmt(r['q50'])} "
            f"(90% of runs between {_fmt(r['q05'])} and {_fmt(r['q95'])})."
            for r in quantiles
        ]
    columns = ("low", "high", "outcome_low", "outcome_high", "swing")
    for k, dim in enumerate(space.dimensions):
        table = f.tornado[k]
        if len(table):
            tables.append(
                Table(
                    ("input", "low", "high", "outcome at low", "outcome at high", "swing"),
                    tuple(
                        (str(r["input"]), *(_fmt(r[c]) for c in columns))
                        for r in table.head(8).to_dict("records")
                    ),
                    f"Tornado on {dim}: the inputs that move the outcome most",
                    terminal=False,
                )
            )
        fig = forecast_figure(f.point[f.model], f.monte_carlo, table if len(table) else None, k)
        figures.append(Figure(figure_svg(fig), f"{dim}: trajectories, Monte Carlo distribution and tornado"))
    return Section("forecast", "Forecast", tuple(paragraphs), tuple(tables), tuple(figures))


def _interventions(report: InterventionReport) -> Section:
    dims = ", ".join(report.dimensions) or "none"
    rows = []
    for rank, r in enumerate(report.ranked, start=1):
        shift = ", ".join(f"{x:+.1f}" for x in r.forecast_shift)
        rows.append(
            (str(rank), r.assessment.title, str(r.reach_gain), str(r.equilibrium_gain), shift, r.summary)
        )
    head = (
        "Each recommendation is applied to the scenario as a patch and the whole analysis is run again. "
        "Ranked first by how many (outcome, concept) pairs turn into equilibria that hold when each side "
        "acts on its own view and that are reachable from the status quo (desired outcomes count for, "
        "undesired against), then by such equilibria whether reachable or not. The forecast shift is the "
        f"change of the median outcome per dimension ({dims}) under the {report.model} model."
    )
    words = [f"{k}. {r.assessment.title}: {r.summary}" for k, r in enumerate(report.ranked, start=1)]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(report.ranked) + 1.5))
    names = [r.assessment.name for r in report.ranked][::-1]
    y = np.arange(len(names))
    ax.barh(
        y - 0.2, [r.reach_gain for r in report.ranked][::-1], height=0.4, label="reachable equilibria gained"
    )
    ax.barh(
        y + 0.2,
        [r.equilibrium_gain for r in report.ranked][::-1],
        height=0.4,
        label="hypergame equilibria gained",
    )
    ax.set_yticks(y, names, fontsize="small")
    ax.axvline(0, color="black", linewidth=1)
    ax.legend(fontsize="x-small")
    ax.set_title("Interventions compared with the baseline")
    fig.tight_layout()
    return Section(
        "interventions",
        "Interventions ranked",
        (head, *words),
        (
            Table(
                ("rank", "intervention", "reachable gain", "equilibrium gain", "forecast shift", "effect"),
                tuple(rows),
            ),
        ),
        (Figure(figure_svg(fig), "Change against the baseline, per intervention"),),
    )


def build_document(analysis: Analysis) -> Document:
    """Every section the analysis supports, in reading order."""
    sections: list[Section] = []
    if analysis.scenario is not None:
        sections.append(actors_section(analysis.scenario))
    sections.append(options_section(analysis.conflict))
    sections.append(_stability(analysis))
    paths = _paths(analysis)
    if paths is not None:
        sections.append(paths)
    if analysis.hypergame is not None:
        sections.append(_hypergame(analysis.hypergame, analysis.scenario))
    if analysis.forecast is not None:
        sections.append(_forecast(analysis.forecast))
    if analysis.interventions is not None:
        sections.append(_interventions(analysis.interventions))
    sections.append(evidence_section(analysis.evidence))
    return Document(analysis.title, analysis.subtitle, tuple(sections))
