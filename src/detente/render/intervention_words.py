"""Interventions in words: what each changes (its mechanism), what moved and in which game, and why.

Words only; the results come from :mod:`detente.interventions.evaluate`,
:mod:`detente.interventions.explain` and :mod:`detente.interventions.mechanism`. States are named by
the options taken in them, never by a bare number. The game is always named: the *real game* is the
game as the scenario states it (every decision maker's true preferences); the *hypergame* is each
decision maker acting on the game as it perceives it (Bennett 1980), so a hypergame equilibrium may
rest on a mistaken belief.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from detente.conflict.model import Conflict
from detente.conflict.stability import StabilityResult
from detente.interventions.evaluate import InterventionReport, OutcomeChange, Ranked
from detente.interventions.explain import ConceptEffect, StateKey, state_index
from detente.interventions.judge import Bundle, OutcomeView, Robustness
from detente.interventions.mechanism import MechanismChange, OutcomeAssumption
from detente.render.narrate import concept_name, describe_stability, join_words

GAME_WORDS = {
    "real": "the real game",
    "hypergame": "the hypergame (each side acting on its own view of the game)",
}
SHOWN_SHIFTS = 3

_OUTCOME_CHANGE = {
    "equilibrium": "becomes an equilibrium of the real game",
    "not_equilibrium": "stops being an equilibrium of the real game",
    "hypergame_equilibrium": "becomes a hypergame equilibrium",
    "not_hypergame_equilibrium": "stops being a hypergame equilibrium",
    "reachable": "becomes a hypergame equilibrium reachable from the status quo",
    "unreachable": "is no longer a hypergame equilibrium reachable from the status quo",
}


def _label(conflict: Conflict, name: str) -> str:
    for o in conflict.options:
        if o.name == name:
            return o.label.strip() or o.description.strip().rstrip(".") or name.replace("_", " ")
    return name.replace("_", " ")


def describe_key(conflict: Conflict, key: StateKey) -> str:
    """A state by its options in words: 'NK: the Yongbyon offer, missile tests; US president: nothing'."""
    parts = []
    for dm in conflict.decision_makers:
        taken = [
            _label(conflict, conflict.options[j].name) for j in dm.options if conflict.options[j].name in key
        ]
        parts.append(f"{dm.name.replace('_', ' ')}: {', '.join(taken) if taken else 'nothing'}")
    return "; ".join(parts)


def _concepts(cs: Sequence[str]) -> str:
    return ", ".join(concept_name(c) for c in cs)


def _grouped(effects: Sequence[ConceptEffect]) -> list[tuple[tuple[str, ...], ConceptEffect]]:
    """Concepts with the same gained and lost equilibria, grouped."""
    groups: dict[tuple[tuple[StateKey, ...], tuple[StateKey, ...]], list[ConceptEffect]] = {}
    for e in effects:
        if e.moved:
            groups.setdefault((e.gained, e.lost), []).append(e)
    return [(tuple(e.concept for e in es), es[0]) for es in groups.values()]


def _first(items: list[str]) -> list[str]:
    if len(items) <= SHOWN_SHIFTS:
        return items
    return [*items[:SHOWN_SHIFTS], f"{len(items) - SHOWN_SHIFTS} more"]


def equilibrium_sentences(conflict: Conflict, ranked: Ranked) -> list[str]:
    """For each game, the equilibria gained and lost, concepts grouped."""
    out = []
    for game in ("real", "hypergame"):
        for concepts, e in _grouped([x for x in ranked.effect.effects if x.game == game]):
            bits = _first([f"“{describe_key(conflict, k)}” becomes an equilibrium" for k in e.gained])
            bits += _first([f"“{describe_key(conflict, k)}” stops being an equilibrium" for k in e.lost])
            out.append(f"In {GAME_WORDS[game]}, under {_concepts(concepts)}: {'; '.join(bits)}.")
    return out


def shift_sentences(conflict: Conflict, ranked: Ranked, game: str = "real") -> list[str]:
    """For each decision maker, the states whose stability for it changed (first few, concepts grouped)."""
    by: dict[tuple[str, StateKey, bool], list[str]] = {}
    for e in ranked.effect.effects:
        if e.game == game:
            for sh in e.shifts:
                by.setdefault((sh.dm, sh.state, sh.now_stable), []).append(e.concept)
    per_dm: dict[str, list[str]] = {}
    for (dm, key, stable), cs in by.items():
        verdict = "now stable" if stable else "no longer stable"
        per_dm.setdefault(dm, []).append(f"“{describe_key(conflict, key)}” is {verdict} ({_concepts(cs)})")
    out = []
    for dm, items in per_dm.items():
        more = f" and {len(items) - SHOWN_SHIFTS} more" if len(items) > SHOWN_SHIFTS else ""
        out.append(
            f"For {dm.replace('_', ' ')} in {GAME_WORDS[game]}: {'; '.join(items[:SHOWN_SHIFTS])}{more}."
        )
    return out


def reason_sentences(report: InterventionReport, ranked: Ranked, limit: int = SHOWN_SHIFTS) -> list[str]:
    """Why stability changed, in the real game: for up to ``limit`` decision makers, one state whose
    stability for it changed (a gained or lost equilibrium first), narrated before and after: its
    improvements from there and the sanctions that deter them (which appeared or disappeared)."""
    base_h, var_h = report.baseline.hypergame, ranked.assessment.hypergame
    if base_h is None or var_h is None:
        return []
    bc, vc = base_h.conflict, var_h.conflict
    b_index, v_index = state_index(bc), state_index(vc)
    candidates: list[tuple[int, str, StateKey, str]] = []
    for e in ranked.effect.effects:
        if e.game != "real":
            continue
        moved = set(e.gained) | set(e.lost)
        for sh in e.shifts:
            candidates.append((0 if sh.state in moved else 1, sh.dm, sh.state, e.concept))
    out: list[str] = []
    seen: set[str] = set()
    for _, dm, key, concept in sorted(candidates, key=lambda c: c[0]):
        if dm in seen or len(seen) >= limit:
            continue
        seen.add(dm)
        only_b = StabilityResult(bc, {concept: base_h.real.stable[concept]})
        only_v = StabilityResult(vc, {concept: var_h.real.stable[concept]})
        before = describe_stability(bc, only_b, b_index[key])[bc.dm_index(dm)]
        after = describe_stability(vc, only_v, v_index[key])[vc.dm_index(dm)]
        out.append(
            f"Why it changed for {dm.replace('_', ' ')} (real game, {concept_name(concept)}). "
            f"Before: {before} After: {after}"
        )
    return out


def mechanism_phrase(m: MechanismChange) -> str:
    """One moved item in words."""
    who = m.party.replace("_", " ")
    if m.kind == "preference":
        kind = "about its own behaviour" if m.own else "conditional on another party's move"
        return f"{who}'s preference statement “{m.what}” {m.action} ({kind})"
    if m.kind == "belief":
        return f"{who}'s belief “{m.what.replace('_', ' ')}” {m.action}"
    if m.kind == "option":
        if m.what == "constraints":
            return "the options that can be taken together changed (a constraint)"
        return f"{who}'s option “{m.what.replace('_', ' ')}” {m.action}"
    if m.kind in ("capability", "salience", "position"):
        dim = "" if m.kind == "capability" else f" on {m.what.replace('_', ' ')}"
        return f"{who}'s {m.kind}{dim} from {m.before} to {m.after}"
    return f"{m.what} changed"


def mechanism_sentence(ranked: Ranked) -> str:
    return "What it changes: " + join_words([mechanism_phrase(m) for m in ranked.mechanism]) + "."


def assumption_sentence(a: OutcomeAssumption | None) -> str:
    """'' when the intervention does not assume its outcome."""
    if a is None or not a.assumes:
        return ""
    what = join_words([mechanism_phrase(m) for m in a.flagged])
    lead = (
        "Assumes its own outcome: it only rewrites"
        if a.only
        else "Partly assumes its own outcome: it rewrites"
    )
    return (
        f"{lead} the preferences of the party whose behaviour it is meant to produce ({what}); "
        "the engines cannot then show that the behaviour follows."
    )


def outcome_sentence(report: InterventionReport, changes: Sequence[OutcomeChange]) -> str:
    labels = {o.name: o.label for o in report.outcomes}
    return "; ".join(
        f"{labels.get(c.outcome, c.outcome)} {_OUTCOME_CHANGE[c.change]} ({_concepts(c.concepts)})"
        for c in changes
    )


def summary(report: InterventionReport, ranked: Ranked) -> str:
    """One sentence: what changed for the outcomes of interest, else which equilibria moved, in which game.

    Never "no change" when an equilibrium of the real game or of the hypergame moved.
    """
    said = outcome_sentence(report, ranked.outcome_changes)
    if said:
        return said + "."
    moved = [g for g in ("real", "hypergame") if ranked.effect.moved(g)]
    if moved:
        concepts = sorted(
            {e.concept for e in ranked.effect.effects if e.moved and e.game in moved},
            key=report.concepts.index,
        )
        games = " and ".join(GAME_WORDS[g].split(" (")[0] for g in moved)
        return (
            f"No outcome of interest changes status, but equilibria of {games} move "
            f"({_concepts(concepts)}): see the explanation."
        )
    return "No equilibrium moves in the real game or in the hypergame under any concept."


def explanation(report: InterventionReport, ranked: Ranked, conflict: Conflict) -> list[str]:
    """Every sentence about one intervention: mechanism, verdict on self-fulfilment, what moved, for whom."""
    out = [mechanism_sentence(ranked)]
    flag = assumption_sentence(ranked.assumption)
    if flag:
        out.append(flag)
    out.append(summary(report, ranked))
    out += equilibrium_sentences(conflict, ranked)
    out += shift_sentences(conflict, ranked, "real")
    out += shift_sentences(conflict, ranked, "hypergame")
    out += reason_sentences(report, ranked)
    return out


# -- judged from every side -----------------------------------------------------------------------------
_VIEW = {
    "better": "better than the status quo",
    "worse": "worse than the status quo",
    "mixed": "better in some forms, worse in others",
    "same": "as good as the status quo",
}


def outcome_view_rows(report: InterventionReport, views: Sequence[OutcomeView]) -> list[tuple[str, ...]]:
    """One row per outcome of interest: the user's stated goal, then each decision maker's view."""
    dms = list(dict.fromkeys(v.dm for v in views))
    rows = []
    for o in report.outcomes:
        cells = [o.label, "desired" if o.desired else "undesired"]
        cells += [_VIEW[v.view] for dm in dms for v in views if v.outcome == o.name and v.dm == dm]
        rows.append(tuple(cells))
    return rows


def stakeholder_rows(
    report: InterventionReport, values: Mapping[str, Mapping[str, float | None]]
) -> list[tuple[str, ...]]:
    """Per variant (baseline first), each decision maker's value of the outcomes to expect (0-1) and,
    for interventions, the change against the baseline."""
    base = values["baseline"]
    rows = [("No intervention", *(_value(v) for v in base.values()))]
    for r in report.ranked:
        mine = values[r.assessment.name]
        rows.append(
            (
                r.assessment.title,
                *(f"{_value(mine[dm])} ({_delta(mine[dm], base[dm])})" for dm in base),
            )
        )
    return rows


def _value(v: float | None) -> str:
    return "no outcome" if v is None else f"{v:.2f}"


def _delta(v: float | None, b: float | None) -> str:
    if v is None or b is None:
        return "n/a"
    d = v - b
    return "same" if abs(d) < 5e-3 else f"{d:+.2f}"


def bundle_sentences(report: InterventionReport, bundles: Sequence[Bundle]) -> list[str]:
    """All together first, then the pairs whose effects do not simply add up."""
    titles = {r.assessment.name: r.assessment.title for r in report.ranked}
    out = []
    everything = [b for b in bundles if len(b.members) > 2]
    for b in everything:
        if b.error:
            out.append(f"All {len(b.members)} together {b.error}.")
            continue
        said = outcome_sentence(report, b.outcome_changes) or "no outcome of interest changes status"
        out.append(
            f"All {len(b.members)} interventions together: {said}. Reachable gain {b.reach_gain}, "
            f"equilibrium gain {b.equilibrium_gain} (the single gains add up to "
            f"{b.equilibrium_gain - b.interaction})."
        )
        undesired = [
            o.label
            for o in report.outcomes
            if not o.desired
            and any(
                c.outcome == o.name and c.change in ("equilibrium", "hypergame_equilibrium", "reachable")
                for c in b.outcome_changes
            )
        ]
        if undesired:
            out.append(
                "Warning: applied together they make an outcome the scenario marks undesired an equilibrium: "
                + "; ".join(undesired)
                + "."
            )
    pairs = [b for b in bundles if len(b.members) == 2]
    odd = [b for b in pairs if b.error or b.interaction or b.reach_interaction or b.new_changes]
    out.append(
        f"{len(pairs)} pairs assessed; {len(pairs) - len(odd)} have effects that simply add up"
        + (", the others:" if odd else ".")
    )
    for b in odd:
        names = " + ".join(titles.get(n, n) for n in b.members)
        if b.error:
            out.append(f"{names}: {b.error}.")
            continue
        kind = (
            "reinforce each other" if b.interaction + b.reach_interaction > 0 else "get in each other's way"
        )
        new = outcome_sentence(report, b.new_changes)
        out.append(
            f"{names}: they {kind} (interaction {b.interaction:+d} hypergame equilibria, "
            f"{b.reach_interaction:+d} reachable)" + (f"; only together: {new}" if new else "") + "."
        )
    return out


def robustness_rows(report: InterventionReport, rob: Robustness) -> list[tuple[str, ...]]:
    order = sorted(rob.first, key=lambda n: (-rob.first[n], rob.mean_rank[n], n))
    titles = {r.assessment.name: r.assessment.title for r in report.ranked}
    return [(titles.get(n, n), f"{100 * rob.first[n]:.0f}%", f"{rob.mean_rank[n]:.1f}") for n in order]


def robustness_sentence(rob: Robustness) -> str:
    return (
        f"The ranking re-run on {rob.draws} draws of the preference judgements (seed {rob.seed}): in each "
        f"draw every pair of adjacent preference statements, real and perceived, is swapped with "
        f"probability {rob.swap:.2f}; ranked under {_concepts(rob.concepts)}. Ties share first place."
    )
