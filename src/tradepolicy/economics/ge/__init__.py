"""Structural gravity general equilibrium.

- :func:`solve_ge` - one sector: baseline, conditional and full-endowment equilibria
  (exact-hat or resistance-based fixed point), multiplicative or additive imbalances,
  reference-importer numeraire, tolerance 1e-10, diagnostics on every solve.
- :func:`solve_ge_ppml` - the Advanced Guide's GE-PPML procedure with its stopping rule.
- :func:`solve_ge_multisector` - S sectors, sectoral resistances, one factory-gate price per
  country shared by its sectors.
"""

from tradepolicy.economics.ge.data import GEData, cost_matrix
from tradepolicy.economics.ge.onesector import (
    GEDiagnostics,
    GEResult,
    GEState,
    StageDiagnostics,
    solve_ge,
)

__all__ = [
    "GEData",
    "GEDiagnostics",
    "GEResult",
    "GEState",
    "StageDiagnostics",
    "cost_matrix",
    "solve_ge",
]
