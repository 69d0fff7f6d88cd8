"""Coalition stability in the graph model: CNash, CGMR, CSMR and CSEQ.

Definitions follow Inohara & Hipel (2008), "Coalition analysis in the graph model for conflict
resolution", *Systems Engineering* 11(4): 343-359, which generalise the coalition improvements of
Kilgour, Hipel, Fang & Peng (2001), "Coalition analysis in group decision support", *Group Decision
and Negotiation* 10(2): 159-175. For a coalition H (a non-empty set of decision makers) and a
state s:

* R_H(s): states H reaches from s by a *legal sequence* of its members' unilateral moves (length one
  or more, no member moving twice in a row; :func:`detente.conflict.reference.coalition_reachable`).
  R_H^+(s) is the same with every move a unilateral improvement for its mover.
* R_H^{++}(s) = {t in R_H(s) : every member of H strictly prefers t to s}: the *coalition
  improvements* of H from s.

Stability is defined *for a decision maker* i, against every coalition H that contains i (the
singleton {i} included); the sanctions come from the complement N - H and are judged by i's own
preferences. State s is, for i,

* CNash: R_H^{++}(s) is empty for every H containing i;
* CGMR: for every such H, every s1 in R_H^{++}(s) has some s2 in R_{N-H}(s1) with s >=_i s2;
* CSMR: as CGMR, and moreover every s3 in R_H(s2) has s >=_i s3 (H's counter-moves cannot escape);
* CSEQ: as CGMR with s2 in R_{N-H}^+(s1): the complement sanctions only by legal sequences of its
  members' own unilateral improvements, as in SEQ.

For H = {i} these are exactly Nash, GMR, SMR and SEQ, so with singleton coalitions only the concepts
reduce to the individual ones and every CNash-stable state is Nash-stable. A coalition equilibrium is
stable for every decision maker. For the grand coalition N - H is empty: no sanction exists. Here the
coalitions H range over an *analysed class* (every singleton plus the coalitions asked for; by default
every coalition), and :class:`CoalitionResult` also keeps the verdict per (coalition, member) pair,
so one can see which coalitions upset a state and for whom.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING, Literal

import numpy as np

from detente.conflict import budget, fast, reference
from detente.conflict.model import BoolArray, Conflict, IntArray
from detente.conflict.stability import Equilibria, StabilityResult
from detente.errors import ModelTooLargeError

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

CONCEPTS = ("cnash", "cgmr", "csmr", "cseq")
Coalition = tuple[int, ...]
Method = Literal["fast", "reference"]


# -- coalitions --------------------------------------------------------------------------------
def all_coalitions(conflict: Conflict, min_size: int = 2) -> tuple[Coalition, ...]:
    """Every set of at least ``min_size`` decision makers, smallest first."""
    n = conflict.n_dms
    return tuple(c for size in range(min_size, n + 1) for c in combinations(range(n), size))


def default_coalitions(conflict: Conflict) -> tuple[Coalition, ...]:
    """The coalitions the conflict file names, or else all coalitions of two or more DMs."""
    return conflict.coalitions or all_coalitions(conflict)


def normalise_coalitions(
    conflict: Conflict, coalitions: Iterable[Iterable[int | str]] | None
) -> tuple[Coalition, ...]:
    """The analysed class: every singleton, then the given coalitions (DM indices or names), deduplicated."""
    given = default_coalitions(conflict) if coalitions is None else coalitions
    out: list[Coalition] = [(i,) for i in range(conflict.n_dms)]
    for members in given:
        idx = [conflict.dm_index(m) if isinstance(m, str) else int(m) for m in members]
        if not idx or len(set(idx)) != len(idx) or not all(0 <= i < conflict.n_dms for i in idx):
            raise ValueError(f"coalition {tuple(members)!r} must list distinct decision makers")
        key = tuple(sorted(idx))
        if key not in out:
            out.append(key)
    return tuple(out)


def coalition_name(conflict: Conflict, coalition: Coalition) -> str:
    """Member names joined by '+', e.g. ``US+ROK``."""
    return "+".join(conflict.decision_makers[i].name for i in coalition)


# -- unilateral moves, vectorised ----------------------------------------------------------------
def move_matrix(conflict: Conflict, i: int, improving: bool = False) -> sp.csr_array:
    """Sparse (states x states) boolean matrix of R_i (or R_i^+ with ``improving``).

    Entry [s, t] is true when decision maker i can move from s to t in one step (Fang, Hipel & Kilgour
    1993, ch. 3); the moves are those of :func:`detente.conflict.fast.move_edges`.
    """
    src, dst = fast.move_edges(conflict, i, improving)
    n = conflict.n_states
    import scipy.sparse as sp

    return sp.csr_array((np.ones(src.size, dtype=bool), (src, dst)), shape=(n, n))


def legal_closure(steps: Sequence[sp.csr_array], n: int) -> BoolArray:
    """Dense (states x states) matrix of R_H: [s, t] when t != s is reached from s by a legal sequence.

    A legal sequence takes one step or more, consecutive steps by different movers (Fang, Hipel &
    Kilgour 1993; Xu, Hipel & Kilgour 2009). Two consecutive moves of one decision maker compose into
    one legal move of it (an option changed twice is back at its start value, one changed once moved
    in an allowed direction from it) or into no move at all, and two consecutive improvements into one
    improvement; so, the start state aside, legal sequences reach exactly the states that any path of
    the movers' steps reaches. The diagonal (can H come back to s?) is left false: no definition here
    depends on it. Computed on the strongly connected components of the union of the steps, in
    reverse topological order (a component reaches its members and all its successors reach), then
    one sparse product for the first step.
    """
    out = np.zeros((n, n), dtype=bool)
    if not steps:
        return out
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    graph = sp.csr_array(sum((step.astype(np.int8) for step in steps), sp.csr_array((n, n), dtype=np.int8)))
    graph.data[:] = 1
    count, labels = connected_components(graph, directed=True, connection="strong")
    reach = np.zeros((count, n), dtype=bool)
    reach[labels, np.arange(n)] = True
    src, dst = graph.nonzero()
    pairs = np.unique(labels[src] * count + labels[dst])
    below, above = pairs // count, pairs % count
    keep = below != above
    below, above = below[keep], above[keep]
    order = np.argsort(above, kind="stable")
    preds_of = np.split(below[order], np.searchsorted(above[order], np.arange(1, count)))
    pending = np.bincount(below, minlength=count)
    ready = list(np.flatnonzero(pending == 0))
    while ready:
        c = ready.pop()
        for p in preds_of[c]:
            reach[p] |= reach[c]
            pending[p] -= 1
            if pending[p] == 0:
                ready.append(p)
    out = np.asarray(graph.astype(np.float32) @ reach[labels].astype(np.float32)) > 0
    np.fill_diagonal(out, False)
    return out


def check_dense_budget(conflict: Conflict, bytes_per_pair: int, what: str) -> None:
    """Refuse up front (:class:`ModelTooLargeError`) an analysis holding dense (states x states) arrays
    of about ``bytes_per_pair`` bytes per pair of states beyond the memory budget
    (:func:`detente.conflict.budget.memory_budget`)."""
    n = conflict.n_states
    need = bytes_per_pair * n * n
    limit = budget.memory_budget()
    if need > limit:
        raise ModelTooLargeError(
            f"{what} of conflict {conflict.name!r} holds dense {n:,} x {n:,} state matrices, about "
            f"{budget.format_bytes(need)}, more than the memory budget of {budget.format_bytes(limit)}. "
            "Shrink the model (merge options that always move together, drop options that change no "
            "preference, add constraints that rule out impossible states), analyse fewer coalitions, "
            f"or raise the budget with the environment variable {budget.ENV_VAR}."
        )


def preferred_by_all(conflict: Conflict, coalition: Coalition) -> BoolArray:
    """Phi_H^{++} as a (states x states) matrix: [s, t] when every member strictly prefers t to s."""
    n = conflict.n_states
    out = np.ones((n, n), dtype=bool)
    for k in coalition:
        r = conflict.ranks[k]
        out &= r[None, :] > r[:, None]
    return out


# -- the fast path -------------------------------------------------------------------------------
def _fast(
    conflict: Conflict, concepts: Sequence[str], coalitions: Sequence[Coalition]
) -> dict[str, BoolArray]:
    """Vectorised definitions, (coalitions x DMs x states); true for DMs outside the coalition.

    Each coalition's own reach R_H is a dense matrix (:func:`legal_closure`), needed because a
    coalition improvement must please every member. The sanctions need only a minimum: "some s2 in
    R_{N-H}(s1) has s >=_i s2" is "the least value of r_i over the complement's closure from s1 is at
    most r_i(s)", read off one shortest-path sweep per (coalition, member)
    (:func:`detente.conflict.fast.closure_min`, whose closure also holds s1 itself and lets one DM
    move twice in a row: harmless, since two consecutive moves of one DM compose into one and
    r_i(s1) > r_i(s)). For CSMR r_i(s2) is replaced by the best i can see H reach from s2.
    """
    n = conflict.n_states
    never = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)

    @cache
    def edges(k: int, improving: bool) -> tuple[IntArray, IntArray]:
        return fast.move_edges(conflict, k, improving)

    out = {c: np.ones((len(coalitions), conflict.n_dms, n), dtype=bool) for c in concepts}
    for row, coalition in enumerate(coalitions):
        reach = legal_closure([move_matrix(conflict, k) for k in coalition], n)
        improvements = reach & preferred_by_all(conflict, coalition)
        movers = np.flatnonzero(improvements.any(axis=1))
        if not movers.size:
            continue
        others = [k for k in range(conflict.n_dms) if k not in coalition]
        for concept in concepts:
            for i in coalition:
                if concept == "cnash":
                    out[concept][row, i, movers] = False
                    continue
                r = conflict.ranks[i]
                key = r
                if concept == "csmr":
                    key = np.maximum(r, np.where(reach, r[None, :], -1).max(axis=1))
                least = (
                    fast.closure_min(n, [edges(k, concept == "cseq") for k in others], key)
                    if others
                    else never
                )
                sanctioned = least[None, :] <= r[movers][:, None]
                out[concept][row, i, movers] = ~(improvements[movers] & ~sanctioned).any(axis=1)
    return out


# -- the brute-force reference -------------------------------------------------------------------
def _reference(
    conflict: Conflict, concepts: Sequence[str], coalitions: Sequence[Coalition]
) -> dict[str, BoolArray]:
    @cache
    def reach(members: Coalition, s: int, improving: bool) -> frozenset[int]:
        return frozenset(reference.coalition_reachable(conflict, members, s, improving))

    out = {c: np.ones((len(coalitions), conflict.n_dms, conflict.n_states), dtype=bool) for c in concepts}
    for concept, table in out.items():
        for row, h in enumerate(coalitions):
            for i in h:
                for s in range(conflict.n_states):
                    table[row, i, s] = is_coalition_stable(conflict, concept, h, i, s, reach)
    return out


Reach = Callable[[Coalition, int, bool], Iterable[int]]


def is_coalition_stable(
    conflict: Conflict, concept: str, coalition: Coalition, i: int, s: int, reach: Reach
) -> bool:
    """Is state s stable for DM i, a member of ``coalition`` H, against H's improvements?

    Reads like Inohara & Hipel (2008); ``reach(members, state, improving)`` gives R_members(state)
    (R^+ with ``improving``). s is stable for i under the concept when this holds for every
    coalition of the class that contains i.
    """
    if concept not in CONCEPTS:
        raise ValueError(f"unknown coalition concept {concept!r}; choose from {', '.join(CONCEPTS)}")
    r = conflict.ranks
    others = tuple(k for k in range(conflict.n_dms) if k not in coalition)
    for s1 in reach(coalition, s, False):
        if not all(r[k, s1] > r[k, s] for k in coalition):
            continue
        if concept == "cnash":
            return False
        responses = reach(others, s1, concept == "cseq") if others else ()
        if concept == "csmr":
            sanctioned = any(
                r[i, s2] <= r[i, s] and all(r[i, s3] <= r[i, s] for s3 in reach(coalition, s2, False))
                for s2 in responses
            )
        else:
            sanctioned = any(r[i, s2] <= r[i, s] for s2 in responses)
        if not sanctioned:
            return False
    return True


# -- the result ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CoalitionResult(Equilibria):
    """Coalition stability per concept: per (coalition, member), per coalition and per decision maker.

    ``coalitions`` is the analysed class: the singletons first, then the coalitions asked for.
    ``by_member[concept]`` is (coalitions x DMs x states): for a member i of coalition H, whether every
    coalition improvement of H from the state is sanctioned in i's eyes (true for non-members).
    ``by_coalition[concept]`` (coalitions x states) is true when this holds for every member, i.e. H
    cannot upset the state; ``stable[concept]`` (DMs x states) when it holds for every coalition
    containing the DM (Inohara & Hipel 2008).
    """

    conflict: Conflict
    coalitions: tuple[Coalition, ...]
    by_member: Mapping[str, BoolArray]
    by_coalition: Mapping[str, BoolArray]
    stable: Mapping[str, BoolArray]

    def upsetting(self, concept: str, s: int, dm: int | None = None) -> tuple[Coalition, ...]:
        """The coalitions of the class that upset state s under ``concept`` (for ``dm``, if given)."""
        table = self.by_member[concept][:, :, s]
        bad = ~table.all(axis=1) if dm is None else ~table[:, dm]
        return tuple(self.coalitions[int(k)] for k in np.flatnonzero(bad))

    def to_frame(self) -> pd.DataFrame:
        """One row per state: option values, per concept and DM (then per coalition) whether stable."""
        frame = StabilityResult(self.conflict, self.stable).to_frame()
        for concept, table in self.by_coalition.items():
            for row, coalition in enumerate(self.coalitions):
                if len(coalition) > 1:
                    frame[f"{concept}:{coalition_name(self.conflict, coalition)}"] = table[row]
        return frame


def coalition_stability(
    conflict: Conflict,
    concepts: Iterable[str] = CONCEPTS,
    coalitions: Iterable[Iterable[int | str]] | None = None,
    method: Method = "fast",
) -> CoalitionResult:
    """CNash / CGMR / CSMR / CSEQ stability of every state (Inohara & Hipel 2008; see module doc).

    ``coalitions`` lists the coalitions to consider (DM indices or names); by default those the
    conflict file names, or else every coalition of two or more DMs. Singletons are always part of
    the class, so each DM's own Nash / GMR / SMR / SEQ stability is included. ``method="reference"``
    evaluates the definitions state by state (for testing); ``"fast"`` computes each coalition's
    reach for all states at once (strongly connected components) and the sanctions by shortest paths.
    """
    wanted = tuple(concepts)
    unknown = [c for c in wanted if c not in CONCEPTS]
    if unknown:
        raise ValueError(f"unknown coalition concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    klass = normalise_coalitions(conflict, coalitions)
    # legal_closure: component reach (bool) and its float32 expansion, the result; then the
    # coalition's improvements, Phi_H^{++} and, for CSMR, an int64 rank array: about 16 bytes a pair.
    check_dense_budget(conflict, 16, "coalition analysis")
    compute = _fast if method == "fast" else _reference
    by_member = compute(conflict, wanted, klass)
    by_coalition: dict[str, BoolArray] = {c: np.asarray(t.all(axis=1)) for c, t in by_member.items()}
    stable: dict[str, BoolArray] = {c: np.asarray(t.all(axis=0)) for c, t in by_member.items()}
    for mapping in (by_member, by_coalition, stable):
        for table in mapping.values():
            table.setflags(write=False)
    return CoalitionResult(conflict, klass, by_member, by_coalition, stable)
