"""Uncertain issue spaces: input distributions and the issue spaces they sample.

An :class:`UncertainSpace` holds a point :class:`~detente.forecast.space.IssueSpace` and the
distributions of its uncertain numbers; Monte Carlo draws from it (:mod:`detente.forecast.montecarlo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from detente.forecast.space import FloatArray, IssueSpace

Kind = Literal["point", "uniform", "triangular", "normal"]
Target = Literal["capability", "position", "salience", "status_quo"]

NORMAL_SWING = 0.025
"""A normal input's tornado low/high are its 2.5 % and 97.5 % quantiles (after truncation)."""


@dataclass(frozen=True)
class Distribution:
    """A one-dimensional input distribution on ``[low, high]`` with point estimate ``value``.

    uniform: U(low, high); triangular: mode ``value`` on [low, high]; normal: N(value, sd²)
    truncated to [low, high] (either end may be infinite); point: always ``value``.
    """

    kind: Kind
    value: float
    low: float
    high: float
    sd: float = 0.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` independent draws, taken from ``rng`` in one call (so the stream is reproducible)."""
        if self.kind == "point":
            return np.full(n, self.value)
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.kind == "triangular":
            return rng.triangular(self.low, self.value, self.high, n)
        return self.quantile(rng.uniform(0.0, 1.0, n))

    def quantile(self, q: npt.ArrayLike) -> FloatArray:
        """Inverse CDF at ``q`` (the truncated normal's via scipy.stats.truncnorm)."""
        qs = np.asarray(q, dtype=np.float64)
        if self.kind == "point":
            return np.full(qs.shape, self.value)
        if self.kind == "uniform":
            return np.asarray(self.low + qs * (self.high - self.low))
        if self.kind == "triangular":
            a, c, b = self.low, self.value, self.high
            cut = (c - a) / (b - a)
            left = a + np.sqrt(qs * (b - a) * (c - a))
            right = b - np.sqrt((1 - qs) * (b - a) * (b - c))
            return np.asarray(np.where(qs < cut, left, right))
        from scipy.stats import truncnorm

        a, b = (self.low - self.value) / self.sd, (self.high - self.value) / self.sd
        return np.asarray(truncnorm.ppf(qs, a, b, loc=self.value, scale=self.sd), dtype=np.float64)

    @property
    def swing(self) -> tuple[float, float]:
        """The (low, high) used by a tornado chart: the range ends, or a normal's 2.5/97.5 % quantiles."""
        if self.kind == "normal":
            lo, hi = self.quantile([NORMAL_SWING, 1 - NORMAL_SWING])
            return float(lo), float(hi)
        return self.low, self.high


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number of an issue space: what it is, where it sits, and its distribution."""

    label: str  # e.g. "USA.salience.denuclearisation"
    target: Target
    actor: int  # actor index (-1 for a status quo)
    dim: int  # dimension index (-1 for a capability)
    dist: Distribution


@dataclass(frozen=True, eq=False)
class UncertainSpace:
    """An issue space whose inputs are random: ``base`` holds the point values.

    Draws are taken input by input, in the order of ``inputs``, each as one vector call on the
    generator, so a generator in a given state always yields the same samples.
    """

    base: IssueSpace
    inputs: tuple[UncertainInput, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(u.label for u in self.inputs)

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        """(n, k) sampled values of the k uncertain inputs."""
        out = np.empty((n, len(self.inputs)))
        for k, u in enumerate(self.inputs):
            out[:, k] = u.dist.sample(rng, n)
        return out

    def realise(self, values: Sequence[float] | FloatArray) -> IssueSpace:
        """The issue space with the uncertain inputs set to ``values`` (one per input)."""
        b = self.base
        cap = b.capability.copy()
        pos = b.positions.copy()
        sal = b.salience.copy()
        sq = None if b.status_quo is None else b.status_quo.copy()
        for u, v in zip(self.inputs, values, strict=True):
            if u.target == "capability":
                cap[u.actor] = v
            elif u.target == "position":
                pos[u.actor, u.dim] = v
            elif u.target == "salience":
                sal[u.actor, u.dim] = v
            elif sq is not None:
                sq[u.dim] = v
        return IssueSpace(b.actors, cap, pos, sal, b.dimensions, b.scale, b.parents, sq, b.name)

    def point_values(self) -> FloatArray:
        return np.array([u.dist.value for u in self.inputs])

    def with_input(self, k: int, value: float) -> IssueSpace:
        """The point issue space with only input ``k`` set to ``value``."""
        values = self.point_values()
        values[k] = value
        return self.realise(values)

    def sample(self, n: int, rng: np.random.Generator) -> list[IssueSpace]:
        """``n`` sampled issue spaces."""
        return [self.realise(row) for row in self.draw(n, rng)]

    def with_spread(
        self, position: float = 0.0, salience: float = 0.0, capability: float = 0.0
    ) -> UncertainSpace:
        """Add triangular uncertainty (mode = the point value) to every input that has none yet.

        Positions vary by ± ``position`` points and saliences by ± ``salience`` points (both cut to
        their ranges), capabilities by ± ``capability`` times their value (a fraction, e.g. 0.1 for
        ±10 %). A spread of 0 leaves that kind of input as it is. This is the input perturbation of
        Monte Carlo forecasting practice (e.g. ±5 on position and salience, ±10 % capability).
        """
        if min(position, salience, capability) < 0:
            raise ValueError("spreads must be non-negative")
        b = self.base
        taken = {(u.target, u.actor, u.dim) for u in self.inputs}
        extra: list[UncertainInput] = []

        def add(target: Target, i: int, k: int, value: float, lo: float, hi: float) -> None:
            if (target, i, k) in taken or not lo < hi:
                return
            label = f"{b.actors[i]}.capability" if k < 0 else f"{b.actors[i]}.{target}.{b.dimensions[k]}"
            extra.append(UncertainInput(label, target, i, k, Distribution("triangular", value, lo, hi)))

        for i in range(b.n_actors):
            c = float(b.capability[i])
            if capability > 0:
                add("capability", i, -1, c, c * max(0.0, 1 - capability), c * (1 + capability))
            for k, (lo, hi) in enumerate(b.scale):
                x, s = float(b.positions[i, k]), float(b.salience[i, k])
                if position > 0:
                    add("position", i, k, x, max(lo, x - position), min(hi, x + position))
                if salience > 0:
                    add("salience", i, k, s, max(0.0, s - salience), min(100.0, s + salience))
        return UncertainSpace(b, (*self.inputs, *extra))
