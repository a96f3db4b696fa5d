"""Reader of the GSIM 4x4 worked example (gsim-4x4-example)."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path


def read_gsim_4x4() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (inputs, elasticities) of the 4-region GSIM example (US-EU FTA).

    ``inputs`` columns: ``exporter`` (region code US/JP/EU/RW), ``importer``, ``trade_value``
    (flow value at world prices, units of the source), ``tariff_factor_base`` (T⁰ = 1 + t),
    ``tariff_factor_new`` (T¹). ``elasticities`` columns: ``region``,
    ``import_demand_elasticity`` (negative), ``export_supply_elasticity``,
    ``substitution_elasticity``.
    """
    inputs = pd.read_csv(dataset_path("gsim-4x4-example", "gsim_4x4_inputs.csv"), dtype={"row": str, "col": str},
                         keep_default_na=False)
    inputs = inputs.rename(columns={"row": "exporter", "col": "importer",
                                    "tariff_factor_initial": "tariff_factor_base",
                                    "tariff_factor_final": "tariff_factor_new"})
    el = pd.read_csv(dataset_path("gsim-4x4-example", "gsim_4x4_elasticities.csv"), dtype={"region": str},
                     keep_default_na=False)
    return inputs, el
