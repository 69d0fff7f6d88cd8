"""Forecast questions answered by the model: a probability for each, with the reasoning.

Each question of a :class:`~detente.io.questions.QuestionSet` carries an ``indicator``
(:class:`~detente.io.questions.IndicatorSpec`) that links it to one snapshot (a scenario). The
answer uses that snapshot's information only:

* ``conflict`` (a state ``pattern``): the conflict is taken to settle at one of the hypergame
  equilibria under SEQ (each decision maker acting on its own perceived game,
  :func:`detente.conflict.hypergame.analyze_hypergame`; Bennett 1980, Futures 12(6)) that are
  reachable from the status quo by unilateral improvements (Li, Kilgour & Hipel 2005, JORS 56(6);
  :func:`detente.conflict.paths.status_quo_paths`), each equally likely; when none is reachable, the
  conflict stays at the status quo. The *baseline* is the share of those states that match the
  pattern with the snapshot's judgements as written. Judgement uncertainty is then sampled: in each
  of ``samples`` samples (one ``numpy`` generator seeded with ``seed``), every decision maker's list
  of priority statements, and every perception's, is walked from the top, and each adjacent pair
  (k, k + 1) is swapped with probability ``swap`` (so a statement can move down more than one place,
  with probability ``swap`` per place); the edited data are re-validated and compiled with
  :func:`detente.io.scenario.parse_scenario`. The probability is the mean, over the samples, of the
  matching share. Preferences given as an explicit ranking are not perturbed.
* ``forecast`` (a ``dimension`` and a threshold ``above`` or ``below``): the share of the Monte Carlo
  runs (:func:`detente.forecast.montecarlo.run_monte_carlo`, the headline model ``DEFAULT_MODEL``
  unless the indicator names another, seeded with ``seed``) whose outcome on that dimension lies
  beyond the threshold; failed runs are left out. The baseline is the point forecast (the inputs at
  their stated values): 0 or 1.
* ``judgement``: the analyst's stated probability, labelled as such; probability = baseline.

A conflict or forecast answer with a stated ``prior`` is blended, both the probability and the
baseline: ``weight * model + (1 - weight) * prior`` (a linear opinion pool; Genest & Zidek 1986,
"Combining probability distributions", Statistical Science 1(1)). The weight says how closely the
model's notion matches the question's resolution criterion, e.g. a model of where the conflict
settles against a question with a short deadline.

Refinement of the design: a question without an indicator, an indicator naming an unknown option or
dimension, a threshold outside the dimension's scale, an unknown forecast model, or a conflict
indicator for a conflict without a status quo are all InputErrors (file, line, field) raised before
any work, since every question must get an answer to be scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from detente.conflict.hypergame import analyze_hypergame
from detente.conflict.model import match_states
from detente.conflict.paths import PATH_CONCEPT, status_quo_paths
from detente.errors import InputError, Problem
from detente.forecast.models import MODEL_NAMES
from detente.forecast.montecarlo import MonteCarloResult, run_monte_carlo
from detente.io.evidence import Evidence
from detente.io.questions import IndicatorSpec, QuestionSet, QuestionSpec
from detente.io.scenario import Scenario, parse_scenario, perceptions_of
from detente.io.yamlio import atomic_write_text, dump_yaml

SAMPLES = 200
SWAP = 0.15
RUNS = 500
SEED = 2019
DEFAULT_MODEL = "compromise"
"""The forecast model of a question that names none: the headline model of the main job
(:data:`detente.analysis.HEADLINE_MODEL`, chosen by back-test evidence), so every comparison uses it."""


@dataclass(frozen=True, eq=False)
class Settlement:
    """Where the conflict settles: the states (indices) in the baseline and in each sample."""

    baseline: tuple[int, ...]
    samples: tuple[tuple[int, ...], ...]
    stuck: int
    """Samples with no reachable equilibrium (they count the status quo)."""
    baseline_stuck: bool
    swap: float
    seed: int


# -- the conflict indicator ---------------------------------------------------------------------
def settling_states(scenario: Scenario, concept: str = PATH_CONCEPT) -> tuple[tuple[int, ...], bool]:
    """Hypergame equilibria under ``concept`` reachable from the status quo by unilateral improvements.

    Returns (states, stuck): when none is reachable, ((status quo,), True).
    """
    conflict = scenario.conflict
    if conflict.status_quo is None:
        raise ValueError("the conflict names no status quo")
    hyper = analyze_hypergame(conflict, perceptions_of(scenario), (concept,))
    paths = status_quo_paths(conflict, hyper.real, concept, max_paths=1)
    reachable = tuple(int(e) for e in hyper.equilibria(concept) if paths.distance[int(e)] >= 0)
    return (reachable, False) if reachable else ((conflict.status_quo,), True)


def perturb(data: Mapping[str, Any], rng: np.random.Generator, swap: float) -> dict[str, Any]:
    """Scenario data with adjacent priority statements swapped (see module doc); ``data`` is untouched.

    The lists are taken in file order, each decision maker's then each perception's; only the
    containers on the way to a statement list are copied (the statements themselves are shared).
    """
    out = dict(data)
    conflict = out["conflict"] = dict(out["conflict"])
    holders = conflict["decision_makers"] = [dict(dm) for dm in conflict["decision_makers"]]
    if out.get("perceptions"):
        perceptions = out["perceptions"] = [dict(p) for p in out["perceptions"]]
        holders = [*holders, *perceptions]
    for holder in holders:
        prefs = holder.get("preferences")
        if not (isinstance(prefs, dict) and isinstance(prefs.get("statements"), list)):
            continue
        statements = list(prefs["statements"])
        holder["preferences"] = {**prefs, "statements": statements}
        for k, u in enumerate(rng.random(max(len(statements) - 1, 0))):
            if u < swap:
                statements[k], statements[k + 1] = statements[k + 1], statements[k]
    return out


def settle(
    scenario: Scenario,
    samples: int = SAMPLES,
    swap: float = SWAP,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> Settlement:
    """The settling states of the snapshot as written and of ``samples`` perturbed copies of it;
    ``progress(done, samples)`` after each copy."""
    base, base_stuck = settling_states(scenario)
    rng = np.random.default_rng(seed)
    drawn = []
    stuck = 0
    for k in range(samples):
        variant = parse_scenario(perturb(scenario.data, rng, swap), scenario.lines, check_interventions=False)
        states, none_reachable = settling_states(variant)
        drawn.append(states)
        stuck += none_reachable
        if progress is not None:
            progress(k + 1, samples)
    return Settlement(base, tuple(drawn), stuck, base_stuck, swap, seed)


def matching_share(states: Sequence[int], members: frozenset[int]) -> float:
    """The share of ``states`` (each equally likely) that are among ``members``."""
    return sum(s in members for s in states) / len(states)


def state_weights(settlement: Settlement) -> dict[int, float]:
    """Each state's probability of being where the conflict settles, over the samples (baseline if none)."""
    rows = settlement.samples or (settlement.baseline,)
    weights: dict[int, float] = {}
    for states in rows:
        for s in states:
            weights[s] = weights.get(s, 0.0) + 1.0 / (len(states) * len(rows))
    return weights


# -- the forecast indicator ---------------------------------------------------------------------
def beyond(values: np.ndarray, indicator: IndicatorSpec) -> np.ndarray:
    """Boolean: each value is above ``indicator.above`` (or below ``indicator.below``)."""
    if indicator.above is not None:
        return np.asarray(values > indicator.above)
    assert indicator.below is not None
    return np.asarray(values < indicator.below)


# -- checks -------------------------------------------------------------------------------------
def check_indicators(scenario: Scenario, questions: QuestionSet) -> None:
    """Every question has an indicator that fits the scenario; else InputError naming file, line, field."""
    lines = questions.lines
    options = [o.name for o in scenario.conflict.options]
    space = scenario.issues.base
    problems: list[Problem] = []
    for k, q in enumerate(questions.spec.questions):
        at = ("questions", k, "indicator")
        ind = q.indicator
        if ind is None:
            message = f"question {q.id!r} has no indicator (use kind: judgement where the model is silent)"
            problems.append(lines.problem(("questions", k, "id"), message))
        elif ind.kind == "conflict":
            assert ind.pattern is not None
            if scenario.conflict.status_quo is None:
                problems.append(lines.problem((*at, "kind"), "the scenario's conflict names no status quo"))
            unknown = [n for n in ind.pattern if n not in options] if isinstance(ind.pattern, dict) else []
            for name in unknown:
                problems.append(lines.problem((*at, "pattern", name), f"unknown option {name!r}"))
            if unknown:
                continue
            try:
                empty = match_states(scenario.conflict, ind.pattern).size == 0
            except ValueError as exc:
                problems.append(lines.problem((*at, "pattern"), str(exc)))
                continue
            if empty:
                problems.append(lines.problem((*at, "pattern"), "matches no feasible state"))
        elif ind.kind == "clock" and scenario.clock is None:
            problems.append(lines.problem((*at, "kind"), "the scenario has no clock: section to answer from"))
        elif ind.kind == "forecast":
            if ind.dimension not in space.dimensions:
                known = ", ".join(space.dimensions)
                message = f"unknown dimension {ind.dimension!r}; the scenario's are {known}"
                problems.append(lines.problem((*at, "dimension"), message))
            else:
                low, high = space.scale[space.dimensions.index(ind.dimension)]
                field, value = ("above", ind.above) if ind.above is not None else ("below", ind.below)
                assert value is not None
                if not low < value < high:
                    message = f"{value:g} is not inside the dimension's scale ({low:g}, {high:g})"
                    problems.append(lines.problem((*at, field), message))
            if ind.model not in MODEL_NAMES:
                message = f"unknown forecast model {ind.model!r}; known models: {', '.join(MODEL_NAMES)}"
                problems.append(lines.problem((*at, "model"), message))
    if problems:
        raise InputError(problems)


# -- answers -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConflictBasis:
    """What a conflict answer rests on (words: :mod:`detente.render.question_words`)."""

    pattern: Any
    members: frozenset[int]
    status_quo: int
    baseline_states: tuple[int, ...]
    baseline_stuck: bool
    matched: int
    samples: int
    seed: int
    swap: float
    model: float
    top: tuple[tuple[int, float], ...]  # the most likely settling states and their weights
    stuck: int


@dataclass(frozen=True)
class ForecastBasis:
    """What a forecast answer rests on."""

    model_name: str
    dimension: str
    low: float
    high: float
    status_quo: float | None
    side: str  # "above" or "below"
    threshold: float
    point: float
    runs: int
    seed: int
    inputs: int
    failures: int
    valid: int
    quantiles: tuple[float, float, float]  # 5%, 50%, 95% of the valid runs (nan when none)


@dataclass(frozen=True, eq=False)
class ClockBasis:
    """A clock question's ground: the clock's analysis and the day agreement must come by."""

    analysis: Any  # detente.clock.analysis.ClockAnalysis
    day: dt.date
    how: str  # "monte carlo" or "central values"


@dataclass(frozen=True)
class Answer:
    """A question's probability (after any blend), its baseline, the method and what it rests on."""

    id: str
    title: str
    probability: float
    baseline: float
    method: str
    model: float  # before any blend with a prior
    model_baseline: float
    basis: ConflictBasis | ForecastBasis | ClockBasis | None  # None for an analyst's judgement
    prior: float | None = None
    weight: float | None = None
    late: bool = False  # the snapshot is dated after the question closed
    snapshot: str = ""
    as_of: dt.date | None = None
    closes: dt.date | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Kinds of warning: ``late`` (see :func:`detente.render.question_words.warning_words`)."""
        return ("late",) if self.late else ()


def _conflict_basis(scenario: Scenario, ind: IndicatorSpec, settlement: Settlement) -> ConflictBasis:
    c = scenario.conflict
    members = frozenset(int(s) for s in match_states(c, ind.pattern if ind.pattern is not None else {}))
    base = matching_share(settlement.baseline, members)
    assert c.status_quo is not None
    model = base
    top: tuple[tuple[int, float], ...] = ()
    if settlement.samples:
        model = float(np.mean([matching_share(states, members) for states in settlement.samples]))
        top = tuple(sorted(state_weights(settlement).items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    return ConflictBasis(
        ind.pattern,
        members,
        c.status_quo,
        settlement.baseline,
        settlement.baseline_stuck,
        sum(s in members for s in settlement.baseline),
        len(settlement.samples),
        settlement.seed,
        settlement.swap,
        model,
        top,
        settlement.stuck,
    )


def _forecast_basis(
    scenario: Scenario, ind: IndicatorSpec, mc: MonteCarloResult
) -> tuple[ForecastBasis, float, float]:
    space = scenario.issues.base
    assert ind.dimension is not None
    d = space.dimensions.index(ind.dimension)
    low, high = space.scale[d]
    side, threshold = ("above", ind.above) if ind.above is not None else ("below", ind.below)
    assert threshold is not None
    col = mc.outcomes[:, d]
    valid = col[~np.isnan(col)]
    point = float(mc.point_outcome[d])
    base = float(beyond(np.array([point]), ind)[0])
    model = base
    q = (float("nan"), float("nan"), float("nan"))
    if valid.size:
        model = float(beyond(valid, ind).mean())
        lo, mid, hi = (float(v) for v in np.quantile(valid, (0.05, 0.5, 0.95)))
        q = (lo, mid, hi)
    basis = ForecastBasis(
        mc.model,
        ind.dimension,
        float(low),
        float(high),
        float(space.status_quo[d]) if space.status_quo is not None else None,
        side,
        float(threshold),
        point,
        mc.n,
        mc.seed,
        len(mc.labels),
        mc.failures,
        int(valid.size),
        (q[0], q[1], q[2]),
    )
    return basis, model, base


def answer_question(
    scenario: Scenario,
    question: QuestionSpec,
    settlement: Settlement | None,
    monte_carlo: Mapping[str, MonteCarloResult],
    default_model: str = DEFAULT_MODEL,
    clock: Any = None,
) -> Answer:
    """One question's answer (see module doc); ``settlement`` / ``monte_carlo`` as its kind needs."""
    ind = question.indicator
    if ind is None:
        raise ValueError(f"question {question.id!r} has no indicator")
    basis: ConflictBasis | ForecastBasis | ClockBasis | None
    if ind.kind == "clock":
        from detente.clock.analysis import agreement_probability

        assert clock is not None
        model, how = agreement_probability(clock, question.closes)
        rounds = sum(1 for r in range(clock.model.horizon) if clock.model.date_of(r) <= question.closes)
        base = float(clock.solution.p_agree[:rounds].sum())  # at the central values
        basis = ClockBasis(clock, question.closes, how)
        method = "clock"
    elif ind.kind == "judgement":
        assert ind.probability is not None
        model = base = ind.probability
        basis = None
        method = "judgement"
    elif ind.kind == "conflict":
        assert settlement is not None
        basis = _conflict_basis(scenario, ind, settlement)
        model, base = basis.model, matching_share(settlement.baseline, basis.members)
        method = "conflict"
    else:
        name = forecast_model(ind, default_model)
        basis, model, base = _forecast_basis(scenario, ind, monte_carlo[name])
        method = f"forecast ({name})"
    probability, baseline = ind.blend(model), ind.blend(base)
    if ind.prior is not None and ind.weight is not None:
        method += " + prior"
    meta = scenario.spec.meta
    return Answer(
        question.id,
        question.title,
        probability,
        baseline,
        method,
        model,
        base,
        basis,
        ind.prior,
        ind.weight,
        meta.as_of > question.closes,
        meta.name,
        meta.as_of,
        question.closes,
        tuple(ind.evidence),
    )


def forecast_model(ind: IndicatorSpec, default_model: str = DEFAULT_MODEL) -> str:
    """The indicator's model when the question file names one, else ``default_model`` (the headline)."""
    return ind.model if "model" in ind.model_fields_set else default_model


def answer_questions(
    scenario: Scenario,
    questions: QuestionSet,
    samples: int = SAMPLES,
    swap: float = SWAP,
    runs: int = RUNS,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
    default_model: str = DEFAULT_MODEL,
) -> tuple[Answer, ...]:
    """Every question's probability from the snapshot ``scenario`` (see module doc), in file order.

    The conflict samples and each forecast model's Monte Carlo run once and serve every question.
    ``progress(done, total)`` counts conflict samples and Monte Carlo runs together.
    """
    if samples < 0 or runs < 1 or not 0.0 <= swap <= 1.0:
        raise ValueError("need samples >= 0, runs >= 1 and 0 <= swap <= 1")
    check_indicators(scenario, questions)
    indicators = [q.indicator for q in questions.spec.questions if q.indicator is not None]
    needs_conflict = any(i.kind == "conflict" for i in indicators)
    models = sorted({forecast_model(i, default_model) for i in indicators if i.kind == "forecast"})
    total = (samples if needs_conflict else 0) + runs * len(models)

    def report(offset: int) -> Callable[[int, int], None] | None:
        sink = progress
        if sink is None:
            return None
        return lambda done, _part: sink(offset + done, total)

    settlement = settle(scenario, samples, swap, seed, report(0)) if needs_conflict else None
    clock = None
    if scenario.clock is not None and any(i.kind == "clock" for i in indicators):
        from detente.clock.analysis import analyse

        clock = analyse(scenario.clock, runs, seed=seed, workers=1)
    first = samples if needs_conflict else 0
    mc = {
        m: run_monte_carlo(scenario.issues, m, runs, seed=seed, workers=1, progress=report(first + k * runs))
        for k, m in enumerate(models)
    }
    return tuple(
        answer_question(scenario, q, settlement, mc, default_model, clock) for q in questions.spec.questions
    )


# -- the probabilities file ---------------------------------------------------------------------
def write_probabilities(path: str | Path, document: Mapping[str, Any]) -> None:
    """Write a probabilities document as YAML, atomically (the file is whole or untouched)."""
    text = dump_yaml(dict(document))
    atomic_write_text(path, "# Probabilities written by detente questions.\n" + text)
