"""Report tests. ``SCENARIO_SECTIONS``: the sections of a built-in scenario's report, in reading order."""

SCENARIO_SECTIONS = [
    *("brief", "actors", "options", "stability", "paths", "hypergame", "forecast", "clock"),
    *("interventions", "judged", "timeline", "glossary", "evidence", "provenance"),
]
