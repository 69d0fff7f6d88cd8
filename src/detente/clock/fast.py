"""Subgame-perfect equilibrium of a clock by vectorised backward induction (floats).

Definition (Rubinstein 1982; Osborne & Rubinstein 1990, ch. 3-4; Baron & Ferejohn 1989 for random
recognition and the closed rule). Let ``V(t)`` be the parties' expected values at the start of round
``t``, before that round's chance events. After a rejection in round ``t`` each party ``i`` expects
``cont_i = (1 - b_t)(delta_i V_i(t+1) + (1 - delta_i) r_i - c_i) + b_t r_i`` (breakdown ``b_t``; the
reservation value ``r_i`` is the status quo, kept as a flow while talks go on, the inside option of
Binmore, Rubinstein & Wolinsky 1986 and Muthoo 1999, *Bargaining Theory with Applications*, ch. 5,
and for good when they end); after the last round played, ``V(T) = r``. A responder ``j`` accepts an
offer worth at least ``thr_j = max(cont_j, o_j)`` (``o_j`` its outside option: it may walk out
instead of rejecting). The proposer ``k`` makes the offer that maximises its own payoff among those
the ``quota - 1`` cheapest other parties accept (a surplus: it pays each exactly ``max(thr_j, 0)``;
a grid: the best acceptable grid point, ties to the responder's best), and agrees if that is worth
at least its best no-deal alternative (walking out, or stalling: no acceptable offer, which the
responder refuses or walks out on). Ties favour agreement, then continuing over walking out.
``V(t)`` averages over the proposer (the recognition probabilities), then over the chance events
dated ``t``.

Chance events are handled as regimes: with ``K`` uncertain events, ``R = 2**K`` regimes, regime
``r`` being the outcome of every event (bit ``k`` of ``r`` = event ``k`` happened). Parameters are
arrays ``(D, R, T, n)`` over ``D`` models solved at once (the Monte Carlo draws), regimes, rounds
and parties; at an event's round the values are averaged over its bit, so before it the values do
not depend on its outcome. Cost: ``O(D R T n G)`` for a grid of ``G`` offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from detente.clock.model import PARAMS, ClockModel
from detente.errors import ModelTooLargeError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

EPS = 1e-12
"""Tolerance for ties between float payoffs (ties favour agreement, then continuing)."""

MAX_CELLS = 50_000_000
"""Refuse a solve whose arrays (D * R * T * n * G) would exceed this many numbers."""

CONTINUE, PROPOSER_WALKS, RESPONDER_WALKS = 0, 1, 2


@dataclass(frozen=True, eq=False)
class Compiled:
    """A clock (or a batch of ``D`` clocks of the same shape) as arrays; see the module docstring."""

    discount: FloatArray  # (D, R, T, n)
    cost: FloatArray  # (D, R, T, n)
    reservation: FloatArray  # (D, R, T, n)
    outside: FloatArray | None  # (D, R, T, n), or None: nobody can walk out
    breakdown: FloatArray  # (D, T)
    recognition: FloatArray  # (T, n)
    event_bits: tuple[tuple[int, int], ...]  # (round, bit) of each uncertain event
    event_prob: FloatArray  # (D, K)
    utility: FloatArray | None  # (n, G) for a grid clock
    positions: FloatArray | None  # (G,)
    quota: int

    @property
    def shape(self) -> tuple[int, int, int, int]:
        d, r, t, n = self.discount.shape
        return d, r, t, n

    def prior(self) -> FloatArray:
        """(D, R): the probability of each regime (the product over events of p or 1 - p)."""
        d, r, _, _ = self.shape
        out = np.ones((d, r))
        regimes = np.arange(r)
        for k in range(len(self.event_bits)):
            bit = (regimes >> k) & 1
            p = self.event_prob[:, k : k + 1]
            out *= np.where(bit[None, :] == 1, p, 1 - p)
        return out


def compile_model(model: ClockModel, like: Compiled | None = None) -> Compiled:
    """The arrays of one clock (``D = 1``), events applied in their listed order per round.

    ``like``: a compiled clock of the same protocol and rounds whose recognition array is reused.
    """
    T, n = model.horizon, model.n
    unc = model.uncertain_events
    K = len(unc)
    R = 2**K
    base = np.empty((4, n))
    for i, p in enumerate(model.parties):
        base[:, i] = [
            float(p.discount),
            float(p.cost),
            float(p.reservation),
            np.nan if p.outside_option is None else float(p.outside_option),
        ]
    arrs = np.broadcast_to(base[:, None, None, :], (4, R, T, n)).copy()
    bit_of = {e.name: k for k, e in enumerate(unc)}
    regimes = np.arange(R)
    for e in sorted(model.events, key=lambda ev: ev.round):
        if e.probability == 0 or e.round >= T:
            continue
        rows = np.ones(R, dtype=bool) if e.name not in bit_of else ((regimes >> bit_of[e.name]) & 1) == 1
        for patch in e.patches:
            for name, value in patch.values().items():
                arrs[PARAMS.index(name), rows, e.round :, patch.party] = float(value)
    has_out = model.parties[0].outside_option is not None
    grid = model.grid
    return Compiled(
        discount=arrs[0][None],
        cost=arrs[1][None],
        reservation=arrs[2][None],
        outside=arrs[3][None] if has_out else None,
        breakdown=_breakdown(model, T),
        recognition=like.recognition
        if like is not None
        else np.array([[float(x) for x in model.recognition_at(t)] for t in range(T)]).reshape(T, n),
        event_bits=tuple((e.round, k) for k, e in enumerate(unc)),
        event_prob=np.array([[float(e.probability) for e in unc]]).reshape(1, K),
        utility=None if grid is None else np.array([[float(u) for u in row] for row in grid.utility]),
        positions=None if grid is None else np.array([float(x) for x in grid.positions]),
        quota=model.votes_needed,
    )


def cell_owners(model: ClockModel) -> dict[tuple[str, int], npt.NDArray[np.int64]]:
    """For each (parameter, party): which value holds in each (regime, round) cell after compiling:
    -1 the party's starting value, ``1000 * k + j`` patch ``j`` of event ``k`` (index in
    ``model.events``). Lets a batch of draws write each uncertain number straight into its cells."""
    T = model.horizon
    unc = model.uncertain_events
    R = 2 ** len(unc)
    bit_of = {e.name: k for k, e in enumerate(unc)}
    regimes = np.arange(R)
    owners = {(f, i): np.full((R, T), -1, dtype=np.int64) for f in PARAMS for i in range(model.n)}
    order = sorted(range(len(model.events)), key=lambda k: model.events[k].round)
    for k in order:
        e = model.events[k]
        if e.probability == 0 or e.round >= T:
            continue
        rows = np.ones(R, dtype=bool) if e.name not in bit_of else ((regimes >> bit_of[e.name]) & 1) == 1
        for j, patch in enumerate(e.patches):
            for name in patch.values():
                owners[(name, patch.party)][rows, e.round :] = 1000 * k + j
    return owners


def _breakdown(model: ClockModel, T: int) -> FloatArray:
    b = [float(x) for x in model.breakdown] or [0.0]
    out = np.full((1, T), b[-1])
    k = min(len(b), T)
    out[0, :k] = b[:k]
    return out


def stack(batch: list[Compiled]) -> Compiled:
    """Many compiled clocks of one shape (same rounds, events, protocol and grid) as one batch."""
    first = batch[0]
    cat: Any = np.concatenate
    return Compiled(
        discount=cat([c.discount for c in batch]),
        cost=cat([c.cost for c in batch]),
        reservation=cat([c.reservation for c in batch]),
        outside=None if first.outside is None else cat([c.outside for c in batch]),
        breakdown=cat([c.breakdown for c in batch]),
        recognition=first.recognition,
        event_bits=first.event_bits,
        event_prob=cat([c.event_prob for c in batch]),
        utility=first.utility,
        positions=first.positions,
        quota=first.quota,
    )


@dataclass(frozen=True, eq=False)
class Policy:
    """The equilibrium strategy, per draw, round, regime and proposer ``k``.

    ``agree[d, t, r, k]``: proposer ``k`` makes an offer that is accepted; ``deal[d, t, r, k]``: the
    payoffs of that offer (n); ``position``: its place on the 0-100 scale; ``walk``: without a deal,
    0 = the talks go on (or break down by chance), 1 = the proposer walks out, 2 = the responder
    does; ``threshold[d, t, r, i]``: the least party ``i`` accepts in round ``t``; ``values``: the
    expected values at the start of each round after its chance events (``values[:, T]`` = the end);
    ``nodeal[d, t, r, k]``: proposer ``k``'s best value without a deal (stalling or walking out).
    """

    agree: BoolArray
    deal: FloatArray
    position: FloatArray
    walk: npt.NDArray[np.int8]
    threshold: FloatArray
    values: FloatArray
    value0: FloatArray  # (D, n): expected values at the start, before any chance event
    nodeal: FloatArray  # (D, T, R, n): proposer k's best no-deal value (stall or walk out)
    cont: FloatArray  # (D, T, R, n): each party's value of a rejection in round t (before walk-outs)


def _average_events(v: FloatArray, c: Compiled, t: int) -> FloatArray:
    """Average (D, R, n) values over the outcome of each uncertain event dated round ``t``."""
    R = v.shape[1]
    regimes = np.arange(R)
    for rnd, k in c.event_bits:
        if rnd != t:
            continue
        hi, lo = regimes | (1 << k), regimes & ~(1 << k)
        p = c.event_prob[:, k][:, None, None]
        v = p * v[:, hi] + (1 - p) * v[:, lo]
    return v


def solve_policy(c: Compiled) -> Policy:
    """Backward induction over the rounds of every clock in the batch (see the module docstring)."""
    D, R, T, n = c.shape
    G = 1 if c.utility is None else c.utility.shape[1]
    cells = D * R * T * n * max(G, n)
    if cells > MAX_CELLS:
        raise ModelTooLargeError(
            f"the clock needs about {cells:,} numbers ({D} draws x {R} regimes x {T} rounds x {n} parties"
            f" x {G} offers), more than {MAX_CELLS:,};"
            " use fewer rounds, events, grid points or draws per chunk"
        )
    agree = np.zeros((D, T, R, n), dtype=bool)
    deal = np.zeros((D, T, R, n, n))
    position = np.full((D, T, R, n), np.nan)
    walk = np.zeros((D, T, R, n), dtype=np.int8)
    threshold = np.zeros((D, T, R, n))
    values = np.zeros((D, T + 1, R, n))
    best_nodeal = np.zeros((D, T, R, n))
    conts = np.zeros((D, T, R, n))
    v_next = c.reservation[:, :, T - 1, :].copy()
    values[:, T] = v_next
    for t in range(T - 1, -1, -1):
        b = c.breakdown[:, t][:, None, None]
        res = c.reservation[:, :, t, :]
        disc = c.discount[:, :, t, :]
        cont = (1 - b) * (disc * v_next + (1 - disc) * res - c.cost[:, :, t, :]) + b * res
        out = None if c.outside is None else c.outside[:, :, t, :]
        thr = cont if out is None else np.maximum(cont, out)
        threshold[:, t] = thr
        conts[:, t] = cont
        v = np.zeros((D, R, n))
        for k in range(n):
            pk = c.recognition[t, k]
            if pk == 0:
                continue
            ok, dv, pos = _best_deal(c, thr, k)
            if out is None:
                nodeal = cont
                wk = np.zeros((D, R), dtype=np.int8)
            else:
                j = 1 - k
                resp_walks = out[..., j] > cont[..., j] + EPS
                rejected = np.where(resp_walks[..., None], out, cont)
                prop_walks = out[..., k] > rejected[..., k] + EPS
                nodeal = np.where(prop_walks[..., None], out, rejected)
                wk = np.where(prop_walks, PROPOSER_WALKS, np.where(resp_walks, RESPONDER_WALKS, CONTINUE))
                wk = wk.astype(np.int8)
            ok = ok & (dv[..., k] >= nodeal[..., k] - EPS)
            agree[:, t, :, k] = ok
            best_nodeal[:, t, :, k] = nodeal[..., k]
            deal[:, t, :, k] = dv
            position[:, t, :, k] = pos
            walk[:, t, :, k] = np.where(ok, CONTINUE, wk)
            v += pk * np.where(ok[..., None], dv, nodeal)
        values[:, t] = v
        v_next = _average_events(v, c, t)
    return Policy(agree, deal, position, walk, threshold, values, v_next[:, 0, :], best_nodeal, conts)


def _best_deal(c: Compiled, thr: FloatArray, k: int) -> tuple[BoolArray, FloatArray, FloatArray]:
    """Proposer ``k``'s best accepted offer: (feasible, payoffs (D, R, n), position on 0-100)."""
    D, R, n = thr.shape
    if c.utility is not None:
        j = 1 - k
        uk, uj = c.utility[k], c.utility[j]
        acceptable = uj[None, None, :] >= thr[..., j, None] - EPS
        mine = np.where(acceptable, uk[None, None, :], -np.inf)
        best = mine.max(axis=-1)
        tied = acceptable & (uk[None, None, :] >= best[..., None] - EPS)
        g = np.argmax(np.where(tied, uj[None, None, :], -np.inf), axis=-1)
        dv = c.utility.T[g]  # (D, R, n)
        assert c.positions is not None
        return acceptable.any(axis=-1), dv, c.positions[g]
    pay = np.maximum(thr, 0.0)
    dv = np.zeros((D, R, n))
    if n == 2:
        j = 1 - k
        dv[..., j] = pay[..., j]
    else:
        dv = _coalition(pay, k, c.quota - 1)
    dv[..., k] = 1.0 - dv.sum(axis=-1)
    return dv[..., k] >= -EPS, dv, 100.0 * dv[..., 0]


def _coalition(pay: FloatArray, k: int, m: int) -> FloatArray:
    """Expected payments when proposer ``k`` buys the ``m`` cheapest other votes at ``pay``.

    Parties tied at the cut-off price are chosen uniformly at random (the symmetric stationary
    equilibrium of Baron & Ferejohn 1989), so each is paid with probability slots / tied.
    """
    others = np.array([i for i in range(pay.shape[-1]) if i != k])
    po = pay[..., others]
    if m == 0:
        return np.zeros_like(pay)
    cut = np.sort(po, axis=-1)[..., m - 1 : m]
    below = po < cut - EPS
    tied = np.abs(po - cut) <= EPS
    slots = m - below.sum(axis=-1, keepdims=True)
    prob = np.where(below, 1.0, np.where(tied, slots / np.maximum(tied.sum(axis=-1, keepdims=True), 1), 0.0))
    dv = np.zeros_like(pay)
    dv[..., others] = prob * po
    return dv


@dataclass(frozen=True, eq=False)
class Outcome:
    """The distribution of what happens, per draw ``d`` and round ``t``.

    ``p_agree[d, t]``: probability that the talks end in agreement in round ``t``; ``p_walkout``:
    that a party walks out then; ``p_breakdown``: that they break down by chance after a rejection
    then; ``p_open``: that no deal is made by the last round played (everyone at its reservation).
    ``terms[d, t]``: expected payoffs given agreement in round ``t`` (NaN when it cannot happen);
    ``position[d, t]``: the expected place of that agreement on the 0-100 scale.
    """

    p_agree: FloatArray
    p_walkout: FloatArray
    p_breakdown: FloatArray
    p_open: FloatArray
    terms: FloatArray
    position: FloatArray
    value0: FloatArray


def forward(c: Compiled, pol: Policy) -> Outcome:
    """Play the equilibrium forward: the probability of each ending in each round."""
    D, R, T, _ = c.shape
    rec = c.recognition[None, :, None, :]  # (1, T, 1, n)
    ends = pol.agree | (pol.walk != CONTINUE)  # (D, T, R, n)
    stop = (rec * ends).sum(axis=3)  # (D, T, R): chance the round ends the talks, given it is reached
    masses = np.empty((D, T, R))
    mass = c.prior()
    for t in range(T):
        masses[:, t] = mass
        mass = mass * (1 - stop[:, t]) * (1 - c.breakdown[:, t][:, None])
    w = masses[..., None] * rec * pol.agree  # (D, T, R, n): reached, proposer k, agreed
    p_agree = w.sum(axis=(2, 3))
    p_walk = (masses[..., None] * rec * (~pol.agree & (pol.walk != CONTINUE))).sum(axis=(2, 3))
    p_break = (masses * (1 - stop)).sum(axis=2) * c.breakdown
    tsum = np.einsum("dtrk,dtrkn->dtn", w, pol.deal)
    psum = (w * np.nan_to_num(pol.position)).sum(axis=(2, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(p_agree > 0, p_agree, 1.0)
        terms = np.where(p_agree[..., None] > 0, tsum / safe[..., None], np.nan)
        position = np.where(p_agree > 0, psum / safe, np.nan)
    return Outcome(p_agree, p_walk, p_break, mass.sum(axis=1), terms, position, pol.value0)


def solve_batch(c: Compiled) -> tuple[Policy, Outcome]:
    """The equilibrium of every clock in a batch and its outcome distribution."""
    pol = solve_policy(c)
    return pol, forward(c, pol)
