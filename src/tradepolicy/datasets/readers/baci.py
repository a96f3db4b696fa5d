"""Readers of CEPII BACI extracts (baci-shrimp-2018, baci-zaf-exports)."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path


def read_baci_shrimp_2018() -> pd.DataFrame:
    """Return BACI 2018 flows of six shrimp HS6 lines (HS 2012).

    Columns: ``exporter`` (ISO3), ``exporter_country``, ``importer`` (ISO3),
    ``importer_country``, ``hs6`` (str, 6 digits: 030616, 030617, 030626, 030627, 160521,
    160529), ``year`` (2018), ``quantity_t`` (metric tonnes), ``value_kusd`` (thousand US$).
    """
    df = pd.read_csv(
        dataset_path("baci-shrimp-2018", "standardized_baci_seafood_hs12_y2018_including_value.csv"),
        dtype={"hs6": str, "exporter_iso3c": str, "importer_iso3c": str},
    )
    df = df.rename(columns={"exporter_iso3c": "exporter", "importer_iso3c": "importer",
                            "total_q": "quantity_t", "total_v": "value_kusd"})
    df["hs6"] = df["hs6"].str.zfill(6)
    return df[["exporter", "exporter_country", "importer", "importer_country", "hs6", "year",
               "quantity_t", "value_kusd"]]
