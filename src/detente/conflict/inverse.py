"""Inverse analysis: which preferences of one decision maker make a chosen state an equilibrium.

This module keeps the exact *count* for one decision maker on small conflicts (at most
:data:`MAX_STATES` states, with known pairwise preferences) and the statement-order listing. For any
size and several decision makers at once see :mod:`detente.conflict.inverse_condition` (the exact
condition), :mod:`detente.conflict.inverse_change` (the smallest change) and
:mod:`detente.conflict.inverse_share` (exact or sampled shares).

Forward analysis takes preferences and finds the equilibria; inverse analysis (Kinsara, Kilgour &
Hipel 2015, "Inverse approach to the graph model for conflict resolution", IEEE Trans. SMC: Systems
45(5); Hipel, Kilgour & Kinsara 2014, "Strategic investigations of water conflicts in the Middle
East", Group Decision and Negotiation 23(3)) fixes a target state and asks which preferences of a
decision maker ``i`` would make it an equilibrium, the other decision makers' preferences held
fixed.

:func:`inverse_analysis` counts the strict rankings of ``i`` over all feasible states, among those
consistent with known pairwise preferences, under which the target is stable for *every* decision
maker under a solution concept (the definitions of :mod:`detente.conflict.reference`).

How it counts without trying all ``k!`` permutations
----------------------------------------------------
1. *The decision maker's own stability* at the target ``t`` depends only on the set ``U`` of states
   it ranks above ``t``: every comparison in the Nash, GMR, SMR and SEQ definitions for ``i`` at
   ``t`` is a comparison with ``t``, and the sanctions (moves of the other decision makers, for SEQ
   their unilateral improvements) do not depend on ``i``'s ranking. Each of ``i``'s moves ``s1``
   from ``t`` yields a clause "``s1`` not in ``U``, or some sanction set is disjoint from ``U``", so
   the stable ``U`` are tested all at once on bit masks.
2. *The other decision makers' stability* does not depend on ``i``'s ranking for Nash, GMR and SMR
   (sanctions there are any moves). For SEQ it does, but only through the direction of ``i``'s
   moves: whether ``i`` prefers ``b`` to ``a`` for each of its moves ``a -> b`` that a sanctioning
   sequence might use. These are decided lazily: the check runs, and when it needs an undecided
   direction it branches on both answers (a decision tree). Directions already implied by the
   known preferences and the branch so far are not branched on, and contradictory branches are cut.
   Each leaf that leaves the target stable for the others is a set of extra pairwise constraints;
   the leaves' sets of rankings are disjoint, so their counts add up.
3. *Counting rankings* under a set of pairwise constraints with a given top set ``U``: a dynamic
   programme over subsets. ``top[S]`` counts the orders of ``S`` as the first ``|S|`` places,
   ``rest[S]`` the orders of the remaining states after ``S``; rankings with exactly ``U`` above
   ``t`` number ``top[U] * rest[U + t]`` (with no constraints, ``|U|! (k-1-|U|)!``).

The cost is ``O(2**k * k**2)`` array work per leaf, so models above :data:`MAX_STATES` feasible
states are refused, and a SEQ search that would visit more than :data:`MAX_BRANCHES` cases is
stopped with a clear error rather than left running. States in ``conditions`` are named by their
1-based detente numbers.

:func:`inverse_statement_orders` answers the same question for a decision maker whose preferences
are option-prioritisation statements: which orders of its statements make the target an equilibrium.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from detente.conflict import reference
from detente.conflict.inverse_change import StatementPreferences, statement_ranks
from detente.conflict.model import BoolArray, Conflict, IntArray
from detente.errors import ModelTooLargeError

MAX_STATES = 16
"""Largest feasible state count inverse analysis accepts (its tables have ``2**k`` entries)."""

MAX_BRANCHES = 20_000
"""Most decision-tree nodes the SEQ search over the decision maker's move directions may visit."""

MAX_STATEMENTS = 7
"""Largest number of statement tiers whose orders :func:`inverse_statement_orders` tries (7! orders)."""

Pair = tuple[int, int]
"""(better, worse): the decision maker prefers the first state to the second."""


@dataclass(frozen=True)
class InverseResult:
    """How many strict rankings of decision maker ``dm`` make ``target`` an equilibrium.

    ``count`` of the ``total`` strict rankings consistent with the known preferences make the
    target an equilibrium; ``stable_for_dm`` of them make it stable for ``dm`` itself (the other
    decision makers' stability ignored). ``examples`` are a few qualifying rankings (best first,
    state indices); ``conditions`` say in words what must hold.
    """

    concept: str
    target: int
    dm: int
    count: int
    total: int
    stable_for_dm: int
    examples: tuple[tuple[int, ...], ...]
    conditions: tuple[str, ...]

    @property
    def share(self) -> float:
        """The fraction of the consistent rankings that qualify (0 when there are none)."""
        return self.count / self.total if self.total else 0.0


@dataclass(frozen=True)
class StatementOrderResult:
    """The orders of ``dm``'s statement tiers (most important first) that make ``target`` an equilibrium."""

    concept: str
    target: int
    dm: int
    orders: tuple[tuple[str, ...], ...]
    total: int

    @property
    def count(self) -> int:
        return len(self.orders)


# -- small helpers ------------------------------------------------------------------------------
def _name(s: int) -> str:
    return f"state {s + 1}"


def _names(states: Sequence[int]) -> str:
    """Readable list of 1-based state numbers: ``states 1, 4 and 6``."""
    nums = [str(s + 1) for s in sorted(states)]
    if len(nums) == 1:
        return f"state {nums[0]}"
    return f"states {', '.join(nums[:-1])} and {nums[-1]}"


def _bits(states: Sequence[int] | set[int]) -> int:
    return sum(1 << s for s in set(states))


def _members(mask: int) -> list[int]:
    return [s for s in range(mask.bit_length()) if mask >> s & 1]


def _check_args(conflict: Conflict, target: int, dm: int, concept: str) -> None:
    if concept not in reference.CONCEPTS:
        choices = ", ".join(reference.CONCEPTS)
        raise ValueError(f"unknown stability concept {concept!r}; choose from {choices}")
    if not 0 <= dm < conflict.n_dms:
        raise ValueError(f"decision maker index {dm} is out of range 0..{conflict.n_dms - 1}")
    if not 0 <= target < conflict.n_states:
        raise ValueError(f"target state index {target} is out of range 0..{conflict.n_states - 1}")


# -- pairwise constraints as bit masks ----------------------------------------------------------
def _above_masks(k: int, pairs: Sequence[Pair] | set[Pair]) -> list[int] | None:
    """Transitive closure of the constraints: ``above[x]`` = states that must rank above ``x``.

    None when the constraints contradict each other (a cycle).
    """
    above = [0] * k
    for better, worse in pairs:
        above[worse] |= 1 << better
    changed = True
    while changed:
        changed = False
        for x in range(k):
            grown = above[x]
            for y in _members(above[x]):
                grown |= above[y]
            if grown != above[x]:
                above[x] = grown
                changed = True
    if any(above[x] >> x & 1 for x in range(k)):
        return None
    return above


def _order_tables(k: int, above: Sequence[int]) -> tuple[IntArray, IntArray]:
    """Linear-extension counts over subsets (rankings best first).

    ``top[S]``: orders of the states in ``S`` as the first ``|S|`` places (0 unless every state that
    must rank above a member of ``S`` is in ``S``). ``rest[S]``: orders of the other states after
    ``S`` has been placed first.
    """
    size = 1 << k
    codes = np.arange(size, dtype=np.int64)
    popcount = np.zeros(size, dtype=np.int64)
    for x in range(k):
        popcount += (codes >> x) & 1
    layers = [codes[popcount == c] for c in range(k + 1)]
    above_arr = np.array(above, dtype=np.int64)
    top = np.zeros(size, dtype=np.int64)
    top[0] = 1
    for c in range(1, k + 1):
        layer = layers[c]
        for x in range(k):
            bit = 1 << x
            sel = layer[((layer & bit) != 0) & ((layer & above_arr[x]) == above_arr[x])]
            top[sel] += top[sel ^ bit]
    rest = np.zeros(size, dtype=np.int64)
    rest[size - 1] = 1
    for c in range(k - 1, -1, -1):
        layer = layers[c]
        for x in range(k):
            bit = 1 << x
            sel = layer[((layer & bit) == 0) & ((layer & above_arr[x]) == above_arr[x])]
            rest[sel] += rest[sel | bit]
    return top, rest


# -- the decision maker's own stability: clauses over the set U of states it ranks above t ----------
@dataclass(frozen=True)
class _Clause:
    """Move ``s1`` from the target is harmless if ``s1`` is not in U or some sanction mask misses U."""

    s1: int
    sanctions: tuple[int, ...]


def _own_clauses(conflict: Conflict, concept: str, i: int, t: int) -> list[_Clause]:
    """One clause per unilateral move of ``i`` from ``t``, under the definitions of ``reference``."""
    others = [j for j in range(conflict.n_dms) if j != i]
    clauses = []
    for s1 in reference.reachable(conflict, i, t):
        if concept == "nash":
            sanctions: tuple[int, ...] = ()
        elif concept == "smr":
            replies = sorted(reference.coalition_reachable(conflict, others, s1, False))
            sanctions = tuple(_bits([s2, *reference.reachable(conflict, i, s2)]) for s2 in replies)
        else:
            improving = concept == "seq"
            replies = sorted(reference.coalition_reachable(conflict, others, s1, improving))
            sanctions = tuple(1 << s2 for s2 in replies)
        clauses.append(_Clause(s1, sanctions))
    return clauses


def _clauses_hold(clauses: Sequence[_Clause], tops: IntArray, t: int) -> BoolArray:
    """Boolean array: for each candidate top set U in ``tops``, does every clause hold?"""
    t_bit = 1 << t
    ok = np.ones(tops.size, dtype=bool)
    for clause in clauses:
        holds = (tops & (1 << clause.s1)) == 0
        for mask in clause.sanctions:
            holds |= (tops & (mask & ~t_bit)) == 0
        ok &= holds
    return ok


def _own_conditions(
    conflict: Conflict, concept: str, i: int, t: int, clauses: Sequence[_Clause]
) -> list[str]:
    who = conflict.decision_makers[i].name
    must = [c.s1 for c in clauses if not c.sanctions]
    lines = []
    if must:
        lines.append(f"{who} must prefer {_name(t)} to {_names(must)}")
    for c in clauses:
        if not c.sanctions:
            continue
        if any((mask & ~(1 << t)) == 0 for mask in c.sanctions):
            continue  # a countermove back to the target (or no worse) always deters this move
        options = []
        for mask in c.sanctions:
            states = _members(mask & ~(1 << t))
            options.append(_name(states[0]) if len(states) == 1 else f"all of {_names(states)}")
        lines.append(
            f"if {who} prefers {_name(c.s1)} to {_name(t)}, it must prefer {_name(t)} to "
            f"{' or to '.join(options)} ({concept.upper()} sanctions by the others)"
        )
    if not clauses:
        lines.append(f"{who} has no move away from {_name(t)}, so it is stable there whatever it prefers")
    return lines


# -- the other decision makers' stability, with i's move directions decided lazily --------------
class _Undecided(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(a, b)
        self.a, self.b = a, b


def _seq_others_stable(conflict: Conflict, i: int, t: int, improves: Callable[[int, int], bool]) -> bool:
    """Are all decision makers other than ``i`` SEQ-stable at ``t``?

    ``improves(a, b)`` tells whether ``i`` prefers ``b`` to ``a`` (raises :class:`_Undecided` when
    that is not yet known). The search over legal sequences of unilateral improvements is that of
    ``reference.coalition_reachable(..., improving=True)``, with ``i``'s improvements asked of the
    oracle instead of read from a full ranking, and stopping at the first sanction found.
    """
    for j in range(conflict.n_dms):
        if j == i:
            continue
        rj = conflict.ranks[j]
        members = [k for k in range(conflict.n_dms) if k != j]
        for s1 in reference.improvements(conflict, j, t):
            seen: set[tuple[int, int]] = set()
            queue: deque[tuple[int, int]] = deque([(s1, -1)])
            sanctioned = False
            while queue and not sanctioned:
                state, last = queue.popleft()
                for k in members:
                    if k == last:
                        continue
                    if k == i:
                        moves = [b for b in reference.reachable(conflict, i, state) if improves(state, b)]
                    else:
                        moves = reference.improvements(conflict, k, state)
                    for s2 in moves:
                        if rj[s2] <= rj[t]:
                            sanctioned = True
                            break
                        if (s2, k) not in seen:
                            seen.add((s2, k))
                            queue.append((s2, k))
                    if sanctioned:
                        break
            if not sanctioned:
                return False
    return True


def _other_leaves(
    conflict: Conflict, concept: str, i: int, t: int, known: Sequence[Pair]
) -> list[frozenset[Pair]]:
    """Extra constraint sets on ``i``'s ranking under which every other decision maker is stable at ``t``.

    The sets are mutually exclusive (leaves of a decision tree over ``i``'s move directions).
    """
    if concept != "seq":
        others_ok = all(reference.is_stable(conflict, concept, j, t) for j in range(conflict.n_dms) if j != i)
        return [frozenset()] if others_ok else []
    k = conflict.n_states
    leaves: list[frozenset[Pair]] = []
    visited = 0

    def explore(extra: frozenset[Pair]) -> None:
        nonlocal visited
        visited += 1
        if visited > MAX_BRANCHES:
            raise ModelTooLargeError(
                f"SEQ inverse analysis needs more than {MAX_BRANCHES:,} cases of "
                f"{conflict.decision_makers[i].name}'s move directions here; give some of its "
                "preferences as known pairs, or analyse a smaller conflict"
            )
        above = _above_masks(k, [*known, *extra])
        if above is None:
            return

        def improves(a: int, b: int) -> bool:
            if above[a] >> b & 1:
                return True
            if above[b] >> a & 1:
                return False
            raise _Undecided(a, b)

        try:
            ok = _seq_others_stable(conflict, i, t, improves)
        except _Undecided as u:
            explore(extra | {(u.b, u.a)})
            explore(extra | {(u.a, u.b)})
            return
        if ok:
            leaves.append(extra)

    explore(frozenset())
    return leaves


def _pairs_text(pairs: frozenset[Pair]) -> str:
    return " and ".join(f"{_name(b)} to {_name(w)}" for b, w in sorted(pairs))


def _other_conditions(
    conflict: Conflict, concept: str, i: int, t: int, leaves: Sequence[frozenset[Pair]]
) -> list[str]:
    who = conflict.decision_makers[i].name
    others = [conflict.decision_makers[j].name for j in range(conflict.n_dms) if j != i]
    label = concept.upper()
    if not leaves:
        unstable = (
            others
            if concept == "seq"
            else [
                conflict.decision_makers[j].name
                for j in range(conflict.n_dms)
                if j != i and not reference.is_stable(conflict, concept, j, t)
            ]
        )
        subject = unstable[0] if len(unstable) == 1 else f"{', '.join(unstable)} together"
        return [
            f"{subject} cannot be {label}-stable at {_name(t)} under any ranking of {who}, "
            f"so {_name(t)} cannot be an equilibrium"
        ]
    subject = ", ".join(others)
    if any(not leaf for leaf in leaves):
        verb = "is" if len(others) == 1 else "are"
        return [f"{subject} {verb} {label}-stable at {_name(t)} whatever {who} prefers"]
    shown = [_pairs_text(leaf) for leaf in leaves[:4]]
    more = f", or one of {len(leaves) - 4} more combinations" if len(leaves) > 4 else ""
    verb = "stays" if len(others) == 1 else "stay"
    return [
        f"{subject} {verb} SEQ-stable at {_name(t)} only if {who}'s own moves make the sanctions "
        f"credible: {who} must prefer {'; or '.join(shown)}{more}"
    ]


# -- public API ---------------------------------------------------------------------------------
def inverse_analysis(
    conflict: Conflict,
    target: int,
    dm: int,
    concept: str,
    known: Sequence[tuple[int, int]] = (),
    max_examples: int = 5,
) -> InverseResult:
    """Count the strict rankings of decision maker ``dm`` that make ``target`` an equilibrium.

    Definition (Kinsara, Kilgour & Hipel 2015; Hipel, Kilgour & Kinsara 2014): over all strict
    rankings of ``dm`` over the feasible states that respect ``known`` (pairs ``(better, worse)`` of
    state indices), with every other decision maker's preferences as in ``conflict``, count those
    under which ``target`` is stable for every decision maker under ``concept`` (nash, gmr, smr,
    seq; the definitions of :mod:`detente.conflict.reference`, Fang, Hipel & Kilgour 1993 ch. 3).
    ``total`` is the number of rankings respecting ``known``. The method is in the module docstring.
    """
    _check_args(conflict, target, dm, concept)
    k = conflict.n_states
    if k > MAX_STATES:
        raise ModelTooLargeError(
            f"inverse analysis counts rankings over {k} feasible states; it is exact up to {MAX_STATES} "
            "states. Narrow the conflict (fewer options or more constraints) before running it."
        )
    known_pairs = [(int(b), int(w)) for b, w in known]
    for b, w in known_pairs:
        if not (0 <= b < k and 0 <= w < k) or b == w:
            raise ValueError(f"known preference ({b}, {w}) must name two different states in 0..{k - 1}")
    above = _above_masks(k, known_pairs)
    if above is None:
        contradiction = ("the known preferences contradict each other",)
        return InverseResult(concept, target, dm, 0, 0, 0, (), contradiction)
    top, rest = _order_tables(k, above)
    total = int(top[-1])

    clauses = _own_clauses(conflict, concept, dm, target)
    t_bit = 1 << target
    tops = np.arange(1 << k, dtype=np.int64)
    tops = tops[(tops & t_bit) == 0]
    own_ok = _clauses_hold(clauses, tops, target) & ((tops & above[target]) == above[target])
    stable_for_dm = int((top[tops] * rest[tops | t_bit])[own_ok].sum())
    leaves = _other_leaves(conflict, concept, dm, target, known_pairs)

    count = 0
    examples: list[tuple[int, ...]] = []
    for leaf in leaves:
        leaf_above = _above_masks(k, [*known_pairs, *leaf])
        if leaf_above is None:
            continue
        leaf_top, leaf_rest = (top, rest) if not leaf else _order_tables(k, leaf_above)
        above_t = leaf_above[target]
        ways = leaf_top[tops] * leaf_rest[tops | t_bit]
        ways = np.where(own_ok & ((tops & above_t) == above_t), ways, 0)
        count += int(ways.sum())
        for u in tops[ways > 0]:
            room = max_examples - len(examples)
            if room <= 0:
                break
            examples.extend(itertools.islice(_examples(k, leaf_above, int(u), target), room))
    conditions = [
        *_own_conditions(conflict, concept, dm, target, clauses),
        *_other_conditions(conflict, concept, dm, target, leaves),
    ]
    return InverseResult(concept, target, dm, count, total, stable_for_dm, tuple(examples), tuple(conditions))


def _extensions(pool: int, above: Sequence[int], placed: int) -> Iterator[tuple[int, ...]]:
    """Every order (best first) of the states in ``pool`` that respects ``above``, after ``placed``."""
    if not pool:
        yield ()
        return
    for x in _members(pool):
        if above[x] & ~placed == 0:
            for tail in _extensions(pool & ~(1 << x), above, placed | 1 << x):
                yield (x, *tail)


def _examples(k: int, above: Sequence[int], top_set: int, t: int) -> Iterator[tuple[int, ...]]:
    """Rankings (best first) with exactly ``top_set`` above ``t`` that respect ``above``."""
    upper = top_set | 1 << t
    lower = ((1 << k) - 1) & ~upper
    for head in _extensions(top_set, above, 0):
        for tail in _extensions(lower, above, upper):
            yield (*head, t, *tail)


def inverse_statement_orders(
    conflict: Conflict, target: int, dm: int, concept: str, prefs: StatementPreferences
) -> StatementOrderResult:
    """The orders of ``dm``'s option-prioritisation statements that make ``target`` an equilibrium.

    Definition: every permutation of ``dm``'s statement tiers (a tier is one statement or a tied
    group, Fang, Hipel, Kilgour & Peng 2003) ranks the states lexicographically as the conflict file
    would (:func:`detente.conflict.inverse_change.statement_ranks`), the other decision makers
    unchanged, and is kept when ``target`` is stable for every decision maker under ``concept``
    (:mod:`detente.conflict.reference`). ``prefs``: the statements as arrays
    (:func:`detente.io.statement_arrays.statement_preferences`); at most :data:`MAX_STATEMENTS` tiers.
    """
    _check_args(conflict, target, dm, concept)
    tiers = prefs.tiers
    name = conflict.decision_makers[dm].name
    if len(tiers) > MAX_STATEMENTS:
        raise ModelTooLargeError(
            f"{name} has {len(tiers)} statement tiers ({math.factorial(len(tiers)):,} orders); "
            f"at most {MAX_STATEMENTS} are tried: use the condition (detente conflict inverse), which "
            "does not enumerate orders"
        )

    def text(tier: tuple[int, ...]) -> str:
        words = [prefs.texts[q] for q in tier]
        return words[0] if len(words) == 1 else "tied: " + ", ".join(words)

    kept: list[tuple[str, ...]] = []
    ranks = np.array(conflict.ranks)
    for order in itertools.permutations(range(len(tiers))):
        ranks[dm] = statement_ranks(prefs.truth, [tiers[q] for q in order])
        variant = conflict.with_ranks(ranks)
        if all(reference.is_stable(variant, concept, j, target) for j in range(variant.n_dms)):
            kept.append(tuple(text(tiers[q]) for q in order))
    return StatementOrderResult(concept, target, dm, tuple(kept), math.factorial(len(tiers)))
