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


def read_baci_shrimp_market(importer: str, hs6: str | None = None) -> pd.DataFrame:
    """Return one importer's shrimp imports by exporting partner (and HS6) from baci-shrimp-2018.

    Columns: ``hs6``, ``partner`` (ISO3; Taiwan's "N/A" becomes ``TWN``), ``value_kusd``
    (thousand US$), ``quantity_t`` (tonnes). Rows with zero value are dropped.
    """
    df = read_baci_shrimp_2018()
    df = df[df["importer"] == importer]
    if hs6 is not None:
        df = df[df["hs6"] == hs6]
    partner = df["exporter"].where(df["exporter"].notna() & (df["exporter"] != "N/A"), "TWN")
    out = pd.DataFrame({"hs6": df["hs6"].to_numpy(), "partner": partner.astype(str).to_numpy(),
                        "value_kusd": df["value_kusd"].astype(float).to_numpy(),
                        "quantity_t": df["quantity_t"].astype(float).to_numpy()})
    out = out.groupby(["hs6", "partner"], as_index=False)[["value_kusd", "quantity_t"]].sum()
    return out[out["value_kusd"] > 0].reset_index(drop=True)


def read_baci_zaf_exports(revision: str = "hs17") -> pd.DataFrame:
    """Return BACI exports of South Africa (and Afghanistan) by destination and HS6.

    ``revision``: ``hs17`` (2020) or ``hs92`` (2021). Columns: ``year``, ``exporter`` (BACI
    numeric, 710 = ZAF), ``importer`` (BACI numeric), ``hs6`` (str, 6 digits), ``value_kusd``
    (thousand US$), ``quantity_t`` (tonnes, NaN where absent).
    """
    files = {"hs17": "baci_hs17_2020_v202301_exports_from_zaf_afg.csv.gz",
             "hs92": "baci_hs92_2021_v202301_exports_from_zaf_afg.csv.gz"}
    if revision not in files:
        from tradepolicy.errors import InputError

        raise InputError(f"Unknown BACI revision {revision!r}.", field="revision",
                         expected="hs17 | hs92", example="hs17")
    df = pd.read_csv(dataset_path("baci-zaf-exports", files[revision]))
    return pd.DataFrame({"year": df["t"].astype(int), "exporter": df["i"].astype(int),
                         "importer": df["j"].astype(int), "hs6": df["k"].astype(int).astype(str).str.zfill(6),
                         "value_kusd": df["v"].astype(float), "quantity_t": pd.to_numeric(df["q"], errors="coerce")})
