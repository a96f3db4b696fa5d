"""Readers of the Section 301 (China) product lists and exclusions (section301-china).

* :func:`read_usitc_china_tariffs` — USITC "China Tariffs" table (2020 HTSA Basic B):
  ``hts`` (digits, 8 or 10), ``hts_digits`` (int), ``ch99_heading`` (e.g. "9903.88.01"),
  ``list_label``.
* :func:`read_ustr_lists` — USTR annex lists scraped by Shiota: ``tranche`` (34b, 16b,
  200b, 300b_a, 300b_c), ``list_label``, ``hts8``.
* :func:`read_exclusions` — granted exclusions: ``notice_index`` (int), ``tranche``,
  ``date_granted`` (date of the USTR notice in the compilation), ``hts10``.
"""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

DATASET = "section301-china"


def read_usitc_china_tariffs() -> pd.DataFrame:
    """Return the USITC HTS -> 9903.88 heading table of 2020-01-01 (columns above)."""
    df = pd.read_csv(dataset_path(DATASET, "usitc_china_tariffs_hts_to_9903_2020-01-01.csv"),
                     dtype=str, keep_default_na=False)
    df["hts"] = df["hts"].str.replace(".", "", regex=False)
    df["hts_digits"] = df["hts"].str.len()
    return df[["hts", "hts_digits", "ch99_heading", "list_label"]]


def read_ustr_lists() -> pd.DataFrame:
    """Return the USTR annex HTS8 lists by tranche (columns above)."""
    df = pd.read_csv(dataset_path(DATASET, "ustr_section301_lists_hts8_shiota.csv"),
                     dtype=str, keep_default_na=False)
    df["hts8"] = df["hts8"].str.zfill(8)
    return df


def read_exclusions() -> pd.DataFrame:
    """Return the granted product exclusions by HTS10 (columns above)."""
    df = pd.read_csv(dataset_path(DATASET, "ustr_section301_exclusions_hts10_shiota.csv"),
                     dtype=str, keep_default_na=False)
    df["notice_index"] = df["notice_index"].astype(int)
    df["date_granted"] = pd.to_datetime(df["date_granted"]).dt.date
    df["hts10"] = df["hts10"].str.zfill(10)
    return df


def read_phase_one_goals() -> pd.DataFrame:
    """Return the Phase One purchase goals by category.

    Columns: ``category``, ``value_2017``, ``value_2020`` (USD, US exports to China),
    ``goal_2020_increase`` (USD above 2017 committed for 2020; NaN for goods not in the agreement).
    """
    df = pd.read_csv(dataset_path(DATASET, "phaseone-goals.csv"))
    df.columns = ["category", "value_2017", "value_2020", "goal_2020_increase"]
    df["category"] = df["category"].str.replace(r"^\d+\.\s*", "", regex=True).str.strip()
    return df


def read_china_trade_naics3_monthly(direction: str) -> pd.DataFrame:
    """Return US ``imports`` from / ``exports`` to China by NAICS3 and month (Census via tradewar-tracker).

    Columns: ``time`` (date, first of month), ``naics3`` (str), ``tariff_trd_w_avg`` (percent),
    ``total_trade`` (USD, all partners), ``china_trade`` (USD).
    """
    files = {"imports": "us_imports_from_china_by_naics3_monthly.csv",
             "exports": "us_exports_to_china_by_naics3_monthly.csv"}
    if direction not in files:
        from tradepolicy.errors import InputError

        raise InputError(f"Unknown direction {direction!r}.", field="direction", expected="imports | exports",
                         example="imports")
    df = pd.read_csv(dataset_path(DATASET, files[direction]), dtype={"naics3": str})
    df["time"] = pd.to_datetime(df["time"]).dt.date
    return df
