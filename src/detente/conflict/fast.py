"""Vectorised stability analysis: Nash, GMR, SMR and SEQ for any number of decision makers.

Computes exactly the definitions of :mod:`detente.conflict.reference` (Fang, Hipel & Kilgour 1993,
*Interactive Decision Making*, ch. 3; legal sequences of Fang, Hipel & Kilgour 1989 and Xu, Hipel &
Kilgour 2009), reorganised so that no state is visited one at a time.

For decision maker i with ranks r and opponents H = N - {i}, every concept reads: s is unstable iff
some s1 in R_i(s) has r(s1) > r(s) and sanction(s1) > r(s), with sanction(s1) the minimum of a value
f over the opponents' admissible responses to s1 (+inf if none). Both tests are "> r(s)", so with
w(s1) = min(r(s1), sanction(s1)):

    s is unstable for i  iff  max over s1 in R_i(s) of w(s1) > r(s).

Nash: no sanction (w = r). GMR: f = r over R_H(s1). SMR: f = q over R_H(s1), where
q(s2) = max r over {s2} and R_i(s2). SEQ: f = r over R_H^+(s1). Adding s1 itself to the responses
never changes w, because f(s1) >= r(s1); adding s itself to R_i(s) never changes the test, because
w(s) <= r(s). Two facts remove the "last mover" from legal sequences:

* two consecutive moves by one decision maker compose into one legal move of that decision maker
  (every option that changed once changed in an allowed direction from its start value), or into no
  move at all; so the states a legal sequence reaches, s1 apart, are those any sequence of
  opponents' moves reaches;
* two consecutive unilateral improvements by one decision maker compose into one improvement.

So R_H(s1) and R_H^+(s1), with s1 added, are the closures of s1 in the graph of all opponents'
moves (or improvements), and w is a minimum over a closure:

* two decision makers: the closure under the single opponent j is R_j(s1) and s1, a sub-cube of
  the ``2**m`` option codes (a reversible option of j ranges over both values, a forward-only one
  from its current value up, a backward-only one down); minima and maxima over sub-cubes are
  per-option reductions of a dense array, infeasible codes filled with +inf or -inf so that no move
  lands on them. SEQ needs min r_i over the targets t with r_j(t) > r_j(s1): each group of codes
  sharing the options outside j's reversible ones is sorted by r_j once, and a suffix minimum of r_i
  read at the first strictly greater r_j answers every query (each admissible setting of j's
  directional options is one more lookup);
* three or more: the opponents' moves (or improvements) form a sparse graph on the feasible states;
  the minimum of f over each closure is a shortest-path distance from a super-source joined to every
  state t by an edge of weight f(t), the moves reversed at weight 0 (scipy's Dijkstra).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from detente.conflict import budget
from detente.conflict.model import BoolArray, Conflict, Direction, IntArray
from detente.conflict.reference import CONCEPTS

_LOW = -1  # below every rank: an infeasible code never raises a maximum


def stable(conflict: Conflict, concept: str) -> BoolArray:
    """Stability of every state for every decision maker under ``concept`` (nash, gmr, smr, seq).

    Returns a (decision makers x states) boolean array equal to
    :func:`detente.conflict.reference.stable`. Raises :class:`detente.errors.ModelTooLargeError`
    before any work when the estimated memory exceeds the budget (:mod:`detente.conflict.budget`).
    """
    if concept not in CONCEPTS:
        raise ValueError(f"unknown stability concept {concept!r}; choose from {', '.join(CONCEPTS)}")
    budget.check(conflict, concept)
    n = conflict.n_dms
    moves: list[tuple[IntArray, IntArray]] = []
    if n >= 3 and concept != "nash":
        moves = [move_edges(conflict, k, improving=concept == "seq") for k in range(n)]
    out = np.empty((n, conflict.n_states), dtype=bool)
    for i in range(n):
        r = conflict.ranks[i]
        if concept == "nash" or n == 1:  # no opponent, no sanction
            w = r
        elif n == 2 and concept == "seq":
            w = np.minimum(r, improvement_min(conflict, 1 - i, r))
        elif n == 2:
            f = r if concept == "gmr" else subcube_max(conflict, i, r)
            w = np.minimum(r, subcube_min(conflict, 1 - i, f))
        else:
            f = subcube_max(conflict, i, r) if concept == "smr" else r
            w = np.minimum(r, closure_min(conflict.n_states, [moves[k] for k in range(n) if k != i], f))
        out[i] = subcube_max(conflict, i, w) <= r
    return out


# -- sub-cube reductions over the 2**m option codes ---------------------------------------------
def _dense(conflict: Conflict, values: IntArray, fill: int) -> IntArray:
    dense = np.full(1 << conflict.n_options, fill, dtype=np.int64)
    dense[conflict.states] = values
    return dense


def _reduce_moves(conflict: Conflict, i: int, dense: IntArray, maximum: bool) -> None:
    """In place: each code gets the max (min) of ``dense`` over itself and its codes in R_i."""
    op = np.maximum if maximum else np.minimum
    for j in conflict.decision_makers[i].options:
        pair = dense.reshape(-1, 2, 1 << j)  # axis 1 is option j's bit
        both = op(pair[:, 0], pair[:, 1])
        for side in receiving_sides(conflict.options[j].direction):
            pair[:, side] = both


def receiving_sides(direction: Direction) -> tuple[int, ...]:
    """Values of an option (0 = not taken, 1 = taken) from which both values are one move away.

    A reversible option can be changed either way; a forward-only one only from 0, a
    backward-only one only from 1 (from the other value the option stays as it is).
    """
    return {Direction.BOTH: (0, 1), Direction.FORWARD: (0,), Direction.BACKWARD: (1,)}[direction]


def subcube_max(conflict: Conflict, i: int, values: IntArray) -> IntArray:
    """Per state s: max of ``values`` over {s} and R_i(s) (unilateral moves of decision maker i)."""
    dense = _dense(conflict, values, _LOW)
    _reduce_moves(conflict, i, dense, maximum=True)
    return dense[conflict.states]


def subcube_min(conflict: Conflict, i: int, values: IntArray) -> IntArray:
    """Per state s: min of ``values`` over {s} and R_i(s)."""
    dense = _dense(conflict, values, conflict.n_states)
    _reduce_moves(conflict, i, dense, maximum=False)
    return dense[conflict.states]


# -- threshold queries: minima over unilateral improvements ---------------------------------------
def _spread(x: IntArray, bits: list[int]) -> IntArray:
    """Deposit the low bits of ``x`` onto the bit positions ``bits`` (in order)."""
    out = np.zeros_like(x)
    for k, b in enumerate(bits):
        out |= ((x >> k) & 1) << b
    return out


def _gather(x: IntArray, bits: list[int]) -> IntArray:
    """Extract the bits of ``x`` at positions ``bits`` into the low bits (inverse of _spread)."""
    out = np.zeros_like(x)
    for k, b in enumerate(bits):
        out |= ((x >> b) & 1) << k
    return out


def improvement_min(conflict: Conflict, j: int, values: IntArray) -> IntArray:
    """Per state s: min of ``values`` over R_j^+(s), the unilateral improvements of j from s.

    Equals ``conflict.n_states`` (+inf) where j has no improvement. Rows are the codes sharing the
    options outside j's reversible ones; each row is sorted by r_j with a suffix minimum of
    ``values``, so one binary search per state and per setting of j's directional options answers
    min{values(t) : t in the row, r_j(t) > r_j(s)}.
    """
    m, k = conflict.n_options, conflict.n_states
    rj = conflict.ranks[j]
    free = [b for b in conflict.decision_makers[j].options if conflict.options[b].direction == Direction.BOTH]
    fixed = [b for b in conflict.decision_makers[j].options if b not in free]
    outer = [b for b in range(m) if b not in free]
    free_mask = sum(1 << b for b in free)
    fixed_mask = sum(1 << b for b in fixed)
    forward = sum(1 << b for b in fixed if conflict.options[b].direction == Direction.FORWARD)
    backward = fixed_mask & ~forward

    rows = _spread(np.arange(1 << len(outer), dtype=np.int64), outer)
    cols = _spread(np.arange(1 << len(free), dtype=np.int64), free)
    codes = rows[:, None] | cols[None, :]
    rank_j = _dense(conflict, rj, _LOW)[codes]
    order = np.argsort(rank_j, axis=1, kind="stable")
    sorted_rank = np.take_along_axis(rank_j, order, axis=1)
    sorted_val = np.take_along_axis(_dense(conflict, values, k)[codes], order, axis=1)
    del codes, rank_j, order
    # Pad each row with a sentinel (+inf value, key above every rank) and make keys globally sorted.
    stride = k + 2
    suffix = np.full((rows.size, cols.size + 1), k, dtype=np.int64)
    suffix[:, :-1] = np.minimum.accumulate(sorted_val[:, ::-1], axis=1)[:, ::-1]
    keys = np.full((rows.size, cols.size + 1), k + 1, dtype=np.int64)
    keys[:, :-1] = sorted_rank + 1
    keys += (np.arange(rows.size, dtype=np.int64) * stride)[:, None]
    flat_keys, flat_suffix = keys.reshape(-1), suffix.reshape(-1)
    del sorted_rank, sorted_val, keys, suffix

    states = conflict.states
    out = np.full(k, k, dtype=np.int64)
    for target in _spread(np.arange(1 << len(fixed), dtype=np.int64), fixed):
        ok = ((states & forward & ~target) == 0) & ((target & backward & ~states) == 0)
        codes_ok = (states[ok] & ~(free_mask | fixed_mask)) | target
        query = _gather(codes_ok, outer) * stride + rj[ok] + 1
        pos = np.searchsorted(flat_keys, query, side="right")
        out[ok] = np.minimum(out[ok], flat_suffix[pos])
    return out


# -- three or more decision makers: sparse move graphs --------------------------------------------
def move_edges(conflict: Conflict, k: int, improving: bool) -> tuple[IntArray, IntArray]:
    """(sources, targets) of every unilateral move of decision maker k (improvements if ``improving``).

    Moves are jumps to any feasible state that differs only in k's options, each changed option
    changing in its allowed direction (Fang, Hipel & Kilgour 1993, ch. 2).
    """
    bits = list(conflict.decision_makers[k].options)
    mask = conflict.dm_mask(k)
    forward = sum(1 << b for b in bits if conflict.options[b].direction == Direction.FORWARD)
    backward = sum(1 << b for b in bits if conflict.options[b].direction == Direction.BACKWARD)
    combos = _spread(np.arange(1 << len(bits), dtype=np.int64), bits)
    rank = conflict.ranks[k]
    step = max(1, budget.CHUNK // combos.size)
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    for start in range(0, conflict.n_states, step):
        src = np.arange(start, min(start + step, conflict.n_states), dtype=np.int64)
        code = conflict.states[src][:, None]
        cand = (code & ~mask) | combos[None, :]
        ok = (cand != code) & ((code & forward & ~cand) == 0) & ((cand & backward & ~code) == 0)
        rows, cols = np.nonzero(ok)
        dst = conflict.index_of_code(cand[rows, cols])
        keep = dst >= 0
        s, t = src[rows[keep]], dst[keep]
        if improving:
            better = rank[t] > rank[s]
            s, t = s[better], t[better]
        sources.append(s)
        targets.append(t)
    return np.concatenate(sources), np.concatenate(targets)


def closure_min(n_states: int, moves: list[tuple[IntArray, IntArray]], values: IntArray) -> IntArray:
    """Per state t: min of ``values`` over t and every state reachable from t along ``moves``.

    Shortest paths from a super-source joined to each state u at weight ``values[u]``, along the
    reversed moves at weight 0 (scipy keeps explicit zero weights as edges).
    """
    src = np.concatenate([m[0] for m in moves])
    dst = np.concatenate([m[1] for m in moves])
    source = n_states
    rows = np.concatenate([dst, np.full(n_states, source, dtype=np.int64)])
    cols = np.concatenate([src, np.arange(n_states, dtype=np.int64)])
    weights = np.concatenate([np.zeros(src.size), values.astype(np.float64)])
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import dijkstra

    graph = coo_array((weights, (rows, cols)), shape=(n_states + 1, n_states + 1)).tocsr()
    dist: npt.NDArray[np.float64] = dijkstra(graph, directed=True, indices=source)
    return np.rint(dist[:n_states]).astype(np.int64)
