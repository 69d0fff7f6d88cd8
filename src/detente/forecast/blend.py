"""A shrunk blend: the weighted mean, corrected by a few other summaries of the issue, fitted by CV.

Prediction on each dimension: ŷ = clip(β · f, scale), where f holds

* 1 (intercept), the capability x salience weighted mean (the compromise model, Achen 2006),
* the capability x salience weighted median (Black 1948),
* the unweighted mean of the positions,
* the reference point (status quo) and an indicator that it is known (the weighted mean stands
  in for it when it is not),

all expressed on the dimension's scale mapped to 0-100. β minimises the absolute error plus a
lasso penalty that shrinks β towards the plain weighted mean (β₀ = (0, 1, 0, 0, 0, 0)):
Σ_i |y_i − β·f_i| + λ Σ_j |β_j − β₀_j| (least absolute deviations, Koenker & Bassett 1978; an L1
penalty on the deviation from a prior model, Tibshirani 1996). λ is chosen by k-fold
cross-validation inside the training data, so the outer folds of a back-test give honest
out-of-fold errors. With λ → ∞ the blend is exactly the compromise model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

FEATURES: tuple[str, ...] = (
    "intercept",
    "weighted_mean",
    "weighted_median",
    "mean",
    "reference",
    "has_reference",
)
PRIOR = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0])
"""The coefficients of the plain weighted mean, towards which the fit is shrunk."""
LAMBDAS: tuple[float, ...] = (1.0, 5.0, 20.0, 80.0, 320.0)
"""Penalty grid searched by the inner cross-validation."""


def weighted_median(x: FloatArray, w: FloatArray) -> float:
    """The lower weighted median: the smallest x_k with Σ_{x_i <= x_k} w_i >= Σ w / 2 (Black 1948)."""
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2.0)])


def to_percent(space: IssueSpace, dim: int, value: float) -> float:
    """``value`` on dimension ``dim``'s scale mapped to 0-100."""
    lo, hi = space.scale[dim]
    return (float(value) - lo) / (hi - lo) * 100.0


def features(space: IssueSpace, dim: int = 0) -> FloatArray:
    """The feature vector f (see ``FEATURES``) of dimension ``dim``, positions mapped to 0-100."""
    lo, hi = space.scale[dim]
    x = (space.positions[:, dim] - lo) / (hi - lo) * 100.0
    w = space.capability * space.salience[:, dim] / 100.0
    if not w.sum() > 0:
        w = space.capability.copy()
    mean_w = float((w * x).sum() / w.sum())
    ref = None if space.status_quo is None else to_percent(space, dim, space.status_quo[dim])
    return np.array(
        [
            1.0,
            mean_w,
            weighted_median(x, w),
            float(x.mean()),
            mean_w if ref is None else ref,
            0.0 if ref is None else 1.0,
        ]
    )


def fit(x: FloatArray, y: FloatArray, lam: float) -> FloatArray:
    """β minimising Σ|y − Xβ| + λ Σ|β − PRIOR| (a linear programme, solved with HiGHS)."""
    n, p = x.shape
    # variables: residual parts u, v >= 0 (n each), deviation parts a, b >= 0 (p each); β = PRIOR + a - b
    cost = np.concatenate([np.ones(2 * n), np.full(2 * p, lam)])
    a_eq = np.hstack([np.eye(n), -np.eye(n), x, -x])
    b_eq = y - x @ PRIOR
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if not res.success:
        raise RuntimeError(f"blend fit failed: {res.message}")
    z = res.x
    beta: FloatArray = PRIOR + z[2 * n : 2 * n + p] - z[2 * n + p :]
    return beta


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    """A random partition of range(n) into k folds of near-equal size (numpy Generator ``seed``)."""
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(f) for f in np.array_split(order, k)]


def predict(x: FloatArray, beta: FloatArray) -> FloatArray:
    """Xβ clipped to the 0-100 scale."""
    out: FloatArray = np.clip(x @ beta, 0.0, 100.0)
    return out


def choose_lambda(x: FloatArray, y: FloatArray, k: int = 5, seed: int = 0) -> float:
    """The λ of ``LAMBDAS`` with the least k-fold cross-validated mean absolute error on (x, y)."""
    errors = []
    parts = folds(len(y), k, seed)
    for lam in LAMBDAS:
        err = 0.0
        for test in parts:
            train = np.setdiff1d(np.arange(len(y)), test)
            err += float(np.abs(predict(x[test], fit(x[train], y[train], lam)) - y[test]).sum())
        errors.append(err)
    return LAMBDAS[int(np.argmin(errors))]


@dataclass(frozen=True)
class Blend:
    """A fitted blend: coefficients over ``FEATURES`` and the penalty they were fitted with."""

    beta: FloatArray
    lam: float

    def run(self, space: IssueSpace) -> ForecastResult:
        """Blend prediction per dimension, mapped back to each dimension's scale."""
        pred = np.array(
            [
                lo + (hi - lo) * float(predict(features(space, k)[None, :], self.beta)[0]) / 100.0
                for k, (lo, hi) in enumerate(space.scale)
            ]
        )
        return ForecastResult(
            model="blend",
            space=space,
            rounds=space.positions[None, :, :].copy(),
            outcome=pred,
            outcome_by_round=pred[None, :].copy(),
            params={"beta": dict(zip(FEATURES, self.beta.tolist(), strict=True)), "lambda": self.lam},
        )


def train(spaces: Sequence[IssueSpace], outcomes: FloatArray, k: int = 5, seed: int = 0) -> Blend:
    """Fit a blend on one-dimensional ``spaces`` with observed ``outcomes`` (0-100 after scaling).

    λ by ``k``-fold cross-validation on these data, then β on all of them with that λ.
    """
    x = np.array([features(s) for s in spaces])
    y = np.array([to_percent(s, 0, o) for s, o in zip(spaces, outcomes, strict=True)])
    lam = choose_lambda(x, y, k, seed)
    return Blend(fit(x, y, lam), lam)
