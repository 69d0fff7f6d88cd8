"""Bueno de Mesquita's expected utility model (EUM) as reconstructed by Scholz, Calbert & Smith (2011).

Source: J. B. Scholz, G. J. Calbert and G. A. Smith (2011), "Unravelling Bueno de Mesquita's group
decision model", Journal of Theoretical Politics 23(4); equation numbers below are those of the
conference version (ICAART 2011, pp. 18-30). One issue (one dimension) per run; the appendix
algorithm, per round:

1. w_i = c_i s_i; R = the range of the issue. The median mu is the Condorcet winner among the actors'
   positions: the x_j with the largest vote total sum_k v_jk, v_jk = sum_i w_i (|x_i - x_k| -
   |x_i - x_j|) / R (eq. 28; its factor 2 does not change the winner).
2. Basic utilities of actor i towards j with risk exponent r_i (eqs. 15, 16, 22-24), d_ij = |x_i - x_j| / R:
   U_s = 2 - 4 (0.5 - 0.5 d_ij)^r_i, U_f = 2 - 4 (0.5 + 0.5 d_ij)^r_i,
   U_b = 2 - 4 (0.5 - 0.25 (|x_i - mu| + |x_i - x_j|) / R)^r_i,
   U_w = 2 - 4 (0.5 + 0.25 (|x_i - mu| + |x_i - x_j|) / R)^r_i, U_sq = 2 - 4 (0.5)^r_i.
3. Probability that i prevails over j with third-party support (eqs. 30-31), over all actors k:
   P_ij = sum_{k: D_k > 0} w_k D_k / sum_k w_k |D_k|, D_k = |x_k - x_j| - |x_k - x_i|.
4. Expected utility of i challenging j (eqs. 5-7, 25a):
   E_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - Q U_sq - (1 - Q)(T U_b + (1 - T) U_w).
5. Risk (eqs. 32-34): with r = 1 for all, security_i = sum_{j != i} E_ji;
   R_i = (2 security_i - max - min) / (max - min); r_i = (1 - R_i / 3) / (1 + R_i / 3) in [0.5, 2].
   Steps 2-4 are redone with these r_i.
6. Each pair (i, j) falls in an octant of the plane (E_ij, E_ji) (fig. 6), which says who moves:
   conflict (both > 0): the side with the smaller expected utility moves to the other's position;
   i > 0 > j with |E_ji| < |E_ij|: compromise, j moves the fraction |E_ji / E_ij| of the way to x_i
   (eq. 35, and eq. 36 for the mirror case); |E_ji| >= |E_ij|: j capitulates and moves to x_i;
   both < 0: stalemate, nobody moves.
7. Each actor takes one of the offers it receives (section 6.2) and all move at once.
8. Repeat for a fixed number of rounds (the paper has no convergence rule).

Choices the paper leaves open, exposed as parameters of ``run`` (defaults in brackets):

- ``q`` [1.0]: the probability Q that the status quo holds if i does not challenge. Scholz et al.
  used Q = 1 for the BDM (1994) replication (BDM 1985 used 1; BDM & Lalman 1986 used 0.5).
- ``range_basis`` ["positions"]: R is the range of the actors' current positions ("positions") or
  the declared scale of the dimension ("scale"). The paper calls R the range of the continuum.
- ``offer_rule`` ["class"]: how an actor picks among the offers it receives (section 6.2).
  "class": by class in the order the paper gives (lost conflict, then compromise, then
  capitulation), then the least move; "least_move": the least move whatever its class;
  "max_eu": the offer of the proposer with the largest expected utility (the "most enforceable"),
  then the least move. Remaining ties go to the proposer listed first.
- ``risk`` [True]: estimate the risk exponents (step 5) or keep r_i = 1.
- ``probability`` ["pair"]: "pair" is eq. 30 as printed (P_ij + P_ji = 1). "all_pairs" divides the
  same numerator by the sum of |w_k D_k| over all ordered pairs (a, b) of actors and all k. The
  open re-implementation jmckib/bdm-scholz-expected-utility-model does this and says it follows
  Scholz et al.'s own program. Every P becomes small, far fewer pairs end in conflict, and this is
  the variant that comes close to the paper's Table 2 (see tests/forecast/test_eum.py).
- T (not a parameter): figures 1-4 give four cases; T = 1 exactly when |x_i - mu| < |x_i - x_j|
  (the median is nearer to i than j is), which reproduces all four. T only matters when Q < 1.
- Security (not a parameter): the paper prints E^i(U_ji) in eq. 34 and describes it in words as
  what adversaries expect from challenging i. Security is computed in the first pass, where every
  r_i = 1, and there the two readings coincide.
- Perspective (not a parameter): E_ij is curved by the challenger's own r_i and E_ji by r_j, as the
  superscripts of eqs. 25a/25b say.
- Median ties (not a parameter): the lowest of the tied positions.
- Null offers (not a parameter): an actor gets no offer from an actor at its own position, and a
  conflict between equal expected utilities (within 1e-12) moves nobody.
- Stopping: after ``rounds`` rounds, or earlier (``stop_when_stable``) when a round moves nobody,
  since every later round would then repeat it; always when all actors share one position
  and R is the range of the positions (R = 0).

Numbers within 1e-12 of zero are treated as zero in the octant tests, so that the vectorised round
and the plain-loop reference (``eum_round_reference``) classify identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente.forecast.models import stack_dimensions
from detente.forecast.models.compromise import weighted_mean
from detente.forecast.models.median import weighted_median
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

OfferRule = Literal["class", "least_move", "max_eu"]
Probability = Literal["pair", "all_pairs"]
RangeBasis = Literal["positions", "scale"]
Outcome = Literal["median", "mean"]
IntArray = npt.NDArray[np.int64]

CONFLICT, COMPROMISE, CAPITULATION, NO_OFFER = 0, 1, 2, 3
OFFER_CLASSES = ("conflict", "compromise", "capitulation", "none")
EPS = 1e-12


@dataclass(frozen=True)
class EumSettings:
    """The open choices of one EUM round (see the module docstring)."""

    q: float = 1.0
    risk: bool = True
    offer_rule: OfferRule = "class"
    probability: Probability = "pair"


@dataclass(frozen=True, eq=False)
class EumRound:
    """What one round computed. Arrays are indexed by actor; ``eu[i, j]`` is E_ij (i challenges j)
    after the risk pass; ``offer_from[i]`` is the actor whose offer i took (-1: none)."""

    positions: FloatArray
    median: float
    eu: FloatArray
    probability: FloatArray
    risk_exponent: FloatArray
    offer_class: IntArray
    offer_from: IntArray


GRID = 2.0**32


def _expected_utilities(
    x: FloatArray, s: FloatArray, p: FloatArray, mu: float, big_r: float, r: FloatArray, q: float
) -> FloatArray:
    """E_ij (eq. 25a) for all pairs, utilities curved by the challenger's exponent r_i."""
    d = np.abs(x[:, None] - x[None, :]) / big_r
    m = np.abs(x - mu)[:, None] / big_r
    ri = r[:, None]
    u_s = 2 - 4 * (0.5 - 0.5 * d) ** ri
    u_f = 2 - 4 * (0.5 + 0.5 * d) ** ri
    u_b = 2 - 4 * (0.5 - 0.25 * (m + d)) ** ri
    u_w = 2 - 4 * (0.5 + 0.25 * (m + d)) ** ri
    u_sq = 2 - 4 * 0.5**ri
    t = m < d
    sj = s[None, :]
    eu: FloatArray = (
        sj * (p * u_s + (1 - p) * u_f) + (1 - sj) * u_s - q * u_sq - (1 - q) * np.where(t, u_b, u_w)
    )
    np.fill_diagonal(eu, 0.0)
    return eu


def _risk_exponents(eu1: FloatArray) -> FloatArray:
    """r_i from the security levels sum_{j != i} E_ji of the risk-neutral pass (eqs. 32-34)."""
    security = eu1.sum(axis=0) - np.diag(eu1)
    lo, hi = security.min(), security.max()
    if hi - lo <= EPS:
        return np.ones_like(security)
    big = (2 * security - hi - lo) / (hi - lo)
    r: FloatArray = (1 - big / 3) / (1 + big / 3)
    return r


def _select(primary: FloatArray, move: FloatArray) -> IntArray:
    """Per row, the column with the least ``primary`` (ties within 1e-12), then the least ``move``,
    then the first; -1 where the row has no finite ``primary``."""
    best = primary.min(axis=1)
    tied = primary <= best[:, None] + EPS
    moves = np.where(tied, move, np.inf)
    shortest = moves.min(axis=1, keepdims=True)
    # Moves equal up to rounding are a tie too, so that mirror-image offers resolve the same way
    # wherever the scale starts: the first column wins.
    choice: IntArray = np.argmax(moves <= shortest + EPS * (1 + np.abs(shortest)), axis=1).astype(np.int64)
    return np.where(np.isfinite(best), choice, -1)


def eum_round(x: FloatArray, c: FloatArray, s: FloatArray, big_r: float, settings: EumSettings) -> EumRound:
    """One EUM round (steps 1-7 of the module docstring), vectorised over pairs and third parties.

    ``x`` positions, ``c`` capabilities, ``s`` saliences as fractions in [0, 1], ``big_r`` > 0 the
    range R. Returns the new positions and what the round computed.
    """
    n = len(x)
    w = c * s
    mu = weighted_median(x, w, "lower")
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, m] = |x_k - x_m|
    delta = dist[None, :, :] - dist[:, None, :]  # delta[i, j, k] = |x_k - x_j| - |x_k - x_i|
    num = (w * np.clip(delta, 0.0, None)).sum(axis=2)
    den = (w * np.abs(delta)).sum(axis=2)
    if settings.probability == "all_pairs":
        p = num / den.sum()
    else:
        p = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.5)
    ones = np.ones(n)
    r = _risk_exponents(_expected_utilities(x, s, p, mu, big_r, ones, settings.q)) if settings.risk else ones
    eu = _expected_utilities(x, s, p, mu, big_r, r, settings.q)

    # Offers to mover m (row) from proposer k (column): a = E_km (k challenges m), b = E_mk.
    a, b = eu.T, eu
    valid = ~np.eye(n, dtype=bool) & (dist > EPS * big_r) & (a > EPS)
    conflict = valid & (b > EPS) & (a - b > EPS)
    concede = valid & (b <= EPS)
    frac = np.where(concede, np.minimum(1.0, np.abs(b) / np.where(concede, a, 1.0)), 1.0)
    yielded = np.where(frac < 1, COMPROMISE, CAPITULATION)
    klass = np.where(conflict, CONFLICT, np.where(concede, yielded, NO_OFFER))
    target = x[:, None] + (x[None, :] - x[:, None]) * frac
    move = np.abs(target - x[:, None])
    has = klass != NO_OFFER
    if settings.offer_rule == "class":
        primary = np.where(has, klass.astype(np.float64), np.inf)
    elif settings.offer_rule == "max_eu":
        primary = np.where(has, -a, np.inf)
    else:
        primary = np.where(has, 0.0, np.inf)
    chosen = _select(primary, move)
    rows = np.arange(n)
    took = chosen >= 0
    # Keep positions on a grid of 2**-32 scale units: the rounding of x + (y - x) * f then cannot
    # depend on where the scale starts, so the model stays exactly invariant to shifting positions.
    new_x = np.where(took, np.round(target[rows, np.maximum(chosen, 0)] * GRID) / GRID, x)
    return EumRound(
        positions=new_x,
        median=mu,
        eu=eu,
        probability=p,
        risk_exponent=r,
        offer_class=np.where(took, klass[rows, np.maximum(chosen, 0)], NO_OFFER).astype(np.int64),
        offer_from=chosen,
    )


def eum_round_reference(
    x: FloatArray, c: FloatArray, s: FloatArray, big_r: float, settings: EumSettings
) -> EumRound:
    """The same round as ``eum_round``, written as plain loops straight from the equations.

    Kept as an independent check of the vectorised round (the tests compare the two); it also finds
    the median by counting pairwise votes (eq. 28) rather than by the weighted median.
    """
    n = len(x)
    w = [float(c[i] * s[i]) for i in range(n)]
    xs = [float(v) for v in x]
    totals = []
    for j in range(n):
        total = 0.0
        for k in range(n):
            for i in range(n):
                total += w[i] * (abs(xs[i] - xs[k]) - abs(xs[i] - xs[j])) / big_r
        totals.append(total)
    top = max(totals)
    mu = min(xs[j] for j in range(n) if totals[j] >= top - EPS * max(1.0, abs(top)))

    p = [[0.5] * n for _ in range(n)]
    nums = [[0.0] * n for _ in range(n)]
    dens = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            for k in range(n):
                dk = abs(xs[k] - xs[j]) - abs(xs[k] - xs[i])
                nums[i][j] += w[k] * max(dk, 0.0)
                dens[i][j] += w[k] * abs(dk)
    everything = sum(sum(row) for row in dens)
    for i in range(n):
        for j in range(n):
            if settings.probability == "all_pairs":
                p[i][j] = nums[i][j] / everything
            elif dens[i][j] > 0:
                p[i][j] = nums[i][j] / dens[i][j]

    def utilities(r: list[float]) -> list[list[float]]:
        eu = [[0.0] * n for _ in range(n)]
        for i in range(n):
            m = abs(xs[i] - mu) / big_r
            for j in range(n):
                if i == j:
                    continue
                d = abs(xs[i] - xs[j]) / big_r
                u_s = 2 - 4 * (0.5 - 0.5 * d) ** r[i]
                u_f = 2 - 4 * (0.5 + 0.5 * d) ** r[i]
                u_b = 2 - 4 * (0.5 - 0.25 * (m + d)) ** r[i]
                u_w = 2 - 4 * (0.5 + 0.25 * (m + d)) ** r[i]
                u_no = u_b if m < d else u_w
                u_sq = 2 - 4 * 0.5 ** r[i]
                challenge = s[j] * (p[i][j] * u_s + (1 - p[i][j]) * u_f) + (1 - s[j]) * u_s
                eu[i][j] = challenge - settings.q * u_sq - (1 - settings.q) * u_no
        return eu

    r = [1.0] * n
    if settings.risk:
        eu1 = utilities(r)
        security = [sum(eu1[j][i] for j in range(n) if j != i) for i in range(n)]
        lo, hi = min(security), max(security)
        if hi - lo > EPS:
            big = [(2 * sec - hi - lo) / (hi - lo) for sec in security]
            r = [(1 - b / 3) / (1 + b / 3) for b in big]
    eu = utilities(r)

    new_x = list(xs)
    offer_class = [NO_OFFER] * n
    offer_from = [-1] * n
    for m in range(n):
        offers: list[tuple[float, float, int, int, float]] = []  # (primary, move, proposer, class, target)
        for k in range(n):
            a, b = eu[k][m], eu[m][k]
            if k == m or abs(xs[k] - xs[m]) <= EPS * big_r or a <= EPS:
                continue
            if b > EPS:
                if a - b <= EPS:
                    continue
                klass, frac = CONFLICT, 1.0
            else:
                frac = min(1.0, abs(b) / a)
                klass = COMPROMISE if frac < 1 else CAPITULATION
            target = round((xs[m] + (xs[k] - xs[m]) * frac) * GRID) / GRID
            key = {"class": float(klass), "max_eu": -a, "least_move": 0.0}[settings.offer_rule]
            offers.append((key, abs(target - xs[m]), k, klass, target))
        if offers:
            best = min(o[0] for o in offers)
            tied = [o for o in offers if o[0] <= best + EPS]
            least = min(o[1] for o in tied)
            pick = next(o for o in tied if o[1] <= least + EPS * (1 + abs(least)))
            new_x[m], offer_from[m], offer_class[m] = pick[4], pick[2], pick[3]
    return EumRound(
        positions=np.array(new_x),
        median=mu,
        eu=np.array(eu),
        probability=np.array(p),
        risk_exponent=np.array(r),
        offer_class=np.array(offer_class, dtype=np.int64),
        offer_from=np.array(offer_from, dtype=np.int64),
    )


def _run_1d(
    space: IssueSpace,
    settings: EumSettings,
    rounds: int,
    range_basis: RangeBasis,
    outcome: Outcome,
    stop_when_stable: bool,
) -> ForecastResult:
    c = space.capability
    s = space.salience[:, 0] / 100.0
    w = c * s
    x = space.positions[:, 0].copy()
    low, high = space.scale[0]
    history, risks, classes, sources = [x], [], [], []
    for _ in range(rounds):
        big_r = float(high - low) if range_basis == "scale" else float(x.max() - x.min())
        if big_r <= 0:
            break
        step = eum_round(x, c, s, big_r, settings)
        risks.append(step.risk_exponent)
        classes.append(step.offer_class)
        sources.append(step.offer_from)
        # "Moves nobody" up to rounding: a tolerance relative to the spread of positions keeps the
        # stopping rule invariant to shifting every position by a constant.
        moved = not np.allclose(step.positions, x, rtol=0.0, atol=1e-9 * big_r)
        x = step.positions
        history.append(x)
        if stop_when_stable and not moved:
            break
    traj = np.array(history)
    median_by_round = np.array([weighted_median(row, w, "lower") for row in traj])
    mean_by_round = np.array([float(weighted_mean(row[:, None], w[:, None])[0]) for row in traj])
    by_round = median_by_round if outcome == "median" else mean_by_round
    names = np.array((*space.actors, ""), dtype=object)  # index -1 (no offer taken) reads ""
    return ForecastResult(
        model="eum",
        space=space,
        rounds=traj[:, :, None],
        outcome=by_round[-1:].copy(),
        outcome_by_round=by_round[:, None],
        details={
            "median_by_round": median_by_round,
            "mean_by_round": mean_by_round,
            "risk_exponent": np.array(risks).reshape(-1, len(c)),
            "offer_class": [[OFFER_CLASSES[k] for k in row] for row in classes],
            "offer_from": [list(names[row]) for row in sources],
            "rounds_run": len(history) - 1,
        },
    )


def run(
    space: IssueSpace,
    *,
    rounds: int = 10,
    q: float = 1.0,
    risk: bool = True,
    offer_rule: OfferRule = "class",
    probability: Probability = "pair",
    range_basis: RangeBasis = "positions",
    outcome: Outcome = "median",
    stop_when_stable: bool = True,
) -> ForecastResult:
    """Run the Scholz et al. (2011) EUM for ``rounds`` rounds (see the module docstring).

    ``outcome`` is the statistic reported per round: the vote "median" (default; the Condorcet winner
    among the positions, as the paper's Table 2) or the capability x salience weighted "mean".
    ``details`` holds both statistics per round, the risk exponents, and per round and actor the
    class of the offer taken and who made it ("" for none). One-dimensional by nature: a
    multi-dimensional space is run dimension by dimension (each with its own saliences) and stacked.
    """
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    if not 0.0 <= q <= 1.0:
        raise ValueError("q is a probability and must lie in [0, 1]")
    if offer_rule not in ("class", "least_move", "max_eu"):
        raise ValueError(f"offer_rule must be 'class', 'least_move' or 'max_eu', not {offer_rule!r}")
    if range_basis not in ("positions", "scale"):
        raise ValueError(f"range_basis must be 'positions' or 'scale', not {range_basis!r}")
    if outcome not in ("median", "mean"):
        raise ValueError(f"outcome must be 'median' or 'mean', not {outcome!r}")
    if probability not in ("pair", "all_pairs"):
        raise ValueError(f"probability must be 'pair' or 'all_pairs', not {probability!r}")
    settings = EumSettings(q=q, risk=risk, offer_rule=offer_rule, probability=probability)
    params: dict[str, object] = {
        "rounds": rounds,
        "q": q,
        "risk": risk,
        "offer_rule": offer_rule,
        "probability": probability,
        "range_basis": range_basis,
        "outcome": outcome,
        "stop_when_stable": stop_when_stable,
    }
    return stack_dimensions(
        space,
        lambda one: _run_1d(one, settings, rounds, range_basis, outcome, stop_when_stable),
        "eum",
        params,
    )
