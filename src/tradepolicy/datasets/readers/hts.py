"""Reader of the HTS Basic Edition CSVs (us-hts).

Columns returned by :func:`read_hts_edition` (one row per CSV row, file order):
``row`` (int, 0-based row of the CSV), ``hts`` (str, digits only, 4/6/8/10 digits; "" on
text-only rows), ``indent`` (int, 0-based hierarchy level), ``description`` (str),
``units`` (str, units of quantity joined with "|", e.g. "No." or "kg|No."),
``general`` (column 1 general rate text), ``special`` (special rate text with programme
symbols), ``col2`` (column 2 rate text), ``quota`` (quota quantity text),
``additional`` (additional duties text). Rates are text exactly as printed; parse them
with :mod:`tradepolicy.tariffs.rate_text`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tradepolicy.datasets.registry import dataset_path
from tradepolicy.errors import InputError

DATASET = "us-hts"
EDITIONS: dict[int, str] = {
    2024: "hts_2024_basic_edition_csv.csv",
    2025: "hts_2025_basic_edition.csv",
}
_COLUMNS = {
    "HTS Number": "hts", "Indent": "indent", "Description": "description",
    "Unit of Quantity": "units", "General Rate of Duty": "general",
    "Special Rate of Duty": "special", "Column 2 Rate of Duty": "col2",
    "Quota Quantity": "quota", "Additional Duties": "additional",
}


def edition_path(year: int) -> Path:
    """Return the verified path of the Basic Edition CSV of ``year``."""
    if year not in EDITIONS:
        raise InputError(f"No HTS edition {year} is registered.", field="edition",
                         expected=" | ".join(map(str, EDITIONS)), example="2025")
    return dataset_path(DATASET, EDITIONS[year])


def _units(raw: str) -> str:
    if not raw:
        return ""
    try:
        vals = json.loads(raw)
    except ValueError:
        return raw
    return "|".join(str(v) for v in vals) if isinstance(vals, list) else str(vals)


def read_hts_edition(year: int) -> pd.DataFrame:
    """Return the rows of one HTS Basic Edition (see the module docstring for columns)."""
    df = pd.read_csv(edition_path(year), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    df = df.rename(columns=_COLUMNS)[list(_COLUMNS.values())]
    df["hts"] = df["hts"].str.replace(".", "", regex=False).str.strip()
    df["indent"] = pd.to_numeric(df["indent"], errors="coerce").fillna(0).astype(int)
    df["units"] = df["units"].map(_units)
    for col in ("description", "general", "special", "col2", "quota", "additional"):
        df[col] = df[col].str.strip()
    df.insert(0, "row", range(len(df)))
    return df
