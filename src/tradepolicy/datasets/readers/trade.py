"""Readers of aggregate US trade by partner (us-trade-by-partner, imf-dots-us)."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path


def read_us_trade_by_partner() -> pd.DataFrame:
    """Return US merchandise trade by partner and year, 1989-2025 (USITC DataWeb, Census).

    Columns: ``flow`` (``general_imports_customs_value`` or ``total_exports_fas_value``),
    ``country`` (DataWeb name, e.g. ``China``; no ISO codes upstream), ``year`` (int),
    ``value_usd`` (US$, current).
    """
    df = pd.read_csv(dataset_path("us-trade-by-partner", "usitc_dataweb_us_trade_by_country_1989-2025.csv"),
                     dtype={"flow": str, "country": str})
    df["year"] = df["year"].astype(int)
    df["value_usd"] = df["value_usd"].astype(float)
    return df[["flow", "country", "year", "value_usd"]]


def read_imf_dots_us() -> pd.DataFrame:
    """Return IMF Direction of Trade Statistics for the United States, 1995-2022.

    Columns: ``counterpart`` (IMF name, aggregates such as ``European Union`` included),
    ``counterpart_code`` (IMF code, str), ``year`` (int), ``exports_fob_usd`` and
    ``imports_cif_usd`` (US$, current; NaN where not reported). Imports are CIF, so expect
    2-5% more than Census customs values.
    """
    df = pd.read_csv(dataset_path("imf-dots-us", "dots_us.csv"), encoding="utf-8-sig",
                     dtype={"Counterpart Country Code": str})
    exp = next(c for c in df.columns if c.startswith("Goods, Value of Exports"))
    imp = next(c for c in df.columns if c.startswith("Goods, Value of Imports"))
    out = pd.DataFrame({
        "counterpart": df["Counterpart Country Name"].astype(str),
        "counterpart_code": df["Counterpart Country Code"].astype(str),
        "year": df["Time Period"].astype(int),
        "exports_fob_usd": pd.to_numeric(df[exp], errors="coerce"),
        "imports_cif_usd": pd.to_numeric(df[imp], errors="coerce"),
    })
    return out
