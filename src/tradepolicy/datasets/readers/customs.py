"""Readers of observed US customs data: imports and the duties importers actually paid."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

CENSUS_HS10_FILE = "census_hs10_imports_duties_2024_shared_partners.csv.gz"
MONTHLY_FILE = "budgetlab_monthly_customs_duties_imports_1982-2026.csv"


def read_census_hs10_duties_2024() -> pd.DataFrame:
    """Return 2024 US imports for consumption and Census calculated duties by HTS10 x partner.

    Columns: ``cty_code`` (str, Census 4-digit country code; ``0003`` is the EU aggregate,
    never to be added to its member states), ``cty_name`` (str), ``hts10`` (str, ten
    digits, leading zeros kept), ``description`` (str, Census short text),
    ``con_val_2024_usd`` (float, customs value, USD), ``cal_dut_2024_usd`` (float,
    calculated duty, USD; includes chapter 99 duties, excludes AD/CVD deposits).
    """
    return pd.read_csv(
        dataset_path("us-customs-duties", CENSUS_HS10_FILE),
        dtype={"cty_code": "str", "cty_name": "str", "hts10": "str", "description": "str",
               "con_val_2024_usd": "float64", "cal_dut_2024_usd": "float64"},
    )


def read_monthly_customs_duties() -> pd.DataFrame:
    """Return the monthly US customs duties and imports series, 1982-01 to 2026-02.

    Columns: ``date`` (date, first of the month), ``customs_duties`` (float, USD
    millions), ``imports_value`` (float, USD millions; NA in the last month),
    ``effective_rate`` (float, percent), ``year`` (int), ``month`` (int).
    """
    df = pd.read_csv(dataset_path("us-customs-duties", MONTHLY_FILE))
    df["date"] = pd.to_datetime(df["date"]).dt.date
    return df
