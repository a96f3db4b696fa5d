"""Shared pieces of the tariff services: the measures YAML, origins, dates."""

from __future__ import annotations

import datetime as dt
import difflib
import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any, cast

import pandas as pd
import yaml

from tradepolicy.errors import InputError, RegistryError
from tradepolicy.services.tariffs.cache import cached
from tradepolicy.tariffs.dated_measures import (
    as_date,
)

_LOCK = threading.RLock()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts with string keys."""
    return cast(list[dict[str, Any]], df.to_dict("records"))


USMCA_SYMBOLS = ("S", "S+", "CA", "MX")


SOURCE_FILES = {
    "hts2024": "hts_2024_basic_edition_csv.csv",
    "hts2025": "hts_2025_basic_edition.csv",
    "db2017": "tariff_database_2017.csv.gz",
}


@cached(maxsize=1)
def measures() -> Mapping[str, Any]:
    """Return every measures YAML by stem (section301_china, section232, preferences...).

    Typed as a read-only ``Mapping``: these are the cited YAML documents themselves (open-ended
    by design, checked by ``tariffs.schema.validate_measures``), shared by every caller.
    """
    out: dict[str, Any] = {}
    folder = resources.files("tradepolicy.tariffs").joinpath("measures")
    for item in folder.iterdir():
        if item.name.endswith(".yaml"):
            try:
                # libyaml's safe loader when present (same results, ~10x faster on the large files)
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                out[item.name[:-5]] = yaml.load(item.read_text(encoding="utf-8"), Loader=loader)
            except yaml.YAMLError as exc:
                raise RegistryError(f"Invalid YAML: {exc}", where=f"tariffs/measures/{item.name}") from exc
    from tradepolicy.tariffs.schema import validate_measures

    validate_measures(out)
    return out


@cached(maxsize=1)
def agreements() -> tuple[Any, ...]:
    """Return the agreements registry records that carry tariff programme symbols."""
    from tradepolicy.reference import load_agreements

    _, records = load_agreements()
    return tuple(a for a in records if a.tariff_programs)


@cached(maxsize=1)
def origins() -> dict[str, str]:
    """Return every ISO 3166 alpha-3 code with its name (pycountry)."""
    import pycountry

    return {c.alpha_3: c.name for c in pycountry.countries}


def check_origin(origin: str) -> str:
    """Return the upper-cased ISO3 code, or raise when it is not an ISO 3166 country."""
    o = (origin or "").strip().upper()
    known = origins()
    if o not in known:
        near = difflib.get_close_matches(o, list(known), n=3)
        raise InputError(f"Unknown origin {origin!r}.", field="origin",
                         expected="an ISO 3166-1 alpha-3 country code", example="CHN",
                         details={"nearest": near})
    return o


def check_date(date: dt.date | str) -> tuple[dt.date, list[str]]:
    """Return the entry date and notes; raise before the HTS began; note future dates."""
    try:
        d = as_date(date)
    except ValueError as exc:
        raise InputError(f"Malformed date {date!r}.", field="date", expected="YYYY-MM-DD",
                         example="2019-05-10") from exc
    began = as_date(measures()["sources"]["hts_began"])
    today = dt.date.today()
    if d < began:
        raise InputError(
            f"Date {d.isoformat()} is before the HTS began ({began.isoformat()}).", field="date",
            expected=f"a date from {began.isoformat()} on (schedules loaded: 2017 database, "
                     f"HTS 2024, HTS 2025; measures to {today.isoformat()})",
            example="2019-05-10", details={"range": [began.isoformat(), today.isoformat()]},
        )
    notes: list[str] = []
    if d > today:
        notes.append(f"{d.isoformat()} is in the future: measures in force today "
                     f"({today.isoformat()}) are used and assumed to continue.")
        return today, notes
    return d, notes


def country_actions_cfg() -> Mapping[str, Any]:
    """Return the country actions YAML with the EU member list of the Section 232 YAML.

    A read-only ``Mapping`` of the cited YAML document (open-ended, see :func:`measures`).
    """
    m = measures()
    return {**m["country_actions"], "eu_members": m["section232"]["eu_members"]}
