"""Plain-language narration of states, stability verdicts and status quo paths.

Pure functions: they return strings and print nothing. Options are quoted by their description when the
conflict file gives one, else by their name with underscores read as spaces; decision makers likewise by
name. The explanations restate the definitions of Fang, Hipel & Kilgour (1993, ch. 3) for Nash, GMR, SMR
and SEQ, of Inohara & Hipel (2008) for the coalition concepts, and the status quo analysis of Li, Kilgour
& Hipel (2005), on the concrete moves of the conflict at hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.conflict.coalition import Coalition, CoalitionResult, move_matrix
from detente.conflict.model import Conflict
from detente.conflict.paths import (
    Path,
    StatusQuoAnalysis,
    Step,
    changed_options,
    shortest_response,
    unilateral_graph,
)
from detente.conflict.stability import StabilityResult

CONCEPT_NAMES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "cnash": "CNash",
    "cgmr": "CGMR",
    "csmr": "CSMR",
    "cseq": "CSEQ",
}
_SHOWN_MOVES = 3


def concept_name(concept: str) -> str:
    return CONCEPT_NAMES.get(concept, concept.upper())


def dm_name(conflict: Conflict, i: int) -> str:
    return conflict.decision_makers[i].name.replace("_", " ")


def option_phrase(conflict: Conflict, j: int) -> str:
    """The option's short label, else its description, else its name with underscores as spaces, in quotes."""
    opt = conflict.options[j]
    text = opt.label.strip() or opt.description.strip().rstrip(".") or opt.name.replace("_", " ")
    return f"“{text}”"


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def describe_state(conflict: Conflict, s: int) -> str:
    """'state 3 (A chooses “x” but not “y”; B chooses none of “z”)': the number and each DM's choices."""
    code = int(conflict.states[s])
    parts: list[str] = []
    for i, dm in enumerate(conflict.decision_makers):
        taken = [option_phrase(conflict, j) for j in dm.options if code >> j & 1]
        left = [option_phrase(conflict, j) for j in dm.options if not code >> j & 1]
        if not taken:
            said = f"does not choose {_either(left)}"
        elif not left:
            said = f"chooses {join_words(taken)}"
        else:
            said = f"chooses {join_words(taken)} but not {_either(left)}"
        parts.append(f"{dm_name(conflict, i)} {said}")
    return f"state {conflict.number(s)} ({'; '.join(parts)})"


def _either(words: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    items = list(words)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _changes(conflict: Conflict, step: Step, owner: int) -> str:
    """'adopts “x” and “y” and abandons “z”': the owner's option changes along the step."""
    code = int(conflict.states[step.target])
    mine = [j for j in step.changed if conflict.options[j].owner == owner]
    adopted = [option_phrase(conflict, j) for j in mine if code >> j & 1]
    dropped = [option_phrase(conflict, j) for j in mine if not code >> j & 1]
    words = ([f"adopts {join_words(adopted)}"] if adopted else []) + (
        [f"abandons {join_words(dropped)}"] if dropped else []
    )
    return ", and ".join(words) if adopted and len(adopted) > 1 else " and ".join(words)


def describe_step(conflict: Conflict, step: Step) -> str:
    """'A adopts “x”' or 'A and B move together: A adopts “x” and B abandons “y”'."""
    if step.kind == "unilateral":
        i = step.mover[0]
        return f"{dm_name(conflict, i)} {_changes(conflict, step, i)}"
    members = [i for i in step.mover if any(conflict.options[j].owner == i for j in step.changed)]
    names = join_words([dm_name(conflict, i) for i in step.mover])
    detail = join_words([f"{dm_name(conflict, i)} {_changes(conflict, step, i)}" for i in members])
    return f"{names} move together: {detail}"


def _preference_clause(conflict: Conflict, step: Step) -> str:
    names = [dm_name(conflict, i) for i in step.mover]
    verb = "prefers" if len(names) == 1 else "each prefer"
    return f"which {join_words(names)} {verb} to state {conflict.number(step.source)}"


def _stable_for(conflict: Conflict) -> str:
    if conflict.n_dms == 2:
        return f"both {dm_name(conflict, 0)} and {dm_name(conflict, 1)}"
    return f"every decision maker ({join_words([dm_name(conflict, i) for i in range(conflict.n_dms)])})"


def describe_path(conflict: Conflict, path: Path, concept: str, from_status_quo: bool) -> str:
    """One paragraph: the start, each step with why its mover takes it, and the equilibrium reached."""
    origin = "the status quo, " if from_status_quo else ""
    name = concept_name(concept)
    if not path.steps:
        where = describe_state(conflict, path.start)
        subject = f"The status quo, {where}," if from_status_quo else where[0].upper() + where[1:]
        return f"{subject} is already an equilibrium under {name}: it is stable for {_stable_for(conflict)}."
    moves = [
        f"{describe_step(conflict, st)}, reaching state {conflict.number(st.target)}, "
        f"{_preference_clause(conflict, st)}"
        for st in path.steps
    ]
    n = len(path.steps)
    return (
        f"From {origin}{describe_state(conflict, path.start)}, {'; then '.join(moves)}. "
        f"This reaches {describe_state(conflict, path.end)} in {n} step{'s' if n > 1 else ''}, "
        f"stable under {name} for {_stable_for(conflict)}."
    )


def describe_paths(conflict: Conflict, analysis: StatusQuoAnalysis) -> list[str]:
    """One paragraph per shortest path to a reachable equilibrium, then one per unreachable equilibrium."""
    from_sq = analysis.start == conflict.status_quo
    order = sorted(analysis.paths, key=lambda e: (int(analysis.distance[e]), e))
    out = [
        describe_path(conflict, path, analysis.concept, from_sq) for e in order for path in analysis.paths[e]
    ]
    moves = (
        "unilateral or coalition improvements"
        if len(analysis.movers) > conflict.n_dms
        else ("unilateral improvements")
    )
    origin = "the status quo" if from_sq else f"state {conflict.number(analysis.start)}"
    cap = analysis.max_steps
    within = "" if cap is None else f" within {cap} step{'' if cap == 1 else 's'}"
    out.extend(
        f"S{describe_state(conflict, int(e))[1:]} is an equilibrium under "
        f"{concept_name(analysis.concept)} but cannot be reached from {origin} by {moves}{within}."
        for e in analysis.unreachable_equilibria
    )
    return out


# -- why a state is or is not stable ----------------------------------------------------------------
def _liking(conflict: Conflict, i: int, t: int, s: int) -> str:
    r = conflict.ranks[i]
    word = "less than" if r[t] < r[s] else "no better than"
    return f"which {dm_name(conflict, i)} likes {word} state {conflict.number(s)}"


def _sanction(conflict: Conflict, concept: str, i: int, s: int, s1: int) -> Path | None:
    """A shortest response by i's opponents from s1 that deters i under gmr, smr or seq (or None)."""
    r = conflict.ranks[i]
    others = [k for k in range(conflict.n_dms) if k != i]
    graph = unilateral_graph(conflict, others, improving=concept == "seq")
    accept = r <= r[s]
    if concept == "smr":
        own = move_matrix(conflict, i).toarray()
        accept &= ~(own & (r[None, :] > r[s])).any(axis=1)
    return shortest_response(conflict, graph, s1, accept)


def _response_text(conflict: Conflict, path: Path) -> str:
    return ", then ".join(
        f"{describe_step(conflict, st)} (state {conflict.number(st.target)})" for st in path.steps
    )


def _individual(conflict: Conflict, concept: str, stable: bool, i: int, s: int, ups: list[int]) -> str:
    """The reason (after the verdict) why s is or is not stable for i under an individual concept."""
    who, here = dm_name(conflict, i), conflict.number(s)
    if concept not in ("gmr", "smr", "seq"):
        return ""
    sanctions = {s1: _sanction(conflict, concept, i, s, s1) for s1 in ups}
    by = "the others' own unilateral improvements" if concept == "seq" else "the others' moves"
    escape = (
        f" and from which {who} cannot move to anything better than state {here}" if concept == "smr" else ""
    )
    if stable:
        shown = [
            f"if {_own_move(conflict, i, s, s1)}, the others can answer: {_response_text(conflict, p)}, "
            f"{_liking(conflict, i, p.end, s)}{escape}"
            for s1, p in sanctions.items()
            if p is not None
        ][:_SHOWN_MOVES]
        return f", because every improvement can be sanctioned by {by}: {'; '.join(shown)}"
    free = [s1 for s1, p in sanctions.items() if p is None]
    if not free:
        return ""
    return (
        f": if {_own_move(conflict, i, s, free[0])}, no sequence of {by} leads to a state "
        f"{who} likes no better than state {here}{escape}"
    )


def _own_move(conflict: Conflict, i: int, s: int, t: int) -> str:
    step = Step(s, t, (i,), changed_options(conflict, s, t))
    return f"{describe_step(conflict, step)} (state {conflict.number(t)})"


def _joint_moves(conflict: Conflict, result: CoalitionResult, i: int, s: int) -> dict[Coalition, Path]:
    """For each coalition of the class containing i, a shortest joint move all its members prefer."""
    out: dict[Coalition, Path] = {}
    for h in result.coalitions:
        if i in h:
            accept = np.all([conflict.ranks[k] > conflict.ranks[k, s] for k in h], axis=0)
            path = shortest_response(conflict, unilateral_graph(conflict, h, improving=False), s, accept)
            if path is not None:
                out[h] = path
    return out


def _coalitional(
    conflict: Conflict, result: CoalitionResult, concept: str, i: int, s: int, moves: dict[Coalition, Path]
) -> str:
    """The reason (after the verdict) why s is or is not coalition-stable for i under ``concept``."""
    who, here = dm_name(conflict, i), conflict.number(s)
    if bool(result.stable[concept][i, s]):
        if not moves:
            return f": no coalition including {who} has a move from state {here} that all its members prefer"
        return (
            f": every move of a coalition including {who} that all its members prefer can be answered by "
            f"the others with a state {who} likes no better than state {here}"
        )
    upset = [h for h in result.upsetting(concept, s, dm=i) if h in moves]
    reasons = []
    for h in upset[:_SHOWN_MOVES]:
        names = join_words([dm_name(conflict, k) for k in h])
        verb = "prefers" if len(h) == 1 else "each prefer"
        how = "alone" if len(h) == 1 else "jointly"
        reasons.append(
            f"{names} can improve {how}: {_response_text(conflict, moves[h])}, which {names} {verb}"
        )
    if not reasons:
        return ""
    more = f" (and {len(upset) - _SHOWN_MOVES} more coalitions)" if len(upset) > _SHOWN_MOVES else ""
    if concept == "cnash":
        tail = ""
    elif all(len(h) == conflict.n_dms for h in upset):
        tail = ", and nobody is left to sanction it"
    else:
        tail = f"; the others cannot answer every such move with a state {who} likes no better"
    return f": {'; '.join(reasons)}{more}{tail}"


def _grouped(conflict: Conflict, i: int, s: int, verdicts: list[tuple[str, bool, str]]) -> list[str]:
    """'Under GMR and SEQ state 3 is stable for A<reason>.': concepts sharing a verdict and reason merged."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for concept, stable, reason in verdicts:
        groups.setdefault((stable, reason), []).append(concept_name(concept))
    return [
        f"Under {join_words(names)} state {conflict.number(s)} is {'stable' if stable else 'unstable'} "
        f"for {dm_name(conflict, i)}{reason}."
        for (stable, reason), names in groups.items()
    ]


def describe_stability(conflict: Conflict, result: StabilityResult | CoalitionResult, s: int) -> list[str]:
    """One paragraph per decision maker: its improvements from state s and, per concept, why s is
    (un)stable for it, naming the sanctions (opponents' responses it likes no better) that deter it."""
    out: list[str] = []
    for i in range(conflict.n_dms):
        who = dm_name(conflict, i)
        ups = [int(t) for t in move_matrix(conflict, i, improving=True)[[s], :].toarray()[0].nonzero()[0]]
        if ups:
            listed = "; or ".join(_own_move(conflict, i, s, t) for t in ups[:_SHOWN_MOVES])
            more = f" (and {len(ups) - _SHOWN_MOVES} more)" if len(ups) > _SHOWN_MOVES else ""
            head = f"From {describe_state(conflict, s)}, {who} could improve by moving alone: {listed}{more}."
        else:
            head = (
                f"From {describe_state(conflict, s)}, {who} has no move of its own that it prefers, so the "
                f"state is stable for {who} under every individual concept."
            )
        verdicts: list[tuple[str, bool, str]] = []
        if isinstance(result, CoalitionResult):
            moves = _joint_moves(conflict, result, i, s)
            for concept, table in result.stable.items():
                reason = _coalitional(conflict, result, concept, i, s, moves)
                verdicts.append((concept, bool(table[i, s]), reason))
        elif ups:
            for concept, table in result.stable.items():
                stable = bool(table[i, s])
                verdicts.append((concept, stable, _individual(conflict, concept, stable, i, s, ups)))
        parts = [head, *_grouped(conflict, i, s, verdicts)]
        out.append(" ".join(parts))
    return out
