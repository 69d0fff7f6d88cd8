"""Derived answers an analyst asks of a clock: the value of waiting, the deadline effect, and the
smallest change that brings agreement before a chosen date.

* **Value of waiting for an event** (:func:`value_of_waiting`): for each party, its expected value
  in the equilibrium of the clock as it is, minus its value in the same clock with the event taken
  out (nothing changes at its date): what the prospect of the event is worth to it. It is exactly
  zero when the event changes nothing. Beside it, ``stall`` compares stalling until the event
  (refusing every deal before it, then playing the equilibrium; discounting, costs and breakdown
  risk on the way) with the party's equilibrium value now: positive when stalling pays.
* **Deadline effect** (:func:`deadline_effect`): the equilibrium with and without the deadline
  (and its changed game): values, expected terms and the probability of agreement before it. The
  classic case: with a last round, the last proposer takes the whole surplus (Osborne & Rubinstein
  1990, section 3.10; Ma & Manove 1993, "Bargaining with deadlines and imperfect player control",
  *Econometrica* 61(6)).
* **Smallest change** (:func:`smallest_change`): the least change of one party's starting patience
  (discount factor), reservation value or cost of delay that makes agreement by round ``by`` at
  least ``target`` likely; found by scanning the parameter's range and bisecting toward its
  present value. :func:`offer_gap`: how much extra surplus the proposer of a round would need to
  prefer making an acceptable offer then (zero if it already does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from detente.clock.fast import FloatArray
from detente.clock.model import ClockModel
from detente.clock.montecarlo import ClockMonteCarlo, Progress, UncertainClock, run_clock_monte_carlo
from detente.clock.solve import ClockSolution, solve
from detente.errors import InputError, Problem

Lever = Literal["discount", "reservation", "cost", "offer"]
_RANGES: dict[str, tuple[float, float]] = {
    "discount": (0.01, 1.0),
    "reservation": (-1.0, 1.0),
    "cost": (0.0, 0.5),
}


@dataclass(frozen=True)
class WaitingValue:
    """Per party (in model order): ``with_event`` and ``without_event`` values at the start,
    ``gain`` = their difference; ``stall``: stalling until the event minus the equilibrium value now."""

    event: str
    round: int
    with_event: FloatArray
    without_event: FloatArray
    gain: FloatArray
    stall: FloatArray


def stall_value(model: ClockModel, party: int, until: int, solution: ClockSolution | None = None) -> float:
    """Party ``party``'s expected value (at round 0) of refusing every deal before round ``until``
    and playing the equilibrium from then on (the other parties keep talking; breakdown may strike)."""
    sol = solution or solve(model)
    c = sol.compiled
    T = model.horizon
    until = min(until, T)
    prior = c.prior()[0]
    v_until = sol.policy.values[0, until] if until < T else c.reservation[0, :, T - 1, :]
    value = prior @ v_until[:, party]
    for t in range(until - 1, -1, -1):
        b = c.breakdown[0, t]
        res = prior @ c.reservation[0, :, t, party]
        disc = prior @ c.discount[0, :, t, party]
        cost = prior @ c.cost[0, :, t, party]
        value = (1 - b) * (disc * value + (1 - disc) * res - cost) + b * res
    return float(value)


def value_of_waiting(model: ClockModel, event: str) -> WaitingValue:
    """What the prospect of ``event`` is worth to each party, and whether stalling until it pays."""
    e = model.event(event)
    sol = solve(model)
    without = solve(model.without_event(event))
    stall = np.array([stall_value(model, i, e.round, sol) - sol.values[i] for i in range(model.n)])
    gain = sol.values - without.values
    # A chance node whose branches are equal mixes p*v + (1-p)*v, which can differ from v in the last bit:
    # below that rounding noise, the event changes nothing and its value is exactly zero.
    gain = np.where(np.abs(gain) <= 1e-12 * np.maximum(1.0, np.abs(sol.values)), 0.0, gain)
    return WaitingValue(event, e.round, sol.values, without.values, gain, stall)


@dataclass(frozen=True)
class DeadlineEffect:
    """The clock with its deadline (``with_deadline``) and without it (``without``)."""

    deadline_round: int
    with_deadline: ClockSolution
    without: ClockSolution

    @property
    def value_shift(self) -> FloatArray:
        """(n,): how much the deadline adds to each party's expected value."""
        return self.with_deadline.values - self.without.values

    @property
    def terms_shift(self) -> FloatArray:
        """(n,): how much the deadline moves the expected terms of agreement (NaN if either has none)."""
        return self.with_deadline.expected_terms() - self.without.expected_terms()

    def agreement_before_deadline(self) -> tuple[float, float]:
        """Probability of agreement before the deadline round, with and without the deadline."""
        t = self.deadline_round
        return float(self.with_deadline.p_agree[:t].sum()), float(self.without.p_agree[:t].sum())


def without_deadline(model: ClockModel) -> ClockModel:
    """The clock with no deadline: it runs all its rounds and the deadline's changed game is dropped."""
    return replace(model, deadline=None, events=tuple(e for e in model.events if e.kind != "deadline"))


def deadline_effect(model: ClockModel) -> DeadlineEffect:
    """The equilibrium with and without the deadline (an InputError if the clock has none)."""
    if model.deadline is None:
        raise InputError([Problem("<clock model>", None, "deadline", "the clock has no deadline")])
    return DeadlineEffect(model.deadline, solve(model), solve(without_deadline(model)))


@dataclass(frozen=True)
class Change:
    """The least change of ``lever`` for ``party`` that makes agreement by round ``by`` at least
    ``target`` likely: from ``old`` to ``new`` (``probability`` reached); ``new`` None if none does."""

    party: str
    lever: Lever
    by: int
    target: float
    old: float
    new: float | None
    probability: float

    @property
    def delta(self) -> float | None:
        return None if self.new is None else self.new - self.old


def offer_gap(solution: ClockSolution, t: int, regime: int = 0) -> float:
    """Extra surplus the round-``t`` proposer(s) would need to prefer an acceptable offer (0 if agreed).

    For each possible proposer: its best no-deal value minus what it keeps from the cheapest
    acceptable offer; averaged over the recognition probabilities. Surplus clocks only.
    """
    model, pol, c = solution.model, solution.policy, solution.compiled
    if model.grid is not None:
        raise InputError([Problem("<clock model>", None, "grid", "the offer gap is for surplus clocks")])
    total = 0.0
    for k in range(model.n):
        pk = c.recognition[t, k]
        if pk == 0 or pol.agree[0, t, regime, k]:
            continue
        keep = float(pol.deal[0, t, regime, k, k])
        total += pk * max(float(pol.nodeal[0, t, regime, k]) - keep, 0.0)
    return total


def smallest_change(
    model: ClockModel, party: str, lever: Lever, by: int, target: float = 0.5, steps: int = 41
) -> Change:
    """The least change of ``party``'s starting ``lever`` bringing P(agreement by round ``by``) >= target.

    ``lever`` "offer": the smallest extra surplus (see :func:`offer_gap`) over the rounds up to
    ``by`` (``new`` = that amount, ``old`` = 0).
    """
    i = model.party_index(party)
    by = min(by, model.horizon - 1)

    def prob(m: ClockModel) -> float:
        return float(solve(m).cumulative[by])

    if lever == "offer":
        sol = solve(model)
        p0 = float(sol.cumulative[by])
        if p0 >= target:
            return Change(party, lever, by, target, 0.0, 0.0, p0)
        gaps = [offer_gap(sol, t) for t in range(by + 1)]
        return Change(party, lever, by, target, 0.0, float(min(gaps)), p0)
    old = float(getattr(model.parties[i], lever))
    p_old = prob(model)
    if p_old >= target:
        return Change(party, lever, by, target, old, old, p_old)
    lo, hi = _RANGES[lever]
    grid = np.linspace(lo, hi, steps)
    hits = [
        (abs(x - old), float(x)) for x in grid if prob(model.with_party(i, **{lever: float(x)})) >= target
    ]
    if not hits:
        return Change(party, lever, by, target, old, None, p_old)
    _, good = min(hits)
    bad = old
    for _ in range(30):  # bisect between the present value (fails) and the nearest that works
        mid = (good + bad) / 2
        if prob(model.with_party(i, **{lever: mid})) >= target:
            good = mid
        else:
            bad = mid
    return Change(party, lever, by, target, old, good, prob(model.with_party(i, **{lever: good})))


def report_dates(model: ClockModel) -> list[tuple[str, dt.date]]:
    """The dates a clock reports on: its named ``dates``, else its deadline and each election."""
    if model.dates:
        return list(model.dates)
    out: list[tuple[str, dt.date]] = []
    if model.deadline_day is not None:
        out.append(("deadline", model.deadline_day))
    out += [(e.label or e.name, model.event_date(e)) for e in model.events if e.kind == "election"]
    return out


@dataclass(frozen=True)
class ClockAnalysis:
    """Everything the faces show about one clock: the point equilibrium, the value of waiting for
    each uncertain event (elections first), the deadline effect, and an optional Monte Carlo."""

    uclock: UncertainClock
    solution: ClockSolution
    waiting: tuple[WaitingValue, ...]
    deadline: DeadlineEffect | None
    monte_carlo: ClockMonteCarlo | None
    changes: tuple[Change, ...] = ()
    """Smallest changes bringing agreement by ``changes_by`` (see :func:`analyse`)."""

    @property
    def model(self) -> ClockModel:
        return self.solution.model


def analyse(
    uclock: UncertainClock | ClockModel,
    mc: int = 0,
    *,
    seed: int | None = 2019,
    workers: int | None = 1,
    progress: Progress | None = None,
    changes_by: dt.date | None = None,
) -> ClockAnalysis:
    """Solve the clock at its point values, value every uncertain event, measure the deadline effect
    and (``mc`` > 0) run ``mc`` Monte Carlo draws over its uncertain inputs.

    ``changes_by``: also find, for each party, the smallest change of its reservation value,
    patience and cost of delay (and the smallest extra surplus on offer) that makes agreement by
    that date at least as likely as not (about half a second per answer)."""
    uc = uclock if isinstance(uclock, UncertainClock) else UncertainClock(uclock)
    model = uc.base
    sol = solve(model)
    events = sorted(model.uncertain_events, key=lambda e: (e.kind != "election", e.round))
    waiting = tuple(value_of_waiting(model, e.name) for e in events)
    dl = deadline_effect(model) if model.deadline is not None else None
    days = [d for _, d in report_dates(model)]
    run = (
        run_clock_monte_carlo(uc, mc, dates=days, seed=seed, workers=workers, progress=progress)
        if mc > 0
        else None
    )
    found: list[Change] = []
    if changes_by is not None:
        by = sum(1 for t in range(model.horizon) if model.date_of(t) <= changes_by) - 1
        if by >= 0:
            for p in model.parties:
                for lever in ("reservation", "discount", "cost"):
                    found.append(smallest_change(model, p.name, lever, by, steps=21))
            found.append(smallest_change(model, model.parties[0].name, "offer", by))
    return ClockAnalysis(uc, sol, waiting, dl, run, tuple(found))


def agreement_probability(analysis: ClockAnalysis, day: dt.date) -> tuple[float, str]:
    """P(agreement in a round dated on or before ``day``) and where it comes from.

    With a Monte Carlo: the mean over the draws (the uncertainty integrated out), ``"monte carlo"``;
    otherwise the equilibrium at the central values, ``"central values"``. This is the number a dated
    yes/no question about agreement ("a deal by 31 December 2019?") takes from the clock.
    """
    m = analysis.model
    t = sum(1 for r in range(m.horizon) if m.date_of(r) <= day)
    mc = analysis.monte_carlo
    if mc is not None:
        return float(mc.p_agree[:, :t].sum(axis=1).mean()), "monte carlo"
    return float(analysis.solution.p_agree[:t].sum()), "central values"
