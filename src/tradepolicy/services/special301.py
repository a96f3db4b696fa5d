"""Special 301: placements by country and year, a country's history, the annual review procedure.

Placements 2005-2018 come from the ``ustr-special301`` dataset as published (reader
``read_special301``); from 2019 on they come from the transcribed lists
(``promote/data/special301_2019on.yaml``, each list cited) and from placements the office records
(records of kind ``special301_placement``, each with its citation). The annual review runs as a
``special301_review`` proceeding (law procedure); a Priority Foreign Country opens a
``section301`` case with the event ``pfc_identified``, whose clock (``s301.pfc_initiation``) runs
from the identification date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from tradepolicy.errors import DatasetMissingError, InputError
from tradepolicy.platform.principal import Principal
from tradepolicy.promote import special301 as sp
from tradepolicy.services.barriers import known_partners
from tradepolicy.services.records import list_records, put_record

KIND = "special301_placement"
DATA_SOURCE = "USTR Special 301 lists 2005-2018 (dataset ustr-special301)"

if TYPE_CHECKING:
    from tradepolicy.services.law_types import CaseView


def to_iso3(name: str) -> str | None:
    """Return the ISO3 code of a USTR country name (EUN for the European Union)."""
    from tradepolicy.datasets.readers.trade import dataweb_iso3

    if name.strip() == "European Union":
        return "EUN"
    return dataweb_iso3(name)


@cache
def _dataset() -> tuple[sp.Placement, ...] | None:
    from tradepolicy.datasets.readers.enforcement import read_special301

    try:
        df = read_special301()
    except DatasetMissingError:
        return None
    return tuple(sp.Placement(str(c), to_iso3(str(c)), int(y), str(st), "dataset", f"{DATA_SOURCE}; cell as printed: {raw}")
                 for c, y, st, raw in zip(df["country"], df["year"], df["status"], df["raw"], strict=True))


@dataclass(frozen=True, slots=True)
class Placements:
    """Placements matching a query, with what the answer could not cover."""

    placements: tuple[sp.Placement, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"placements": [p.to_dict() for p in self.placements], "notes": list(self.notes),
                "count": len(self.placements)}


def placements(session: Session, principal: Principal, *, country: str | None = None,
               year: int | None = None) -> Placements:
    """Return placements (dataset, transcribed and recorded), filtered by ISO3 country and year."""
    iso = None
    if country:
        iso = country.strip().upper()
        if iso not in known_partners():
            raise InputError(f"Unknown country {country!r}.", field="country", expected="an ISO3 code",
                             example="CHN")
    notes = []
    data = _dataset()
    rows: list[sp.Placement] = []
    if data is None:
        notes.append("ustr-special301 dataset not loaded: 2005-2018 placements missing")
    else:
        rows.extend(data)
    rows.extend(sp.transcribed_placements(to_iso3))
    for rec in list_records(session, principal, KIND):
        d = rec.data
        rows.append(sp.Placement(d["country"], d["iso3"], int(d["year"]), d["status"], "recorded",
                                 d["citation"], bool(d.get("confirmed", True))))
    for block in sp.transcribed()["lists"]:
        if not block.get("complete", True) and (year is None or int(block["year"]) == year):
            notes.append(f"{block['year']} {block['list']}: list incomplete ({block.get('note', '')})")
    if year is not None and year >= 2019 and not any(int(b["year"]) == year for b in sp.transcribed()["lists"]):
        notes.append(f"{year}: no list transcribed yet")
    out = [p for p in rows if (iso is None or p.iso3 == iso) and (year is None or p.year == year)]
    return Placements(tuple(sorted(out, key=lambda p: (p.year, p.country))), tuple(notes))


@dataclass(frozen=True, slots=True)
class RecordedPlacement:
    """A placement the office recorded from a published report, with its citation."""

    country: str
    iso3: str
    year: int
    status: str
    citation: str
    confirmed: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the stored record)."""
        return {"country": self.country, "iso3": self.iso3, "year": self.year, "status": self.status,
                "citation": self.citation, "confirmed": self.confirmed}


def record_placement(session: Session, principal: Principal, *, country: str, year: int, status: str,
                     citation: str, confirmed: bool = True) -> RecordedPlacement:
    """Record a placement from a published report (with its citation), e.g. a list after 2018."""
    iso = country.strip().upper()
    names = known_partners()
    if iso not in names:
        raise InputError(f"Unknown country {country!r}.", field="country", expected="an ISO3 code", example="CHN")
    code = sp.check_list(status)
    if not 1989 <= int(year) <= dt.date.today().year:
        raise InputError(f"Year {year} is outside 1989..{dt.date.today().year}.", field="year",
                         expected="a report year", example="2024")
    if not citation or not citation.strip():
        raise InputError("A placement needs its citation (report, page).", field="citation",
                         expected="the report and page", example="USTR, 2024 Special 301 Report, p. 47")
    placed = RecordedPlacement(names[iso], iso, int(year), code, citation.strip()[:1000], confirmed)
    put_record(session, principal, kind=KIND, key=f"{iso}-{int(year)}", data=placed.to_dict(), label="public",
               scope=f"special301:{iso}", status=code, title=f"{names[iso]} {year}: {code}")
    return placed


@dataclass(frozen=True, slots=True)
class History:
    """One country's placements year by year (the chart's points)."""

    iso3: str
    name: str
    placements: tuple[sp.Placement, ...]
    points: tuple[tuple[int, int, str], ...]
    pfc_years: tuple[int, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"iso3": self.iso3, "name": self.name, "placements": [p.to_dict() for p in self.placements],
                "points": [{"year": y, "level": lvl, "status": s} for y, lvl, s in self.points],
                "pfc_years": list(self.pfc_years), "notes": list(self.notes)}


def history(session: Session, principal: Principal, iso3: str) -> History:
    """Return a country's Special 301 history (for the chart and the report)."""
    res = placements(session, principal, country=iso3)
    iso = iso3.strip().upper()
    pts = tuple((y, lvl, s) for y, s, lvl in sp.history_series(res.placements))
    return History(iso, known_partners()[iso], res.placements, pts,
                   tuple(p.year for p in res.placements if p.status == "PFC"), res.notes)


@dataclass(frozen=True, slots=True)
class CaseDeadline:
    """One clock of a case (from the law engine)."""

    clock_id: str
    title: str
    due_date: str | None
    flag: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"clock_id": self.clock_id, "title": self.title, "due_date": self.due_date, "flag": self.flag}


@dataclass(frozen=True, slots=True)
class CaseOpened:
    """A proceeding this module opened (a review, or the Section 301 case of a PFC), with its clocks.

    ``case`` is the proceedings service's full view of the case (events, log, deadlines), kept
    as it answers so ``--json`` shows the whole case.
    """

    id: str
    procedure: str
    title: str
    stage: str | None
    deadlines: tuple[CaseDeadline, ...]
    case: Mapping[str, Any]

    @classmethod
    def from_case(cls, view: CaseView | Mapping[str, Any]) -> CaseOpened:
        """Wrap the proceedings service's case view."""
        from tradepolicy.services.typed import plain

        case: Mapping[str, Any] = plain(view)
        return cls(str(case["id"]), str(case["procedure"]), str(case.get("title", "")), case.get("stage"),
                   tuple(CaseDeadline(str(d.get("clock_id", "")), str(d.get("title", "")), d.get("due_date"),
                                      str(d.get("flag", ""))) for d in case.get("deadlines", [])),
                   case)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the whole case)."""
        return dict(self.case)


def open_review(year: int, *, actor: str) -> CaseOpened:
    """Open the ``special301_review`` proceeding of ``year`` (case id ``SP301-YEAR``)."""
    from tradepolicy.services.proceedings import open_case

    return CaseOpened.from_case(open_case(procedure="special301_review", case_id=f"SP301-{int(year)}",
                                          title=f"Special 301 review {int(year)}", data={"year": int(year)},
                                          actor=actor))


def designate_pfc(iso3: str, date: dt.date, *, actor: str) -> CaseOpened:
    """Open the Section 301 case that a Priority Foreign Country identification starts, with its clock."""
    from tradepolicy.services.proceedings import open_case, record_event

    iso = iso3.strip().upper()
    if iso not in known_partners():
        raise InputError(f"Unknown country {iso3!r}.", field="country", expected="an ISO3 code", example="UKR")
    case_id = f"S301-PFC-{iso}-{date.year}"
    open_case(procedure="section301", case_id=case_id,
              title=f"Section 301: {known_partners()[iso]} identified as a Priority Foreign Country ({date.year})",
              data={"country": iso, "special301_year": date.year}, actor=actor)
    return CaseOpened.from_case(record_event(case_id, "pfc_identified", date, actor=actor))
