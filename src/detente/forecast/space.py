"""The issue space the forecast models compute on: actors, capabilities, positions and saliences.

Positions are on each dimension's own scale (default 0-100); saliences are 0-100 and are used as
fractions (salience / 100) by the models. Capabilities are non-negative with a positive total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _frozen(a: npt.ArrayLike, ndim: int) -> FloatArray:
    arr = np.array(a, dtype=np.float64)
    if arr.ndim == ndim - 1:
        arr = arr.reshape(-1, 1)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class IssueSpace:
    """n actors on d dimensions. ``positions`` and ``salience`` are (n, d); ``capability`` is (n,)."""

    actors: tuple[str, ...]
    capability: FloatArray
    positions: FloatArray
    salience: FloatArray
    dimensions: tuple[str, ...] = ("issue",)
    scale: tuple[tuple[float, float], ...] = ((0.0, 100.0),)
    parents: tuple[str | None, ...] = field(default=())
    status_quo: FloatArray | None = None  # (d,) reference point, e.g. DEU's status quo
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "capability", _frozen(self.capability, 1).reshape(-1))
        object.__setattr__(self, "positions", _frozen(self.positions, 2))
        object.__setattr__(self, "salience", _frozen(self.salience, 2))
        if self.status_quo is not None:
            object.__setattr__(self, "status_quo", _frozen(self.status_quo, 1).reshape(-1))
        if not self.parents:
            object.__setattr__(self, "parents", (None,) * len(self.actors))
        n, d = len(self.actors), len(self.dimensions)
        if self.positions.shape != (n, d) or self.salience.shape != (n, d) or self.capability.shape != (n,):
            raise ValueError(
                f"expected capability ({n},), positions and salience ({n}, {d}); got "
                f"{self.capability.shape}, {self.positions.shape}, {self.salience.shape}"
            )
        if len(self.scale) != d or len(self.parents) != n:
            raise ValueError("scale needs one (low, high) per dimension and parents one entry per actor")
        if len(set(self.actors)) != n:
            raise ValueError("actor names must be unique")
        if np.any(self.capability < 0) or not self.capability.sum() > 0:
            raise ValueError("capabilities must be non-negative with a positive total")
        if np.any(self.salience < 0) or np.any(self.salience > 100):
            raise ValueError("saliences must lie in 0..100")

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_dims(self) -> int:
        return len(self.dimensions)

    def dimension(self, k: int) -> IssueSpace:
        """The one-dimensional space of dimension ``k``."""
        return IssueSpace(
            self.actors,
            self.capability,
            self.positions[:, [k]],
            self.salience[:, [k]],
            (self.dimensions[k],),
            (self.scale[k],),
            self.parents,
            None if self.status_quo is None else self.status_quo[[k]],
            self.name,
        )


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """What every model returns.

    ``rounds`` is (T + 1, n, d): every actor's position at round 0 (the input) through round T.
    ``outcome`` is (d,): the model's predicted outcome. ``outcome_by_round`` is (T + 1, d): the
    model's outcome statistic (e.g. the weighted median) at each round. ``params`` records every
    parameter the run used, so the run can be reproduced.
    """

    model: str
    space: IssueSpace
    rounds: FloatArray
    outcome: FloatArray
    outcome_by_round: FloatArray
    params: dict[str, object] = field(default_factory=dict)
    details: dict[str, object] = field(default_factory=dict)

    def trajectory(self, actor: str) -> FloatArray:
        """(T + 1, d) positions of one actor across rounds."""
        return self.rounds[:, self.space.actors.index(actor), :]


@dataclass(frozen=True, eq=False)
class Case:
    """One issue space read from a file, with its observed outcome when the file records one (DEU)."""

    space: IssueSpace
    label: str
    line: int | None = None
    outcome: FloatArray | None = None  # (d,) observed outcome
    params: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Model parameters the file itself sets, by model name (e.g. a KTAB XML's ModelParameters)."""
