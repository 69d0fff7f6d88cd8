"""Score interventions against each other by what they do to the equilibria and to the forecast.

For the baseline and for each intervention (a patch applied to the scenario data), the scenario is
compiled and analysed afresh:

* conflict: for every outcome of interest and every solution concept, whether one of its states is an
  equilibrium of the real game, whether it is a hypergame equilibrium (each decision maker acting on
  its own perceived game, :mod:`detente.conflict.hypergame`), and whether such an equilibrium is
  reachable from the status quo by unilateral improvements (:mod:`detente.conflict.paths`);
* forecast: the Monte Carlo distribution of the issue-space outcome (median and 90% interval per
  dimension) under one model, with the same seed for every variant so differences are not noise
  of the sampling.

The ranking is lexicographic and stated in the result: first the net number of (outcome, concept)
pairs where a desired outcome becomes a *reachable hypergame equilibrium* (undesired outcomes count
against), then the same count for hypergame equilibria whether reachable or not, then the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.conflict.hypergame import HypergameResult, Perception, analyze_hypergame
from detente.conflict.model import Conflict
from detente.conflict.paths import status_quo_paths
from detente.conflict.stability import CONCEPTS
from detente.forecast.montecarlo import run_monte_carlo
from detente.forecast.uncertain import UncertainSpace
from detente.interventions.explain import InterventionEffect, StateKey, compare, state_key
from detente.interventions.mechanism import (
    MechanismChange,
    OutcomeAssumption,
    addressee_parties,
    judge,
    mechanism_changes,
)
from detente.io.outcomes import OutcomeSpec, outcome_states
from detente.io.patch import Intervention, apply_intervention


@dataclass(frozen=True)
class OutcomeStatus:
    """For one outcome under one concept: equilibrium of the real game, of the hypergame, reachable."""

    equilibrium: bool
    hypergame_equilibrium: bool
    reachable: bool


@dataclass(frozen=True, eq=False)
class Assessment:
    """One variant (the baseline or an intervention) analysed."""

    name: str
    title: str
    outcomes: Mapping[str, Mapping[str, OutcomeStatus]]  # outcome -> concept -> status
    equilibria: Mapping[str, tuple[str, ...]]  # concept -> state labels (Y/N strings) of the real game
    forecast_median: tuple[float, ...]
    forecast_interval: tuple[tuple[float, float], ...]
    dimensions: tuple[str, ...] = ()
    hypergame: HypergameResult | None = None
    expected: Mapping[str, tuple[StateKey, ...]] = field(default_factory=dict)
    """concept -> hypergame equilibria reachable from the status quo (the outcomes to expect), by options."""


@dataclass(frozen=True, eq=False)
class Ranked:
    """One intervention against the baseline: counts, forecast shift, what moved and why."""

    assessment: Assessment
    reach_gain: int
    equilibrium_gain: int
    forecast_shift: tuple[float, ...]
    effect: InterventionEffect
    mechanism: tuple[MechanismChange, ...] = ()
    assumption: OutcomeAssumption | None = None
    outcome_changes: tuple[OutcomeChange, ...] = ()


@dataclass(frozen=True)
class OutcomeChange:
    """An outcome of interest whose status changed under some concepts (see :func:`outcome_changes`)."""

    outcome: str
    change: str  # "reachable", "unreachable", "hypergame_equilibrium", "not_hypergame_equilibrium",
    # "equilibrium", "not_equilibrium" (the last two: of the real game)
    concepts: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class InterventionReport:
    baseline: Assessment
    ranked: tuple[Ranked, ...]
    concepts: tuple[str, ...]
    outcomes: tuple[OutcomeSpec, ...]
    dimensions: tuple[str, ...]
    model: str
    runs: int
    seed: int


Compiler = Callable[[Any], tuple[Conflict, Mapping[int, Perception], UncertainSpace]]
"""Turns scenario data into the conflict, its perceptions (by perceiver) and the uncertain issue space."""


def assess(
    name: str,
    title: str,
    conflict: Conflict,
    perceptions: Mapping[int, Perception],
    issues: UncertainSpace | None,
    outcomes: Sequence[OutcomeSpec],
    concepts: Sequence[str] = CONCEPTS,
    model: str = "compromise",
    runs: int = 200,
    seed: int = 0,
) -> Assessment:
    """Analyse one variant: outcome status per concept, equilibria, and the forecast distribution."""
    hyper = analyze_hypergame(conflict, perceptions, concepts)
    # Which states the status quo reaches by unilateral improvements does not depend on the concept.
    reached = (
        status_quo_paths(conflict, hyper.real, concepts[0], max_paths=1).distance >= 0
        if conflict.status_quo is not None
        else np.zeros(conflict.n_states, dtype=bool)
    )
    status: dict[str, dict[str, OutcomeStatus]] = {}
    for outcome in outcomes:
        members = {int(s) for s in outcome_states(conflict, outcome)}
        per: dict[str, OutcomeStatus] = {}
        for concept in concepts:
            real = members & {int(s) for s in hyper.real.equilibria(concept)}
            held = members & {int(s) for s in hyper.equilibria(concept)}
            per[concept] = OutcomeStatus(bool(real), bool(held), any(bool(reached[s]) for s in held))
        status[outcome.name] = per
    median: tuple[float, ...] = ()
    interval: tuple[tuple[float, float], ...] = ()
    if issues is not None and runs > 0:
        mc = run_monte_carlo(issues, model, runs, seed=seed, workers=1)
        q = mc.quantiles((0.05, 0.5, 0.95))
        median = tuple(float(v) for v in q["q50"])
        interval = tuple((float(a), float(b)) for a, b in zip(q["q05"], q["q95"], strict=True))
    return Assessment(
        name,
        title,
        status,
        {c: tuple(conflict.label(int(s)) for s in hyper.real.equilibria(c)) for c in concepts},
        median,
        interval,
        () if issues is None else issues.base.dimensions,
        hyper,
        {
            c: tuple(state_key(conflict, int(s)) for s in hyper.equilibria(c) if reached[int(s)])
            for c in concepts
        },
    )


def outcome_count(a: Assessment, outcomes: Sequence[OutcomeSpec], field: str) -> int:
    """Over (outcome, concept) pairs: +1 per desired and -1 per undesired outcome whose status ``field``
    (``equilibrium``, ``hypergame_equilibrium`` or ``reachable``) holds."""
    return sum(
        (1 if o.desired else -1) * sum(bool(getattr(st, field)) for st in a.outcomes[o.name].values())
        for o in outcomes
    )


def outcome_changes(
    base: Assessment, a: Assessment, outcomes: Sequence[OutcomeSpec]
) -> tuple[OutcomeChange, ...]:
    """Per outcome of interest, the concepts under which it became or stopped being a reachable
    hypergame equilibrium, a hypergame equilibrium, or an equilibrium of the real game."""
    out: list[OutcomeChange] = []
    for o in outcomes:
        grouped: dict[str, list[str]] = {}
        for concept, st in a.outcomes[o.name].items():
            before = base.outcomes[o.name][concept]
            for attr, yes, no in (
                ("equilibrium", "equilibrium", "not_equilibrium"),
                ("hypergame_equilibrium", "hypergame_equilibrium", "not_hypergame_equilibrium"),
                ("reachable", "reachable", "unreachable"),
            ):
                now, was = getattr(st, attr), getattr(before, attr)
                if now != was:
                    grouped.setdefault(yes if now else no, []).append(concept)
        out += [OutcomeChange(o.name, what, tuple(cs)) for what, cs in grouped.items()]
    return tuple(out)


def evaluate(
    data: Any,
    interventions: Sequence[Intervention],
    compile_data: Compiler,
    outcomes: Sequence[OutcomeSpec],
    concepts: Sequence[str] = CONCEPTS,
    model: str = "compromise",
    runs: int = 200,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> InterventionReport:
    """Assess the baseline and every intervention, and rank the interventions (see module doc)."""
    concepts = tuple(concepts)

    def one(name: str, title: str, variant: Any) -> Assessment:
        conflict, perceptions, issues = compile_data(variant)
        return assess(name, title, conflict, perceptions, issues, outcomes, concepts, model, runs, seed)

    total = len(interventions) + 1
    base = one("baseline", "No intervention (the scenario as it stands)", data)
    if progress:
        progress(1, total)
    ranked = []
    for k, iv in enumerate(interventions, start=2):
        a = one(iv.name, iv.title, apply_intervention(data, iv.changes))
        shift = tuple(float(x - y) for x, y in zip(a.forecast_median, base.forecast_median, strict=True))
        assert base.hypergame is not None and a.hypergame is not None
        moved = tuple(mechanism_changes(data, iv.changes))
        addressee = getattr(iv, "addressee", None)
        ranked.append(
            Ranked(
                a,
                outcome_count(a, outcomes, "reachable") - outcome_count(base, outcomes, "reachable"),
                outcome_count(a, outcomes, "hypergame_equilibrium")
                - outcome_count(base, outcomes, "hypergame_equilibrium"),
                shift,
                compare(base.hypergame, a.hypergame, concepts),
                moved,
                judge(iv.name, moved, addressee_parties(data, addressee) if addressee else frozenset()),
                outcome_changes(base, a, outcomes),
            )
        )
        if progress:
            progress(k, total)
    ranked.sort(key=lambda r: (-r.reach_gain, -r.equilibrium_gain, r.assessment.name))
    return InterventionReport(
        base, tuple(ranked), concepts, tuple(outcomes), base.dimensions, model, runs, seed
    )


def medians_array(report: InterventionReport) -> np.ndarray:
    """(variants x dimensions) forecast medians, baseline first, then in ranked order."""
    rows = [report.baseline.forecast_median, *(r.assessment.forecast_median for r in report.ranked)]
    return np.array(rows, dtype=np.float64)
