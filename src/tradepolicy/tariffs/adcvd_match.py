"""Match AD/CVD orders in place to HS codes through the WTO I-TIP list.

The USITC list of orders has case numbers and products but no HS codes; I-TIP has HS codes
per (partner, measure). An AD order matches the I-TIP measure of the same country whose
entry into force is closest to the order date (within ``max_days``), ties broken by the
words the product descriptions share. A CVD order borrows the HS codes of the AD order on
the same product and country (same ITC investigation group).
"""

from __future__ import annotations

import re
from typing import Any, cast

import pandas as pd

COUNTRY_ISO3 = {
    "argentina": "ARG", "australia": "AUS", "austria": "AUT", "bangladesh": "BGD",
    "belarus": "BLR", "belgium": "BEL", "belguim": "BEL", "brazil": "BRA", "canada": "CAN",
    "chile": "CHL", "china": "CHN", "colombia": "COL", "columbia": "COL",
    "czech republic": "CZE", "ecuador": "ECU", "finland": "FIN", "france": "FRA",
    "germany": "DEU", "greece": "GRC", "hungary": "HUN", "india": "IND", "indonesia": "IDN",
    "iran": "IRN", "ireland": "IRL", "israel": "ISR", "italy": "ITA", "japan": "JPN",
    "kazakhstan": "KAZ", "korea": "KOR", "korea, republic of": "KOR", "latvia": "LVA",
    "lithuania": "LTU", "luxembourg": "LUX", "malaysia": "MYS", "mexico": "MEX",
    "moldova": "MDA", "moldova, republic of": "MDA", "netherlands": "NLD",
    "new zealand": "NZL", "norway": "NOR", "oman": "OMN", "pakistan": "PAK",
    "philippines": "PHL", "poland": "POL", "portugal": "PRT", "romania": "ROU",
    "russia": "RUS", "russian federation": "RUS", "saudi arabia, kingdom of": "SAU",
    "singapore": "SGP", "south africa": "ZAF", "spain": "ESP", "sri lanka": "LKA",
    "sweden": "SWE", "switzerland": "CHE", "taiwan": "TWN", "chinese taipei": "TWN",
    "tajikistan": "TJK", "thailand": "THA", "trinidad & tobago": "TTO",
    "trinidad and tobago": "TTO", "turkey": "TUR", "turkmenistan": "TKM", "ukraine": "UKR",
    "united arab emirates": "ARE", "united kingdom": "GBR", "u.k.": "GBR", "uzbekistan": "UZB",
    "venezuela": "VEN", "venezuela, bolivarian republic of": "VEN", "vietnam": "VNM",
    "viet nam": "VNM",
}
_MULTI = re.compile(r",\s*(?=(?:[A-Z][a-z]|Chinese|Korea|Viet|India|Mexico|Oman|Indonesia))")


def country_iso3(name: str) -> str | None:
    """Return the ISO3 code of a country name used by the USITC or I-TIP lists."""
    return COUNTRY_ISO3.get((name or "").strip().lower())


def _partners(name: str) -> list[str]:
    """Split I-TIP multi-partner strings ("China, Korea, Republic of") into ISO3 codes."""
    whole = country_iso3(name)
    if whole:
        return [whole]
    out: list[str] = []
    rest = name
    for key in sorted(COUNTRY_ISO3, key=len, reverse=True):
        if key in rest.lower():
            out.append(COUNTRY_ISO3[key])
            rest = re.sub(re.escape(key), "", rest, flags=re.IGNORECASE)
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], df.to_dict("records"))


def _words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", (s or "").lower())}


def match_orders(orders: pd.DataFrame, itip: pd.DataFrame, *, max_days: int = 120) -> pd.DataFrame:
    """Return the orders with ``iso3`` and ``hs_codes`` (list, empty when unmatched).

    ``orders``: USITC orders in place (reader ``read_orders_in_place``); ``itip``: I-TIP
    measures (reader ``read_itip_measures``). Adds ``match`` = "itip" | "via_ad" | "none".
    """
    it = itip.copy()
    it["iso3s"] = it["partner"].map(_partners)
    it = it.explode("iso3s")
    it["in_force"] = pd.to_datetime(it["in_force"])
    out = orders.copy()
    out["iso3"] = out["country"].map(country_iso3)
    codes: list[list[str]] = []
    how: list[str] = []
    for r in _records(out):
        cand = it[(it["iso3s"] == r["iso3"]) & it["in_force"].notna()]
        best: list[str] = []
        od = r["order_date"]
        if r["ad_cvd"] == "A" and len(cand) and od is not None and not pd.isna(od):
            days = (cand["in_force"] - pd.Timestamp(od)).abs().dt.days
            near = cand[days <= max_days]
            if len(near):
                words = _words(str(r["product"]))
                score = near["product"].map(lambda p, w=words: len(w & _words(p)))
                pick = near.assign(_s=score, _d=days[days <= max_days]).sort_values(
                    ["_s", "_d"], ascending=[False, True]).iloc[0]
                best = list(pick["hs_codes"])
        codes.append(best)
        how.append("itip" if best else "none")
    out["hs_codes"] = codes
    out["match"] = how
    ad = out[(out["ad_cvd"] == "A") & (out["match"] == "itip")]
    key = {(r["iso3"], str(r["product"]).strip().lower()): r["hs_codes"] for r in _records(ad)}
    for i, r in enumerate(_records(out)):
        if r["ad_cvd"] == "C" and not r["hs_codes"]:
            borrowed = key.get((r["iso3"], str(r["product"]).strip().lower()))
            if borrowed:
                out.at[out.index[i], "hs_codes"] = borrowed
                out.at[out.index[i], "match"] = "via_ad"
    return out
