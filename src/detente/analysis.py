"""The main job: analyse a scenario (or a bare conflict) with every engine and gather the results.

Data flows one way: file -> validated scenario -> engines -> this :class:`Analysis` (plain result
objects) -> renderers (:mod:`detente.render.report.builder` for the terminal summary and the HTML report).
Nothing here prints or writes files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from detente.clock.analysis import ClockAnalysis
from detente.conflict.hypergame import HypergameResult, Perception, analyze_hypergame
from detente.conflict.model import Conflict
from detente.conflict.paths import PATH_CONCEPT, StatusQuoAnalysis, status_quo_paths
from detente.conflict.stability import CONCEPTS, StabilityResult, analyze
from detente.forecast.models import run_model
from detente.forecast.montecarlo import MonteCarloResult, run_monte_carlo, tornado
from detente.forecast.space import ForecastResult
from detente.forecast.uncertain import UncertainSpace
from detente.interventions.evaluate import InterventionReport, evaluate
from detente.interventions.judge import Bundle, Robustness, evaluate_bundles, rank_robustness
from detente.interventions.mechanism import OutcomeAssumption, check_interventions
from detente.io.evidence import EvidenceRow, collect_evidence
from detente.io.quotes import QuoteCheck, check_quotes, find_sources_dir
from detente.io.scenario import Scenario, parse_scenario, perceptions_of
from detente.io.yamlio import LineMap

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` while long steps run."""

POINT_MODELS = ("compromise", "median", "eum")

RANKING_DRAWS = 8
"""Draws of the preference judgements for the robustness of the intervention ranking in the main job."""

HEADLINE_MODEL = "compromise"
"""The model of the headline forecast and of every comparison (interventions, questions)."""


@dataclass(frozen=True)
class ModelEvidence:
    """Why the headline model is the headline model: its back-test figures beside the others'."""

    model: str
    data: str
    mae: Mapping[str, float]  # model -> mean absolute error on 0-100 scales
    provenance: str


HEADLINE_EVIDENCE = ModelEvidence(
    HEADLINE_MODEL,
    "DEU III (Arregui & Perarnaud 2021): EU legislative issues with known outcomes",
    {"blend": 21.24, "compromise": 23.22, "median": 27.58, "eum": 31.07},
    "measured with `detente forecast backtest deu3.csv -m compromise,median,eum,blend` on the 353 "
    "DEU III issues (the blend scored out-of-fold by 10-fold cross-validation, seed 0). "
    "The blend scores best but is fitted to "
    "DEU III, which detente does not ship, so the headline is the best model that needs no training "
    "data: the compromise model (Achen 2006), the capability x salience weighted mean of positions.",
)


@dataclass(frozen=True)
class Provenance:
    """What a report rests on, so that it can be reproduced: never the wall-clock time."""

    version: str
    input_file: str  # the file name only, never a machine path
    sha256: str
    date: str  # the scenario's as_of, or a date given explicitly
    seed: int
    runs: int
    sources: str = ""  # where the quotes were verified ("" when no sources were found)


def provenance_of(
    path: str | Path | None, seed: int, runs: int, date: str = "", sources: str = ""
) -> Provenance:
    """Version, input file name and SHA-256 of its bytes, the date given and the seed."""
    import hashlib

    from detente import __version__

    digest, name = "", ""
    if path is not None and Path(path).is_file():
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        name = Path(path).name
    return Provenance(__version__, name, digest, date, seed, runs, sources)


@dataclass(frozen=True, eq=False)
class ForecastFindings:
    """Point forecasts per model and dimension, a Monte Carlo run and a tornado table per dimension."""

    space: UncertainSpace
    point: Mapping[str, ForecastResult]
    monte_carlo: MonteCarloResult | None
    tornado: tuple[pd.DataFrame, ...]
    model: str
    stated: int = 0  # inputs with a range the scenario states; the rest of ``space.inputs`` got SPREAD
    spread: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True, eq=False)
class Analysis:
    title: str
    subtitle: str
    conflict: Conflict
    stability: StabilityResult
    status_quo: StatusQuoAnalysis | None
    hypergame: HypergameResult | None
    forecast: ForecastFindings | None
    interventions: InterventionReport | None
    evidence: tuple[EvidenceRow, ...]
    scenario: Scenario | None = None
    quotes: tuple[QuoteCheck, ...] = ()  # every quote checked against its source (empty: not checked)
    provenance: Provenance | None = None
    model_evidence: ModelEvidence = HEADLINE_EVIDENCE
    bundles: tuple[Bundle, ...] = ()
    robustness: Robustness | None = None
    clock: ClockAnalysis | None = None  # the scenario's negotiation clock, solved and simulated


CLOCK_DRAWS = 1000
"""Monte Carlo draws of the negotiation clock in the main job (at most the forecast's runs)."""


SPREAD = (5.0, 5.0, 0.1)
"""Uncertainty given to every issue-space number the scenario states no range for: ± 5 points on
positions and on saliences, ± 10 % on capabilities, triangular with the stated value as its mode
(:meth:`detente.forecast.uncertain.UncertainSpace.with_spread`; the input perturbation of Monte Carlo
forecasting practice). The scenario's own ranges are kept as stated."""


def spread_space(space: UncertainSpace, spread: tuple[float, float, float] = SPREAD) -> UncertainSpace:
    """Every number of the issue space uncertain: the stated ranges, and ``spread`` for the rest."""
    position, salience, capability = spread
    return space.with_spread(position=position, salience=salience, capability=capability)


def compile_variant(
    lines: LineMap, spread: tuple[float, float, float] | None = None
) -> Callable[[Any], tuple[Conflict, Mapping[int, Perception], UncertainSpace]]:
    """Scenario data -> (conflict, perceptions, uncertain issue space), the space widened by ``spread``."""

    def compile_data(data: Any) -> tuple[Conflict, Mapping[int, Perception], UncertainSpace]:
        scenario = parse_scenario(data, lines, check_interventions=False)
        issues = scenario.issues if spread is None else spread_space(scenario.issues, spread)
        return scenario.conflict, perceptions_of(scenario), issues

    return compile_data


def _noop(step: str, done: int, total: int) -> None:
    return None


def analyze_conflict(
    conflict: Conflict, evidence: tuple[EvidenceRow, ...] = (), title: str = "", subtitle: str = ""
) -> Analysis:
    """Stability under every concept and the status-quo paths of a bare conflict."""
    stability = analyze(conflict, CONCEPTS)
    sq = status_quo_paths(conflict, stability, PATH_CONCEPT) if conflict.status_quo is not None else None
    return Analysis(
        title or conflict.name,
        subtitle or conflict.description,
        conflict,
        stability,
        sq,
        None,
        None,
        None,
        evidence,
    )


def forecast_findings(
    space: UncertainSpace,
    runs: int,
    seed: int,
    model: str = HEADLINE_MODEL,
    progress: Progress = _noop,
    workers: int | None = None,
) -> ForecastFindings:
    """Point forecasts of every POINT_MODELS model, and Monte Carlo plus tornado with ``model``."""
    point = {name: run_model(name, space.base) for name in POINT_MODELS}
    mc = None
    if runs > 0:
        mc = run_monte_carlo(
            space,
            model,
            runs,
            seed=seed,
            workers=workers,
            progress=lambda done, total: progress("Monte Carlo", done, total),
        )
    tables = tuple(
        tornado(space, model, dim=k, result=mc) if space.inputs else pd.DataFrame()
        for k in range(space.base.n_dims)
    )
    return ForecastFindings(space, point, mc, tables, model)


def analyze_scenario(
    scenario: Scenario,
    *,
    runs: int = 1000,
    seed: int = 2019,
    intervention_runs: int = 200,
    progress: Progress = _noop,
    workers: int | None = None,
    sources_dir: str | Path | None = None,
    date: str | None = None,
    bundles: bool = True,
    ranking_draws: int = RANKING_DRAWS,
    spread: tuple[float, float, float] = SPREAD,
) -> Analysis:
    """Every engine on a scenario: stability, status-quo paths, hypergame, forecast, interventions.

    Quotes are verified against the sources (``sources_dir``, else found beside the scenario file:
    :func:`detente.io.quotes.find_sources_dir`); with no sources found they are not checked. The
    report's date is ``date`` when given, else the scenario's ``as_of``: never the clock.
    Interventions are also judged in bundles (every pair and all together) and their ranking under
    ``ranking_draws`` draws of the preference judgements (:mod:`detente.interventions.judge`).
    """
    conflict = scenario.conflict
    progress("Conflict stability", 0, 1)
    base = analyze_conflict(conflict)
    progress("Conflict stability", 1, 1)
    perceptions = perceptions_of(scenario)
    hyper = analyze_hypergame(conflict, perceptions, CONCEPTS) if perceptions else None
    widened = spread_space(scenario.issues, spread)
    findings = forecast_findings(widened, runs, seed, progress=progress, workers=workers)
    findings = ForecastFindings(
        findings.space,
        findings.point,
        findings.monte_carlo,
        findings.tornado,
        findings.model,
        len(scenario.issues.inputs),
        spread,
    )
    report = None
    spec = scenario.spec
    folder = find_sources_dir(scenario, sources_dir)
    quotes = check_quotes(scenario, folder) if folder is not None else []
    bundled: tuple[Bundle, ...] = ()
    robust = None
    if spec.interventions:
        report = evaluate(
            scenario.data,
            spec.interventions,
            compile_variant(scenario.lines, spread),
            spec.outcomes,
            CONCEPTS,
            model=HEADLINE_MODEL,
            runs=intervention_runs,
            seed=seed,
            progress=lambda done, total: progress("Interventions", done, total),
        )
        if bundles and len(spec.interventions) > 1:
            bundled = evaluate_bundles(
                scenario.data,
                spec.interventions,
                compile_variant(scenario.lines),
                report,
                progress=lambda done, total: progress("Bundles", done, total),
            )
        if ranking_draws > 0:
            robust = rank_robustness(
                scenario.data,
                spec.interventions,
                compile_variant(scenario.lines),
                spec.outcomes,
                draws=ranking_draws,
                seed=seed,
                progress=lambda done, total: progress("Ranking under uncertainty", done, total),
            )
    return Analysis(
        spec.meta.name,
        f"Snapshot as of {spec.meta.as_of:%d %B %Y}. {spec.meta.description}".strip(),
        conflict,
        base.stability,
        base.status_quo,
        hyper,
        findings,
        report,
        tuple(collect_evidence(spec)),
        scenario,
        tuple(quotes),
        provenance_of(
            scenario.lines.file,
            seed,
            runs,
            date or spec.meta.as_of.isoformat(),
            folder.name if folder else "",
        ),
        HEADLINE_EVIDENCE,
        bundled,
        robust,
        clock_analysis(scenario, min(runs, CLOCK_DRAWS), seed),
    )


def clock_analysis(scenario: Scenario, draws: int, seed: int) -> ClockAnalysis | None:
    """The scenario's ``clock:`` solved, with ``draws`` Monte Carlo draws (None without a clock)."""
    if scenario.clock is None:
        return None
    from detente.clock.analysis import analyse

    clock = scenario.clock
    return analyse(clock, draws, seed=seed, workers=1, changes_by=clock.base.deadline_day)


@dataclass(frozen=True)
class CheckResult:
    """What ``detente check`` reports: every quote's verification and each intervention's verdict."""

    scenario: Scenario
    sources: Path | None  # the folder the quotes were checked against (None: none found)
    quotes: tuple[QuoteCheck, ...]
    interventions: tuple[OutcomeAssumption, ...]

    @property
    def failed_quotes(self) -> tuple[QuoteCheck, ...]:
        return tuple(q for q in self.quotes if not q.ok)

    @property
    def ok(self) -> bool:
        """No quote failed (unverified or its source missing); the exit status is 1 when False.

        Interventions that assume their own outcome are reported, not failed: they are modelling
        choices an analyst may defend."""
        return not self.failed_quotes


def check_scenario(scenario: Scenario, sources_dir: str | Path | None = None) -> CheckResult:
    """Verify every quote against the sources (named, or found beside the scenario file) and flag the
    interventions that assume their own outcome (:mod:`detente.interventions.mechanism`)."""
    folder = find_sources_dir(scenario, sources_dir)
    quotes = check_quotes(scenario, folder)
    verdicts = check_interventions(scenario.data, scenario.spec.interventions)
    return CheckResult(scenario, folder, tuple(quotes), tuple(verdicts))
