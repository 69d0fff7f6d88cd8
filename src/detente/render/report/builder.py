"""Turn an :class:`~detente.analysis.Analysis` into a :class:`~detente.render.report.document.Document`.

One document feeds both faces: the terminal summary (sections marked ``terminal``) and the HTML
report (everything, with figures and the evidence table).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from detente.analysis import Analysis, ForecastFindings, ModelEvidence
from detente.conflict.hypergame import HypergameResult
from detente.conflict.stability import StabilityResult
from detente.interventions.evaluate import InterventionReport
from detente.interventions.judge import outcome_views, stakeholder_values
from detente.io.scenario import Scenario
from detente.render import intervention_words as words
from detente.render.conflict_plots import figure_svg
from detente.render.forecast_plots import forecast_figure
from detente.render.hypergame_words import explain
from detente.render.narrate import concept_name, describe_paths, describe_stability, describe_state
from detente.render.report import memo
from detente.render.report.clock_section import clock_section
from detente.render.report.conflict_sections import (
    options_section,
    stability_section,
    stability_table,
)
from detente.render.report.document import Document, Figure, Section, Table
from detente.render.report.html import write_html

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
        # every sub-actor, however deep, so the list holds as many actors as the count says
        names = {top.name}
        while True:
            more = {a.name for a in actors if a.parent in names} - names
            if not more:
                break
            names |= more
        subs = [a.label.split(",")[0] for a in actors if a.name in names and a.name != top.name]
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


def scale_words(scales: dict[str, tuple[str, str]], dim: str, value: float) -> str:
    """'40.0 (0 = low end, 100 = high end)' with the dimension's scale ends when known."""
    low, high = scales.get(dim, ("", ""))
    if not (low or high):
        return _fmt(value)
    return f"{_fmt(value)} (0 = {low}; 100 = {high})"


def _forecast(f: ForecastFindings, scales: dict[str, tuple[str, str]], evidence: ModelEvidence) -> Section:
    space = f.space.base
    rows = []
    for k, dim in enumerate(space.dimensions):
        cells = [dim]
        cells += [_fmt(float(r.outcome[k])) for r in f.point.values()]
        low, high = scales.get(dim, ("", ""))
        cells += [low, high]
        rows.append(tuple(cells))
    names = [f"{m} (headline)" if m == f.model else m for m in f.point]
    tables = [
        Table(
            ("dimension", *names, "0 means", "100 means"),
            tuple(rows),
            "Point forecasts by model (0-100 scales)",
        )
    ]
    figures_mae = ", ".join(f"{m} {v:.1f}" for m, v in sorted(evidence.mae.items(), key=lambda kv: kv[1]))
    paragraphs = [
        f"The headline model is the {f.model} model, chosen by back-test evidence: on {evidence.data} its "
        f"mean absolute error is {evidence.mae.get(f.model, float('nan')):.1f} points on a 0-100 scale "
        f"(all models: {figures_mae}); {evidence.provenance} Every comparison in this report (interventions, "
        "questions) uses the same model. The other models' point forecasts are shown for reference only."
    ]
    point = f.point[f.model]
    figures = []
    if f.monte_carlo is not None:
        quantiles = f.monte_carlo.quantiles().to_dict("records")
        tables.append(
            Table(
                ("dimension", "point forecast", "5%", "25%", "median of runs", "75%", "95%"),
                tuple(
                    (str(r["dimension"]), *(_fmt(r[c]) for c in ("point", "q05", "q25", "q50", "q75", "q95")))
                    for r in quantiles
                ),
                f"Monte Carlo: {f.monte_carlo.n} runs of the {f.model} model over the uncertain inputs, "
                f"seed {f.monte_carlo.seed}",
            )
        )
        paragraphs += [
            f"On {r['dimension']}, the point forecast of the {f.model} model (every input at its stated "
            f"value) is {scale_words(scales, str(r['dimension']), float(r['point']))}; over the Monte Carlo "
            f"runs the median is {_fmt(r['q50'])} and 90% of runs fall between {_fmt(r['q05'])} and "
            f"{_fmt(r['q95'])}."
            for r in quantiles
        ]
        position, salience, capability = f.spread
        widened = len(f.space.inputs) - f.stated
        paragraphs.append(
            f"The Monte Carlo varies every number of the issue space: the {f.stated} inputs the scenario "
            "gives a range for, as stated, and the other "
            f"{widened} (positions ±{position:g} points, saliences ±{salience:g} points, capabilities "
            f"±{100 * capability:g}%, triangular around the stated value: an assumption, not a judgement "
            "from the sources). The point forecast and the interval are different numbers: the point "
            "forecast keeps every input at its stated value."
            if widened
            else f"The Monte Carlo varies the {f.stated} inputs the scenario gives a range for; the point "
            "forecast keeps every input at its stated value."
        )
    else:
        paragraphs += [
            f"On {dim}, the point forecast of the {f.model} model is "
            f"{scale_words(scales, dim, float(point.outcome[k]))}."
            for k, dim in enumerate(space.dimensions)
        ]
    columns = ("low", "high", "outcome_low", "outcome_high", "swing")
    for k, dim in enumerate(space.dimensions):
        table = f.tornado[k]
        has_swing = len(table) and float(table["swing"].abs().max()) > 0
        if has_swing:
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
        fig = forecast_figure(f.point[f.model], f.monte_carlo, table if has_swing else None, k)
        low, high = scales.get(dim, ("", ""))
        ends = f" (0 = {low}; 100 = {high})" if low or high else ""
        figures.append(
            Figure(figure_svg(fig), f"{dim}{ends}: trajectories, Monte Carlo distribution and tornado")
        )
    return Section("forecast", "Forecast", tuple(paragraphs), tuple(tables), tuple(figures))


def _interventions(report: InterventionReport) -> Section:
    dims = ", ".join(report.dimensions) or "none"
    rows = []
    details: list[str] = []
    for rank, r in enumerate(report.ranked, start=1):
        shift = ", ".join(f"{x:+.1f}" for x in r.forecast_shift)
        flag = "assumes its own outcome" if r.assumption is not None and r.assumption.assumes else "mechanism"
        rows.append(
            (
                str(rank),
                r.assessment.title,
                flag,
                str(r.reach_gain),
                str(r.equilibrium_gain),
                shift,
                words.summary(report, r),
            )
        )
        conflict = r.assessment.hypergame.conflict if r.assessment.hypergame is not None else None
        if conflict is not None:
            details.append(f"{rank}. {r.assessment.title}.")
            details.extend(words.explanation(report, r, conflict))
    flagged = [r.assessment.title for r in report.ranked if r.assumption is not None and r.assumption.assumes]
    head = (
        "Each recommendation is applied to the scenario as a patch that changes what its source says it "
        "changes (an option, a cost another party's move imposes, a belief, a capability or salience) "
        "and the whole analysis is run again. Ranked first by how many (outcome, concept) pairs turn into "
        "hypergame equilibria (each side acting on its own view of the game) that are reachable from the "
        "status quo (desired outcomes count for, undesired against), then by such equilibria whether "
        "reachable or not. The forecast shift is the change of the median of the Monte Carlo runs per "
        f"dimension ({dims}) under the {report.model} model, the headline model, with the same seed for "
        "every variant."
    )
    verdict = (
        "Interventions that assume their own outcome (they rewrite the preference of the party whose "
        f"behaviour they are meant to produce): {', '.join(flagged)}."
        if flagged
        else "No intervention assumes its own outcome: none rewrites the preference of the party whose "
        "behaviour it is meant to produce."
    )
    lines = [
        f"{k}. {r.assessment.title}: {words.summary(report, r)}" for k, r in enumerate(report.ranked, start=1)
    ]
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
        (head, verdict, *lines),
        (
            Table(
                (
                    "rank",
                    "intervention",
                    "modelled as",
                    "reachable gain",
                    "equilibrium gain",
                    "forecast shift",
                    "effect",
                ),
                tuple(rows),
            ),
        ),
        (Figure(figure_svg(fig), "Change against the baseline, per intervention"),),
        details=tuple(details),
    )


def _judged(analysis: Analysis) -> Section:
    """Desirability per stakeholder, bundles and the robustness of the ranking."""
    report = analysis.interventions
    assert report is not None and report.baseline.hypergame is not None
    base = report.baseline.hypergame.conflict
    views = outcome_views(base, report.outcomes)
    dms = [dm.name for dm in base.decision_makers]
    tables = [
        Table(
            ("outcome", "your stated goal", *(f"for {dm.replace('_', ' ')}" for dm in dms)),
            tuple(words.outcome_view_rows(report, views)),
            "Each outcome of interest as each decision maker sees it (by its true preferences)",
        )
    ]
    values = {"baseline": stakeholder_values(base, report.baseline)}
    values.update({r.assessment.name: stakeholder_values(base, r.assessment) for r in report.ranked})
    tables.append(
        Table(
            ("intervention", *(dm.replace("_", " ") for dm in dms)),
            tuple(words.stakeholder_rows(report, values)),
            "Value to each decision maker of the outcomes to expect (SEQ hypergame equilibria reachable from "
            "the status quo; 0 = its worst state, 1 = its best; change against no intervention)",
        )
    )
    paragraphs = [
        "Desirability is judged from every side, not by one list: the first table gives each decision "
        "maker's view of the outcomes of interest next to the goals the scenario states; the second how "
        "much each decision maker gains or loses, by its own preferences, from each intervention."
    ]
    details: list[str] = []
    if analysis.bundles:
        said = words.bundle_sentences(report, analysis.bundles)
        # all together and the count of pairs in the summary; each odd pair in the report's details
        head = [s for s in said if s.startswith(("All ", "Warning")) or "pairs assessed" in s]
        paragraphs += head
        details += [s for s in said if s not in head]
    if analysis.robustness is not None and analysis.robustness.draws:
        paragraphs.append(words.robustness_sentence(analysis.robustness))
        tables.append(
            Table(
                ("intervention", "ranks first", "mean rank"),
                tuple(words.robustness_rows(report, analysis.robustness)),
                "How often each intervention ranks first under uncertain preference judgements",
            )
        )
    return Section(
        "judged",
        "Interventions judged from every side",
        tuple(paragraphs),
        tuple(tables),
        details=tuple(details),
    )


def build_document(analysis: Analysis) -> Document:
    """Every section the analysis supports, in reading order: the brief first."""
    sections: list[Section] = [memo.brief_section(analysis)]
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
        scales = (
            {d.name: (d.low_label, d.high_label) for d in analysis.scenario.spec.issues.dimensions}
            if analysis.scenario is not None
            else {}
        )
        sections.append(_forecast(analysis.forecast, scales, analysis.model_evidence))
    if analysis.clock is not None:
        sections.append(clock_section(analysis.clock))
    if analysis.interventions is not None:
        sections.append(_interventions(analysis.interventions))
    if analysis.interventions is not None and analysis.interventions.ranked:
        sections.append(_judged(analysis))
    timeline = memo.timeline_section(analysis)
    if timeline is not None:
        sections.append(timeline)
    sections.append(memo.glossary_section())
    sections.append(memo.evidence_section(analysis))
    provenance = memo.provenance_section(analysis)
    if provenance is not None:
        sections.append(provenance)
    return Document(analysis.title, analysis.subtitle, tuple(sections))


def write_report(analysis: Analysis, out_dir: str | Path) -> tuple[Path, Path]:
    """Build the document and write ``index.html`` and ``brief.md`` into ``out_dir``; their paths.

    The same analysis (same inputs, seed and date) gives byte-identical files.
    """
    document = build_document(analysis)
    return write_html(document, out_dir), memo.write_brief(document, analysis, out_dir)
