"""Reader of the USITC annual tariff database 2017 (us-hts/tariff_database_2017.csv.gz).

:func:`read_tariff_db2017` returns one row per HTS8 line with the USITC columns as
published (``hts8`` str of 8 digits, ``brief_description``, ``quantity_1_code``,
``mfn_text_rate``, ``mfn_rate_type_code``, ``mfn_ave`` (decimal), ``mfn_ad_val_rate``
(decimal), ``mfn_specific_rate`` (US$ per unit), ``mfn_other_rate``,
``col1_special_text``, ``col1_special_mod``, ``quantity_2_code``, ``wto_binding_code``,
each programme's ``*_indicator`` (``*_ind`` for NAFTA and pharmaceuticals;
``gsp_ctry_excluded`` lists GSP countries excluded) and, where published,
``*_rate_type_code``, ``*_ad_val_rate`` (decimal), ``*_specific_rate`` (US$ per unit),
``*_other_rate``, ``col2_*``, ``begin_effect_date`` / ``end_effective_date`` (date),
``footnote_comment``, ``additional_duty``). :func:`programs_long` reshapes the preference programmes to one row
per (hts8, programme). :func:`read_program_codes` lists the programme column prefixes.
"""

from __future__ import annotations

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

DATASET = "us-hts"
FILE = "tariff_database_2017.csv.gz"

# column prefix -> the indicator column of that programme in the 2017 database
PROGRAM_INDICATORS: dict[str, str] = {
    "gsp": "gsp_indicator", "apta": "apta_indicator", "civil_air": "civil_air_indicator",
    "nafta_canada": "nafta_canada_ind", "nafta_mexico": "nafta_mexico_ind",
    "cbi": "cbi_indicator", "agoa": "agoa_indicator", "cbtpa": "cbtpa_indicator",
    "israel_fta": "israel_fta_indicator", "atpa": "atpa_indicator",
    "atpdea": "atpdea_indicator", "jordan": "jordan_indicator",
    "singapore": "singapore_indicator", "chile": "chile_indicator",
    "morocco": "morocco_indicator", "australia": "australia_indicator",
    "bahrain": "bahrain_indicator", "dr_cafta": "dr_cafta_indicator",
    "dr_cafta_plus": "dr_cafta_plus_indicator", "oman": "oman_indicator",
    "peru": "peru_indicator", "pharmaceutical": "pharmaceutical_ind",
    "dyes": "dyes_indicator", "korea": "korea_indicator", "columbia": "columbia_indicator",
    "panama": "panama_indicator", "nepal": "nepal_indicator",
}
# programme prefix -> prefix of its rate columns, where the database publishes rates
_RATE_PREFIX = {"nafta_mexico": "mexico"}
_NUMERIC_SUFFIXES = ("_ad_val_rate", "_specific_rate", "_other_rate", "_ave")


def read_tariff_db2017() -> pd.DataFrame:
    """Return the 2017 tariff database, one row per HTS8 (see the module docstring)."""
    df = pd.read_csv(dataset_path(DATASET, FILE), dtype=str, keep_default_na=False)
    df["hts8"] = df["hts8"].str.strip().str.zfill(8)
    for col in df.columns:
        if col.endswith(_NUMERIC_SUFFIXES):
            df[col] = pd.to_numeric(df[col].replace("", None), errors="coerce")
    for col in ("begin_effect_date", "end_effective_date"):
        df[col] = pd.to_datetime(df[col], errors="coerce").dt.date
    return df


def programs_long(db: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (hts8, programme) where the programme's indicator is set.

    Columns: ``hts8``, ``program`` (column prefix, e.g. ``korea``), ``indicator`` (the
    symbol printed, e.g. ``KR``, ``A+``), ``ad_val_rate`` (decimal, NaN when the database
    publishes no rate: the programme is then duty-free), ``specific_rate`` (US$ per unit),
    ``rate_type_code`` (USITC code, "0" = free, "7" = ad valorem...).
    """
    frames = []
    for prog, ind_col in PROGRAM_INDICATORS.items():
        sub = db[db[ind_col] != ""]
        rp = _RATE_PREFIX.get(prog, prog)
        frames.append(pd.DataFrame({
            "hts8": sub["hts8"], "program": prog, "indicator": sub[ind_col].str.strip(),
            "ad_val_rate": sub.get(f"{rp}_ad_val_rate", pd.Series(float("nan"), index=sub.index)),
            "specific_rate": sub.get(f"{rp}_specific_rate",
                                     pd.Series(float("nan"), index=sub.index)),
            "rate_type_code": sub.get(f"{rp}_rate_type_code", pd.Series("", index=sub.index)),
        }))
    return pd.concat(frames, ignore_index=True)


def read_program_codes() -> pd.DataFrame:
    """Return the programme code list.

    Columns: ``agreement`` (column prefix), ``agreement_full`` (programme name),
    ``agreement_notes`` (notes of the source list).
    """
    return pd.read_csv(dataset_path(DATASET, "usitc_tariff_database_program_codes_tidytuesday.csv"),
                       dtype=str, keep_default_na=False)
