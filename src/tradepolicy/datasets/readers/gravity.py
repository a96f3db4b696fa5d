"""Readers of the structural gravity datasets: agtpa, gegravity-sample, wiod-zylkin.

Every flow is in US$ million (current prices). ``exporter`` and ``importer`` are ISO3 codes
(str); domestic flows have exporter == importer.
"""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

__all__ = [
    "read_agtpa",
    "read_agtpa_reference_coefficients",
    "read_gegravity_sample",
    "read_wiod_zylkin",
]


def read_agtpa() -> pd.DataFrame:
    """Return the Yotov et al. (2016) application panel: 69 x 69 countries x 1986-2006.

    Columns: ``exporter``, ``importer`` (ISO3 str), ``pair_id`` (int32, symmetric; domestic
    pairs have their own ids), ``year`` (int32), ``trade`` (US$ million, manufacturing,
    float64), ``dist`` (population-weighted km; internal distance on domestic rows),
    ``cntg``, ``lang``, ``clny``, ``rta`` and its lags ``rta_lag*`` (``rta_lag3``,
    ``rta_lag4``, ``rta_lag6``, ``rta_lag8``, ``rta_lag9``, ``rta_lag12``), ``rta_lead4`` (0/1
    int32). 99,981 rows, 8,475 zero flows.
    """
    df = pd.read_parquet(dataset_path("agtpa", "agtpa_applications.parquet"))
    return df.assign(exporter=df["exporter"].astype(str), importer=df["importer"].astype(str))


def read_agtpa_reference_coefficients() -> pd.DataFrame:
    """Return the published estimates of the Advanced Guide (reference_coefficients.csv).

    Columns: ``source``, ``table``, ``column``, ``estimator``, ``variable``, ``estimate``,
    ``std_err`` (float; NaN where unpublished), ``n_obs`` (int), ``notes``.
    """
    return pd.read_csv(dataset_path("agtpa", "reference_coefficients.csv"))


def read_gegravity_sample() -> pd.DataFrame:
    """Return gegravity's 30 x 30 sample for 2006 (domestic flows included).

    Columns: ``exporter``, ``importer`` (ISO3), ``year`` (2006), ``trade`` (US$ million),
    ``Y`` (exporter output, US$ million), ``E`` (importer expenditure, US$ million),
    ``pta``, ``contiguity``, ``common_language``, ``international`` (0/1), ``lndist``
    (log km). Y and E come from the 69-country data, so they exceed the row and column sums
    of the 30-country flows.
    """
    df = pd.read_csv(dataset_path("gegravity-sample", "sample_data_set.dlm"))
    return df.assign(exporter=df["exporter"].astype(str), importer=df["importer"].astype(str))


def read_wiod_zylkin() -> pd.DataFrame:
    """Return the WIOD aggregate trade data of Zylkin's ``ge_gravity`` example.

    44 economies (ROW = rest of the world) x 44 x years 2000, 2005, 2010, 2014; 7,744 rows.
    Columns: ``exporter``, ``importer`` (ISO3 str), ``year`` (int), ``trade`` (US$
    million, float), ``eu_enlargement``, ``other_fta``, ``fta`` (0/1 int).
    """
    df = pd.read_stata(dataset_path("wiod-zylkin", "GE_gravity_example_data.dta"))
    out = pd.DataFrame(
        {
            "exporter": df["exporter"].astype(str),
            "importer": df["importer"].astype(str),
            "year": df["year"].astype(int),
            "trade": df["trade"].astype(float),
            "eu_enlargement": df["eu_enlargement"].astype(int),
            "other_fta": df["other_fta"].astype(int),
            "fta": df["FTA"].astype(int),
        }
    )
    return out
