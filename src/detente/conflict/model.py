"""The compiled conflict: immutable arrays the engines compute on.

A state is a bit mask over all options (bit ``j`` set = option ``j`` taken), options numbered in
the order the file declares them. Feasible states are kept in ascending code order; the state
*number* shown to users is its 1-based position in that order (the decimal convention of GMCR II,
Fang, Hipel, Kilgour & Peng 2003). Preferences are ordinal: ``ranks[i, s]`` is decision maker ``i``'s
dense rank of state ``s`` (0 = least preferred; equal ranks = indifferent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

StateRef = int | str | Mapping[str, object]
"""A state as users name it: its 1-based number, a Y/N/- pattern in option order, or option -> Y/N/-."""

MAX_OPTIONS = 26
"""Enumerating 2**m candidate states beyond this would not fit the default memory budget."""


class Direction(IntEnum):
    """Which way an option may be changed."""

    BOTH = 0
    FORWARD = 1  # N -> Y only: once taken, it cannot be undone
    BACKWARD = 2  # Y -> N only

    @classmethod
    def from_spec(cls, value: str) -> Direction:
        return {"both": cls.BOTH, "forward": cls.FORWARD, "backward": cls.BACKWARD}[value]


@dataclass(frozen=True)
class Option:
    name: str
    owner: int
    direction: Direction = Direction.BOTH
    description: str = ""
    evidence: tuple[Any, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class DecisionMaker:
    name: str
    options: tuple[int, ...]
    description: str = ""
    evidence: tuple[Any, ...] = ()


def _frozen(a: npt.ArrayLike) -> IntArray:
    arr = np.array(a, dtype=np.int64)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Conflict:
    """A graph-model conflict ready for analysis. Build it with :func:`compile_conflict` or directly."""

    name: str
    decision_makers: tuple[DecisionMaker, ...]
    options: tuple[Option, ...]
    states: IntArray
    ranks: IntArray
    status_quo: int | None = None
    coalitions: tuple[tuple[int, ...], ...] = ()
    description: str = ""
    source: str = ""
    spec: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", _frozen(self.states))
        object.__setattr__(self, "ranks", _frozen(_dense_ranks(np.asarray(self.ranks))))
        n, k = len(self.decision_makers), len(self.states)
        if self.ranks.shape != (n, k):
            raise ValueError(f"ranks must have shape ({n}, {k}), got {self.ranks.shape}")
        if k == 0:
            raise ValueError("a conflict needs at least one feasible state")
        if np.any(np.diff(self.states) <= 0):
            raise ValueError("states must be strictly ascending codes")
        owned = sorted(j for dm in self.decision_makers for j in dm.options)
        if owned != list(range(len(self.options))):
            raise ValueError("every option must be owned by exactly one decision maker")
        for i, dm in enumerate(self.decision_makers):
            if any(self.options[j].owner != i for j in dm.options):
                raise ValueError(f"option owners disagree with decision maker {dm.name}")

    # -- sizes and lookups -------------------------------------------------------------------
    @property
    def n_dms(self) -> int:
        return len(self.decision_makers)

    @property
    def n_options(self) -> int:
        return len(self.options)

    @property
    def n_states(self) -> int:
        return len(self.states)

    def dm_index(self, name: str) -> int:
        for i, dm in enumerate(self.decision_makers):
            if dm.name == name:
                return i
        raise KeyError(f"no decision maker named {name!r}")

    def option_index(self, name: str) -> int:
        for j, opt in enumerate(self.options):
            if opt.name == name:
                return j
        raise KeyError(f"no option named {name!r}")

    def dm_mask(self, i: int) -> int:
        """Bit mask of the options decision maker ``i`` controls."""
        return sum(1 << j for j in self.decision_makers[i].options)

    def index_of_code(self, codes: npt.ArrayLike) -> IntArray:
        """Index into ``states`` of each code, or -1 where the code is not a feasible state."""
        c = np.asarray(codes, dtype=np.int64)
        pos = np.searchsorted(self.states, c)
        pos_c = np.minimum(pos, len(self.states) - 1)
        return np.where(self.states[pos_c] == c, pos_c, -1).astype(np.int64)

    def option_values(self, s: int) -> dict[str, bool]:
        """Option name -> taken, for the state at index ``s``."""
        code = int(self.states[s])
        return {o.name: bool(code >> j & 1) for j, o in enumerate(self.options)}

    def label(self, s: int) -> str:
        """Y/N string of the state at index ``s``, options in declaration order."""
        code = int(self.states[s])
        return "".join("Y" if code >> j & 1 else "N" for j in range(self.n_options))

    def number(self, s: int) -> int:
        """The 1-based state number shown to users."""
        return s + 1

    def resolve_state(self, ref: StateRef) -> int:
        """Index of the single feasible state a reference names (number, Y/N string or mapping)."""
        matches = match_states(self, ref)
        if len(matches) != 1:
            raise ValueError(f"{ref!r} matches {len(matches)} feasible states, expected exactly one")
        return int(matches[0])

    def with_ranks(self, ranks: npt.ArrayLike) -> Conflict:
        """The same conflict with other preferences (used by inverse analysis and perceptions)."""
        return Conflict(
            self.name,
            self.decision_makers,
            self.options,
            self.states,
            np.asarray(ranks),
            self.status_quo,
            self.coalitions,
            self.description,
            self.source,
            self.spec,
        )


def _dense_ranks(values: npt.NDArray[Any]) -> IntArray:
    """Row-wise dense ranks, 0 = smallest value; equal values share a rank."""
    if values.ndim != 2:
        raise ValueError("ranks must be a 2-D array (decision makers x states)")
    out = np.empty(values.shape, dtype=np.int64)
    for i, row in enumerate(values):
        _, inverse = np.unique(row, return_inverse=True)
        out[i] = inverse.reshape(-1)
    return out


# -- state references ---------------------------------------------------------------------------
def pattern_of(ref: StateRef, option_names: Sequence[str]) -> tuple[int, int]:
    """(mask, value) of a Y/N/- string or an option -> Y/N mapping; raises ValueError if malformed."""
    index = {name: j for j, name in enumerate(option_names)}
    mask = value = 0
    if isinstance(ref, str):
        text = ref.replace(" ", "")
        if len(text) != len(option_names) or set(text.upper()) - set("YN-"):
            raise ValueError(
                f"state pattern {ref!r} must have one of Y, N or - for each of the "
                f"{len(option_names)} options ({', '.join(option_names)})"
            )
        items: Iterable[tuple[str, object]] = zip(option_names, text.upper(), strict=True)
    elif isinstance(ref, Mapping):
        items = ref.items()
    else:
        raise ValueError(f"{ref!r} is not a state pattern")
    for name, raw in items:
        if name not in index:
            raise ValueError(f"unknown option {name!r}")
        v = raw if isinstance(raw, bool) else str(raw).upper()
        if v == "-":
            continue
        bit = 1 << index[name]
        mask |= bit
        if v is True or v == "Y":
            value |= bit
        elif not (v is False or v == "N"):
            raise ValueError(f"option {name!r} must be Y, N or -, not {raw!r}")
    return mask, value


def match_states(conflict: Conflict, ref: StateRef) -> IntArray:
    """Indices of the feasible states a reference names."""
    return _matches(ref, conflict.states, [o.name for o in conflict.options])


def _matches(ref: StateRef, feasible: IntArray, names: Sequence[str]) -> IntArray:
    if isinstance(ref, int) and not isinstance(ref, bool):
        if not 1 <= ref <= feasible.size:
            raise ValueError(f"state number {ref} is out of range 1..{feasible.size}")
        return np.array([ref - 1], dtype=np.int64)
    mask, value = pattern_of(ref, names)
    if mask == (1 << len(names)) - 1:  # a whole state: binary search instead of a scan
        pos = int(np.searchsorted(feasible, value))
        hit = pos < feasible.size and int(feasible[pos]) == value
        return np.array([pos] if hit else [], dtype=np.int64)
    return np.flatnonzero((feasible & mask) == value).astype(np.int64)
