"""The compromise model: the capability x salience weighted mean of the positions.

Achen (2006), "Evaluating political decision-making models", in Thomson et al. (eds.), *The European
Union Decides*, Cambridge UP, ch. 4: the outcome on each issue is sum_i c_i s_i x_i / sum_i c_i s_i.
It is also the issue outcome ("Nash bargaining solution") of Stokman's exchange model.
"""

from __future__ import annotations

import numpy as np

from detente.forecast.space import FloatArray, ForecastResult, IssueSpace


def effective_weights(space: IssueSpace) -> FloatArray:
    """(n, d) weights w_ik = c_i * s_ik / 100: the power actor i brings to bear on dimension k."""
    from detente.forecast.models import scaled_capability

    weights: FloatArray = scaled_capability(space.capability)[:, None] * space.salience / 100.0
    return weights


def weighted_mean(positions: FloatArray, weights: FloatArray) -> FloatArray:
    """Per-dimension weighted mean sum_i w_ik x_ik / sum_i w_ik of (n, d) positions; returns (d,).

    Raises ``ValueError`` when a dimension has no positive weight (no actor cares about it).
    """
    total = weights.sum(axis=0)
    if np.any(total <= 0):
        raise ValueError("every dimension needs an actor with positive capability x salience")
    mean: FloatArray = (weights * positions).sum(axis=0) / total
    return mean


def run(space: IssueSpace) -> ForecastResult:
    """The weighted mean of the input positions on every dimension (one shot: no rounds).

    Capabilities beyond 1e100 (or below 1e-100) are first scaled by a power of two (exact), so that
    their sums cannot overflow.

    Multi-dimensional spaces are handled dimension by dimension, each with its own saliences.
    """
    from detente.forecast.budget import check
    from detente.forecast.models import check_numbers

    check_numbers(space, "compromise")
    check("compromise", space.n_actors, space.n_dims, {})
    outcome = weighted_mean(space.positions, effective_weights(space))
    return ForecastResult(
        model="compromise",
        space=space,
        rounds=space.positions[None, :, :].copy(),
        outcome=outcome,
        outcome_by_round=outcome[None, :].copy(),
        params={},
        details={"weights": effective_weights(space)},
    )
