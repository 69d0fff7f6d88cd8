"""Scenarios: one snapshot of a conflict with actors, graph model, perceptions, issues and interventions."""

from detente.scenario.load import (
    CompiledPerception,
    Scenario,
    builtin_scenario,
    load_scenario,
    parse_scenario,
    verify_quotes,
)
from detente.scenario.spec import ScenarioSpec

__all__ = [
    "CompiledPerception",
    "Scenario",
    "ScenarioSpec",
    "builtin_scenario",
    "load_scenario",
    "parse_scenario",
    "verify_quotes",
]
