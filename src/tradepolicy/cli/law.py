"""CLI of the law domain: ``tradepolicy law ...`` (stateless) and ``tradepolicy case ...`` (stored).

Unconfirmed rules are marked UNCONFIRMED in every table and carry ``"flag"`` in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit

if TYPE_CHECKING:
    from tradepolicy.services.law_types import CaseView, DeadlineView

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

law_app = typer.Typer(help="Law as code: rules, procedures, calendars and stateless timelines.",
                      no_args_is_help=True)
case_app = typer.Typer(help="Proceedings (cases): open, record events, show, list, export .ics.",
                       no_args_is_help=True)

TIMELINE_COLUMNS = ["clock_id", "rule_id", "due_date", "trigger_date", "basis", "roll_applied", "status",
                    "actual_date", "flag"]


def _print_citations(deadlines: Sequence[DeadlineView]) -> None:
    """Print each rule used once, with its citation and flag (tables truncate long text)."""
    seen: dict[str, str] = {}
    for d in deadlines:
        seen.setdefault(d.rule_id, f"{d.citation}" + ("" if d.confirmed else "  [UNCONFIRMED]"))
    for rid, text in seen.items():
        console.print(f"  {rid}: {text}", highlight=False, markup=False)
    for d in deadlines:
        if d.unconfirmed:
            name = d.clock_id + (f" [{d.instance}]" if d.instance else "")
            console.print(f"  UNCONFIRMED input to {name}: " + "; ".join(d.unconfirmed),
                          highlight=False, markup=False)


def _deadline_rows(deadlines: Sequence[DeadlineView]) -> list[dict[str, Any]]:
    rows = []
    for d in deadlines:
        roll = d.roll
        if d.rolled:
            roll += " (rolled)"
        elif d.non_business_day:
            roll += " (non-business day)"
        if d.tolled_days:
            roll += f" +{d.tolled_days}d tolled"
        trig = (d.trigger_date or "") + (" (projected)" if d.projected else "")
        status = d.status + (f" ({d.days_from_due:+d}d)" if d.days_from_due else "")
        if d.message and d.status == "error":
            status += f": {d.message}"
        clock = d.clock_id + (f" [{d.instance}]" if d.instance else "")
        rows.append({**d.model_dump(mode="json"), "clock_id": clock, "trigger_date": trig, "roll_applied": roll,
                     "status": status, "basis": f"{d.value} {d.unit} {d.basis}, {d.direction.replace('_', ' ')}"})
    return rows


@law_app.command("timeline")
def law_timeline(
    procedure: Annotated[str, typer.Argument(help="Procedure id, e.g. ad_investigation.")],
    event: Annotated[list[str], typer.Option("--event", "-e",
                                             help="NAME=YYYY-MM-DD[,key=value]; repeat in order.")],
    as_of: Annotated[str | None, typer.Option(help="Date for overdue checks (default today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print every clock the events start: rule, due date, basis, roll applied, citation."""
    from tradepolicy.services.law import run_timeline

    out = run_timeline(procedure, list(event), as_of=as_of)
    if as_json:
        emit(out, as_json=True)
        return
    console.print(f"[bold]{out.procedure_title}[/] - stage: {out.stage_title} ({out.stage})")
    emit(_deadline_rows(out.deadlines), as_json=False, columns=TIMELINE_COLUMNS)
    _print_citations(out.deadlines)
    console.print("next allowed events: " + (", ".join(out.allowed_events) or "none"))


@law_app.command("rules")
def law_rules(
    prefix: Annotated[str | None, typer.Option(help="Only ids starting with this, e.g. adcvd.")] = None,
    kind: Annotated[str | None, typer.Option(help="clock | threshold | date | annual | count | provision")] = None,
    q: Annotated[str | None, typer.Option(help="Text filter on id, title, citation.")] = None,
    on: Annotated[str | None, typer.Option(help="Values in force on this date (YYYY-MM-DD).")] = None,
    unconfirmed: Annotated[bool, typer.Option(help="Only unconfirmed rules.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the rules with value, unit, validity, citation and confirmed flag."""
    from tradepolicy.services.law import rules

    rows = rules(prefix=prefix, kind=kind, q=q, on=on, confirmed=False if unconfirmed else None)
    emit(rows, as_json=as_json, columns=["rule_id", "kind", "value", "unit", "basis", "direction",
                                         "valid_from", "valid_to", "flag", "citation"])


@law_app.command("rule")
def law_rule(rule_id: str, on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
             as_json: JsonOpt = False) -> None:
    """Show one rule: value on a date, its dated periods, citation and where it is used."""
    from tradepolicy.services.law import rule_detail

    emit(rule_detail(rule_id, on=on), as_json=as_json)


@law_app.command("procedures")
def law_procedures(as_json: JsonOpt = False) -> None:
    """List the procedures of the office."""
    from tradepolicy.services.law import list_procedures

    emit(list_procedures(), as_json=as_json, columns=["id", "title", "stages", "events", "clocks", "citation"])


@law_app.command("procedure")
def law_procedure(procedure_id: str, as_json: JsonOpt = False) -> None:
    """Show a procedure: stages with their rules, events, clocks."""
    from tradepolicy.services.law import procedure_detail

    p = procedure_detail(procedure_id)
    if as_json:
        emit(p, as_json=True)
        return
    console.print(f"[bold]{p.title}[/] ({p.citation})")
    emit([{"stage": s.id, "title": s.title,
           "rules": ", ".join(r.id + ("" if r.confirmed else " [UNCONFIRMED]") for r in s.rules)}
          for s in p.stages], as_json=False, columns=["stage", "title", "rules"], title="Stages")
    emit([{"event": e.id, "allowed_in": ", ".join(e.allowed_in), "to_stage": e.to_stage,
           "requires": ", ".join(e.requires)} for e in p.events], as_json=False,
         columns=["event", "allowed_in", "to_stage", "requires"], title="Events")
    emit([{"clock": c.id, "rule": c.rule.id + ("" if c.rule.confirmed else " [UNCONFIRMED]"),
           "from": c.from_ or f"{c.combine}({', '.join(c.of)})", "value": c.value,
           "unit": c.unit, "basis": c.basis, "direction": c.direction, "roll": c.roll}
          for c in p.clocks], as_json=False,
         columns=["clock", "rule", "from", "value", "unit", "basis", "direction", "roll"], title="Clocks")


@law_app.command("calendar")
def law_calendar(year: int, as_json: JsonOpt = False) -> None:
    """Show the USTR annual calendar of YEAR (non-business days are flagged, not moved)."""
    from tradepolicy.services.law import annual

    emit(annual(year), as_json=as_json,
         columns=["due", "rule_id", "title", "non_business_day", "reason", "flag", "citation"])


@law_app.command("business-day")
def law_business_day(
    date: str,
    calendar: Annotated[str, typer.Option(help="us_federal | commerce | usitc | wto")] = "commerce",
    as_json: JsonOpt = False,
) -> None:
    """Say whether DATE is a business day on CALENDAR and where a deadline on it rolls."""
    from tradepolicy.services.law import business_day

    emit(business_day(date, calendar), as_json=as_json)


@law_app.command("calendars")
def law_calendars(as_json: JsonOpt = False) -> None:
    """Calendars, ad hoc closures, tolling periods and congressional session coverage."""
    from tradepolicy.services.law import calendars

    c = calendars()
    if as_json:
        emit(c, as_json=True)
        return
    emit(c.tolling, as_json=False, columns=["id", "agencies", "start", "end", "days", "confirmed", "citation"],
         title="Tolling")
    emit(c.closures, as_json=False, columns=["id", "date", "calendars", "title", "confirmed"], title="Closures")
    emit([{"chamber": s.chamber, **p.model_dump(mode="json")} for s in c.sessions for p in s.periods], as_json=False,
         columns=["chamber", "id", "covers_from", "covers_to", "days", "confirmed", "citation"],
         title="Session days")
    for s in c.sessions:
        if not s.periods:
            console.print(f"{s.title}: no session days listed; its s.151 clocks report that the "
                          "session calendar does not cover the dates they must count.",
                          highlight=False, markup=False)


# --------------------------------------------------------------------------- cases

def _print_case(c: CaseView) -> None:
    console.print(f"[bold]{c.id}[/]: {c.title}")
    console.print(f"procedure {c.procedure} - stage [bold]{c.stage_title}[/] ({c.stage})")
    emit(c.events, as_json=False, columns=["seq", "date", "event", "title", "note"], title="Events")
    emit(_deadline_rows(c.deadlines), as_json=False, columns=TIMELINE_COLUMNS,
         title="Deadlines (computed beside actual)")
    _print_citations(c.deadlines)
    if c.overdue:
        console.print(f"[bold red]{len(c.overdue)} overdue[/]: " + ", ".join(d.clock_id for d in c.overdue))
    if c.outside:
        console.print(f"[yellow]{len(c.outside)} actual date(s) outside the computed one[/]: "
                      + ", ".join(f"{d.clock_id} ({d.days_from_due or 0:+d}d)" for d in c.outside))
    console.print("next allowed events: " + (", ".join(c.allowed_events) or "none"))


@case_app.command("new")
def case_new(
    procedure: str,
    case_id: str,
    title: Annotated[str, typer.Option(help="A short title.")],
    meta: Annotated[str | None, typer.Option(help='Case metadata as JSON, e.g. {"country": "CHN", '
                                             '"commerce_cases": ["A-570-088"], "itc_cases": ["731-TA-1424"]}.')] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a case CASE_ID of PROCEDURE (with its metadata: country, parties, product, case numbers)."""
    from tradepolicy.errors import InputError
    from tradepolicy.services.proceedings import open_case

    meta_obj = None
    if meta:
        try:
            meta_obj = json.loads(meta)
        except json.JSONDecodeError as exc:
            raise InputError(f"Malformed metadata: {exc.msg}.", field="meta", expected="a JSON object",
                             example='{"country": "CHN"}') from exc
    c = open_case(procedure=procedure, case_id=case_id, title=title, meta=meta_obj)
    if as_json:
        emit(c, as_json=True)
        return
    _print_case(c)


@case_app.command("event")
def case_event(
    case_id: str,
    event: str,
    date: str,
    payload: Annotated[str | None, typer.Option(help='JSON object, e.g. {"action": "list1"}.')] = None,
    note: Annotated[str | None, typer.Option(help="A note (e.g. the FR citation).")] = None,
    corrects: Annotated[int | None, typer.Option(help="Seq of the event this corrects.")] = None,
    planned: Annotated[bool, typer.Option("--planned", help="A planned (future) event; actual events "
                                          "may not be dated after today.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Record EVENT on DATE (validated against the procedure; appended, never edited)."""
    from tradepolicy.errors import InputError
    from tradepolicy.services.proceedings import record_event

    data = None
    if payload:
        try:
            data = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise InputError(f"Malformed payload: {exc.msg}.", field="payload",
                             expected="a JSON object", example='{"action": "list1"}') from exc
    c = record_event(case_id, event, date, payload=data, note=note, corrects=corrects, planned=planned)
    if as_json:
        emit(c, as_json=True)
        return
    _print_case(c)


@case_app.command("show")
def case_show(case_id: str, as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
              as_json: JsonOpt = False) -> None:
    """Show a case: stage, events, deadlines beside actual dates, overdue."""
    from tradepolicy.services.proceedings import get_case

    c = get_case(case_id, as_of=as_of)
    if as_json:
        emit(c, as_json=True)
        return
    _print_case(c)


@case_app.command("list")
def case_list(procedure: Annotated[str | None, typer.Option(help="Only this procedure.")] = None,
              as_json: JsonOpt = False) -> None:
    """List cases with stage, overdue count and next deadline."""
    from tradepolicy.services.proceedings import list_cases

    emit(list_cases(procedure), as_json=as_json,
         columns=["id", "procedure", "stage", "events", "overdue", "outside", "next_deadline",
                  "next_deadline_flag", "title"])


@case_app.command("calendar")
def case_calendar(
    case_id: str,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the .ics here.")] = None,
) -> None:
    """Export the case's deadlines and recorded events as an iCalendar (.ics) file (stdout without --output)."""
    from tradepolicy.reports.ics import case_calendar as ics

    text = ics(case_id)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
    app.add_typer(law_app, name="law")
    app.add_typer(case_app, name="case")
