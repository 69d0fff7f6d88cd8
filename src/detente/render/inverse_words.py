"""Inverse analysis in words: conditions, smallest changes and shares, states named by their options."""

from __future__ import annotations

from detente.conflict.inverse_change import PreferenceChange, StatementChange, StatementPreferences
from detente.conflict.inverse_condition import Alternative, Comparison, Condition, Requirement
from detente.conflict.inverse_share import Share
from detente.conflict.model import Conflict

SHOWN = 3
"""Alternatives written out per requirement; the rest are counted."""


def _option(conflict: Conflict, j: int) -> str:
    o = conflict.options[j]
    return o.label or o.name


def state_words(conflict: Conflict, s: int) -> str:
    """``state 87 (the Yongbyon offer, sanctions relief)``: the number and the options taken."""
    code = int(conflict.states[s])
    taken = [_option(conflict, j) for j in range(conflict.n_options) if code >> j & 1]
    return f"state {s + 1} ({', '.join(taken) if taken else 'no option taken'})"


def relative_words(conflict: Conflict, s: int, target: int) -> str:
    """A state named by how it differs from the target: ``state 85 (the target with X, without Y)``."""
    if s == target:
        return f"the target (state {target + 1})"
    a, b = int(conflict.states[s]), int(conflict.states[target])
    added = [_option(conflict, j) for j in range(conflict.n_options) if (a >> j & 1) and not (b >> j & 1)]
    dropped = [_option(conflict, j) for j in range(conflict.n_options) if (b >> j & 1) and not (a >> j & 1)]
    parts = []
    if added:
        parts.append("with " + " and ".join(added))
    if dropped:
        parts.append("without " + " and ".join(dropped))
    return f"state {s + 1} (the target {', '.join(parts)})"


def comparison_words(conflict: Conflict, c: Comparison, target: int) -> str:
    who = conflict.decision_makers[c.dm].name
    verb = "prefers" if c.holds else "does not prefer"
    better, worse = relative_words(conflict, c.better, target), relative_words(conflict, c.worse, target)
    return f"{who} {verb} {better} to {worse}"


def _alternative(conflict: Conflict, alt: Alternative, target: int) -> str:
    return " and ".join(comparison_words(conflict, c, target) for c in alt)


def requirement_words(conflict: Conflict, req: Requirement, target: int) -> str:
    """One requirement: the move it must deter and its alternatives (the first few written out)."""
    who = conflict.decision_makers[req.dm].name
    shown = [_alternative(conflict, alt, target) for alt in req.alternatives[:SHOWN]]
    more = len(req.alternatives) - SHOWN
    tail = f"; or one of {more} more ways of deterring it" if more > 0 else ""
    return (
        f"to keep {who} from moving to {relative_words(conflict, req.move, target)}: "
        + "; or ".join(shown)
        + tail
    )


def condition_words(conflict: Conflict, condition: Condition) -> list[str]:
    """The condition as sentences: a headline, then one line per requirement."""
    t = condition.target
    concept = condition.concept.upper()
    names = [conflict.decision_makers[d].name for d in condition.varying]
    varying = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    owner = f"{varying}'" if varying.endswith("s") else f"{varying}'s"  # the possessive of a plural name
    head = f"{state_words(conflict, t)} as a {concept} equilibrium, {owner} preferences varying"
    if condition.blocked:
        lines = [f"{head}: impossible whatever {varying} prefer."]
        for dm, move in condition.blocked[:SHOWN]:
            who = conflict.decision_makers[dm].name
            lines.append(
                f"{who} would move to {relative_words(conflict, move, t)}"
                f" and nothing {varying} could prefer deters it."
            )
        return lines
    if condition.always:
        return [f"{head}: it is one whatever {varying} prefer."]
    lines = [f"{head}: it is one exactly when all of these hold ({len(condition.requirements)}):"]
    lines += [requirement_words(conflict, r, t) for r in condition.requirements]
    return lines


def change_words(conflict: Conflict, change: PreferenceChange) -> list[str]:
    """The smallest change in words."""
    t = change.target
    goal = "an equilibrium" if change.goal == "stable" else "no longer an equilibrium"
    also = " and reached from the status quo by improvements" if change.from_status_quo else ""
    concept = change.concept.upper()
    if not change.feasible:
        return [
            f"No preferences of the varying decision makers make {state_words(conflict, t)}"
            f" {goal} ({concept}){also}."
        ]
    if change.cost == 0 and not change.settled:
        lines = [f"{state_words(conflict, t)} is already {goal} ({concept}){also}; nothing needs to change."]
    else:
        lines = [
            f"The fewest changes making {state_words(conflict, t)} {goal} ({concept}){also}: "
            f"{change.cost} reversed comparison{'s' if change.cost != 1 else ''}."
        ]
        lines += [comparison_words(conflict, c, t) + " (reversed)." for c in change.reversed]
        if change.settled:
            lines.append(
                f"{len(change.settled)} comparison(s) the current preferences leave tied are settled too."
            )
    if change.broken is not None:
        lines.append("Then " + requirement_words(conflict, change.broken, t) + " — fails.")
    if change.path:
        lines.append(
            "Path from the status quo: " + " -> ".join(state_words(conflict, s) for s in change.path) + "."
        )
    return lines


def statement_change_words(
    conflict: Conflict, change: StatementChange, prefs: StatementPreferences
) -> list[str]:
    """The fewest statement edits in words."""
    who = conflict.decision_makers[change.dm].name
    t = change.condition.target
    goal = "an equilibrium" if change.goal == "stable" else "no longer an equilibrium"
    if not change.feasible:
        return [
            f"No list of {who}'s statements within {change.max_edits} edits makes"
            f" {state_words(conflict, t)} {goal}."
        ]
    if not change.edits:
        return [f"{state_words(conflict, t)} is already {goal} with {who}'s statements as they are."]

    def tier(rows: tuple[int, ...]) -> str:
        return " / ".join(repr(prefs.texts[r]) for r in rows)

    lines = [f"{len(change.edits)} edit(s) of {who}'s statements make {state_words(conflict, t)} {goal}:"]
    for kind, rows, pos in change.edits:
        if kind == "remove":
            lines.append(f"remove {tier(rows)}")
        elif kind == "move":
            lines.append(f"move {tier(rows)} to place {pos + 1}")
        else:
            lines.append(f"add {tier(rows)} at place {pos + 1}")
    return lines


def share_words(share: Share) -> str:
    """``exactly 27.5% ...`` or ``about 27.5% (95% interval 26.6%-28.4%, 9,604 sampled rankings)``."""
    if share.method == "exact":
        return f"exactly {share.share:.1%} of the rankings (all {share.n:,} orders of the states that matter)"
    interval = f"95% interval {share.low:.1%}-{share.high:.1%}"
    return f"about {share.share:.1%} of the rankings ({interval}, {share.n:,} sampled)"
