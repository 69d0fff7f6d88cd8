"""Hypothesis strategies for small random clocks (rational parameters, so exact ties are exact)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from detente.clock.model import ClockModel, Event, OfferGrid, Party, Patch, Protocol

tenth = st.integers(0, 10).map(lambda k: Fraction(k, 10))
discount = st.integers(1, 10).map(lambda k: Fraction(k, 10))
quarter = st.integers(0, 4).map(lambda k: Fraction(k, 4))


@st.composite
def grid_clocks(draw: st.DrawFn, max_rounds: int = 4) -> ClockModel:
    """Two-party grid clocks: random utilities, protocol, breakdown, outside options and events."""
    G = draw(st.integers(2, 5))
    T = draw(st.integers(1, max_rounds))
    util = tuple(tuple(draw(tenth) for _ in range(G)) for _ in range(2))
    has_out = draw(st.booleans())
    parties = tuple(
        Party(
            name,
            draw(discount),
            draw(st.integers(0, 2).map(lambda k: Fraction(k, 10))),
            draw(tenth) - Fraction(1, 5),
            draw(tenth) if has_out else None,
        )
        for name in "AB"
    )
    events = []
    for k in range(draw(st.integers(0, 2))):
        patch = Patch(
            draw(st.integers(0, 1)),
            discount=draw(st.none() | discount),
            reservation=draw(st.none() | tenth),
            outside_option=draw(tenth) if has_out and draw(st.booleans()) else None,
        )
        events.append(Event(f"e{k}", draw(st.integers(0, T)), draw(quarter), (patch,)))
    return ClockModel(
        parties,
        rounds=T,
        protocol=draw(st.sampled_from(["alternating", "fixed", "random"])),
        first=draw(st.integers(0, 1)),
        breakdown=tuple(draw(quarter) for _ in range(T)),
        events=tuple(events),
        grid=OfferGrid(tuple(Fraction(100 * g, G - 1) for g in range(G)), util),
    )


@st.composite
def surplus_clocks(draw: st.DrawFn, max_rounds: int = 6) -> ClockModel:
    """Surplus clocks with 2-4 parties (outside options only with two), random protocol and events."""
    n = draw(st.integers(2, 4))
    T = draw(st.integers(1, max_rounds))
    has_out = n == 2 and draw(st.booleans())
    parties = tuple(
        Party(
            f"P{i}",
            draw(discount),
            draw(st.integers(0, 2).map(lambda k: Fraction(k, 20))),
            draw(tenth) / 2,
            draw(tenth) / 2 if has_out else None,
        )
        for i in range(n)
    )
    events = []
    for k in range(draw(st.integers(0, 2))):
        patch = Patch(
            draw(st.integers(0, n - 1)), discount=draw(st.none() | discount), reservation=draw(tenth) / 2
        )
        events.append(Event(f"e{k}", draw(st.integers(0, T)), draw(quarter), (patch,)))
    protocol: Protocol = draw(st.sampled_from(["alternating", "fixed", "random"]))
    return ClockModel(
        parties,
        rounds=T,
        protocol=protocol,
        first=draw(st.integers(0, n - 1)),
        quota=draw(st.integers(1, n)) if n > 2 else None,
        breakdown=tuple(draw(quarter) for _ in range(T)),
        events=tuple(events),
    )
