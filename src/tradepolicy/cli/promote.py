"""CLI of the promote domains: ``tradepolicy barriers|nte|special301|tfa ...``.

Every command parses, calls a service (``services.barriers``, ``services.nte``,
``services.special301``, ``services.tfa``) in one transaction, and renders. The acting
principal is the stored user named by ``TRADEPOLICY_USER`` (``services.people.cli_principal``),
else the local operator; like every principal it reads restricted barriers only under a grant.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, print_json, print_table
from tradepolicy.errors import InputError
from tradepolicy.platform.principal import Principal
from tradepolicy.web.promote_reports import nte_render, special301_render, tfa_render

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

barriers_app = typer.Typer(help="The barrier registry: add, update, status, publish, list, show.", no_args_is_help=True)
nte_app = typer.Typer(help="The National Trade Estimate report: report, close an edition, due date.", no_args_is_help=True)
special301_app = typer.Typer(help="Special 301: placements, a country's history, the annual review.", no_args_is_help=True)
tfa_app = typer.Typer(help="WTO TFA: import commitments, implementation rate, readiness report.", no_args_is_help=True)


def _principal() -> Principal:
    """Return the CLI's principal: the stored user named by TRADEPOLICY_USER, else the local operator."""
    from tradepolicy.services.people import cli_principal

    return cli_principal()


def _date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    from tradepolicy.law.dates import parse_date

    return parse_date(value, field=field)


def _json_arg(value: str | None, field: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise InputError(f"{field} is not valid JSON: {exc.msg}.", field=field, expected="a JSON value",
                         example='{"kind": "agreement", "ref": "wto-sps", "provision": "Art. 5.1"}') from None


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in (values or []) for v in item.split(",") if v.strip()]


BARRIER_COLUMNS = ["id", "partner", "title", "status", "nte_category", "coverage", "label"]


def _row(b: dict[str, Any]) -> dict[str, Any]:
    return {**b, "coverage": b["coverage"].get("label", "") if b.get("coverage") else ""}


def _show(b: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(b)
        return
    keep = ["id", "partner_name", "title", "status", "waiting_on", "label", "nte_category_title", "mast_chapter",
            "gta_type", "hs_codes", "sectors", "commitment", "public_state", "public_summary", "description",
            "action_plan", "internal_notes", "ave", "redacted_fields", "version", "updated_at", "updated_by"]
    emit({k: b.get(k) for k in keep}, as_json=False, title=f"Barrier {b['id']}")
    cov = b.get("coverage") or {}
    console.print(f"Trade coverage: [bold]{cov.get('label', 'coverage unknown')}[/] — {cov.get('method', '')}. "
                  f"Source: {cov.get('source', '')}", highlight=False)
    if b.get("estimated_value"):
        console.print(f"Estimated value: {b['estimated_value'].get('method')}", highlight=False)


@barriers_app.command("add")
def barriers_add(
    partner: Annotated[str, typer.Option(help="Partner ISO3 code (EUN for the European Union).")],
    title: Annotated[str, typer.Option(help="Short title.")],
    category: Annotated[str, typer.Option("--category", help="NTE category id, e.g. sps, tbt, import_policies.")],
    description: Annotated[str, typer.Option(help="Internal description (restricted).")] = "",
    hs: Annotated[list[str] | None, typer.Option("--hs", help="Affected HS code(s); repeat or comma-separate.")] = None,
    sector: Annotated[list[str] | None, typer.Option("--sector", help="Affected sector(s).")] = None,
    commitment: Annotated[str | None, typer.Option(help='Breached commitment as JSON, e.g. {"kind":"agreement","ref":"wto-sps","provision":"Art. 5.1"} or {"kind":"dispute","ref":"DS517"}.')] = None,
    priority: Annotated[str, typer.Option(help="low | medium | high | top")] = "medium",
    ave: Annotated[float | None, typer.Option(help="Ad valorem equivalent (decimal, 0.25 = 25%).")] = None,
    elasticity: Annotated[float | None, typer.Option(help="Import demand elasticity for the estimated value (default 1).")] = None,
    action_plan: Annotated[str | None, typer.Option("--action-plan", help='JSON list of {"action","owner","due"}.')] = None,
    notes: Annotated[str, typer.Option("--notes", help="Internal notes (restricted).")] = "",
    allow_duplicate: Annotated[bool, typer.Option("--allow-duplicate", help="Store even if a similar barrier exists.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Enter a barrier (restricted until its public version is approved and published)."""
    from tradepolicy.services import barriers as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        b = svc.add_barrier(s, _principal(), partner=partner, title=title, description=description,
                            nte_category=category, hs_codes=_split(hs), sectors=_split(sector),
                            commitment=_json_arg(commitment, "commitment"), priority=priority, ave=ave,
                            elasticity=elasticity, action_plan=_json_arg(action_plan, "action_plan"),
                            internal_notes=notes, allow_duplicate=allow_duplicate, where="cli").to_dict()
    _show(b, as_json)


@barriers_app.command("update")
def barriers_update(
    barrier_id: Annotated[str, typer.Argument(help="Barrier id, e.g. B-00001.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=VALUE (VALUE may be JSON); repeat.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a barrier (title, description, nte_category, hs_codes, sectors, commitment, priority, action_plan, internal_notes, ave, elasticity)."""
    from tradepolicy.services import barriers as svc
    from tradepolicy.store.db import transaction

    changes: dict[str, Any] = {}
    for item in set_ or []:
        if "=" not in item:
            raise InputError(f"--set {item!r} has no '='.", field="--set", expected="FIELD=VALUE", example="priority=high")
        k, v = item.split("=", 1)
        try:
            changes[k.strip()] = json.loads(v)
        except json.JSONDecodeError:
            changes[k.strip()] = v
    if "hs_codes" in changes and isinstance(changes["hs_codes"], str):
        changes["hs_codes"] = _split([changes["hs_codes"]])
    with transaction() as s:
        b = svc.update_barrier(s, _principal(), barrier_id, changes, where="cli").to_dict()
    _show(b, as_json)


@barriers_app.command("status")
def barriers_status(
    barrier_id: Annotated[str, typer.Argument(help="Barrier id.")],
    status: Annotated[str, typer.Argument(help="open | resolved_in_part | resolved | dormant | archived")],
    waiting_on: Annotated[str | None, typer.Option("--waiting-on", help="none | partner_government | us_government | business | other")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (needed for resolved, dormant, archived).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a barrier along its lifecycle (refused when the lifecycle does not allow the move)."""
    from tradepolicy.services import barriers as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        b = svc.change_status(s, _principal(), barrier_id, status, waiting_on=waiting_on, reason=reason,
                              where="cli").to_dict()
    _show(b, as_json)


@barriers_app.command("publish")
def barriers_publish(
    barrier_id: Annotated[str, typer.Argument(help="Barrier id.")],
    draft: Annotated[str | None, typer.Option("--draft", help="Submit this text as the public version (step 1).")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the drafted public version (step 2).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Approve-then-publish: --draft TEXT, then --approve, then publish (no option)."""
    from tradepolicy.services import barriers as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        if draft is not None:
            b = svc.draft_public(s, _principal(), barrier_id, draft, where="cli")
        elif approve:
            b = svc.approve_public(s, _principal(), barrier_id, where="cli")
        else:
            b = svc.publish(s, _principal(), barrier_id, where="cli")
    _show(b.to_dict(), as_json)


@barriers_app.command("list")
def barriers_list(
    partner: Annotated[str | None, typer.Option(help="Partner ISO3.")] = None,
    status: Annotated[str | None, typer.Option(help="Lifecycle status.")] = None,
    category: Annotated[str | None, typer.Option(help="NTE category id.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the barriers you may read, with their measured trade coverage."""
    from tradepolicy.services import barriers as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        rows = [b.to_dict() for b in svc.list_barriers(s, _principal(), partner=partner, status=status,
                                                         category=category, where="cli")]
    if as_json:
        print_json({"count": len(rows), "barriers": rows})
        return
    print_table([_row(r) for r in rows], BARRIER_COLUMNS, title=f"{len(rows)} barriers")


@barriers_app.command("show")
def barriers_show(barrier_id: Annotated[str, typer.Argument(help="Barrier id.")], as_json: JsonOpt = False) -> None:
    """Show one barrier: fields you may read, status history, coverage and estimated value."""
    from tradepolicy.services import barriers as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        b = svc.get_barrier(s, _principal(), barrier_id, where="cli")
        d = b.to_dict()
    _show(d, as_json)


# ------------------------------------------------------------------------------------------ NTE
def _write_out(data: bytes, out: Path | None, fmt: str) -> None:
    import sys

    if out is None:
        if fmt == "pdf":
            raise InputError("A PDF needs --out FILE.", field="--out", expected="a file path", example="nte.pdf")
        sys.stdout.write(data.decode("utf-8"))
        return
    out.write_bytes(data)
    console.print(f"Wrote {out} ({len(data):,} bytes).", highlight=False)


@nte_app.command("report")
def nte_report(
    year: Annotated[int, typer.Option(help="Edition year, e.g. 2026.")],
    fmt: Annotated[str, typer.Option("--format", help="html | pdf")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Output file (required for pdf).")] = None,
    label: Annotated[str, typer.Option(help="public | restricted (internal draft, needs a grant)")] = "public",
) -> None:
    """Render the NTE edition: one chapter per partner, trade figures, changes, TOC, page numbers, charts."""
    from tradepolicy.services import nte
    from tradepolicy.store.db import transaction

    if fmt not in ("html", "pdf"):
        raise InputError(f"Unknown format {fmt!r}.", field="--format", expected="html | pdf", example="pdf")
    with transaction() as s:
        report = nte.build_report(s, _principal(), year, label=label, where="cli")
    _write_out(nte_render(report, fmt), out, fmt)


@nte_app.command("close")
def nte_close(year: Annotated[int, typer.Option(help="Edition year.")], note: str = "", as_json: JsonOpt = False) -> None:
    """Close an edition: store the list of barriers it reports (the next edition's baseline)."""
    from tradepolicy.services import nte
    from tradepolicy.store.db import transaction

    with transaction() as s:
        data = nte.close_edition(s, _principal(), year, note=note)
    emit({"year": data.year, "barriers": len(data.barriers), "closed_at": data.closed_at}, as_json=as_json)


@nte_app.command("due")
def nte_due(year: Annotated[int, typer.Option(help="Edition year.")], as_json: JsonOpt = False) -> None:
    """Show the NTE due date of a year (law rule ustr.nte)."""
    from tradepolicy.services import nte

    emit(nte.due_date(year).to_dict(), as_json=as_json)


# ------------------------------------------------------------------------------------ Special 301
@special301_app.command("placements")
def special301_placements(
    country: Annotated[str | None, typer.Option(help="ISO3 code.")] = None,
    year: Annotated[int | None, typer.Option(help="Report year.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List Special 301 placements (2005-2018 from the dataset; later years transcribed, each cited)."""
    from tradepolicy.services import special301 as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        res = svc.placements(s, _principal(), country=country, year=year).to_dict()
    if as_json:
        print_json(res)
        return
    print_table(res["placements"], ["year", "country", "iso3", "status", "list", "source"],
                title=f"{res['count']} placements")
    for n in res["notes"]:
        console.print(f"note: {n}", highlight=False)


@special301_app.command("place")
def special301_place(
    country: Annotated[str, typer.Argument(help="ISO3 code.")],
    year: Annotated[int, typer.Option(help="Report year.")],
    status: Annotated[str, typer.Option("--list", help="PFC | PWL | WL | Monitoring")],
    citation: Annotated[str, typer.Option(help="Report and page.")],
    as_json: JsonOpt = False,
) -> None:
    """Record a placement from a published Special 301 Report (with its citation)."""
    from tradepolicy.services import special301 as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        data = svc.record_placement(s, _principal(), country=country, year=year, status=status, citation=citation)
    emit(data.to_dict(), as_json=as_json)


@special301_app.command("history")
def special301_history(
    iso3: Annotated[str, typer.Argument(help="ISO3 code.")],
    fmt: Annotated[str, typer.Option("--format", help="html | pdf")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Output file (required for pdf).")] = None,
) -> None:
    """Render a country's Special 301 history as a chart and a table (HTML or PDF)."""
    from tradepolicy.services import special301 as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        hist = svc.history(s, _principal(), iso3)
    _write_out(special301_render(hist, fmt), out, fmt)


@special301_app.command("review")
def special301_review(year: Annotated[int, typer.Option(help="Review year.")], as_json: JsonOpt = False) -> None:
    """Open the annual review as a proceeding (notice, comments, hearing, report clock)."""
    from tradepolicy.services import special301 as svc

    case = svc.open_review(year, actor=_principal().name)
    emit({"case_id": case.id, "procedure": case.procedure, "stage": case.stage}, as_json=as_json)


@special301_app.command("pfc")
def special301_pfc(
    iso3: Annotated[str, typer.Argument(help="ISO3 code.")],
    date: Annotated[str, typer.Option(help="Identification date (YYYY-MM-DD).")],
    as_json: JsonOpt = False,
) -> None:
    """Identify a Priority Foreign Country: opens the Section 301 case with its initiation clock."""
    from tradepolicy.services import special301 as svc

    when = _date(date, "--date")
    assert when is not None
    case = svc.designate_pfc(iso3, when, actor=_principal().name)
    if as_json:
        print_json(case.to_dict())
        return
    print_table([d.to_dict() for d in case.deadlines], ["clock_id", "title", "due_date", "flag"],
                title=f"Case {case.id}")


# ------------------------------------------------------------------------------------------ TFA
@tfa_app.command("import")
def tfa_import(file: Annotated[Path, typer.Argument(help="TFA Database spreadsheet (.xlsx or .csv) you downloaded.")],
               as_json: JsonOpt = False) -> None:
    """Import TFA commitments from the TFA Database bulk spreadsheet (all rows or none)."""
    from tradepolicy.services import tfa
    from tradepolicy.store.db import transaction

    if not file.is_file():
        raise InputError(f"No file {str(file)!r}.", where=str(file), field="file", expected="an existing file",
                         example="tfa_database.xlsx")
    with transaction() as s:
        res = tfa.import_file(s, _principal(), file.read_bytes(), file.name)
    emit(res.to_dict(), as_json=as_json)


@tfa_app.command("example")
def tfa_example(as_json: JsonOpt = False) -> None:
    """Load the hand-made ILLUSTRATIVE example set (fictitious Members XEA..XED)."""
    from tradepolicy.services import tfa
    from tradepolicy.store.db import transaction

    with transaction() as s:
        res = tfa.seed_example(s, _principal().name)
    emit(res.to_dict(), as_json=as_json)


@tfa_app.command("rate")
def tfa_rate(
    member: Annotated[str, typer.Argument(help="Member code (ISO3).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date (default: the latest 22 February).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a Member's rate of implementation commitments (TFA Database methodology)."""
    from tradepolicy.services import tfa
    from tradepolicy.store.db import transaction

    with transaction() as s:
        r = tfa.rate(s, _principal(), member, as_of=_date(as_of, "--as-of"))
    if as_json:
        print_json(r.to_dict())
        return
    console.print(f"{r.member} on {r.on}: [bold]{r.rate:.2%}[/] ({r.committed_items} of {r.total_items} items; "
                  f"{r.not_designated_items} not designated, {r.unknown_items} without a date).", highlight=False)
    console.print(r.method, highlight=False)


@tfa_app.command("report")
def tfa_report(
    member: Annotated[str, typer.Argument(help="Member code.")],
    fmt: Annotated[str, typer.Option("--format", help="html | pdf")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Output file (required for pdf).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date.")] = None,
) -> None:
    """Render a country readiness report: rate by year, Art. 16/17 dates, notifications, programmes."""
    from tradepolicy.services import tfa
    from tradepolicy.store.db import transaction

    with transaction() as s:
        rd = tfa.readiness(s, _principal(), member, as_of=_date(as_of, "--as-of"))
    _write_out(tfa_render(rd, fmt), out, fmt)


def register_barriers(app: typer.Typer) -> None:
    """Add ``tradepolicy barriers``."""
    app.add_typer(barriers_app, name="barriers")


def register_nte(app: typer.Typer) -> None:
    """Add ``tradepolicy nte``."""
    app.add_typer(nte_app, name="nte")


def register_special301(app: typer.Typer) -> None:
    """Add ``tradepolicy special301``."""
    app.add_typer(special301_app, name="special301")


def register_tfa(app: typer.Typer) -> None:
    """Add ``tradepolicy tfa``."""
    app.add_typer(tfa_app, name="tfa")
