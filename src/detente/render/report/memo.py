"""The memo parts of the report: the one-page brief (also written as Markdown), the glossary of
stability concepts, the timeline, the provenance block and the evidence table with verified quotes.

Words only, from the :class:`~detente.analysis.Analysis`; nothing here reads the clock, so the same
inputs and seed give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from detente.analysis import Analysis
from detente.clock.analysis import ClockAnalysis
from detente.io.evidence import EvidenceRow
from detente.io.quotes import QuoteCheck
from detente.io.yamlio import atomic_write_text
from detente.render import intervention_words as words
from detente.render.narrate import concept_name
from detente.render.report.conflict_sections import short_state
from detente.render.report.document import Document, Section, Table

GLOSSARY = (
    (
        "Nash",
        "A state is Nash stable for a decision maker when it has no unilateral improvement: no move of "
        "its own leads to a state it prefers (Fang, Hipel & Kilgour 1993).",
    ),
    (
        "GMR (general metarationality)",
        "Stable when every unilateral improvement can be answered by the others' moves (whether or not "
        "those moves are good for them) with a state the decision maker likes no better: a deterred move.",
    ),
    (
        "SMR (symmetric metarationality)",
        "As GMR, but the decision maker may reply once more to the sanction, and the sanction must still "
        "hold after its best reply.",
    ),
    (
        "SEQ (sequential stability)",
        "As GMR, but the sanction may use only moves that are improvements for the sanctioning side: a "
        "credible threat.",
    ),
    (
        "equilibrium",
        "A state stable for every decision maker under the concept named.",
    ),
    (
        "real game / hypergame",
        "The real game has every decision maker's true preferences. In the hypergame each decision maker "
        "acts on the game as it perceives it (Bennett 1980); a hypergame equilibrium may rest on a "
        "mistaken belief and need not be an equilibrium of the real game.",
    ),
    (
        "point forecast / interval",
        "The point forecast is the model run with every input at its stated value; the interval is the "
        "range holding 90% of the Monte Carlo runs over the uncertain inputs. They are different numbers.",
    ),
)


def glossary_section() -> Section:
    return Section(
        "glossary",
        "Glossary of the stability concepts",
        ("The solution concepts of the graph model and the other terms this report uses.",),
        (Table(("term", "meaning"), GLOSSARY),),
        terminal=False,
    )


def timeline_section(analysis: Analysis) -> Section | None:
    scenario = analysis.scenario
    if scenario is None or not scenario.spec.timeline:
        return None
    rows = tuple(
        (
            e.date.isoformat() + (f" to {e.end.isoformat()}" if e.end else ""),
            e.label,
            e.kind,
            e.status,
        )
        for e in sorted(scenario.spec.timeline, key=lambda e: e.date)
    )
    as_of = scenario.spec.meta.as_of.isoformat()
    return Section(
        "timeline",
        "Timeline",
        (f"Dated events as of the snapshot date, {as_of}.",),
        (Table(("date", "event", "kind", "status as of the snapshot"), rows),),
        terminal=False,
    )


def provenance_section(analysis: Analysis) -> Section | None:
    p = analysis.provenance
    if p is None:
        return None
    checked = analysis.quotes
    bad = [q for q in checked if not q.ok]
    quotes = (
        f"{len(checked)} quotes checked verbatim against the sources ({p.sources}); {len(bad)} not verified."
        if checked
        else "Quotes not checked: no source files were found beside the scenario (give them with --sources)."
    )
    rows = (
        ("detente version", p.version),
        ("input file", p.input_file or "(not a file)"),
        ("SHA-256 of the input", p.sha256 or "-"),
        ("date", p.date),
        ("seed", str(p.seed)),
        ("Monte Carlo runs", str(p.runs)),
        ("headline forecast model", analysis.model_evidence.model),
    )
    return Section("provenance", "Provenance", (quotes,), (Table(("item", "value"), rows),), terminal=False)


def _status(row: EvidenceRow, checks: dict[tuple[str, str], QuoteCheck]) -> str:
    if not row.quote:
        return "assumption or note"
    check = checks.get((row.source or "", row.quote))
    if check is None:
        return "not checked"
    return {"verified": "verified", "unverified": "NOT IN SOURCE", "missing": "source not found"}[
        check.status
    ]


def _judgement(row: EvidenceRow) -> str:
    """The judgement in words: what kind of item, then its name or statement (no class names, no paths)."""
    field = row.field
    kinds = (
        ("interventions", "intervention"),
        ("perceptions", "belief"),
        ("preferences", "preference"),
        ("options", "option"),
        ("constraints", "constraint"),
        ("status_quo", "status quo"),
        ("timeline", "event"),
        ("outcomes", "outcome"),
        ("interests", "interest"),
        ("moves", "move"),
        ("issues", "issue space"),
        ("actors", "actor"),
        ("conflict", "conflict"),
        ("meta", "source"),
    )
    kind = next((word for key, word in kinds if key in field), "judgement")
    subject = row.subject
    if "Spec" in subject or not subject:
        subject = ""
    return f"{kind}: {subject}" if subject else kind


def _cls(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def evidence_section(analysis: Analysis) -> Section:
    rows: Sequence[EvidenceRow] = analysis.evidence
    checks = {(q.source, q.quote): q for q in analysis.quotes}
    statuses = [_status(r, checks) for r in rows]
    kinds = [_judgement(r).split(":")[0] for r in rows]
    classes = tuple(f"{_cls(s)} k-{_cls(k)}" for s, k in zip(statuses, kinds, strict=True))
    present = list(dict.fromkeys(statuses))
    filters = tuple((_cls(s), f"{s} ({statuses.count(s)})") for s in present)
    filters += tuple((f"k-{_cls(k)}", f"{k}s ({kinds.count(k)})") for k in dict.fromkeys(kinds))
    table = Table(
        ("judgement", "quote or note", "source", "check"),
        tuple(
            (_judgement(r), r.quote or r.note or "", r.source or "", st)
            for r, st in zip(rows, statuses, strict=True)
        ),
        "Evidence (choose a filter to show only some rows)",
        id="evidence-table",
        filters=filters,
        row_classes=classes,
        scroll=True,
    )
    quoted = sum(1 for r in rows if r.quote)
    bad = [q for q in analysis.quotes if not q.ok]
    text = [
        f"{len(rows)} pieces of evidence: {quoted} quotes from the sources and {len(rows) - quoted} notes."
    ]
    if bad:
        text.append(
            f"{len(bad)} quotes are NOT verified against their sources: "
            + "; ".join(f"“{q.quote[:80]}” ({q.source}: {q.status})" for q in bad[:10])
            + "."
        )
    return Section("evidence", "Evidence", tuple(text), (table,), terminal=False)


def _sensitivity(width: float) -> str:
    """How much the input judgements move the forecast (not how right the model is)."""
    if width <= 10:
        return "little moved by the uncertain inputs"
    if width <= 25:
        return "moderately sensitive to the uncertain inputs"
    return "highly sensitive to the uncertain inputs"


def clock_brief(clock: ClockAnalysis) -> str:
    """The clock in one sentence: the chance of agreement by each date it names, and from what."""
    from detente.clock.analysis import agreement_probability
    from detente.render.clock_json import named_dates

    parts = []
    for name, day in named_dates(clock):
        p, _ = agreement_probability(clock, day)
        parts.append(f"{100 * p:.0f}% by {day:%d %B %Y} ({name})")
    source = (
        f"averaged over {clock.monte_carlo.n:,} draws of its uncertain inputs"
        if clock.monte_carlo is not None
        else "at its central values"
    )
    return (
        "Negotiation clock (dated monthly rounds, the deadline and the elections; a model, not a "
        f"forecast of events): the chance of agreement is {'; '.join(parts)}, {source}."
    )


def brief_lines(analysis: Analysis) -> list[str]:
    """The key judgements, each with its confidence and reasons, and what would change them."""
    c, stab = analysis.conflict, analysis.stability
    out: list[str] = []
    if c.status_quo is not None:
        holds = [concept_name(k) for k in stab.concepts if c.status_quo in set(stab.equilibria(k).tolist())]
        out.append(
            f"The status quo, {short_state(c, c.status_quo)}, "
            + (
                f"is stable under {', '.join(holds)} in the real game"
                if holds
                else "is not stable under any concept in the real game"
            )
            + f" ({len(holds)} of {len(stab.concepts)} concepts agree)."
        )
    else:
        counts = ", ".join(f"{len(stab.equilibria(k))} under {concept_name(k)}" for k in stab.concepts)
        out.append(f"Equilibria of the real game: {counts} (no status quo is given, so no paths are traced).")
    hyper = analysis.hypergame
    if hyper is not None and hyper.misperceivers():
        who = ", ".join(c.decision_makers[i].name for i in hyper.misperceivers())
        held = [short_state(c, int(s)) for s in hyper.equilibria("seq")][:3]
        out.append(
            f"Misperception: {who} acts on a mistaken view of the game; the hypergame equilibria under SEQ "
            f"include {'; '.join(held) or 'none'}."
        )
    f = analysis.forecast
    if f is not None and analysis.scenario is not None:
        scales = {d.name: (d.low_label, d.high_label) for d in analysis.scenario.spec.issues.dimensions}
        point = f.point[f.model]
        q = f.monte_carlo.quantiles().to_dict("records") if f.monte_carlo is not None else []
        for k, dim in enumerate(f.space.base.dimensions):
            low, high = scales.get(dim, ("", ""))
            ends = f" (0 = {low}; 100 = {high})" if low or high else ""
            text = f"Forecast on {dim}{ends}: point forecast {float(point.outcome[k]):.1f} ({f.model} model)"
            if q:
                width = float(q[k]["q95"]) - float(q[k]["q05"])
                text += (
                    "; with every input varied, 90% of Monte Carlo runs fall between "
                    f"{float(q[k]['q05']):.1f} and {float(q[k]['q95']):.1f} ({_sensitivity(width)})"
                )
            out.append(text + ".")
    if f is not None:
        mae = analysis.model_evidence.mae.get(f.model)
        if mae is not None:
            out.append(
                f"Confidence in the forecast figures is low beyond their direction: the {f.model} model's "
                f"mean absolute error in the back-test on real negotiations (DEU III) is {mae:.1f} points on "
                "a 0-100 scale, far wider than the Monte Carlo intervals, which show only how much the "
                "input judgements matter."
            )
    if analysis.clock is not None:
        out.append(clock_brief(analysis.clock))
    report = analysis.interventions
    if report is not None and report.ranked:
        top = report.ranked[0]
        rob = analysis.robustness
        firsts = (
            f" It ranks first (alone or tied) in {100 * rob.first.get(top.assessment.name, 0.0):.0f}% of "
            f"{rob.draws} draws of the preference judgements."
            if rob is not None and rob.draws
            else ""
        )
        out.append(f"Best-ranked intervention: {top.assessment.title}. {words.summary(report, top)}{firsts}")
        warn = [s for s in words.bundle_sentences(report, analysis.bundles) if s.startswith("Warning")]
        out += warn
        movers = [r.assessment.title for r in report.ranked if r.effect.moved()]
        if movers:
            out.append(
                "What would change these judgements: the interventions that move an equilibrium of the "
                f"real game or of the hypergame: {'; '.join(movers)}."
            )
        flagged = [
            r.assessment.title for r in report.ranked if r.assumption is not None and r.assumption.assumes
        ]
        if flagged:
            out.append(f"Assume their own outcome (read with care): {'; '.join(flagged)}.")
    bad = [q for q in analysis.quotes if not q.ok]
    if analysis.quotes:
        out.append(
            f"Sources: {len(analysis.quotes) - len(bad)} of {len(analysis.quotes)} quotes verified verbatim"
            + (f"; {len(bad)} NOT verified (see the evidence table)." if bad else ".")
        )
    return out


def brief_section(analysis: Analysis) -> Section:
    return Section("brief", "Brief", tuple(brief_lines(analysis)))


def brief_markdown(document: Document, analysis: Analysis) -> str:
    """The brief as Markdown: title, subtitle, the key judgements and the provenance."""
    lines = [f"# {document.title}", ""]
    if document.subtitle:
        lines += [document.subtitle, ""]
    lines += ["## Brief", ""]
    lines += [f"- {line}" for line in brief_lines(analysis)]
    p = analysis.provenance
    if p is not None:
        lines += [
            "",
            "## Provenance",
            "",
            f"- detente {p.version}; input {p.input_file or '-'} (SHA-256 {p.sha256 or '-'})",
            f"- date {p.date}; seed {p.seed}; Monte Carlo runs {p.runs}",
        ]
    return "\n".join(lines) + "\n"


def write_brief(document: Document, analysis: Analysis, out_dir: str | Path) -> Path:
    """Write ``brief.md`` into ``out_dir`` atomically and return its path."""
    path = Path(out_dir) / "brief.md"
    atomic_write_text(path, brief_markdown(document, analysis))
    return path
