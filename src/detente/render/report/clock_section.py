"""The report's section on the negotiation clock: when agreement can come, what waiting is worth."""

from __future__ import annotations

from detente.clock.analysis import ClockAnalysis
from detente.render.clock_json import named_dates
from detente.render.clock_words import describe_clock
from detente.render.report.document import Figure, Section, Table


def clock_section(analysis: ClockAnalysis) -> Section:
    """Words (agreement, value of waiting per party, the deadline's effect), the probability of
    agreement by each named date, and the timeline chart with the deadline and elections marked."""
    from detente.clock.analysis import agreement_probability
    from detente.render.clock_plot import plot_clock
    from detente.render.conflict_plots import figure_svg

    rows = []
    for name, day in named_dates(analysis):
        p, how = agreement_probability(analysis, day)
        rows.append((day.isoformat(), name, f"{100 * p:.0f} %", how))
    table = Table(
        ("date", "what", "P(agreement)", "from"),
        tuple(rows),
        "Probability of agreement by each date the clock names",
    )
    figure = Figure(
        figure_svg(plot_clock(analysis)),
        "Probability of agreement over time (the deadline and the elections marked), equilibrium terms.",
    )
    return Section("clock", "The negotiation clock", tuple(describe_clock(analysis)), (table,), (figure,))
