"""The blend: the outcome is one of a few candidate points of the issue, chosen by a fitted logit.

Outcomes of legislative bargaining cluster at points the actors name: in DEU III (Arregui &
Perarnaud 2021) 65 % of the outcomes equal an actor's position or the reference point. The blend
therefore forecasts with a probability over the issue's *candidates* (on the scale mapped to 0-100):

* every position an actor holds,
* the reference point (status quo) when it is known,
* the capability x salience weighted mean (the compromise model, Achen 2006).

Candidate c of an issue has the features z(c) of ``FEATURES`` (who holds it, how much weight is on
either side of it, whether it is the reference point or an end of the scale) and the probability

    P(c) = exp(β · z(c)) / Σ_c' exp(β · z(c'))        (conditional logit, McFadden 1974).

The forecast is the weighted median of the candidates under P: the point that minimises the
expected absolute error if the outcome is one of the candidates (the error the back-test scores).

β maximises the penalised log-likelihood Σ_i Σ_c t_ic log P_i(c) − λ |β|², where the observed
outcome y_i is split between the two candidates that bracket it by linear interpolation
(t = 1 on a candidate it equals; an outcome beyond every candidate goes to the nearest one).
λ is chosen from ``LAMBDAS`` by k-fold cross-validation inside the training data, so the outer
folds of a back-test (``detente.forecast.backtest``) give honest out-of-fold errors.

The Commission (``COM``) and the European Parliament (``EP``) are DEU's institutional actors
(``INSTITUTIONS``); every other actor counts as a member of the Council. On a space without them
the institutional features are 0 and the Council is every actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from detente.forecast.models.median import weighted_median
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

FEATURES: tuple[str, ...] = (
    "support",
    "council_support",
    "actor_share",
    "imbalance",
    "council_imbalance",
    "reference",
    "commission",
    "parliament",
    "distance_to_mean",
    "compromise",
    "scale_end",
    "midpoint",
)
"""Features of a candidate c (weights are shares of the issue's total; positions on 0-100):

support: capability x salience share of the actors at c; council_support: capability share of the
Council members at c; actor_share: share of the actors at c; imbalance: |W(< c) − W(> c)| with
capability x salience shares W (0 at the weighted median); council_imbalance: the same with the
Council members' capability shares; reference, commission, parliament: 1 if c is the reference
point, the Commission's or the Parliament's position; distance_to_mean: |c − weighted mean| / 100;
compromise: 1 if c is the weighted mean and no actor holds it; scale_end: 1 if c is 0 or 100;
midpoint: 1 if c is 50."""
INSTITUTIONS: tuple[str, str] = ("COM", "EP")
LAMBDAS: tuple[float, ...] = (0.3, 1.0, 3.0)
"""Penalty grid searched by the inner cross-validation."""
TOL = 1e-6
"""Two points closer than this (on 0-100) are the same candidate."""


@dataclass(frozen=True, eq=False)
class Candidates:
    """The sorted candidate points (m,) of one issue dimension on 0-100 and their features (m, p)."""

    points: FloatArray
    features: FloatArray


def lower_median(x: FloatArray, w: FloatArray) -> float:
    """The lower weighted median (:func:`~detente.forecast.models.median.weighted_median`, tie lower)."""
    return weighted_median(x, w, tie="lower")


def to_percent(space: IssueSpace, dim: int, value: float) -> float:
    """``value`` on dimension ``dim``'s scale mapped to 0-100."""
    lo, hi = space.scale[dim]
    return (float(value) - lo) / (hi - lo) * 100.0


def _shares(w: FloatArray, fallback: FloatArray) -> FloatArray:
    """``w`` divided by its total, or ``fallback`` so divided when ``w`` has no positive weight."""
    base = w if w.sum() > 0 else fallback
    out: FloatArray = base / base.sum()
    return out


def candidates(space: IssueSpace, dim: int = 0) -> Candidates:
    """The candidates of dimension ``dim`` and their ``FEATURES`` (definitions in the module doc)."""
    lo, hi = space.scale[dim]
    x = (space.positions[:, dim] - lo) / (hi - lo) * 100.0
    w = _shares(space.capability * space.salience[:, dim], space.capability)
    council = np.array([a not in INSTITUTIONS for a in space.actors])
    cw = _shares(np.where(council, space.capability, 0.0), np.ones(len(x)))
    mean = float(w @ x)
    ref = None if space.status_quo is None else to_percent(space, dim, space.status_quo[dim])
    raw = np.concatenate([x, [mean] if ref is None else [mean, ref]])
    raw = np.sort(raw)
    pts = raw[np.concatenate([[True], np.diff(raw) > TOL])]
    at = np.abs(pts[:, None] - x[None, :]) <= TOL  # (m, n): actor j holds candidate c
    below = x[None, :] < pts[:, None] - TOL
    above = x[None, :] > pts[:, None] + TOL

    def holds(actor: str) -> FloatArray:
        held = at[:, space.actors.index(actor)] if actor in space.actors else np.zeros(len(pts), bool)
        col: FloatArray = held.astype(np.float64)
        return col

    z = np.column_stack(
        [
            at @ w,
            at @ cw,
            at.mean(axis=1),
            np.abs(below @ w - above @ w),
            np.abs(below @ cw - above @ cw),
            np.zeros(len(pts)) if ref is None else (np.abs(pts - ref) <= TOL).astype(np.float64),
            holds(INSTITUTIONS[0]),
            holds(INSTITUTIONS[1]),
            np.abs(pts - mean) / 100.0,
            ((np.abs(pts - mean) <= TOL) & ~at.any(axis=1)).astype(np.float64),
            ((np.abs(pts) <= TOL) | (np.abs(pts - 100.0) <= TOL)).astype(np.float64),
            (np.abs(pts - 50.0) <= TOL).astype(np.float64),
        ]
    )
    return Candidates(pts, z)


def targets(points: FloatArray, outcome: float) -> FloatArray:
    """The outcome split over the sorted ``points``: linear interpolation between the two that
    bracket it (1 on a point it equals; all on the nearest point when it lies beyond them all)."""
    t = np.zeros(len(points))
    k = int(np.searchsorted(points, outcome - TOL))  # the first point >= outcome (within TOL)
    if k == len(points):
        t[-1] = 1.0
    elif k == 0 or points[k] - outcome <= TOL:
        t[k] = 1.0
    else:
        a, b = points[k - 1], points[k]
        t[k - 1], t[k] = (b - outcome) / (b - a), (outcome - a) / (b - a)
    return t


def probabilities(c: Candidates, beta: FloatArray) -> FloatArray:
    """P(c) = exp(β · z(c)) / Σ exp(β · z(c')) over the candidates."""
    u = c.features @ beta
    e = np.exp(u - u.max())
    out: FloatArray = e / e.sum()
    return out


def forecast(c: Candidates, beta: FloatArray) -> float:
    """The weighted median of the candidate points under their probabilities (0-100)."""
    return lower_median(c.points, probabilities(c, beta))


def fit(issues: Sequence[Candidates], outcomes: FloatArray, lam: float) -> FloatArray:
    """β maximising Σ_i Σ_c t_ic log P_i(c) − λ|β|² (``targets`` t), by L-BFGS from β = 0."""
    z = np.vstack([c.features for c in issues])
    t = np.concatenate([targets(c.points, float(y)) for c, y in zip(issues, outcomes, strict=True)])
    group = np.repeat(np.arange(len(issues)), [len(c.points) for c in issues])
    n = len(issues)

    def loss(beta: FloatArray) -> tuple[float, FloatArray]:
        u = z @ beta
        top = np.full(n, -np.inf)
        np.maximum.at(top, group, u)
        e = np.exp(u - top[group])
        total = np.bincount(group, e, n)
        log_p = u - top[group] - np.log(total[group])
        p = e / total[group]
        value = -float(t @ log_p) + lam * float(beta @ beta)
        grad: FloatArray = -z.T @ (t - p) + 2.0 * lam * beta
        return value, grad

    res = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B")
    beta: FloatArray = res.x
    return beta


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    """A random partition of range(n) into k folds of near-equal size (numpy Generator ``seed``)."""
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(f) for f in np.array_split(order, k)]


def choose_lambda(issues: Sequence[Candidates], y: FloatArray, k: int = 5, seed: int = 0) -> float:
    """The λ of ``LAMBDAS`` with the least k-fold cross-validated mean absolute error on the issues."""
    errors = []
    parts = folds(len(y), k, seed)
    for lam in LAMBDAS:
        err = 0.0
        for test in parts:
            train = np.setdiff1d(np.arange(len(y)), test)
            beta = fit([issues[i] for i in train], y[train], lam)
            err += sum(abs(forecast(issues[i], beta) - y[i]) for i in test)
        errors.append(err)
    return LAMBDAS[int(np.argmin(errors))]


@dataclass(frozen=True)
class Blend:
    """A fitted blend: logit coefficients over ``FEATURES`` and the penalty they were fitted with."""

    beta: FloatArray
    lam: float

    def run(self, space: IssueSpace) -> ForecastResult:
        """The forecast per dimension, mapped back to each dimension's scale.

        ``details["candidates"]`` lists, per dimension, every candidate (0-100) with its probability.
        """
        cands = [candidates(space, k) for k in range(space.n_dims)]
        pred = np.array(
            [
                lo + (hi - lo) * forecast(c, self.beta) / 100.0
                for c, (lo, hi) in zip(cands, space.scale, strict=True)
            ]
        )
        return ForecastResult(
            model="blend",
            space=space,
            rounds=space.positions[None, :, :].copy(),
            outcome=pred,
            outcome_by_round=pred[None, :].copy(),
            params={"beta": dict(zip(FEATURES, self.beta.tolist(), strict=True)), "lambda": self.lam},
            details={
                "candidates": [
                    dict(zip(c.points.tolist(), probabilities(c, self.beta).tolist(), strict=True))
                    for c in cands
                ]
            },
        )


def train(spaces: Sequence[IssueSpace], outcomes: FloatArray, k: int = 5, seed: int = 0) -> Blend:
    """Fit a blend on one-dimensional ``spaces`` with observed ``outcomes`` (on each space's scale).

    λ by ``k``-fold cross-validation on these data, then β on all of them with that λ.
    """
    issues = [candidates(s) for s in spaces]
    y = np.array([to_percent(s, 0, o) for s, o in zip(spaces, outcomes, strict=True)])
    lam = choose_lambda(issues, y, k, seed)
    return Blend(fit(issues, y, lam), lam)
