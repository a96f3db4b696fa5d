"""Business-day calendars, closures, tolling and congressional session days, as data.

* ``us_federal``: weekends plus the federal holidays of 5 U.S.C. 6103 with their observed
  days (the ``holidays`` package), plus dated ad hoc closures from ``calendars.yaml``.
* ``commerce`` / ``usitc``: the federal calendar plus closures listed for that agency.
* ``wto``: Geneva weekends (WTO holidays are not encoded; flagged unconfirmed).
* Tolling periods (e.g. the 2018-19 lapse in appropriations) shift running deadlines of the
  agencies they name by exactly their number of days.
* Session days of each House come from ``congress_sessions.yaml``; counting beyond the
  covered range raises rather than guesses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import holidays as holidays_pkg
from pydantic import Field, model_validator

from tradepolicy.errors import InputError, RegistryError
from tradepolicy.law._yaml import data_dir, read_mapping, validate_items
from tradepolicy.yaml_registry import StrictModel as _Strict

CAL_EXAMPLE = (
    "version: '2026-11-30'\n"
    "calendars:\n"
    "  - id: us_federal\n"
    "    title: U.S. federal business days\n"
    "    weekend: [5, 6]\n"
    "    holidays: us_federal\n"
    "    citation: 5 U.S.C. 6103\n"
    "    confirmed: true\n"
    "closures:\n"
    "  - id: eo_13854\n"
    "    date: 2018-12-24\n"
    "    calendars: [us_federal]\n"
    "    title: Executive order closure\n"
    "    citation: EO 13854\n"
    "    confirmed: false\n"
    "tolling:\n"
    "  - id: usitc_2019_lapse\n"
    "    agencies: [usitc]\n"
    "    start: 2018-12-22\n"
    "    end: 2019-01-25\n"
    "    days: 35\n"
    "    citation: 84 FR 4853 (2019-02-19)\n"
    "    confirmed: true"
)
SESSION_EXAMPLE = (
    "version: '2026-11-30'\n"
    "chambers:\n"
    "  - id: house\n"
    "    periods:\n"
    "      - id: house_2024\n"
    "        covers_from: 2024-01-01\n"
    "        covers_to: 2024-12-31\n"
    "        days: {2024-01: [5, 9, 10]}\n"
    "        citation: House Calendars, Final, 118th Congress, 2nd Session\n"
    "        confirmed: true"
)


class CalendarDef(_Strict):
    """A business-day calendar: weekend days (0 = Monday), holiday source, closures."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    weekend: list[int] = Field(default_factory=lambda: [5, 6])
    holidays: Literal["us_federal", "none"] = "none"
    includes_closures_of: list[str] = Field(default_factory=list)
    citation: str = Field(min_length=3)
    source: str | None = None
    confirmed: bool
    note: str | None = None


class ClosureDef(_Strict):
    """A dated ad hoc closure (executive order, day of mourning): not a business day."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    date: dt.date
    calendars: list[str] = Field(min_length=1)
    title: str
    citation: str = Field(min_length=3)
    source: str | None = None
    confirmed: bool


class TollingDef(_Strict):
    """A period during which the named agencies' running deadlines are tolled by ``days``."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    agencies: list[str] = Field(min_length=1)
    start: dt.date
    end: dt.date
    days: int = Field(ge=1)
    title: str | None = None
    citation: str = Field(min_length=3)
    source: str | None = None
    confirmed: bool
    note: str | None = None

    @model_validator(mode="after")
    def _order(self) -> TollingDef:
        if self.end < self.start:
            raise ValueError("'end' must not be before 'start'")
        return self


class SessionPeriod(_Strict):
    """Days one House was in session within a covered range (``days`` keyed by YYYY-MM)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    covers_from: dt.date
    covers_to: dt.date
    days: dict[str, list[int]]
    citation: str = Field(min_length=3)
    source: str | None = None
    confirmed: bool
    note: str | None = None

    def dates(self) -> list[dt.date]:
        """Return the session dates (raises ValueError on a bad month key or day)."""
        out = []
        for ym, days in self.days.items():
            year, month = (int(x) for x in ym.split("-"))
            for d in days:
                day = dt.date(year, month, d)
                if not self.covers_from <= day <= self.covers_to:
                    raise ValueError(f"session day {day} outside {self.covers_from}..{self.covers_to}")
                out.append(day)
        return sorted(out)

    @model_validator(mode="after")
    def _valid(self) -> SessionPeriod:
        self.dates()
        return self


class ChamberDef(_Strict):
    """A House of Congress and its session-day periods."""

    id: Literal["house", "senate"]
    title: str
    periods: list[SessionPeriod] = Field(default_factory=list)


@dataclass(frozen=True)
class Calendars:
    """Every calendar, closure, tolling period and session calendar, ready for counting."""

    defs: dict[str, CalendarDef]
    closures: tuple[ClosureDef, ...]
    tolling: tuple[TollingDef, ...]
    sessions: dict[str, ChamberDef]
    version: str = "unversioned"
    _closed: dict[str, frozenset[dt.date]] = field(default_factory=dict, repr=False)
    _session_days: dict[str, tuple[frozenset[dt.date], list[tuple[dt.date, dt.date]]]] = field(
        default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for cid in self.defs:
            self._closed[cid] = frozenset(c.date for c in self.closures if cid in c.calendars)
        for ch, cdef in self.sessions.items():
            days: set[dt.date] = set()
            ranges = []
            for p in cdef.periods:
                days.update(p.dates())
                ranges.append((p.covers_from, p.covers_to))
            self._session_days[ch] = (frozenset(days), sorted(ranges))

    def _def(self, calendar: str) -> CalendarDef:
        try:
            return self.defs[calendar]
        except KeyError:
            raise InputError(f"Unknown calendar {calendar!r}.", field="calendar",
                             expected="one of " + ", ".join(sorted(self.defs)),
                             example="commerce") from None

    def holiday_name(self, d: dt.date, calendar: str) -> str | None:
        """Return why ``d`` is not a business day on ``calendar`` (None if it is one)."""
        cdef = self._def(calendar)
        if d.weekday() in cdef.weekend:
            return d.strftime("%A")
        if cdef.holidays == "us_federal":
            name = _us_holidays(d.year).get(d)
            if name:
                return str(name)
        if d in self._closed.get(calendar, frozenset()):
            for c in self.closures:
                if c.date == d and calendar in c.calendars:
                    return c.title
        return None

    def is_business_day(self, d: dt.date, calendar: str) -> bool:
        """Return True if ``d`` is a business day on ``calendar``."""
        return self.holiday_name(d, calendar) is None

    def next_business_day(self, d: dt.date, calendar: str) -> dt.date:
        """Return ``d`` if it is a business day, else the next one (the roll forward)."""
        while not self.is_business_day(d, calendar):
            d += dt.timedelta(days=1)
        return d

    def add_business_days(self, d: dt.date, n: int, calendar: str) -> dt.date:
        """Return the ``n``-th business day after ``d`` (before it if ``n`` < 0)."""
        step = 1 if n >= 0 else -1
        left = abs(n)
        while left:
            d += dt.timedelta(days=step)
            if self.is_business_day(d, calendar):
                left -= 1
        return d

    def add_session_days(self, d: dt.date, n: int, chamber: str) -> dt.date:
        """Return the ``n``-th day after ``d`` on which ``chamber`` is in session.

        Raises ``InputError`` when the session calendar does not cover a day it must count.
        """
        if chamber not in self._session_days:
            raise InputError(f"No session calendar for {chamber!r}.", field="basis",
                             expected="a chamber listed in law/data/calendars/congress_sessions.yaml",
                             example="house")
        days, ranges = self._session_days[chamber]
        left = n
        cur = d
        while left:
            cur += dt.timedelta(days=1)
            if not any(a <= cur <= b for a, b in ranges):
                covered = ", ".join(f"{a}..{b}" for a, b in ranges) or "nothing"
                raise InputError(
                    f"The {chamber} session calendar does not cover {cur.isoformat()}.",
                    where="law/data/calendars/congress_sessions.yaml", field=chamber,
                    expected=f"session days listed for every day counted (covered: {covered})",
                    example="days: {2024-01: [5, 9, 10]}",
                )
            if cur in days:
                left -= 1
        return cur

    def tolling_for(self, agencies: tuple[str, ...] | list[str]) -> list[TollingDef]:
        """Return the tolling periods naming any of ``agencies``, by start date."""
        return sorted((t for t in self.tolling if set(t.agencies) & set(agencies)),
                      key=lambda t: t.start)


@lru_cache(maxsize=256)
def _us_holidays(year: int) -> dict[dt.date, str]:
    """Federal holidays of ``year`` with observed days (5 U.S.C. 6103; holidays package)."""
    return dict(holidays_pkg.US(years=[year], observed=True))


def load_calendars(
    calendar_file: Path | str | None = None, session_file: Path | str | None = None
) -> Calendars:
    """Load and validate the calendar and session files (the bundled ones by default)."""
    cp = Path(calendar_file) if calendar_file else data_dir("calendars") / "calendars.yaml"
    sp = Path(session_file) if session_file else data_dir("calendars") / "congress_sessions.yaml"
    raw = read_mapping(cp, top_key="calendars", example=CAL_EXAMPLE)
    defs = validate_items(CalendarDef, raw["calendars"], path=cp, top_key="calendars", example=CAL_EXAMPLE)
    closures = validate_items(ClosureDef, raw.get("closures", []), path=cp, top_key="closures",
                              example=CAL_EXAMPLE)
    tolling = validate_items(TollingDef, raw.get("tolling", []), path=cp, top_key="tolling",
                             example=CAL_EXAMPLE)
    ids = {d.id for d in defs}
    for i, c in enumerate(closures):
        bad = [x for x in c.calendars if x not in ids]
        if bad:
            raise RegistryError(f"Closure {c.id!r} names unknown calendar(s) {bad}.",
                                where=f"{cp}: closures[{i}] ({c.id})", field="calendars",
                                expected="ids from the 'calendars' list: " + ", ".join(sorted(ids)),
                                example=CAL_EXAMPLE)
    sraw = read_mapping(sp, top_key="chambers", example=SESSION_EXAMPLE)
    chambers = validate_items(ChamberDef, sraw["chambers"], path=sp, top_key="chambers",
                              example=SESSION_EXAMPLE)
    version = f"calendars@{raw.get('version', 'unversioned')}+sessions@{sraw.get('version', 'unversioned')}"
    return Calendars(defs={d.id: d for d in defs}, closures=tuple(closures), tolling=tuple(tolling),
                     sessions={c.id: c for c in chambers}, version=version)


@lru_cache(maxsize=1)
def bundled_calendars() -> Calendars:
    """Return the bundled calendars (loaded once)."""
    return load_calendars()


def describe(cals: Calendars) -> dict[str, Any]:
    """Return a JSON-safe description of calendars, closures, tolling and session coverage."""
    return {
        "version": cals.version,
        "calendars": [d.model_dump(mode="json") for d in cals.defs.values()],
        "closures": [c.model_dump(mode="json") for c in cals.closures],
        "tolling": [t.model_dump(mode="json") for t in cals.tolling],
        "sessions": [
            {"chamber": ch.id, "title": ch.title,
             "periods": [{"id": p.id, "covers_from": p.covers_from.isoformat(),
                          "covers_to": p.covers_to.isoformat(), "days": len(p.dates()),
                          "citation": p.citation, "source": p.source, "confirmed": p.confirmed,
                          "note": p.note} for p in ch.periods]}
            for ch in cals.sessions.values()
        ],
    }
