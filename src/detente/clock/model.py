"""The negotiation clock as an immutable, engine-native model.

A clock is a bargaining game played over dated rounds (Rubinstein 1982, "Perfect equilibrium in a
bargaining model", *Econometrica* 50(1); Osborne & Rubinstein 1990, *Bargaining and Markets*, ch. 3-4):

* ``parties``: two or more. Each has a discount factor per period ``discount`` (delta), a cost of
  delay per period ``cost`` (subtracted on every rejection), a ``reservation`` value (the value of
  the status quo, kept as a flow ``(1 - delta) r`` per period while talks go on and for good when
  they end without a deal: by breakdown or at a deadline that ends them; an inside option in
  Muthoo's 1999 terms) and, in two-party clocks, an ``outside_option`` (the value of confrontation,
  e.g. Fearon's 1995 war payoff p - c_A, 1 - p - c_B; any party may walk out and then every party
  gets its outside option).
* the issue: a surplus of 1 divided among the parties (``grid`` None: any division, exact), or, for
  two parties, a grid of ``G`` offers on a 0-100 scale with each party's utility at each point.
* ``rounds`` dated rounds from ``start``, one every ``period_months``; who proposes: ``alternating``
  (from ``first``), ``fixed`` (always ``first``) or ``random`` recognition with probabilities
  ``recognition`` (Baron & Ferejohn 1989, "Bargaining in legislatures", *APSR* 83(4)); an offer
  passes with ``quota`` votes including the proposer's (the closed rule; unanimity by default).
* ``breakdown[t]``: the chance that talks break down after a rejection in round ``t`` (Binmore,
  Rubinstein & Wolinsky 1986, *RAND J. Econ.* 17(2)); everyone then gets its reservation value.
* ``events``: scheduled changes. An event in round ``t`` happens with ``probability`` (a chance
  node at the start of round ``t``) and then replaces some parties' parameters from round ``t`` on
  (an election replacing a president; probability 1 for a sure change, such as a deadline's
  changed game or a shift of power, Powell 2006, "War as a commitment problem", *IO* 60(1)).
* ``deadline``: a round index; if ``deadline_ends`` the talks end there with every party at its
  reservation value (the status quo), otherwise it is only marked (its changed game is an event).

The module holds data and checks only; :mod:`detente.clock.fast` (vectorised floats),
:mod:`detente.clock.exact` (rational arithmetic) and :mod:`detente.clock.reference` (the brute
game tree) solve it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal

from detente.errors import InputError, Problem

Num = float | Fraction
Protocol = Literal["alternating", "fixed", "random"]
PARAMS = ("discount", "cost", "reservation", "outside_option")
"""The party parameters an event can change."""

MAX_REGIMES = 2**12
"""At most 12 uncertain events (each doubles the chance-node branches)."""


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (the day clipped to the month's length)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Party:
    """One party (or bloc) and its parameters at the start of the clock."""

    name: str
    discount: Num = 1.0
    cost: Num = 0.0
    reservation: Num = 0.0
    outside_option: Num | None = None
    recognition: Num | None = None


@dataclass(frozen=True)
class Patch:
    """New values for some of one party's parameters (None: unchanged)."""

    party: int
    discount: Num | None = None
    cost: Num | None = None
    reservation: Num | None = None
    outside_option: Num | None = None

    def values(self) -> dict[str, Num]:
        return {k: v for k in PARAMS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class Event:
    """A chance event at the start of round ``round``: with ``probability`` the patches apply from then on."""

    name: str
    round: int
    probability: Num
    patches: tuple[Patch, ...]
    label: str = ""
    kind: str = "event"
    """``election``, ``deadline``, ``shift`` or ``event``: for reports only."""
    date: dt.date | None = None
    """The event's own date (it takes effect in the first round on or after it); for reports."""


@dataclass(frozen=True)
class OfferGrid:
    """Two-party offers: ``positions[g]`` on the 0-100 scale, ``utility[i][g]`` party i's utility there."""

    positions: tuple[Num, ...]
    utility: tuple[tuple[Num, ...], ...]


@dataclass(frozen=True)
class ClockModel:
    """A dated bargaining game (see the module docstring for every field's meaning)."""

    parties: tuple[Party, ...]
    rounds: int
    start: dt.date = dt.date(2000, 1, 1)
    period_months: int = 1
    protocol: Protocol = "alternating"
    first: int = 0
    quota: int | None = None
    breakdown: tuple[Num, ...] = ()
    events: tuple[Event, ...] = ()
    deadline: int | None = None
    deadline_ends: bool = True
    grid: OfferGrid | None = None
    name: str = "clock"
    scale: tuple[str, str] = ("", "")
    """Labels of the two ends of the 0-100 scale (position 100 = all the surplus to party 0)."""
    dates: tuple[tuple[str, dt.date], ...] = field(default=())
    """Named dates the reports give the probability of agreement by (e.g. the deadline, an election)."""
    deadline_date: dt.date | None = None
    """The deadline's own date (round ``deadline`` is the first on or after it); for reports."""

    def __post_init__(self) -> None:
        problems = list(_check(self))
        if problems:
            raise InputError([Problem("<clock model>", None, f, m) for f, m in problems])

    # -- derived -----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.parties)

    @property
    def votes_needed(self) -> int:
        return self.n if self.quota is None else self.quota

    @property
    def horizon(self) -> int:
        """Rounds actually played: up to the deadline when it ends the talks, else all of them."""
        if self.deadline is not None and self.deadline_ends:
            return min(self.deadline, self.rounds)
        return self.rounds

    def date_of(self, t: int) -> dt.date:
        """The date of round ``t`` (round ``horizon`` is the end of the clock)."""
        return add_months(self.start, t * self.period_months)

    def round_of(self, day: dt.date) -> int:
        """The first round on or after ``day`` (``rounds`` when none is)."""
        for t in range(self.rounds + 1):
            if self.date_of(t) >= day:
                return t
        return self.rounds

    def event_date(self, e: Event) -> dt.date:
        """An event's own date, or its round's when it has none."""
        return e.date if e.date is not None else self.date_of(e.round)

    @property
    def deadline_day(self) -> dt.date | None:
        if self.deadline is None:
            return None
        return self.deadline_date if self.deadline_date is not None else self.date_of(self.deadline)

    def breakdown_at(self, t: int) -> Num:
        if not self.breakdown:
            return 0.0
        return self.breakdown[t] if t < len(self.breakdown) else self.breakdown[-1]

    def recognition_at(self, t: int) -> tuple[Num, ...]:
        """Probability that each party proposes in round ``t``."""
        if self.protocol == "fixed":
            return tuple(1 if i == self.first else 0 for i in range(self.n))
        if self.protocol == "alternating":
            k = (self.first + t) % self.n
            return tuple(1 if i == k else 0 for i in range(self.n))
        rec = [p.recognition for p in self.parties]
        if all(r is None for r in rec):
            return tuple(Fraction(1, self.n) if _exact(self) else 1.0 / self.n for _ in range(self.n))
        return tuple(0 if r is None else r for r in rec)

    @property
    def uncertain_events(self) -> tuple[Event, ...]:
        """Events that may or may not happen (0 < probability < 1), in order: one bit each in a regime."""
        return tuple(e for e in self.events if 0 < e.probability < 1 and e.round < self.horizon)

    def without_event(self, name: str) -> ClockModel:
        """The same clock with event ``name`` removed (nothing changes at its date)."""
        if name not in {e.name for e in self.events}:
            raise InputError([Problem("<clock model>", None, "events", f"no event named {name!r}")])
        return replace(self, events=tuple(e for e in self.events if e.name != name))

    def with_party(self, i: int, **changes: Num | None) -> ClockModel:
        """The same clock with party ``i``'s starting parameters changed."""
        parties = list(self.parties)
        parties[i] = replace(parties[i], **changes)  # type: ignore[arg-type]
        return replace(self, parties=tuple(parties))

    def party_index(self, name: str) -> int:
        for i, p in enumerate(self.parties):
            if p.name == name:
                return i
        raise InputError([Problem("<clock model>", None, "parties", f"no party named {name!r}")])

    def event(self, name: str) -> Event:
        for e in self.events:
            if e.name == name:
                return e
        raise InputError([Problem("<clock model>", None, "events", f"no event named {name!r}")])


def _exact(model: ClockModel) -> bool:
    return all(isinstance(p.discount, Fraction) for p in model.parties)


def _check(m: ClockModel) -> Sequence[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    n = len(m.parties)
    if n < 2:
        out.append(("parties", "a clock needs at least two parties"))
        return out
    if len({p.name for p in m.parties}) != n:
        out.append(("parties", "party names must be distinct"))
    if m.rounds < 1:
        out.append(("rounds", "at least one round"))
    if m.period_months < 1:
        out.append(("period_months", "the period must be at least one month"))
    if not 0 <= m.first < n:
        out.append(("first", f"first proposer must be a party index 0..{n - 1}"))
    if m.quota is not None and not 1 <= m.quota <= n:
        out.append(("quota", f"the quota must lie in 1..{n}"))
    for i, p in enumerate(m.parties):
        if not 0 < p.discount <= 1:
            out.append((f"parties[{i}].discount", "a discount factor lies in (0, 1]"))
        if p.cost < 0:
            out.append((f"parties[{i}].cost", "a cost of delay cannot be negative"))
        if p.recognition is not None and not 0 <= p.recognition <= 1:
            out.append((f"parties[{i}].recognition", "a probability lies in [0, 1]"))
    if m.protocol == "random":
        rec = [p.recognition for p in m.parties]
        if any(r is not None for r in rec) and abs(float(sum(r or 0 for r in rec)) - 1) > 1e-9:
            out.append(("parties", "recognition probabilities must sum to 1"))
    has_out = [p.outside_option is not None for p in m.parties]
    if any(has_out) and (n != 2 or not all(has_out)):
        out.append(("parties", "outside options are for two-party clocks and must be given for both"))
    for t, b in enumerate(m.breakdown):
        if not 0 <= b <= 1:
            out.append((f"breakdown[{t}]", "a probability lies in [0, 1]"))
    for k, e in enumerate(m.events):
        if not 0 <= e.probability <= 1:
            out.append((f"events[{k}].probability", "a probability lies in [0, 1]"))
        if e.round < 0:
            out.append((f"events[{k}].round", "an event cannot come before the first round"))
        for j, patch in enumerate(e.patches):
            if not 0 <= patch.party < n:
                out.append((f"events[{k}].patches[{j}].party", "no such party"))
            if patch.discount is not None and not 0 < patch.discount <= 1:
                out.append((f"events[{k}].patches[{j}].discount", "a discount factor lies in (0, 1]"))
            if patch.cost is not None and patch.cost < 0:
                out.append((f"events[{k}].patches[{j}].cost", "a cost of delay cannot be negative"))
            if patch.outside_option is not None and not all(has_out):
                out.append((f"events[{k}].patches[{j}].outside_option", "the clock has no outside options"))
    if len({e.name for e in m.events}) != len(m.events):
        out.append(("events", "event names must be distinct"))
    if sum(1 for e in m.events if 0 < e.probability < 1) > 12:
        out.append(("events", "at most 12 uncertain events (each doubles the work)"))
    if m.deadline is not None and m.deadline < 1:
        out.append(("deadline", "the deadline must come after the first round"))
    if m.grid is not None:
        g = m.grid
        if n != 2:
            out.append(("grid", "an offer grid is for two-party clocks"))
        if len(g.positions) < 2 or len(g.utility) != n or any(len(u) != len(g.positions) for u in g.utility):
            out.append(("grid", "a grid needs at least two points and one utility per party and point"))
        if m.quota is not None and m.quota != n:
            out.append(("quota", "a two-party grid clock needs both parties' agreement"))
    return out


@dataclass(frozen=True)
class War:
    """Outside options as the value of fighting (Fearon 1995, "Rationalist explanations for war",
    *International Organization* 49(3)): party 0 wins with probability ``p`` and the war costs the
    parties ``cost0`` and ``cost1`` (in units of the surplus), so walking out is worth ``p - cost0``
    to party 0 and ``1 - p - cost1`` to party 1; every division of the surplus that gives party 0 a
    share in ``[p - cost0, p + cost1]`` is better for both than war (the bargaining range).

    A shift of power (Powell 2006, "War as a commitment problem", *IO* 60(1)): ``p`` moves in equal
    monthly steps from its value in round ``shift_from`` to ``p_end`` in round ``shift_until``.
    """

    p: Num
    cost0: Num
    cost1: Num
    p_end: Num | None = None
    shift_from: int = 0
    shift_until: int = 0

    def p_at(self, t: int) -> Num:
        if self.p_end is None or t <= self.shift_from:
            return self.p
        if t >= self.shift_until or self.shift_until <= self.shift_from:
            return self.p_end
        frac = (t - self.shift_from) / (self.shift_until - self.shift_from)
        return self.p + (self.p_end - self.p) * frac

    @property
    def bargaining_range(self) -> tuple[Num, Num]:
        """Party 0's shares both prefer to war: ``[p - cost0, p + cost1]`` (Fearon 1995)."""
        return (self.p - self.cost0, self.p + self.cost1)


def with_war(model: ClockModel, war: War) -> ClockModel:
    """``model`` with outside options from ``war`` (and one sure 'shift' event per round of a power shift)."""
    p0 = war.p_at(0)
    parties = (
        replace(model.parties[0], outside_option=p0 - war.cost0),
        replace(model.parties[1], outside_option=1 - p0 - war.cost1),
        *model.parties[2:],
    )
    events = tuple(e for e in model.events if e.kind != "shift")
    if war.p_end is not None:
        for t in range(1, model.rounds):
            p = war.p_at(t)
            if p == war.p_at(t - 1):
                continue
            patches = (Patch(0, outside_option=p - war.cost0), Patch(1, outside_option=1 - p - war.cost1))
            events += (Event(f"power_shift_{t}", t, 1, patches, "shift of power", "shift"),)
    return replace(model, parties=parties, events=events)
