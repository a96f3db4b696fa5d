"""CLI of the coordination domain: ``docket``, ``exclusions``, ``clearance``, ``congress``, ``committees``.

Commands parse, call a service in one transaction and render. The CLI acts as
``TRADEPOLICY_USER`` (``services.people.cli_principal``): like every principal it needs a grant
to read BCI or restricted items.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit
from tradepolicy.errors import InputError
from tradepolicy.platform.principal import Principal

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

docket_app = typer.Typer(help="Public comment dockets: open, submit (public and BCI versions), post, search, export, report.",
                         no_args_is_help=True)
exclusions_app = typer.Typer(help="Section 301 product exclusions: request, respond, decide, list.", no_args_is_help=True)
clearance_app = typer.Typer(help="Interagency clearance (TPSC -> TPRG -> Cabinet): start, position, status.",
                            no_args_is_help=True)
congress_app = typer.Typer(help="Congressional consultations and notifications of a negotiation case.", no_args_is_help=True)
committees_app = typer.Typer(help="Trade advisory committees: list, show, members, meetings, reports.", no_args_is_help=True)


def _principal() -> Principal:
    """Return the CLI's principal: the stored user ``TRADEPOLICY_USER`` names, else the local operator."""
    from tradepolicy.services.people import cli_principal

    return cli_principal()


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"Malformed date {value!r}.", field=name, expected="YYYY-MM-DD", example="2026-01-15") from None


def _read(path: Path | None, name: str) -> tuple[str, bytes] | None:
    if path is None:
        return None
    from tradepolicy.coordination.files import MAX_FILE_BYTES

    if not path.is_file():
        raise InputError(f"No file {str(path)!r}.", field=name, expected="a readable file", example="P_acme.pdf")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"File {path.name!r} is {path.stat().st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes.",
                         field=name, expected=f"at most {MAX_FILE_BYTES:,} bytes", example="split the exhibits")
    return path.name, path.read_bytes()


def _split(values: list[str] | None) -> list[str]:
    return [x.strip() for v in values or [] for x in v.split(",") if x.strip()]


# --------------------------------------------------------------------------- docket


@docket_app.command("open")
def docket_open(
    docket_id: Annotated[str, typer.Argument(help="Docket id, e.g. USTR-2026-0001.")],
    title: Annotated[str, typer.Option(help="The notice's title.")],
    procedure: Annotated[str, typer.Option(help="comment_docket | s301_review | s301_exclusions")],
    opens: Annotated[str, typer.Option(help="Date the docket opens (YYYY-MM-DD).")],
    hearing: Annotated[str | None, typer.Option(help="Hearing date (starts the rebuttal window).")] = None,
    notice_rule: Annotated[list[str] | None, typer.Option("--notice-rule", help="WINDOW=RULE_ID: a date rule taken from the notice (e.g. comments=docket.ustr_2022_0014.closes).")] = None,
    notice: Annotated[str, typer.Option(help="Citation of the notice opening the docket.")] = "",
    signed_in_only: Annotated[bool, typer.Option("--signed-in-only", help="Refuse anonymous submissions.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Open a docket; its windows come from the procedure's cited rules."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    rules = {}
    for spec in notice_rule or []:
        k, _, v = spec.partition("=")
        if not v:
            raise InputError(f"Malformed --notice-rule {spec!r}.", field="notice_rule", expected="WINDOW=RULE_ID",
                             example="comments=docket.ustr_2022_0014.closes")
        rules[k.strip()] = v.strip()
    with transaction() as s:
        info = svc.open_docket(s, _principal(), docket_id=docket_id, title=title, procedure=procedure,
                               opens=_date(opens, "opens") or dt.date.today(), hearing=_date(hearing, "hearing"),
                               notice_rules=rules or None, allow_public=not signed_in_only, notice=notice)
    if as_json:
        emit(info.to_dict(), as_json=True)
        return
    console.print(f"[bold]{info.id}[/] {info.title} ({info.procedure})", highlight=False)
    emit([{**w, "flag": "confirmed" if w["confirmed"] else "UNCONFIRMED"} for w in info.windows], as_json=False,
         columns=["kind", "opens", "closes", "rule_id", "flag", "citation"])


@docket_app.command("list")
def docket_list(as_json: JsonOpt = False) -> None:
    """List the dockets with their comment counts."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        rows = [d.to_dict() for d in svc.list_dockets(s, _principal())]
    emit(rows if as_json else [{**r, "comments": sum(r["counts"].values())} for r in rows], as_json=as_json,
         columns=["id", "title", "procedure", "opens", "comments", "is_example"])


@docket_app.command("submit")
def docket_submit(
    docket_id: Annotated[str, typer.Argument(help="Docket id.")],
    commenter: Annotated[str, typer.Option(help="Commenter's name.")],
    commenter_type: Annotated[str, typer.Option("--type", help="company | association | government | individual")] = "individual",
    organization: Annotated[str, typer.Option(help="Organisation.")] = "",
    file: Annotated[Path | None, typer.Option(help="The (public version) file: PDF, DOCX, XLSX, CSV or TXT.")] = None,
    bci_file: Annotated[Path | None, typer.Option("--bci-file", help="The BCI version (name begins with 'BCI').")] = None,
    text_body: Annotated[str | None, typer.Option("--text", help="Comment text (instead of a file).")] = None,
    attach: Annotated[list[Path] | None, typer.Option("--attach", help="A public attachment (repeat).")] = None,
    attach_bci: Annotated[list[Path] | None, typer.Option("--attach-bci", help="A BCI attachment (repeat).")] = None,
    hts: Annotated[list[str] | None, typer.Option(help="HTS codes concerned (repeat or comma-separated).")] = None,
    country: Annotated[list[str] | None, typer.Option(help="ISO3 countries concerned (repeat or comma-separated).")] = None,
    window: Annotated[str, typer.Option(help="comments | hearing_requests | rebuttals")] = "comments",
    title: Annotated[str, typer.Option(help="Title of the submission.")] = "",
    received: Annotated[str | None, typer.Option(help="Received date (default today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Submit a comment: a public version, or a BCI version with its public version, and attachments."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    def up(p: Path | None, name: str, label: str = "public") -> svc.Upload | None:
        got = _read(p, name)
        return svc.Upload(got[0], got[1], label) if got else None

    atts = [a for a in [up(p, "attach") for p in attach or []] + [up(p, "attach_bci", "bci") for p in attach_bci or []] if a]
    with transaction() as s:
        res = svc.submit(s, _principal(), docket_id=docket_id, commenter_name=commenter, commenter_type=commenter_type,
                         organization=organization, title=title, text_body=text_body, file=up(file, "file"),
                         bci_file=up(bci_file, "bci_file"), attachments=atts, hts=_split(hts), countries=_split(country),
                         window=window, received_on=_date(received, "received"), where="cli")
    if as_json:
        emit(res.to_dict(), as_json=True)
        return
    c = res.comment
    console.print(f"received [bold]{c.comment_id}[/] ({c.status}); cluster {c.cluster_id} ({c.cluster_size}); "
                  f"BCI version: {'yes, ' + str(res.bci_spans) + ' bracketed item(s)' if c.has_bci else 'no'}; "
                  f"attachments: {len(res.attachment_ids)}", highlight=False)


def _status(comment_id: str, status: str, note: str | None, duplicate_of: str | None, as_json: bool) -> None:
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        v = svc.set_status(s, _principal(), comment_id, status, note=note, duplicate_of=duplicate_of)
    if as_json:
        emit(v.to_dict(), as_json=True)
    else:
        console.print(f"{v.comment_id}: {v.status}", highlight=False)


@docket_app.command("screen")
def docket_screen(comment_id: Annotated[str, typer.Argument()], note: Annotated[str | None, typer.Option()] = None,
                  as_json: JsonOpt = False) -> None:
    """Mark a received comment as screened."""
    _status(comment_id, "screened", note, None, as_json)


@docket_app.command("post")
def docket_post(comment_id: Annotated[str, typer.Argument()], note: Annotated[str | None, typer.Option()] = None,
                as_json: JsonOpt = False) -> None:
    """Post a comment (its public version) to the public docket."""
    _status(comment_id, "posted", note, None, as_json)


@docket_app.command("withdraw")
def docket_withdraw(comment_id: Annotated[str, typer.Argument()], note: Annotated[str | None, typer.Option()] = None,
                    as_json: JsonOpt = False) -> None:
    """Withdraw a comment (kept in the history, off the public docket)."""
    _status(comment_id, "withdrawn", note, None, as_json)


@docket_app.command("duplicate")
def docket_duplicate(comment_id: Annotated[str, typer.Argument()], of: Annotated[str, typer.Option("--of")],
                     note: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
    """Mark a comment as a duplicate of another."""
    _status(comment_id, "duplicate", note, of, as_json)


@docket_app.command("search")
def docket_search(docket_id: Annotated[str, typer.Argument()], query: Annotated[str, typer.Argument()],
                  status: Annotated[str | None, typer.Option()] = None,
                  commenter_type: Annotated[str | None, typer.Option("--type")] = None,
                  limit: Annotated[int, typer.Option(min=1, max=500)] = 20, as_json: JsonOpt = False) -> None:
    """Full-text search over a docket's comments and attachments."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        r = svc.search(s, _principal(), docket_id, query, status=status, commenter_type=commenter_type, limit=limit)
    if as_json:
        emit(r.to_dict(), as_json=True)
        return
    console.print(f"{r.total_label} comment(s) match {r.query!r}"
                  + (" (count stops there; best matches first)" if r.total_capped else ""), highlight=False)
    emit([c.public_row() for c in r.comments], as_json=False,
         columns=["comment_id", "commenter_name", "organization", "commenter_type", "status", "cluster_size"])


@docket_app.command("export")
def docket_export(docket_id: Annotated[str, typer.Argument()],
                  fmt: Annotated[str, typer.Option("--format", help="csv | json")] = "csv",
                  out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None) -> None:
    """Export the public fields of a docket's visible comments (never BCI)."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction
    from tradepolicy.web.coordination_render import csv_text

    if fmt not in ("csv", "json"):
        raise InputError(f"Unknown format {fmt!r}.", field="format", expected="csv | json", example="csv")
    with transaction() as s:
        rows = [v.public_row() for v in svc.export_rows(s, _principal(), docket_id)]
    body = csv_text(rows, svc.PUBLIC_FIELDS) if fmt == "csv" else json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if out:
        out.write_text(body, encoding="utf-8")
        console.print(f"wrote {len(rows)} comment(s) to {out}", highlight=False)
    else:
        typer.echo(body, nl=False)


@docket_app.command("report")
def docket_report(docket_id: Annotated[str, typer.Argument()],
                  fmt: Annotated[str, typer.Option("--format", help="html | pdf")] = "html",
                  out: Annotated[Path | None, typer.Option(help="Output file (default DOCKET-summary.html/.pdf).")] = None) -> None:
    """Write the comments summary report (by commenter type, HTS chapter, country)."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction
    from tradepolicy.web.coordination_render import docket_report as render

    if fmt not in ("html", "pdf"):
        raise InputError(f"Unknown format {fmt!r}.", field="format", expected="html | pdf", example="pdf")
    with transaction() as s:
        summ = svc.summary(s, _principal(), docket_id)
    data = render(summ, fmt)
    path = out or Path(f"{summ.docket.id}-summary.{fmt}")
    path.write_bytes(data)
    console.print(f"wrote {path} ({len(data):,} bytes; {summ.total} comment(s))", highlight=False)


@docket_app.command("import")
def docket_import(path: Annotated[Path, typer.Argument(help="A regulations.gov v4 JSON response (dockets, documents or comments).")],
                  docket_id: Annotated[str | None, typer.Option(help="Docket for items that do not name one.")] = None,
                  as_json: JsonOpt = False) -> None:
    """Import a regulations.gov v4 API response."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    got = _read(path, "path")
    assert got is not None
    try:
        payload = json.loads(got[1])
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name} is not JSON: {exc.msg} (line {exc.lineno}).", where=str(path), field="path",
                         expected="a regulations.gov v4 JSON response", example='{"data": [...]}') from None
    with transaction() as s:
        out = svc.import_v4(s, _principal(), payload, docket_id=docket_id, where=path.name)
    emit(out.to_dict(), as_json=as_json)


@docket_app.command("show")
def docket_show(docket_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Show a docket: windows, counts, form-letter clusters."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        page = svc.docket_page(s, _principal(), docket_id, per_page=10)
    if as_json:
        emit(page.to_dict(), as_json=True)
        return
    d = page.docket
    console.print(f"[bold]{d.id}[/] {d.title}{' (EXAMPLE)' if d.is_example else ''}", highlight=False)
    emit([{**w, "flag": "confirmed" if w["confirmed"] else "UNCONFIRMED"} for w in d.windows], as_json=False,
         columns=["kind", "opens", "closes", "rule_id", "flag"])
    console.print("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(d.counts.items())), highlight=False)
    if page.clusters:
        emit([c.to_dict() for c in page.clusters], as_json=False, columns=["cluster_id", "count", "title"],
             title="Form-letter clusters")


# --------------------------------------------------------------------------- exclusions


@exclusions_app.command("request")
def excl_request(
    docket_id: Annotated[str, typer.Argument(help="The exclusions docket.")],
    requester: Annotated[str, typer.Option()], hts10: Annotated[str, typer.Option("--hts10")],
    product: Annotated[str, typer.Option()], rationale: Annotated[str, typer.Option()],
    bci_data: Annotated[str, typer.Option("--bci-data", help="Business-confidential data (sales, sourcing).")] = "",
    on: Annotated[str | None, typer.Option("--on", help="Request date (default today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """File a product exclusion request."""
    from tradepolicy.services import exclusions as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        v = svc.request_exclusion(s, _principal(), docket_id=docket_id, requester=requester, hts10=hts10, product=product,
                                  rationale=rationale, bci_data=bci_data, requested_on=_date(on, "on"))
    emit(v.to_dict(), as_json=as_json)


@exclusions_app.command("respond")
def excl_respond(request_id: Annotated[str, typer.Argument()], party: Annotated[str, typer.Option()],
                 position: Annotated[str, typer.Option(help="object | support")], text_body: Annotated[str, typer.Option("--text")],
                 on: Annotated[str | None, typer.Option("--on")] = None, as_json: JsonOpt = False) -> None:
    """File an objection or a statement of support."""
    from tradepolicy.services import exclusions as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        v = svc.respond(s, _principal(), request_id, party=party, position=position, text=text_body, filed_on=_date(on, "on"))
    emit(v.to_dict(), as_json=as_json)


@exclusions_app.command("decide")
def excl_decide(request_id: Annotated[str, typer.Argument()],
                decision: Annotated[str, typer.Option(help="granted | denied")],
                published: Annotated[str, typer.Option(help="Publication date of the decision notice.")],
                notice: Annotated[str, typer.Option(help="Citation of the notice.")],
                effective_from: Annotated[str | None, typer.Option("--from", help="Start (earlier than --published = retroactive).")] = None,
                until: Annotated[str | None, typer.Option(help="End (default: per s301.exclusion_validity).")] = None,
                reason: Annotated[str, typer.Option()] = "", as_json: JsonOpt = False) -> None:
    """Decide a request; a grant enters the duty stack inside its window."""
    from tradepolicy.services import exclusions as svc
    from tradepolicy.store.db import transaction

    pub = _date(published, "published")
    assert pub is not None
    with transaction() as s:
        v = svc.decide(s, _principal(), request_id, decision=decision, published=pub, notice=notice,
                       effective_from=_date(effective_from, "from"), effective_until=_date(until, "until"), reason=reason)
    emit(v.to_dict(), as_json=as_json)


@exclusions_app.command("list")
def excl_list(status: Annotated[str | None, typer.Option()] = None,
              history: Annotated[bool, typer.Option("--history", help="The real China exclusions 2018-2020 (dataset).")] = False,
              hts10: Annotated[str | None, typer.Option("--hts10")] = None, as_json: JsonOpt = False) -> None:
    """List exclusion requests (or, with --history, the granted China exclusions of the dataset)."""
    from tradepolicy.services import exclusions as svc
    from tradepolicy.store.db import transaction

    if history:
        emit([h.to_dict() for h in svc.history(hts10=hts10)], as_json=as_json, columns=["hts10", "heading", "notice", "start", "end"])
        return
    with transaction() as s:
        rows = [v.to_dict() for v in svc.list_exclusions(s, _principal(), status=status)]
    emit(rows, as_json=as_json, columns=["id", "status", "docket_id", "requester", "hts10", "product", "response_due"])


# --------------------------------------------------------------------------- clearance


@clearance_app.command("start")
def clr_start(doc: Annotated[Path, typer.Argument(help="The restricted document to clear.")],
              levels: Annotated[str, typer.Option(help="Levels in order, e.g. tpsc,tprg or tpsc,tprg,cabinet.")],
              agencies: Annotated[str, typer.Option(help="Agency ids of the registry, comma-separated.")],
              due: Annotated[str, typer.Option(help="Due date of positions at the first level.")],
              title: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
    """Start clearing a restricted document."""
    from tradepolicy.services import clearance as svc
    from tradepolicy.store.db import transaction

    got = _read(doc, "doc")
    assert got is not None
    d = _date(due, "due")
    assert d is not None
    with transaction() as s:
        v = svc.start(s, _principal(), title=title or got[0], levels=levels.split(","), agencies=agencies.split(","),
                      due=d, content=got[1], filename=got[0])
    emit(v.to_dict(), as_json=as_json)


@clearance_app.command("position")
def clr_position(clearance_id: Annotated[str, typer.Argument()], agency: Annotated[str, typer.Option()],
                 position: Annotated[str, typer.Option(help="concur | non_concur | comment")],
                 comment: Annotated[str, typer.Option()] = "", on: Annotated[str | None, typer.Option("--on")] = None,
                 as_json: JsonOpt = False) -> None:
    """Record an agency's position."""
    from tradepolicy.services import clearance as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        v = svc.position(s, _principal(), clearance_id, agency=agency, position=position, comment=comment,
                         on=_date(on, "on"), where="cli")
    emit(v.to_dict(), as_json=as_json)


@clearance_app.command("status")
def clr_status(clearance_id: Annotated[str, typer.Argument()], on: Annotated[str | None, typer.Option("--on")] = None,
               as_json: JsonOpt = False) -> None:
    """Show a clearance (a missed due date escalates it)."""
    from tradepolicy.services import clearance as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        v = svc.status(s, _principal(), clearance_id, today=_date(on, "on"), where="cli")
        trail = [t.to_dict() for t in svc.history(s, _principal(), clearance_id, where="cli")]
    if as_json:
        emit({**v.to_dict(), "history": trail}, as_json=True)
        return
    console.print(f"[bold]{v.id}[/] {v.title}: {v.outcome} at {v.level_title} (due {v.due}) - {v.reason}", highlight=False)
    emit(list(v.positions), as_json=False, columns=["level", "agency", "position", "on", "late", "comment"])
    emit(trail, as_json=False, columns=["version", "at", "by", "status", "level", "note"], title="Audit trail")


# --------------------------------------------------------------------------- congress


@congress_app.command("log")
def congress_log(case_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Show a negotiation case's congressional record beside the law engine's deadlines."""
    from tradepolicy.services import congress as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        log = svc.congress_log(s, _principal(), case_id)
    if as_json:
        emit(log.to_dict(), as_json=True)
        return
    emit([e.to_dict() for e in log.entries], as_json=False, columns=["date", "entry", "committee", "note"], title=f"{log.title}: record")
    emit([d.to_dict() for d in log.deadlines], as_json=False, columns=["clock_id", "due_date", "status", "actual_date", "rule_id"],
         title="Deadlines (law engine)")


@congress_app.command("record")
def congress_record(case_id: Annotated[str, typer.Argument()],
                    entry: Annotated[str, typer.Option(help="e.g. notice_of_intent_to_initiate, committee_consultation, notice_of_intent_to_enter, usitc_report")],
                    date: Annotated[str, typer.Option()], committee: Annotated[str | None, typer.Option()] = None,
                    note: Annotated[str, typer.Option()] = "", as_json: JsonOpt = False) -> None:
    """Record a notification or consultation (an event of the case)."""
    from tradepolicy.services import congress as svc
    from tradepolicy.store.db import transaction

    d = _date(date, "date")
    assert d is not None
    with transaction() as s:
        log = svc.log_entry(s, _principal(), case_id, entry=entry, date=d, committee=committee, note=note)
    emit(log.to_dict() if as_json else [e.to_dict() for e in log.entries], as_json=as_json,
         columns=["date", "entry", "committee", "note"])


# --------------------------------------------------------------------------- committees


@committees_app.command("list")
def committees_list(as_json: JsonOpt = False) -> None:
    """List the advisory committees with their statutory basis."""
    from tradepolicy.services import committees as svc

    rows = [{**c.to_dict(), "flag": c.flag} for c in svc.committees().values()]
    emit(rows, as_json=as_json, columns=["id", "name", "tier", "citation", "flag"])


@committees_app.command("show")
def committees_show(committee: Annotated[str, typer.Argument()],
                    case: Annotated[str | None, typer.Option(help="Negotiation case for the report due date.")] = None,
                    as_json: JsonOpt = False) -> None:
    """Show a committee: charter, members, meetings, reports, report due date."""
    from tradepolicy.services import committees as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        v = svc.get_committee(s, _principal(), committee, case_id=case)
    emit(v.to_dict(), as_json=as_json)


@committees_app.command("member")
def committees_member(committee: Annotated[str, typer.Argument()], name: Annotated[str, typer.Option()],
                      organization: Annotated[str, typer.Option()] = "",
                      cleared: Annotated[bool, typer.Option("--cleared/--not-cleared")] = False,
                      as_json: JsonOpt = False) -> None:
    """Appoint a member (with cleared status)."""
    from tradepolicy.services import committees as svc
    from tradepolicy.store.db import transaction

    with transaction() as s:
        out = svc.add_member(s, _principal(), committee, name=name, organization=organization, cleared=cleared)
    emit(out.to_dict(), as_json=as_json)


@committees_app.command("meeting")
def committees_meeting(committee: Annotated[str, typer.Argument()], date: Annotated[str, typer.Option()],
                       notice: Annotated[str, typer.Option()], minutes: Annotated[str, typer.Option()] = "",
                       as_json: JsonOpt = False) -> None:
    """Record a meeting (notice and minutes)."""
    from tradepolicy.services import committees as svc
    from tradepolicy.store.db import transaction

    d = _date(date, "date")
    assert d is not None
    with transaction() as s:
        out = svc.add_meeting(s, _principal(), committee, date=d, notice=notice, minutes=minutes)
    emit(out.to_dict(), as_json=as_json)


@committees_app.command("report")
def committees_report(committee: Annotated[str, typer.Argument()], case: Annotated[str, typer.Option()],
                      date: Annotated[str, typer.Option()], title: Annotated[str, typer.Option()],
                      as_json: JsonOpt = False) -> None:
    """File a committee's report on an agreement (due date from the law engine)."""
    from tradepolicy.services import committees as svc
    from tradepolicy.store.db import transaction

    d = _date(date, "date")
    assert d is not None
    with transaction() as s:
        out = svc.file_report(s, _principal(), committee, case_id=case, date=d, title=title)
    emit(out.to_dict(), as_json=as_json)


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
    app.add_typer(docket_app, name="docket")
    app.add_typer(exclusions_app, name="exclusions")
    app.add_typer(clearance_app, name="clearance")
    app.add_typer(congress_app, name="congress")
    app.add_typer(committees_app, name="committees")
