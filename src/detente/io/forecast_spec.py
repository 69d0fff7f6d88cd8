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
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from detente.errors import InputError
from detente.forecast.space import FloatArray, IssueSpace
from detente.forecast.uncertain import Distribution, Kind, Target, UncertainInput, UncertainSpace
from detente.io.evidence import EvidenceList
from detente.io.yamlio import Collector, LineMap, load_yaml, validate_model

Loc = tuple[str | int, ...]

MAX_MAGNITUDE = 1e15
"""Largest magnitude of any number in a forecast file (capability, position, salience, scale end,
standard deviation, status quo), in YAML and in every imported format.

Far beyond real data (a GDP in euros is about 1e13), and small enough that no sum or product a model
forms (capability x salience x position, over a million actors, squared) can overflow a float.
"""


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _in_range(values: list[float]) -> None:
    """Every number finite and within ±:data:`MAX_MAGNITUDE` (else a ValueError that says so)."""
    if not all(math.isfinite(v) for v in values):
        raise ValueError("numbers must be finite")
    big = [v for v in values if abs(v) > MAX_MAGNITUDE]
    if big:
        raise ValueError(f"{big[0]:g} is too large: numbers lie within ±{MAX_MAGNITUDE:g}")


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
        _in_range([v for v in (self.value, self.low, self.high, self.sd) if v is not None])
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
        _in_range([self.low, self.high])
        if not self.low < self.high:
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


# -- compiling ----------------------------------------------------------------------------------
def _distribution(
    number: UncertainValue, lo: float, hi: float, what: str, loc: Loc, out: Collector
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

    def __init__(self, out: Collector) -> None:
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
    out = Collector(lines or LineMap("<issues>"), prefix)
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


def _check_parent_cycles(spec: IssueSpaceSpec, out: Collector) -> None:
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
