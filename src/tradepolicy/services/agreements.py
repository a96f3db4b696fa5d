"""Read the agreements and agencies registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.literals import AgreementStatus, check_literal, options_of
from tradepolicy.reference.loader import Citation, Provision
from tradepolicy.services.typed import ServiceModel
from tradepolicy.store.db import read_session
from tradepolicy.store.models import Agency, Agreement


class AgreementInfo(ServiceModel):
    """An agreement of the registry, in its public JSON form (dates as ISO strings)."""

    id: str
    name: str
    short_name: str
    kind: str
    status: str
    parties: list[str]
    signed: str | None
    in_force: str | None
    implemented: str | None
    summary: str
    key_provisions: str
    implementation_status: str
    implementing_law: str | None
    provisions: list[Provision]
    citations: list[Citation]
    tariff_programs: list[str]
    party_dates: dict[str, str]


class AgencyInfo(ServiceModel):
    """An agency, committee or body the office works with."""

    id: str
    name: str
    kind: str
    role: str
    parent: str | None
    citations: list[Citation]


def agreement_info(a: Agreement) -> AgreementInfo:
    """Return the public form of a stored agreement."""
    return AgreementInfo(
        id=a.id,
        name=a.name,
        short_name=a.short_name,
        kind=a.kind,
        status=a.status,
        parties=a.parties,
        signed=a.signed.isoformat() if a.signed else None,
        in_force=a.in_force.isoformat() if a.in_force else None,
        implemented=a.implemented.isoformat() if a.implemented else None,
        summary=a.summary,
        key_provisions=a.key_provisions,
        implementation_status=a.implementation_status,
        implementing_law=a.data.get("implementing_law"),
        provisions=[Provision.model_validate(p) for p in a.provisions],
        citations=[Citation.model_validate(c) for c in a.citations],
        tariff_programs=a.data.get("tariff_programs", []),
        party_dates=a.data.get("party_dates", {}),
    )


def parse_date(value: str, *, field: str) -> dt.date:
    """Parse an ISO date or raise an error naming the field."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"Malformed date {value!r}.",
            field=field,
            expected="an ISO date YYYY-MM-DD",
            example="2020-07-01",
        ) from exc


def list_agreements(
    *,
    status: str | None = None,
    party: str | None = None,
    in_force_on: str | None = None,
    q: str | None = None,
) -> list[AgreementInfo]:
    """Return agreements, filtered by status, party (ISO3), date in force, or text."""
    if status is not None:
        check_literal(status, options_of(AgreementStatus), name="status")
    when = parse_date(in_force_on, field="in_force_on") if in_force_on else None
    if party is not None and not (len(party) == 3 and party.isalpha()):
        raise InputError(
            f"Malformed party code {party!r}.", field="party",
            expected="an ISO 3166-1 alpha-3 code", example="MEX",
        )
    with read_session() as s:
        rows = s.scalars(select(Agreement).order_by(Agreement.in_force, Agreement.id)).all()
    out = []
    for a in rows:
        if status and a.status != status:
            continue
        if party and party.upper() not in a.parties and "WTO Members" not in a.parties:
            continue
        if when and (a.in_force is None or a.in_force > when):
            continue
        if q and q.lower() not in f"{a.name} {a.short_name} {a.summary} {a.key_provisions}".lower():
            continue
        out.append(agreement_info(a))
    return out


def get_agreement(agreement_id: str) -> AgreementInfo:
    """Return one agreement, or raise ``NotFoundError`` listing the known ids."""
    with read_session() as s:
        a = s.get(Agreement, agreement_id)
        if a is None:
            known = s.scalars(select(Agreement.id).order_by(Agreement.id)).all()
            raise NotFoundError(
                f"Unknown agreement id {agreement_id!r}.",
                field="agreement_id",
                expected="one of " + ", ".join(known),
                example="usmca",
            )
        return agreement_info(a)


def list_agencies() -> list[AgencyInfo]:
    """Return the agencies, committees and bodies, in registry order of kind then name."""
    with read_session() as s:
        rows = s.scalars(select(Agency).order_by(Agency.kind, Agency.name)).all()
    return [
        AgencyInfo(id=a.id, name=a.name, kind=a.kind, role=a.role, parent=a.data.get("parent"),
                   citations=[Citation.model_validate(c) for c in a.citations])
        for a in rows
    ]


def get_agency(agency_id: str) -> AgencyInfo:
    """Return one agency or raise ``NotFoundError``."""
    for a in list_agencies():
        if a.id == agency_id:
            return a
    raise NotFoundError(f"Unknown agency id {agency_id!r}.", field="agency_id",
                        expected="an id from /agencies", example="commerce")


@dataclass(frozen=True)
class PartnerAgreement:
    """An agreement in force between the home country and one partner on a date."""

    partner: str
    agreement_id: str
    short_name: str
    kind: str
    in_force: dt.date


# bilateral and regional agreements that change trade costs between their parties; the
# WTO agreements (every Member) and frameworks are not "an agreement with a partner"
_PARTNER_KINDS = ("fta", "trade_agreement")


@lru_cache(maxsize=1)
def _registry() -> tuple[Any, ...]:
    from tradepolicy.reference.loader import load_agreements

    return tuple(load_agreements()[1])


def partner_agreements(home: str, on: dt.date) -> dict[str, list[PartnerAgreement]]:
    """Return partner ISO3 -> agreements with ``home`` in force on ``on`` (the registry).

    Read from the bundled agreements registry (``reference/agreements.yaml``, the source the
    database is seeded from), so screening needs no database. An agreement counts on ``on``
    when it entered into force for that partner on or before ``on`` (``party_dates`` where
    given) and had not terminated by then (NAFTA until 2020-07-01).
    """
    home = home.upper()
    out: dict[str, list[PartnerAgreement]] = {}
    for a in _registry():
        if a.kind not in _PARTNER_KINDS or home not in a.parties:
            continue
        if a.status in ("signed", "under_negotiation"):
            continue
        end = a.dates.terminated
        if end is not None and end <= on:
            continue
        for p in a.parties:
            if p == home:
                continue
            start = a.in_force_for(p) if home == "USA" else a.dates.in_force
            if start is None or start > on:
                continue
            out.setdefault(p, []).append(PartnerAgreement(p, a.id, a.short_name, a.kind, start))
    return out
