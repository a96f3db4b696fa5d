"""DataWeb country names -> ISO3 (readers.trade.dataweb_iso3) on the whole us-trade-by-partner file."""

from __future__ import annotations

from collections import Counter

from tests.helpers import requires_dataset
from tradepolicy.datasets.readers.trade import DATAWEB_NOT_COUNTRIES, dataweb_iso3


def test_aliases_and_non_countries() -> None:
    # Hand-checked against ISO 3166-1/-3: DataWeb spellings pycountry does not know.
    assert dataweb_iso3("Myanmar (Burma)") == "MMR"
    assert dataweb_iso3("Côte d`Ivoire") == "CIV"
    assert dataweb_iso3("Montserrat ") == "MSR"          # DataWeb's trailing blank
    assert dataweb_iso3("Soviet Union") == "SUN"
    assert dataweb_iso3("Republic of the Congo") == "COG"
    assert dataweb_iso3("Democratic Republic of the Congo") == "COD"
    assert dataweb_iso3("Transshipment") is None
    assert dataweb_iso3("Atlantis") is None              # unknown: None, never a guess


@requires_dataset("us-trade-by-partner")
def test_every_dataweb_name_has_a_code_except_non_countries() -> None:
    from tradepolicy.datasets.readers.trade import read_us_trade_by_partner

    df = read_us_trade_by_partner().drop_duplicates("country")
    unmapped = set(df.loc[df["iso3"].isna(), "country"])
    assert unmapped == set(DATAWEB_NOT_COUNTRIES)
    # Only the intended pairs share a code: Gaza Strip + West Bank, and a state with its
    # "prior to ..." row.
    shared = {c for c, n in Counter(df["iso3"].dropna()).items() if n > 1}
    assert shared == {"PSE", "ETH", "ISR", "SRB", "SDN"}
