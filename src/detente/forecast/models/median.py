"""The median model: the capability x salience weighted median of the positions.

Black (1948), "On the rationale of group decision-making", J. Political Economy 56(1): with
single-peaked preferences on a line the median voter's position beats every other in pairwise
votes. With actors voting with weight c_i s_i and utility falling linearly in distance, the
Condorcet winner is the weighted median: the point m that minimises sum_i w_i |x_i - m|, i.e. no
more than half of the total weight lies strictly on either side (Feder 1987 describes Policon's
first model this way; see also Thomson et al. 2006, *The European Union Decides*).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from detente.forecast.models import stack_dimensions
from detente.forecast.models.compromise import effective_weights
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

Tie = Literal["midpoint", "lower", "upper"]
_REL_TOL = 1e-12


def weighted_median(values: FloatArray, weights: FloatArray, tie: Tie = "midpoint") -> float:
    """The weighted median of ``values`` (n,) with non-negative ``weights`` (n,).

    Actors with zero weight are ignored. Sort the rest; with cumulative weights S_1 <= ... <= S_m = W,
    the median is the first x_(k) with S_k >= W/2. When S_k equals W/2 exactly (within a relative
    1e-12) every point of [x_(k), x_(k+1)] minimises sum_i w_i |x_i - m| and ``tie`` picks one:
    "midpoint" (default, the usual convention for an even split) (x_(k) + x_(k+1)) / 2, "lower"
    x_(k), "upper" x_(k+1). Raises ``ValueError`` when no weight is positive. Weights beyond 1e100 are
    scaled by a power of two first (exact), so that their sums cannot overflow.
    """
    keep = weights > 0
    if not np.any(keep):
        raise ValueError("the weighted median needs at least one positive weight")
    order = np.argsort(values[keep], kind="stable")
    x, w = values[keep][order], weights[keep][order]
    top = float(w.max())
    if top > 1e100:  # scale by a power of two (exact) so that the cumulative sums cannot overflow
        w = np.ldexp(w, -int(np.frexp(top)[1]) - 64)
    cum = np.cumsum(w)
    half = cum[-1] / 2.0
    tol = _REL_TOL * cum[-1]
    k = min(int(np.searchsorted(cum, half - tol)), len(x) - 1)
    if abs(cum[k] - half) > tol or k == len(x) - 1 or tie == "lower":
        return float(x[k])
    if tie == "upper":
        return float(x[k + 1])
    return float((x[k] + x[k + 1]) / 2.0)


def _run_1d(space: IssueSpace, tie: Tie) -> ForecastResult:
    m = weighted_median(space.positions[:, 0], effective_weights(space)[:, 0], tie)
    outcome = np.array([m])
    return ForecastResult(
        model="median",
        space=space,
        rounds=space.positions[None, :, :].copy(),
        outcome=outcome,
        outcome_by_round=outcome[None, :].copy(),
        params={"tie": tie},
    )


def run(space: IssueSpace, *, tie: Tie = "midpoint") -> ForecastResult:
    """The capability x salience weighted median of the input positions (one shot: no rounds).

    One-dimensional by nature: a multi-dimensional space is run dimension by dimension, each with
    its own saliences, and the medians are stacked. ``tie`` resolves an exact half-half split
    (see ``weighted_median``).
    """
    if tie not in ("midpoint", "lower", "upper"):
        raise ValueError(f"tie must be 'midpoint', 'lower' or 'upper', not {tie!r}")
    from detente.forecast.budget import check
    from detente.forecast.models import check_numbers

    check_numbers(space, "median")
    check("median", space.n_actors, space.n_dims, {"tie": tie})
    return stack_dimensions(space, lambda one: _run_1d(one, tie), "median", {"tie": tie})
