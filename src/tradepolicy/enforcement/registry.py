"""Validated, cited enforcement records read from ``enforcement/data/*.yaml`` (pure, no storage)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tradepolicy.law.case_meta import CaseCitation
from tradepolicy.yaml_registry import StrictModel as _Strict
from tradepolicy.yaml_registry import read_mapping, validate_items


class CitedEvent(_Strict):
    """A dated event of a transcribed case, with its source and confirmed flag."""

    event: str
    date: dt.date
    source: str = Field(min_length=3)
    confirmed: bool
    note: str | None = None


class DisputeRecord(_Strict):
    """A WTO dispute transcribed after DS538."""

    ds: str = Field(pattern=r"^DS\d{1,4}$")
    title: str
    complainants: list[str] = Field(min_length=1)
    respondent: str
    third_parties: list[str] = Field(default_factory=list)
    agreements_cited: list[str] = Field(default_factory=list)
    status: str
    confirmed: bool
    citations: list[CaseCitation] = Field(min_length=1)
    notes: str | None = None
    events: list[CitedEvent] = Field(min_length=1)


class Ch31Record(_Strict):
    """A USMCA Chapter 31 dispute."""

    id: str
    title: str
    complainant: str
    respondent: str
    sector: str | None = None
    outcome: str | None = None
    confirmed: bool
    citations: list[CaseCitation] = Field(min_length=1)
    events: list[CitedEvent] = Field(default_factory=list)


class RrmRecord(_Strict):
    """A Rapid Response Labor Mechanism case: facility, sector, request, Mexico's response, remediation, outcome."""

    id: str
    facility: str
    sector: str
    request_date: dt.date | None = None
    petition_date: dt.date | None = None
    panel_request_date: dt.date | None = None
    mexico_response: str | None = None
    remediation: str | None = None
    outcome: str | None = None
    confirmed: bool
    citations: list[CaseCitation] = Field(min_length=1)
    events: list[CitedEvent] = Field(default_factory=list)


class JointReviewRecord(_Strict):
    """The 2026 joint review as a proceeding."""

    id: str
    title: str
    citations: list[CaseCitation] = Field(min_length=1)
    notes: str | None = None
    events: list[CitedEvent] = Field(min_length=1)


class MpiaParticipant(_Strict):
    """A participant in the MPIA and the date it joined."""

    member: str
    joined: dt.date
    confirmed: bool
    note: str | None = None


class ReformRecord(_Strict):
    """A reform event, proposal or ministerial decision."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    kind: str
    title: str
    date: dt.date
    confirmed: bool
    citations: list[CaseCitation] = Field(min_length=1)


class Mpia(_Strict):
    """The MPIA with its participants."""

    citations: list[CaseCitation] = Field(min_length=1)
    participants: list[MpiaParticipant] = Field(min_length=1)


EXAMPLE = "see the other records of the file"


def _path(name: str) -> Path:
    return Path(str(resources.files("tradepolicy.enforcement").joinpath("data", name)))


def _read(name: str, top_key: str) -> dict[str, Any]:
    return read_mapping(_path(name), top_key=top_key, example=EXAMPLE)


def _validate(model: type[BaseModel], items: Any, name: str, key: str) -> list[Any]:
    return validate_items(model, items, path=_path(name), top_key=key, example=EXAMPLE)


@lru_cache(maxsize=1)
def disputes_since_ds539() -> tuple[DisputeRecord, ...]:
    """Return the transcribed WTO disputes after DS538 (and DS542/DS543), in DS order."""
    recs = _validate(DisputeRecord, _read("wto_disputes_since_ds539.yaml", "disputes")["disputes"],
                     "wto_disputes_since_ds539.yaml", "disputes")
    return tuple(sorted(recs, key=lambda r: int(r.ds[2:])))


@lru_cache(maxsize=1)
def usmca_cases() -> tuple[tuple[Ch31Record, ...], tuple[RrmRecord, ...], JointReviewRecord]:
    """Return (Chapter 31 disputes, RRM cases, the 2026 joint review)."""
    raw = _read("usmca_cases.yaml", "rrm")
    ch31 = _validate(Ch31Record, raw.get("ch31"), "usmca_cases.yaml", "ch31")
    rrm = _validate(RrmRecord, raw.get("rrm"), "usmca_cases.yaml", "rrm")
    (jr,) = _validate(JointReviewRecord, [raw.get("joint_review")], "usmca_cases.yaml", "joint_review")
    return tuple(ch31), tuple(rrm), jr


@lru_cache(maxsize=1)
def wto_reform() -> tuple[Mpia, tuple[ReformRecord, ...]]:
    """Return (the MPIA with participants, the reform records)."""
    raw = _read("wto_reform.yaml", "records")
    (mpia,) = _validate(Mpia, [raw.get("mpia")], "wto_reform.yaml", "mpia")
    return mpia, tuple(_validate(ReformRecord, raw.get("records"), "wto_reform.yaml", "records"))
