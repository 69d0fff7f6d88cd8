"""Report sections for graph-model results (rendered to the terminal and to HTML alike)."""

from __future__ import annotations

from collections.abc import Sequence

from detente.conflict.model import Conflict, Direction
from detente.conflict.stability import StabilityResult
from detente.io.evidence import EvidenceRow
from detente.render.conflict_plots import drawn_states, state_graph_svg
from detente.render.narrate import concept_name
from detente.render.report.document import Figure, Section, Table

_DIRECTION = {Direction.BOTH: "both ways", Direction.FORWARD: "only forward", Direction.BACKWARD: "only back"}


def short_state(conflict: Conflict, s: int) -> str:
    """``state 5 (NK: the Yongbyon offer; US president: sanctions relief)``: the options taken, by
    decision maker, in words (the option's label, else its name with underscores as spaces)."""
    values = conflict.option_values(s)
    parts = []
    for dm in conflict.decision_makers:
        taken = [
            conflict.options[j].label or conflict.options[j].name.replace("_", " ")
            for j in dm.options
            if values[conflict.options[j].name]
        ]
        if taken:
            parts.append(f"{dm.name.replace('_', ' ')}: {', '.join(taken)}")
    return f"state {conflict.number(s)} ({'; '.join(parts) if parts else 'no option taken'})"


def options_section(conflict: Conflict) -> Section:
    rows = tuple(
        (
            conflict.decision_makers[o.owner].name,
            o.name,
            _DIRECTION[o.direction],
            o.label or o.description,
            str(len(o.evidence)),
        )
        for o in conflict.options
    )
    sq = (
        f" The status quo is {short_state(conflict, conflict.status_quo)}."
        if conflict.status_quo is not None
        else ""
    )
    text = (
        f"{conflict.n_dms} decision makers control {conflict.n_options} options; "
        f"{conflict.n_states} of the {2**conflict.n_options} combinations are feasible.{sq}"
    )
    return Section(
        "options",
        "Decision makers and options",
        (text,),
        (Table(("decision maker", "option", "reversible", "meaning", "evidence"), rows),),
    )


def stability_section(
    conflict: Conflict,
    result: StabilityResult,
    explanations: Sequence[str] = (),
    paths: Sequence[Sequence[int]] = (),
    graph_concept: str = "seq",
) -> Section:
    """Equilibria per concept (short labels), explanations (HTML only) and the state graph."""
    rows = []
    for concept in result.concepts:
        eq = result.equilibria(concept)
        rows.append((concept_name(concept), ", ".join(str(conflict.number(int(s))) for s in eq) or "none"))
    union = sorted({int(s) for concept in result.concepts for s in result.equilibria(concept)})
    legend = Table(
        ("state", "options taken", "equilibrium under"),
        tuple(
            (
                str(conflict.number(s)),
                short_state(conflict, s).split(" (", 1)[1][:-1],
                ", ".join(
                    concept_name(c) for c in result.concepts if s in set(result.equilibria(c).tolist())
                ),
            )
            for s in union
        ),
        "The equilibria",
    )
    concept = graph_concept if graph_concept in result.concepts else result.concepts[0]
    equilibria = [int(s) for s in result.equilibria(concept)]
    drawn = drawn_states(conflict, equilibria, paths, f"{concept_name(concept)} equilibria")
    figure = Figure(
        state_graph_svg(conflict, drawn, equilibria, paths),
        f"Unilateral improvements between states; {concept_name(concept)} equilibria "
        f"in yellow, the status quo ringed in black, status-quo paths in bold. Drawn: {drawn.description}.",
    )
    summary = _summary(conflict, result)
    return Section(
        "stability",
        "Stable outcomes",
        (summary,),
        (Table(("solution concept", "equilibria (state numbers)"), tuple(rows)), legend),
        (figure,),
        details=tuple(explanations),
    )


def _summary(conflict: Conflict, result: StabilityResult) -> str:
    sq = conflict.status_quo
    counts = ", ".join(f"{len(result.equilibria(c))} under {concept_name(c)}" for c in result.concepts)
    text = f"Equilibria: {counts}."
    if sq is not None:
        holds = [concept_name(c) for c in result.concepts if sq in set(result.equilibria(c).tolist())]
        text += (
            f" The status quo (state {conflict.number(sq)}) is an equilibrium under {', '.join(holds)}."
            if holds
            else f" The status quo (state {conflict.number(sq)}) is not stable under any concept."
        )
    return text


def stability_table(conflict: Conflict, result: StabilityResult) -> Table:
    """Per state, per concept: which decision makers find it stable (E marks an equilibrium)."""
    rows = []
    for s in range(conflict.n_states):
        cells = [str(conflict.number(s)), conflict.label(s)]
        for concept in result.concepts:
            stable = result.stable[concept][:, s]
            mark = (
                "E"
                if stable.all()
                else ",".join(conflict.decision_makers[i].name for i in range(conflict.n_dms) if stable[i])
            )
            cells.append(mark or "-")
        rows.append(tuple(cells))
    return Table(
        ("state", "options (" + "".join(o.name[0] for o in conflict.options) + ")", *result.concepts),
        tuple(rows),
        "Stable for which decision makers (E = equilibrium)",
        terminal=False,
        collapsed=conflict.n_states > 32,
    )


def evidence_section(rows: Sequence[EvidenceRow]) -> Section:
    table = Table(
        ("where", "judgement", "quote", "source", "note"),
        tuple((r.field, r.subject, r.quote or "", r.source or "", r.note or "") for r in rows),
    )
    quoted = sum(1 for r in rows if r.quote)
    text = f"{len(rows)} pieces of evidence: {quoted} quotes from the sources and {len(rows) - quoted} notes."
    return Section("evidence", "Evidence", (text,), (table,), terminal=False)
