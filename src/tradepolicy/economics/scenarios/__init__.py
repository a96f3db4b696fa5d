"""Scenarios: the YAML schema and the pure evaluation dispatch to the PE / GE engines."""

from tradepolicy.economics.scenarios.evaluate import evaluate
from tradepolicy.economics.scenarios.result import Chart, ScenarioResult
from tradepolicy.economics.scenarios.schema import (
    SECTIONS,
    Scenario,
    Uncertainty,
    load_scenario_text,
    parse_scenario,
)

__all__ = ["SECTIONS", "Chart", "Scenario", "ScenarioResult", "Uncertainty", "evaluate",
           "load_scenario_text", "parse_scenario"]
