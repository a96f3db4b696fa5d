"""Readers of enforcement records: USTR Special 301 lists and WTO disputes."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path


def read_special301() -> pd.DataFrame:
    """Return the USTR Special 301 lists by country and year, 2005-2018 (long form).

    Columns: ``country`` (str, USTR's name), ``year`` (int), ``status`` (str: ``PWL``
    Priority Watch List, ``WL`` Watch List, ``PFC`` Priority Foreign Country,
    ``Monitoring`` Section 306 monitoring, ``Pending``, or ``removed``),
    ``changed_from_prior_year`` (bool, the report's leading ``*``), ``raw`` (the cell as
    printed).
    """
    df = pd.read_csv(dataset_path("ustr-special301", "special301_2005-2018_long.csv"),
                     dtype={"country": str, "status": str, "raw": str})
    df["year"] = df["year"].astype(int)
    df["changed_from_prior_year"] = df["changed_from_prior_year"].astype(str).str.lower().eq("true")
    df["status"] = df["status"].fillna("")
    return df


def read_wto_disputes() -> pd.DataFrame:
    """Return WTO disputes DS1-DS538 (statuses as of about March 2019).

    Columns: ``ds`` (str, "DS543"-style id), ``ds_number`` (int), ``title`` (str),
    ``respondent`` (str, parsed from the title), ``complainants`` (list of str),
    ``consultations_requested`` (date), ``status_2019`` (str, WTO "current status"),
    ``agreements_cited`` (list of str, e.g. "GATT 1994 Art. I"),
    ``deepwto_label_panel_report`` (str, DeepWTO heuristic flag).
    """
    df = pd.read_csv(dataset_path("wto-disputes", "wto_disputes_ds1-538_tidy.csv"), dtype=str)
    df["ds_number"] = df["ds_number"].astype(int)
    df["consultations_requested"] = pd.to_datetime(df["consultations_requested"], errors="coerce").dt.date
    df["complainants"] = df["complainants"].fillna("").map(lambda s: [c.strip() for c in s.split(";") if c.strip()])
    df["agreements_cited"] = df["agreements_cited"].fillna("").map(
        lambda s: [c.strip() for c in s.split("|") if c.strip()])
    return df
