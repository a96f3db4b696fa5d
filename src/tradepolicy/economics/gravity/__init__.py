"""Gravity estimation: PPML with high-dimensional fixed effects and named presets.

>>> from tradepolicy.economics.gravity import PRESETS
>>> "yotov2016_table1_ppml" in PRESETS
True
"""

from tradepolicy.economics.gravity.balanced import estimate_ppml_panel, ppml_three_way
from tradepolicy.economics.gravity.estimate import estimate_ppml
from tradepolicy.economics.gravity.ppml import estimate_ppml_pyfixest, parse_formula
from tradepolicy.economics.gravity.presets import PRESETS, Preset, get_preset, run_preset
from tradepolicy.economics.gravity.results import DroppedObservations, PPMLResult

__all__ = [
    "PRESETS",
    "DroppedObservations",
    "PPMLResult",
    "Preset",
    "estimate_ppml",
    "estimate_ppml_panel",
    "estimate_ppml_pyfixest",
    "get_preset",
    "parse_formula",
    "ppml_three_way",
    "run_preset",
]
