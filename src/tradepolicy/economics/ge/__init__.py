"""Structural gravity general equilibrium.

- :func:`solve_ge` - one sector: baseline, conditional and full-endowment equilibria
  (exact-hat or resistance-based fixed point), multiplicative or additive imbalances,
  reference-importer numeraire, tolerance 1e-10, diagnostics on every solve.
- :func:`solve_ge_ppml` - the Advanced Guide's GE-PPML procedure with its stopping rule.
- :func:`solve_ge_multisector` - S sectors, sectoral resistances, one factory-gate price per
  country shared by its sectors.

Validation (tests/economics/test_ge*.py): baseline and conditional resistances equal
gegravity 0.3's to 1e-8 on its sample and on agtpa 2006; the full equilibrium reproduces
Zylkin's ``ge_gravity`` published EU-enlargement example; the two full-GE algorithms agree
to 1e-8; the GE-PPML loop reproduces the Advanced Guide's own iteration logs.
"""

from tradepolicy.economics.ge.data import GEData, cost_matrix
from tradepolicy.economics.ge.multisector import (
    MultiSectorData,
    MultiSectorResult,
    solve_ge_multisector,
)
from tradepolicy.economics.ge.onesector import (
    GEDiagnostics,
    GEResult,
    GEState,
    StageDiagnostics,
    solve_ge,
)
from tradepolicy.economics.ge.ppml_loop import GEPPMLResult, ppml_two_way, solve_ge_ppml

__all__ = [
    "GEData",
    "GEDiagnostics",
    "GEPPMLResult",
    "GEResult",
    "GEState",
    "MultiSectorData",
    "MultiSectorResult",
    "StageDiagnostics",
    "cost_matrix",
    "ppml_two_way",
    "solve_ge",
    "solve_ge_multisector",
    "solve_ge_ppml",
]
