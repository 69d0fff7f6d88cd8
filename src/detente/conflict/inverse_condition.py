"""The exact condition on some decision makers' preferences under which a target state is an equilibrium.

Inverse analysis (Kinsara, Kilgour & Hipel 2015, "Inverse approach to the graph model for conflict
resolution", IEEE Trans. SMC: Systems 45(5); Hipel, Kilgour & Kinsara 2014, Group Decision and
Negotiation 23(3)) fixes a target state ``t`` and asks which preferences would make it an
equilibrium. Here the preferences of a chosen set ``V`` of decision makers vary (strict rankings over
all feasible states, as in the inverse approach), the others keep the ranks in the conflict.

The condition is built from the stability definitions of :mod:`detente.conflict.reference` (Fang,
Hipel & Kilgour 1993, ch. 3). ``t`` is an equilibrium iff, for every decision maker ``i`` and every
unilateral move ``s1`` of ``i`` from ``t``, one *alternative* holds:

* ``i`` does not prefer ``s1`` to ``t`` (the move is no improvement), or
* GMR: some ``s2`` the others reach from ``s1`` has ``s2 <=_i t``;
* SMR: as GMR, and every ``s3`` in ``R_i(s2)`` has ``s3 <=_i t``;
* SEQ: some ``s2`` the others reach from ``s1`` by unilateral *improvements* has ``s2 <=_i t``.

Each alternative is a conjunction of *comparisons* ("decision maker d prefers state a to state b");
comparisons of decision makers outside ``V`` are constants and fold away. One move of ``i`` gives one
:class:`Requirement` (a disjunction of alternatives); the condition is their conjunction. So the
condition has one requirement per move from the target, and its size grows with those moves and
their sanctions, never with the number of rankings (``k!``).

Legal sequences (no decision maker moving twice in a row) reach the same states as unrestricted
sequences of the others' moves, and legal sequences of improvements the same states as unrestricted
sequences of improvements, *for every fixed preference profile* (two consecutive moves by one
decision maker compose into one legal move, two consecutive improvements into one improvement; see
:mod:`detente.conflict.fast`). The SEQ sanctions are therefore found by a search over states, each
state labelled with the minimal sets of the movers' comparisons under which it is reached (an
antichain; a label-correcting search). When only fixed decision makers move, every label is empty
and the search is a plain breadth-first search.

Simplification keeps the condition equivalent (on every profile): alternatives that contain a
comparison and its converse are dropped (strict rankings), alternatives implied by a smaller one are
absorbed, requirements with an always-true alternative or that are tautologies over their
comparisons (checked exhaustively when they use at most :data:`TAUTOLOGY_ATOMS` comparisons, e.g.
"prefer 1 to 2 or 2 to 1") are dropped, a requirement implied by another is dropped, and single
comparisons that must hold are propagated into the other requirements.

With ``strict=False`` the condition is exact for weak orders (ties allowed): "not prefer a to b"
then is its own literal rather than "prefer b to a"; this form is used to check statement-based
preferences quickly (:mod:`detente.conflict.inverse_change`).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from detente.conflict.fast import move_edges
from detente.conflict.model import BoolArray, Conflict, IntArray
from detente.errors import ModelTooLargeError

CONCEPTS = ("nash", "gmr", "smr", "seq")
"""The concepts for which a condition is derived (limited move L_h is not monotone in comparisons)."""

MAX_LABELS = 2_000
"""Most (state, comparison set) labels the SEQ sanction search may hold before it is refused."""

TAUTOLOGY_ATOMS = 10
"""A requirement over at most this many comparisons is checked for being a tautology exhaustively."""


@dataclass(frozen=True, order=True)
class Comparison:
    """Decision maker ``dm`` prefers state ``better`` to state ``worse`` (indices); with
    ``holds=False`` (weak orders only): it does *not* prefer ``better`` to ``worse``."""

    dm: int
    better: int
    worse: int
    holds: bool = True

    def negated(self, strict: bool) -> Comparison:
        """The opposite comparison: under strict rankings "prefers worse to better"."""
        if strict:
            return Comparison(self.dm, self.worse, self.better)
        return Comparison(self.dm, self.better, self.worse, not self.holds)

    def value(self, ranks: IntArray) -> bool:
        """Truth of the comparison under ``ranks`` (decision makers x states, larger = better)."""
        gt = bool(ranks[self.dm, self.better] > ranks[self.dm, self.worse])
        return gt if self.holds else not gt


Alternative = tuple[Comparison, ...]
"""A conjunction of comparisons (sorted); the empty one is always true."""


@dataclass(frozen=True)
class Requirement:
    """One move ``move`` of decision maker ``dm`` away from the target must be deterred: at least one
    of ``alternatives`` must hold. ``kind`` of each alternative: ``"stay"`` (the move is no
    improvement) or ``"sanction"`` (the others' answer, ending at ``via``, leaves ``dm`` no better
    off); ``via[q]`` is the sanctioning state of alternative q (-1 for ``stay``)."""

    dm: int
    move: int
    alternatives: tuple[Alternative, ...]
    via: tuple[int, ...]

    def holds(self, ranks: IntArray) -> bool:
        return any(all(c.value(ranks) for c in alt) for alt in self.alternatives)


@dataclass(frozen=True)
class Condition:
    """The exact condition on the ``varying`` decision makers' preferences for ``target`` to be an
    equilibrium under ``concept``: all ``requirements`` hold. ``blocked`` lists (decision maker,
    move) pairs that no preferences of the varying decision makers can deter: when it is not empty
    the target can never be an equilibrium (and ``requirements`` is empty). ``strict``: comparisons
    are over strict rankings of the varying decision makers."""

    conflict: Conflict = field(repr=False)
    target: int
    concept: str
    varying: tuple[int, ...]
    requirements: tuple[Requirement, ...]
    blocked: tuple[tuple[int, int], ...]
    strict: bool = True
    moves_considered: int = 0

    @property
    def possible(self) -> bool:
        """Can any preferences of the varying decision makers make the target an equilibrium?"""
        return not self.blocked

    @property
    def always(self) -> bool:
        """Is the target an equilibrium whatever the varying decision makers prefer?"""
        return not self.blocked and not self.requirements

    def comparisons(self) -> tuple[Comparison, ...]:
        """Every comparison the condition mentions, in sorted order."""
        return tuple(sorted({c for r in self.requirements for alt in r.alternatives for c in alt}))

    def holds(self, ranks: IntArray) -> bool:
        """Is the condition true under ``ranks`` (only the varying decision makers' rows are read)?"""
        if self.blocked:
            return False
        return all(r.holds(ranks) for r in self.requirements)

    def compiled(self) -> CompiledCondition:
        """Flat arrays for evaluating the condition on many rank profiles at once."""
        return CompiledCondition.build(self)


@dataclass(frozen=True)
class CompiledCondition:
    """The condition as index arrays: literal ``q`` compares ``(dm[q], a[q], b[q])`` with polarity
    ``pos[q]``; alternatives are runs of literals starting at ``alt_start``; requirements runs of
    alternatives starting at ``req_start``."""

    possible: bool
    dm: IntArray
    a: IntArray
    b: IntArray
    pos: BoolArray
    alt_start: IntArray
    alt_len: IntArray
    req_of_alt: IntArray
    n_requirements: int

    @classmethod
    def build(cls, condition: Condition) -> CompiledCondition:
        dm: list[int] = []
        a: list[int] = []
        b: list[int] = []
        pos: list[bool] = []
        starts: list[int] = []
        lens: list[int] = []
        req_of: list[int] = []
        for q, req in enumerate(condition.requirements):
            for alt in req.alternatives:
                starts.append(len(dm))
                lens.append(len(alt))
                req_of.append(q)
                for c in alt:
                    dm.append(c.dm)
                    a.append(c.better)
                    b.append(c.worse)
                    pos.append(c.holds)

        def arr(x: list[int]) -> IntArray:
            return np.array(x, dtype=np.int64)

        return cls(
            condition.possible,
            arr(dm),
            arr(a),
            arr(b),
            np.array(pos, dtype=bool),
            arr(starts),
            arr(lens),
            arr(req_of),
            len(condition.requirements),
        )

    def holds_many(self, ranks: npt.NDArray[np.int64] | npt.NDArray[np.float64]) -> BoolArray:
        """Truth of the condition for each profile in ``ranks`` (profiles x decision makers x states)."""
        n = ranks.shape[0]
        if not self.possible:
            return np.zeros(n, dtype=bool)
        if self.n_requirements == 0:
            return np.ones(n, dtype=bool)
        lit = np.empty((n, self.dm.size), dtype=bool)
        for d in np.unique(self.dm).tolist():  # one contiguous row of ranks per decision maker
            sel = np.flatnonzero(self.dm == d)
            row = np.ascontiguousarray(ranks[:, d, :])
            lit[:, sel] = row[:, self.a[sel]] > row[:, self.b[sel]]
        lit ^= ~self.pos[None, :]
        # an alternative holds when none of its literals fails: count failures per run
        fails = np.add.reduceat((~lit).astype(np.int64), self.alt_start, axis=1)
        alt_ok = fails == 0
        alt_ok[:, self.alt_len == 0] = True
        # alternatives of one requirement are contiguous: the first of each starts a run
        req_start = np.flatnonzero(np.r_[True, self.req_of_alt[1:] != self.req_of_alt[:-1]])
        req_ok = np.logical_or.reduceat(alt_ok, req_start, axis=1)
        return np.asarray(req_ok.all(axis=1))


# -- moves ----------------------------------------------------------------------------------------
class Moves:
    """Every unilateral move of every decision maker, as adjacency lists (computed once, vectorised)."""

    def __init__(self, conflict: Conflict) -> None:
        self.conflict = conflict
        self.out: list[list[IntArray]] = []
        for k in range(conflict.n_dms):
            src, dst = move_edges(conflict, k, improving=False)
            order = np.argsort(src, kind="stable")
            src, dst = src[order], dst[order]
            bounds = np.searchsorted(src, np.arange(conflict.n_states + 1))
            self.out.append([dst[bounds[s] : bounds[s + 1]] for s in range(conflict.n_states)])

    def of(self, k: int, s: int) -> IntArray:
        """R_k(s): the states decision maker ``k`` reaches from ``s`` in one move."""
        return self.out[k][s]


# -- building --------------------------------------------------------------------------------------
_TRUE = True
_FALSE = False
Lit = Comparison | bool


class _Builder:
    def __init__(self, conflict: Conflict, varying: Sequence[int], strict: bool, moves: Moves) -> None:
        self.c = conflict
        self.varying = frozenset(varying)
        self.strict = strict
        self.moves = moves

    def gt(self, d: int, a: int, b: int) -> Lit:
        """d prefers a to b."""
        if d not in self.varying:
            return bool(self.c.ranks[d, a] > self.c.ranks[d, b])
        if a == b:
            return _FALSE
        return Comparison(d, a, b)

    def le(self, d: int, a: int, b: int) -> Lit:
        """d does not prefer a to b (under strict rankings: prefers b to a, or a is b)."""
        if d not in self.varying:
            return bool(self.c.ranks[d, a] <= self.c.ranks[d, b])
        if a == b:
            return _TRUE
        return Comparison(d, b, a) if self.strict else Comparison(d, a, b, holds=False)

    def closure(self, members: Sequence[int], s1: int) -> list[int]:
        """States reachable from s1 (s1 included) by any moves of ``members``."""
        seen = {s1}
        queue = deque([s1])
        while queue:
            v = queue.popleft()
            for k in members:
                for w in self.moves.of(k, v).tolist():
                    if w not in seen:
                        seen.add(w)
                        queue.append(w)
        return sorted(seen)

    def sanction_terms(
        self, members: Sequence[int], s1: int, goal: Callable[[int], Lit]
    ) -> list[tuple[frozenset[Comparison], int]]:
        """Minimal sets of comparisons under which the members' improvements lead from s1 to a state
        ``w`` with ``goal(w)`` true (the goal's comparison included), each with its ``w``.

        A label-correcting search: each state keeps the minimal sets of the varying members'
        comparisons under which it is reached (an antichain); a label that contains a sanction
        already found can only give absorbed alternatives and is dropped."""
        labels: dict[int, list[frozenset[Comparison]]] = {s1: [frozenset()]}
        queue: deque[tuple[int, frozenset[Comparison]]] = deque([(s1, frozenset())])
        terms: list[tuple[frozenset[Comparison], int]] = []
        total = 1
        while queue:
            v, have = queue.popleft()
            if have not in labels.get(v, ()) or any(t <= have for t, _ in terms):
                continue  # superseded by a smaller label, or a sanction already found covers it
            for k in members:
                for w in self.moves.of(k, v).tolist():
                    lit = self.gt(k, w, v)
                    if lit is _FALSE:
                        continue
                    if isinstance(lit, Comparison) and lit.negated(self.strict) in have:
                        continue
                    new = have | {lit} if isinstance(lit, Comparison) else have
                    old = labels.setdefault(w, [])
                    if any(o <= new for o in old) or any(t <= new for t, _ in terms):
                        continue
                    old[:] = [o for o in old if not new <= o]
                    old.append(new)
                    g = goal(w)
                    if g is not _FALSE and w != s1:
                        term = new | {g} if isinstance(g, Comparison) else new
                        if not (isinstance(g, Comparison) and g.negated(self.strict) in new):
                            terms[:] = [(t, x) for t, x in terms if not term <= t]
                            terms.append((term, w))
                            if not term:
                                return terms
                    total += 1
                    if total > MAX_LABELS:
                        raise ModelTooLargeError(
                            "the SEQ sanctions depend on more than "
                            f"{MAX_LABELS:,} combinations of the varying decision makers' moves; "
                            "vary fewer decision makers at once, or use gmr or smr"
                        )
                    queue.append((w, new))
        return terms

    def requirement(self, concept: str, i: int, t: int, s1: int) -> tuple[list[list[Lit]], list[int]]:
        """Alternatives (as lists of literals) and their sanctioning states for move t -> s1 of i."""
        alts: list[list[Lit]] = [[self.le(i, s1, t)]]
        via = [-1]
        if concept == "nash":
            return alts, via
        others = [k for k in range(self.c.n_dms) if k != i]
        if concept in ("gmr", "smr"):
            for s2 in self.closure(others, s1):
                if s2 == s1:
                    continue
                lits: list[Lit] = [self.le(i, s2, t)]
                if concept == "smr":
                    lits += [self.le(i, s3, t) for s3 in self.moves.of(i, s2).tolist()]
                alts.append(lits)
                via.append(s2)
            return alts, via
        for have, s2 in self.sanction_terms(others, s1, lambda w: self.le(i, w, t)):
            alts.append(sorted(have))
            via.append(s2)
        return alts, via


def _clean(alts: list[list[Lit]], via: list[int], strict: bool) -> tuple[list[Alternative], list[int]] | None:
    """Fold constants; None when an alternative is always true (the requirement is void)."""
    out: list[Alternative] = []
    out_via: list[int] = []
    for lits, v in zip(alts, via, strict=True):
        if any(lit is _FALSE for lit in lits):
            continue
        comps = sorted({lit for lit in lits if isinstance(lit, Comparison)})
        if any(c.negated(strict) in comps for c in comps):
            continue
        if not comps:
            return None
        out.append(tuple(comps))
        out_via.append(v)
    return out, out_via


def _absorb(
    alts: Sequence[Alternative], via: Sequence[int]
) -> tuple[tuple[Alternative, ...], tuple[int, ...]]:
    """Drop alternatives that contain another alternative (A or (A and B) = A); keep first seen."""
    order = sorted(range(len(alts)), key=lambda q: (len(alts[q]), q))
    kept: list[int] = []
    sets: list[frozenset[Comparison]] = []
    for q in order:
        s = frozenset(alts[q])
        if any(k <= s for k in sets):
            continue
        kept.append(q)
        sets.append(s)
    kept.sort()
    return tuple(alts[q] for q in kept), tuple(via[q] for q in kept)


def _atom(c: Comparison, strict: bool) -> tuple[Comparison, bool]:
    """(canonical comparison, polarity) so that a comparison and its negation share one atom."""
    n = c.negated(strict)
    return (c, True) if (c.better, c.worse, not c.holds) < (n.better, n.worse, not n.holds) else (n, False)


def _tautology(req: Requirement, strict: bool) -> bool:
    """Does the requirement hold for every assignment of its comparisons as independent atoms?"""
    atoms = sorted({_atom(c, strict)[0] for alt in req.alternatives for c in alt})
    if len(atoms) > TAUTOLOGY_ATOMS:
        return False
    index = {a: q for q, a in enumerate(atoms)}
    coded = [[(index[_atom(c, strict)[0]], _atom(c, strict)[1]) for c in alt] for alt in req.alternatives]
    for bits in itertools.product((False, True), repeat=len(atoms)):
        if not any(all(bits[q] == p for q, p in alt) for alt in coded):
            return False
    return True


def _implies(a: Requirement, b: Requirement) -> bool:
    """Every alternative of ``a`` contains some alternative of ``b``, so ``a`` implies ``b``."""
    bs = [frozenset(x) for x in b.alternatives]
    return all(any(y <= frozenset(x) for y in bs) for x in a.alternatives)


def simplify(reqs: Sequence[Requirement], strict: bool) -> tuple[Requirement, ...]:
    """An equivalent, shorter list of requirements (see the module docstring); ``()`` if always true.

    Raises nothing; an unsatisfiable requirement (no alternative) is kept so callers can report it.
    """
    current = list(reqs)
    while True:
        facts = {
            alt[0] for r in current if len(r.alternatives) == 1 for alt in r.alternatives if len(alt) == 1
        }
        changed = False
        nxt: list[Requirement] = []
        for r in current:
            is_fact = len(r.alternatives) == 1 and len(r.alternatives[0]) == 1
            if is_fact:
                nxt.append(r)
                continue
            alts: list[Alternative] = []
            via: list[int] = []
            void = False
            for alt, v in zip(r.alternatives, r.via, strict=True):
                if any(c.negated(strict) in facts for c in alt):
                    changed = True
                    continue
                rest = tuple(c for c in alt if c not in facts)
                if len(rest) != len(alt):
                    changed = True
                if not rest:
                    void = True
                    break
                alts.append(rest)
                via.append(v)
            if void:
                continue
            a2, v2 = _absorb(alts, via)
            req = Requirement(r.dm, r.move, a2, v2)
            if _tautology(req, strict):
                changed = True
                continue
            nxt.append(req)
        # duplicates and requirements implied by another one
        unique: list[Requirement] = []
        for r in nxt:
            if any(set(u.alternatives) == set(r.alternatives) for u in unique):
                changed = True
                continue
            unique.append(r)
        kept: list[Requirement] = []
        for q, r in enumerate(unique):
            if any(p != q and _implies(o, r) and (not _implies(r, o) or p < q) for p, o in enumerate(unique)):
                changed = True
                continue
            kept.append(r)
        current = kept
        if not changed:
            return tuple(current)


def build_condition(
    conflict: Conflict,
    target: int,
    concept: str,
    varying: Sequence[int],
    strict: bool = True,
    moves: Moves | None = None,
) -> Condition:
    """The exact condition on the ``varying`` decision makers' preferences for ``target`` to be an
    equilibrium under ``concept`` (nash, gmr, smr, seq), the other decision makers' ranks as given.

    Definition: the conjunction over every decision maker ``i`` and move ``s1`` in ``R_i(target)``
    of the disjunction of the alternatives in the module docstring; equal, for every strict ranking
    of each varying decision maker (weak orders with ``strict=False``), to
    ``all(reference.is_stable(variant, concept, j, target) for j)`` (checked by brute force in the
    tests). Raises ValueError for an unknown concept, state or decision maker, and
    :class:`~detente.errors.ModelTooLargeError` when the SEQ sanction search exceeds :data:`MAX_LABELS`.
    """
    if concept not in CONCEPTS:
        raise ValueError(
            f"unknown stability concept {concept!r} for a condition; choose from {', '.join(CONCEPTS)}"
        )
    if not 0 <= target < conflict.n_states:
        raise ValueError(f"target state index {target} is out of range 0..{conflict.n_states - 1}")
    vary = tuple(sorted(set(int(v) for v in varying)))
    if not vary or any(not 0 <= v < conflict.n_dms for v in vary):
        raise ValueError(f"the varying decision makers must be one or more of 0..{conflict.n_dms - 1}")
    moves = moves or Moves(conflict)
    b = _Builder(conflict, vary, strict, moves)
    reqs: list[Requirement] = []
    blocked: list[tuple[int, int]] = []
    n_moves = 0
    for i in range(conflict.n_dms):
        for s1 in moves.of(i, target).tolist():
            n_moves += 1
            alts, via = b.requirement(concept, i, target, s1)
            cleaned = _clean(alts, via, strict)
            if cleaned is None:
                continue
            if not cleaned[0]:
                blocked.append((i, s1))
                continue
            a2, v2 = _absorb(*cleaned)
            reqs.append(Requirement(i, s1, a2, v2))
    simple = () if blocked else simplify(reqs, strict)
    blocked += [(r.dm, r.move) for r in simple if not r.alternatives]
    if blocked:
        return Condition(conflict, target, concept, vary, (), tuple(blocked), strict, n_moves)
    return Condition(conflict, target, concept, vary, simple, (), strict, n_moves)


def suggest_varying(conflict: Conflict, target: int, concept: str) -> tuple[int, ...]:
    """A default set of decision makers to vary: those for whom ``target`` is not stable now under
    ``concept`` (whose minds would have to change); if it is stable for all, those who can move away
    from it (whose minds could change). Uses the reference definitions at the target only."""
    from detente.conflict import reference

    if concept not in CONCEPTS:
        raise ValueError(
            f"unknown stability concept {concept!r} for a condition; choose from {', '.join(CONCEPTS)}"
        )
    unstable = tuple(
        j for j in range(conflict.n_dms) if not reference.is_stable(conflict, concept, j, target)
    )
    if unstable:
        return unstable
    movers = tuple(j for j in range(conflict.n_dms) if reference.reachable(conflict, j, target))
    return movers or tuple(range(conflict.n_dms))
