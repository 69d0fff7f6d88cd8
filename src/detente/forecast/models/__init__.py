"""Registry of the forecast models, imported lazily by name, and the plumbing they share.

Each model module ``detente.forecast.models.<name>`` exposes
``run(space: IssueSpace, **params) -> ForecastResult`` whose keyword parameters have documented
defaults. ``get(name)`` imports the module on first use, so importing this package stays cheap and a
model costs nothing until it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np

from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

MODEL_NAMES: tuple[str, ...] = ("compromise", "median", "nash", "eum", "smp", "exchange")

ModelRun = Callable[..., ForecastResult]
"""The type of every model's ``run``: ``run(space, **params) -> ForecastResult``."""


def get(name: str) -> ModelRun:
    """The ``run`` function of model ``name`` (one of ``MODEL_NAMES``).

    Raises ``ValueError`` naming the known models when ``name`` is not one of them.
    """
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown forecast model {name!r}; known models: {', '.join(MODEL_NAMES)}")
    module = importlib.import_module(f"{__name__}.{name}")
    run: ModelRun = module.run
    return run


def run_model(name: str, space: IssueSpace, **params: object) -> ForecastResult:
    """Run model ``name`` on ``space`` with keyword ``params`` (see each model's ``run``)."""
    return get(name)(space, **params)


def scaled_capability(capability: FloatArray) -> FloatArray:
    """``capability`` times the power of two that brings its largest entry into [0.5, 1).

    Every model uses capabilities only through ratios and comparisons, and scaling by a power of two
    is exact in floating point, so results are bit-for-bit those of the unscaled input, while sums of
    capabilities near the largest float (1e308) no longer overflow to inf (and then NaN). Capabilities
    whose largest entry lies in [1e-100, 1e100] are returned unchanged.
    """
    top = float(np.max(capability)) if capability.size else 0.0
    if not np.isfinite(top) or top <= 0 or 1e-100 <= top <= 1e100:
        return capability  # ordinary magnitudes are left exactly as they are
    _, exponent = np.frexp(top)
    scaled: FloatArray = np.ldexp(capability, -int(exponent))
    return scaled


def check_numbers(space: IssueSpace, model: str, *, on_scale: bool = False) -> None:
    """Refuse with ``ValueError`` an issue space no model can compute on: a capability, position or
    salience that is not finite, or positions so far apart that their distance overflows; with
    ``on_scale`` (models that map each scale to [0, 1]) also positions more than 1e100 scale widths
    outside their dimension's scale, or a scale whose width is not finite."""
    for name, values in (
        ("capabilities", space.capability),
        ("positions", space.positions),
        ("saliences", space.salience),
    ):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{model}: {name} must be finite numbers")
    with np.errstate(over="ignore"):
        span = space.positions.max(axis=0) - space.positions.min(axis=0)
    if not np.all(np.isfinite(span)) or np.any(span > 1e300):
        raise ValueError(
            f"{model}: positions lie {float(span.max()):.3g} apart, beyond what the model can compute on; "
            "rescale the positions (e.g. to 0-100)"
        )
    if on_scale:
        low = np.array([lo for lo, _ in space.scale], dtype=np.float64)
        with np.errstate(over="ignore"):
            width = np.array([hi - lo for lo, hi in space.scale], dtype=np.float64)
            width = np.where(width > 0, width, 1.0)
            far = np.abs(space.positions - low) / width
        if not np.all(np.isfinite(width)) or not np.all(np.isfinite(far)) or np.any(far > 1e100):
            raise ValueError(
                f"{model}: positions lie far outside their dimension's scale (or a scale is not finite); "
                "give each dimension a scale that contains its positions"
            )


def stack_dimensions(
    space: IssueSpace,
    run_1d: Callable[[IssueSpace], ForecastResult],
    model: str,
    params: dict[str, object],
) -> ForecastResult:
    """Run a one-dimensional model on each dimension of ``space`` separately and stack the results.

    Dimension k is run on ``space.dimension(k)`` (that dimension's positions and saliences, the
    common capabilities). Runs that stop early (a fixed point) are padded by repeating their last
    round, which is what further rounds would give. ``details["by_dimension"]`` maps each dimension
    name to its run's details.
    """
    results = [run_1d(space.dimension(k)) for k in range(space.n_dims)]
    if len(results) == 1:
        r = results[0]
        return ForecastResult(model, space, r.rounds, r.outcome, r.outcome_by_round, params, r.details)
    t_max = max(r.rounds.shape[0] for r in results)

    def pad(a: FloatArray) -> FloatArray:
        return np.concatenate([a, np.repeat(a[-1:], t_max - a.shape[0], axis=0)], axis=0)

    return ForecastResult(
        model=model,
        space=space,
        rounds=np.concatenate([pad(r.rounds) for r in results], axis=2),
        outcome=np.concatenate([r.outcome for r in results]),
        outcome_by_round=np.concatenate([pad(r.outcome_by_round) for r in results], axis=1),
        params=params,
        details={"by_dimension": {space.dimensions[k]: r.details for k, r in enumerate(results)}},
    )


__all__ = [
    "MODEL_NAMES",
    "ModelRun",
    "check_numbers",
    "get",
    "run_model",
    "scaled_capability",
    "stack_dimensions",
]
