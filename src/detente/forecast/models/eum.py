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
- ``probability`` ["pair"; set by ``variant``]: "pair" is eq. 30 as printed (P_ij + P_ji = 1).
  "all_pairs" divides the same numerator by the sum of |w_k D_k| over all ordered pairs (a, b) of
  actors and all k. The open re-implementation jmckib/bdm-scholz-expected-utility-model does this
  and says it follows Scholz et al.'s own program. Every P becomes small and far fewer pairs end in
  conflict; alone it matches Table 2 for rounds 1-5 only; with choices a-c below
  (``variant="scholz_program"``) it matches rounds 1 and 3-8.
- T (not a parameter): figures 1-4 give four cases; T = 1 exactly when |x_i - mu| < |x_i - x_j|
  (the median is nearer to i than j is), which reproduces all four. T only matters when Q < 1.
- Security (not a parameter): the paper prints E^i(U_ji) in eq. 34 and describes it in words as
  what adversaries expect from challenging i. Security is computed in the first pass, where every
  r_i = 1, and there the two readings coincide.
- ``perspective`` ["challenger"]: which risk exponent curves E_km when mover m weighs proposer k's
  challenge. "challenger": E_ij always with the challenger's own r_i, as the superscripts of
  eqs. 25a/25b say. "receiver" (choice a): m evaluates both E_mk and E_km with its own r_m, as
  Scholz et al.'s program does.
- ``compromise`` ["share"]: "share" - a compromise moves m the fraction |E_mk / E_km| of the way to
  x_k (eq. 35) and offers are ranked by ``offer_rule``; "eu_ranked" (choice b) - the same landing
  point, but among compromise offers m takes the one whose utility-weighted point
  (|E_mk| x_m + |E_km| x_k) / (|E_mk| + |E_km|) is lowest (the program's special case, which gives
  Belgium's round-4 move to the Netherlands and the round-6 drop to 7.4; needs offer_rule "class");
  "eu_weighted" - the compromise lands at that weighted point (a reading that does not reproduce
  Table 2: 9.04 after round 1).
- ``voter_risk`` [False]: (choice c) voter k's support in eq. 30 is w_k ((|x_k - x_j| / R)^r_k -
  (|x_k - x_i| / R)^r_k), curved by the voter's risk exponent, rather than linear in distance.
- ``variant`` ["equations"]: a preset of ``probability``, ``perspective``, ``compromise`` and
  ``voter_risk``. "equations" = ("pair", "challenger", "share", False), the paper as printed;
  "scholz_program" = ("all_pairs", "receiver", "eu_ranked", True), the behaviour of the authors'
  program as seen in the open re-implementation jmckib/bdm-scholz-expected-utility-model. On the
  BDM (1994) emission case "scholz_program" gives medians 8.42, 9.61, 9.96, 9.96, 9.96, 7.47, 8.82,
  9.67 for rounds 1-8 against Table 2's 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6, and means within 0.07
  of Table 2 in every round. Round 2 remains unexplained: Belgium compromises with France a second
  time and lands at 9.61, where 9.9 would need it to cover 94 % of the remaining distance, not 75 %.
  Explicit values of the four options override the preset.
- Median ties (not a parameter): the lowest of the tied positions.
- Null offers (not a parameter): an actor gets no offer from an actor at its own position, and a
  conflict between equal expected utilities (within 1e-12) moves nobody.
- Stopping: after ``rounds`` rounds, or earlier (``stop_when_stable``) when a round moves nobody,
  since every later round would then repeat it; always when all actors share one position
  and R is the range of the positions (R = 0).

Size: the third-party sums of eq. 30 are taken over blocks of voters, so memory is O(n^2) (500
actors: about 55 MB) and time O(n^3) per round; ``detente.forecast.budget`` refuses runs beyond the
memory budget up front. Capabilities are rescaled exactly by a power of two when they lie beyond
1e100 (e.g. near the largest float), so their sums cannot overflow. ``run_batch`` computes many
independent runs (Monte Carlo draws) together, bit for bit equal to ``run`` on each.

Numbers within 1e-12 of zero are treated as zero in the octant tests, so that the vectorised round
and the plain-loop reference (``eum_round_reference``) classify identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente.forecast.budget import check
from detente.forecast.models import check_numbers, scaled_capability, stack_dimensions
from detente.forecast.models.compromise import weighted_mean
from detente.forecast.models.median import weighted_median
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

OfferRule = Literal["class", "least_move", "max_eu"]
Probability = Literal["pair", "all_pairs"]
Perspective = Literal["challenger", "receiver"]
Compromise = Literal["share", "eu_ranked", "eu_weighted"]
Variant = Literal["equations", "scholz_program"]
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
    perspective: Perspective = "challenger"
    compromise: Compromise = "share"
    voter_risk: bool = False


VARIANTS: dict[str, dict[str, object]] = {
    "equations": {
        "probability": "pair",
        "perspective": "challenger",
        "compromise": "share",
        "voter_risk": False,
    },
    "scholz_program": {
        "probability": "all_pairs",
        "perspective": "receiver",
        "compromise": "eu_ranked",
        "voter_risk": True,
    },
}
"""The named presets of ``run``: "equations" is the paper's equations as printed; "scholz_program"
is how Scholz et al.'s own program behaves (choices a, b, c of the module docstring plus the all-pairs
denominator), which reproduces their Table 2 (see tests/forecast/test_eum.py)."""


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
    """E_ij (eq. 25a) for all pairs. ``r`` holds the risk exponents: shape (n,) curves E_ij by the
    challenger's r_i (eqs. 25a/25b as printed); shape (n, n) gives the exponent of each pair."""
    d = np.abs(x[:, None] - x[None, :]) / big_r
    m = np.abs(x - mu)[:, None] / big_r
    ri = r[:, None] if r.ndim == 1 else r
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


BLOCK_CELLS = 1 << 21
"""Pair-by-voter cells of the support tensor held at once (16 MiB of float64 per temporary)."""


def _support(
    x: FloatArray, w: FloatArray, big_r: float, r: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """num[i, j] = sum_k w_k max(D_ijk, 0) and den[i, j] = sum_k w_k |D_ijk| (eqs. 30-31), where
    D_ijk = u_k(x_i) - u_k(x_j) is voter k's preference for x_i over x_j: |x_k - x_j| - |x_k - x_i|
    (``r`` None, eq. 30 as printed) or (|x_k - x_j| / R)^r_k - (|x_k - x_i| / R)^r_k (``r`` given: each
    voter's support curved by its own risk exponent, as Scholz et al.'s program does).

    The voters are taken in blocks so that memory stays O(n^2 + BLOCK_CELLS) rather than O(n^3).
    """
    n = len(x)
    dist = np.abs(x[:, None] - x[None, :])  # dist[j, k] = |x_j - x_k|
    h = dist if r is None else (dist / big_r) ** r[None, :]
    num = np.zeros((n, n))
    den = np.zeros((n, n))
    block = max(1, BLOCK_CELLS // max(1, n * n))
    for lo in range(0, n, block):
        hk = h[:, lo : lo + block]
        delta = hk[None, :, :] - hk[:, None, :]  # delta[i, j, k] = H[j, k] - H[i, k]
        wk = w[lo : lo + block]
        num += (wk * np.clip(delta, 0.0, None)).sum(axis=2)
        den += (wk * np.abs(delta)).sum(axis=2)
    return num, den


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
    ones = np.ones(n)

    def probability(r: FloatArray | None) -> FloatArray:
        num, den = _support(x, w, big_r, r)
        if settings.probability == "all_pairs":
            total = den.sum()
            return num / total if total > 0 else np.full((n, n), 0.5)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.5)

    p = probability(ones if settings.voter_risk else None)
    r = _risk_exponents(_expected_utilities(x, s, p, mu, big_r, ones, settings.q)) if settings.risk else ones
    if settings.voter_risk and settings.risk:
        p = probability(r)
    eu = _expected_utilities(x, s, p, mu, big_r, r, settings.q)

    # Offers to mover m (row) from proposer k (column): a = E_km (k challenges m), b = E_mk.
    if settings.perspective == "receiver":
        # m weighs k's challenge with its own exponent: E_km curved by r_m, i.e. E_ij with r_j.
        a = _expected_utilities(x, s, p, mu, big_r, np.broadcast_to(r[None, :], (n, n)), settings.q).T
    else:
        a = eu.T
    b = eu
    valid = ~np.eye(n, dtype=bool) & (dist > EPS * big_r) & (a > EPS)
    conflict = valid & (b > EPS) & (a - b > EPS)
    concede = valid & (b <= EPS)
    frac = np.where(concede, np.minimum(1.0, np.abs(b) / np.where(concede, a, 1.0)), 1.0)
    yielded = np.where(frac < 1, COMPROMISE, CAPITULATION)
    klass = np.where(conflict, CONFLICT, np.where(concede, yielded, NO_OFFER))
    # The point weighted by the two expected utilities, (|E_mk| x_m + |E_km| x_k) / (|E_mk| + |E_km|).
    weight_sum = np.abs(a) + np.abs(b)
    weighted = (np.abs(b) * x[:, None] + np.abs(a) * x[None, :]) / np.where(weight_sum > 0, weight_sum, 1.0)
    target = x[:, None] + (x[None, :] - x[:, None]) * frac
    if settings.compromise == "eu_weighted":
        target = np.where(klass == COMPROMISE, weighted, target)
    move = np.abs(target - x[:, None])
    if settings.compromise == "eu_ranked":
        # Among compromise offers the program takes the one whose utility-weighted point is lowest.
        move = np.where(klass == COMPROMISE, weighted, move)
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

    def probabilities(r: list[float] | None) -> list[list[float]]:
        def u(k: int, y: float) -> float:  # voter k's distance term for position y
            return abs(xs[k] - y) if r is None else (abs(xs[k] - y) / big_r) ** r[k]

        nums = [[0.0] * n for _ in range(n)]
        dens = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                for k in range(n):
                    dk = u(k, xs[j]) - u(k, xs[i])
                    nums[i][j] += w[k] * max(dk, 0.0)
                    dens[i][j] += w[k] * abs(dk)
        everything = sum(sum(row) for row in dens)
        out = [[0.5] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                if settings.probability == "all_pairs":
                    out[i][j] = nums[i][j] / everything if everything > 0 else 0.5
                elif dens[i][j] > 0:
                    out[i][j] = nums[i][j] / dens[i][j]
        return out

    def challenge(i: int, j: int, ri: float, p: list[list[float]]) -> float:
        """E_ij of eq. 25a with exponent ri."""
        m = abs(xs[i] - mu) / big_r
        d = abs(xs[i] - xs[j]) / big_r
        u_s = 2 - 4 * (0.5 - 0.5 * d) ** ri
        u_f = 2 - 4 * (0.5 + 0.5 * d) ** ri
        u_b = 2 - 4 * (0.5 - 0.25 * (m + d)) ** ri
        u_w = 2 - 4 * (0.5 + 0.25 * (m + d)) ** ri
        u_no = u_b if m < d else u_w
        u_sq = 2 - 4 * 0.5**ri
        value = s[j] * (p[i][j] * u_s + (1 - p[i][j]) * u_f) + (1 - s[j]) * u_s
        return float(value - settings.q * u_sq - (1 - settings.q) * u_no)

    def utilities(r: list[float], p: list[list[float]]) -> list[list[float]]:
        return [[0.0 if i == j else challenge(i, j, r[i], p) for j in range(n)] for i in range(n)]

    r = [1.0] * n
    p = probabilities(r if settings.voter_risk else None)
    if settings.risk:
        eu1 = utilities(r, p)
        security = [sum(eu1[j][i] for j in range(n) if j != i) for i in range(n)]
        lo, hi = min(security), max(security)
        if hi - lo > EPS:
            big = [(2 * sec - hi - lo) / (hi - lo) for sec in security]
            r = [(1 - b / 3) / (1 + b / 3) for b in big]
        if settings.voter_risk:
            p = probabilities(r)
    eu = utilities(r, p)

    new_x = list(xs)
    offer_class = [NO_OFFER] * n
    offer_from = [-1] * n
    for m in range(n):
        offers: list[tuple[float, float, int, int, float]] = []  # (primary, move, proposer, class, target)
        for k in range(n):
            a = challenge(k, m, r[m], p) if settings.perspective == "receiver" and k != m else eu[k][m]
            b = eu[m][k]
            if k == m or abs(xs[k] - xs[m]) <= EPS * big_r or a <= EPS:
                continue
            if b > EPS:
                if a - b <= EPS:
                    continue
                klass, frac = CONFLICT, 1.0
            else:
                frac = min(1.0, abs(b) / a)
                klass = COMPROMISE if frac < 1 else CAPITULATION
            weighted = (abs(b) * xs[m] + abs(a) * xs[k]) / (abs(a) + abs(b))
            target = xs[m] + (xs[k] - xs[m]) * frac
            if klass == COMPROMISE and settings.compromise == "eu_weighted":
                target = weighted
            target = round(target * GRID) / GRID
            second = abs(target - xs[m])
            if klass == COMPROMISE and settings.compromise == "eu_ranked":
                second = weighted
            key = {"class": float(klass), "max_eu": -a, "least_move": 0.0}[settings.offer_rule]
            offers.append((key, second, k, klass, target))
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
    c = scaled_capability(space.capability)
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


def _resolve(
    *,
    rounds: int = 10,
    q: float = 1.0,
    risk: bool = True,
    offer_rule: OfferRule = "class",
    probability: Probability | None = None,
    range_basis: RangeBasis = "positions",
    outcome: Outcome = "median",
    stop_when_stable: bool = True,
    variant: Variant = "equations",
    perspective: Perspective | None = None,
    compromise: Compromise | None = None,
    voter_risk: bool | None = None,
) -> tuple[EumSettings, dict[str, object]]:
    """The settings of a run and every parameter it uses (the variant's presets filled in); raises
    ``ValueError`` for a parameter out of range."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(map(repr, VARIANTS))}, not {variant!r}")
    preset = VARIANTS[variant]
    probability = probability if probability is not None else preset["probability"]  # type: ignore[assignment]
    perspective = perspective if perspective is not None else preset["perspective"]  # type: ignore[assignment]
    compromise = compromise if compromise is not None else preset["compromise"]  # type: ignore[assignment]
    voter_risk = voter_risk if voter_risk is not None else bool(preset["voter_risk"])
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
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
    if perspective not in ("challenger", "receiver"):
        raise ValueError(f"perspective must be 'challenger' or 'receiver', not {perspective!r}")
    if compromise not in ("share", "eu_ranked", "eu_weighted"):
        raise ValueError(f"compromise must be 'share', 'eu_ranked' or 'eu_weighted', not {compromise!r}")
    if compromise == "eu_ranked" and offer_rule != "class":
        raise ValueError(
            "compromise='eu_ranked' ranks offers within their class: it needs offer_rule='class'"
        )
    settings = EumSettings(
        q=q,
        risk=risk,
        offer_rule=offer_rule,
        probability=probability,
        perspective=perspective,
        compromise=compromise,
        voter_risk=voter_risk,
    )
    params: dict[str, object] = {
        "rounds": rounds,
        "q": q,
        "risk": risk,
        "offer_rule": offer_rule,
        "probability": probability,
        "range_basis": range_basis,
        "outcome": outcome,
        "stop_when_stable": stop_when_stable,
        "variant": variant,
        "perspective": perspective,
        "compromise": compromise,
        "voter_risk": voter_risk,
    }
    return settings, params


def run(
    space: IssueSpace,
    *,
    rounds: int = 10,
    q: float = 1.0,
    risk: bool = True,
    offer_rule: OfferRule = "class",
    probability: Probability | None = None,
    range_basis: RangeBasis = "positions",
    outcome: Outcome = "median",
    stop_when_stable: bool = True,
    variant: Variant = "equations",
    perspective: Perspective | None = None,
    compromise: Compromise | None = None,
    voter_risk: bool | None = None,
) -> ForecastResult:
    """Run the Scholz et al. (2011) EUM for ``rounds`` rounds (see the module docstring).

    ``variant`` names a preset of ``probability``, ``perspective``, ``compromise`` and
    ``voter_risk`` ("equations": the paper as printed; "scholz_program": the authors' program, which
    reproduces their Table 2); any of the four given explicitly overrides the preset.
    ``outcome`` is the statistic reported per round: the vote "median" (default; the Condorcet winner
    among the positions, as the paper's Table 2) or the capability x salience weighted "mean".
    ``details`` holds both statistics per round, the risk exponents, and per round and actor the
    class of the offer taken and who made it ("" for none). One-dimensional by nature: a
    multi-dimensional space is run dimension by dimension (each with its own saliences) and stacked.
    """
    settings, params = _resolve(
        rounds=rounds,
        q=q,
        risk=risk,
        offer_rule=offer_rule,
        probability=probability,
        range_basis=range_basis,
        outcome=outcome,
        stop_when_stable=stop_when_stable,
        variant=variant,
        perspective=perspective,
        compromise=compromise,
        voter_risk=voter_risk,
    )
    check_numbers(space, "eum")
    check("eum", space.n_actors, space.n_dims, params)
    return stack_dimensions(
        space,
        lambda one: _run_1d(one, settings, rounds, range_basis, outcome, stop_when_stable),
        "eum",
        params,
    )


# --------------------------------------------------------------------------------------------------
# Many independent runs at once (Monte Carlo): the same arithmetic with a leading batch axis


def _lower_median_batch(x: FloatArray, w: FloatArray) -> FloatArray:
    """Per row, ``weighted_median(x, w, "lower")``: the first sorted position whose cumulative weight
    reaches half the total (within 1e-12). Zero weights add 0.0 to the running sums, so keeping them
    in place gives the same sums as leaving them out. Rows need a positive total weight."""
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    total = cum[:, -1]
    reach = cum >= (total / 2.0 - 1e-12 * total)[:, None]
    k = np.where(reach.any(axis=1), np.argmax(reach, axis=1), x.shape[1] - 1)
    out: FloatArray = xs[np.arange(x.shape[0]), k]
    return out


def _support_batch(
    x: FloatArray, w: FloatArray, big_r: FloatArray, r: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """``_support`` for a batch (B, n): the same sums over voters, in the same blocks."""
    b, n = x.shape
    dist = np.abs(x[:, :, None] - x[:, None, :])
    h = dist if r is None else (dist / big_r[:, None, None]) ** r[:, None, :]
    num = np.zeros((b, n, n))
    den = np.zeros((b, n, n))
    block = max(1, BLOCK_CELLS // max(1, n * n))
    for lo in range(0, n, block):
        hk = h[:, :, lo : lo + block]
        delta = hk[:, None, :, :] - hk[:, :, None, :]
        wk = w[:, None, None, lo : lo + block]
        num += (wk * np.clip(delta, 0.0, None)).sum(axis=3)
        den += (wk * np.abs(delta)).sum(axis=3)
    return num, den


def _expected_utilities_batch(
    x: FloatArray, s: FloatArray, p: FloatArray, mu: FloatArray, big_r: FloatArray, ri: FloatArray, q: float
) -> FloatArray:
    """``_expected_utilities`` for a batch; ``ri`` (B, n, 1) challenger's or (B, 1, n) target's exponent."""
    rr = big_r[:, None, None]
    d = np.abs(x[:, :, None] - x[:, None, :]) / rr
    m = np.abs(x - mu[:, None])[:, :, None] / rr
    u_s = 2 - 4 * (0.5 - 0.5 * d) ** ri
    u_f = 2 - 4 * (0.5 + 0.5 * d) ** ri
    u_b = 2 - 4 * (0.5 - 0.25 * (m + d)) ** ri
    u_w = 2 - 4 * (0.5 + 0.25 * (m + d)) ** ri
    u_sq = 2 - 4 * 0.5**ri
    t = m < d
    sj = s[:, None, :]
    eu: FloatArray = (
        sj * (p * u_s + (1 - p) * u_f) + (1 - sj) * u_s - q * u_sq - (1 - q) * np.where(t, u_b, u_w)
    )
    n = x.shape[1]
    eu[:, np.arange(n), np.arange(n)] = 0.0
    return eu


def _eum_round_batch(
    x: FloatArray, c: FloatArray, s: FloatArray, big_r: FloatArray, st: EumSettings
) -> FloatArray:
    """New positions (B, n) of ``eum_round`` for every row of a batch (bit for bit the same)."""
    b, n = x.shape
    w = c * s
    mu = _lower_median_batch(x, w)
    dist = np.abs(x[:, :, None] - x[:, None, :])
    ones = np.ones((b, n))

    def probability(r: FloatArray | None) -> FloatArray:
        num, den = _support_batch(x, w, big_r, r)
        if st.probability == "all_pairs":
            total = den.reshape(b, -1).sum(axis=1)[:, None, None]
            return np.where(total > 0, num / np.where(total > 0, total, 1.0), 0.5)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.5)

    p = probability(ones if st.voter_risk else None)
    if st.risk:
        eu1 = _expected_utilities_batch(x, s, p, mu, big_r, ones[:, :, None], st.q)
        security = eu1.sum(axis=1) - eu1[:, np.arange(n), np.arange(n)]
        lo, hi = security.min(axis=1, keepdims=True), security.max(axis=1, keepdims=True)
        flat = hi - lo <= EPS
        big = (2 * security - hi - lo) / np.where(flat, 1.0, hi - lo)
        r = np.where(flat, 1.0, (1 - big / 3) / (1 + big / 3))
        if st.voter_risk:
            p = probability(r)
    else:
        r = ones
    eu = _expected_utilities_batch(x, s, p, mu, big_r, r[:, :, None], st.q)
    if st.perspective == "receiver":
        a = _expected_utilities_batch(x, s, p, mu, big_r, r[:, None, :], st.q).transpose(0, 2, 1)
    else:
        a = eu.transpose(0, 2, 1)
    bb = eu
    valid = ~np.eye(n, dtype=bool)[None] & (dist > EPS * big_r[:, None, None]) & (a > EPS)
    conflict = valid & (bb > EPS) & (a - bb > EPS)
    concede = valid & (bb <= EPS)
    frac = np.where(concede, np.minimum(1.0, np.abs(bb) / np.where(concede, a, 1.0)), 1.0)
    yielded = np.where(frac < 1, COMPROMISE, CAPITULATION)
    klass = np.where(conflict, CONFLICT, np.where(concede, yielded, NO_OFFER))
    weight_sum = np.abs(a) + np.abs(bb)
    weighted = (np.abs(bb) * x[:, :, None] + np.abs(a) * x[:, None, :]) / np.where(
        weight_sum > 0, weight_sum, 1.0
    )
    target = x[:, :, None] + (x[:, None, :] - x[:, :, None]) * frac
    if st.compromise == "eu_weighted":
        target = np.where(klass == COMPROMISE, weighted, target)
    move = np.abs(target - x[:, :, None])
    if st.compromise == "eu_ranked":
        move = np.where(klass == COMPROMISE, weighted, move)
    has = klass != NO_OFFER
    if st.offer_rule == "class":
        primary = np.where(has, klass.astype(np.float64), np.inf)
    elif st.offer_rule == "max_eu":
        primary = np.where(has, -a, np.inf)
    else:
        primary = np.where(has, 0.0, np.inf)
    best = primary.min(axis=2)
    tied = primary <= best[:, :, None] + EPS
    moves = np.where(tied, move, np.inf)
    shortest = moves.min(axis=2, keepdims=True)
    choice = np.argmax(moves <= shortest + EPS * (1 + np.abs(shortest)), axis=2)
    took = np.isfinite(best)
    picked = np.take_along_axis(target, choice[:, :, None], axis=2)[:, :, 0]
    new_x: FloatArray = np.where(took, np.round(picked * GRID) / GRID, x)
    return new_x


def _final_batch(
    x: FloatArray,
    c: FloatArray,
    s: FloatArray,
    scale: tuple[float, float],
    st: EumSettings,
    rounds: int,
    range_basis: RangeBasis,
    stop_when_stable: bool,
) -> FloatArray:
    """Final positions (B, n) of ``_run_1d`` for every row: each row stops on its own."""
    x = x.copy()
    active = np.ones(x.shape[0], dtype=bool)
    low, high = scale
    for _ in range(rounds):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xa = x[idx]
        if range_basis == "scale":
            big_r = np.full(idx.size, float(high - low))
        else:
            big_r = xa.max(axis=1) - xa.min(axis=1)
        go = big_r > 0
        active[idx[~go]] = False
        idx, xa, big_r = idx[go], xa[go], big_r[go]
        if idx.size == 0:
            break
        new = _eum_round_batch(xa, c[idx], s[idx], big_r, st)
        moved = np.any(np.abs(new - xa) > (1e-9 * big_r)[:, None], axis=1)
        x[idx] = new
        if stop_when_stable:
            active[idx[~moved]] = False
    return x


def run_batch(spaces: Sequence[IssueSpace], **params: object) -> FloatArray:
    """The ``outcome`` of ``run(space, **params)`` for every space, as a (len(spaces), d) array, bit for
    bit, with NaN rows where ``run`` would raise ``ValueError`` (e.g. no positive weight).

    For Monte Carlo: the spaces must share their actors, dimensions and scales (draws of one uncertain
    space); the rounds of all runs are computed together, one batch axis in front of every array,
    which removes the per-call overhead that dominates runs of a few actors. Parameters are checked
    as ``run`` checks them (a bad parameter raises ``ValueError`` for the whole batch).
    """
    if not spaces:
        return np.zeros((0, 0))
    first = spaces[0]
    if any(
        sp.actors != first.actors or sp.scale != first.scale or sp.n_dims != first.n_dims for sp in spaces
    ):
        raise ValueError("run_batch needs spaces with the same actors, dimensions and scales")
    settings, used = _resolve(**params)  # type: ignore[arg-type]
    rounds, outcome, stop = int(used["rounds"]), used["outcome"], bool(used["stop_when_stable"])  # type: ignore[call-overload]
    range_basis: RangeBasis = "scale" if used["range_basis"] == "scale" else "positions"
    check("eum", first.n_actors, first.n_dims, used)
    out = np.full((len(spaces), first.n_dims), np.nan)
    n = first.n_actors
    # Rows that ``run`` would refuse (non-finite numbers, no positive weight) go through ``run`` itself.
    fast: list[int] = []
    slow: list[int] = []
    for i, sp in enumerate(spaces):
        w = sp.capability[:, None] * sp.salience
        ok = bool(np.all(np.isfinite(sp.positions)) and np.all(np.isfinite(sp.salience)))
        ok = ok and bool(np.all(np.isfinite(sp.capability)) and np.all(w.sum(axis=0) > 0))
        ok = ok and float(np.ptp(sp.positions, axis=0).max()) <= 1e300
        (fast if ok else slow).append(i)
    for i in slow:
        try:
            out[i] = run(spaces[i], **params).outcome  # type: ignore[arg-type]
        except ValueError:
            continue
    if not fast:
        return out
    cap = np.array([scaled_capability(spaces[i].capability) for i in fast])
    per = max(1, BLOCK_CELLS // max(1, n**3))  # rows per sub-batch: bounded memory
    for k in range(first.n_dims):
        pos = np.array([spaces[i].positions[:, k] for i in fast])
        sal = np.array([spaces[i].salience[:, k] for i in fast]) / 100.0
        for lo in range(0, len(fast), per):
            rows = slice(lo, lo + per)
            final = _final_batch(
                pos[rows], cap[rows], sal[rows], first.scale[k], settings, rounds, range_basis, stop
            )
            for j, xf in enumerate(final):
                i = fast[lo + j]
                w = cap[lo + j] * sal[lo + j]
                if outcome == "median":
                    out[i, k] = weighted_median(xf, w, "lower")
                else:
                    out[i, k] = float(weighted_mean(xf[:, None], w[:, None])[0])
    return out
