"""/api routes of the law domain: rules, procedures, calendars, timelines and cases.

Every deadline and rule carries ``confirmed`` and ``flag`` ("confirmed" / "UNCONFIRMED").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tradepolicy.api.prefer import wants_minimal
from tradepolicy.api.schemas import (
    AnnualOut,
    BusinessDayOut,
    CalendarsOut,
    CaseEnvelope,
    CaseEventAnswer,
    CaseList,
    EventRecordedEnvelope,
    ProcedureEnvelope,
    ProcedureList,
    RuleEnvelope,
    RuleList,
    TimelineEnvelope,
    UpcomingOut,
    errors,
)
from tradepolicy.api.security import requires
from tradepolicy.services import law as law_svc
from tradepolicy.services import proceedings as cases_svc

router = APIRouter(tags=["law"])


class NewCase(BaseModel):
    """Body of ``POST /api/cases``."""

    procedure: str = Field(max_length=80, description="Procedure id, e.g. ad_investigation")
    case_id: str = Field(max_length=120, description="New case id, e.g. A-570-893")
    title: str = Field(max_length=400)
    data: dict[str, Any] | None = None
    meta: dict[str, Any] | None = Field(None, description="Case metadata: country, parties, product, hts_scope, "
                                        "commerce_cases (A-570-088), itc_cases (731-TA-1424), wto_ds (DS543)...")


class NewEvent(BaseModel):
    """Body of ``POST /api/cases/{case_id}/events``."""

    event: str = Field(max_length=120, description="Event id of the case's procedure")
    date: str = Field(max_length=40, description="YYYY-MM-DD")
    payload: dict[str, Any] | None = None
    note: str | None = Field(None, max_length=20_000)
    corrects: int | None = Field(None, ge=1, le=2**31 - 1, description="Seq of the event this corrects")
    planned: bool = Field(False, description="A planned (future) event; an actual event may not be dated after today")


@router.get("/law/procedures", dependencies=[requires("public.read")], response_model=ProcedureList, responses=errors())
def procedures() -> ProcedureList:
    """List every procedure of the office."""
    rows = law_svc.list_procedures()
    return ProcedureList(count=len(rows), procedures=rows)


@router.get("/law/procedures/{procedure_id}", dependencies=[requires("public.read")], response_model=ProcedureEnvelope, responses=errors(404))
def procedure(procedure_id: str) -> ProcedureEnvelope:
    """Return a procedure: stages (with their rules), events, clocks."""
    return ProcedureEnvelope(procedure=law_svc.procedure_detail(procedure_id))


@router.get("/law/rules", dependencies=[requires("public.read")], response_model=RuleList, responses=errors(400))
def rules(
    prefix: str | None = Query(None, description="id prefix, e.g. adcvd."),
    kind: str | None = Query(None, description="clock | threshold | date | annual | count | provision"),
    q: str | None = Query(None, max_length=200),
    on: str | None = Query(None, description="YYYY-MM-DD: values in force on this date"),
    confirmed: bool | None = Query(None, description="true / false to filter on the flag"),
) -> RuleList:
    """List rules with value, unit, basis, direction, roll, validity, citation and flag."""
    rows = law_svc.rules(prefix=prefix, kind=kind, q=q, on=on, confirmed=confirmed)
    return RuleList(count=len(rows), law_version=law_svc.law_version(), rules=rows)


@router.get("/law/rules/{rule_id}", dependencies=[requires("public.read")], response_model=RuleEnvelope, responses=errors(400, 404))
def rule(rule_id: str, on: str | None = Query(None, description="YYYY-MM-DD")) -> RuleEnvelope:
    """Return one rule: its value on a date, its dated periods and the procedures using it."""
    return RuleEnvelope(rule=law_svc.rule_detail(rule_id, on=on))


@router.get("/law/timeline/{procedure_id}", dependencies=[requires("public.read")], response_model=TimelineEnvelope, responses=errors(400, 404, 409))
def timeline(
    procedure_id: str,
    event: Annotated[list[str], Query(description="NAME=YYYY-MM-DD[,key=value], repeated in order")],
    as_of: str | None = Query(None, description="YYYY-MM-DD for overdue checks"),
) -> TimelineEnvelope:
    """Compute every clock the events start, statelessly (nothing is stored)."""
    return TimelineEnvelope(timeline=law_svc.run_timeline(procedure_id, event, as_of=as_of))


@router.get("/law/calendars", dependencies=[requires("public.read")], response_model=CalendarsOut, responses=errors())
def calendars() -> CalendarsOut:
    """Return calendars, closures, tolling periods and session-day coverage."""
    c = law_svc.calendars()
    return CalendarsOut(version=c.version, calendars=c.calendars, closures=c.closures, tolling=c.tolling,
                        sessions=c.sessions)


@router.get("/law/business-day/{date}", dependencies=[requires("public.read")], response_model=BusinessDayOut, responses=errors(400, 404))
def business_day(date: str, calendar: str = Query("commerce")) -> BusinessDayOut:
    """Say whether a date is a business day on a calendar and where a deadline rolls."""
    return BusinessDayOut(**law_svc.business_day(date, calendar).model_dump())


@router.get("/law/annual/{year}", dependencies=[requires("public.read")], response_model=AnnualOut, responses=errors(400))
def annual(year: int) -> AnnualOut:
    """Return the USTR annual calendar of a year."""
    rows = law_svc.annual(year)
    return AnnualOut(year=year, count=len(rows), deadlines=rows)


@router.get("/cases", dependencies=[requires("public.read")], response_model=CaseList, responses=errors(400, 404))
def list_cases(procedure: str | None = Query(None), as_of: str | None = Query(None)) -> CaseList:
    """List every case with stage, overdue count and next deadline."""
    rows = cases_svc.list_cases(procedure, as_of=as_of)
    return CaseList(count=len(rows), cases=rows)


@router.post("/cases", dependencies=[requires("cases.write")], status_code=201, response_model=CaseEnvelope, responses=errors(400, 404, 409))
def new_case(body: NewCase) -> CaseEnvelope:
    """Open a case."""
    c = cases_svc.open_case(procedure=body.procedure, case_id=body.case_id, title=body.title,
                            data=body.data, meta=body.meta)
    return CaseEnvelope(case=c)


@router.get("/cases/{case_id}", dependencies=[requires("public.read")], response_model=CaseEnvelope, responses=errors(400, 404))
def get_case(case_id: str, as_of: str | None = Query(None)) -> CaseEnvelope:
    """Return a case: stage, events, deadlines beside actual dates, overdue."""
    return CaseEnvelope(case=cases_svc.get_case(case_id, as_of=as_of))


@router.post("/cases/{case_id}/events", dependencies=[requires("cases.write")], status_code=201, response_model=CaseEventAnswer, responses=errors(400, 404, 409))
async def record_event(
    case_id: str,
    body: NewEvent,
    response: Response,
    prefer: Annotated[list[str] | None, Header(description="RFC 7240. `return=minimal`: answer only the stored "
                                               "event, the case's new stage and its next deadlines (`recorded`) "
                                               "instead of the whole case (`case`, the default).")] = None,
) -> CaseEventAnswer:
    """Append an event (validated; a rejected event stores nothing); answer the case, or what changed."""
    # async, with the service in a worker thread: FastAPI then checks the returned model on the
    # event loop instead of in a second worker-thread hop (a sync route costs two hops a write).
    response.headers["Vary"] = "Prefer"
    if wants_minimal(prefer):
        r = await run_in_threadpool(cases_svc.record_event_brief, case_id, body.event, body.date,
                                    payload=body.payload, note=body.note, corrects=body.corrects,
                                    planned=body.planned)
        response.headers["Preference-Applied"] = "return=minimal"
        return CaseEventAnswer(EventRecordedEnvelope(recorded=r))
    c = await run_in_threadpool(cases_svc.record_event, case_id, body.event, body.date, payload=body.payload,
                                note=body.note, corrects=body.corrects, planned=body.planned)
    return CaseEventAnswer(CaseEnvelope(case=c))


@router.get("/cases/{case_id}/calendar.ics", dependencies=[requires("public.read")], response_class=Response, responses={200: {"content": {"text/calendar": {}}, "description": "iCalendar"}, **errors(404)})
def case_calendar(case_id: str) -> Response:
    """Return the case's deadlines and recorded events as iCalendar."""
    from tradepolicy.reports.ics import case_calendar as ics

    return Response(ics(case_id), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{case_id}.ics"'})


@router.get("/deadlines/upcoming", dependencies=[requires("public.read")], response_model=UpcomingOut, responses=errors())
def upcoming(within_days: int = Query(120, ge=1, le=3650), limit: int = Query(50, ge=1, le=1000)) -> UpcomingOut:
    """List pending and overdue deadlines of every case, soonest first, and the USTR annual items."""
    rows = cases_svc.upcoming_deadlines(within_days=within_days, limit=limit)
    return UpcomingOut(count=len(rows), deadlines=rows, annual=law_svc.upcoming_annual(within_days=within_days))
