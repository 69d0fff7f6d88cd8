"""Documented JSON for a clock analysis (``detente clock FILE --json``); the fields are in docs/clock.md.

Every number is a finite float or null (never NaN); dates are ISO strings. ``schema_version`` is
bumped whenever a field changes meaning or goes away.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from detente.clock.analysis import ClockAnalysis, report_dates

SCHEMA_VERSION = 1


def _num(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _by_party(names: list[str], values: Any) -> dict[str, float | None]:
    return {name: _num(values[i]) for i, name in enumerate(names)}


def named_dates(analysis: ClockAnalysis) -> list[tuple[str, dt.date]]:
    """The dates the clock reports on: its named dates, else the deadline and each election."""
    return report_dates(analysis.model)


def clock_json(analysis: ClockAnalysis) -> dict[str, Any]:
    """The analysis as plain JSON-ready data (see docs/clock.md, "JSON output")."""
    m, sol = analysis.model, analysis.solution
    names = [p.name for p in m.parties]
    mc = analysis.monte_carlo
    dates = named_dates(analysis)
    mc_dates = {d: k for k, d in enumerate(mc.dates)} if mc is not None else {}
    mc_mean = mc.prob_by_date() if mc is not None else None
    mc_q = mc.quantiles((0.05, 0.95)) if mc is not None else None
    by_date = []
    for name, day in dates:
        row: dict[str, Any] = {
            "name": name,
            "date": day.isoformat(),
            "p_agree": _num(sol.prob_agreement_by(day)),
        }
        k = mc_dates.get(day)
        if mc is not None and k is not None and mc_mean is not None and mc_q is not None:
            row |= {
                "p_agree_mc": _num(mc_mean[k]),
                "p_agree_mc_q05": _num(mc_q[0, k]),
                "p_agree_mc_q95": _num(mc_q[1, k]),
            }
        else:
            row |= {"p_agree_mc": None, "p_agree_mc_q05": None, "p_agree_mc_q95": None}
        by_date.append(row)
    first = sol.first_agreement_round()
    median = sol.median_agreement_round()
    cum = sol.cumulative
    mc_cum = np.cumsum(mc.p_agree, axis=1).mean(axis=0) if mc is not None else None
    timeline = [
        {
            "round": t,
            "date": m.date_of(t).isoformat(),
            "p_agree": _num(sol.p_agree[t]),
            "cumulative": _num(cum[t]),
            "cumulative_mc": None if mc_cum is None else _num(mc_cum[t]),
            "position": _num(sol.position_at(t)),
        }
        for t in range(m.horizon)
    ]
    k0, pay0, pos0, made0 = sol.first_offer()
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "clock",
        "name": m.name,
        "parties": names,
        "scale": {"low_label": m.scale[0], "high_label": m.scale[1]},
        "start": m.start.isoformat(),
        "period_months": m.period_months,
        "rounds": m.horizon,
        "end": m.date_of(m.horizon).isoformat(),
        "protocol": m.protocol,
        "deadline": None
        if m.deadline is None
        else {
            "date": m.deadline_day.isoformat() if m.deadline_day else None,
            "round": m.deadline,
            "round_date": m.date_of(m.deadline).isoformat(),
            "ends_talks": m.deadline_ends,
        },
        "events": [
            {
                "name": e.name,
                "label": e.label,
                "kind": e.kind,
                "round": e.round,
                "date": m.event_date(e).isoformat(),
                "round_date": m.date_of(e.round).isoformat(),
                "probability": _num(e.probability),
            }
            for e in m.events
            if e.kind != "shift" or not e.name.startswith("power_shift_")
        ],
        "equilibrium": {
            "values": _by_party(names, sol.values),
            "p_agree_ever": _num(sol.p_agree_ever),
            "p_walkout": _num(sol.p_walkout),
            "p_breakdown": _num(sol.p_breakdown),
            "p_open": _num(sol.p_open),
            "first_agreement": None
            if first is None
            else {"round": first, "date": m.date_of(first).isoformat()},
            "median_agreement": None
            if median is None
            else {"round": median, "date": m.date_of(median).isoformat()},
            "expected_terms": _by_party(names, sol.expected_terms()),
            "expected_position": _num(sol.expected_position()),
            "first_offer": {
                "proposer": names[k0],
                "payoffs": _by_party(names, pay0),
                "position": _num(pos0),
                "accepted": made0,
            },
        },
        "by_date": by_date,
        "timeline": timeline,
        "value_of_waiting": [
            {
                "event": w.event,
                "round": w.round,
                "date": m.event_date(m.event(w.event)).isoformat(),
                "gain": _by_party(names, w.gain),
                "stall": _by_party(names, w.stall),
            }
            for w in analysis.waiting
        ],
        "deadline_effect": None,
        "monte_carlo": None,
        "smallest_changes": [
            {
                "party": None if ch.lever == "offer" else ch.party,
                "lever": ch.lever,
                "by_round": ch.by,
                "by_date": m.date_of(ch.by).isoformat(),
                "target": _num(ch.target),
                "old": _num(ch.old),
                "new": _num(ch.new),
                "delta": _num(ch.delta),
                "probability": _num(ch.probability),
            }
            for ch in analysis.changes
        ],
    }
    if analysis.deadline is not None:
        d = analysis.deadline
        with_p, without_p = d.agreement_before_deadline()
        out["deadline_effect"] = {
            "value_shift": _by_party(names, d.value_shift),
            "terms_shift": _by_party(names, d.terms_shift),
            "p_agree_before_deadline": {"with": _num(with_p), "without": _num(without_p)},
        }
    if mc is not None:
        out["monte_carlo"] = {
            "n": mc.n,
            "seed": mc.seed,
            "chunk_size": mc.chunk_size,
            "inputs": list(mc.labels),
            "values_mean": _by_party(names, mc.values.mean(axis=0)),
            "p_agree_ever_mean": _num(mc.p_agree.sum(axis=1).mean()),
            "share_of_draws_with_a_deal": _num((mc.p_agree.sum(axis=1) > 1e-9).mean()),
            "position_quantiles": None
            if (tq := mc.terms_quantiles()) is None
            else {"q05": _num(tq[0]), "q50": _num(tq[1]), "q95": _num(tq[2])},
        }
    return out
