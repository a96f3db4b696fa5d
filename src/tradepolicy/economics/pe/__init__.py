"""Partial-equilibrium engines: SMART (single market), GSIM (global), enforcement tariffs."""

from tradepolicy.economics.pe.enforcement import EnforcementResult, enforcement_tariff
from tradepolicy.economics.pe.formulas import TariffChange, apply_changes, apply_formula
from tradepolicy.economics.pe.gsim import GsimResult, gsim
from tradepolicy.economics.pe.smart import SmartResult, smart
from tradepolicy.economics.pe.uncertainty import (
    Band,
    draw_elasticities,
    elasticity_bands,
    summarise_draws,
)

__all__ = [
    "Band", "EnforcementResult", "GsimResult", "SmartResult", "TariffChange", "apply_changes",
    "apply_formula", "draw_elasticities", "elasticity_bands", "enforcement_tariff", "gsim", "smart",
    "summarise_draws",
]
