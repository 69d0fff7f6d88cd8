"""Answers to forecast questions in words, and the probabilities file's content.

The answers and what they rest on come from :mod:`detente.interventions.questions`; this module only
says them. ``reasoning`` gives the paragraph ``detente questions`` prints and writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detente.conflict.model import Conflict, pattern_of
from detente.conflict.paths import PATH_CONCEPT
from detente.interventions.questions import (
    RUNS,
    SAMPLES,
    SEED,
    SWAP,
    Answer,
    ClockBasis,
    ConflictBasis,
    ForecastBasis,
)
from detente.io.evidence import Evidence
from detente.io.questions import QuestionSet
from detente.io.scenario import Scenario
from detente.render.narrate import concept_name


def _state_words(conflict: Conflict, s: int) -> str:
    taken = [o.name for j, o in enumerate(conflict.options) if int(conflict.states[s]) >> j & 1]
    return f"state {conflict.number(s)} ({', '.join(taken) if taken else 'no option taken'})"


def _pattern_words(conflict: Conflict, pattern: Any) -> str:
    if isinstance(pattern, int):
        return f"the conflict is in state {pattern}"
    mask, value = pattern_of(pattern, [o.name for o in conflict.options])
    parts = [
        f"{o.name} = {'Y' if value >> j & 1 else 'N'}"
        for j, o in enumerate(conflict.options)
        if mask >> j & 1
    ]
    return " and ".join(parts) if parts else "any state"


def _evidence_words(evidence: Sequence[Evidence]) -> str:
    parts = [f"“{e.quote}” ({e.source})" if e.quote else str(e.note).strip().rstrip(".") for e in evidence]
    return "Evidence: " + "; ".join(parts) + "."


def _percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _conflict_words(c: Conflict, b: ConflictBasis) -> list[str]:
    words = [
        f"Model: the conflict settles at a hypergame equilibrium under {concept_name(PATH_CONCEPT)} (each "
        "decision maker acting on the game as it perceives it) that the conflict can reach from the "
        f"status quo, {_state_words(c, b.status_quo)}, by unilateral improvements; each such equilibrium is "
        f"equally likely. The question resolves yes in states where {_pattern_words(c, b.pattern)}.",
    ]
    if b.baseline_stuck:
        reach = "no equilibrium is reachable, so the conflict stays at the status quo"
    else:
        reach = "the reachable equilibria are " + "; ".join(_state_words(c, s) for s in b.baseline_states)
    base = b.matched / len(b.baseline_states)
    words.append(
        f"With the snapshot's judgements as written, {reach}: {b.matched} of {len(b.baseline_states)} "
        f"match, so the baseline is {_percent(base)}."
    )
    if b.samples:
        likely = "; ".join(f"{_state_words(c, s)} {_percent(w)}" for s, w in b.top)
        words.append(
            f"Judgement uncertainty: in {b.samples} samples (seed {b.seed}) each adjacent pair of every "
            f"decision maker's and every perception's priority statements was swapped with probability "
            f"{b.swap:g}; the expected share of matching states is {_percent(b.model)}. Most likely "
            f"settling states: {likely}."
            + (
                f" In {b.stuck} samples no equilibrium was reachable and the status quo counted."
                if b.stuck
                else ""
            )
        )
    return words


def _forecast_words(b: ForecastBasis, model: float, base: float) -> list[str]:
    words = [
        f"Model: the {b.model_name} forecast of where the issue '{b.dimension}' settles, on its scale "
        f"{b.low:g}–{b.high:g}"
        + (f" (status quo {b.status_quo:g})" if b.status_quo is not None else "")
        + f"; the question resolves yes if the outcome is {b.side} {b.threshold:g}.",
        f"Point forecast (every input at its stated value): {b.point:.1f}, so the baseline is "
        f"{_percent(base)}.",
    ]
    if b.valid == 0:
        words.append(f"All {b.runs} Monte Carlo runs failed; the baseline stands.")
        return words
    lo, mid, hi = b.quantiles
    words.append(
        f"Monte Carlo: {b.runs} runs (seed {b.seed}) over the {b.inputs} uncertain inputs; the "
        f"outcome's median is {mid:.1f} (90% interval {lo:.1f}–{hi:.1f}) and {_percent(model)} of the "
        f"runs lie {b.side} {b.threshold:g}."
        + (f" {b.failures} failed runs are left out." if b.failures else "")
    )
    return words


def warning_words(answer: Answer) -> tuple[str, ...]:
    """The warnings of an answer, in words."""
    out = []
    if answer.late and answer.as_of is not None and answer.closes is not None:
        out.append(
            f"the snapshot ({_date(answer.as_of)}) is dated after the question closed "
            f"({_date(answer.closes)}): it may hold what the question asks about"
        )
    return tuple(out)


def reasoning(scenario: Scenario, answer: Answer) -> str:
    """The answer's reasoning: the snapshot, the model and its numbers, any blend, the evidence, warnings."""
    meta = scenario.spec.meta
    words = [f"From the snapshot '{meta.name}' (information as of {_date(meta.as_of)}) only."]
    b = answer.basis
    if b is None:
        words.append(
            f"The model does not speak to this question: {_percent(answer.model)} is the analyst's stated "
            "prior (a judgement, not a model result)."
        )
    elif isinstance(b, ConflictBasis):
        words += _conflict_words(scenario.conflict, b)
    elif isinstance(b, ClockBasis):
        from detente.render.clock_words import explain_agreement_by

        words.append(
            "Answered from the negotiation clock (dated rounds, the deadline and the elections): "
            + explain_agreement_by(b.analysis, b.day)
            + f" At the central values alone: {_percent(answer.model_baseline)}."
        )
    else:
        words += _forecast_words(b, answer.model, answer.model_baseline)
    if answer.prior is not None and answer.weight is not None:
        words.append(
            f"Blended with the stated prior: {answer.weight:g} × model {_percent(answer.model)} + "
            f"{1 - answer.weight:g} × prior {_percent(answer.prior)} = {_percent(answer.probability)} "
            f"(baseline {_percent(answer.baseline)})."
        )
    words.append(_evidence_words(answer.evidence))
    words += [f"Warning: {w}." for w in warning_words(answer)]
    return " ".join(words)


def probabilities_document(
    answers: Sequence[Answer],
    scenario: Scenario,
    questions: QuestionSet,
    samples: int = SAMPLES,
    swap: float = SWAP,
    runs: int = RUNS,
    seed: int = SEED,
    written: dt.date | None = None,
) -> dict[str, Any]:
    """The probabilities file's content, in the form :mod:`detente.interventions.scoring` reads.

    Top level: the day it was written (``written``, default today), the snapshot (name, file name,
    ``as_of``), the question set, the method and its seeds; ``questions``: id -> probability,
    baseline, method, reasoning (and warnings, if any).
    """
    entries: dict[str, Any] = {}
    for a in answers:
        entry: dict[str, Any] = {
            "title": a.title,
            "probability": round(a.probability, 4),
            "baseline": round(a.baseline, 4),
            "method": a.method,
            "reasoning": reasoning(scenario, a),
        }
        warnings = warning_words(a)
        if warnings:
            entry["warnings"] = list(warnings)
        entries[a.id] = entry
    return {
        "written": (written or dt.date.today()).isoformat(),
        "snapshot": scenario.spec.meta.name,
        "snapshot_file": Path(scenario.path).name,
        "as_of": scenario.spec.meta.as_of.isoformat(),
        "question_set": questions.spec.name,
        "questions_file": Path(questions.lines.file).name,
        "method": {
            "concept": PATH_CONCEPT,
            "samples": samples,
            "swap": swap,
            "seed": seed,
            "monte_carlo_runs": runs,
            "monte_carlo_seed": seed,
        },
        "questions": entries,
    }


def answer_json(scenario: Scenario, answer: Answer) -> dict[str, Any]:
    """One answer as a JSON-ready dict: id, title, probability, baseline, method, reasoning, warnings."""
    return {
        "id": answer.id,
        "title": answer.title,
        "probability": answer.probability,
        "baseline": answer.baseline,
        "method": answer.method,
        "reasoning": reasoning(scenario, answer),
        "warnings": list(warning_words(answer)),
    }
