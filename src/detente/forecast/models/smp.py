"""KTAB-style Spatial Model of Politics (SMP), written from the published equations.

Sources: B. Wise, L. Lester, B. Efird et al., KAPSARC "KTAB" papers (2015-2017: "Spatial Model of
Politics", "Markov Voting with Incentives in KTAB"), and the equations of KTAB's SMP as summarised in
the project's MODELS.md section 2. No code is taken from KTAB; the equations below are restated.

Notation. Positions x_i in [0, 1]^m (each dimension's scale mapped to [0, 1], as KTAB divides its
0-100 inputs by 100), saliences s_ik in [0, 1] (salience / 100) with S_i = sum_k s_ik <= 1, scalar
capabilities c_i. The ideal point of every actor is its current position (KTAB's default identity
"accommodation" matrix, the "cynical" model).

One turn (KTAB ``SMPState::doBCN``):

1. Distances d_ij = sqrt(sum_k s_ik^2 (x_ik - x_jk)^2 / sum_k s_ik^2) and utilities
   u = (1 - d)(1 + d R) (``utility``).
2. Risk attitudes R_i from the probabilistic Condorcet election (PCE) over all actors' positions with
   risk-neutral utilities and capability weights (``risk_attitudes``); actor h's estimate of i's
   attitude mixes R_h and R_i (``estimated_risk``), giving one utility matrix per perspective h.
3. Every actor i finds the target j with the largest expected gain of challenging j, from its own
   perspective (``challenge_terms``); if the gain exceeds 1e-5 it proposes a bargain interpolated
   between x_i and x_j by salience and victory probability (``interpolate_bargain``).
4. Every actor's queue holds its status quo and every bargain it initiated or received; a PCE over the
   queue, with each voter valuing a bargain by the mean utility of all positions after it
   (``bargain_utilities``; each value is the direct sum of the N utilities, as KTAB forms it, so
   that the Binary rule sees exact ties), chooses the bargain; the actor moves to its side of it.
5. Stop at turn t when t >= 100, or t >= 2 and sum_i |x_i(t) - x_i(t-1)| /
   (sum_i |x_i(1) - x_i(0)| + 1e-4) < 0.02 (KTAB ``smpStopFn``; |.| is the Euclidean norm).

KTAB defaults followed (``SMPModel``/``Model`` member initialisers and ``configExec``):
VictoryProbModel Linear, PCEModel Conditional, StateTransitions Deterministic, VotingRule Prop
(proportional), BigRAdjust OneThird, BigRRange Mid, ThirdPartyCommit SemiCommit, InterVecBrgn S2P2,
BargnModel InitOnlyInterp; stop rule min 2 / max 100 turns, ratio 0.02, 1e-4 guard; positions equal
when closer than 1e-3 (on [0, 1]) for the reported position probabilities. Parameter values are
KTAB's own names, matched case-insensitively, so a KTAB XML ``ModelParameters`` block maps directly.

Where this module departs from KTAB (documented, deliberate):
- Votes with zero weight are 0 (KTAB refuses a non-positive voting weight and stops).
- When every actor's position has the same PCE probability, R_i = 0 (KTAB divides 0 by 0).
- An actor whose saliences are all zero is at distance 0 from everything (KTAB refuses it).
- For the j-perspective bargains of the non-default BargnModels, j's estimate of the probability
  that i wins is used, and j's weight is c_j S_j (KTAB's code passes the expected gain and i's
  capability there; see MODELS.md); the default InitOnlyInterp is unaffected.
- Stochastic state transitions draw from numpy's generator (``seed``), not KTAB's PRNG, so stochastic
  runs are reproducible here but not draw-for-draw equal to KTAB's.
- Two actors suffice (KTAB asks for at least three). Ideals always equal positions: KTAB's optional
  non-identity accommodation matrix (ideals lagging behind positions) is not offered.
As in KTAB: each actor's saliences must sum to at most 100 (checked); ties go to the lowest index
(best target, most probable bargain); the Conditional PCE is computed in logs (same value, no
underflow with many options).

Memory: a turn needs the (n, n, n) perspective utilities (320 actors: 262 MB); only the current
turn's are kept, so memory stays flat over the turns (320 actors, 3 dimensions: about 0.55 GB peak).

KTAB prints no single forecast. ``ForecastResult.outcome`` is the PCE-probability-weighted mean of the
unique positions of the final turn (KTAB's reported position probabilities, ``SMPState::pDist``);
``details`` also holds each turn's position probabilities, the most probable position, risk
attitudes, and the bargains chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from detente.errors import InputError, Problem
from detente.forecast.budget import check
from detente.forecast.models import check_numbers, scaled_capability
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

IntArray = npt.NDArray[np.int64]

MIN_COALITION = 1e-8  # KTAB Model::coalitions floor on every coalition strength
MIN_CHALLENGE_COALITION = 1e-10  # KTAB probEduChlg floor on the two coalitions of a challenge
MIN_SIGNIFICANT_GAIN = 1e-5  # KTAB bestChallenge: smaller expected gains are ignored
BINARY_VOTE_TOL = 1e-8  # KTAB Model::vote: utility difference giving a full binary vote
BINARY_VP_THRESHOLD = 1.10  # KTAB Model::vProb Binary: 10 % advantage is certain victory
MIN_BARGAIN_WEIGHT = 1e-6  # KTAB interpBrgn guard against 0/0
_GRID_BLOCK = 16384  # elements of the (challenger, target, third party) grid computed at once

# Parameter names (KTAB XML element names in snake case) -> allowed values (KTAB names).
CHOICES: dict[str, tuple[str, ...]] = {
    "voting_rule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "victory_prob_model": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "pce_model": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "state_transitions": ("Deterministic", "Stochastic"),
    "big_r_adjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "big_r_range": ("Min", "Mid", "Max"),
    "third_party_commit": ("NoCommit", "SemiCommit", "FullCommit"),
    "inter_vec_brgn": ("S1P1", "S2P2", "S2PMax"),
    "bargn_model": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}
# Other names KTAB uses for the same choices (enum spellings, XML spellings).
_ALIASES = {
    "proportional": "prop",
    "deterministicstm": "deterministic",
    "determinsticstm": "deterministic",
    "stochasticstm": "stochastic",
    "conditionalpcm": "conditional",
    "markovipcm": "markovincentive",
    "markovupcm": "markovuniform",
    "nora": "none",
    "onethirdra": "onethird",
    "halfra": "half",
    "twothirdsra": "twothirds",
    "fullra": "full",
    "initonlyinterpsmpbm": "initonlyinterp",
    "initrcvrinterpsmpbm": "initrcvrinterp",
    "pwcompinterpsmpbm": "pwcompinterp",
}
_EST_RISK = {
    "None": (1.0, 0.0),
    "OneThird": (2 / 3, 1 / 3),
    "Half": (0.5, 0.5),
    "TwoThirds": (1 / 3, 2 / 3),
    "Full": (0.0, 1.0),
}
_VP_POWER = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}


def _param_error(field: str, message: str) -> InputError:
    return InputError([Problem("smp parameters", None, field, message)])


def _choice(field: str, value: object) -> str:
    allowed = CHOICES[field]
    key = str(value).replace("_", "").replace("-", "").lower()
    key = _ALIASES.get(key, key)
    for name in allowed:
        if name.lower() == key:
            return name
    raise _param_error(field, f"unknown value {value!r}; choose one of {', '.join(allowed)}")


# --------------------------------------------------------------------------------------------------
# Utilities, votes, victory probabilities and the probabilistic Condorcet election


def salience_distance(ideals: FloatArray, positions: FloatArray, salience: FloatArray) -> FloatArray:
    """d[i, j] = sqrt(sum_k s_ik^2 (ideal_ik - x_jk)^2 / sum_k s_ik^2), in [0, 1] on [0, 1]^m.

    KTAB ``SMPModel::bvDiff`` (salience-weighted Euclidean distance, the weights being actor i's).
    An actor with all saliences zero is at distance 0 from every position.
    """
    s2 = salience**2
    diff2 = (ideals[:, None, :] - positions[None, :, :]) ** 2
    num = np.einsum("ik,ijk->ij", s2, diff2)
    den = s2.sum(axis=1)
    safe = np.where(den > 0, den, 1.0)
    return np.where(den[:, None] > 0, np.sqrt(num / safe[:, None]), 0.0)


def utility(d: FloatArray, risk: FloatArray | float) -> FloatArray:
    """u = (1 - d)(1 + d R) for d <= 1, (1 - d)(1 + R) beyond (KTAB ``SMPModel::bsUtil``).

    R in [-1, 1] is the risk attitude: R = 0 linear, R = 1 gives 1 - d^2 (risk averse), R = -1 gives
    (1 - d)^2 (risk seeking).
    """
    return np.asarray((1 - d) * (1 + np.minimum(d, 1.0) * risk), dtype=np.float64)


def vote(rule: str, weight: FloatArray | float, du: FloatArray) -> FloatArray:
    """An actor's vote for option a over b, given weight w and du = u(a) - u(b) (KTAB ``Model::vote``).

    Binary w clip(du / 1e-8, -1, 1); PropBin w (0.8 du + 0.2 binary); Prop w du; PropCbc
    w (0.5 du + 0.5 du^3); Cubic w du^3; ASymProsp w du if du < 0, (2/3) w du if du > 0.
    """
    if rule == "Prop":
        r = du
    elif rule == "Binary":
        r = np.clip(du / BINARY_VOTE_TOL, -1.0, 1.0)
    elif rule == "PropBin":
        r = 0.8 * du + 0.2 * np.clip(du / BINARY_VOTE_TOL, -1.0, 1.0)
    elif rule == "PropCbc":
        r = 0.5 * du + 0.5 * du**3
    elif rule == "Cubic":
        r = du**3
    else:  # ASymProsp
        r = np.where(du > 0, (2.0 / 3.0) * du, du)
    return np.asarray(weight * r, dtype=np.float64)


def coalitions(weights: FloatArray, util: FloatArray, rule: str) -> FloatArray:
    """c[a, b] = 1e-8 + sum of the votes for option a against option b (KTAB ``Model::coalitions``).

    ``util`` is (voters, options). As in KTAB, each voter's vote is taken once per pair, for the
    option of higher index against the lower one, and split into the supporting (positive) and
    opposing (negative) coalition; for every rule but ASymProsp this equals the symmetric sum.
    """
    nv, m = util.shape
    pos = np.zeros((m, m))  # sum of max(v, 0)
    net = np.zeros((m, m))  # sum of v, so that sum of max(-v, 0) = pos - net
    block = max(1, _GRID_BLOCK // (m * m))
    for lo in range(0, nv, block):
        u = util[lo : lo + block]
        v = vote(rule, weights[lo : lo + block, None, None], u[:, :, None] - u[:, None, :])
        pos += np.maximum(v, 0.0).sum(axis=0)
        net += v.sum(axis=0)
    lower = np.tri(m, k=-1, dtype=bool)
    return np.asarray(
        MIN_COALITION + np.where(lower, pos, 0.0) + np.where(lower, pos - net, 0.0).T, dtype=np.float64
    )


def victory_probability(c: FloatArray, model: str) -> FloatArray:
    """P[a, b] = probability that option a beats b from coalition strengths (KTAB ``Model::vProb``).

    Linear/Square/Quartic/Octic: c_ab^p / (c_ab^p + c_ba^p) with p = 1, 2, 4, 8. Binary: certain
    when one side is at least 1.10 times the other, linear in the share in between. P[a, a] = 1/2.
    """
    ct = c.T
    if model == "Binary":
        share = c / (c + ct)
        lin = (share * (BINARY_VP_THRESHOLD + 1.0) - 1.0) / (BINARY_VP_THRESHOLD - 1.0)
        x1 = np.where(c >= BINARY_VP_THRESHOLD * ct, 1.0, np.where(ct >= BINARY_VP_THRESHOLD * c, 1e-6, lin))
        x2 = np.where(
            c >= BINARY_VP_THRESHOLD * ct, 1e-6, np.where(ct >= BINARY_VP_THRESHOLD * c, 1.0, 1 - lin)
        )
        # KTAB evaluates the lower-left pair (a > b) and sets the mirror element to its complement.
        low = np.tril(x1 / (x1 + x2), -1)
        p = low + np.tril(1.0 - x1 / (x1 + x2), -1).T
    else:
        k = _VP_POWER[model]
        p = c**k / (c**k + ct**k)
    np.fill_diagonal(p, 0.5)
    return np.asarray(p, dtype=np.float64)


def pce(c: FloatArray, victory_model: str, pce_model: str) -> FloatArray:
    """Probabilistic Condorcet election: probability of each option from coalitions c (KTAB probCE2).

    Conditional: p_a proportional to prod_b P[a, b] (with P[a, a] = 1/2), computed in logs.
    MarkovUniform: iterate q_a = (1/N) sum_b P[a, b](p_a + p_b), p <- (p + q)/2 until
    max|q - p| <= 1e-6. MarkovIncentive: incentive n[a, b] = c[a, b] P[a, b] (+1e-10 on the
    diagonal), challenge probability h[a, b] = n[a, b] / sum_k n[k, b], iterate
    q_a = sum_b P[a, b](p_a h[b, a] + p_b h[a, b]), p <- (p + q)/2 until max|q - p| <= 1e-8.
    Markov iterations stop after 1000 steps at most.
    """
    p_win = victory_probability(c, victory_model)
    m = c.shape[0]
    if pce_model == "Conditional":
        logp = np.log(np.maximum(p_win, 1e-300)).sum(axis=1)
        e = np.exp(logp - logp.max())
        return np.asarray(e / e.sum(), dtype=np.float64)
    p = np.full(m, 1.0 / m)
    if pce_model == "MarkovUniform":
        tol = 1e-6

        def step(p: FloatArray) -> FloatArray:
            return np.asarray((p_win * (p[:, None] + p[None, :])).sum(axis=1) / m, dtype=np.float64)

    else:
        tol = 1e-8
        incentive = c * p_win + np.eye(m) * 1e-10
        chal = incentive / incentive.sum(axis=0, keepdims=True)

        def step(p: FloatArray) -> FloatArray:
            return np.asarray(
                (p_win * (p[:, None] * chal.T + p[None, :] * chal)).sum(axis=1), dtype=np.float64
            )

    for _ in range(1000):
        q = step(p)
        change = float(np.max(np.abs(q - p)))
        p = (p + q) / 2.0
        if change <= tol:
            break
    return np.asarray(p, dtype=np.float64)


def scalar_pce(
    weights: FloatArray, util: FloatArray, rule: str, victory_model: str, pce_model: str
) -> FloatArray:
    """Option probabilities when voters with ``weights`` value options by ``util`` (KTAB scalarPCE)."""
    return pce(coalitions(weights, util, rule), victory_model, pce_model)


def risk_from_probability(p: FloatArray, rng: str) -> FloatArray:
    """R_i from the probability p_i of actor i's position (KTAB ``Model::bigRfromProb``).

    Min (p - pmin)/(pmax - pmin) in [0, 1]; Mid (3p - pmax - 2 pmin)/(2 (pmax - pmin)) in [-1/2, 1];
    Max (2p - pmax - pmin)/(pmax - pmin) in [-1, 1]. All zero when pmax = pmin.
    """
    lo, hi = float(p.min()), float(p.max())
    if hi - lo <= 0:
        return np.zeros_like(p)
    if rng == "Min":
        return (p - lo) / (hi - lo)
    if rng == "Mid":
        return (3 * p - (hi + 2 * lo)) / (2 * (hi - lo))
    return (2 * p - (hi + lo)) / (hi - lo)


def estimated_risk(risk: FloatArray, adjust: str) -> FloatArray:
    """r[h, i] = actor h's estimate of i's risk attitude (KTAB ``Model::estNRA``).

    None: R_h; OneThird: (2 R_h + R_i)/3; Half: (R_h + R_i)/2; TwoThirds: (R_h + 2 R_i)/3; Full: R_i.
    """
    a, b = _EST_RISK[adjust]
    return np.asarray(a * risk[:, None] + b * risk[None, :], dtype=np.float64)


def risk_attitudes(
    dist: FloatArray, cap: FloatArray, rule: str, victory_model: str, pce_model: str, rng: str
) -> FloatArray:
    """R_i: PCE over all actors' positions with risk-neutral utilities 1 - d_ij and capability votes.

    KTAB ``SMPState::setAllAUtil`` (every actor's position is an option, duplicates included).
    """
    p = scalar_pce(cap, utility(dist, 0.0), rule, victory_model, pce_model)
    return risk_from_probability(p, rng)


def perspective_utilities(dist: FloatArray, risk: FloatArray, adjust: str) -> FloatArray:
    """U[h, a, b] = h's estimate of a's utility for b's position: u(d_ab, r[h, a]) (KTAB aUtil[h]).

    Computed as u(d, 0) + r (1 - d) min(d, 1), the same as ``utility``, with one product per element.
    """
    r = estimated_risk(risk, adjust)
    slope = (1 - dist) * np.minimum(dist, 1.0)
    return np.asarray(utility(dist, 0.0)[None, :, :] + r[:, :, None] * slope[None, :, :], dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# Challenges: the hot step, vectorised, with a plain-loop reference


def _third_party_differences(
    commit: str, uni: FloatArray, unj: FloatArray, unn: FloatArray
) -> tuple[FloatArray | float, FloatArray | float]:
    """(U(in beat j) - U(i beats jn), U(j beats in) - U(jn beat i)) for third party n.

    KTAB ``Actor::thirdPartyVoteSU`` values each outcome by a sum of three position utilities: under
    SemiCommit n keeps its own position when it sides with the winner (2U_ni + U_nn, 3U_nj, 3U_ni,
    2U_nj + U_nn); under FullCommit it adopts the winner's (3U_ni, 3U_nj, 3U_ni, 3U_nj), under NoCommit
    it keeps its own in every case (each sum has U_nn). Only the two differences matter; they vanish
    under FullCommit and NoCommit, so there third parties cast no vote.
    """
    if commit == "SemiCommit":
        return unn - uni, unj - unn
    return 0.0, 0.0


@dataclass(frozen=True)
class _ChallengeInputs:
    """The utilities one challenge (h, k, i, j) needs, as broadcastable arrays.

    Pair-level arrays (``uii`` ... ``sj``) end in an axis of length 1; third-party arrays (``uni``,
    ``unj``, ``unn``, ``wn``, ``third``) run over the actors n on their last axis.
    """

    uii: FloatArray
    uij: FloatArray
    uji: FloatArray
    ujj: FloatArray
    uki: FloatArray
    ukj: FloatArray
    wi: FloatArray
    wj: FloatArray
    sj: FloatArray
    uni: FloatArray
    unj: FloatArray
    unn: FloatArray
    wn: FloatArray
    third: npt.NDArray[np.bool_]


def _challenge(c: _ChallengeInputs, rule: str, commit: str) -> tuple[FloatArray, FloatArray]:
    # max(v, 0) = (v + |v|)/2 and max(-v, 0) = max(v, 0) - v keep the full-grid work small.
    vi = vote(rule, c.wi, c.uii - c.uij)
    vj = vote(rule, c.wj, c.uji - c.ujj)
    c_ij = MIN_CHALLENGE_COALITION + np.maximum(vi, 0) + np.maximum(vj, 0)
    c_ji = MIN_CHALLENGE_COALITION + np.maximum(-vi, 0) + np.maximum(-vj, 0)
    v0 = vote(rule, c.wn, c.uni - c.unj)
    a0 = np.abs(v0)
    p_in = (c_ij + 0.5 * (v0 + a0)) / (c_ij + c_ji + a0)
    d_win, d_lose = _third_party_differences(commit, c.uni, c.unj, c.unn)
    vn = np.where(c.third, vote(rule, c.wn, d_lose + p_in * (d_win - d_lose)), 0.0)
    support = np.maximum(vn, 0).sum(axis=-1, keepdims=True)
    c_ij = c_ij + support
    c_ji = c_ji + support - vn.sum(axis=-1, keepdims=True)
    phi = c_ij / (c_ij + c_ji)
    eu = (1 - c.sj) * 2 * c.uki + c.sj * (phi * 2 * c.uki + (1 - phi) * 2 * c.ukj)
    return phi[..., 0], (eu - (c.uki + c.ukj))[..., 0]


def challenge_terms(
    util: FloatArray,
    h: IntArray,
    k: IntArray,
    i: IntArray,
    j: IntArray,
    weight: FloatArray,
    total_salience: FloatArray,
    rule: str,
    commit: str,
) -> tuple[FloatArray, FloatArray]:
    """(phi, gain) for a batch of (h, k, i, j): h's estimate that i beats j and of k's expected gain.

    KTAB ``SMPState::probEduChlg``, with U = util[h] and w_n = c_n S_n:
    - principals add v_i = vote(w_i, U_ii - U_ij) and v_j = vote(w_j, U_ji - U_jj) to the coalitions
      C(i:j), C(j:i) (each starting at 1e-10);
    - each third party n estimates p_n = C_i / (C_i + C_j) after adding vote(w_n, U_ni - U_nj) to the
      principals' coalitions, then votes vote(w_n, U(in > j) - U(i > jn)) with
      U(in > j) = p_n U(in beat j) + (1 - p_n) U(j beats in) and U(i > jn) likewise;
    - phi = C(i:j) / (C(i:j) + C(j:i)); EU_SQ = U_ki + U_kj; challenge
      EU = (1 - S_j) 2U_ki + S_j (phi 2U_ki + (1 - phi) 2U_kj); gain = EU - EU_SQ.
    Vectorised over the batch and the third parties (memory: batch x actors).
    """
    n = util.shape[1]
    ar = np.arange(n)
    hh, ic, jc = h[:, None], i[:, None], j[:, None]
    c = _ChallengeInputs(
        uii=util[hh, ic, ic],
        uij=util[hh, ic, jc],
        uji=util[hh, jc, ic],
        ujj=util[hh, jc, jc],
        uki=util[hh, k[:, None], ic],
        ukj=util[hh, k[:, None], jc],
        wi=weight[ic],
        wj=weight[jc],
        sj=total_salience[jc],
        uni=util[hh, ar[None, :], ic],
        unj=util[hh, ar[None, :], jc],
        unn=util[hh, ar, ar],
        wn=weight[None, :],
        third=(ar[None, :] != ic) & (ar[None, :] != jc),
    )
    return _challenge(c, rule, commit)


def own_challenge_terms(
    util: FloatArray, weight: FloatArray, total_salience: FloatArray, rule: str, commit: str
) -> tuple[FloatArray, FloatArray]:
    """(phi, gain) as (n, n) matrices for every i challenging every j from i's own view (h = k = i).

    The same definition as ``challenge_terms``, laid out on the (i, j, n) grid by broadcasting
    instead of gathering, in blocks of challengers small enough to stay in cache; this is what makes a
    turn fast. The diagonal (i = j) is meaningless.
    """
    n = util.shape[0]
    ar = np.arange(n)
    own = util[ar, ar, :]  # own[i, j] = U^i_ij
    uji = util[ar, :, ar]  # uji[i, j] = U^i_ji
    diag = np.einsum("inn->in", util)  # diag[i, n] = U^i_nn
    self_u = own[ar, ar]
    phi = np.empty((n, n))
    gain = np.empty((n, n))
    block = max(1, _GRID_BLOCK // (n * n))
    for lo in range(0, n, block):
        b = slice(lo, min(n, lo + block))
        c = _ChallengeInputs(
            uii=self_u[b, None, None],
            uij=own[b, :, None],
            uji=uji[b, :, None],
            ujj=diag[b, :, None],
            uki=self_u[b, None, None],
            ukj=own[b, :, None],
            wi=weight[b, None, None],
            wj=weight[None, :, None],
            sj=total_salience[None, :, None],
            uni=uji[b, None, :],
            unj=np.ascontiguousarray(util[b].transpose(0, 2, 1)),
            unn=diag[b, None, :],
            wn=weight[None, None, :],
            third=(ar[None, None, :] != ar[b, None, None]) & (ar[None, None, :] != ar[None, :, None]),
        )
        phi[b], gain[b] = _challenge(c, rule, commit)
    return phi, gain


def challenge_terms_loop(
    util: FloatArray,
    h: IntArray,
    k: IntArray,
    i: IntArray,
    j: IntArray,
    weight: FloatArray,
    total_salience: FloatArray,
    rule: str,
    commit: str,
) -> tuple[FloatArray, FloatArray]:
    """Plain-loop reference of ``challenge_terms`` (same definition, one pair and one voter at a time)."""

    def v(w: float, du: float) -> float:
        return float(vote(rule, w, np.array(du)))

    phis, gains = [], []
    for hh, kk, ii, jj in zip(h.tolist(), k.tolist(), i.tolist(), j.tolist(), strict=True):
        u = util[hh]
        c_ij = c_ji = MIN_CHALLENGE_COALITION
        for vp in (v(weight[ii], u[ii, ii] - u[ii, jj]), v(weight[jj], u[jj, ii] - u[jj, jj])):
            c_ij += max(vp, 0.0)
            c_ji += max(-vp, 0.0)
        add_ij = add_ji = 0.0
        for nn in range(u.shape[0]):
            if nn in (ii, jj):
                continue
            uni, unj, unn = u[nn, ii], u[nn, jj], u[nn, nn]
            v0 = v(weight[nn], uni - unj)
            cni = c_ij + (v0 if v0 > 0 else 0.0)
            cnj = c_ji + (-v0 if v0 < 0 else 0.0)
            p = cni / (cni + cnj)
            if commit == "FullCommit":
                a, b, c, d = 3 * uni, 3 * unj, 3 * uni, 3 * unj
            elif commit == "SemiCommit":
                a, b, c, d = 2 * uni + unn, 3 * unj, 3 * uni, 2 * unj + unn
            else:
                a, b, c, d = 2 * uni + unn, 2 * unj + unn, 2 * uni + unn, 2 * unj + unn
            vn = v(weight[nn], (p * a + (1 - p) * b) - (p * c + (1 - p) * d))
            add_ij += max(vn, 0.0)
            add_ji += max(-vn, 0.0)
        phi = (c_ij + add_ij) / (c_ij + add_ij + c_ji + add_ji)
        uki, ukj, sj = u[kk, ii], u[kk, jj], total_salience[jj]
        eu = (1 - sj) * 2 * uki + sj * (phi * 2 * uki + (1 - phi) * 2 * ukj)
        phis.append(phi)
        gains.append(eu - (uki + ukj))
    return np.array(phis), np.array(gains)


def best_challenges(
    util: FloatArray, weight: FloatArray, total_salience: FloatArray, rule: str, commit: str
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Each actor's best target from its own perspective (KTAB ``bestChallenge``).

    Returns (target, phi, gain) per actor; target is -1 when no gain exceeds 1e-5. Ties go to the
    lowest target index.
    """
    n = util.shape[0]
    p, g = own_challenge_terms(util, weight, total_salience, rule, commit)
    np.fill_diagonal(g, -np.inf)
    target = np.argmax(g, axis=1)
    best = g[np.arange(n), target]
    ok = best > MIN_SIGNIFICANT_GAIN
    return (
        np.where(ok, target, -1).astype(np.int64),
        np.where(ok, p[np.arange(n), target], 0.0),
        np.where(ok, best, 0.0),
    )


# --------------------------------------------------------------------------------------------------
# Bargains


def _round4(x: FloatArray) -> FloatArray:
    return np.floor(0.5 + x * 10000.0) / 10000.0


def interpolate_bargain(
    xi: FloatArray, si: FloatArray, pi: float, xj: FloatArray, sj: FloatArray, pj: float, rule: str
) -> tuple[FloatArray, FloatArray]:
    """The positions (b_i, b_j) that a bargain between i and j proposes (KTAB ``interpolateBrgn``).

    S1P1 / S2P2: per dimension w_i = s_ik^n p_i^n, w_j = s_jk^n p_j^n (n = 1 or 2),
    b_i = ((w_i + 1e-6) x_i + w_j x_j)/(w_i + w_j + 1e-6), b_j = (w_i x_i + (w_j + 1e-6) x_j)/(...),
    rounded to 4 decimals. S2PMax: only the side with the lower probability moves, by
    d = gap s_other^2 / (gap s_other^2 + 1e-6 + (1 - gap) s_own^2) of the distance.
    """
    if rule == "S2PMax":
        di, dj = max(0.0, pj - pi), max(0.0, pi - pj)
        si2, sj2 = si**2, sj**2
        fi = di * sj2 / (di * sj2 + MIN_BARGAIN_WEIGHT + (1 - di) * si2)
        fj = dj * si2 / (dj * si2 + MIN_BARGAIN_WEIGHT + (1 - dj) * sj2)
        return xi + fi * (xj - xi), xj + fj * (xi - xj)
    e = 1 if rule == "S1P1" else 2
    wi, wj = si**e * pi**e, sj**e * pj**e
    den = wi + MIN_BARGAIN_WEIGHT + wj
    return (
        _round4(((wi + MIN_BARGAIN_WEIGHT) * xi + wj * xj) / den),
        _round4((wi * xi + (MIN_BARGAIN_WEIGHT + wj) * xj) / den),
    )


@dataclass(frozen=True)
class Bargain:
    """A proposed bargain: initiator ``init`` moves to ``pos_init``, receiver ``rcvr`` to ``pos_rcvr``."""

    init: int
    rcvr: int
    pos_init: FloatArray
    pos_rcvr: FloatArray


def bargain_utilities(
    x: FloatArray, sal: FloatArray, risk: FloatArray, util_own: FloatArray, bargains: list[Bargain]
) -> tuple[FloatArray, FloatArray]:
    """Every actor's value of the status quo and of each bargain (KTAB ``doBCN`` brgnUtil).

    Value to actor a = (1/N) sum over all actors n of a's utility (own risk attitude) for n's
    position after the bargain; only the two principals' positions change. ``util_own[a, n]`` is
    a's utility for n's current position. Returns (status quo (N,), bargains (N, B)).

    Each value is the sum of its N utilities, formed the same way for the status quo and for every
    bargain (as KTAB does), not base - u(init) - u(rcvr) + u(new): a bargain that leaves an actor's
    utilities unchanged then has exactly the status quo's value, and the Binary voting rule, which
    turns any difference above 1e-8 of a vote into a full vote, sees an exact tie rather than 1e-16
    of rounding noise. Bargains are taken in blocks so that memory stays O(N^2 + BLOCK).
    """
    n = x.shape[0]
    rows = np.ascontiguousarray(util_own)
    base = rows[:, None, :].sum(axis=2)[:, 0]
    if not bargains:
        return base / n, np.zeros((n, 0))
    bi = np.array([b.init for b in bargains])
    br = np.array([b.rcvr for b in bargains])
    pos = np.concatenate([np.array([b.pos_init for b in bargains]), np.array([b.pos_rcvr for b in bargains])])
    pu = utility(salience_distance(x, pos, sal), risk[:, None])
    nb = len(bargains)
    vals = np.empty((n, nb))
    block = max(1, _GRID_BLOCK // max(1, n * n))
    for lo in range(0, nb, block):
        hi = min(nb, lo + block)
        m = np.arange(hi - lo)
        after = np.repeat(rows[:, None, :], hi - lo, axis=1)  # after[a, m, n] = U_a(x_n after m)
        after[:, m, bi[lo:hi]] = pu[:, lo:hi]
        after[:, m, br[lo:hi]] = pu[:, nb + lo : nb + hi]
        vals[:, lo:hi] = after.sum(axis=2)
    return base / n, vals / n


# --------------------------------------------------------------------------------------------------
# The run


@dataclass(frozen=True)
class _Settings:
    voting_rule: str
    victory_prob_model: str
    pce_model: str
    state_transitions: str
    big_r_adjust: str
    big_r_range: str
    third_party_commit: str
    inter_vec_brgn: str
    bargn_model: str


def _unique_classes(x: FloatArray, tol: float) -> tuple[IntArray, IntArray]:
    """Indices of unique positions (first of each equivalence, KTAB ueIndices) and each actor's class.

    Positions are equivalent when their Euclidean distance is below ``tol``; an actor's class is the
    last unique position it is equivalent to (KTAB ``State::posProb``).
    """
    close = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2) < tol
    uniq: list[int] = []
    for a in range(x.shape[0]):
        if not any(close[a, u] for u in uniq):
            uniq.append(a)
    u = np.array(uniq, dtype=np.int64)
    cls = np.array([int(np.nonzero(close[a, u])[0][-1]) for a in range(x.shape[0])], dtype=np.int64)
    return u, cls


@dataclass(frozen=True)
class _Assessment:
    risk: FloatArray
    util: FloatArray  # (h, a, b)
    unique: IntArray
    prob_unique: FloatArray
    prob_actor: FloatArray


_NO_UTIL: FloatArray = np.empty((0, 0, 0))


def _assess(x: FloatArray, sal: FloatArray, cap: FloatArray, st: _Settings, pos_tol: float) -> _Assessment:
    dist = salience_distance(x, x, sal)
    risk = risk_attitudes(dist, cap, st.voting_rule, st.victory_prob_model, st.pce_model, st.big_r_range)
    util = perspective_utilities(dist, risk, st.big_r_adjust)
    uniq, cls = _unique_classes(x, pos_tol)
    own = util[np.arange(x.shape[0]), np.arange(x.shape[0]), :]
    # KTAB SMPState::pDist reports with proportional voting whatever the model's voting rule.
    p = scalar_pce(cap, own[:, uniq], "Prop", st.victory_prob_model, st.pce_model)
    return _Assessment(risk, util, uniq, p, p[cls])


def _propose(
    x: FloatArray, sal: FloatArray, cap: FloatArray, a: _Assessment, st: _Settings
) -> tuple[list[list[Bargain]], list[Bargain]]:
    """Each actor's queue of bargains (initiated or received, in initiator order; the status quo is
    implicit and comes first) and the list of distinct bargains (KTAB ``doBCN``, first half)."""
    n = x.shape[0]
    total = sal.sum(axis=1)
    weight = cap * total
    target, phi, _ = best_challenges(a.util, weight, total, st.voting_rule, st.third_party_commit)
    queues: list[list[Bargain]] = [[] for _ in range(n)]
    made: list[Bargain] = []
    for i in range(n):
        j = int(target[i])
        if j < 0:
            continue
        p_i = float(phi[i])
        bi, bj = interpolate_bargain(x[i], sal[i], p_i, x[j], sal[j], 1 - p_i, st.inter_vec_brgn)
        own_view = Bargain(i, j, bi, bj)
        if st.bargn_model == "InitOnlyInterp":
            offered = [own_view]
        else:
            one = np.array([j])
            pj_est = float(
                challenge_terms(
                    a.util,
                    one,
                    np.array([i]),
                    np.array([i]),
                    one,
                    weight,
                    total,
                    st.voting_rule,
                    st.third_party_commit,
                )[0][0]
            )
            ci, cj = interpolate_bargain(x[i], sal[i], pj_est, x[j], sal[j], 1 - pj_est, st.inter_vec_brgn)
            their_view = Bargain(i, j, ci, cj)
            if st.bargn_model == "InitRcvrInterp":
                offered = [own_view, their_view]
            else:
                wi, wj = (weight[i], weight[j]) if weight[i] + weight[j] > 0 else (1.0, 1.0)
                offered = [Bargain(i, j, (wi * bi + wj * ci) / (wi + wj), (wi * bj + wj * cj) / (wi + wj))]
        for b in offered:
            queues[i].append(b)
            queues[j].append(b)
            made.append(b)
    return queues, made


def _resolve(
    x: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    a: _Assessment,
    queues: list[list[Bargain]],
    made: list[Bargain],
    st: _Settings,
    rng: np.random.Generator,
) -> tuple[FloatArray, list[int]]:
    """New positions: each actor's queue is put to a PCE and the actor takes its side of the winner."""
    n = x.shape[0]
    own = a.util[np.arange(n), np.arange(n), :]
    sq, vals = bargain_utilities(x, sal, a.risk, own, made)
    index = {id(b): m for m, b in enumerate(made)}
    new = x.copy()
    chosen: list[int] = []
    for k in range(n):
        cols = [index[id(b)] for b in queues[k]]
        u = np.column_stack([sq, vals[:, cols]]) if cols else sq[:, None]
        p = scalar_pce(cap, u, st.voting_rule, st.victory_prob_model, st.pce_model)
        m = (
            int(np.argmax(p))
            if st.state_transitions == "Deterministic"
            else int(rng.choice(len(p), p=p / p.sum()))
        )
        chosen.append(m)
        if m > 0:
            b = queues[k][m - 1]
            new[k] = b.pos_init if b.init == k else b.pos_rcvr
    return new, chosen


def _state_distance(x0: FloatArray, x1: FloatArray) -> float:
    return float(np.linalg.norm(x1 - x0, axis=1).sum())


def run(
    space: IssueSpace,
    *,
    voting_rule: str = "Prop",
    victory_prob_model: str = "Linear",
    pce_model: str = "Conditional",
    state_transitions: str = "Deterministic",
    big_r_adjust: str = "OneThird",
    big_r_range: str = "Mid",
    third_party_commit: str = "SemiCommit",
    inter_vec_brgn: str = "S2P2",
    bargn_model: str = "InitOnlyInterp",
    max_turns: int = 100,
    min_turns: int = 2,
    min_delta_ratio: float = 0.02,
    min_sig_delta: float = 1e-4,
    pos_tol: float = 1e-3,
    seed: int | None = None,
) -> ForecastResult:
    """Run the KTAB SMP on ``space`` until the stopping rule holds; every default is KTAB's.

    Parameters (KTAB names, case-insensitive): ``voting_rule`` Binary|PropBin|Prop|PropCbc|Cubic|
    ASymProsp; ``victory_prob_model`` Linear|Square|Quartic|Octic|Binary; ``pce_model`` Conditional|
    MarkovIncentive|MarkovUniform; ``state_transitions`` Deterministic|Stochastic (numpy draws with
    ``seed``); ``big_r_adjust`` None|OneThird|Half|TwoThirds|Full; ``big_r_range`` Min|Mid|Max;
    ``third_party_commit`` NoCommit|SemiCommit|FullCommit; ``inter_vec_brgn`` S1P1|S2P2|S2PMax;
    ``bargn_model`` InitOnlyInterp|InitRcvrInterp|PWCompInterp. Stop at turn t when t >= max_turns,
    or t >= min_turns and the movement of turn t is below ``min_delta_ratio`` of the first turn's
    (plus ``min_sig_delta``). Positions closer than ``pos_tol`` (on [0, 1]) count as one option in
    the reported probabilities.

    Raises ``InputError`` for an unknown parameter value or an actor whose saliences sum above 100.
    """
    st = _Settings(
        *(
            _choice(f, v)
            for f, v in (
                ("voting_rule", voting_rule),
                ("victory_prob_model", victory_prob_model),
                ("pce_model", pce_model),
                ("state_transitions", state_transitions),
                ("big_r_adjust", big_r_adjust),
                ("big_r_range", big_r_range),
                ("third_party_commit", third_party_commit),
                ("inter_vec_brgn", inter_vec_brgn),
                ("bargn_model", bargn_model),
            )
        )
    )
    check_numbers(space, "smp", on_scale=True)
    check("smp", space.n_actors, space.n_dims, {"max_turns": max_turns})
    if max_turns < 1 or min_turns < 1:
        raise _param_error("max_turns", "max_turns and min_turns must be at least 1")
    totals = space.salience.sum(axis=1)
    over = [f"{a} ({t:g})" for a, t in zip(space.actors, totals, strict=True) if t > 100 + 1e-9]
    if over:
        raise InputError(
            [
                Problem(
                    space.name or "issue space",
                    None,
                    "salience",
                    "SMP needs each actor's saliences to sum to at most 100 over the dimensions "
                    f"(KTAB: share of attention); too high: {', '.join(over)}",
                )
            ]
        )
    low = np.array([lo for lo, _ in space.scale])
    span = np.array([hi - lo for lo, hi in space.scale])
    span = np.where(span > 0, span, 1.0)
    x = (space.positions - low) / span
    sal = space.salience / 100.0
    cap = scaled_capability(space.capability.astype(np.float64))
    rng = np.random.default_rng(seed)

    history = [x]
    assessments = [_assess(x, sal, cap, st, pos_tol)]
    chosen_log: list[list[dict[str, object]]] = []
    first = 0.0
    t = 0
    while True:
        t += 1
        queues, made = _propose(x, sal, cap, assessments[-1], st)
        x, chosen = _resolve(x, sal, cap, assessments[-1], queues, made, st, rng)
        chosen_log.append(
            [
                {"actor": space.actors[k], "bargain": None}
                if m == 0
                else {
                    "actor": space.actors[k],
                    "bargain": (space.actors[queues[k][m - 1].init], space.actors[queues[k][m - 1].rcvr]),
                }
                for k, m in enumerate(chosen)
            ]
        )
        history.append(x)
        # Only the current turn's (n, n, n) utilities are needed: keep the small parts of the
        # earlier turns, so that memory stays flat over the turns.
        assessments[-1] = replace(assessments[-1], util=_NO_UTIL)
        assessments.append(_assess(x, sal, cap, st, pos_tol))
        step = _state_distance(history[-2], history[-1])
        if t == 1:
            first = step
        if t >= max_turns or (t >= min_turns and step / (first + min_sig_delta) < min_delta_ratio):
            break

    rounds = np.array(history) * span + low
    by_round = np.array([a.prob_unique @ h[a.unique] for a, h in zip(assessments, rounds, strict=True)])
    most = np.array(
        [h[a.unique[int(np.argmax(a.prob_unique))]] for a, h in zip(assessments, rounds, strict=True)]
    )
    params: dict[str, object] = {
        **{f: getattr(st, f) for f in CHOICES},
        "max_turns": max_turns,
        "min_turns": min_turns,
        "min_delta_ratio": min_delta_ratio,
        "min_sig_delta": min_sig_delta,
        "pos_tol": pos_tol,
        "seed": seed,
    }
    details: dict[str, object] = {
        "turns": t,
        "position_probability": np.array([a.prob_actor for a in assessments]),
        "most_probable_position": most,
        "risk_attitude": np.array([a.risk for a in assessments]),
        "chosen_bargains": chosen_log,
        "outcome_definition": "PCE-probability-weighted mean of the unique positions (KTAB pDist)",
    }
    return ForecastResult("smp", space, rounds, by_round[-1], by_round, params, details)


__all__ = [
    "CHOICES",
    "Bargain",
    "bargain_utilities",
    "best_challenges",
    "challenge_terms",
    "challenge_terms_loop",
    "coalitions",
    "estimated_risk",
    "interpolate_bargain",
    "own_challenge_terms",
    "pce",
    "perspective_utilities",
    "risk_attitudes",
    "risk_from_probability",
    "run",
    "salience_distance",
    "scalar_pce",
    "utility",
    "victory_probability",
    "vote",
]
