"""Gravity estimation: PPML with high-dimensional fixed effects and named presets.

>>> from tradepolicy.economics.gravity import PRESETS
>>> "yotov2016_table1_ppml" in PRESETS
True
"""

from tradepolicy.economics.gravity.balanced import estimate_ppml_panel, ppml_three_way
from tradepolicy.economics.gravity.ppml import (
    DroppedObservations,
    PPMLResult,
    estimate_ppml,
    parse_formula,
)
from tradepolicy.economics.gravity.presets import PRESETS, Preset, get_preset, run_preset

__all__ = [
    "PRESETS",
    "DroppedObservations",
    "PPMLResult",
    "Preset",
    "estimate_ppml",
    "estimate_ppml_panel",
    "get_preset",
    "parse_formula",
    "ppml_three_way",
    "run_preset",
]
