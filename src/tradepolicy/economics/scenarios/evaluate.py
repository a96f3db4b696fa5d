"""Pure evaluation of a scenario: dispatch to the PE or GE engine on frames the service loaded.

``evaluate(scenario, inputs)`` takes the parsed :class:`Scenario` and ``inputs``, a mapping
of named frames (and a ``unit`` string) prepared by ``services.scenarios`` from the dataset
registry, and returns a :class:`ScenarioResult`. Nothing here reads files or the database.

Inputs by model
---------------
smart        ``market``: columns ``hs6``, ``partner`` (ISO3), ``value``
gsim         ``flows``: ``exporter``, ``importer``, ``value`` and, optionally,
             ``tariff_factor_base`` / ``tariff_factor_new``
enforcement  ``market``: ``partner``, ``value`` (and ``iso3`` when partner is a name)
ge           ``flows``: ``exporter``, ``importer``, ``year``, the flow column and the policy
             variable
ge_ppml      ``flows``: the agtpa panel (the Chapter 2 applications estimate on it)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tradepolicy.economics.scenarios.models import MODELS
from tradepolicy.economics.scenarios.models.enforcement import run_enforcement
from tradepolicy.economics.scenarios.models.ge import GE_COLUMNS, ge_tau_hat, run_ge
from tradepolicy.economics.scenarios.models.ge_ppml import run_ge_ppml
from tradepolicy.economics.scenarios.models.gsim import run_gsim
from tradepolicy.economics.scenarios.models.smart import run_smart
from tradepolicy.economics.scenarios.result import ScenarioResult
from tradepolicy.economics.scenarios.schema import Scenario

__all__ = ["GE_COLUMNS", "evaluate", "ge_tau_hat", "run_enforcement", "run_ge", "run_ge_ppml", "run_gsim",
           "run_smart"]


def evaluate(scenario: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """Run ``scenario`` on ``inputs`` with the engine its ``model`` names (``models.MODELS``)."""
    return MODELS[scenario.model].run(scenario, inputs)  # type: ignore[no-any-return]
