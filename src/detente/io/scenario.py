"""Loading a scenario: validate it, check its cross-references, compile its parts.

:func:`load_scenario` reads a YAML file, validates it against
:class:`~detente.io.scenario_spec.ScenarioSpec`, compiles the conflict and the issue space (their errors
keep their place in the file), compiles every perception into ranks over the conflict's states, and
checks every name the file cross-references, every quoted source, and that every intervention's
patch applies and leaves a valid scenario. All problems found are raised together as one
:class:`~detente.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from detente.clock.montecarlo import UncertainClock
from detente.conflict.hypergame import Perception
from detente.conflict.model import Conflict, IntArray, match_states
from detente.errors import InputError, Problem
from detente.forecast.uncertain import UncertainSpace
from detente.io.clock import compile_checked
from detente.io.conflict import compile_conflict
from detente.io.forecast_spec import compile_uncertain_space
from detente.io.packaged import builtin_yaml
from detente.io.patch import PatchError, apply_change
from detente.io.scenario_spec import ScenarioSpec
from detente.io.yamlio import LineMap, format_loc, load_yaml, validate_model

Loc = tuple[str | int, ...]
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class CompiledPerception:
    """A perception resolved against the conflict: indices, and the perceived ranks of ``about``."""

    name: str
    perceiver: int
    about: int
    ranks: IntArray | None
    """``about``'s preferences as ``perceiver`` sees them: dense ranks over the conflict's states."""
    hidden_options: frozenset[int]


@dataclass(frozen=True, eq=False)
class Scenario:
    """A loaded scenario: the raw data, the validated spec, its line map and its compiled parts."""

    data: Mapping[str, Any]
    spec: ScenarioSpec
    conflict: Conflict
    lines: LineMap
    issues: UncertainSpace
    perceptions: tuple[CompiledPerception, ...] = ()
    clock: UncertainClock | None = None
    """The negotiation clock of the scenario's ``clock:`` section (:mod:`detente.io.clock`), if any."""

    @property
    def path(self) -> str:
        return self.lines.file

    def _dm(self, dm: int | str) -> int:
        return self.conflict.dm_index(dm) if isinstance(dm, str) else dm

    def perceived_ranks(self, perceiver: int | str) -> IntArray:
        """(decision makers x states) ranks as ``perceiver`` believes them to be.

        The real ranks, with each row ``perceiver`` holds a perception about replaced by the
        perceived ranks (the perceived game of a first-level hypergame, Bennett 1980).
        """
        i = self._dm(perceiver)
        ranks = np.array(self.conflict.ranks, copy=True)
        for p in self.perceptions:
            if p.perceiver == i and p.ranks is not None:
                ranks[p.about] = p.ranks
        return ranks

    def hidden_options(self, perceiver: int | str) -> frozenset[int]:
        """Indices of the options ``perceiver`` does not know of."""
        i = self._dm(perceiver)
        return frozenset(j for p in self.perceptions if p.perceiver == i for j in p.hidden_options)

    def perceived_conflict(self, perceiver: int | str) -> Conflict:
        """The conflict with ``perceiver``'s perceived preferences (hidden options are not removed here)."""
        return self.conflict.with_ranks(self.perceived_ranks(perceiver))


def perceptions_of(scenario: Scenario) -> dict[int, Perception]:
    """The scenario's perceptions as hypergame input, one per perceiving decision maker."""
    perceivers = sorted({p.perceiver for p in scenario.perceptions})
    return {i: Perception(i, scenario.perceived_ranks(i), scenario.hidden_options(i)) for i in perceivers}


# -- entry points -------------------------------------------------------------------------------
BUILTIN = "dprk_us_2019_10"
"""The default built-in scenario: the North Korea–US talks as of 9 October 2019."""


def builtin_scenario(name: str = BUILTIN) -> Path:
    """The file of a scenario shipped with detente (package data ``scenarios/<name>.yaml``)."""
    return builtin_yaml("scenarios", name, "scenario")


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate, cross-check and compile a scenario YAML file (InputError names file, line, field)."""
    data, lines = load_yaml(path)
    return parse_scenario(data, lines)


def parse_scenario(data: Any, lines: LineMap, check_interventions: bool = True) -> Scenario:
    """Validate and compile parsed scenario data; with ``check_interventions`` also apply each patch."""
    spec = validate_model(ScenarioSpec, data, lines)
    problems: list[Problem] = []
    conflict = _collect(problems, lambda: compile_conflict(spec.conflict, lines, ("conflict",)))
    issues = _collect(problems, lambda: compile_uncertain_space(spec.issues, lines, ("issues",)))
    clock_spec = spec.clock
    clock = (
        None
        if clock_spec is None
        else _collect(problems, lambda: compile_checked(clock_spec, data["clock"], lines, ("clock",)))
    )
    problems += _check_sources(data, spec, lines)
    problems += _check_actors(spec, lines)
    problems += _check_timeline(spec, lines)
    perceptions: tuple[CompiledPerception, ...] = ()
    if conflict is not None:
        problems += _check_actor_links(spec, conflict, lines)
        compiled, found = _compile_perceptions(spec, conflict, lines)
        perceptions, problems = compiled, problems + found
    if problems:
        raise InputError(problems)
    assert conflict is not None and issues is not None
    if check_interventions:
        _check_interventions(data, spec, lines)
    return Scenario(data, spec, conflict, lines, issues, perceptions, clock)


def _collect(problems: list[Problem], build: Callable[[], T]) -> T | None:
    """``build()``, or None with its problems added to ``problems``."""
    try:
        return build()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


# -- evidence and sources -----------------------------------------------------------------------
def evidence_entries(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Mapping[str, Any]]]:
    """Every evidence entry in raw scenario data (including inside intervention values), with its path.

    An evidence entry is an item of a list held under a key named ``evidence``.
    """
    if isinstance(data, Mapping):
        for key, value in data.items():
            if key == "evidence" and isinstance(value, list):
                for k, item in enumerate(value):
                    if isinstance(item, Mapping):
                        yield (*loc, key, k), item
            else:
                yield from evidence_entries(value, (*loc, key))
    elif isinstance(data, list):
        for k, item in enumerate(data):
            yield from evidence_entries(item, (*loc, k))


def _check_sources(data: Any, spec: ScenarioSpec, lines: LineMap) -> list[Problem]:
    """Every quote's source must be one of the sources ``meta`` lists."""
    known = {s.file for s in spec.meta.sources}
    return [
        lines.problem((*loc, "source"), f"source {entry.get('source')!r} is not listed in meta.sources")
        for loc, entry in evidence_entries(data)
        if entry.get("quote") and not (isinstance(entry.get("source"), str) and entry.get("source") in known)
    ]


# -- cross-references ---------------------------------------------------------------------------
def _duplicates(names: list[str], where: str, lines: LineMap) -> list[Problem]:
    return [
        lines.problem((where, k, "name"), f"duplicate name {name!r}")
        for k, name in enumerate(names)
        if name in names[:k]
    ]


def _check_actors(spec: ScenarioSpec, lines: LineMap) -> list[Problem]:
    names = [a.name for a in spec.actors]
    problems = _duplicates(names, "actors", lines)
    parent = {a.name: a.parent for a in spec.actors}
    for k, actor in enumerate(spec.actors):
        if actor.parent is not None and actor.parent not in parent:
            problems.append(lines.problem(("actors", k, "parent"), f"unknown actor {actor.parent!r}"))
            continue
        seen, p = {actor.name}, actor.parent
        while p is not None and p in parent:
            if p in seen:
                problems.append(lines.problem(("actors", k, "parent"), f"{actor.name!r} is its own ancestor"))
                break
            seen.add(p)
            p = parent[p]
    return problems


def _check_actor_links(spec: ScenarioSpec, conflict: Conflict, lines: LineMap) -> list[Problem]:
    dms = {dm.name for dm in conflict.decision_makers}
    options = {o.name for o in conflict.options}
    actors = {a.name for a in spec.actors}
    problems: list[Problem] = []
    for k, actor in enumerate(spec.actors):
        if actor.decision_maker is not None and actor.decision_maker not in dms:
            message = f"unknown decision maker {actor.decision_maker!r}"
            problems.append(lines.problem(("actors", k, "decision_maker"), message))
        for q, move in enumerate(actor.moves):
            if move.option is not None and move.option not in options:
                message = f"unknown conflict option {move.option!r}"
                problems.append(lines.problem(("actors", k, "moves", q, "option"), message))
    linked = {a.decision_maker for a in spec.actors}
    for i, dm in enumerate(conflict.decision_makers):
        if dm.name not in linked:
            message = f"no actor has decision_maker {dm.name!r}"
            problems.append(lines.problem(("conflict", "decision_makers", i, "name"), message))
    for k, issue_actor in enumerate(spec.issues.actors):
        if issue_actor.name not in actors | dms:
            message = f"{issue_actor.name!r} is neither an actor nor a decision maker of the scenario"
            problems.append(lines.problem(("issues", "actors", k, "name"), message))
    for k, iv in enumerate(spec.interventions):
        if iv.addressee not in actors:
            message = f"unknown actor {iv.addressee!r}"
            problems.append(lines.problem(("interventions", k, "addressee"), message))
    problems += _duplicates([p.name for p in spec.perceptions], "perceptions", lines)
    problems += _duplicates([iv.name for iv in spec.interventions], "interventions", lines)
    problems += _duplicates([o.name for o in spec.outcomes], "outcomes", lines)
    for k, outcome in enumerate(spec.outcomes):
        try:
            empty = match_states(conflict, outcome.pattern).size == 0
        except ValueError as exc:
            problems.append(lines.problem(("outcomes", k, "pattern"), str(exc)))
            continue
        if empty:
            problems.append(lines.problem(("outcomes", k, "pattern"), "matches no feasible state"))
    return problems


def _check_timeline(spec: ScenarioSpec, lines: LineMap) -> list[Problem]:
    return _duplicates([t.name for t in spec.timeline], "timeline", lines)


# -- perceptions --------------------------------------------------------------------------------
def _compile_perceptions(
    spec: ScenarioSpec, conflict: Conflict, lines: LineMap
) -> tuple[tuple[CompiledPerception, ...], list[Problem]]:
    dms = [dm.name for dm in conflict.decision_makers]
    options = [o.name for o in conflict.options]
    problems: list[Problem] = []
    out: list[CompiledPerception] = []
    for p, perception in enumerate(spec.perceptions):
        loc: Loc = ("perceptions", p)
        bad = [f for f in ("perceiver", "about") if getattr(perception, f) not in dms]
        for f in bad:
            problems.append(lines.problem((*loc, f), f"unknown decision maker {getattr(perception, f)!r}"))
        if bad:
            continue
        i, about = dms.index(perception.perceiver), dms.index(perception.about)
        hidden: set[int] = set()
        for q, name in enumerate(perception.unknown_options):
            if name not in options:
                problems.append(lines.problem((*loc, "unknown_options", q), f"unknown option {name!r}"))
            elif conflict.options[options.index(name)].owner == i:
                message = f"{perception.perceiver} owns option {name!r}"
                problems.append(lines.problem((*loc, "unknown_options", q), message))
            else:
                hidden.add(options.index(name))
        ranks = None
        if perception.preferences is not None:
            ranks = _collect(problems, partial(_perceived_row, spec, conflict, about, p, lines))
        out.append(CompiledPerception(perception.name, i, about, ranks, frozenset(hidden)))
    return tuple(out), problems


def _perceived_row(spec: ScenarioSpec, conflict: Conflict, about: int, p: int, lines: LineMap) -> IntArray:
    """Ranks of decision maker ``about`` under perception ``p``'s preferences, over the real states.

    Compiles the conflict with ``about``'s preferences swapped for the perceived ones; a problem in
    them is reported at the perception's own place in the file.
    """
    perceived = spec.perceptions[p].preferences
    dms = list(spec.conflict.decision_makers)
    dms[about] = dms[about].model_copy(update={"preferences": perceived})
    swapped = spec.conflict.model_copy(update={"decision_makers": dms})
    real_loc: Loc = ("decision_makers", about, "preferences")
    new_loc: Loc = ("perceptions", p, "preferences")
    moved = {
        (*real_loc, *key[len(new_loc) :]): line
        for key, line in lines.lines.items()
        if key[: len(new_loc)] == new_loc
    }
    try:
        ranks = compile_conflict(swapped, LineMap(lines.file, moved)).ranks
    except InputError as exc:
        old, new = format_loc(real_loc), format_loc(new_loc)
        raise InputError(
            [Problem(e.file, e.line, e.field.replace(old, new, 1), e.message) for e in exc.problems]
        ) from exc
    return np.asarray(ranks[about], dtype=np.int64)


# -- interventions ------------------------------------------------------------------------------
def _check_interventions(data: Any, spec: ScenarioSpec, lines: LineMap) -> None:
    """Apply each intervention's changes to the data; each must apply and leave a valid scenario."""
    problems: list[Problem] = []
    for k, iv in enumerate(spec.interventions):
        patched = data
        at: Loc = ("interventions", k, "changes")
        try:
            for c, change in enumerate(iv.changes):
                at = ("interventions", k, "changes", c)
                patched = apply_change(patched, change)
        except PatchError as exc:
            problems.append(lines.problem(at, f"does not apply: {exc}"))
            continue
        try:
            parse_scenario(patched, LineMap(lines.file), check_interventions=False)
        except InputError as exc:
            problems += [
                lines.problem(("interventions", k), f"leaves an invalid scenario: [{e.field}] {e.message}")
                for e in exc.problems
            ]
    if problems:
        raise InputError(problems)
