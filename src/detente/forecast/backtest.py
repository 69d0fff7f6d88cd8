"""Back-tests: forecast issues whose outcomes are known and score the errors.

Scores, on every dimension's scale mapped to 0-100 (DEU III is already 0-100):

* MAE: mean absolute error |forecast − outcome| (the measure of Thomson et al. 2006, *The European
  Union Decides*, and of Arregui & Perarnaud's DEU III comparisons);
* median absolute error;
* hit rate: the share of issues forecast within ``within`` points (default 10) of the outcome.

A model with no fitted parameters is run once per issue. The blend (``detente.forecast.blend``)
fits its parameters, so it is scored by k-fold cross-validation: each fold's forecasts come from a
blend trained on the other folds only (its penalty chosen by an inner cross-validation), and the
scores are those out-of-fold forecasts. An issue on which a model raises ``ValueError`` (e.g. the
Nash bargaining model without a reference point) is counted as failed and left out of its scores.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from detente.forecast import blend
from detente.forecast.models import get
from detente.forecast.space import FloatArray, IssueSpace
from detente.io.importers import Case

HIT_WITHIN = 10.0
BLEND = "blend"
Progress = Callable[[int, int], None]


@dataclass(frozen=True, eq=False)
class Backtest:
    """Forecasts and outcomes (0-100) of one model on every scored issue dimension."""

    model: str
    labels: tuple[str, ...]
    forecasts: FloatArray  # NaN where the model failed
    outcomes: FloatArray
    within: float = HIT_WITHIN
    info: dict[str, object] = field(default_factory=dict)

    @property
    def errors(self) -> FloatArray:
        ok = ~np.isnan(self.forecasts)
        out: FloatArray = np.abs(self.forecasts[ok] - self.outcomes[ok])
        return out

    @property
    def failures(self) -> int:
        return int(np.isnan(self.forecasts).sum())

    @property
    def mae(self) -> float:
        e = self.errors
        return float(e.mean()) if e.size else math.nan

    @property
    def median_ae(self) -> float:
        e = self.errors
        return float(np.median(e)) if e.size else math.nan

    @property
    def hit_rate(self) -> float:
        e = self.errors
        return float((e <= self.within).mean()) if e.size else math.nan


def issues(cases: Sequence[Case]) -> list[tuple[str, IssueSpace, float]]:
    """(label, one-dimensional space, outcome) for every dimension of every case with an outcome."""
    out = []
    for case in cases:
        if case.outcome is None:
            continue
        for k in range(case.space.n_dims):
            label = case.label if case.space.n_dims == 1 else f"{case.label}/{case.space.dimensions[k]}"
            out.append((label, case.space.dimension(k), float(case.outcome[k])))
    return out


def backtest(
    cases: Sequence[Case],
    model: str,
    *,
    params: Mapping[str, object] | None = None,
    folds: int = 10,
    seed: int = 0,
    within: float = HIT_WITHIN,
    progress: Progress | None = None,
) -> Backtest:
    """Score ``model`` (a registry name, or ``"blend"``) on the cases that record an outcome."""
    items = issues(cases)
    if not items:
        raise ValueError("no case records an observed outcome")
    labels = tuple(label for label, _, _ in items)
    outcomes = np.array([blend.to_percent(s, 0, o) for _, s, o in items])
    if model == BLEND:
        forecasts, info = _blend_out_of_fold(items, folds, seed, progress)
    else:
        run = get(model)
        forecasts = np.full(len(items), np.nan)
        for i, (_, space, _) in enumerate(items):
            with contextlib.suppress(ValueError):
                forecasts[i] = blend.to_percent(space, 0, run(space, **dict(params or {})).outcome[0])
            if progress is not None:
                progress(i + 1, len(items))
        info = {"params": dict(params or {})}
    return Backtest(model, labels, forecasts, outcomes, within, info)


def _blend_out_of_fold(
    items: Sequence[tuple[str, IssueSpace, float]], k: int, seed: int, progress: Progress | None
) -> tuple[FloatArray, dict[str, object]]:
    if len(items) < 2 * k:
        raise ValueError(f"{len(items)} issues are too few for {k}-fold cross-validation")
    spaces = [s for _, s, _ in items]
    y = np.array([o for _, _, o in items])
    forecasts = np.full(len(items), np.nan)
    fitted: list[dict[str, object]] = []
    parts = blend.folds(len(items), k, seed)
    for f, test in enumerate(parts):
        train = np.setdiff1d(np.arange(len(items)), test)
        model = blend.train([spaces[i] for i in train], y[train], k=5, seed=seed)
        for i in test:
            forecasts[i] = blend.to_percent(spaces[i], 0, model.run(spaces[i]).outcome[0])
        fitted.append({"fold": f, "lambda": model.lam, "beta": model.beta.round(4).tolist()})
        if progress is not None:
            progress(f + 1, k)
    return forecasts, {"folds": k, "seed": seed, "features": list(blend.FEATURES), "fits": fitted}


def summary(results: Sequence[Backtest]) -> pd.DataFrame:
    """One row per model: issues scored, failures, MAE, median absolute error, hit rate."""
    return pd.DataFrame(
        [
            {
                "model": r.model,
                "issues": len(r.labels) - r.failures,
                "failed": r.failures,
                "mae": r.mae,
                "median_ae": r.median_ae,
                f"hit_rate_{r.within:g}": r.hit_rate,
                "evaluation": "out-of-fold" if r.model == BLEND else "defaults, nothing fitted",
            }
            for r in results
        ]
    )
