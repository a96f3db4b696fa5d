"""Special 301 lists (pure): list codes, names of countries, a country's history.

Lists (19 U.S.C. 2242(b); rule ``ustr.special301_categories``): ``PFC`` Priority Foreign
Country, ``PWL`` Priority Watch List, ``WL`` Watch List, ``Monitoring`` Section 306 monitoring
(19 U.S.C. 2416). The 2005-2018 file also carries ``Pending`` and ``removed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tradepolicy.errors import InputError

LISTS: dict[str, str] = {
    "PFC": "Priority Foreign Country",
    "PWL": "Priority Watch List",
    "WL": "Watch List",
    "Monitoring": "Section 306 monitoring",
    "Pending": "Pending (decision deferred)",
    "removed": "Removed from the lists",
}
# Severity for charts: higher is worse.
SEVERITY = {"removed": 0, "Monitoring": 1, "WL": 2, "Pending": 2, "PWL": 3, "PFC": 4}


@dataclass(frozen=True, slots=True)
class Placement:
    """One country on one list in one year, with where it comes from."""

    country: str
    iso3: str | None
    year: int
    status: str
    source: str
    citation: str
    confirmed: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {k: getattr(self, k) for k in self.__slots__} | {"list": LISTS.get(self.status, self.status)}


def check_list(value: str) -> str:
    """Return the list code for ``value`` (code or name, any case), or raise naming them."""
    v = str(value).strip()
    for code, name in LISTS.items():
        if v.lower() in (code.lower(), name.lower()):
            return code
    raise InputError(f"Unknown Special 301 list {value!r}.", field="list", expected=" | ".join(LISTS), example="PWL")


@cache
def transcribed() -> dict[str, Any]:
    """Return ``promote/data/special301_2019on.yaml`` (placements after 2018, cited)."""
    return yaml.safe_load(resources.files("tradepolicy.promote").joinpath("data/special301_2019on.yaml").read_text())


def transcribed_placements(to_iso3: Any) -> list[Placement]:
    """Return the transcribed placements; ``to_iso3(name)`` maps a USTR name to ISO3 (or None)."""
    out = []
    for block in transcribed()["lists"]:
        code = check_list(block["list"])
        for name in block["members"]:
            out.append(Placement(name, to_iso3(name), int(block["year"]), code, "transcribed",
                                 block["citation"] + " — " + "; ".join(block.get("sources", [])),
                                 bool(block.get("confirmed", False))))
    return out


def history_series(placements: Iterable[Placement]) -> list[tuple[int, str, int]]:
    """Return (year, status, severity) for one country's placements, by year."""
    return sorted((p.year, p.status, SEVERITY.get(p.status, 0)) for p in placements)
