"""Hypergames in words: where each misperceiving decision maker's expectations fail, and why."""

from __future__ import annotations

from detente.conflict.hypergame import HypergameResult, free_move
from detente.conflict.model import Conflict, IntArray
from detente.conflict.paths import Step, changed_options
from detente.render.narrate import concept_name, describe_state, describe_step, dm_name


def explain(result: HypergameResult, concept: str = "seq") -> list[str]:
    """Plain-language account of where each misperceiving decision maker's expectations fail.

    For every state a misperceiver expects (an equilibrium of its perceived game) that is not a
    hypergame equilibrium, name each decision maker for whom it is not stable, its most preferred
    improvement that no response deters (in its own view of the game), and what the misperceiver
    believed about that move. ``concept``: nash, gmr, smr or seq.
    """
    c = result.conflict
    name = concept_name(concept)
    actual = {int(s) for s in result.equilibria(concept)}
    stable = result.stable_for(concept)
    out: list[str] = []
    for p in result.misperceivers():
        who = dm_name(c, p)
        game, local = result.games[p], result.state_maps[p]
        before = len(out)
        for s in (int(x) for x in result.expected_equilibria(p, concept)):
            if s in actual:
                continue
            reasons = []
            for i in (k for k in range(c.n_dms) if not stable[k, s]):
                t = free_move(result, concept, i, s)
                if t is None:
                    continue
                step = Step(s, t, (i,), changed_options(c, s, t))
                reasons.append(
                    f"{dm_name(c, i)} truly prefers to move: {describe_step(c, step)}, reaching state "
                    f"{c.number(t)}, and no response makes that move a mistake for it; {who} "
                    + _belief(c, game, local, i, s, t)
                )
            out.append(
                f"{who} expects {describe_state(c, s)} to hold: in the game as {who} sees it, this state is "
                f"an equilibrium under {name}. It does not hold: " + "; ".join(reasons) + "."
            )
        if len(out) == before:
            out.append(f"{who}'s misperceptions do not change which outcomes hold under {name}.")
    if actual:
        listed = "; ".join(describe_state(c, s) for s in sorted(actual))
        out.append(
            f"When each side acts on its own view of the game, the outcomes that hold under {name} "
            f"are: {listed}."
        )
    else:
        out.append(f"When each side acts on its own view of the game, no outcome holds under {name}.")
    return out


def _belief(c: Conflict, game: Conflict, local: IntArray, i: int, s: int, t: int) -> str:
    """What the perceiver (whose game is ``game``) believed about decision maker i's move s -> t."""
    who, here, there = dm_name(c, i), c.number(s), c.number(t)
    if local[t] < 0:
        return "did not see that move at all"
    believed_s, believed_t = int(game.ranks[i, local[s]]), int(game.ranks[i, local[t]])
    if believed_s > believed_t:
        return f"believed {who} likes state {here} better than state {there}"
    if believed_s == believed_t:
        return f"believed {who} is indifferent between states {here} and {there}"
    return f"saw that {who} prefers state {there} but expected a response that would deter the move"
