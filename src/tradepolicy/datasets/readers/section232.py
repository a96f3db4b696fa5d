"""Readers of the Section 232 product lists (section232).

* :func:`read_s232_products` — Budget Lab list as of 2025-12-04: ``program``,
  ``hts_code`` (digits, a prefix of 4-10 digits: match by prefix), ``hts_digits`` (int),
  ``default_rate`` (decimal additional ad valorem), ``country_overrides`` (dict ISO3 ->
  decimal rate, decoded from Census country codes), ``usmca_exempt`` (bool).
* :func:`read_census_iso3` — Census country code -> ISO3.
"""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

DATASET = "section232"


def read_census_iso3() -> dict[str, str]:
    """Return the Census country code (4 digits, str) -> ISO3 map."""
    df = pd.read_csv(dataset_path(DATASET, "census_country_code_to_iso3.csv"), dtype=str)
    return dict(zip(df["cty_code"].str.strip(), df["iso3"].str.strip(), strict=True))


def _overrides(raw: str, census: dict[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in (raw or "").replace(";", ",").split(","):
        if "=" not in item:
            continue
        code, rate = (s.strip() for s in item.split("=", 1))
        iso = census.get(code)
        if iso:
            out[iso] = float(rate)
    return out


def read_s232_products() -> pd.DataFrame:
    """Return the Section 232 product prefixes with rates and overrides (columns above)."""
    df = pd.read_csv(dataset_path(DATASET, "s232_product_lists_budgetlab_2025-12-04.csv"),
                     dtype=str, keep_default_na=False)
    census = read_census_iso3()
    df["hts_code"] = df["hts_code"].str.strip()
    df["hts_digits"] = df["hts_code"].str.len()
    df["default_rate"] = df["default_rate"].astype(float)
    df["country_overrides"] = df["country_rate_overrides"].map(lambda s: _overrides(s, census))
    df["usmca_exempt"] = df["usmca_exempt"].isin(["1", "True", "true"])
    return df[["program", "hts_code", "hts_digits", "default_rate", "country_overrides",
               "usmca_exempt"]]
