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
