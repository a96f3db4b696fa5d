"""Readers of aggregate US trade by partner (us-trade-by-partner, imf-dots-us)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

# DataWeb country names that ISO 3166-1 (pycountry's names, official names and common names)
# does not match, mapped by hand. Sources: ISO 3166-1 alpha-3 for current countries; ISO
# 3166-3 (formerly used codes) for states that no longer exist (CSK, DDR, SUN, YUG, SCG, YMD,
# ANT); "XKX" for Kosovo is not ISO but the code the World Bank and the European Commission
# use. DataWeb's "X prior to ..." rows are the predecessor state under the same code as its
# successor (the years do not overlap, except the split year, where they add up); Gaza Strip
# and West Bank are both PSE. DataWeb names: the "Country" column of the general-imports and
# total-exports queries (us-trade-by-partner/PROVENANCE.md).
DATAWEB_ALIASES: dict[str, str] = {
    "Brunei": "BRN", "Czechia (Czech Republic)": "CZE", "Côte d`Ivoire": "CIV",
    "Democratic Republic of the Congo": "COD", "Eswatini (Swaziland)": "SWZ",
    "Falkland Islands": "FLK", "French Southern and Antarctic Lands": "ATF",
    "Heard and McDonald Islands": "HMD", "Macau": "MAC", "Micronesia": "FSM",
    "Myanmar (Burma)": "MMR", "Pitcairn Islands": "PCN", "Reunion": "REU", "Russia": "RUS",
    "Saint Helena": "SHN", "Sint Maarten": "SXM", "São Tomé and Príncipe": "STP",
    "Turkey": "TUR", "Vatican City": "VAT", "Gaza Strip": "PSE", "West Bank": "PSE",
    "Kosovo": "XKX", "Puerto Rico/US": "PRI",
    "Czechoslovakia": "CSK", "East Germany": "DDR", "Soviet Union": "SUN", "Yugoslavia": "YUG",
    "Serbia and Montenegro": "SCG", "South Yemen": "YMD", "Netherlands Antilles": "ANT",
    "Ethiopia prior to Eritrea split": "ETH", "Israel prior to 1989": "ISR",
    "Serbia prior to 2009": "SRB", "Sudan prior to South Sudan split": "SDN",
}
# DataWeb rows that are no country: they keep iso3 = None.
DATAWEB_NOT_COUNTRIES = frozenset({"Transshipment", "Unspecified", "Internat Organization",
                                   "Saudi Arabian-Iraqi neutral zone"})


@cache
def dataweb_iso3(name: str) -> str | None:
    """Return the ISO3 code of a USITC DataWeb country name, or None for a non-country row.

    ISO 3166-1 names (via pycountry) first, then :data:`DATAWEB_ALIASES` for DataWeb's own
    spellings and former states. Unknown names return None (never a guess).

    Examples
    --------
    >>> dataweb_iso3("China"), dataweb_iso3("South Korea"), dataweb_iso3("Myanmar (Burma)")
    ('CHN', 'KOR', 'MMR')
    >>> dataweb_iso3("Transshipment") is None
    True
    """
    import pycountry

    n = name.strip()
    if n in DATAWEB_NOT_COUNTRIES:
        return None
    if n in DATAWEB_ALIASES:
        return DATAWEB_ALIASES[n]
    try:
        return str(pycountry.countries.lookup(n).alpha_3)
    except LookupError:
        return None


def read_us_trade_by_partner() -> pd.DataFrame:
    """Return US merchandise trade by partner and year, 1989-2025 (USITC DataWeb, Census).

    Columns: ``flow`` (``general_imports_customs_value`` or ``total_exports_fas_value``),
    ``country`` (DataWeb name, e.g. ``China``; no ISO codes upstream), ``iso3`` (ISO3 by
    :func:`dataweb_iso3`; None for the few non-country rows such as ``Transshipment``),
    ``year`` (int), ``value_usd`` (US$, current).
    """
    df = pd.read_csv(dataset_path("us-trade-by-partner", "usitc_dataweb_us_trade_by_country_1989-2025.csv"),
                     dtype={"flow": str, "country": str})
    df["year"] = df["year"].astype(int)
    df["value_usd"] = df["value_usd"].astype(float)
    df["country"] = df["country"].str.strip()
    df["iso3"] = df["country"].map(dataweb_iso3)
    return df[["flow", "country", "iso3", "year", "value_usd"]]


def read_imf_dots_us() -> pd.DataFrame:
    """Return IMF Direction of Trade Statistics for the United States, 1995-2022.

    Columns: ``counterpart`` (IMF name, aggregates such as ``European Union`` included),
    ``counterpart_code`` (IMF code, str), ``year`` (int), ``exports_fob_usd`` and
    ``imports_cif_usd`` (US$, current; NaN where not reported). Imports are CIF, so expect
    2-5% more than Census customs values.
    """
    df = pd.read_csv(dataset_path("imf-dots-us", "dots_us.csv"), encoding="utf-8-sig",
                     dtype={"Counterpart Country Code": str})
    exp = next(c for c in df.columns if c.startswith("Goods, Value of Exports"))
    imp = next(c for c in df.columns if c.startswith("Goods, Value of Imports"))
    out = pd.DataFrame({
        "counterpart": df["Counterpart Country Name"].astype(str),
        "counterpart_code": df["Counterpart Country Code"].astype(str),
        "year": df["Time Period"].astype(int),
        "exports_fob_usd": pd.to_numeric(df[exp], errors="coerce"),
        "imports_cif_usd": pd.to_numeric(df[imp], errors="coerce"),
    })
    return out
