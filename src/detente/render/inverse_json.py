"""Inverse analysis results as JSON-ready dicts (documented in docs/json.md, kinds ``inverse_condition``,
``inverse_change``, ``inverse_statement_change``)."""

from __future__ import annotations

from typing import Any

from detente.conflict.inverse_change import PreferenceChange, StatementChange, StatementPreferences
from detente.conflict.inverse_condition import Comparison, Condition
from detente.conflict.inverse_share import Share
from detente.conflict.model import Conflict
from detente.render import inverse_words
from detente.render.conflict_json import conflict_document

Json = dict[str, Any]


def comparison_dict(conflict: Conflict, c: Comparison) -> Json:
    return {
        "decision_maker": conflict.decision_makers[c.dm].name,
        "better": c.better + 1,
        "worse": c.worse + 1,
        "holds": c.holds,
    }


def share_dict(share: Share) -> Json:
    return {
        "share": share.share,
        "low": share.low,
        "high": share.high,
        "method": share.method,
        "n": share.n,
    }


def condition_dict(conflict: Conflict, condition: Condition, share: Share | None = None) -> Json:
    """Kind ``inverse_condition``: the exact condition, its words and (optionally) its share."""
    return conflict_document(
        "inverse_condition",
        conflict,
        concept=condition.concept,
        target=condition.target + 1,
        varying=[conflict.decision_makers[d].name for d in condition.varying],
        possible=condition.possible,
        always=condition.always,
        blocked=[
            {"decision_maker": conflict.decision_makers[d].name, "move": m + 1} for d, m in condition.blocked
        ],
        requirements=[
            {
                "decision_maker": conflict.decision_makers[r.dm].name,
                "move": r.move + 1,
                "alternatives": [
                    {
                        "sanction": (v + 1) if v >= 0 else None,
                        "comparisons": [comparison_dict(conflict, c) for c in alt],
                    }
                    for alt, v in zip(r.alternatives, r.via, strict=True)
                ],
            }
            for r in condition.requirements
        ],
        share=None if share is None else share_dict(share),
        words=inverse_words.condition_words(conflict, condition)
        + ([inverse_words.share_words(share)] if share is not None else []),
    )


def change_dict(conflict: Conflict, change: PreferenceChange) -> Json:
    """Kind ``inverse_change``: the smallest change of pairwise comparisons."""
    return conflict_document(
        "inverse_change",
        conflict,
        concept=change.concept,
        target=change.target + 1,
        varying=[conflict.decision_makers[d].name for d in change.varying],
        goal=change.goal,
        from_status_quo=change.from_status_quo,
        feasible=change.feasible,
        cost=change.cost,
        counts_moves=change.counts_moves,
        reversed=[comparison_dict(conflict, c) for c in change.reversed],
        settled=[comparison_dict(conflict, c) for c in change.settled],
        kendall=change.kendall,
        rankings={
            conflict.decision_makers[d].name: [
                int(s) + 1 for s in sorted(range(conflict.n_states), key=lambda s: -int(change.ranks[d, s]))
            ]
            for d in change.varying
        },
        path=[s + 1 for s in change.path],
        words=inverse_words.change_words(conflict, change),
    )


def statement_change_dict(conflict: Conflict, change: StatementChange, prefs: StatementPreferences) -> Json:
    """Kind ``inverse_statement_change``: the fewest edits of one decision maker's statements."""
    return conflict_document(
        "inverse_statement_change",
        conflict,
        concept=change.condition.concept,
        target=change.condition.target + 1,
        decision_maker=conflict.decision_makers[change.dm].name,
        goal=change.goal,
        from_status_quo=change.from_status_quo,
        feasible=change.feasible,
        max_edits=change.max_edits,
        tried=change.tried,
        edits=[
            {
                "edit": kind,
                "statements": [prefs.texts[r] for r in rows],
                "position": pos + 1 if pos >= 0 else None,
            }
            for kind, rows, pos in change.edits
        ],
        statements=[[prefs.texts[r] for r in tier] for tier in change.tiers],
        path=[s + 1 for s in change.path],
        words=inverse_words.statement_change_words(conflict, change, prefs),
    )
