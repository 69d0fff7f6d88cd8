"""Compile a validated conflict document into the engine's :class:`~detente.conflict.model.Conflict`.

Cross-references (option owners, constraints, preference statements, rankings, the status quo,
coalitions) are checked here, every problem naming its file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from detente.budget import Cost, check
from detente.conflict.model import (
    MAX_OPTIONS,
    Conflict,
    DecisionMaker,
    Direction,
    IntArray,
    Option,
    StateRef,
    _matches,
    pattern_of,
)
from detente.errors import ModelTooLargeError
from detente.io import statements as st
from detente.io.conflict_spec import ConflictSpec, PreferenceSpec, StatementSpec, TiedSpec
from detente.io.yamlio import Collector, LineMap, load_yaml, validate_model

# Measured on a 2 x 10-option conflict with 22 statements (2**20 codes): 0.3 GB peak and 3 s.
_CODE_BYTES = 48
"""Bytes per candidate code held throughout: the codes, the feasibility mask, temporaries."""
_TERM_BYTES = 13
"""Bytes per candidate code and preference term (statement or ranked state) while ranking."""
_TERM_SECONDS = 1.3e-7
"""Seconds per candidate code and preference term on this class of machine (2 cores)."""


def compile_cost(spec: ConflictSpec) -> Cost:
    """The estimated peak memory and time of compiling ``spec``, from its sizes alone.

    Compiling enumerates all ``2**m`` option combinations for ``m`` options and evaluates every
    preference statement (or ranked state) over them, so the cost grows as ``2**m`` times the number
    of terms; nothing is enumerated to make this estimate.
    """
    m = sum(len(dm.options) for dm in spec.decision_makers)
    terms = 0
    for dm in spec.decision_makers:
        prefs = dm.preferences
        if prefs.ranking is not None:
            terms += len(prefs.ranking)
        for item in prefs.statements or []:
            terms += len(item.tied) if isinstance(item, TiedSpec) else 1
    codes = 1 << m
    per_dm = ", ".join(f"{dm.name} {len(dm.options)}" for dm in spec.decision_makers)
    return Cost(
        what=f"compiling conflict {spec.name!r}",
        size=f"{m} options (per decision maker: {per_dm}) give 2**{m} = {codes:,} option combinations, "
        f"each ranked by {terms} preference terms,",
        bytes=codes * (_CODE_BYTES + _TERM_BYTES * max(terms, 1)),
        seconds=codes * _TERM_SECONDS * max(terms, 1),
        shrink="Shrink it: merge options that always move together, drop options that change no "
        "preference, or give each decision maker fewer options.",
    )


def compile_conflict(
    spec: ConflictSpec, lines: LineMap | None = None, prefix: tuple[str | int, ...] = ()
) -> Conflict:
    """Check cross-references and build the :class:`Conflict`; every problem names its line and field."""
    out = Collector(lines or LineMap("<conflict>"), prefix)
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
    check(compile_cost(spec))
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
    spec: ConflictSpec, m: int, index: Mapping[str, int], names: Sequence[str], out: Collector
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
    out: Collector,
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
    ranking: Sequence[Sequence[StateRef] | StateRef],
    feasible: IntArray,
    names: Sequence[str],
    out: Collector,
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


def _single_state(
    ref: StateRef, feasible: IntArray, names: Sequence[str], out: Collector, loc: tuple[str | int, ...]
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
