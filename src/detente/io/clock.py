"""The clock file format: a dated negotiation, as YAML, standalone or as a scenario's ``clock:`` section.

::

    name: North Korea–US clock
    start: 2019-10-09          # the date of round 0
    period_months: 1           # one round a month
    end: 2025-01-20            # rounds run while their date is before this (or: rounds: 60)
    protocol: alternating      # alternating | fixed | random
    first: US                  # who proposes first (alternating) or always (fixed)
    issue:
      low_label: CVID first, no sanctions relief
      high_label: sanctions relief for Yongbyon alone
    parties:
      - name: NK               # party 0: position 100 on the scale = everything to NK
        discount: {value: 0.99, low: 0.97, high: 0.999, evidence: [...]}
        reservation: 0.5
      - name: US
        discount: 0.97
        cost: 0.002
        reservation: 0.45
    breakdown: 0.01            # chance per round that talks collapse after a rejection
    deadline:
      date: 2019-12-31
      ends_talks: false        # false: only marks it; its changed game is in `changes`
      changes: [{party: US, cost: 0.004}]
    events:
      - name: election_2020
        kind: election
        date: 2020-11-03
        probability: {value: 0.5, low: 0.3, high: 0.7}
        changes: [{party: US, discount: 0.98, cost: 0, reservation: 0.55}]
    war:                       # optional, two parties: outside options (Fearon 1995)
      p: 0.3                   # party 0's chance of winning
      costs: [0.1, 0.2]
    dates:                     # the dates to report the probability of agreement by
      - {name: deadline, date: 2019-12-31}

Every number may be a plain number or an uncertain value ``{value, low, high, dist, sd,
evidence}`` (:class:`detente.io.forecast_spec.UncertainValue`); parties, events, the deadline and the
clock itself carry ``evidence`` lists (an exact quote and its source, or a note starting
``assumption:``). :func:`load_clock` reads a file (a scenario's ``clock:`` section when the file
has one); :func:`compile_clock` checks ranges and cross-references, every problem reported as
``file:line: [field] message``, and builds the engine's
:class:`~detente.clock.montecarlo.UncertainClock`.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from detente.clock.model import ClockModel, Event, OfferGrid, Party, Patch, War, add_months, with_war
from detente.clock.montecarlo import Target, UncertainClock, UncertainParam
from detente.errors import InputError, Problem
from detente.io.evidence import EvidenceList
from detente.io.forecast_spec import Number, UncertainValue
from detente.io.packaged import builtin_yaml
from detente.io.yamlio import LineMap, load_yaml, validate_model

Loc = tuple[str | int, ...]
MAX_ROUNDS = 600
MAX_GRID = 1001


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Base):
    """A document the clock quotes (its evidence names it by ``file``)."""

    file: str = Field(min_length=1)
    title: str = ""
    date: str = ""
    url: str = ""


class IssueSpec(_Base):
    """The 0-100 scale the parties divide: position 100 gives everything to the first party.

    ``points`` None: any division of the surplus (each party's utility is its share). ``points``
    given (two parties): only that many equally spaced positions can be offered, and each party's
    utility is ``1 - (|x - ideal| / 100) ** power`` (power 1: linear, 2: quadratic loss).
    """

    low_label: str = ""
    high_label: str = ""
    points: int | None = Field(None, ge=2, le=MAX_GRID)
    power: float = Field(1.0, gt=0)
    evidence: EvidenceList = []


class PartySpec(_Base):
    """One party: patience, cost of delay, reservation value, outside option, recognition."""

    name: str = Field(min_length=1)
    label: str = ""
    discount: Number = Field(
        default_factory=lambda: UncertainValue(value=1.0),
        description="Discount factor per period, in (0, 1]: the weight of next period's payoff.",
    )
    cost: Number = Field(
        default_factory=lambda: UncertainValue(value=0.0), description="Cost of one period's delay (>= 0)."
    )
    reservation: Number = Field(
        default_factory=lambda: UncertainValue(value=0.0),
        description="Value of the status quo (no deal), in units of the surplus.",
    )
    outside_option: Number | None = Field(
        None, description="Value of walking out (two parties, both or none)."
    )
    recognition: Number | None = Field(None, description="Chance of proposing under random recognition.")
    ideal: float | None = Field(None, ge=0, le=100, description="Ideal point on a grid scale.")
    evidence: EvidenceList = []


class ChangeSpec(_Base):
    """New values for one party's parameters from an event's date on."""

    party: str = Field(min_length=1)
    discount: Number | None = None
    cost: Number | None = None
    reservation: Number | None = None
    outside_option: Number | None = None
    evidence: EvidenceList = []


class EventSpec(_Base):
    """A scheduled chance event: on ``date``, with ``probability``, the ``changes`` apply."""

    name: str = Field(min_length=1)
    label: str = ""
    kind: Literal["election", "shift", "event"] = "event"
    date: dt.date
    probability: Number = Field(default_factory=lambda: UncertainValue(value=1.0))
    changes: list[ChangeSpec] = []
    evidence: EvidenceList = []


class DeadlineSpec(_Base):
    """A hard deadline: the talks end there (``ends_talks``) or the game changes (``changes``)."""

    date: dt.date
    label: str = ""
    ends_talks: bool = True
    changes: list[ChangeSpec] = []
    evidence: EvidenceList = []


class ShiftSpec(_Base):
    """A shift of power (Powell 2006): the first party's win probability moves to ``to`` by ``until``."""

    to: Number
    start: dt.date | None = None
    until: dt.date
    evidence: EvidenceList = []


class WarSpec(_Base):
    """Outside options as the value of war (Fearon 1995): party 0 wins with ``p``; ``costs`` per party."""

    p: Number
    costs: list[Number] = Field(min_length=2, max_length=2)
    shift: ShiftSpec | None = None
    evidence: EvidenceList = []


class NamedDate(_Base):
    name: str = Field(min_length=1)
    date: dt.date


class ClockSpec(_Base):
    """A negotiation clock (see the module docstring for an example and every field)."""

    name: str = "clock"
    description: str = ""
    sources: list[SourceRef] = []
    start: dt.date
    period_months: int = Field(1, ge=1, le=120)
    end: dt.date | None = None
    rounds: int | None = Field(None, ge=1, le=MAX_ROUNDS)
    protocol: Literal["alternating", "fixed", "random"] = "alternating"
    first: str | None = None
    quota: int | None = Field(None, ge=1)
    issue: IssueSpec = IssueSpec()
    parties: list[PartySpec] = Field(min_length=2)
    breakdown: Number = Field(default_factory=lambda: UncertainValue(value=0.0))
    deadline: DeadlineSpec | None = None
    events: list[EventSpec] = []
    war: WarSpec | None = None
    dates: list[NamedDate] = []
    evidence: EvidenceList = []


# -- compiling ------------------------------------------------------------------------------------
_BOUNDS: dict[str, tuple[float, float, bool]] = {
    # name: (low, high, low end open)
    "discount": (0.0, 1.0, True),
    "cost": (0.0, math.inf, False),
    "reservation": (-math.inf, math.inf, False),
    "outside_option": (-math.inf, math.inf, False),
    "recognition": (0.0, 1.0, False),
    "probability": (0.0, 1.0, False),
    "breakdown": (0.0, 1.0, False),
    "p": (0.0, 1.0, False),
    "to": (0.0, 1.0, False),
    "cost0": (0.0, math.inf, False),
}


class _Compiler:
    def __init__(self, lines: LineMap, prefix: Loc) -> None:
        self.lines = lines
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.inputs: list[UncertainParam] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(self.lines.problem((*self.prefix, *loc), message))

    def num(self, v: UncertainValue, kind: str, label: str, target: Target, loc: Loc) -> float:
        lo, hi, open_low = _BOUNDS[kind]
        ends = [x for x in (v.value, v.low, v.high) if x is not None]
        for x in ends:
            if not math.isfinite(x) or x > hi or x < lo or (open_low and x <= lo):
                left = "(" if open_low else "["
                self.add(loc, f"{kind.replace('_', ' ')} {x:g} lies outside {left}{lo:g}, {hi:g}]")
                return math.nan
        if v.kind != "point":
            self.inputs.append(UncertainParam(label, target, v.kind, v.value, v.low, v.high, v.sd))
        return v.value


def _round_of(start: dt.date, period: int, rounds: int, day: dt.date) -> int:
    """The first round dated on or after ``day`` (``rounds`` if none is)."""
    for t in range(rounds + 1):
        if add_months(start, t * period) >= day:
            return t
    return rounds


def compile_clock(spec: ClockSpec, lines: LineMap | None = None, prefix: Loc = ()) -> UncertainClock:
    """Check ranges and cross-references and build the engine's clock (InputError listing every problem)."""
    c = _Compiler(lines or LineMap("<clock>"), prefix)
    names = [p.name for p in spec.parties]
    n = len(names)
    for i, name in enumerate(names):
        if name in names[:i]:
            c.add(("parties", i, "name"), f"duplicate party {name!r}")
    # rounds
    if spec.rounds is None and spec.end is None:
        c.add((), "give the clock's `end` date or its number of `rounds`")
        rounds = 1
    elif spec.rounds is not None and spec.end is not None:
        c.add(("rounds",), "give `end` or `rounds`, not both")
        rounds = spec.rounds
    elif spec.rounds is not None:
        rounds = spec.rounds
    else:
        assert spec.end is not None
        if spec.end <= spec.start:
            c.add(("end",), f"the end ({spec.end}) must come after the start ({spec.start})")
        rounds = max(1, _round_of(spec.start, spec.period_months, MAX_ROUNDS + 1, spec.end))
        if rounds > MAX_ROUNDS:
            c.add(("end",), f"more than {MAX_ROUNDS} rounds; use a longer period or an earlier end")
            rounds = MAX_ROUNDS
    first = 0
    if spec.first is not None:
        if spec.first in names:
            first = names.index(spec.first)
        else:
            c.add(("first",), f"unknown party {spec.first!r} (known: {', '.join(names)})")
    if spec.quota is not None and spec.quota > n:
        c.add(("quota",), f"the quota ({spec.quota}) exceeds the number of parties ({n})")
    # parties
    parties: list[Party] = []
    has_out = [p.outside_option is not None for p in spec.parties]
    if any(has_out) and (n != 2 or not all(has_out)):
        c.add(("parties",), "outside options are for two-party clocks and must be given for both parties")
    if spec.war is not None and (n != 2 or any(has_out)):
        c.add(("war",), "a war block needs exactly two parties and no outside_option of their own")
    for i, p in enumerate(spec.parties):
        at: Loc = ("parties", i)
        vals: dict[str, float | None] = {}
        for f in ("discount", "cost", "reservation", "outside_option", "recognition"):
            v = getattr(p, f)
            vals[f] = None if v is None else c.num(v, f, f"{p.name}.{f}", ("party", i, f), (*at, f))
        parties.append(
            Party(
                p.name,
                vals["discount"] or 1.0,
                vals["cost"] or 0.0,
                vals["reservation"] or 0.0,
                vals["outside_option"],
                vals["recognition"],
            )
        )
    for i, p in enumerate(spec.parties):
        if p.recognition is not None and p.recognition.kind != "point":
            c.add(
                ("parties", i, "recognition"),
                "a recognition chance must be a plain number (it cannot be uncertain)",
            )
    c.inputs = [u for u in c.inputs if u.target[-1] != "recognition"]
    if spec.protocol == "random" and any(p.recognition is not None for p in spec.parties):
        total = sum(p.recognition.value for p in spec.parties if p.recognition is not None)
        if any(p.recognition is None for p in spec.parties) or abs(total - 1) > 1e-9:
            c.add(
                ("parties",),
                f"give every party a recognition chance, adding up to 1 (they add up to {total:g})",
            )
    # issue
    grid = None
    if spec.issue.points is not None:
        if n != 2:
            c.add(("issue", "points"), "an offer grid is for two-party clocks")
        ideals = [p.ideal for p in spec.parties]
        for i, x in enumerate(ideals):
            if x is None:
                c.add(("parties", i, "ideal"), "a grid issue needs every party's ideal point")
        if n == 2 and all(x is not None for x in ideals):
            g = spec.issue.points
            pos = tuple(100 * k / (g - 1) for k in range(g))
            util = tuple(
                tuple(1 - (abs(x - float(ideal or 0)) / 100) ** spec.issue.power for x in pos)
                for ideal in ideals
            )
            grid = OfferGrid(pos, util)
    # events, deadline
    events: list[Event] = []
    index = {name: i for i, name in enumerate(names)}

    def changes(items: list[ChangeSpec], k: int, at: Loc) -> tuple[Patch, ...]:
        out = []
        for j, ch in enumerate(items):
            if ch.party not in index:
                c.add((*at, j, "party"), f"unknown party {ch.party!r} (known: {', '.join(names)})")
                continue
            vals: dict[str, float | None] = {}
            for f in ("discount", "cost", "reservation", "outside_option"):
                v = getattr(ch, f)
                label = f"{at[0]}.{ch.party}.{f}" if k < 0 else f"{spec.events[k].name}.{ch.party}.{f}"
                target: Target = ("patch", len(events), j, f)
                vals[f] = None if v is None else c.num(v, f, label, target, (*at, j, f))
            if vals["outside_option"] is not None and not any(has_out) and spec.war is None:
                c.add((*at, j, "outside_option"), "the clock has no outside options to change")
            out.append(
                Patch(
                    index[ch.party],
                    vals["discount"],
                    vals["cost"],
                    vals["reservation"],
                    vals["outside_option"],
                )
            )
        return tuple(out)

    enames = [e.name for e in spec.events]
    for k, e in enumerate(spec.events):
        at = ("events", k)
        if e.name in enames[:k] or e.name == "deadline":
            c.add((*at, "name"), f"duplicate or reserved event name {e.name!r}")
        if e.date < spec.start:
            c.add((*at, "date"), f"the event ({e.date}) comes before the clock starts ({spec.start})")
        prob = c.num(
            e.probability,
            "probability",
            f"{e.name}.probability",
            ("event", len(events), "probability"),
            (*at, "probability"),
        )
        if e.probability.kind != "point" and not 0 < e.probability.value < 1:
            c.add(
                (*at, "probability"),
                "an uncertain probability needs a central value strictly between 0 and 1",
            )
        patches = changes(e.changes, k, (*at, "changes"))
        rnd = _round_of(spec.start, spec.period_months, rounds, e.date)
        events.append(Event(e.name, rnd, prob, patches, e.label or e.name, e.kind, e.date))
    deadline = None
    ends = True
    if spec.deadline is not None:
        d = spec.deadline
        deadline = _round_of(spec.start, spec.period_months, rounds, d.date)
        ends = d.ends_talks
        if deadline < 1:
            c.add(
                ("deadline", "date"),
                f"the deadline ({d.date}) must come after the first round ({spec.start})",
            )
        if d.ends_talks and d.changes:
            c.add(("deadline", "changes"), "a deadline that ends the talks changes nothing after it")
        patches = changes(d.changes, -1, ("deadline", "changes"))
        if patches:
            events.append(
                Event("deadline", deadline, 1.0, patches, d.label or "deadline", "deadline", d.date)
            )
    brk = c.num(spec.breakdown, "breakdown", "breakdown", ("breakdown",), ("breakdown",))
    war = None
    if spec.war is not None:
        w = spec.war
        pw = c.num(w.p, "p", "war.p", ("war", "p"), ("war", "p"))
        c0 = c.num(w.costs[0], "cost0", "war.cost0", ("war", "cost0"), ("war", "costs", 0))
        c1 = c.num(w.costs[1], "cost0", "war.cost1", ("war", "cost1"), ("war", "costs", 1))
        war = War(pw, c0, c1)
        if w.shift is not None:
            s = w.shift
            p_end = c.num(s.to, "to", "war.p_end", ("war", "p_end"), ("war", "shift", "to"))
            t0 = 0 if s.start is None else _round_of(spec.start, spec.period_months, rounds, s.start)
            t1 = _round_of(spec.start, spec.period_months, rounds, s.until)
            if t1 <= t0:
                c.add(("war", "shift", "until"), "the shift must end after it starts")
            war = War(pw, c0, c1, p_end, t0, t1)
    named = tuple((d.name, d.date) for d in spec.dates)
    if c.problems:
        raise InputError(c.problems)
    try:
        model = ClockModel(
            parties=tuple(parties),
            rounds=rounds,
            start=spec.start,
            period_months=spec.period_months,
            protocol=spec.protocol,
            first=first,
            quota=spec.quota,
            breakdown=(brk,),
            events=tuple(events),
            deadline=deadline,
            deadline_ends=ends,
            grid=grid,
            name=spec.name,
            scale=(spec.issue.low_label, spec.issue.high_label),
            dates=named,
            deadline_date=None if spec.deadline is None else spec.deadline.date,
        )
        if war is not None:
            model = with_war(model, war)
    except InputError as exc:  # the engine's own checks: keep their field, point at the clock
        raise InputError([c.lines.problem(prefix, f"[{p.field}] {p.message}") for p in exc.problems]) from exc
    return UncertainClock(model, tuple(c.inputs), war)


class _InScenario(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    clock: ClockSpec


def _quotes(data: Any, loc: Loc = ()) -> list[tuple[Loc, Any]]:
    """(location, source) of every quote in raw clock data."""
    out: list[tuple[Loc, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "evidence" and isinstance(value, list):
                out += [
                    ((*loc, key, k, "source"), e.get("source"))
                    for k, e in enumerate(value)
                    if isinstance(e, dict) and e.get("quote")
                ]
            else:
                out += _quotes(value, (*loc, key))
    elif isinstance(data, list):
        for k, item in enumerate(data):
            out += _quotes(item, (*loc, k))
    return out


def _check_sources(spec: ClockSpec, raw: Any, lines: LineMap, prefix: Loc) -> None:
    """When the clock lists its ``sources``, every quote must name one of them."""
    if not spec.sources:
        return
    known = {src.file for src in spec.sources}
    problems = [
        lines.problem((*prefix, *loc), f"source {source!r} is not listed in sources")
        for loc, source in _quotes(raw)
        if source not in known
    ]
    if problems:
        raise InputError(problems)


def compile_checked(spec: ClockSpec, raw: Any, lines: LineMap, prefix: Loc = ()) -> UncertainClock:
    """A validated clock (``raw``: its parsed YAML, at ``prefix``), its quote sources checked, compiled."""
    _check_sources(spec, raw, lines, prefix)
    return compile_clock(spec, lines, prefix)


def parse_clock(data: Any, lines: LineMap) -> UncertainClock:
    """Validate parsed YAML: a clock mapping, or a scenario holding one under ``clock:``."""
    if isinstance(data, dict) and "clock" in data:
        wrapped = validate_model(_InScenario, data, lines)
        return compile_checked(wrapped.clock, data["clock"], lines, ("clock",))
    return compile_checked(validate_model(ClockSpec, data, lines), data, lines)


def load_clock(path: str | Path) -> UncertainClock:
    """Read, validate and compile a clock file (standalone, or a scenario's ``clock:`` section).

    ``load_clock(path).base`` is the point model (:class:`~detente.clock.model.ClockModel`).
    """
    data, lines = load_yaml(path)
    return parse_clock(data, lines)


def builtin_clock(name: str) -> Path:
    """The built-in scenario whose ``clock:`` section is the clock ``name`` (e.g. ``dprk_us_2019_10``)."""
    return builtin_yaml("scenarios", name, "scenario")
