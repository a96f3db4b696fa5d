"""Readers of the dated 2025-2026 US tariff-measure product lists (``us-tariff-history``)."""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path
from tradepolicy.errors import InputError

BUDGETLAB = "budgetlab-tariff-rate-tracker"
TRADEWAR = "tradewartracker-trade-war-redux-2025"


def read_revision_dates() -> pd.DataFrame:
    """Return the tracker's chronology of HTS revisions, basic 2025 to 2026 Rev. 7.

    Columns: ``revision`` (str), ``effective_date`` (date; mostly the HTS publication
    date, not the legal effective date), ``policy_effective_date`` (date or NaT),
    ``tpc_date`` (date or NaT), ``policy_event`` (str), ``tpc_policy_revision`` (str),
    ``needs_review`` (str).
    """
    df = pd.read_csv(dataset_path("us-tariff-history", f"{BUDGETLAB}/revision_dates.csv"),
                     dtype=str, keep_default_na=False)
    for col in ("effective_date", "policy_effective_date", "tpc_date"):
        df[col] = pd.to_datetime(df[col].replace({"NA": None, "": None}), errors="coerce").dt.date
    return df


def read_product_list(name: str) -> pd.DataFrame:
    """Return one product list of the folder as text columns, e.g. ``budgetlab-tariff-rate-tracker/s232_copper_products.csv``.

    Columns: those of the file, every one a ``str`` (HTS codes keep their leading
    zeros); the list's meaning is documented in the folder's PROVENANCE.md.
    """
    if not name.endswith(".csv") or not name.startswith((f"{BUDGETLAB}/", f"{TRADEWAR}/")):
        raise InputError(
            f"Unknown product list {name!r}.",
            field="name",
            expected=f"a .csv file under {BUDGETLAB}/ or {TRADEWAR}/",
            example=f"{BUDGETLAB}/s232_copper_products.csv",
        )
    return pd.read_csv(dataset_path("us-tariff-history", name), dtype=str, keep_default_na=False)


def read_s232_derivative_products() -> pd.DataFrame:
    """Return the tracker's Section 232 steel/aluminium derivative product list (2025 inclusions).

    Columns: ``hts_prefix`` (str, an HTS prefix of 4 to 10 digits), ``ch99_code`` (str,
    the chapter 99 heading, e.g. ``9903.85.08``), ``derivative_type`` (str, ``steel`` or
    ``aluminum``), ``effective_date`` (date, the date the tracker gives for inclusion).
    """
    df = read_product_list(f"{BUDGETLAB}/s232_derivative_products.csv")
    df["effective_date"] = pd.to_datetime(df["effective_date"], errors="coerce").dt.date
    return df


def read_country_eo_exempt_products() -> pd.DataFrame:
    """Return the tracker's product exemptions of the country IEEPA orders (Brazil 9903.01.77, ...).

    The file opens with a block of ``#`` comment lines (its schema). Columns: ``ch99_code``
    (str), ``hts10`` (str, dotted HTS8 or HTS10 as printed; an HTS8 covers its children),
    ``effective_date_start`` / ``effective_date_end`` (str, ISO or empty), ``source``,
    ``note`` (str).
    """
    return pd.read_csv(dataset_path("us-tariff-history", f"{BUDGETLAB}/country_eo_exempt_products.csv"),
                       dtype=str, keep_default_na=False, comment="#")


def read_chapter99_text() -> str:
    """Return the HTS 2026 Rev. 6 chapter 99 text (USITC PDF as text; notes and headings).

    One ``str``: the tracker's ``chapter99_2026_rev_6.txt.gz`` decompressed (UTF-8; the few
    undecodable bytes of the PDF conversion are replaced). Parsed by ``tariffs.note31``.
    """
    import gzip

    path = dataset_path("us-tariff-history", f"{BUDGETLAB}/chapter99_2026_rev_6.txt.gz")
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        return fh.read()
