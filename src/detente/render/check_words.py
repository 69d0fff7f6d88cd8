"""``detente check`` in words and as JSON: quotes verified against their sources, and the
interventions that assume their own outcome."""

from __future__ import annotations

from typing import Any

from detente.analysis import CheckResult
from detente.render.intervention_words import assumption_sentence


def check_lines(result: CheckResult) -> list[str]:
    """One line per failed quote (file:line [field] what), then the verdict on each flagged intervention."""
    out: list[str] = []
    file = result.scenario.lines.file
    if result.sources is None:
        out.append(
            "No source files found beside the scenario: every quote is unverified (give --sources DIR)."
        )
    for q in result.failed_quotes:
        where = f"{file}:{q.line}" if q.line is not None else file
        why = "is not in" if q.status == "unverified" else "cannot be checked: source file not found:"
        out.append(f"{where}: [{q.field}] quote “{q.quote}” {why} {q.source}")
    ok = len(result.quotes) - len(result.failed_quotes)
    out.append(f"{ok} of {len(result.quotes)} quotes verified verbatim against their sources.")
    flagged = [v for v in result.interventions if v.assumes]
    for v in flagged:
        out.append(f"intervention {v.intervention}: {assumption_sentence(v)}")
    if not flagged:
        out.append(
            f"{len(result.interventions)} interventions checked: none rewrites the preference of the party "
            "whose behaviour it is meant to produce."
        )
    return out


def check_json(result: CheckResult) -> dict[str, Any]:
    """The check as a JSON-ready dict (documented in docs/json.md by the integrator)."""
    return {
        "ok": result.ok,
        "sources": result.sources.name if result.sources is not None else None,
        "quotes": [
            {"field": q.field, "line": q.line, "quote": q.quote, "source": q.source, "status": q.status}
            for q in result.quotes
        ],
        "interventions": [
            {
                "name": v.intervention,
                "assumes_own_outcome": v.assumes,
                "only": v.only,
                "flagged": [
                    {"party": m.party, "kind": m.kind, "what": m.what, "action": m.action} for m in v.flagged
                ],
            }
            for v in result.interventions
        ],
    }
