"""The Nash bargaining solution between two parties over the issue space, from a disagreement point.

Nash (1950), "The bargaining problem", Econometrica 18(2): the agreement x maximises the product of
the parties' gains over the disagreement point d, (u_A(x) - u_A(d)) (u_B(x) - u_B(d)), over the
points both prefer to d. With bargaining powers alpha and 1 - alpha the product becomes
(u_A(x) - u_A(d))^alpha (u_B(x) - u_B(d))^(1 - alpha) (the asymmetric solution: Kalai 1977,
"Nonsymmetric Nash solutions and replications of 2-person bargaining", Int. J. Game Theory 6).

Utilities over the issue space: u_P(x) = -D_P(x)^curvature with the salience-weighted distance
D_P(x) = sqrt(sum_k s_Pk ((x_k - ideal_Pk) / span_k)^2 / sum_k s_Pk) (span_k = the width of the
dimension's scale). Curvature 1 is a linear loss in distance, 2 (default) the quadratic loss of
spatial bargaining models (Achen 2006 relates the compromise model to it).

Multi-dimensional by nature: all dimensions are bargained at once. Every Pareto-optimal agreement
minimises t D_A^2 + (1 - t) D_B^2 for some t in [0, 1] (the contract curve, whatever the
curvature), which per dimension is a salience-weighted mean of the two ideals; the solution is found
by a grid over t refined by a bounded scalar search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy.optimize import minimize_scalar

from detente.forecast.models.compromise import effective_weights
from detente.forecast.space import FloatArray, ForecastResult, IssueSpace

Power = Literal["equal", "capability"]
_GRID = 1001


@dataclass(frozen=True, eq=False)
class Party:
    """One side of the bargain: its members, ideal point (d,), saliences (d,) and capability."""

    members: tuple[str, ...]
    ideal: FloatArray
    salience: FloatArray
    capability: float


def make_party(space: IssueSpace, members: Sequence[str]) -> Party:
    """A bloc as one party: ideal = the members' capability x salience weighted mean position,
    salience = their capability-weighted mean salience, capability = their total capability.

    On a dimension none of the members cares about, the ideal is the capability-weighted mean.
    """
    unknown = [m for m in members if m not in space.actors]
    if unknown or not members:
        raise ValueError(f"a party needs at least one actor of the space; unknown: {unknown}")
    idx = [space.actors.index(m) for m in members]
    c = space.capability[idx]
    if not c.sum() > 0:
        raise ValueError(f"party {list(members)} has no capability")
    pos = space.positions[idx]
    w = effective_weights(space)[idx]
    total = w.sum(axis=0)
    by_capability = (c[:, None] * pos).sum(axis=0) / c.sum()
    ideal = np.where(total > 0, (w * pos).sum(axis=0) / np.where(total > 0, total, 1.0), by_capability)
    salience = (c[:, None] * space.salience[idx]).sum(axis=0) / c.sum()
    return Party(tuple(members), ideal, salience, float(c.sum()))


def default_blocs(space: IssueSpace) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Two actors: each is a party. More: the actors on either side of the capability x salience
    weighted mean along the principal axis of the weighted positions (the only axis in one
    dimension); actors exactly at the mean join neither bloc."""
    if space.n_actors == 2:
        return (space.actors[:1], space.actors[1:])
    w = effective_weights(space).sum(axis=1)
    spans = np.array([hi - lo for lo, hi in space.scale])
    z = space.positions / spans
    centred = z - (w[:, None] * z).sum(axis=0) / w.sum()
    axis = np.linalg.eigh((w[:, None] * centred).T @ centred)[1][:, -1]
    side = centred @ axis
    low = tuple(a for a, v in zip(space.actors, side, strict=True) if v < -1e-12)
    high = tuple(a for a, v in zip(space.actors, side, strict=True) if v > 1e-12)
    if not low or not high:
        raise ValueError("cannot split the actors into two blocs: give blocs=")
    return low, high


def _distance(party: Party, x: FloatArray, spans: FloatArray) -> FloatArray:
    """D_P at each row of x (m, d)."""
    s = party.salience
    d2 = (s * ((x - party.ideal) / spans) ** 2).sum(axis=-1) / s.sum()
    out: FloatArray = np.sqrt(d2)
    return out


def gain(
    party: Party, disagreement: FloatArray, x: FloatArray, spans: FloatArray, curvature: float
) -> FloatArray:
    """u_P(x) - u_P(d) = D_P(d)^curvature - D_P(x)^curvature at each row of x (m, d)."""
    out: FloatArray = (
        _distance(party, disagreement[None, :], spans) ** curvature - _distance(party, x, spans) ** curvature
    )
    return out


def contract_curve(a: Party, b: Party, t: FloatArray, spans: FloatArray, fallback: FloatArray) -> FloatArray:
    """(m, d) Pareto-optimal points argmin t D_A^2 + (1 - t) D_B^2 for each t (m,); a dimension
    neither party cares about takes its value from ``fallback`` (the disagreement point)."""
    wa = a.salience / a.salience.sum() / spans**2
    wb = b.salience / b.salience.sum() / spans**2
    num = t[:, None] * wa * a.ideal + (1 - t[:, None]) * wb * b.ideal
    den = t[:, None] * wa + (1 - t[:, None]) * wb
    out: FloatArray = np.where(den > 0, num / np.where(den > 0, den, 1.0), fallback)
    return out


def nash_solution(
    a: Party, b: Party, disagreement: FloatArray, spans: FloatArray, curvature: float, alpha: float
) -> tuple[FloatArray, float]:
    """The (asymmetric) Nash bargaining point between parties a and b and its contract-curve t.

    Returns the disagreement point itself (t = nan) when no agreement gives both parties a gain.
    """
    if a.salience.sum() <= 0 or b.salience.sum() <= 0:
        raise ValueError("each party needs a positive salience on some dimension")

    def log_product(t: FloatArray) -> FloatArray:
        x = contract_curve(a, b, t, spans, disagreement)
        ga, gb = gain(a, disagreement, x, spans, curvature), gain(b, disagreement, x, spans, curvature)
        ok = (ga > 0) & (gb > 0)
        value: FloatArray = np.where(
            ok, alpha * np.log(np.where(ok, ga, 1.0)) + (1 - alpha) * np.log(np.where(ok, gb, 1.0)), -np.inf
        )
        return value

    grid = np.linspace(0.0, 1.0, _GRID)
    values = log_product(grid)
    k = int(np.argmax(values))
    if not np.isfinite(values[k]):
        # The agreements both prefer can lie within 1e-3 of an end of the contract curve (a party
        # whose ideal is very near the disagreement point): look there on a geometric grid.
        ends = np.geomspace(1e-15, 1.0 / (_GRID - 1), 400)
        grid = np.unique(np.concatenate([grid, ends, 1.0 - ends]))
        values = log_product(grid)
        k = int(np.argmax(values))
    if not np.isfinite(values[k]):
        return disagreement.copy(), float("nan")
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    found = minimize_scalar(
        lambda t: -float(log_product(np.array([t]))[0]),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-12},
    )
    t_best = float(found.x) if -found.fun > values[k] else float(grid[k])
    return contract_curve(a, b, np.array([t_best]), spans, disagreement)[0], t_best


def run(
    space: IssueSpace,
    *,
    blocs: tuple[Sequence[str], Sequence[str]] | None = None,
    disagreement: Sequence[float] | None = None,
    curvature: float = 2.0,
    power: Power = "equal",
) -> ForecastResult:
    """The Nash bargaining solution between two parties (see the module docstring).

    ``blocs``: the actor names of the two parties (default: ``default_blocs``); each bloc bargains as
    one party (``make_party``). ``disagreement``: the point reached without agreement (default: the
    space's status quo; one of the two is required). ``curvature`` > 0: the exponent of the loss in
    distance. ``power``: "equal" (Nash's symmetric solution) or "capability" (bargaining power
    alpha = c_A / (c_A + c_B)). One shot: the rounds are the input only.
    """
    from detente.forecast.budget import check
    from detente.forecast.models import check_numbers, scaled_capability

    check_numbers(space, "nash")
    check("nash", space.n_actors, space.n_dims, {})
    if not (np.isfinite(curvature) and curvature > 0):
        raise ValueError("curvature must be a positive number")
    if power not in ("equal", "capability"):
        raise ValueError(f"power must be 'equal' or 'capability', not {power!r}")
    if disagreement is not None:
        d = np.array(disagreement, dtype=np.float64).reshape(-1)
    elif space.status_quo is not None:
        d = space.status_quo.copy()
    else:
        raise ValueError("the Nash solution needs a disagreement point: give disagreement= or a status quo")
    if d.shape != (space.n_dims,):
        raise ValueError(f"the disagreement point needs {space.n_dims} coordinates, got {d.shape[0]}")
    if not np.all(np.isfinite(d)):
        raise ValueError("the disagreement point must be finite")
    if scaled_capability(space.capability) is not space.capability:
        space = replace(space, capability=scaled_capability(space.capability))
    low, high = (tuple(blocs[0]), tuple(blocs[1])) if blocs is not None else default_blocs(space)
    if set(low) & set(high):
        raise ValueError(f"an actor cannot be in both blocs: {sorted(set(low) & set(high))}")
    a, b = make_party(space, low), make_party(space, high)
    alpha = 0.5 if power == "equal" else a.capability / (a.capability + b.capability)
    spans = np.array([hi - lo for lo, hi in space.scale], dtype=np.float64)
    outcome, t = nash_solution(a, b, d, spans, curvature, alpha)
    return ForecastResult(
        model="nash",
        space=space,
        rounds=space.positions[None, :, :].copy(),
        outcome=outcome,
        outcome_by_round=outcome[None, :].copy(),
        params={
            "blocs": (low, high),
            "disagreement": tuple(float(v) for v in d),
            "curvature": curvature,
            "power": power,
        },
        details={
            "ideal_points": (a.ideal, b.ideal),
            "alpha": alpha,
            "contract_t": t,
            "gains": tuple(float(gain(p, d, outcome[None, :], spans, curvature)[0]) for p in (a, b)),
        },
    )
