"""Run kinds over whole scenarios: interventions, forecast questions, and the main job (the report)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from detente.app.kind import CliOption, Execution, Json, Params, RunKind, Writer
from detente.budget import Cost
from detente.errors import NothingToDoError, ParameterError
from detente.io.kinds import CONFLICTS, SCENARIOS
from detente.render import headlines

if TYPE_CHECKING:
    from rich.console import Console

    from detente.analysis import Analysis
    from detente.interventions.evaluate import InterventionReport
    from detente.interventions.questions import Answer
    from detente.interventions.scoring import ScoreCard
    from detente.io.loader import Document
    from detente.io.questions import QuestionSet
    from detente.render.report.document import Document as ReportDocument

SEED = 2019
"""The default seed of every scenario-level run (recorded in every output)."""
BUILTIN_SCENARIO = "dprk_us_2019_10"
QuestionSetName = Literal["dprk_us_2019"]
QUESTION_SETS: tuple[QuestionSetName, ...] = ("dprk_us_2019",)
BUILTIN_QUESTIONS: QuestionSetName = "dprk_us_2019"
"""Built-in question sets (the web app offers only these; the command line also takes a file)."""
INTERVENTION_MODEL = "compromise"

_VARIANT_SECONDS = 0.25
_RUN_SECONDS = 0.002


def builtin_scenario_path() -> str:
    from detente.io.scenario import builtin_scenario

    return str(builtin_scenario(BUILTIN_SCENARIO))


def _scenario(doc: Document) -> Any:
    return doc.scenario


# -- interventions ------------------------------------------------------------------------------
class InterventionsParams(Params):
    """Rank a scenario's interventions by their effect on the equilibria and on the forecast."""

    kind: Literal["interventions"] = "interventions"
    runs: int = Field(
        200, ge=0, le=100_000, description="Monte Carlo runs per variant for the forecast (0: none)."
    )
    seed: int = Field(
        SEED, ge=0, lt=2**63, description="Seed for every random draw (recorded in the output)."
    )


def _interventions_cost(doc: Document, p: InterventionsParams) -> list[Cost]:
    n = len(doc.scenario.spec.interventions)
    if n == 0:
        raise NothingToDoError(f"{doc.file}: the scenario has no interventions to rank")
    return [
        Cost(
            what="ranking the interventions",
            size=f"{n} interventions, {p.runs:,} Monte Carlo runs each",
            bytes=200 * 1024**2,
            seconds=(n + 1) * (_VARIANT_SECONDS + p.runs * _RUN_SECONDS),
            shrink="Use fewer Monte Carlo runs (--mc).",
        )
    ]


def _interventions(doc: Document, p: InterventionsParams, ex: Execution) -> InterventionReport:
    from detente.analysis import compile_variant
    from detente.conflict.stability import CONCEPTS
    from detente.interventions.evaluate import evaluate

    scenario = doc.scenario
    try:
        return evaluate(
            scenario.data,
            scenario.spec.interventions,
            compile_variant(scenario.lines),
            scenario.spec.outcomes,
            CONCEPTS,
            model=INTERVENTION_MODEL,
            runs=p.runs,
            seed=p.seed,
            progress=ex.progress,
        )
    except ValueError as exc:
        raise ParameterError("interventions", f"an intervention cannot be evaluated: {exc}") from None


def _interventions_json(doc: Document, p: InterventionsParams, report: InterventionReport) -> Json:
    from detente.render.scenario_json import interventions_json

    return interventions_json(doc.scenario, report)


def _interventions_terminal(
    doc: Document, p: InterventionsParams, report: InterventionReport, out: Console
) -> None:
    from detente.render.scenario_terminal import print_interventions

    print_interventions(doc.scenario, report, out)


INTERVENTIONS = RunKind(
    name="interventions",
    title="detente interventions",
    params=InterventionsParams,
    reads=SCENARIOS,
    run=_interventions,
    to_json=_interventions_json,
    headline=headlines.interventions,
    cost=_interventions_cost,
    terminal=_interventions_terminal,
    command=("interventions",),
    cli={"runs": CliOption(("--mc",))},
    execution=("workers",),
    default_document=builtin_scenario_path,
)


# -- questions ----------------------------------------------------------------------------------
class QuestionsParams(Params):
    """A probability for each forecast question, from one snapshot's information only, with the reasoning."""

    kind: Literal["questions"] = "questions"
    question_set: QuestionSetName = Field(
        BUILTIN_QUESTIONS,
        description="A built-in question set (the command line's --questions reads a file).",
    )
    samples: int = Field(200, ge=0, le=100_000, description="Judgement-uncertainty samples of the conflict.")
    swap: float = Field(
        0.15, ge=0.0, le=1.0, description="Chance of swapping each adjacent pair of statements."
    )
    runs: int = Field(500, ge=1, le=1_000_000, description="Monte Carlo runs for forecast questions.")
    seed: int = Field(
        SEED, ge=0, lt=2**63, description="Seed for every random draw (recorded in the output)."
    )


@dataclass(frozen=True, eq=False)
class Answers:
    questions: QuestionSet
    answers: tuple[Answer, ...]
    outcomes: dict[str, bool] | None


def question_set(name: str) -> tuple[QuestionSet, dict[str, bool] | None]:
    """A built-in question set by name, with its known resolutions (None when it has none)."""
    from detente.io.loader import load_document
    from detente.io.packaged import packaged_file

    found = packaged_file("questions", f"{name}.yaml") if name in QUESTION_SETS else None
    if found is None:
        raise ParameterError("question_set", f"no built-in question set {name!r}")
    resolved = packaged_file("questions", f"{name}_resolutions.yaml")
    outcomes = None if resolved is None else read_resolutions(resolved)
    return load_document(found, {"questions"}).questions, outcomes


def question_file(path: str | Path) -> tuple[QuestionSet, None]:
    """A questions file named on the command line (its resolutions are not known)."""
    from detente.io.loader import load_document

    return load_document(path, {"questions"}, needed_by="detente questions").questions, None


def read_resolutions(path: str | Path) -> dict[str, bool]:
    """Question id -> resolved yes, from a resolutions file (InputError naming file, line, field)."""
    from detente.interventions.scoring import ResolutionsFile
    from detente.io.yamlio import load_yaml, validate_model

    data, lines = load_yaml(path)
    resolved = validate_model(ResolutionsFile, data, lines).root
    return {q: v if isinstance(v, bool) else v.resolved for q, v in resolved.items()}


def _questions_cost(doc: Document, p: QuestionsParams) -> list[Cost]:
    return [
        Cost(
            what="answering the questions",
            size=f"{p.samples:,} judgement samples and {p.runs:,} Monte Carlo runs",
            bytes=200 * 1024**2,
            seconds=p.samples * 0.01 + p.runs * _RUN_SECONDS * 3,
            shrink="Use fewer samples (--samples) or Monte Carlo runs (--mc).",
        )
    ]


def _questions(doc: Document, p: QuestionsParams, ex: Execution) -> Answers:
    from detente.interventions.questions import answer_questions

    file = ex.documents.get("questions")
    qset, outcomes = question_set(p.question_set) if file is None else question_file(file)
    answers = answer_questions(
        doc.scenario, qset, samples=p.samples, swap=p.swap, runs=p.runs, seed=p.seed, progress=ex.progress
    )
    return Answers(qset, answers, outcomes)


def _questions_json(doc: Document, p: QuestionsParams, r: Answers) -> Json:
    from detente.interventions.scoring import score
    from detente.render.conflict_json import SCHEMA_VERSION
    from detente.render.question_words import answer_json, probabilities_document
    from detente.render.scenario_json import score_json

    document = probabilities_document(r.answers, doc.scenario, r.questions, p.samples, p.swap, p.runs, p.seed)
    out: Json = {"schema_version": SCHEMA_VERSION, "kind": "questions", **document}
    out["title"] = r.questions.spec.name
    out["answers"] = [answer_json(doc.scenario, a) for a in r.answers]
    known = {a.id: r.outcomes[a.id] for a in r.answers if r.outcomes and a.id in r.outcomes}
    out["outcomes"] = known
    out["scores"] = (
        score_json(score({a.id: a.probability for a in r.answers if a.id in known}, known)) if known else None
    )
    out["baseline_scores"] = (
        score_json(score({a.id: a.baseline for a in r.answers if a.id in known}, known)) if known else None
    )
    return out


def _questions_terminal(doc: Document, p: QuestionsParams, r: Answers, out: Console) -> None:
    from detente.render.scenario_terminal import print_questions

    caption = (
        f"snapshot: {doc.scenario.spec.meta.name}; {p.samples} samples (swap {p.swap:g}), {p.runs} "
        f"Monte Carlo runs, seed {p.seed}"
    )
    print_questions(doc.scenario, r.questions, r.answers, caption, out)


def write_probabilities(doc: Document, p: QuestionsParams, r: Answers, path: Path) -> None:
    """The probabilities file (what ``detente score`` reads), written atomically."""
    from detente.interventions.questions import write_probabilities as write
    from detente.render.question_words import probabilities_document

    write(
        path, probabilities_document(r.answers, doc.scenario, r.questions, p.samples, p.swap, p.runs, p.seed)
    )


QUESTIONS = RunKind(
    name="questions",
    title="detente questions",
    params=QuestionsParams,
    reads=SCENARIOS,
    run=_questions,
    to_json=_questions_json,
    headline=headlines.questions,
    cost=_questions_cost,
    terminal=_questions_terminal,
    command=("questions",),
    cli={"runs": CliOption(("--mc",))},
    documents={"questions": CliOption(("--questions",), "A questions file (default: the built-in set).")},
    writer=Writer(
        CliOption(("--out",), "Write the probabilities to this file."),
        write_probabilities,
        None,
        "Probabilities written to",
    ),
    execution=("workers",),
    default_document=builtin_scenario_path,
)


def score_card(probabilities: str | Path, resolutions: str | Path) -> ScoreCard:
    """Brier, log score and Brier skill of a probabilities file against a resolutions file."""
    from detente.interventions.scoring import score_files

    return score_files(probabilities, resolutions)


# -- the main job -------------------------------------------------------------------------------
class ReportParams(Params):
    """Every engine on a scenario (or a bare conflict): stability, paths, hypergame, forecast with
    its Monte Carlo, interventions; a summary and the HTML report."""

    kind: Literal["report"] = "report"
    runs: int = Field(1000, ge=0, le=1_000_000, description="Monte Carlo runs for the forecast.")
    seed: int = Field(
        SEED, ge=0, lt=2**63, description="Seed for every random draw (recorded in the report)."
    )
    intervention_runs: int = Field(
        200, ge=0, le=100_000, description="Monte Carlo runs per intervention variant (at most mc)."
    )


@dataclass(frozen=True, eq=False)
class Report:
    analysis: Analysis
    document: ReportDocument


def _report_cost(doc: Document, p: ReportParams) -> list[Cost]:
    from detente.app.conflict_kinds import stability_cost

    assert doc.conflict is not None
    costs = stability_cost(doc.conflict, ["nash", "gmr", "smr", "seq"], "fast", 0)
    if doc.scenario is not None:
        n = len(doc.scenario.spec.interventions)
        costs.append(
            Cost(
                what="the forecast and the interventions",
                size=f"{p.runs:,} Monte Carlo runs, {n} interventions",
                bytes=300 * 1024**2,
                seconds=p.runs * _RUN_SECONDS * 3
                + (n + 1) * (_VARIANT_SECONDS + min(p.runs, p.intervention_runs) * _RUN_SECONDS),
                shrink="Use fewer Monte Carlo runs (--mc).",
            )
        )
    return costs


def _report(doc: Document, p: ReportParams, ex: Execution) -> Report:
    from detente.analysis import analyze_conflict, analyze_scenario
    from detente.io.evidence import collect_evidence
    from detente.render.report.builder import build_document

    def step(name: str, done: int, total: int) -> None:
        if ex.progress is not None:
            ex.progress(done, total)

    if doc.scenario is not None:
        found = analyze_scenario(
            doc.scenario,
            runs=p.runs,
            seed=p.seed,
            intervention_runs=min(p.runs, p.intervention_runs),
            progress=step,
            workers=ex.workers,
            sources_dir=ex.documents.get("sources"),
        )
    else:
        assert doc.conflict is not None
        spec = doc.conflict.spec
        found = analyze_conflict(doc.conflict, tuple(collect_evidence(spec)) if spec is not None else ())
    return Report(found, build_document(found))


def _report_json(doc: Document, p: ReportParams, r: Report) -> Json:
    from detente.render.conflict_json import SCHEMA_VERSION

    a = r.analysis
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "report",
        "title": a.title,
        "subtitle": a.subtitle,
        "input": {"file": Path(doc.file).name, "sha256": doc.digest},
        "seed": p.seed,
        "equilibria": {
            c: [a.conflict.number(int(s)) for s in a.stability.equilibria(c)] for c in a.stability.concepts
        },
        "sections": [s.title for s in r.document.sections],
    }


def _report_terminal(doc: Document, p: ReportParams, r: Report, out: Console) -> None:
    from detente.render.report.terminal import print_document

    print_document(r.document, out)


def report_figures(doc: Document, p: ReportParams, r: Report) -> dict[str, str]:
    """The whole report as one self-contained HTML page (stored by the web app under ``report``)."""
    from detente.render.report.html import render_html

    return {"report": render_html(r.document)}


def write_report(doc: Document, p: ReportParams, r: Report, path: Path) -> None:
    """The HTML report written to ``path/index.html`` (atomically)."""
    from detente.render.report.builder import write_report as write

    write(r.analysis, path)


REPORT = RunKind(
    name="report",
    title="detente analyze",
    params=ReportParams,
    reads=CONFLICTS,
    run=_report,
    to_json=_report_json,
    headline=headlines.report,
    cost=_report_cost,
    terminal=_report_terminal,
    figures=report_figures,
    command=("analyze",),
    documents={"sources": CliOption(("--sources",), "The folder of the source texts the quotes come from.")},
    cli={"runs": CliOption(("--mc",)), "intervention_runs": CliOption(("--intervention-mc",))},
    writer=Writer(
        CliOption(("--out",), "Folder for the HTML report."),
        write_report,
        "detente-report",
        "HTML report written to",
    ),
    execution=("workers",),
    default_document=builtin_scenario_path,
)


# -- checks -------------------------------------------------------------------------------------
class CheckParams(Params):
    """Verify every quote of a scenario against its source texts, and flag interventions that assume
    their own outcome (they only rewrite the preferences of the party they are meant to move)."""

    kind: Literal["check"] = "check"


def _check(doc: Document, p: CheckParams, ex: Execution) -> Any:
    from detente.analysis import check_scenario

    return check_scenario(doc.scenario, ex.documents.get("sources"))


def _check_json(doc: Document, p: CheckParams, result: Any) -> Json:
    from detente.render.check_words import check_json
    from detente.render.conflict_json import SCHEMA_VERSION

    return {"schema_version": SCHEMA_VERSION, "kind": "check", **check_json(result)}


def _check_terminal(doc: Document, p: CheckParams, result: Any, out: Console) -> None:
    from detente.render.check_words import check_lines
    from detente.render.terminal_conflict import print_lines

    print_lines(check_lines(result), out)


CHECK = RunKind(
    name="check",
    title="detente check",
    params=CheckParams,
    reads=SCENARIOS,
    run=_check,
    to_json=_check_json,
    headline=headlines.check,
    terminal=_check_terminal,
    command=("check",),
    default_document=builtin_scenario_path,
    documents={
        "sources": CliOption(("--sources",), "The folder of the source texts (default: found beside).")
    },
    exit_status=lambda result: 0 if result.ok else 1,
)
