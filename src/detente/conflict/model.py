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
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detente.conflict import statements as st
from detente.conflict.spec import ConflictSpec, PreferenceSpec, StatementSpec, StateRef, TiedSpec
from detente.errors import InputError, ModelTooLargeError, Problem
from detente.evidence import Evidence
from detente.yamlio import LineMap, load_yaml, validate_model

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

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
    evidence: tuple[Evidence, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class DecisionMaker:
    name: str
    options: tuple[int, ...]
    description: str = ""
    evidence: tuple[Evidence, ...] = ()


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
    spec: ConflictSpec | None = field(default=None, repr=False)

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
    elif isinstance(ref, dict):
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


# -- compiling a spec ---------------------------------------------------------------------------
class _Collector:
    def __init__(self, lines: LineMap, prefix: tuple[str | int, ...]) -> None:
        self.lines = lines
        self.prefix = prefix
        self.problems: list[Problem] = []

    def add(self, loc: tuple[str | int, ...], message: str) -> None:
        self.problems.append(self.lines.problem((*self.prefix, *loc), message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def compile_conflict(
    spec: ConflictSpec, lines: LineMap | None = None, prefix: tuple[str | int, ...] = ()
) -> Conflict:
    """Check cross-references and build the :class:`Conflict`; every problem names its line and field."""
    out = _Collector(lines or LineMap("<conflict>"), prefix)
    dm_seen: dict[str, int] = {}
    option_names: list[str] = []
    owner_of: dict[str, int] = {}
    options: list[Option] = []
    dms: list[DecisionMaker] = []
    for i, dm in enumerate(spec.decision_makers):
        if dm.name in dm_seen:
            out.add(("decision_makers", i, "name"), f"duplicate decision maker name {dm.name!r}")
        dm_seen.setdefault(dm.name, i)
        own: list[int] = []
        for k, opt in enumerate(dm.options):
            loc = ("decision_makers", i, "options", k, "name")
            if opt.name in owner_of:
                first = spec.decision_makers[owner_of[opt.name]].name
                msg = (
                    f"option {opt.name!r} is declared twice by {dm.name}"
                    if owner_of[opt.name] == i
                    else f"option {opt.name!r} is owned by both {first} and {dm.name}"
                )
                out.add(loc, msg)
                continue
            if opt.name in dm_seen:
                out.add(loc, f"option {opt.name!r} has the same name as a decision maker")
            owner_of[opt.name] = i
            own.append(len(options))
            option_names.append(opt.name)
            options.append(
                Option(
                    opt.name,
                    i,
                    Direction.from_spec(opt.reversibility),
                    opt.description,
                    tuple(opt.evidence),
                    opt.label,
                )
            )
        dms.append(DecisionMaker(dm.name, tuple(own), dm.description, tuple(dm.evidence)))
    out.raise_if_any()
    m = len(options)
    if m > MAX_OPTIONS:
        raise ModelTooLargeError(
            f"{m} options give 2**{m} = {2**m:,} candidate states, more than this machine's budget "
            f"allows (at most {MAX_OPTIONS} options). Shrink it: merge options that always move "
            "together, or add mutually exclusive groups and drop options that do not matter."
        )
    index = {name: j for j, name in enumerate(option_names)}
    feasible = _feasible_codes(spec, m, index, option_names, out)
    out.raise_if_any()
    if feasible.size == 0:
        out.add(("constraints",), "the constraints rule out every state: the feasible set is empty")
        out.raise_if_any()
    ranks = np.empty((len(dms), feasible.size), dtype=np.int64)
    for i, dm in enumerate(spec.decision_makers):
        ranks[i] = _preference_ranks(
            dm.preferences, feasible, index, option_names, out, ("decision_makers", i, "preferences")
        )
    status_quo: int | None = None
    if spec.status_quo is not None:
        status_quo = _single_state(spec.status_quo, feasible, option_names, out, ("status_quo",))
    coalitions: list[tuple[int, ...]] = []
    for c, members in enumerate(spec.coalitions):
        unknown = [name for name in members if name not in dm_seen]
        if unknown:
            out.add(("coalitions", c), f"unknown decision maker(s) {', '.join(unknown)}")
        elif len(set(members)) != len(members) or len(members) < 2:
            out.add(("coalitions", c), "a coalition needs two or more distinct decision makers")
        else:
            coalitions.append(tuple(sorted(dm_seen[name] for name in members)))
    out.raise_if_any()
    return Conflict(
        spec.name,
        tuple(dms),
        tuple(options),
        feasible,
        ranks,
        status_quo,
        tuple(coalitions),
        spec.description,
        spec.source,
        spec,
    )


def _feasible_codes(
    spec: ConflictSpec, m: int, index: Mapping[str, int], names: Sequence[str], out: _Collector
) -> IntArray:
    codes = np.arange(1 << m, dtype=np.int64)
    ok = np.ones(codes.size, dtype=bool)

    def bit(name: str, loc: tuple[str | int, ...]) -> IntArray | None:
        if name not in index:
            out.add(loc, f"unknown option {name!r}")
            return None
        return (codes >> index[name]) & 1

    c = spec.constraints
    for k, inf in enumerate(c.infeasible):
        try:
            mask, value = pattern_of(inf.pattern, names)
        except ValueError as exc:
            out.add(("constraints", "infeasible", k, "pattern"), str(exc))
            continue
        ok &= (codes & mask) != value
    for k, group in enumerate(c.mutually_exclusive):
        bits = [
            bit(n, ("constraints", "mutually_exclusive", k, "options", q))
            for q, n in enumerate(group.options)
        ]
        if all(b is not None for b in bits):
            ok &= sum(b for b in bits if b is not None) <= 1
    for k, alo in enumerate(c.at_least_one):
        bits = [bit(n, ("constraints", "at_least_one", k, "options", q)) for q, n in enumerate(alo.options)]
        if all(b is not None for b in bits):
            ok &= sum(b for b in bits if b is not None) >= 1
    for k, req in enumerate(c.requires):
        a = bit(req.option, ("constraints", "requires", k, "option"))
        b = bit(req.requires, ("constraints", "requires", k, "requires"))
        if a is not None and b is not None:
            ok &= (a == 0) | (b == 1)
    return codes[ok]


def _flatten_priorities(prefs: PreferenceSpec) -> list[list[tuple[str, int | None]]]:
    """Statement tiers, most important first; each entry is (text, index of a tied member or None)."""
    tiers: list[list[tuple[str, int | None]]] = []
    for item in prefs.statements or []:
        if isinstance(item, TiedSpec):
            tiers.append(
                [(m.statement if isinstance(m, StatementSpec) else m, q) for q, m in enumerate(item.tied)]
            )
        else:
            tiers.append([(item.statement if isinstance(item, StatementSpec) else item, None)])
    return tiers


def _preference_ranks(
    prefs: PreferenceSpec,
    feasible: IntArray,
    index: Mapping[str, int],
    names: Sequence[str],
    out: _Collector,
    loc: tuple[str | int, ...],
) -> IntArray:
    if prefs.ranking is not None:
        return _ranking_ranks(prefs.ranking, feasible, names, out, (*loc, "ranking"))
    columns: list[IntArray] = []
    for t, tier in enumerate(_flatten_priorities(prefs)):
        count = np.zeros(feasible.size, dtype=np.int64)
        for text, q in tier:
            where = (*loc, "statements", t) if q is None else (*loc, "statements", t, "tied", q)
            try:
                count += st.evaluate(st.parse(text, index), feasible, index)
            except st.StatementError as exc:
                out.add(where, f"statement {text!r}: {exc}")
        columns.append(count)
    if not columns:
        return np.zeros(feasible.size, dtype=np.int64)
    # Lexicographic: the most important tier decides first (np.lexsort sorts by its last key first).
    order = np.lexsort(columns[::-1])
    keys = np.stack(columns, axis=1)[order]
    new_group = np.ones(feasible.size, dtype=bool)
    new_group[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    ranks = np.empty(feasible.size, dtype=np.int64)
    ranks[order] = np.cumsum(new_group) - 1
    return ranks


def _ranking_ranks(
    ranking: Sequence[list[StateRef] | StateRef],
    feasible: IntArray,
    names: Sequence[str],
    out: _Collector,
    loc: tuple[str | int, ...],
) -> IntArray:
    ranks = np.full(feasible.size, -1, dtype=np.int64)
    n_tiers = len(ranking)
    for t, tier in enumerate(ranking):
        refs = tier if isinstance(tier, list) else [tier]
        for q, ref in enumerate(refs):
            where = (*loc, t, q) if isinstance(tier, list) else (*loc, t)
            try:
                hits = _matches(ref, feasible, names)
            except ValueError as exc:
                out.add(where, str(exc))
                continue
            if hits.size == 0:
                out.add(where, f"{ref!r} matches no feasible state")
            again = hits[ranks[hits] >= 0]
            if again.size:
                out.add(where, f"{ref!r} ranks state {int(again[0]) + 1} a second time")
            ranks[hits] = n_tiers - 1 - t
    missing = np.flatnonzero(ranks < 0)
    if missing.size and not out.problems:
        shown = ", ".join(str(int(s) + 1) for s in missing[:10])
        out.add(loc, f"the ranking leaves out {missing.size} feasible state(s): {shown}")
    return np.maximum(ranks, 0)


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


def _single_state(
    ref: StateRef, feasible: IntArray, names: Sequence[str], out: _Collector, loc: tuple[str | int, ...]
) -> int | None:
    try:
        hits = _matches(ref, feasible, names)
    except ValueError as exc:
        out.add(loc, str(exc))
        return None
    if hits.size != 1:
        out.add(loc, f"{ref!r} matches {hits.size} feasible states, expected exactly one")
        return None
    return int(hits[0])


def load_conflict(path: str | Path) -> Conflict:
    """Read, validate and compile a conflict YAML file (raises InputError naming file, line, field)."""
    data, lines = load_yaml(path)
    spec = validate_model(ConflictSpec, data, lines)
    return compile_conflict(spec, lines)
