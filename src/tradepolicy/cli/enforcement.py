"""CLI of the enforcement desk: ``disputes``, ``usmca``, ``s301`` and ``priorities`` command groups.

Each command parses, calls a service and renders (table or ``--json``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

disputes_app = typer.Typer(help="WTO dispute registry: load, list (US as complainant/respondent, by agreement, "
                                "by status), show, add, appeals into the void and the MPIA.", no_args_is_help=True)
usmca_app = typer.Typer(help="USMCA enforcement: Chapter 31 disputes, RRM cases and statistics, the 2026 "
                             "joint review clock.", no_args_is_help=True)
s301_app = typer.Typer(help="Section 301 action design: action list (MILP), FR annex, retaliation exposure.",
                       no_args_is_help=True)
priorities_app = typer.Typer(help="Priority dashboards (China, USMCA, WTO reform) as JSON or PDF.",
                             no_args_is_help=True)


def _asdict(x: Any) -> Any:
    return dataclasses.asdict(x) if dataclasses.is_dataclass(x) and not isinstance(x, type) else x


# --------------------------------------------------------------------------- disputes
@disputes_app.command("load")
def disputes_load(no_dataset: Annotated[bool, typer.Option("--no-dataset", help="Only the transcribed "
                                                          "disputes and reform records.")] = False,
                  as_json: JsonOpt = False) -> None:
    """Load DS1-DS538 (wto-disputes), the transcribed later disputes and the reform records (idempotent)."""
    from tradepolicy.services.disputes import load_registry

    rep = load_registry(include_dataset=not no_dataset)
    emit(_asdict(rep), as_json=as_json)


@disputes_app.command("list")
def disputes_list(us: Annotated[str | None, typer.Option(help="complainant | respondent")] = None,
                  agreement: Annotated[str | None, typer.Option(help='e.g. "GATT 1994"')] = None,
                  status: Annotated[str | None, typer.Option(help="Text contained in the status.")] = None,
                  as_json: JsonOpt = False) -> None:
    """List registry disputes (filters combine)."""
    from tradepolicy.services.disputes import list_disputes

    rows = [r.to_dict() for r in list_disputes(us=us, agreement=agreement, status=status)]
    emit(rows, as_json=as_json, columns=["ds", "complainants", "respondent", "consultations_requested", "stage",
                                         "status", "confirmed"])


@disputes_app.command("show")
def disputes_show(ds: str, as_json: JsonOpt = False) -> None:
    """Show one dispute (DS number)."""
    from tradepolicy.services.disputes import get_dispute

    emit(get_dispute(ds).to_dict(), as_json=as_json)


@disputes_app.command("add")
def disputes_add(ds: str, title: Annotated[str, typer.Option()], complainant: Annotated[list[str], typer.Option()],
                 respondent: Annotated[str, typer.Option()],
                 consultations: Annotated[str, typer.Option(help="Date of the consultation request")],
                 source: Annotated[str, typer.Option(help="Document symbol or URL")],
                 third_party: Annotated[list[str] | None, typer.Option()] = None,
                 agreement: Annotated[list[str] | None, typer.Option(help='e.g. "GATT 1994: Art. I"')] = None,
                 unconfirmed: Annotated[bool, typer.Option("--unconfirmed")] = False,
                 as_json: JsonOpt = False) -> None:
    """Enter a later dispute with its consultation request and source."""
    from tradepolicy.services.disputes import add_dispute

    row = add_dispute(ds, title=title, complainants=complainant, respondent=respondent,
                      consultations_requested=consultations, third_parties=third_party or [],
                      agreements_cited=agreement or [], source=source, confirmed=not unconfirmed)
    emit(row.to_dict(), as_json=as_json)


@disputes_app.command("by")
def disputes_by(what: Annotated[str, typer.Argument(help="agreement | status")], as_json: JsonOpt = False) -> None:
    """Count disputes by agreement cited or by status, with the US as complainant / respondent."""
    from tradepolicy.errors import InputError
    from tradepolicy.services.disputes import by_agreement, by_status

    if what not in ("agreement", "status"):
        raise InputError(f"Unknown view {what!r}.", field="what", expected="agreement | status", example="agreement")
    rows = [_asdict(r) for r in (by_agreement() if what == "agreement" else by_status())]
    emit(rows, as_json=as_json, columns=["key", "disputes", "us_complainant", "us_respondent"])


@disputes_app.command("reform")
def disputes_reform(as_json: JsonOpt = False) -> None:
    """Appellate Body vacancy, appeals into the void (from the registry), MPIA participants, reform records."""
    from tradepolicy.services.disputes import reform_overview

    ov = reform_overview()
    out = ov.to_dict()
    if as_json:
        emit(out, as_json=True)
        return
    console.print(f"Appellate Body inoperative since {ov.ab_inoperative_from} ({ov.citation}): "
                  f"{ov.days_without_ab} days as of {ov.as_of}")
    emit(out["appeals_into_void"], as_json=False, columns=["ds", "respondent", "complainants", "appealed_on",
                                                            "confirmed"], title="Appeals into the void")
    emit(out["mpia_participants"], as_json=False, columns=["member", "joined", "confirmed"], title="MPIA")


# --------------------------------------------------------------------------- usmca
@usmca_app.command("load")
def usmca_load(as_json: JsonOpt = False) -> None:
    """Store the transcribed Chapter 31 disputes, RRM cases and the 2026 joint review (idempotent)."""
    from tradepolicy.services.usmca import load_cases

    emit(_asdict(load_cases()), as_json=as_json)


@usmca_app.command("rrm")
def usmca_rrm(as_json: JsonOpt = False) -> None:
    """List RRM cases (facility, sector, request date, Mexico's response, remediation, outcome) and statistics."""
    from tradepolicy.services.usmca import RRM_COLUMNS, rrm_cases, rrm_stats

    rows = rrm_cases()
    if as_json:
        emit({"cases": [r.to_dict() for r in rows], "stats": _asdict(rrm_stats(rows))}, as_json=True)
        return
    emit([r.to_dict() for r in rows], as_json=False, columns=RRM_COLUMNS[:8])
    emit(_asdict(rrm_stats(rows)), as_json=False)


@usmca_app.command("ch31")
def usmca_ch31(as_json: JsonOpt = False) -> None:
    """List the Chapter 31 disputes."""
    from tradepolicy.services.usmca import ch31_disputes

    emit([r.to_dict() for r in ch31_disputes()], as_json=as_json, columns=["id", "complainant", "respondent", "stage",
                                                      "consultations_requested", "panel_requested", "outcome"])


@usmca_app.command("joint-review")
def usmca_joint_review(as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
                       as_json: JsonOpt = False) -> None:
    """Show the 2026 joint review: stage, clocks (cited rules), outcome paths."""
    from tradepolicy.law.dates import parse_date
    from tradepolicy.services.usmca import joint_review_clock

    jr = joint_review_clock(as_of=parse_date(as_of, field="as_of") if as_of else None).to_dict()
    if as_json:
        emit(jr, as_json=True)
        return
    console.print(f"Joint review {jr['review_date']} ({jr['days_to_review']:+d} days) - stage {jr['stage_title']}")
    emit(jr["deadlines"], as_json=False, columns=["clock_id", "due_date", "status", "citation", "flag"])
    for path, rows in jr["outcome_paths"].items():
        emit(rows, as_json=False, columns=["clock_id", "due_date", "citation"], title=f"If {path}")


# --------------------------------------------------------------------------- s301
@s301_app.command("action-list")
def s301_action_list(
    partner: Annotated[str, typer.Option(help="ISO3 of a partner in the import data, e.g. BRA")],
    target_usd: Annotated[float, typer.Option(help="Trade value to cover (USD)")],
    year: Annotated[int, typer.Option(help="Import data year (2024)")] = 2024,
    exclude_chapters: Annotated[list[str] | None, typer.Option(help="HS chapters to leave out, e.g. 27,71")] = None,
    max_consumer_share: Annotated[float | None, typer.Option(help="Cap on the consumer-goods share of the list")] = None,
    max_supplier_share: Annotated[float | None, typer.Option(help="Leave out lines where the partner's supplier "
                                                              "share exceeds this")] = None,
    overshoot: Annotated[float, typer.Option(help="Allowed coverage above the target (share)")] = 0.05,
    rate: Annotated[float, typer.Option(help="Additional duty for the PE estimate (0.25 = 25%)")] = 0.25,
    annex: Annotated[Path | None, typer.Option(help="Write the Federal Register annex (HTS8) here")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Pick HTS lines reaching the target under the constraints (scipy.optimize.milp), with coverage, shares, PE."""
    from tradepolicy.services.s301 import action_list, annex_text

    res = action_list(partner, target_usd, year, exclude_chapters=exclude_chapters,
                      max_consumer_share=max_consumer_share, max_supplier_share=max_supplier_share,
                      overshoot=overshoot, rate=rate)
    if annex is not None:
        annex.write_text(annex_text(res), encoding="utf-8")
    if as_json:
        emit(res.to_dict(), as_json=True)
        return
    console.print(f"{res.partner_name}: {len(res.lines)} lines, coverage {res.coverage_usd:,.0f} USD of target "
                  f"{res.target_usd:,.0f} ({res.status}, gap {res.mip_gap}); consumer share {res.consumer_share:.1%}")
    emit([{k: getattr(x, k) for k in ("hts10", "partner_value_usd", "supplier_share", "consumer_weight",
                                      "description")} for x in res.lines[:40]], as_json=False,
         title="First 40 lines (use --json for all)")
    console.print({k: v for k, v in (res.pe.to_dict() if res.pe else {}).items() if k not in ("elasticities",)})
    for n in res.notes:
        console.print(f"note: {n}")
    if annex is not None:
        console.print(f"wrote {annex}")


@s301_app.command("retaliation")
def s301_retaliation(exports: Annotated[Path, typer.Option(help="CSV of US exports: hs,value_usd")],
                     codes: Annotated[str, typer.Option(help="The partner's counter-measure HS codes, comma-separated")],
                     as_json: JsonOpt = False) -> None:
    """US exports exposed to a partner's announced counter-measures (HS prefixes)."""
    import pandas as pd

    from tradepolicy.errors import InputError
    from tradepolicy.services.s301 import retaliation_exposure

    if not exports.is_file():
        raise InputError(f"No file {exports}.", field="exports", expected="a CSV file hs,value_usd",
                         example="exports.csv")
    if exports.stat().st_size > 50_000_000:
        raise InputError("The exports file is over 50 MB.", field="exports", expected="<= 50 MB",
                         example="aggregate to HS6")
    df = pd.read_csv(exports, dtype={"hs": str})
    emit(_asdict(retaliation_exposure(df, codes.split(","))), as_json=as_json)


# --------------------------------------------------------------------------- priorities
@priorities_app.command("show")
def priorities_show(name: Annotated[str, typer.Argument(help="china | usmca | wto-reform")],
                    fmt: Annotated[str, typer.Option("--format", help="json | pdf")] = "json",
                    out: Annotated[Path | None, typer.Option("--out", help="Write here (PDF needs it)")] = None) -> None:
    """Render a priority dashboard as JSON or PDF."""
    from tradepolicy.errors import InputError
    from tradepolicy.services.priorities import dashboard
    from tradepolicy.web.pages.enforcement import dashboard_pdf

    if fmt == "json":
        data = dashboard(name).json_dict()
        if out:
            import json

            out.write_text(json.dumps(data, default=str, indent=1), encoding="utf-8")
            console.print(f"wrote {out}")
        else:
            emit(data, as_json=True)
        return
    if fmt != "pdf":
        raise InputError(f"Unknown format {fmt!r}.", field="format", expected="json | pdf", example="pdf")
    if out is None:
        raise InputError("A PDF needs --out FILE.", field="out", expected="a file path", example="china.pdf")
    out.write_bytes(dashboard_pdf(name))
    console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add the enforcement command groups."""
    app.add_typer(disputes_app, name="disputes")
    app.add_typer(usmca_app, name="usmca")
    app.add_typer(s301_app, name="s301")
    app.add_typer(priorities_app, name="priorities")
