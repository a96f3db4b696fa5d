"""Response models of the API: the error shape and the envelopes of the foundation and law routes.

Every route declares ``response_model=`` and its 4xx ``responses=`` so that the OpenAPI
document is the contract (``tests/hardening/test_contract.py`` fails for a route without
them). The records inside the foundation and law envelopes are the services' own typed
results (``services/law_types.py``, ``AgreementInfo``, ``DatasetInfo``, ``GuideEntryView``):
a route returns the service's object and the OpenAPI document names every field. ``Record``
(``extra="allow"``) remains for envelopes of domains not yet typed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, RootModel

from tradepolicy.law.calendars import CalendarDef, ClosureDef, TollingDef
from tradepolicy.services.agreements import AgencyInfo, AgreementInfo
from tradepolicy.services.datasets import DatasetInfo
from tradepolicy.services.guide import GuideEntryView
from tradepolicy.services.law_types import (
    AnnualItem,
    CaseDeadline,
    CaseSummary,
    CaseView,
    ChamberSessions,
    ProcedureDetail,
    ProcedureSummary,
    RecordedEvent,
    RuleDetail,
    RuleRow,
    Timeline,
    UpcomingAnnualItem,
)


class ErrorDetail(BaseModel):
    """What was wrong, where, what was expected, an example (``tradepolicy.errors``)."""

    type: str
    message: str
    where: str | None = None
    field: str | None = None
    expected: str | None = None
    example: str | None = None
    details: dict[str, Any] | None = None
    request_id: str | None = None


class ErrorOut(BaseModel):
    """The one error shape: ``{"ok": false, "error": {...}, "status": N}``."""

    ok: Literal[False] = False
    error: ErrorDetail
    status: int


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Return ``responses=`` for the given 4xx codes plus 413 and 422, all in the error shape."""
    text = {400: "Bad input", 401: "Not signed in", 403: "Forbidden", 404: "Not found", 409: "Conflict",
            413: "Request body too large", 422: "Invalid request", 503: "Dataset missing"}
    return {c: {"model": ErrorOut, "description": text.get(c, "Error")} for c in sorted({*codes, 413, 422})}


class Record(BaseModel):
    """A record: the declared fields, and any others the service adds."""

    model_config = ConfigDict(extra="allow")


class Ok(Record):
    """Every success envelope carries ``ok: true``."""

    ok: Literal[True] = True


# ---------------------------------------------------------------- agreements, agencies, guide, datasets
class AgreementList(Ok):
    """``GET /api/agreements``."""

    count: int
    agreements: list[AgreementInfo]


class AgreementEnvelope(Ok):
    """``GET /api/agreements/{id}``."""

    agreement: AgreementInfo


class AgencyList(Ok):
    """``GET /api/agencies``."""

    count: int
    agencies: list[AgencyInfo]


class AgencyEnvelope(Ok):
    """``GET /api/agencies/{id}``."""

    agency: AgencyInfo


class GuideEntryEnvelope(Ok):
    """``GET /api/guide/entries/{id}``."""

    entry: GuideEntryView


class DatasetList(Ok):
    """``GET /api/datasets``."""

    count: int
    datasets: list[DatasetInfo]


# ---------------------------------------------------------------- law and cases
# The records are the services' own models (services/law_types.py): the route returns them as is.
class ProcedureList(Ok):
    """``GET /api/law/procedures``."""

    count: int
    procedures: list[ProcedureSummary]


class ProcedureEnvelope(Ok):
    """``GET /api/law/procedures/{id}``."""

    procedure: ProcedureDetail


class RuleList(Ok):
    """``GET /api/law/rules``."""

    count: int
    law_version: str
    rules: list[RuleRow]


class RuleEnvelope(Ok):
    """``GET /api/law/rules/{id}``."""

    rule: RuleDetail


class TimelineEnvelope(Ok):
    """``GET /api/law/timeline/{procedure}``."""

    timeline: Timeline


class CalendarsOut(Ok):
    """``GET /api/law/calendars``."""

    version: str
    calendars: list[CalendarDef]
    closures: list[ClosureDef]
    tolling: list[TollingDef]
    sessions: list[ChamberSessions]


class BusinessDayOut(Ok):
    """``GET /api/law/business-day/{date}``."""

    date: str
    weekday: str
    calendar: str
    business_day: bool
    reason: str | None
    rolls_to: str
    calendar_confirmed: bool


class AnnualOut(Ok):
    """``GET /api/law/annual/{year}``."""

    year: int
    count: int
    deadlines: list[AnnualItem]


class CaseList(Ok):
    """``GET /api/cases``."""

    count: int
    cases: list[CaseSummary]


class CaseEnvelope(Ok):
    """``GET/POST /api/cases...``."""

    case: CaseView


class EventRecordedEnvelope(Ok):
    """``POST /api/cases/{id}/events`` with ``Prefer: return=minimal``: what the write changed."""

    recorded: RecordedEvent


class CaseEventAnswer(RootModel[CaseEnvelope | EventRecordedEnvelope]):
    """``POST /api/cases/{id}/events``: the whole case, or what the write changed.

    The default answer is the whole case (``case``). With ``Prefer: return=minimal`` (RFC 7240)
    it is only the stored event, the new stage and the next deadlines (``recorded``), and the
    response carries ``Preference-Applied: return=minimal``.
    """


class UpcomingOut(Ok):
    """``GET /api/deadlines/upcoming``."""

    count: int
    deadlines: list[CaseDeadline]
    annual: list[UpcomingAnnualItem]


# Former names of the records above (other branches may import them while they are merged);
# the lead removes these aliases once nothing imports them.
AgreementOut = AgreementInfo
AgencyOut = AgencyInfo
DatasetOut = DatasetInfo
GuideHit = GuideEntryView
ProcedureOut = ProcedureSummary
RuleOut = RuleRow
DeadlineOut = AnnualItem
CaseOut = CaseView
