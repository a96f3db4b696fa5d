"""Reader of the HS nomenclature (hs-nomenclature)."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path


def read_hs_nomenclature() -> pd.DataFrame:
    """Return HS codes.

    Columns: ``section`` (Roman numeral I-XXI), ``hscode`` (str, 2, 4 or 6 digits),
    ``description`` (str), ``parent`` (str), ``level`` (int, 2/4/6).
    """
    df = pd.read_csv(
        dataset_path("hs-nomenclature", "harmonized-system.csv"),
        dtype={"hscode": str, "parent": str, "section": str},
    )
    df["level"] = df["level"].astype(int)
    return df


def read_hs_sections() -> pd.DataFrame:
    """Return the 21 HS sections: ``section`` (Roman numeral), ``name``."""
    return pd.read_csv(dataset_path("hs-nomenclature", "sections.csv"), dtype=str)
