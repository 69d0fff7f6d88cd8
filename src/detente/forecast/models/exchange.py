"""The Stokman exchange model with equal gain (Stokman & van Oosten 1994; Stokman & van den Bos 1992;
van Assen, Stokman & van Oosten 2003), as used by the ``decide`` exchange model (MODELS.md section 4).

Actors logroll across issues: on a pair of issues (p, q), two actors who stand on opposite sides of the
expected outcome on both issues can trade. The one who cares relatively more about p (higher
s_p / s_q) *demands* p and *supplies* q: it moves its voting position on q towards its partner, who in
return moves on p towards it. Everything is measured through the expected outcome of each issue,
the capability x salience weighted mean O_d = sum_i c_id s_id x_id / sum_i c_id s_id (the "Nash
bargaining solution" of the exchange literature).

Equal gain. Let a demand p and b demand q. If b moves by dx_b on p, O_p moves by
dO_p = c_bp s_bp dx_b / D_p towards a (D_d = sum_i c_id s_id); if a moves by dx_a on q, O_q moves by
dO_q = c_aq s_aq dx_a / D_q towards b. The gains are G_a = s_ap dO_p - s_aq dO_q and
G_b = s_bq dO_q - s_bp dO_p; equal gain G_a = G_b gives dO_q = dO_p (s_ap + s_bp) / (s_aq + s_bq),
and the common gain G = dO_p (s_ap s_bq - s_aq s_bp) / (s_aq + s_bq), positive exactly when a's
salience ratio s_ap / s_aq exceeds b's. The exchange is as large as possible: first b moves all the way
to a's position on p; if a's matching move on q would overshoot b's position, a moves all the way to b
instead and b's move follows. Neither outcome may be pushed past the demander's own position
(decide's ``check_nbs``): the shift is cut back to that point.

One round: compute O and each actor's side on each issue; list every candidate (pair of actors on
opposite sides of both outcomes, for each pair of issues); then repeatedly realise the candidate with
the highest gain, update the voting positions and outcomes, recompute the remaining candidates
(a candidate whose supplier would now move the other way, or not at all, lapses), until none has a
positive gain. The round's outcome is O of the voting positions y. The next round starts from
x' = (1 - s) 0.4 y + 0.1 y + (1 - 0.4 (1 - s) - 0.1) x (decide's ``new_start_position``, salience
weight 0.4, fixed weight 0.1). Each issue is computed on 0..100 (its scale mapped linearly, as decide
normalises issues), so results do not depend on the units an issue is measured in.

Options that follow ``decide`` (``variant="decide"`` sets all three; the default "detente" none):
- ``move_cap`` [None; decide 100]: decide refuses an exchange when the signed sum of the supplier's
  moves on its supply issue in this round, the new move included, exceeds 100 (``is_move_valid``).
- ``drop_invalid`` [False; decide True]: decide removes a candidate for the rest of the round as soon
  as a recomputation finds it invalid (``remove_invalid_exchanges``); by default it is kept and may
  become valid again after later exchanges.
- ``bookkeeping`` ["detente"; decide "decide"]: "decide" follows decide's code as read
  (``exchange_round_decide``): a candidate is recomputed only when an exchange made shares an
  actor-issue with it (others keep their gains and moves from earlier outcomes), and each side's
  move list, which the cap and the direction test read, keeps superseded tentative moves as
  decide's ``invalidate_exchange_by_supply``/``invalidate_move`` leave them. Not checked against a
  run of decide itself (it needs Python 3.13 and a Qt stack); on the Copenhagen data the first four
  exchanges of round 1 are the same with either bookkeeping.

Every departure from ``decide`` (deliberate unless said otherwise):
- Ties between equal gains go to the first candidate in a fixed order (actor pair, then issue pair)
  instead of a random draw, so runs are deterministic.
- An actor-issue that has supplied keeps trading that issue only in the same direction (decide's
  ``is_move_valid`` direction test) - the same rule as decide, applied to the moves actually made.
- With the default bookkeeping the cap and direction tests see the moves made this round, and after
  each exchange every remaining candidate is recomputed from the new positions and outcomes
  (``bookkeeping="decide"`` does as decide does; see above).
- decide computes the outcome a candidate may not pass from its own record of earlier exchanges'
  positions (``updates``/``adjust_nbs``); here it is the capability x salience mean of the current
  voting positions.
- The outcome cap (decide ``check_nbs``) is the same rule, computed in floating point rather than with
  decide's 3-decimal rounding.
- The randomised "REX" variant is not implemented.
Power may differ per issue (``power``); by default it is the actor's capability on every issue. The
default of 10 rounds is decide's default number of iterations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente.errors import InputError, Problem
from detente.forecast.budget import check
from detente.forecast.models import check_numbers, scaled_capability
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MIN_GAIN = 1e-10  # decide: an exchange with a smaller gain is not made
MIN_MOVE = 1e-10  # decide is_move_valid: smaller moves do not count
DECIDE_MOVE_CAP = 100.0  # decide is_move_valid: sum(moves) > 100 is refused


def _error(field: str, message: str) -> InputError:
    return InputError([Problem("exchange parameters", None, field, message)])


def weighted_outcome(x: FloatArray, weight: FloatArray) -> FloatArray:
    """O_d = sum_i w_id x_id / sum_i w_id per issue, with w = power x salience.

    An issue on which nobody has any weight gets the plain mean of the positions.
    """
    den = weight.sum(axis=0)
    safe = np.where(den > 0, den, 1.0)
    return np.asarray(np.where(den > 0, (weight * x).sum(axis=0) / safe, x.mean(axis=0)), dtype=np.float64)


@dataclass(frozen=True)
class Candidates:
    """Candidate exchanges: actor ``a`` demands issue ``p`` and supplies ``q``; actor ``b`` the reverse."""

    a: IntArray
    b: IntArray
    p: IntArray
    q: IntArray


def candidates(x: FloatArray, outcome: FloatArray, sal: FloatArray) -> Candidates:
    """Every exchange that the side rule allows, with the demand/supply roles set by salience ratios.

    Actors i, j may trade on (p, q) when they are on opposite sides of O_p and of O_q (groups A-D and
    B-C of decide; "left" means x < O). The actor with the larger s_p / s_q (compared as
    s_ip s_jq > s_jp s_iq) demands p; pairs with equal ratios cannot gain and are left out.
    """
    n, d = x.shape
    left = x < outcome[None, :]
    ii, jj = np.triu_indices(n, 1)
    pp, qq = np.triu_indices(d, 1)
    # every actor pair crossed with every issue pair
    ai, aj = np.repeat(ii, pp.size), np.repeat(jj, pp.size)
    ip, iq = np.tile(pp, ii.size), np.tile(qq, ii.size)
    opposite = (left[ai, ip] != left[aj, ip]) & (left[ai, iq] != left[aj, iq])
    ratio_i = sal[ai, ip] * sal[aj, iq]
    ratio_j = sal[aj, ip] * sal[ai, iq]
    keep = opposite & (ratio_i != ratio_j)
    i_dem = ratio_i > ratio_j
    a = np.where(i_dem, ai, aj)[keep]
    b = np.where(i_dem, aj, ai)[keep]
    return Candidates(
        a.astype(np.int64), b.astype(np.int64), ip[keep].astype(np.int64), iq[keep].astype(np.int64)
    )


@dataclass(frozen=True)
class Terms:
    """The equal-gain exchange of each candidate: signed moves of a (on q) and b (on p), the gain."""

    move_a: FloatArray
    move_b: FloatArray
    gain: FloatArray
    valid: BoolArray


def equal_gain(
    c: Candidates,
    y: FloatArray,
    outcome: FloatArray,
    sal: FloatArray,
    weight: FloatArray,
    direction: FloatArray,
) -> Terms:
    """Equal-gain moves for each candidate from voting positions ``y`` and outcomes ``outcome``.

    Definitions in the module docstring. ``direction[i, d]`` is +1/-1 once actor i has supplied on
    issue d this round (its later moves must keep that sign), 0 otherwise. A candidate is valid when
    both moves are non-trivial, keep their direction, and the gain exceeds 1e-10.
    """
    den = weight.sum(axis=0)
    a, b, p, q = c.a, c.b, c.p, c.q
    s_ap, s_aq, s_bp, s_bq = sal[a, p], sal[a, q], sal[b, p], sal[b, q]
    w_bp, w_aq = weight[b, p], weight[a, q]
    ok = (w_bp > 0) & (w_aq > 0) & (s_aq + s_bq > 0) & (s_ap + s_bp > 0)
    w_bp_s = np.where(ok, w_bp, 1.0)
    w_aq_s = np.where(ok, w_aq, 1.0)
    k_q_per_p = np.where(ok, (s_ap + s_bp) / np.where(ok, s_aq + s_bq, 1.0), 0.0)  # dO_q / dO_p
    # b moves on p towards a's demanded position, a on q towards b's.
    gap_b = np.abs(y[a, p] - y[b, p])
    gap_a = np.abs(y[b, q] - y[a, q])
    sign_b = np.sign(y[a, p] - y[b, p])
    sign_a = np.sign(y[b, q] - y[a, q])
    # the outcome may not pass the demander's own position
    room_p = np.maximum(0.0, sign_b * (y[a, p] - outcome[p]))
    room_q = np.maximum(0.0, sign_a * (y[b, q] - outcome[q]))
    d_op = np.minimum(w_bp * gap_b / den[p], room_p)
    d_oq = k_q_per_p * d_op
    over = d_oq > np.minimum(w_aq * gap_a / den[q], room_q)
    d_oq = np.where(over, np.minimum(w_aq * gap_a / den[q], room_q), d_oq)
    d_op = np.where(over, d_oq / np.where(k_q_per_p > 0, k_q_per_p, 1.0), d_op)
    dx_b = d_op * den[p] / w_bp_s
    dx_a = d_oq * den[q] / w_aq_s
    gain = s_ap * d_op - s_aq * d_oq
    prior_b = direction[b, p]
    prior_a = direction[a, q]
    valid = (
        ok
        & (dx_a > MIN_MOVE)
        & (dx_b > MIN_MOVE)
        & ((prior_b == 0) | (prior_b == sign_b))
        & ((prior_a == 0) | (prior_a == sign_a))
        & (gain > MIN_GAIN)
    )
    return Terms(sign_a * dx_a, sign_b * dx_b, gain, valid)


def equal_gain_loop(
    c: Candidates,
    y: FloatArray,
    outcome: FloatArray,
    sal: FloatArray,
    weight: FloatArray,
    direction: FloatArray,
) -> Terms:
    """Plain-loop reference of ``equal_gain``: b first moves fully, else a does, capped at the outcomes."""
    den = weight.sum(axis=0)
    out: list[tuple[float, float, float, bool]] = []
    for a, b, p, q in zip(c.a.tolist(), c.b.tolist(), c.p.tolist(), c.q.tolist(), strict=True):
        s_ap, s_aq, s_bp, s_bq = sal[a, p], sal[a, q], sal[b, p], sal[b, q]
        w_bp, w_aq = weight[b, p], weight[a, q]
        if w_bp <= 0 or w_aq <= 0 or s_aq + s_bq <= 0 or s_ap + s_bp <= 0:
            out.append((0.0, 0.0, 0.0, False))
            continue
        ratio = (s_ap + s_bp) / (s_aq + s_bq)
        sb, sa = float(np.sign(y[a, p] - y[b, p])), float(np.sign(y[b, q] - y[a, q]))
        max_op = min(w_bp * abs(y[a, p] - y[b, p]) / den[p], max(0.0, sb * (y[a, p] - outcome[p])))
        max_oq = min(w_aq * abs(y[b, q] - y[a, q]) / den[q], max(0.0, sa * (y[b, q] - outcome[q])))
        d_op, d_oq = max_op, ratio * max_op
        if d_oq > max_oq:
            d_oq = max_oq
            d_op = d_oq / ratio
        dx_b, dx_a = d_op * den[p] / w_bp, d_oq * den[q] / w_aq
        gain = s_ap * d_op - s_aq * d_oq
        valid = (
            dx_a > MIN_MOVE
            and dx_b > MIN_MOVE
            and direction[b, p] in (0.0, sb)
            and direction[a, q] in (0.0, sa)
            and gain > MIN_GAIN
        )
        out.append((sa * dx_a, sb * dx_b, gain, bool(valid)))
    arr = np.array(out, dtype=object).reshape(-1, 4)
    return Terms(
        arr[:, 0].astype(np.float64),
        arr[:, 1].astype(np.float64),
        arr[:, 2].astype(np.float64),
        arr[:, 3].astype(bool),
    )


@dataclass(frozen=True)
class Exchange:
    """A realised exchange: ``demand_p`` moved ``move_on_q`` on issue q, ``demand_q`` moved ``move_on_p``
    on issue p (signed, in the issue's units), each gaining ``gain`` (salience x outcome shift, with
    every issue on 0..100)."""

    demand_p: str
    demand_q: str
    p: str
    q: str
    move_on_q: float
    move_on_p: float
    gain: float


@dataclass(frozen=True)
class RoundResult:
    """Voting positions after a round's exchanges and the exchanges made, in order."""

    y: FloatArray
    exchanges: list[Exchange]


def exchange_round(
    x: FloatArray,
    sal: FloatArray,
    weight: FloatArray,
    actors: tuple[str, ...],
    dims: tuple[str, ...],
    *,
    move_cap: float | None = None,
    drop_invalid: bool = False,
) -> RoundResult:
    """One round of exchanges from start positions ``x``: greedy highest equal gain first.

    Sides (and so the candidate list) are fixed by the outcome at the start of the round; after each
    exchange the positions, outcomes and the remaining candidates' terms are recomputed.
    ``move_cap`` (decide: 100 on the 0..100 scale): a candidate is refused when the signed sum of
    its supplier's moves on the supply issue this round, the candidate's own move included, exceeds
    it (decide ``is_move_valid``: ``sum(moves) > 100``). ``drop_invalid``: a candidate found invalid
    at any recomputation is removed for the rest of the round (decide ``remove_invalid_exchanges``)
    rather than kept for a later recomputation.
    """
    y = x.copy()
    cand = candidates(x, weighted_outcome(x, weight), sal)
    alive = np.ones(cand.a.shape[0], dtype=bool)
    direction = np.zeros_like(x)
    moved = np.zeros_like(x)  # signed sum of the moves made this round, per actor and issue
    made: list[Exchange] = []
    while alive.any():
        outcome = weighted_outcome(y, weight)
        terms = equal_gain(cand, y, outcome, sal, weight, direction)
        valid = terms.valid
        if move_cap is not None:
            valid = (
                valid
                & (moved[cand.a, cand.q] + terms.move_a <= move_cap)
                & (moved[cand.b, cand.p] + terms.move_b <= move_cap)
            )
        if drop_invalid:
            alive &= valid
        score = np.where(alive & valid, terms.gain, -np.inf)
        m = int(np.argmax(score))
        if not np.isfinite(score[m]):
            break
        a, b, p, q = int(cand.a[m]), int(cand.b[m]), int(cand.p[m]), int(cand.q[m])
        y[a, q] += terms.move_a[m]
        y[b, p] += terms.move_b[m]
        direction[a, q] = np.sign(terms.move_a[m])
        direction[b, p] = np.sign(terms.move_b[m])
        moved[a, q] += terms.move_a[m]
        moved[b, p] += terms.move_b[m]
        alive[m] = False
        made.append(
            Exchange(
                actors[a],
                actors[b],
                dims[p],
                dims[q],
                float(terms.move_a[m]),
                float(terms.move_b[m]),
                float(terms.gain[m]),
            )
        )
    return RoundResult(y, made)


def _sub(c: Candidates, idx: IntArray) -> Candidates:
    return Candidates(c.a[idx], c.b[idx], c.p[idx], c.q[idx])


def _lists_ok(moves: list[float], cap: float | None) -> bool:
    """decide ``is_move_valid`` on a candidate side's move list: sum not past the cap, one sign."""
    if cap is not None and sum(moves) > cap:
        return False
    low, high = min(moves), max(moves)
    return (low < 0 and high < 0) or (low > 0 and high > 0)


def exchange_round_decide(
    x: FloatArray,
    sal: FloatArray,
    weight: FloatArray,
    actors: tuple[str, ...],
    dims: tuple[str, ...],
    *,
    move_cap: float | None = DECIDE_MOVE_CAP,
) -> RoundResult:
    """One round with decide's bookkeeping (``bookkeeping="decide"``), as its code does it.

    - Each candidate is computed once at the start of the round and recomputed only when an exchange
      made shares an actor-issue with it (decide ``recalculate``): the supplier's supply issue or a
      demand issue; other candidates keep their gains and moves.
    - Each side of a candidate keeps a list of moves: its tentative move is appended at every
      computation; when an exchange made moves the side's own supply issue, that move is appended and
      then the last entry of both sides' lists is removed (decide ``invalidate_exchange_by_supply`` and
      ``invalidate_move``), so superseded tentative moves can stay in the lists.
    - A candidate is valid when its moves are non-trivial and its gain exceeds 1e-10, and each side's
      list sums to at most ``move_cap`` (signed, decide's ``sum(moves) > 100``) and has one sign
      throughout; a candidate found invalid is removed for the round (``remove_invalid_exchanges``).
    """
    y = x.copy()
    cand = candidates(x, weighted_outcome(x, weight), sal)
    none = np.zeros_like(x)
    terms = equal_gain(cand, y, weighted_outcome(y, weight), sal, weight, none)
    move_a, move_b, gain = terms.move_a.copy(), terms.move_b.copy(), terms.gain.copy()
    hist_a = [[float(v)] for v in move_a]
    hist_b = [[float(v)] for v in move_b]
    alive = np.array(
        [
            bool(terms.valid[k]) and _lists_ok(hist_a[k], move_cap) and _lists_ok(hist_b[k], move_cap)
            for k in range(len(gain))
        ],
        dtype=bool,
    )
    made: list[Exchange] = []
    while alive.any():
        m = int(np.argmax(np.where(alive, gain, -np.inf)))
        alive[m] = False
        a, b, p, q = int(cand.a[m]), int(cand.b[m]), int(cand.p[m]), int(cand.q[m])
        ma, mb = float(move_a[m]), float(move_b[m])
        y[a, q] += ma
        y[b, p] += mb
        made.append(Exchange(actors[a], actors[b], dims[p], dims[q], ma, mb, float(gain[m])))
        # which remaining candidates this exchange touches (supply side a: (a, q); b: (b, p))
        sup_a_a = alive & (cand.a == a) & (cand.q == q)
        sup_a_b = alive & (cand.a == b) & (cand.q == p)
        sup_b_a = alive & (cand.b == a) & (cand.p == q)
        sup_b_b = alive & (cand.b == b) & (cand.p == p)
        demand = alive & (
            ((cand.a == b) & (cand.p == q))
            | ((cand.b == b) & (cand.q == q))
            | ((cand.a == a) & (cand.p == p))
            | ((cand.b == a) & (cand.q == p))
        )
        supplied = sup_a_a | sup_a_b | sup_b_a | sup_b_b
        touched = np.flatnonzero(supplied | demand)
        for k in touched:
            if sup_a_a[k]:
                hist_a[k].append(ma)
            elif sup_a_b[k]:
                hist_a[k].append(mb)
            if sup_b_a[k]:
                hist_b[k].append(ma)
            elif sup_b_b[k]:
                hist_b[k].append(mb)
            hist_a[k].pop()
            hist_b[k].pop()
        if touched.size == 0:
            continue
        sub = _sub(cand, touched)
        fresh = equal_gain(sub, y, weighted_outcome(y, weight), sal, weight, none)
        for j, k in enumerate(touched):
            move_a[k], move_b[k], gain[k] = fresh.move_a[j], fresh.move_b[j], fresh.gain[j]
            hist_a[k].append(float(fresh.move_a[j]))
            hist_b[k].append(float(fresh.move_b[j]))
            alive[k] = (
                bool(fresh.valid[j]) and _lists_ok(hist_a[k], move_cap) and _lists_ok(hist_b[k], move_cap)
            )
    return RoundResult(y, made)


def new_start_positions(
    x: FloatArray, y: FloatArray, sal: FloatArray, salience_weight: float = 0.4, fixed_weight: float = 0.1
) -> FloatArray:
    """x' = (1 - s) w_s y + w_f y + (1 - (1 - s) w_s - w_f) x (decide ``new_start_position``)."""
    ws = (1 - sal) * salience_weight
    return ws * y + fixed_weight * y + (1 - ws - fixed_weight) * x


def run(
    space: IssueSpace,
    *,
    rounds: int = 10,
    power: npt.ArrayLike | None = None,
    salience_weight: float = 0.4,
    fixed_weight: float = 0.1,
    variant: Literal["detente", "decide"] = "detente",
    move_cap: float | None = None,
    drop_invalid: bool | None = None,
    bookkeeping: Literal["detente", "decide"] | None = None,
) -> ForecastResult:
    """Run the equal-gain exchange model for ``rounds`` rounds (default 10), stopping early at a fixed
    point (a round without exchanges leaves every position unchanged, so all later rounds would too).

    ``power`` is an optional (n, d) per-issue power (default: each actor's capability on every issue);
    ``salience_weight`` and ``fixed_weight`` set how far start positions follow the voting positions
    between rounds (decide's 0.4 and 0.1). ``rounds[t]`` holds the start positions after round t,
    ``outcome_by_round[t]`` the weighted mean of round t's voting positions (t = 0: initial positions);
    ``details`` lists each round's voting positions and exchanges. ``move_cap`` and
    ``drop_invalid`` follow decide's cumulative-move cap and candidate removal (see
    ``exchange_round``); ``bookkeeping="decide"`` follows decide's per-candidate move lists and
    partial recomputation (``exchange_round_decide``; it always drops invalid candidates).
    ``variant="decide"`` sets (move_cap, drop_invalid, bookkeeping) to decide's behaviour
    (100, True, "decide"), the default "detente" to (None, False, "detente"); explicit values
    override the variant.

    Raises ``InputError`` when there are fewer than two issues or a parameter is out of range.
    """
    n, d = space.n_actors, space.n_dims
    if d < 2:
        raise InputError(
            [
                Problem(
                    space.name or "issue space",
                    None,
                    "dimensions",
                    "the exchange model needs at least two issues",
                )
            ]
        )
    if variant not in ("detente", "decide"):
        raise _error("variant", f"variant must be 'detente' or 'decide', not {variant!r}")
    if move_cap is None and variant == "decide":
        move_cap = DECIDE_MOVE_CAP
    if drop_invalid is None:
        drop_invalid = variant == "decide"
    if bookkeeping is None:
        bookkeeping = "decide" if variant == "decide" else "detente"
    if bookkeeping not in ("detente", "decide"):
        raise _error("bookkeeping", f"bookkeeping must be 'detente' or 'decide', not {bookkeeping!r}")
    if move_cap is not None and not (np.isfinite(move_cap) and move_cap > 0):
        raise _error("move_cap", "move_cap must be a positive number (decide: 100)")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise _error("rounds", "rounds must be at least 1")
    if not (0 <= salience_weight <= 1 and 0 <= fixed_weight <= 1 and salience_weight + fixed_weight <= 1):
        raise _error(
            "salience_weight", "salience_weight and fixed_weight must lie in 0..1 with sum at most 1"
        )
    check_numbers(space, "exchange", on_scale=True)
    check("exchange", n, d, {"rounds": rounds})
    pw = (
        np.repeat(scaled_capability(space.capability)[:, None], d, axis=1)
        if power is None
        else np.array(power, dtype=np.float64)
    )
    if pw.shape != (n, d) or np.any(pw < 0) or not np.all(np.isfinite(pw)):
        raise _error("power", f"power must be a finite non-negative ({n}, {d}) array; got shape {pw.shape}")
    pw = scaled_capability(pw)
    sal = space.salience / 100.0
    weight = pw * sal
    # Every issue is put on 0..100 (as decide normalises its issues), so gains do not depend on units.
    low = np.array([lo for lo, _ in space.scale])
    span = np.array([hi - lo for lo, hi in space.scale])
    span = np.where(span > 0, span, 1.0) / 100.0
    x = (space.positions - low) / span
    starts = [x]
    outcomes = [weighted_outcome(x, weight)]
    voting: list[FloatArray] = []
    log: list[list[Exchange]] = []
    dim_index = {name: k for k, name in enumerate(space.dimensions)}
    for _ in range(rounds):
        if bookkeeping == "decide":
            res = exchange_round_decide(x, sal, weight, space.actors, space.dimensions, move_cap=move_cap)
        else:
            res = exchange_round(
                x, sal, weight, space.actors, space.dimensions, move_cap=move_cap, drop_invalid=drop_invalid
            )
        if not res.exchanges:
            break
        voting.append(res.y * span + low)
        log.append(
            [
                replace(
                    e,
                    move_on_q=e.move_on_q * span[dim_index[e.q]],
                    move_on_p=e.move_on_p * span[dim_index[e.p]],
                )
                for e in res.exchanges
            ]
        )
        outcomes.append(weighted_outcome(res.y, weight))
        x = new_start_positions(x, res.y, sal, salience_weight, fixed_weight)
        starts.append(x)
    params: dict[str, object] = {
        "rounds": rounds,
        "power": None if power is None else pw.tolist(),
        "salience_weight": salience_weight,
        "fixed_weight": fixed_weight,
        "variant": variant,
        "move_cap": move_cap,
        "drop_invalid": drop_invalid,
        "bookkeeping": bookkeeping,
    }
    details: dict[str, object] = {
        "rounds_run": len(voting),
        "voting_positions": np.array(voting).reshape(len(voting), n, d),
        "exchanges": log,
    }
    by_round = np.array(outcomes) * span + low
    return ForecastResult(
        "exchange", space, np.array(starts) * span + low, by_round[-1], by_round, params, details
    )


__all__ = [
    "Candidates",
    "Exchange",
    "RoundResult",
    "Terms",
    "candidates",
    "equal_gain",
    "equal_gain_loop",
    "exchange_round",
    "exchange_round_decide",
    "new_start_positions",
    "run",
    "weighted_outcome",
]
