"""Interventions, questions and scores as documented JSON (``docs/json.md``)."""

from __future__ import annotations

import math
from typing import Any

from detente.interventions.evaluate import Assessment, InterventionReport
from detente.interventions.scoring import ScoreCard
from detente.io.scenario import Scenario
from detente.render.conflict_json import SCHEMA_VERSION
from detente.render.intervention_json import ranked_json


def _statuses(a: Assessment, outcome: str) -> dict[str, dict[str, bool]]:
    return {
        concept: {
            "equilibrium": st.equilibrium,
            "hypergame_equilibrium": st.hypergame_equilibrium,
            "reachable": st.reachable,
        }
        for concept, st in a.outcomes[outcome].items()
    }


def _assessment_json(a: Assessment, dims: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": a.name,
        "title": a.title,
        "outcomes": {name: _statuses(a, name) for name in a.outcomes},
        "equilibria": {c: list(states) for c, states in a.equilibria.items()},
        "forecast_median": dict(zip(dims, a.forecast_median, strict=False)),
        "forecast_interval": {d: list(iv) for d, iv in zip(dims, a.forecast_interval, strict=False)},
    }


def interventions_json(scenario: Scenario, report: InterventionReport) -> dict[str, Any]:
    """The ranked interventions as a JSON document (``kind: interventions``)."""
    dims = scenario.issues.base.dimensions
    addressee = {iv.name: iv.addressee for iv in scenario.spec.interventions}
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "interventions",
        "scenario": scenario.spec.meta.name,
        "as_of": scenario.spec.meta.as_of.isoformat(),
        "concepts": list(report.concepts),
        "outcomes": [{"name": o.name, "label": o.label, "desired": o.desired} for o in report.outcomes],
        "dimensions": list(dims),
        "model": report.model,
        "runs": report.runs,
        "seed": report.seed,
        "ranking": "reach_gain, then equilibrium_gain (both descending), then name",
        "baseline": _assessment_json(report.baseline, dims),
        "ranked": [
            {
                "rank": k,
                "addressee": addressee.get(r.assessment.name),
                "reach_gain": r.reach_gain,
                "equilibrium_gain": r.equilibrium_gain,
                "forecast_shift": dict(zip(dims, r.forecast_shift, strict=False)),
                **ranked_json(report, r),
                **_assessment_json(r.assessment, dims),
            }
            for k, r in enumerate(report.ranked, start=1)
        ],
    }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def score_json(card: ScoreCard) -> dict[str, Any]:
    """Per question and overall: Brier, log score (null for minus infinity) and Brier skill."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "scores",
        "questions": [
            {
                "id": q.question,
                "probability": q.probability,
                "outcome": q.outcome,
                "brier": q.brier,
                "log": _finite(q.log),
                "brier_skill": q.brier_skill,
            }
            for q in card.questions
        ],
        "overall": {
            "n": len(card.questions),
            "brier": card.brier,
            "log": _finite(card.log),
            "brier_skill": card.brier_skill,
        },
    }
