"""Readers of US AD/CVD orders (us-adcvd-orders)."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

DATASET = "us-adcvd-orders"


def read_orders_in_place() -> pd.DataFrame:
    """Return the USITC list of AD/CVD orders in place (August 2020), cleaned.

    Columns: ``order_date`` (date), ``continued_date`` (date, last sunset continuation),
    ``itc_case_no``, ``doc_case_no`` (A-ccc-nnn AD, C-ccc-nnn CVD), ``ad_cvd`` ("A"/"C"),
    ``review_sequence_group`` (USITC grouping of cases reviewed together), ``product_group``, ``product``, ``country``, ``fed_reg`` (FR cite of the latest notice),
    ``fr_pub_date`` (date), ``link`` (FR PDF), ``country_from_case_prefix``,
    ``country_prefix_mismatch`` (bool).
    """
    df = pd.read_csv(dataset_path(DATASET, "usitc_adcvd_orders_in_place_2020-08_clean.csv"), dtype=str)
    for col in ("order_date", "continued_date"):
        df[col] = pd.to_datetime(df[col], errors="coerce").dt.date
    df["fr_pub_date"] = pd.to_datetime(df["fr_pub_date"], format="%Y/%m/%d", errors="coerce").dt.date
    df["country_prefix_mismatch"] = df["country_prefix_mismatch"].str.lower().eq("true")
    return df


def read_itip_measures() -> pd.DataFrame:
    """Return the WTO I-TIP list of US anti-dumping measures (report of 2020-09-10).

    Columns: ``partner`` (country affected), ``initiation``, ``in_force``, ``withdrawn``
    (dates, NaT when absent), ``product`` (description), ``hs_codes`` (list of str:
    HTS10 or HS6 codes, digits only).
    """
    raw = pd.read_csv(dataset_path(DATASET, "wto_itip_us_antidumping_measures_2020-09.csv"), dtype=str)
    out = pd.DataFrame({
        "partner": raw["Partner affected"].str.strip(),
        "initiation": pd.to_datetime(raw["Initiation"], errors="coerce").dt.date,
        "in_force": pd.to_datetime(raw["In force"], errors="coerce").dt.date,
        "withdrawn": pd.to_datetime(raw["Withdrawn"], errors="coerce").dt.date,
        "product": raw["Product description"].str.strip(),
    })
    out["hs_codes"] = raw["HS"].fillna("").map(
        lambda s: [c.strip().replace(".", "") for c in s.split(",") if c.strip()]
    )
    return out


def read_case_list() -> pd.DataFrame:
    """Return the ITA ACCESS case list with petition dates.

    Columns: ``case_number`` (A-/C-ccc-nnn), ``case_title`` ("Product From Country"),
    ``petition_date`` (date). ITA's test rows (A-000-...) are dropped.
    """
    df = pd.read_csv(dataset_path(DATASET, "ita_case_list_with_petition_date.csv"), dtype=str)
    df = df[~df["case_number"].str.startswith(("A-000-", "C-000-"))].copy()
    df["petition_date"] = pd.to_datetime(df["petition_date"], errors="coerce").dt.date
    return df.reset_index(drop=True)
