"""The smallest change of preferences that makes a target state an equilibrium (or stops it being one).

Pairwise comparisons (:func:`smallest_change`)
----------------------------------------------
From the conflict's current ranks, find strict rankings of the varying decision makers that satisfy
the exact condition of :mod:`detente.conflict.inverse_condition` (optionally: the target is also
reached from the status quo by unilateral improvements, the colored paths of Li, Kilgour & Hipel 2005)
while reversing as few *counted comparisons* as possible. The counted comparisons of a varying
decision maker ``d`` are

* its comparisons of the target with every other state (do I like the target more than ``x``?), and,
  when the question depends on whether moves are improvements (SEQ, or reachability from the status
  quo), also
* its comparisons of the two ends of each of its own unilateral moves (is that move an improvement?).

A comparison counts as reversed when the current ranks order the pair strictly and the new ranking
orders it the other way; settling a current tie costs nothing. The problem is an integer programme
solved exactly with HiGHS through :func:`scipy.optimize.milp`: one binary per counted comparison,
one binary per alternative of each requirement (an alternative holds only if all its comparisons do;
each requirement needs one), unit flow along improvement moves for reachability (a path exists iff
a unit flow does, capacities being the moves' improvement comparisons), and, when comparisons other
than the target's are involved, potentials that make the chosen comparisons a strict ranking
(``phi(a) >= phi(b) + 1`` whenever ``a`` is preferred to ``b``: exactly the acyclic choices). The
converse (:func:`smallest_change` with ``goal="unstable"``) needs one requirement to fail: a selector
per requirement, and every alternative of the selected one broken.

Statements (:func:`smallest_statement_change`)
----------------------------------------------
For a decision maker whose preferences are option-prioritisation statements (Fang, Hipel, Kilgour &
Peng 2003; the ranks are the lexicographic order of the tiers' truth counts, as the conflict file
compiles them), the fewest edits of its statement list - moving a tier to another place, removing a
tier, adding a statement from a pool as a new tier - found by breadth-first search over edit
sequences (exact: every list within ``d`` edits is tried before any at ``d + 1``), each candidate
checked against the condition for weak orders, all candidates of one depth at once.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente.conflict.inverse_condition import Comparison, Condition, Moves, Requirement, build_condition
from detente.conflict.model import BoolArray, Conflict, IntArray
from detente.errors import ModelTooLargeError

Goal = Literal["stable", "unstable"]

LAZY_ROUNDS = 8
"""Rounds of cycle cuts tried before every counted comparison and potentials enter the programme."""

MAX_COUNTED = 400_000
"""Most counted comparisons the integer programme accepts (refused beyond, with advice)."""


@dataclass(frozen=True)
class PreferenceChange:
    """The fewest reversed counted comparisons that reach ``goal`` for ``target`` under ``concept``.

    ``feasible`` is False when no preferences of the varying decision makers reach the goal (then
    ``ranks`` are the current ones). ``reversed`` lists the new comparisons (each reverses a current
    strict one), ``settled`` the comparisons that were ties and had to be decided, ``ranks`` a full
    new rank profile (strict rows for the varying decision makers) realising them, ``kendall`` the
    number of pairs of states (any pairs) whose strict order in those rows is reversed, ``path`` the
    states from the status quo to the target (``from_status_quo`` only), ``broken`` the requirement
    that fails (``goal="unstable"``) and ``condition`` the condition used.
    """

    condition: Condition = field(repr=False)
    goal: Goal
    from_status_quo: bool
    feasible: bool
    cost: int
    reversed: tuple[Comparison, ...]
    settled: tuple[Comparison, ...]
    ranks: IntArray = field(repr=False)
    kendall: int
    path: tuple[int, ...] = ()
    broken: Requirement | None = None
    counts_moves: bool = False

    @property
    def target(self) -> int:
        return self.condition.target

    @property
    def concept(self) -> str:
        return self.condition.concept

    @property
    def varying(self) -> tuple[int, ...]:
        return self.condition.varying


def improvement_reach(conflict: Conflict, ranks: IntArray, start: int, moves: Moves) -> dict[int, int]:
    """States reached from ``start`` by unilateral improvements (any movers), with a predecessor."""
    prev = {start: -1}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for k in range(conflict.n_dms):
            for w in moves.of(k, v).tolist():
                if w not in prev and ranks[k, w] > ranks[k, v]:
                    prev[w] = v
                    queue.append(w)
    return prev


def _path(prev: dict[int, int], end: int) -> tuple[int, ...]:
    out = [end]
    while prev[out[-1]] != -1:
        out.append(prev[out[-1]])
    return tuple(reversed(out))


class _Program:
    """A growing integer programme: variables with bounds and integrality, linear rows."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.cost: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.row_lb: list[float] = []
        self.row_ub: list[float] = []
        self.atoms: dict[tuple[int, int, int], int] = {}
        self.constant = 0.0

    def var(self, lb: float, ub: float, integer: bool, cost: float = 0.0) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(1 if integer else 0)
        self.cost.append(cost)
        return len(self.lb) - 1

    def row(self, terms: Sequence[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(self.row_lb)
        for col, val in terms:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(val)
        self.row_lb.append(lb)
        self.row_ub.append(ub)

    def atom(self, d: int, lo: int, hi: int) -> int:
        """Binary: decision maker d prefers state lo to state hi (lo < hi)."""
        key = (d, lo, hi)
        if key not in self.atoms:
            self.atoms[key] = self.var(0, 1, True)
        return self.atoms[key]

    def literal(self, c: Comparison) -> tuple[int, float, float]:
        """(variable, coefficient, constant): the comparison's truth is constant + coefficient * x."""
        lo, hi = min(c.better, c.worse), max(c.better, c.worse)
        x = self.atom(c.dm, lo, hi)
        return (x, 1.0, 0.0) if c.better == lo else (x, -1.0, 1.0)

    def solve(self) -> npt.NDArray[np.float64] | None:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        if not self.lb:
            self.var(0, 0, False)  # HiGHS needs one variable; an empty programme is just its rows
        n = len(self.lb)
        constraints = []
        if self.row_lb:
            a = coo_array((self.vals, (self.rows, self.cols)), shape=(len(self.row_lb), n)).tocsr()
            constraints.append(LinearConstraint(a, np.array(self.row_lb), np.array(self.row_ub)))
        res = milp(
            np.array(self.cost),
            constraints=constraints,
            integrality=np.array(self.integer),
            bounds=Bounds(np.array(self.lb), np.array(self.ub)),
        )
        if res.status != 0 or res.x is None:
            return None
        return np.asarray(res.x, dtype=np.float64)


def _current_cost(program: _Program, conflict: Conflict) -> None:
    """Objective: one per reversed strict comparison."""
    program.constant = 0.0
    for (d, lo, hi), x in program.atoms.items():
        r = conflict.ranks[d]
        if r[lo] > r[hi]:
            program.cost[x] = -1.0
            program.constant += 1.0
        elif r[lo] < r[hi]:
            program.cost[x] = 1.0


def smallest_change(
    conflict: Conflict,
    target: int,
    concept: str,
    varying: Sequence[int],
    goal: Goal = "stable",
    from_status_quo: bool = False,
    condition: Condition | None = None,
) -> PreferenceChange:
    """The fewest reversed counted comparisons (module docstring) of the ``varying`` decision makers
    that make ``target`` an equilibrium under ``concept`` (``goal="stable"``; with
    ``from_status_quo`` also reachable from ``conflict.status_quo`` by unilateral improvements), or
    that make it not an equilibrium (``goal="unstable"``). Exact (HiGHS branch and bound).
    """
    if goal not in ("stable", "unstable"):
        raise ValueError(f"goal must be 'stable' or 'unstable', not {goal!r}")
    moves = Moves(conflict)
    cond = condition or build_condition(conflict, target, concept, varying, strict=True, moves=moves)
    vary = cond.varying
    sq = conflict.status_quo
    reach = from_status_quo and goal == "stable"
    if reach and sq is None:
        raise ValueError("reachability from the status quo needs a conflict with a status quo")
    with_moves = reach or concept == "seq"

    def result(feasible: bool, ranks: IntArray, broken: Requirement | None = None) -> PreferenceChange:
        rev, settled = _differences(conflict, ranks, vary, target, moves, with_moves)
        path: tuple[int, ...] = ()
        if reach and feasible and sq is not None:
            prev = improvement_reach(conflict, ranks, sq, moves)
            path = _path(prev, target) if target in prev else ()
        return PreferenceChange(
            cond,
            goal,
            reach,
            feasible,
            len(rev),
            rev,
            settled,
            ranks,
            _kendall(conflict, ranks, vary),
            path,
            broken,
            with_moves,
        )

    current = conflict.ranks
    holds_now = cond.holds(current) if all(_strict_row(current[d]) for d in vary) else None
    if goal == "stable" and not cond.possible:
        return result(False, current)
    if goal == "unstable" and not cond.possible:
        return result(True, current)
    if goal == "unstable" and cond.always:
        return result(False, current)
    if holds_now is not None and not reach and (holds_now == (goal == "stable")):
        return result(True, current)

    n_counted = sum(
        conflict.n_states - 1 + (sum(len(m) for m in moves.out[d]) // 2 if with_moves else 0) for d in vary
    )
    if n_counted > MAX_COUNTED:
        raise ModelTooLargeError(
            f"the smallest change would weigh {n_counted:,} comparisons (more than {MAX_COUNTED:,}); "
            "vary fewer decision makers at once"
        )
    p = _Program()
    if goal == "stable":
        for req in cond.requirements:
            terms: list[tuple[int, float]] = []
            const = 0.0
            for alt in req.alternatives:
                if len(alt) == 1:
                    x, coef, c0 = p.literal(alt[0])
                    terms.append((x, coef))
                    const += c0
                    continue
                y = p.var(0, 1, True)
                terms.append((y, 1.0))
                for c in alt:
                    x, coef, c0 = p.literal(c)
                    p.row([(y, 1.0), (x, -coef)], -np.inf, c0)  # y <= literal
            p.row(terms, 1.0 - const, np.inf)
    else:
        selectors = []
        for req in cond.requirements:
            z = p.var(0, 1, True)
            selectors.append((z, 1.0))
            for alt in req.alternatives:
                # sum over the alternative's comparisons of (1 - literal) >= z
                terms = [(z, -1.0)]
                const = 0.0
                for c in alt:
                    x, coef, c0 = p.literal(c)
                    terms.append((x, -coef))
                    const += 1.0 - c0
                p.row(terms, -const, np.inf)
        p.row(selectors, 1.0, np.inf)
    if reach and sq is not None and sq != target:
        _flow(p, conflict, vary, moves, sq, target)
    _current_cost(p, conflict)
    sol = p.solve()
    if sol is None:  # even without transitivity no choice works
        return result(False, current)
    # Keeping every other counted comparison as it is, do the chosen ones form rankings? Then the
    # relaxation's optimum is feasible, hence optimal; otherwise solve with every counted comparison
    # and potentials that forbid cycles.
    ranks = _realise(conflict, p, sol, vary, target, with_moves, keep=moves if with_moves else None)
    for _ in range(LAZY_ROUNDS if ranks is None else 0):
        # cut the cycles found (no ranking has them) and solve again: still a relaxation
        for d in vary:
            above = _above(conflict, p, sol, d, target, moves)
            for cyc in _cycles(above):
                terms = []
                const = 0.0
                for better, worse in cyc:
                    x, coef, c0 = p.literal(Comparison(d, better, worse))
                    terms.append((x, coef))
                    const += c0
                p.row(terms, -np.inf, len(cyc) - 1 - const)
        _current_cost(p, conflict)
        sol = p.solve()
        if sol is None:
            return result(False, current)
        ranks = _realise(conflict, p, sol, vary, target, with_moves, keep=moves)
        if ranks is not None:
            break
    if ranks is None:
        _counted_atoms(p, conflict, vary, moves, target)
        _potentials(p, conflict, vary)
        _current_cost(p, conflict)
        sol = p.solve()
        if sol is None:
            return result(False, current)
        ranks = _realise(conflict, p, sol, vary, target, with_moves)
    if ranks is None:  # cannot happen: the potentials forbid cycles
        raise RuntimeError("the chosen comparisons are not a ranking")
    broken = None
    if goal == "unstable":
        broken = next((r for r in cond.requirements if not r.holds(ranks)), None)
    return result(True, ranks, broken)


def _strict_row(row: IntArray) -> bool:
    return bool(np.unique(row).size == row.size)


def _flow(p: _Program, conflict: Conflict, vary: Sequence[int], moves: Moves, sq: int, target: int) -> None:
    """A unit of flow from the status quo to the target along improvement moves."""
    balance: dict[int, list[tuple[int, float]]] = {}
    for k in range(conflict.n_dms):
        r = conflict.ranks[k]
        for v in range(conflict.n_states):
            if v == target:
                continue  # never needed to leave the target
            for w in moves.of(k, v).tolist():
                if w == sq:
                    continue
                if k in vary:
                    f = p.var(0, 1, False)
                    x, coef, c0 = p.literal(Comparison(k, w, v))
                    p.row([(f, 1.0), (x, -coef)], -np.inf, c0)
                elif r[w] > r[v]:
                    f = p.var(0, 1, False)
                else:
                    continue
                balance.setdefault(v, []).append((f, 1.0))
                balance.setdefault(w, []).append((f, -1.0))
    for s in range(conflict.n_states):
        need = 1.0 if s == sq else (-1.0 if s == target else 0.0)
        p.row(balance.get(s, []), need, need)


def _counted_atoms(p: _Program, conflict: Conflict, vary: Sequence[int], moves: Moves, target: int) -> None:
    """Declare every counted comparison (target pairs and own move pairs) as a variable."""
    for d in vary:
        for s in range(conflict.n_states):
            if s != target:
                p.atom(d, min(s, target), max(s, target))
        for v in range(conflict.n_states):
            for w in moves.of(d, v).tolist():
                if v < w:
                    p.atom(d, v, w)


def _potentials(p: _Program, conflict: Conflict, vary: Sequence[int]) -> None:
    """Make every varying decision maker's chosen comparisons a strict ranking: potentials with
    ``phi(a) >= phi(b) + 1`` whenever ``a`` is chosen above ``b`` exist exactly when the choice has no
    directed cycle."""
    k = conflict.n_states
    big = float(k)
    for d in vary:
        phi = [p.var(0, k - 1, False) for _ in range(k)]
        for (dd, lo, hi), x in list(p.atoms.items()):
            if dd != d:
                continue
            p.row([(phi[lo], 1.0), (phi[hi], -1.0), (x, -big)], 1.0 - big, np.inf)
            p.row([(phi[hi], 1.0), (phi[lo], -1.0), (x, big)], 1.0, np.inf)


def _above(
    conflict: Conflict, p: _Program, sol: npt.NDArray[np.float64], d: int, target: int, keep: Moves
) -> list[set[int]]:
    """Per state, the states decision maker ``d`` must rank above it: the chosen comparisons, and
    every other counted comparison in its current strict order."""
    above = _chosen(conflict, p, sol, d)
    _keep_current(conflict, p, d, target, keep, above)
    return above


def _chosen(conflict: Conflict, p: _Program, sol: npt.NDArray[np.float64], d: int) -> list[set[int]]:
    """Per state, the states the solution ``sol`` chose decision maker ``d`` to rank above it."""
    above: list[set[int]] = [set() for _ in range(conflict.n_states)]
    for (dd, lo, hi), x in p.atoms.items():
        if dd == d:
            better, worse = (lo, hi) if sol[x] > 0.5 else (hi, lo)
            above[worse].add(better)
    return above


def _keep_current(
    conflict: Conflict, p: _Program, d: int, target: int, keep: Moves, above: list[set[int]]
) -> None:
    """Add to ``above`` every counted comparison of ``d`` (with the target, and along the moves
    ``keep`` counts) that has no variable: it keeps its current strict order."""
    k = conflict.n_states
    cur = conflict.ranks[d]
    pairs = {(min(x, target), max(x, target)) for x in range(k) if x != target}
    pairs |= {(min(v, w), max(v, w)) for v in range(k) for w in keep.of(d, v).tolist()}
    for lo, hi in pairs:
        if (d, lo, hi) in p.atoms or cur[lo] == cur[hi]:
            continue
        better, worse = (lo, hi) if cur[lo] > cur[hi] else (hi, lo)
        above[worse].add(better)


def _cycles(above: list[set[int]], limit: int = 20) -> list[list[tuple[int, int]]]:
    """Up to ``limit`` directed cycles (edges better -> worse) by depth-first search; the first edge
    of each found cycle is set aside before searching again, so the cycles differ."""
    below: dict[int, list[int]] = {}
    for worse, betters in enumerate(above):
        for better in betters:
            below.setdefault(better, []).append(worse)
    found: list[list[tuple[int, int]]] = []
    while len(found) < limit:
        color: dict[int, int] = {}
        parent: dict[int, int] = {}
        cycle: list[tuple[int, int]] | None = None
        for root in list(below):
            if root in color or cycle:
                continue
            color[root] = 1
            stack = [(root, iter(below.get(root, [])))]
            while stack and cycle is None:
                v, it = stack[-1]
                w = next(it, None)
                if w is None:
                    color[v] = 2
                    stack.pop()
                elif w not in color:
                    color[w] = 1
                    parent[w] = v
                    stack.append((w, iter(below.get(w, []))))
                elif color[w] == 1:
                    cyc = [(v, w)]
                    x = v
                    while x != w:
                        cyc.append((parent[x], x))
                        x = parent[x]
                    cycle = cyc
        if cycle is None:
            break
        found.append(cycle)
        a, b = cycle[0]
        below[a].remove(b)
    return found


def _realise(
    conflict: Conflict,
    p: _Program,
    sol: npt.NDArray[np.float64],
    vary: Sequence[int],
    target: int,
    with_moves: bool,
    keep: Moves | None = None,
) -> IntArray | None:
    """A full strict ranking per varying decision maker agreeing with every chosen comparison and
    otherwise with the current ranks as far as possible (a topological order, best current first).

    With ``keep``, every counted comparison without a variable keeps its current strict order too;
    None when that is impossible (a cycle)."""
    k = conflict.n_states
    ranks = conflict.ranks.copy()
    for d in vary:
        above = _chosen(conflict, p, sol, d)  # above[x]: states that must rank above x
        cur = conflict.ranks[d]
        if not with_moves:  # only target comparisons chosen: every other state keeps its side of t
            for x in range(k):
                if x == target or target in above[x] or x in above[target]:
                    continue
                if cur[x] > cur[target]:
                    above[target].add(x)
                else:
                    above[x].add(target)
        if keep is not None:
            _keep_current(conflict, p, d, target, keep, above)
        blocking = [len(a) for a in above]
        below: list[list[int]] = [[] for _ in range(k)]
        for x in range(k):
            for y in above[x]:
                below[y].append(x)
        heap = [(-int(cur[x]), x) for x in range(k) if blocking[x] == 0]
        heapq.heapify(heap)
        order: list[int] = []
        while heap:
            _, x = heapq.heappop(heap)
            order.append(x)
            for y in below[x]:
                blocking[y] -= 1
                if blocking[y] == 0:
                    heapq.heappush(heap, (-int(cur[y]), y))
        if len(order) != k:
            return None
        row = np.empty(k, dtype=np.int64)
        row[np.array(order)] = np.arange(k - 1, -1, -1)
        ranks[d] = row
    return ranks


def _differences(
    conflict: Conflict, ranks: IntArray, vary: Sequence[int], target: int, moves: Moves, with_moves: bool
) -> tuple[tuple[Comparison, ...], tuple[Comparison, ...]]:
    """Counted comparisons reversed, and counted ties settled, between the current and new ranks."""
    rev: list[Comparison] = []
    settled: list[Comparison] = []
    for d in vary:
        pairs = {(min(s, target), max(s, target)) for s in range(conflict.n_states) if s != target}
        if with_moves:
            pairs |= {
                (min(v, w), max(v, w)) for v in range(conflict.n_states) for w in moves.of(d, v).tolist()
            }
        old, new = conflict.ranks[d], ranks[d]
        for a, b in sorted(pairs):
            if new[a] == new[b]:
                continue
            better, worse = (a, b) if new[a] > new[b] else (b, a)
            if old[better] < old[worse]:
                rev.append(Comparison(d, better, worse))
            elif old[better] == old[worse]:
                settled.append(Comparison(d, better, worse))
    return tuple(rev), tuple(settled)


def _kendall(conflict: Conflict, ranks: IntArray, vary: Sequence[int]) -> int:
    """Pairs of states whose strict order is reversed between the current and the new ranks.

    Counted in O(k log k) per decision maker: states sorted by the new rank (best first, ties in the
    new ranks by the old rank, best first, so tied pairs never count), then the pairs earlier in that
    order with a strictly lower old rank, by a Fenwick tree over the old ranks."""
    total = 0
    for d in vary:
        old, new = conflict.ranks[d], ranks[d]
        order = np.lexsort((-old, -new))
        size = int(old.max()) + 2
        tree = [0] * (size + 1)
        for x in order.tolist():
            r = int(old[x]) + 1
            # earlier states (ranked above x in the new ranks) with old rank strictly below x's
            q, below = r - 1, 0
            while q > 0:
                below += tree[q]
                q -= q & -q
            total += below
            while r <= size:
                tree[r] += 1
                r += r & -r
    return total


# -- statements ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatementPreferences:
    """A decision maker's option-prioritisation statements as arrays (no text parsing here).

    ``truth[q, s]``: statement row ``q`` holds in state ``s``; ``tiers``: the current list, most
    important first, each tier the rows counted together (one row, or a tied group); ``pool``: rows
    that may be added as a new tier; ``texts[q]``: the statement's text (for words).
    """

    texts: tuple[str, ...]
    truth: BoolArray
    tiers: tuple[tuple[int, ...], ...]
    pool: tuple[int, ...] = ()


def statement_ranks(truth: BoolArray, tiers: Sequence[Sequence[int]]) -> IntArray:
    """Dense ranks (0 = least preferred) of the lexicographic order of the tiers' truth counts, the
    most important tier deciding first (Fang, Hipel, Kilgour & Peng 2003; as the conflict file
    compiles statements)."""
    k = truth.shape[1]
    if not tiers:
        return np.zeros(k, dtype=np.int64)
    columns = [truth[list(t)].sum(axis=0).astype(np.int64) for t in tiers]
    keys = np.stack(columns, axis=1)
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    return np.asarray(inverse.reshape(-1), dtype=np.int64)


Edit = tuple[str, int, int]
"""("move", tier row-tuple index, new position) / ("remove", index, -1) / ("add", pool row, position)."""


@dataclass(frozen=True)
class StatementChange:
    """The fewest edits of ``dm``'s statement list reaching ``goal``: ``edits`` (in words by the
    renderer), the new ``tiers``, its ``ranks``; ``feasible`` False when no list within
    ``max_edits`` edits does; ``tried`` lists examined."""

    condition: Condition = field(repr=False)
    dm: int
    goal: Goal
    from_status_quo: bool
    feasible: bool
    edits: tuple[tuple[str, tuple[int, ...], int], ...]
    tiers: tuple[tuple[int, ...], ...]
    ranks: IntArray = field(repr=False)
    tried: int
    max_edits: int
    path: tuple[int, ...] = ()


def _neighbours(
    tiers: tuple[tuple[int, ...], ...], pool: Sequence[int]
) -> list[tuple[tuple[str, tuple[int, ...], int], tuple[tuple[int, ...], ...]]]:
    out: list[tuple[tuple[str, tuple[int, ...], int], tuple[tuple[int, ...], ...]]] = []
    n = len(tiers)
    for q in range(n):
        rest = tiers[:q] + tiers[q + 1 :]
        out.append((("remove", tiers[q], -1), rest))
        for pos in range(n):
            if pos != q:
                out.append((("move", tiers[q], pos), (*rest[:pos], tiers[q], *rest[pos:])))
    used = {r for t in tiers for r in t}
    for row in pool:
        if row in used:
            continue
        for pos in range(n + 1):
            out.append((("add", (row,), pos), (*tiers[:pos], (row,), *tiers[pos:])))
    return out


def smallest_statement_change(
    conflict: Conflict,
    target: int,
    concept: str,
    dm: int,
    prefs: StatementPreferences,
    goal: Goal = "stable",
    from_status_quo: bool = False,
    max_edits: int = 2,
) -> StatementChange:
    """The fewest edits (move a tier, remove a tier, add a pool statement as a tier) of ``dm``'s
    statement list after which ``target`` is an equilibrium under ``concept`` (``goal="stable"``,
    with ``from_status_quo`` also reachable from the status quo by unilateral improvements) or is not
    one (``goal="unstable"``); breadth-first over edit sequences, so exact up to ``max_edits``.
    """
    if prefs.truth.shape[1] != conflict.n_states:
        raise ValueError("statement truth table must have one column per feasible state")
    moves = Moves(conflict)
    cond = build_condition(conflict, target, concept, [dm], strict=False, moves=moves)
    compiled = cond.compiled()
    sq = conflict.status_quo
    reach = from_status_quo and goal == "stable" and sq is not None

    def ok(batch: list[tuple[tuple[int, ...], ...]]) -> list[int]:
        profiles = np.repeat(conflict.ranks[None, :, :], len(batch), axis=0)
        for q, tiers in enumerate(batch):
            profiles[q, dm] = statement_ranks(prefs.truth, tiers)
        holds = compiled.holds_many(profiles)
        good = np.flatnonzero(holds if goal == "stable" else ~holds).tolist()
        if reach and sq is not None:
            good = [q for q in good if target in improvement_reach(conflict, profiles[q], sq, moves)]
        return good

    start = tuple(tuple(t) for t in prefs.tiers)
    frontier: list[tuple[tuple[tuple[str, tuple[int, ...], int], ...], tuple[tuple[int, ...], ...]]] = [
        ((), start)
    ]
    seen = {start}
    tried = 0
    for depth in range(max_edits + 1):
        batch = [tiers for _, tiers in frontier]
        tried += len(batch)
        good = ok(batch)
        if good:
            edits, tiers = frontier[good[0]]
            ranks = conflict.ranks.copy()
            ranks[dm] = statement_ranks(prefs.truth, tiers)
            path: tuple[int, ...] = ()
            if reach and sq is not None:
                path = _path(improvement_reach(conflict, ranks, sq, moves), target)
            return StatementChange(cond, dm, goal, reach, True, edits, tiers, ranks, tried, max_edits, path)
        if depth == max_edits:
            break
        nxt = []
        for edits, tiers in frontier:
            for edit, new in _neighbours(tiers, prefs.pool):
                if new not in seen:
                    seen.add(new)
                    nxt.append(((*edits, edit), new))
        frontier = nxt
    return StatementChange(cond, dm, goal, reach, False, (), start, conflict.ranks, tried, max_edits)
