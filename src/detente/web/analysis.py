"""Runs: what the user can ask of a document version, and how each request calls the engines.

Each kind of run has a pydantic parameter model (``extra="forbid"``: a run names no file and no
other version, only its own parameters). :func:`execute` calls the engines on the run's own loaded
document and returns JSON-ready results built with :mod:`detente.render.conflict_json` where a documented
format exists, plus SVG figures drawn by :mod:`detente.render.report`. Nothing here computes an analysis of
its own: the web layer only converts engine results for display.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from detente.analysis import analyze_conflict, analyze_scenario
from detente.conflict.hypergame import Perception, analyze_hypergame
from detente.conflict.inverse import inverse_analysis, inverse_statement_orders
from detente.conflict.model import Conflict
from detente.conflict.paths import status_quo_paths
from detente.conflict.stability import CONCEPTS, analyze
from detente.errors import InputError, Problem
from detente.forecast.models import MODEL_NAMES, run_model
from detente.forecast.montecarlo import MonteCarloResult, run_monte_carlo, tornado
from detente.forecast.space import ForecastResult
from detente.forecast.uncertain import UncertainSpace
from detente.interventions.evaluate import Assessment, Compiler, evaluate
from detente.interventions.questions import (
    RUNS,
    SAMPLES,
    SEED,
    SWAP,
    answer_questions,
    probabilities_document,
)
from detente.interventions.scoring import ScoreCard, score
from detente.io.evidence import collect_evidence
from detente.io.scenario import Scenario, parse_scenario, perceptions_of
from detente.io.yamlio import LineMap
from detente.render import conflict_json as export
from detente.render.conflict_plots import figure_svg
from detente.render.forecast_plots import forecast_figure
from detente.render.hypergame_words import explain
from detente.render.narrate import describe_stability, describe_state
from detente.render.report.builder import build_document
from detente.render.report.html import render_html
from detente.web.documents import QUESTION_SETS, Loaded, load_question_set, question_outcomes

Concept = Literal["nash", "gmr", "smr", "seq"]
ModelName = Literal["compromise", "median", "nash", "eum", "smp", "exchange"]
QuestionSetName = Literal["dprk_us_2019"]
Progress = Callable[[int, int], None]
Json = dict[str, Any]

ALL_CONCEPTS: tuple[Concept, ...] = ("nash", "gmr", "smr", "seq")
assert set(ALL_CONCEPTS) == set(CONCEPTS)
assert set(MODEL_NAMES) == set(get_args(ModelName))
assert set(QUESTION_SETS) == set(get_args(QuestionSetName))

MAX_MONTE_CARLO_RUNS = 20_000
MAX_SAMPLES = 2000
REPORT = "report"
"""The name under which a report run stores its HTML page (beside the SVG figures)."""
_PLOT_LOCK = threading.Lock()
"""pyplot keeps global state: figures are drawn one at a time."""


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StabilityParams(_Params):
    """Stability of every state for every decision maker (Fang, Hipel & Kilgour 1993, ch. 3)."""

    kind: Literal["stability"] = "stability"
    concepts: list[Concept] = Field(default_factory=lambda: list(ALL_CONCEPTS), min_length=1)


class PathsParams(_Params):
    """Status quo analysis: paths of improvements from the status quo (Li, Kilgour & Hipel 2005)."""

    kind: Literal["paths"] = "paths"
    concept: Concept = "seq"
    coalitions: bool = Field(False, description="Also allow coalition improvements.")
    max_paths: int = Field(3, ge=1, le=20)


class InverseParams(_Params):
    """Inverse analysis: which preferences of one decision maker make a target state an equilibrium."""

    kind: Literal["inverse"] = "inverse"
    decision_maker: str = Field(min_length=1, max_length=200)
    target: int = Field(ge=1, description="The target state's number.")
    concept: Concept = "nash"
    mode: Literal["rankings", "statement_orders"] = Field(
        "statement_orders",
        description="rankings: count all strict rankings (small conflicts); statement_orders: try "
        "every order of the decision maker's preference statements.",
    )


class HypergameParams(_Params):
    """First-level hypergame from the scenario's perceptions (Bennett 1980)."""

    kind: Literal["hypergame"] = "hypergame"
    concept: Concept = "seq"


class ForecastParams(_Params):
    """One run of a forecast model on the issue space's point values."""

    kind: Literal["forecast"] = "forecast"
    model: ModelName = "median"


class MonteCarloParams(_Params):
    """Monte Carlo over the issue space's uncertain inputs, with a tornado table."""

    kind: Literal["montecarlo"] = "montecarlo"
    model: ModelName = "median"
    n: int = Field(500, ge=1, le=MAX_MONTE_CARLO_RUNS)
    seed: int | None = Field(None, ge=0, lt=2**63, description="None: draw one (recorded with the run).")
    chunk_size: int = Field(50, ge=1, le=1000, description="Runs per chunk (part of the reproducible seed).")
    dimension: int = Field(0, ge=0, description="Index of the dimension charted and in the tornado.")


class InterventionsParams(_Params):
    """Every intervention of the scenario against the baseline, ranked by
    :func:`detente.interventions.evaluate.evaluate` (outcomes of interest, equilibria, forecast)."""

    kind: Literal["interventions"] = "interventions"
    model: ModelName = "compromise"
    runs: int = Field(200, ge=0, le=5000, description="Monte Carlo runs per variant (0: no forecast).")
    seed: int = Field(0, ge=0, lt=2**63)


class ReportParams(_Params):
    """The full analysis of :mod:`detente.analysis` rendered as the HTML report."""

    kind: Literal["report"] = "report"
    runs: int = Field(1000, ge=0, le=MAX_MONTE_CARLO_RUNS)
    seed: int = Field(2019, ge=0, lt=2**63)
    intervention_runs: int = Field(200, ge=0, le=5000)


class QuestionsParams(_Params):
    """Every question of a built-in set answered from this version alone
    (:func:`detente.interventions.questions.answer_questions`), scored when its resolutions are known."""

    kind: Literal["questions"] = "questions"
    question_set: QuestionSetName = Field("dprk_us_2019", description="A built-in question set, by name.")
    samples: int = Field(SAMPLES, ge=0, le=MAX_SAMPLES, description="Judgement-uncertainty samples.")
    swap: float = Field(SWAP, ge=0.0, le=1.0, description="Chance of swapping adjacent statements.")
    runs: int = Field(RUNS, ge=1, le=MAX_MONTE_CARLO_RUNS, description="Monte Carlo runs (forecasts).")
    seed: int = Field(SEED, ge=0, lt=2**63)


RunParams = Annotated[
    StabilityParams
    | PathsParams
    | InverseParams
    | HypergameParams
    | ForecastParams
    | MonteCarloParams
    | InterventionsParams
    | ReportParams
    | QuestionsParams,
    Field(discriminator="kind"),
]

BACKGROUND = frozenset({"montecarlo", "inverse", "interventions", "report", "questions"})
"""Kinds that go to the background worker; the rest run within the request."""


class RunError(Exception):
    """A run that cannot be done on this document (shown to the user, status 422)."""


# -- helpers ------------------------------------------------------------------------------------
def _dm(conflict: Conflict, name: str) -> int:
    try:
        return conflict.dm_index(name)
    except KeyError as exc:
        names = ", ".join(dm.name for dm in conflict.decision_makers)
        raise RunError(f"no decision maker named {name!r}; choose from {names}") from exc


def _state(conflict: Conflict, number: int) -> int:
    if not 1 <= number <= conflict.n_states:
        raise RunError(f"state number {number} is out of range 1..{conflict.n_states}")
    return number - 1


def _scenario(doc: Loaded, what: str) -> Scenario:
    if doc.scenario is None:
        raise RunError(f"{what} needs a scenario file (with meta, actors and issues), not a bare conflict")
    return doc.scenario


def _svg(draw: Callable[[], Any]) -> str:
    with _PLOT_LOCK:
        return figure_svg(draw())


def equilibria_text(conflict: Conflict, indices: Any) -> list[Json]:
    """Each state as its number, Y/N label and the options taken (for display)."""
    return [
        {
            "number": conflict.number(int(s)),
            "label": conflict.label(int(s)),
            "text": describe_state(conflict, int(s)),
        }
        for s in indices
    ]


def forecast_dict(result: ForecastResult) -> Json:
    """A forecast run's rounds and outcome as plain lists (positions by round, actor and dimension)."""
    space = result.space
    return {
        "model": result.model,
        "actors": list(space.actors),
        "dimensions": list(space.dimensions),
        "outcome": result.outcome.tolist(),
        "outcome_by_round": result.outcome_by_round.tolist(),
        "rounds": result.rounds.tolist(),
        "params": {k: v for k, v in result.params.items() if isinstance(v, int | float | str | bool)},
    }


def montecarlo_dict(mc: MonteCarloResult, dim: int) -> Json:
    """Monte Carlo summary: quantiles per dimension, failures, the histogram of ``dim``, the outcomes."""
    counts, edges = mc.histogram(dim)
    return {
        "model": mc.model,
        "seed": mc.seed,
        "n": mc.n,
        "chunk_size": mc.chunk_size,
        "failures": mc.failures,
        "labels": list(mc.labels),
        "dimensions": list(mc.dimensions),
        "point_outcome": mc.point_outcome.tolist(),
        "quantiles": mc.quantiles().to_dict(orient="records"),
        "histogram": {"dimension": mc.dimensions[dim], "counts": counts.tolist(), "edges": edges.tolist()},
        "outcomes": mc.outcomes.tolist(),
    }


# -- the kinds of run ---------------------------------------------------------------------------
def _stability(doc: Loaded, p: StabilityParams) -> tuple[Json, dict[str, str]]:
    result = analyze(doc.conflict, p.concepts)
    out = export.stability_dict(result)
    out["equilibria_text"] = {c: equilibria_text(doc.conflict, result.equilibria(c)) for c in p.concepts}
    return out, {}


def _paths(doc: Loaded, p: PathsParams) -> tuple[Json, dict[str, str]]:
    c = doc.conflict
    if c.status_quo is None:
        raise RunError("the conflict names no status quo, so there is nothing to start the paths from")
    analysis = status_quo_paths(
        c, analyze(c, [p.concept]), p.concept, coalitions=p.coalitions, max_paths=p.max_paths
    )
    return export.paths_dict(analysis), {}


def _inverse(doc: Loaded, p: InverseParams) -> tuple[Json, dict[str, str]]:
    c = doc.conflict
    i, t = _dm(c, p.decision_maker), _state(c, p.target)
    try:
        if p.mode == "rankings":
            return export.inverse_dict(c, inverse_analysis(c, t, i, p.concept)), {}
        return export.statement_orders_dict(c, inverse_statement_orders(c, t, i, p.concept)), {}
    except ValueError as exc:
        raise RunError(str(exc)) from exc


def _hypergame(doc: Loaded, p: HypergameParams) -> tuple[Json, dict[str, str]]:
    scenario = _scenario(doc, "a hypergame")
    c = doc.conflict
    result = analyze_hypergame(c, perceptions_of(scenario), [p.concept])
    names = [dm.name for dm in c.decision_makers]
    out: Json = {
        "kind": "hypergame",
        "concept": p.concept,
        "conflict": export.conflict_dict(c),
        "perceptions": [
            {
                "name": q.name,
                "perceiver": names[q.perceiver],
                "about": names[q.about],
                "hidden_options": [c.options[j].name for j in sorted(q.hidden_options)],
            }
            for q in scenario.perceptions
        ],
        "real_equilibria": equilibria_text(c, result.real.equilibria(p.concept)),
        "hypergame_equilibria": equilibria_text(c, result.equilibria(p.concept)),
        "expected": {
            names[i]: equilibria_text(c, result.expected_equilibria(i, p.concept)) for i in range(c.n_dms)
        },
        "misperceivers": [names[i] for i in result.misperceivers()],
        "explanation": explain(result, p.concept),
    }
    return out, {}


def _forecast(doc: Loaded, p: ForecastParams) -> tuple[Json, dict[str, str]]:
    scenario = _scenario(doc, "a forecast")
    try:
        result = run_model(p.model, scenario.issues.base)
    except ValueError as exc:
        raise RunError(str(exc)) from exc
    figures = {
        f"trajectories_{k}": _svg(functools.partial(forecast_figure, result, dim=k))
        for k in range(result.space.n_dims)
    }
    return forecast_dict(result), figures


def _montecarlo(doc: Loaded, p: MonteCarloParams, progress: Progress | None) -> tuple[Json, dict[str, str]]:
    scenario = _scenario(doc, "a Monte Carlo forecast")
    space = scenario.issues
    if p.dimension >= space.base.n_dims:
        raise RunError(f"dimension {p.dimension} is out of range 0..{space.base.n_dims - 1}")
    try:
        point = run_model(p.model, space.base)
        mc = run_monte_carlo(
            space, p.model, p.n, seed=p.seed, workers=1, chunk_size=p.chunk_size, progress=progress
        )
        table = tornado(space, p.model, dim=p.dimension, result=mc) if space.inputs else None
    except ValueError as exc:
        raise RunError(str(exc)) from exc
    out = montecarlo_dict(mc, p.dimension)
    out["tornado"] = [] if table is None else table.to_dict(orient="records")
    figure = _svg(lambda: forecast_figure(point, mc, table, dim=p.dimension))
    return out, {"montecarlo": figure}


def _variant_compiler(doc: Loaded) -> Compiler:
    def compile_data(data: Any) -> tuple[Conflict, Mapping[int, Perception], UncertainSpace]:
        scenario = parse_scenario(data, LineMap(doc.lines.file), check_interventions=False)
        return scenario.conflict, perceptions_of(scenario), scenario.issues

    return compile_data


def _assessment(a: Assessment, dimensions: tuple[str, ...]) -> Json:
    return {
        "name": a.name,
        "title": a.title,
        "equilibria": {c: list(labels) for c, labels in a.equilibria.items()},
        "outcomes": {
            name: {c: vars(status) for c, status in per.items()} for name, per in a.outcomes.items()
        },
        "forecast_median": dict(zip(dimensions, a.forecast_median, strict=False)),
        "forecast_interval": dict(zip(dimensions, a.forecast_interval, strict=False)),
    }


def _interventions(
    doc: Loaded, p: InterventionsParams, progress: Progress | None
) -> tuple[Json, dict[str, str]]:
    scenario = _scenario(doc, "comparing interventions")
    if not scenario.spec.interventions:
        raise RunError("the scenario has no interventions")
    dims = scenario.issues.base.dimensions
    try:
        report = evaluate(
            scenario.data,
            scenario.spec.interventions,
            _variant_compiler(doc),
            scenario.spec.outcomes,
            CONCEPTS,
            model=p.model,
            runs=p.runs,
            seed=p.seed,
            progress=progress,
        )
    except (InputError, ValueError) as exc:
        raise RunError(f"an intervention cannot be evaluated: {exc}") from exc
    addressee = {iv.name: iv.addressee for iv in scenario.spec.interventions}
    out: Json = {
        "kind": "interventions",
        "concepts": list(report.concepts),
        "model": report.model,
        "runs": report.runs,
        "seed": report.seed,
        "dimensions": list(dims),
        "outcomes": [{"name": o.name, "label": o.label, "desired": o.desired} for o in report.outcomes],
        "baseline": _assessment(report.baseline, dims),
        "ranked": [
            {
                **_assessment(r.assessment, dims),
                "addressee": addressee.get(r.assessment.name, ""),
                "reach_gain": r.reach_gain,
                "equilibrium_gain": r.equilibrium_gain,
                "forecast_shift": dict(zip(dims, r.forecast_shift, strict=False)),
                "summary": r.summary,
            }
            for r in report.ranked
        ],
    }
    return out, {}


def _report(doc: Loaded, p: ReportParams, progress: Progress | None) -> tuple[Json, dict[str, str]]:
    def step(name: str, done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)

    if doc.scenario is not None:
        found = analyze_scenario(
            doc.scenario,
            runs=p.runs,
            seed=p.seed,
            intervention_runs=p.intervention_runs,
            progress=step,
            workers=1,  # no process pool forked from a server thread
        )
    else:
        found = analyze_conflict(
            doc.conflict, tuple(collect_evidence(doc.conflict.spec)) if doc.conflict.spec else ()
        )
    with _PLOT_LOCK:
        html = render_html(build_document(found))
    return {"kind": "report", "title": found.title, "bytes": len(html.encode("utf-8"))}, {REPORT: html}


def scores_dict(card: ScoreCard) -> Json:
    """Mean Brier score, mean log score and Brier skill (1 - Brier / 0.25) of a
    :func:`detente.interventions.scoring.score` card, and each question's row."""
    return {
        "brier": card.brier,
        "log": card.log,
        "brier_skill": card.brier_skill,
        "questions": [vars(q) for q in card.questions],
    }


def _questions(doc: Loaded, p: QuestionsParams, progress: Progress | None) -> tuple[Json, dict[str, str]]:
    scenario = _scenario(doc, "answering forecast questions")
    if progress is not None:
        progress(0, 1)
    try:
        qset = load_question_set(p.question_set)
        if qset is None:
            raise RunError(f"the question set {p.question_set!r} is not installed")
        answers = answer_questions(
            scenario, qset, samples=p.samples, swap=p.swap, runs=p.runs, seed=p.seed, progress=progress
        )
        outcomes = question_outcomes(p.question_set)
    except (InputError, ValueError) as exc:
        raise RunError(f"the questions cannot be answered from this version: {exc}") from exc
    document = probabilities_document(answers, scenario, qset, p.samples, p.swap, p.runs, p.seed)
    out: Json = {
        "kind": "questions",
        "question_set": p.question_set,
        **{k: document[k] for k in ("snapshot", "as_of", "method")},
        "title": qset.spec.name,
        "answers": [{**vars(a), "warnings": list(a.warnings)} for a in answers],
        "outcomes": {a.id: outcomes[a.id] for a in answers if a.id in outcomes} if outcomes else {},
        "scores": None,
        "baseline_scores": None,
    }
    if out["outcomes"]:
        assert outcomes is not None
        out["scores"] = scores_dict(score({a.id: a.probability for a in answers}, outcomes))
        out["baseline_scores"] = scores_dict(score({a.id: a.baseline for a in answers}, outcomes))
    return out, {}


def clean(value: Json) -> Json:
    """JSON-safe copy: numpy scalars and arrays as Python numbers and lists, NaN and infinities as null."""
    out: Json = json.loads(json.dumps(value, default=_numpy), parse_constant=lambda _: None)
    return out


def _numpy(value: Any) -> Any:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def execute(doc: Loaded, params: BaseModel, progress: Progress | None = None) -> tuple[Json, dict[str, str]]:
    """Run ``params`` on ``doc``: (JSON result, figures by name as SVG text). Raises RunError."""
    result, figures = _dispatch(doc, params, progress)
    return clean(result), figures


def _dispatch(doc: Loaded, params: BaseModel, progress: Progress | None) -> tuple[Json, dict[str, str]]:
    if isinstance(params, StabilityParams):
        return _stability(doc, params)
    if isinstance(params, PathsParams):
        return _paths(doc, params)
    if isinstance(params, InverseParams):
        return _inverse(doc, params)
    if isinstance(params, HypergameParams):
        return _hypergame(doc, params)
    if isinstance(params, ForecastParams):
        return _forecast(doc, params)
    if isinstance(params, MonteCarloParams):
        return _montecarlo(doc, params, progress)
    if isinstance(params, InterventionsParams):
        return _interventions(doc, params, progress)
    if isinstance(params, ReportParams):
        return _report(doc, params, progress)
    if isinstance(params, QuestionsParams):
        return _questions(doc, params, progress)
    raise TypeError(f"unknown run parameters {type(params).__name__}")


def explain_state(doc: Loaded, number: int, concepts: list[Concept]) -> Json:
    """One state: its options and ranks, per concept whether stable for each decision maker, and why."""
    c = doc.conflict
    s = _state(c, number)
    result = analyze(c, concepts)
    out = export.state_dict(c, s)
    out["text"] = describe_state(c, s)
    out["stable"] = {
        concept: {dm.name: bool(result.stable[concept][i, s]) for i, dm in enumerate(c.decision_makers)}
        for concept in concepts
    }
    out["explanation"] = describe_stability(c, result, s)
    return out


def problems_json(problems: tuple[Problem, ...] | list[Problem]) -> list[Json]:
    """Problems as JSON objects: file, line, field and message."""
    return [{"file": p.file, "line": p.line, "field": p.field, "message": p.message} for p in problems]
