"""Interventions as JSON-ready dicts: the mechanism, the self-fulfilment check, what moved in which
game, bundles and the robustness of the ranking (for ``detente interventions --json`` and the web).

States are given as the sorted list of options taken in them (state numbers differ between variants).
"""

from __future__ import annotations

from typing import Any

from detente.interventions.evaluate import InterventionReport, Ranked
from detente.interventions.explain import StateKey
from detente.interventions.judge import Bundle, Robustness
from detente.render import intervention_words as words


def _state(key: StateKey) -> list[str]:
    return sorted(key)


def ranked_json(report: InterventionReport, r: Ranked) -> dict[str, Any]:
    """What one intervention changes and what moved, beside the fields the interventions JSON has."""
    conflict = r.assessment.hypergame.conflict if r.assessment.hypergame is not None else None
    a = r.assumption
    return {
        "summary": words.summary(report, r),
        "mechanism": [
            {
                "kind": m.kind,
                "party": m.party,
                "what": m.what,
                "action": m.action,
                "own_behaviour": m.own,
                "before": m.before,
                "after": m.after,
                "words": words.mechanism_phrase(m),
            }
            for m in r.mechanism
        ],
        "assumes_own_outcome": {
            "flagged": bool(a and a.assumes),
            "only": bool(a and a.only),
            "changes": [{"party": m.party, "kind": m.kind, "what": m.what} for m in (a.flagged if a else ())],
            "words": words.assumption_sentence(a),
        },
        "effects": [
            {
                "game": e.game,
                "concept": e.concept,
                "gained": [_state(k) for k in e.gained],
                "lost": [_state(k) for k in e.lost],
                "stability_changes": [
                    {"decision_maker": s.dm, "state": _state(s.state), "now_stable": s.now_stable}
                    for s in e.shifts
                ],
            }
            for e in r.effect.effects
        ],
        "outcome_changes": [
            {"outcome": c.outcome, "change": c.change, "concepts": list(c.concepts)}
            for c in r.outcome_changes
        ],
        "explanation": words.explanation(report, r, conflict) if conflict is not None else [],
    }


def bundles_json(report: InterventionReport, bundles: tuple[Bundle, ...]) -> list[dict[str, Any]]:
    return [
        {
            "members": list(b.members),
            "reach_gain": b.reach_gain,
            "equilibrium_gain": b.equilibrium_gain,
            "interaction": b.interaction,
            "reach_interaction": b.reach_interaction,
            "outcome_changes": [
                {"outcome": c.outcome, "change": c.change, "concepts": list(c.concepts)}
                for c in b.outcome_changes
            ],
            "only_together": [
                {"outcome": c.outcome, "change": c.change, "concepts": list(c.concepts)}
                for c in b.new_changes
            ],
            "error": b.error or None,
        }
        for b in bundles
    ]


def robustness_json(rob: Robustness) -> dict[str, Any]:
    return {
        "draws": rob.draws,
        "seed": rob.seed,
        "swap": rob.swap,
        "concepts": list(rob.concepts),
        "ranks_first": dict(rob.first),
        "mean_rank": dict(rob.mean_rank),
    }
