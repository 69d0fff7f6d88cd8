"""The issue-space file format: actors, dimensions, positions, saliences, with uncertainty.

An issue space is YAML, standalone or embedded under the key ``issues:`` of a scenario file::

    name: Denuclearisation talks
    dimensions:
      - name: denuclearisation
        low: 0
        high: 100
        low_label: no denuclearisation
        high_label: CVID
        status_quo: 5
    actors:
      - name: USA
        capability: {value: 40, low: 30, high: 50}          # triangular, mode 40
        positions: {denuclearisation: 100}
        salience: {denuclearisation: {value: 90, dist: normal, sd: 5}}
      - name: DPRK
        capability: 10
        positions: {denuclearisation: {value: 10, low: 0, high: 30, dist: uniform}}
        salience: {denuclearisation: 100}

Any number (capability, position, salience, status quo) is either a plain number or an
*uncertain value*: ``{value, low, high}`` (triangular with mode ``value``, or ``dist: uniform``)
or ``{value, dist: normal, sd, low?, high?}`` (a normal of mean ``value`` truncated to
``[low, high]`` and to the field's own range). Every uncertain value, dimension, actor and the
space itself may carry an ``evidence`` list. Salience is 0-100; positions and the status quo lie
on the dimension's scale ``[low, high]`` (default 0-100); capabilities are non-negative with a
positive total.

:func:`compile_issue_space` gives the point :class:`~detente.forecast.space.IssueSpace`;
:func:`compile_uncertain_space` an :class:`UncertainSpace` that samples issue spaces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from scipy.stats import truncnorm

from detente.errors import InputError, Problem
from detente.evidence import EvidenceList
from detente.forecast.space import FloatArray, IssueSpace
from detente.yamlio import LineMap, load_yaml, validate_model

Loc = tuple[str | int, ...]
Kind = Literal["point", "uniform", "triangular", "normal"]
Target = Literal["capability", "position", "salience", "status_quo"]

NORMAL_SWING = 0.025
"""A normal input's tornado low/high are its 2.5 % and 97.5 % quantiles (after truncation)."""


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UncertainValue(_Base):
    """A number with its uncertainty: a point, a uniform or triangular range, or a truncated normal."""

    value: float = Field(description="Point estimate (the mode of a triangular, the mean of a normal).")
    dist: Kind | None = Field(
        None,
        description="point, uniform, triangular or normal; default: normal if sd is given, "
        "triangular if low and high are given, else point.",
    )
    low: float | None = Field(None, description="Lower end of the range (truncation point of a normal).")
    high: float | None = Field(None, description="Upper end of the range (truncation point of a normal).")
    sd: float | None = Field(None, description="Standard deviation of a normal.")
    evidence: EvidenceList = []

    @model_validator(mode="after")
    def _consistent(self) -> UncertainValue:
        kind = self.kind
        values = [v for v in (self.value, self.low, self.high, self.sd) if v is not None]
        if not all(math.isfinite(v) for v in values):
            raise ValueError("numbers must be finite")
        if kind == "point":
            if self.low is not None or self.high is not None or self.sd is not None:
                raise ValueError("a point value takes no low, high or sd")
        elif kind in ("uniform", "triangular"):
            if self.low is None or self.high is None:
                raise ValueError(f"a {kind} range needs both low and high")
            if self.sd is not None:
                raise ValueError(f"a {kind} range takes no sd (use dist: normal)")
            if not self.low < self.high:
                raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        else:
            if self.sd is None or not self.sd > 0:
                raise ValueError("a normal needs a positive sd")
            if self.low is not None and self.high is not None and not self.low < self.high:
                raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if (self.low is not None and self.value < self.low) or (
            self.high is not None and self.value > self.high
        ):
            raise ValueError(f"value {self.value:g} lies outside [{self.low}, {self.high}]")
        return self

    @property
    def kind(self) -> Kind:
        if self.dist is not None:
            return self.dist
        if self.sd is not None:
            return "normal"
        if self.low is not None or self.high is not None:
            return "triangular"
        return "point"


def _as_uncertain(value: object) -> object:
    """A plain number becomes a point :class:`UncertainValue`; anything but a number or mapping is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | dict | UncertainValue):
        raise ValueError("expected a number or a mapping {value, low, high, dist, sd}")
    return {"value": value} if isinstance(value, int | float) else value


Number = Annotated[UncertainValue, BeforeValidator(_as_uncertain)]
"""A plain number or an uncertain value (plain numbers are stored as point values)."""


class DimensionSpec(_Base):
    """One issue dimension: a continuous scale whose two ends are labelled."""

    name: str = Field(min_length=1)
    description: str = ""
    low: float = Field(0.0, description="Value of the low end of the scale.")
    high: float = Field(100.0, description="Value of the high end of the scale.")
    low_label: str = Field("", description="What the low end means, e.g. 'no denuclearisation'.")
    high_label: str = Field("", description="What the high end means, e.g. 'CVID'.")
    status_quo: Number | None = Field(None, description="Reference point: the outcome if nothing is agreed.")
    evidence: EvidenceList = []

    @model_validator(mode="after")
    def _ordered(self) -> DimensionSpec:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"the scale needs low < high (got {self.low:g} and {self.high:g})")
        return self


class ActorSpec(_Base):
    """An actor (or a sub-actor of ``parent``): capability, and per dimension a position and salience."""

    name: str = Field(min_length=1)
    description: str = ""
    parent: str | None = Field(None, description="The actor this one is part of (e.g. a faction).")
    capability: Number = Field(description="Resources the actor can bring to bear (non-negative).")
    positions: dict[str, Number] = Field(description="Dimension name -> position on its scale.")
    salience: dict[str, Number] = Field(description="Dimension name -> salience 0-100.")
    evidence: EvidenceList = []


class IssueSpaceSpec(_Base):
    """Actors bargaining over one or more continuous issue dimensions."""

    name: str = ""
    description: str = ""
    source: str = Field("", description="Citation for the data as a whole.")
    dimensions: list[DimensionSpec] = Field(min_length=1)
    actors: list[ActorSpec] = Field(min_length=2)
    evidence: EvidenceList = []


# -- distributions ------------------------------------------------------------------------------
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


# -- compiling ----------------------------------------------------------------------------------
class _Collector:
    def __init__(self, lines: LineMap, prefix: Loc) -> None:
        self.lines = lines
        self.prefix = prefix
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(self.lines.problem((*self.prefix, *loc), message))


def _distribution(
    number: UncertainValue, lo: float, hi: float, what: str, loc: Loc, out: _Collector
) -> Distribution | None:
    """Check ``number`` against the field range [lo, hi] and build its distribution."""
    low = lo if number.low is None else number.low
    high = hi if number.high is None else number.high
    bad = [v for v in (number.value, low, high) if not lo <= v <= hi]
    if bad:
        out.add(loc, f"{what} {bad[0]:g} lies outside [{lo:g}, {hi:g}]")
        return None
    if number.kind == "point":
        return Distribution("point", number.value, number.value, number.value)
    return Distribution(number.kind, number.value, low, high, number.sd or 0.0)


class _Builder:
    """Collects the point values and the uncertain inputs of a spec, and every problem found."""

    def __init__(self, out: _Collector) -> None:
        self.out = out
        self.inputs: list[UncertainInput] = []

    def take(self, number: Number, bounds: tuple[float, float], label: str, target: Target, at: Loc) -> float:
        """Point value of ``number`` (NaN if invalid); ``at`` = (actor, dim, *location in the file)."""
        actor, dim, *loc = at
        dist = _distribution(number, *bounds, target.replace("_", " "), tuple(loc), self.out)
        if dist is None:
            return math.nan
        if dist.kind != "point":
            self.inputs.append(UncertainInput(label, target, int(actor), int(dim), dist))
        return dist.value


def _build(spec: IssueSpaceSpec, lines: LineMap | None, prefix: Loc) -> UncertainSpace:
    out = _Collector(lines or LineMap("<issues>"), prefix)
    dims = [d.name for d in spec.dimensions]
    for k, name in enumerate(dims):
        if name in dims[:k]:
            out.add(("dimensions", k, "name"), f"duplicate dimension {name!r}")
    names = [a.name for a in spec.actors]
    for i, name in enumerate(names):
        if name in names[:i]:
            out.add(("actors", i, "name"), f"duplicate actor {name!r}")
    n, d = len(names), len(dims)
    cap, pos, sal = np.zeros(n), np.zeros((n, d)), np.zeros((n, d))
    b = _Builder(out)
    for i, a in enumerate(spec.actors):
        if a.parent is not None and (a.parent not in names or a.parent == a.name):
            out.add(("actors", i, "parent"), f"parent {a.parent!r} is not another actor of this space")
        at: Loc = (i, -1, "actors", i, "capability")
        cap[i] = b.take(a.capability, (0.0, math.inf), f"{a.name}.capability", "capability", at)
        for field, table in (("positions", a.positions), ("salience", a.salience)):
            for key in table:
                if key not in dims:
                    known = ", ".join(dims)
                    out.add(("actors", i, field, key), f"unknown dimension {key!r} (known: {known})")
            for k, dim in enumerate(spec.dimensions):
                if dim.name not in table:
                    out.add(("actors", i, field), f"missing {field} for dimension {dim.name!r}")
                    continue
                at = (i, k, "actors", i, field, dim.name)
                if field == "positions":
                    label = f"{a.name}.position.{dim.name}"
                    pos[i, k] = b.take(table[dim.name], (dim.low, dim.high), label, "position", at)
                else:
                    label = f"{a.name}.salience.{dim.name}"
                    sal[i, k] = b.take(table[dim.name], (0.0, 100.0), label, "salience", at)
    _check_parent_cycles(spec, out)
    status_quo: FloatArray | None = None
    if any(dim.status_quo is not None for dim in spec.dimensions):
        status_quo = np.full(d, np.nan)
        for k, dim in enumerate(spec.dimensions):
            if dim.status_quo is None:
                out.add(("dimensions", k), "give a status quo for every dimension or for none")
                continue
            at = (-1, k, "dimensions", k, "status_quo")
            label = f"status_quo.{dim.name}"
            status_quo[k] = b.take(dim.status_quo, (dim.low, dim.high), label, "status_quo", at)
    if not out.problems:
        floor = cap.copy()
        for u in b.inputs:
            if u.target == "capability":
                floor[u.actor] = u.dist.low
        if not cap.sum() > 0:
            out.add(("actors",), "the capabilities add up to zero; give at least one a positive capability")
        elif not floor.sum() > 0:
            out.add(("actors",), "the capabilities may all be zero at once; raise a lower bound above zero")
    if out.problems:
        raise InputError(out.problems)
    space = IssueSpace(
        tuple(names),
        cap,
        pos,
        sal,
        tuple(dims),
        tuple((dim.low, dim.high) for dim in spec.dimensions),
        tuple(a.parent for a in spec.actors),
        status_quo,
        spec.name,
    )
    return UncertainSpace(space, tuple(b.inputs))


def _check_parent_cycles(spec: IssueSpaceSpec, out: _Collector) -> None:
    parent = {a.name: a.parent for a in spec.actors}
    for i, a in enumerate(spec.actors):
        seen = {a.name}
        p = a.parent
        while p is not None and p in parent:
            if p in seen:
                out.add(("actors", i, "parent"), f"actor {a.name!r} is its own ancestor")
                break
            seen.add(p)
            p = parent[p]


def compile_uncertain_space(
    spec: IssueSpaceSpec, lines: LineMap | None = None, prefix: Loc = ()
) -> UncertainSpace:
    """Check cross-references and ranges; build the :class:`UncertainSpace` (InputError on any problem).

    ``prefix`` is where the spec sits in its file (``("issues",)`` inside a scenario).
    """
    return _build(spec, lines, prefix)


def compile_issue_space(spec: IssueSpaceSpec, lines: LineMap | None = None, prefix: Loc = ()) -> IssueSpace:
    """The point-value :class:`IssueSpace` of a spec (every uncertain value at its ``value``)."""
    return _build(spec, lines, prefix).base


class _InScenario(BaseModel):
    """A scenario file seen from the forecast engine: only its ``issues:`` section matters here."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    issues: IssueSpaceSpec


def parse_uncertain_space(data: Any, lines: LineMap) -> UncertainSpace:
    """Validate parsed YAML: an issue-space mapping, or a scenario holding one under ``issues:``.

    Any mapping with an ``issues`` key is a scenario (its own ``actors``, ``conflict`` and so on are
    the scenario's business): only its ``issues:`` section is read, and problems keep their line
    numbers in the scenario file.
    """
    if isinstance(data, dict) and "issues" in data:
        wrapped = validate_model(_InScenario, data, lines)
        return compile_uncertain_space(wrapped.issues, lines, ("issues",))
    return compile_uncertain_space(validate_model(IssueSpaceSpec, data, lines), lines)


def load_uncertain_space(path: str | Path) -> UncertainSpace:
    """Read, validate and compile an issue-space YAML file (standalone or under ``issues:``)."""
    data, lines = load_yaml(path)
    return parse_uncertain_space(data, lines)


def load_issue_space(path: str | Path) -> IssueSpace:
    """Read an issue-space YAML file and return its point-value :class:`IssueSpace`."""
    return load_uncertain_space(path).base
