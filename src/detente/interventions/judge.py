"""Judging interventions from every side: per stakeholder, in bundles, and under uncertain judgements.

* **Stakeholders.** Each decision maker judges the outcomes to expect (the hypergame equilibria
  reachable from the status quo under a concept, :attr:`Assessment.expected`) by its own *baseline*
  preferences: its value is the mean, over those states, of the state's rank scaled to 0 (its least
  preferred state) .. 1 (its most preferred). A state with an option that exists only in the variant
  is judged as the baseline state with that option off. The user's stated goals are the outcomes of
  interest marked desired or undesired (:func:`outcome_views` gives each decision maker's view of
  them: better or worse than the status quo for it).
* **Bundles.** Every pair of interventions and all of them together are applied in sequence and
  assessed like a single intervention; the *interaction* of a bundle is its gain minus the sum of
  its members' gains (0: the effects add up; positive: they reinforce each other; negative: they
  get in each other's way). A bundle whose patches cannot be applied together is reported with the
  reason.
* **Robustness.** The ranking rule of :mod:`detente.interventions.evaluate` is re-run on draws of the
  scenario's uncertain judgements: in each draw every list of preference statements (real and
  perceived) has each adjacent pair of statements swapped with probability ``swap``, a statement of
  priority being an ordinal judgement an analyst could make either way. The result is how often
  each intervention ranks first (ties share first place) and its mean rank.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.conflict.model import Conflict
from detente.errors import InputError
from detente.interventions.evaluate import (
    Assessment,
    Compiler,
    InterventionReport,
    OutcomeChange,
    assess,
    outcome_changes,
    outcome_count,
)
from detente.interventions.explain import state_index
from detente.io.outcomes import OutcomeSpec, outcome_states
from detente.io.patch import Change, Intervention, PatchError, apply_intervention

Progress = Callable[[int, int], None]


# -- stakeholders -------------------------------------------------------------------------------------
def _scaled_ranks(conflict: Conflict) -> np.ndarray:
    r = conflict.ranks.astype(np.float64)
    top = r.max(axis=1, keepdims=True)
    out: np.ndarray = np.divide(r, top, out=np.zeros_like(r), where=top > 0)
    return out


def stakeholder_values(
    base: Conflict, assessment: Assessment, concept: str = "seq"
) -> dict[str, float | None]:
    """decision maker -> mean scaled baseline rank (0..1) of the outcomes to expect; None when the
    variant expects no outcome (no reachable hypergame equilibrium)."""
    index = state_index(base)
    names = {o.name for o in base.options}
    states = [index.get(frozenset(k & names)) for k in assessment.expected.get(concept, ())]
    known = [s for s in states if s is not None]
    scaled = _scaled_ranks(base)
    return {
        dm.name: (float(scaled[i, known].mean()) if known else None)
        for i, dm in enumerate(base.decision_makers)
    }


@dataclass(frozen=True)
class OutcomeView:
    """How one decision maker sees one outcome of interest against the status quo."""

    outcome: str
    dm: str
    view: str  # "better", "worse", "mixed" or "same" than the status quo, by its true preferences


def outcome_views(conflict: Conflict, outcomes: Sequence[OutcomeSpec]) -> tuple[OutcomeView, ...]:
    """Each decision maker's view of each outcome of interest: are all its states better (worse) for it
    than the status quo."""
    sq = conflict.status_quo
    out = []
    for o in outcomes:
        members = outcome_states(conflict, o)
        for i, dm in enumerate(conflict.decision_makers):
            if sq is None or not len(members):
                view = "same"
            else:
                r = conflict.ranks[i]
                better, worse = bool((r[members] > r[sq]).all()), bool((r[members] < r[sq]).all())
                view = "better" if better else "worse" if worse else "mixed"
                if (r[members] == r[sq]).all():
                    view = "same"
            out.append(OutcomeView(o.name, dm.name, view))
    return tuple(out)


# -- bundles ------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Bundle:
    """Interventions applied together."""

    members: tuple[str, ...]
    reach_gain: int
    equilibrium_gain: int
    interaction: int  # equilibrium_gain minus the sum of the members' equilibrium gains
    reach_interaction: int
    outcome_changes: tuple[OutcomeChange, ...]
    new_changes: tuple[OutcomeChange, ...]  # outcome changes no member brings about alone
    error: str = ""  # why the patches cannot be applied together ("" when they can)
    assessment: Assessment | None = None


def evaluate_bundles(
    data: Any,
    interventions: Sequence[Intervention],
    compile_data: Compiler,
    report: InterventionReport,
    concepts: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> tuple[Bundle, ...]:
    """Every pair, then all interventions together (when there are more than two), against the
    baseline of ``report`` (which must hold every single intervention)."""
    concepts = tuple(concepts or report.concepts)
    outcomes = report.outcomes
    single = {r.assessment.name: r for r in report.ranked}
    groups: list[tuple[Intervention, ...]] = [tuple(p) for p in itertools.combinations(interventions, 2)]
    if len(interventions) > 2:
        groups.append(tuple(interventions))
    base = report.baseline
    out = []
    for k, group in enumerate(groups, start=1):
        names = tuple(iv.name for iv in group)
        changes: list[Change] = [c for iv in group for c in iv.changes]
        try:
            variant = apply_intervention(data, changes)
            conflict, perceptions, _ = compile_data(variant)
        except (PatchError, InputError, ValueError) as exc:
            out.append(Bundle(names, 0, 0, 0, 0, (), (), f"cannot be applied together: {exc}"))
            continue
        label = " + ".join(names)
        a = assess(label, label, conflict, perceptions, None, outcomes, concepts, runs=0)
        reach = outcome_count(a, outcomes, "reachable") - outcome_count(base, outcomes, "reachable")
        eq = outcome_count(a, outcomes, "hypergame_equilibrium") - outcome_count(
            base, outcomes, "hypergame_equilibrium"
        )
        changes_here = outcome_changes(base, a, outcomes)
        alone = {(c.outcome, c.change) for n in names for c in single[n].outcome_changes}
        new = tuple(c for c in changes_here if (c.outcome, c.change) not in alone)
        out.append(
            Bundle(
                names,
                reach,
                eq,
                eq - sum(single[n].equilibrium_gain for n in names),
                reach - sum(single[n].reach_gain for n in names),
                changes_here,
                new,
                "",
                a,
            )
        )
        if progress:
            progress(k, len(groups))
    return tuple(out)


# -- robustness -----------------------------------------------------------------------------------------
def _swap_statements(items: list[Any], rng: np.random.Generator, swap: float) -> list[Any]:
    items = list(items)
    for k in range(len(items) - 1):
        if rng.random() < swap:
            items[k], items[k + 1] = items[k + 1], items[k]
    return items


def perturb_preferences(data: Any, rng: np.random.Generator, swap: float = 0.15) -> Any:
    """A copy of raw scenario data with adjacent preference statements swapped at random (real
    decision makers' and perceived ones'), each pair with probability ``swap``."""

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, Mapping):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            items = [walk(v) for v in node]
            return _swap_statements(items, rng, swap) if key == "statements" else items
        return node

    out = dict(data)
    if "conflict" in out:
        out["conflict"] = walk(out["conflict"])
    if "perceptions" in out:
        out["perceptions"] = walk(out["perceptions"])
    return out


@dataclass(frozen=True)
class Robustness:
    """How often each intervention ranks first, and its mean rank, over draws of the judgements."""

    draws: int  # draws that compiled (a draw whose patched scenario is invalid is skipped)
    seed: int
    swap: float
    first: Mapping[str, float]  # share of draws in which it ranks first (ties share first place)
    mean_rank: Mapping[str, float]
    concepts: tuple[str, ...]


def _scores(
    data: Any,
    interventions: Sequence[Intervention],
    compile_data: Compiler,
    outcomes: Sequence[OutcomeSpec],
    concepts: Sequence[str],
) -> dict[str, tuple[int, int]]:
    def one(variant: Any, name: str) -> Assessment:
        conflict, perceptions, _ = compile_data(variant)
        return assess(name, name, conflict, perceptions, None, outcomes, concepts, runs=0)

    base = one(data, "baseline")
    out = {}
    for iv in interventions:
        a = one(apply_intervention(data, iv.changes), iv.name)
        out[iv.name] = (
            outcome_count(a, outcomes, "reachable") - outcome_count(base, outcomes, "reachable"),
            outcome_count(a, outcomes, "hypergame_equilibrium")
            - outcome_count(base, outcomes, "hypergame_equilibrium"),
        )
    return out


def rank_robustness(
    data: Any,
    interventions: Sequence[Intervention],
    compile_data: Compiler,
    outcomes: Sequence[OutcomeSpec],
    draws: int = 20,
    seed: int = 0,
    swap: float = 0.15,
    concepts: Sequence[str] = ("nash", "seq"),
    progress: Progress | None = None,
) -> Robustness:
    """The ranking rule re-run on ``draws`` perturbed copies of the scenario (see the module doc)."""
    rng = np.random.default_rng(seed)
    first = dict.fromkeys((iv.name for iv in interventions), 0.0)
    ranks = dict.fromkeys(first, 0.0)
    done = 0
    for k in range(draws):
        variant = perturb_preferences(data, rng, swap)
        try:
            scores = _scores(variant, interventions, compile_data, outcomes, concepts)
        except (PatchError, InputError, ValueError):
            continue
        done += 1
        best = max(scores.values())
        top = [n for n, s in scores.items() if s == best]
        for n in top:
            first[n] += 1.0 / len(top)
        ordered = sorted(scores.values(), reverse=True)
        for n, s in scores.items():
            # the mean position of its score among all scores (ties share positions)
            positions = [p for p, v in enumerate(ordered, start=1) if v == s]
            ranks[n] += sum(positions) / len(positions)
        if progress:
            progress(k + 1, draws)
    share = {n: (v / done if done else 0.0) for n, v in first.items()}
    mean = {n: (v / done if done else 0.0) for n, v in ranks.items()}
    return Robustness(done, seed, swap, share, mean, tuple(concepts))
