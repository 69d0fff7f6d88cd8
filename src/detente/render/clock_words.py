"""A clock analysis in plain words: when agreement comes, on what terms, who gains by waiting, and
what the deadline does. Each function returns sentences; the faces print or place them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from detente.clock.analysis import ClockAnalysis, WaitingValue
from detente.clock.simulate import Simulation, Turn
from detente.render.clock_json import named_dates


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %" if p >= 0.01 or p == 0 else "under 1 %"


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _position(analysis: ClockAnalysis, x: float) -> str:
    low, high = analysis.model.scale
    where = f"{x:.0f} on the 0–100 scale"
    if low and high:
        where += f" (0 = {low}; 100 = {high})"
    return where


def describe_agreement(analysis: ClockAnalysis) -> list[str]:
    """When agreement comes and on what terms, at the central values of every input."""
    m, sol = analysis.model, analysis.solution
    names = [p.name for p in m.parties]
    out: list[str] = []
    first = sol.first_agreement_round()
    if first is None:
        res = [float(p.reservation) for p in m.parties]
        why = ""
        if sum(res) > 1:
            parts = " + ".join(f"{n} {r:.2f}" for n, r in zip(names, res, strict=True))
            why = (
                f" The status quo is worth more to the parties together ({parts} = {sum(res):.2f}) than any"
                " deal can give them (1), so neither can offer what the other would accept."
            )
        out.append(
            f"At the central values no agreement comes in any round up to the last, on"
            f" {_day(m.date_of(m.horizon - 1))}: in every round the proposer prefers to wait.{why}"
        )
    else:
        when = _day(m.date_of(first))
        terms = sol.terms_at(first)
        share = ", ".join(f"{n} {terms[i]:.2f}" for i, n in enumerate(names))
        out.append(
            f"At the central values the first agreement can come on {when} (round {first}); the terms then:"
            f" {share} of what a deal is worth, at {_position(analysis, sol.position_at(first))}."
        )
        if sol.p_agree_ever < 0.999:
            out.append(
                f"Agreement is reached at some point with probability {_pct(sol.p_agree_ever)}; talks break"
                f" down first with {_pct(sol.p_breakdown)}, end in a walk-out with {_pct(sol.p_walkout)}"
                f" and are still open at the end with {_pct(sol.p_open)}."
            )
    values = ", ".join(f"{n} {sol.values[i]:.3f}" for i, n in enumerate(names))
    out.append(f"Expected values at the start (in units of a deal, discounted to {_day(m.start)}): {values}.")
    mc = analysis.monte_carlo
    for name, day in named_dates(analysis):
        p_point = _pct(sol.prob_agreement_by(day))
        line = f"Probability of agreement by {_day(day)} ({name}): {p_point} at the central values"
        if mc is not None and day in mc.dates:
            k = mc.dates.index(day)
            q = mc.quantiles((0.05, 0.95))
            mean = _pct(float(mc.prob_by_date()[k]))
            line += (
                f"; {mean} averaged over {mc.n:,} Monte Carlo draws of the uncertain inputs"
                f" (5–95 % of draws: {_pct(float(q[0, k]))} to {_pct(float(q[1, k]))})"
            )
        out.append(line + ".")
    return out


def describe_waiting(analysis: ClockAnalysis, w: WaitingValue) -> list[str]:
    """The value of waiting for one event, per party."""
    m = analysis.model
    e = m.event(w.event)
    out = []
    for i, p in enumerate(m.parties):
        g = float(w.gain[i])
        if abs(g) < 5e-4:
            verdict = "is worth nothing to"
        elif g > 0:
            verdict = f"is worth {g:.3f} (of a deal) to"
        else:
            verdict = f"costs {-g:.3f} (of a deal) to"
        stall = float(w.stall[i])
        tail = (
            "stalling until then would gain it nothing over dealing now"
            if stall < 5e-4
            else f"stalling until then gains it {stall:.3f} over its equilibrium value now"
        )
        prob = float(e.probability)
        out.append(
            f"The prospect of {e.label or e.name} ({_day(m.event_date(e))}, probability {prob:.2f})"
            f" {verdict} {p.name}; {tail}."
        )
    return out


def describe_deadline(analysis: ClockAnalysis) -> list[str]:
    """How the deadline shifts values, terms and the chance of agreement before it."""
    d = analysis.deadline
    if d is None:
        return []
    m = analysis.model
    names = [p.name for p in m.parties]
    shift = ", ".join(f"{n} {d.value_shift[i]:+.3f}" for i, n in enumerate(names))
    with_p, without_p = d.agreement_before_deadline()
    what = "ends the talks" if m.deadline_ends else "changes the game"
    day = m.deadline_day or m.date_of(d.deadline_round)
    out = [
        f"The deadline of {_day(day)} {what}. Against the same clock without it, it moves the expected"
        f" values by {shift}; agreement before it has probability {_pct(with_p)} with the deadline and"
        f" {_pct(without_p)} without."
    ]
    ts = d.terms_shift
    if not any(math.isnan(float(x)) for x in ts):
        out.append(
            "It shifts the expected terms by "
            + ", ".join(f"{n} {ts[i]:+.3f}" for i, n in enumerate(names))
            + "."
        )
    return out


_LEVER = {
    "reservation": "its value of the status quo",
    "discount": "its patience",
    "cost": "its cost of delay",
}


def describe_changes(analysis: ClockAnalysis) -> list[str]:
    """The smallest changes that would bring agreement by the chosen round, one sentence each."""
    m = analysis.model
    out = []
    for ch in analysis.changes:
        when = _day(m.date_of(ch.by))
        if ch.lever == "offer":
            if ch.new:
                out.append(
                    f"A sweetener worth {ch.new:.3f} of a deal, on top of what the proposer can offer, would"
                    f" bring agreement by the round of {when}."
                )
            continue
        what = _LEVER[ch.lever]
        if ch.new is None:
            out.append(
                f"No change of {ch.party}'s {what.removeprefix('its ')} alone brings agreement by {when}."
            )
        elif ch.new != ch.old:
            out.append(
                f"Agreement by the round of {when} becomes at least as likely as not if {ch.party} changes"
                f" {what} from {ch.old:.3f} to {ch.new:.3f}."
            )
    return out


def describe_clock(analysis: ClockAnalysis) -> list[str]:
    """All of it: agreement, the value of waiting for each uncertain event, the deadline effect and
    (when computed) the smallest changes that bring agreement."""
    out = describe_agreement(analysis)
    for w in analysis.waiting:
        out += describe_waiting(analysis, w)
    out += describe_deadline(analysis)
    out += describe_changes(analysis)
    return out


def describe_simulation(sim: Simulation) -> list[str]:
    """How ``sim.n`` simulated negotiations ended, and when the agreements came."""
    from detente.clock.simulate import AGREED, BROKE, OPEN, WALKED

    m = sim.model
    out = [
        f"Of {sim.n:,} simulated negotiations, {_pct(sim.share(AGREED))} ended in agreement,"
        f" {_pct(sim.share(WALKED))} in a walk-out, {_pct(sim.share(BROKE))} broke down and"
        f" {_pct(sim.share(OPEN))} were still open after the last round ({_day(m.date_of(m.horizon - 1))})."
    ]
    agreed = sim.ending == AGREED
    if agreed.any():
        rounds = np.sort(sim.round[agreed])
        median = int(rounds[(rounds.size - 1) // 2])
        pos = float(np.nanmean(sim.position[agreed]))
        out.append(
            f"Half of the agreements came by {_day(m.date_of(median))}; on average they sit at {pos:.0f}"
            " on the 0–100 scale."
        )
    walkers = sim.walker[sim.ending == WALKED]
    for i, p in enumerate(m.parties):
        k = int((walkers == i).sum())
        if k:
            out.append(f"{p.name} walked out of {k:,} of them.")
    return out


def describe_turns(turns: Sequence[Turn]) -> list[str]:
    """One line per turn of a turn log: date, proposer, offer, reply."""
    out = []
    for t in turns:
        if t.offer is None:
            offer = "no offer"
        else:
            offer = "offers " + "/".join(f"{x:.2f}" for x in t.offer)
            if t.position is not None:
                offer += f" (position {t.position:.0f})"
        out.append(f"{t.date.isoformat()}  round {t.round:>3}  {t.proposer}: {offer} — {t.reply}")
    return out


def explain_agreement_by(analysis: ClockAnalysis, day: dt.date) -> str:
    """The reasoning behind the clock's probability of agreement by ``day`` (for a dated question)."""
    from detente.clock.analysis import agreement_probability

    m, sol = analysis.model, analysis.solution
    p, how = agreement_probability(analysis, day)
    rounds = sum(1 for t in range(m.horizon) if m.date_of(t) <= day)
    first = sol.first_agreement_round()
    if first is None:
        point = "at the central values no deal is reachable in any round"
    elif first < rounds:
        point = f"at the central values the first deal can come on {_day(m.date_of(first))}"
    else:
        point = f"at the central values the first deal cannot come before {_day(m.date_of(first))}"
    text = f"The clock gives {_pct(p)} for agreement by {_day(day)} ({rounds} monthly rounds): {point}"
    if how == "monte carlo" and analysis.monte_carlo is not None:
        mc = analysis.monte_carlo
        text += (
            f"; {_pct(p)} is the mean over {mc.n:,} draws of the uncertain inputs, in which the"
            " reservation values, patience, costs and election chances vary"
        )
    return text + "."
