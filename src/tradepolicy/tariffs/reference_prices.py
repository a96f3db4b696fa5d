"""Reference unit values: published prices that turn specific duties into AVEs in aggregate work.

A specific duty (``7.85¢/liter``, ``33.87¢/kg``) has an ad valorem equivalent only for a
unit value: AVE = duty per unit / value per unit. An imports file without quantities (the
Census duties file) gives no unit value, so aggregate work (``tariff effective``) takes a
*reference price*: a published market price of the product (World Bank Pink Sheet, USDA,
EIA...) for the year of the date, keyed by HS/HTS prefix and the rate's unit, from
``tariffs/measures/utilisation.yaml`` ``reference_unit_values.products``. Unit-only entries
(``units``, e.g. US$ per barrel) remain a fallback for any product. The single-line stack
(the legal answer) never uses them.

Pure: no storage, no web. The service layer (``services.tariffs.schedules``) applies them.

>>> rows = [{"product": "raw cane sugar, over quota", "hs": ["1701.14.50"], "unit": "kg",
...          "series": "Sugar, world", "conversion": "as published",
...          "prices": [{"year": 2023, "usd": 0.5, "confirmed": False, "source": "x"},
...                     {"year": 2024, "usd": 0.4, "confirmed": False, "source": "y"}]}]
>>> p = resolve(rows, 2026)[0]
>>> (p.year, p.usd, p.requested_year, p.fallback)
(2024, 0.4, 2026, 'nearest earlier year')
>>> match("1701145000", "kg", resolve(rows, 2024)).usd
0.4
>>> round(0.3387 / 0.4, 6)  # 33.87 cents/kg at US$0.40/kg
0.84675
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tradepolicy.tariffs.rate_text import SpecificPart, clean_text

# the polarity sliding scale of the sugar lines of chapter 17 (HTS additional U.S. notes):
# "1.4606¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a degree
# in proportion) but not less than 0.943854¢/kg"
_POLARITY = re.compile(
    r"^([\d.]+)\s*¢/kg less ([\d.]+)\s*¢/kg for each degree under 100 degrees"
    r".*?but not less than ([\d.]+)\s*¢/kg$", re.IGNORECASE)
REFERENCE_POLARITY = 96.0
"""Polarity (degrees) at which a sliding-scale sugar rate is evaluated in aggregate work: the
basis of the raw sugar contracts the reference prices quote (ICE No. 11 and No. 16: 96 degrees)."""


@dataclass(frozen=True, slots=True)
class ReferencePrice:
    """A product's reference price resolved for a requested year.

    ``prefix`` is the HS/HTS prefix (digits only) it applies to, ``unit`` the rate's unit
    (as ``rate_text`` names it: kg, liter, pf. liter, bbl...). ``year`` is the year of the
    price used; ``requested_year`` the year of the date; ``fallback`` says how the year was
    chosen when they differ (``nearest earlier year`` or ``earliest year available``).
    """

    product: str
    prefix: str
    unit: str
    usd: float
    year: int
    requested_year: int
    fallback: str | None
    series: str
    source: str
    confirmed: bool

    def label(self) -> str:
        """Return a one-line description: product, price, year, series and whether confirmed."""
        year = f"{self.year}" + (f" ({self.fallback} for {self.requested_year})" if self.fallback else "")
        conf = "" if self.confirmed else ", unconfirmed"
        return f"{self.product}: US${self.usd:g}/{self.unit}, {year}, {self.series}{conf}"


def digits(code: str) -> str:
    """Return the digits of an HS/HTS code (``1701.14.50`` -> ``17011450``)."""
    return re.sub(r"\D", "", str(code))


def pick_year(prices: Sequence[Mapping[str, Any]], year: int) -> tuple[Mapping[str, Any], str | None]:
    """Return (the price entry for ``year``, how it was chosen).

    The entry of the year itself; else the nearest earlier year; else (a date before the
    series starts) the earliest year available. ``prices`` must not be empty.
    """
    by_year = sorted(prices, key=lambda p: int(p["year"]))
    earlier = [p for p in by_year if int(p["year"]) <= year]
    if earlier:
        got = earlier[-1]
        return got, (None if int(got["year"]) == year else "nearest earlier year")
    return by_year[0], "earliest year available"


def resolve(products: Iterable[Mapping[str, Any]], year: int) -> list[ReferencePrice]:
    """Return one ``ReferencePrice`` per product entry and prefix for ``year``."""
    out: list[ReferencePrice] = []
    for row in products:
        entry, how = pick_year(row["prices"], year)
        for hs in row["hs"]:
            out.append(ReferencePrice(
                product=str(row["product"]), prefix=digits(hs), unit=str(row["unit"]),
                usd=float(entry["usd"]), year=int(entry["year"]), requested_year=year, fallback=how,
                series=str(row["series"]), source=str(entry["source"]), confirmed=bool(entry["confirmed"])))
    return out


def match(line: str, unit: str, prices: Sequence[ReferencePrice]) -> ReferencePrice | None:
    """Return the reference price of ``line`` in ``unit``: the longest matching prefix, or None."""
    code = digits(line)
    best: ReferencePrice | None = None
    for p in prices:
        if p.unit == unit and code.startswith(p.prefix) and (best is None or len(p.prefix) > len(best.prefix)):
            best = p
    return best


def polarity_rate(text: str, degrees: float = REFERENCE_POLARITY) -> SpecificPart | None:
    """Return the specific rate of a polarity sliding-scale sugar text at ``degrees``, else None.

    ``1.4606¢/kg less 0.020668¢/kg for each degree under 100 degrees ... but not less than
    0.943854¢/kg`` at 96 degrees: 1.4606 - 4 x 0.020668 = 1.377928 cents/kg (above the floor).
    """
    m = _POLARITY.match(clean_text(text))
    if not m:
        return None
    base, step, floor = (float(g) / 100.0 for g in m.groups())
    return SpecificPart(max(base - step * max(100.0 - degrees, 0.0), floor), "kg")
