"""Back-tests: forecast issues whose outcomes are known and score the errors.

Scores, on every dimension's scale mapped to 0-100 (DEU III is already 0-100):

* MAE: mean absolute error |forecast − outcome| (the measure of Thomson et al. 2006, *The European
  Union Decides*, and of Arregui & Perarnaud's DEU III comparisons);
* median absolute error;
* hit rate: the share of issues forecast within ``within`` points (default 10) of the outcome.

A model with no fitted parameters is run once per issue. The blend (``detente.forecast.blend``)
fits its parameters, so it is scored by k-fold cross-validation: each fold's forecasts come from a
blend trained on the other folds only (its penalty chosen by an inner cross-validation), and the
scores are those out-of-fold forecasts. An issue on which a model raises ``ValueError``,
``InputError`` or ``ModelTooLargeError`` (e.g. the Nash bargaining model without a reference point,
the exchange model on a single issue) is counted as failed, left out of its scores, and its reason
kept in ``info["failure_reasons"]`` (message -> number of issues).

``backtest_all`` runs several models and never lets one inapplicable model abort the others: it
returns the back-tests of every model that could run on at least one issue and, for each model that
could not, the reason (``Skipped``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from detente.errors import InputError, ModelTooLargeError
from detente.forecast import blend
from detente.forecast.models import get
from detente.forecast.space import Case, FloatArray, IssueSpace

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
        reasons: dict[str, int] = {}
        for i, (_, space, _) in enumerate(items):
            try:
                forecasts[i] = blend.to_percent(space, 0, run(space, **dict(params or {})).outcome[0])
            except (ValueError, InputError, ModelTooLargeError) as exc:
                reason = _reason(exc)
                reasons[reason] = reasons.get(reason, 0) + 1
            if progress is not None:
                progress(i + 1, len(items))
        info = {"params": dict(params or {}), "failure_reasons": reasons}
    return Backtest(model, labels, forecasts, outcomes, within, info)


def _reason(exc: Exception) -> str:
    if isinstance(exc, InputError):
        return "; ".join(p.message for p in exc.problems)
    return str(exc)


@dataclass(frozen=True)
class Skipped:
    """A model that could not be back-tested, and why (the error it gave, or on every issue)."""

    model: str
    reason: str


def backtest_all(
    cases: Sequence[Case],
    models: Sequence[str],
    *,
    params: Mapping[str, Mapping[str, object]] | None = None,
    folds: int = 10,
    seed: int = 0,
    within: float = HIT_WITHIN,
    progress: Callable[[str], Progress | None] | None = None,
) -> tuple[list[Backtest], list[Skipped]]:
    """Back-test every model in ``models`` (``params``: per model name); returns the back-tests of the
    models that ran on at least one issue, in order, and the models that could not run with the reason.

    A model is skipped when it raises ``ValueError``, ``InputError`` or ``ModelTooLargeError`` as a
    whole (e.g. the blend with too few issues) or fails on every issue (e.g. the exchange model, which
    needs two issues, on one-dimensional back-test issues); the reason is the error's message (the
    most frequent one when it failed issue by issue). Raises ``ValueError`` only when no case records
    an outcome.
    """
    if not issues(cases):
        raise ValueError("no case records an observed outcome")
    done: list[Backtest] = []
    skipped: list[Skipped] = []
    for name in models:
        try:
            result = backtest(
                cases,
                name,
                params=(params or {}).get(name),
                folds=folds,
                seed=seed,
                within=within,
                progress=None if progress is None else progress(name),
            )
        except (ValueError, InputError, ModelTooLargeError) as exc:
            skipped.append(Skipped(name, _reason(exc)))
            continue
        if result.failures == len(result.labels):
            reasons = result.info.get("failure_reasons") or {}
            assert isinstance(reasons, dict)
            common = max(reasons, key=lambda r: reasons[r]) if reasons else "it gave no forecast"
            skipped.append(Skipped(name, f"failed on all {len(result.labels)} issues: {common}"))
            continue
        done.append(result)
    return done, skipped


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


def summary(results: Sequence[Backtest], skipped: Sequence[Skipped] = ()) -> pd.DataFrame:
    """One row per model: issues scored, failures, MAE, median absolute error, hit rate; then one row
    per model that could not run (no scores; ``evaluation`` says why)."""
    frame = pd.DataFrame(
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
    if not skipped:
        return frame
    rows = pd.DataFrame(
        [
            {"model": s.model, "issues": 0, "failed": None, "evaluation": f"could not run: {s.reason}"}
            for s in skipped
        ]
    )
    return pd.concat([frame, rows], ignore_index=True) if len(frame) else rows
