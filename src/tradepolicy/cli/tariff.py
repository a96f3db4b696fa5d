"""CLI commands of the tariff domain: ``tradepolicy tariff show|stack|batch|offer|search|indicators``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, print_json, progress

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

tariff_app = typer.Typer(help="Tariff schedules, duty stacks, offers and indicators.",
                         no_args_is_help=True)


@tariff_app.command("show")
def show(
    hts: Annotated[str, typer.Argument(help="HTS code, e.g. 0101.30.00.00")],
    edition: Annotated[int, typer.Option(help="HTS edition: 2024 or 2025")] = 2025,
    as_json: JsonOpt = False,
) -> None:
    """Show one HTS code: path, units, rates (as printed and parsed), Ch.99 references, children."""
    from tradepolicy.services import tariffs as svc

    data = svc.show(hts, edition=edition).to_dict()
    if as_json:
        print_json(data)
        return
    head = {k: data[k] for k in ("hts", "edition", "level", "path", "units", "general", "special",
                                 "col2", "rate_from", "ch99_refs", "citation")}
    emit(head, as_json=False, title=f"HTS {data['hts']}")
    if data["children"]:
        emit(data["children"], as_json=False, columns=["hts", "description", "general"], title="children")


@tariff_app.command("stack")
def stack(
    hts: Annotated[str, typer.Argument(help="HTS8 or HTS10 code")],
    origin: Annotated[str, typer.Option(help="origin, ISO3, e.g. CHN")],
    date: Annotated[str, typer.Option(help="entry date YYYY-MM-DD")],
    unit_value: Annotated[float | None, typer.Option(help="customs value per unit of quantity, US$ (converts specific rates)")] = None,
    value_usd: Annotated[float | None, typer.Option(help="customs value of the entry, US$")] = None,
    quantity: Annotated[float | None, typer.Option(help="quantity of the entry, in the rate's unit (e.g. kg)")] = None,
    map_parent: Annotated[bool, typer.Option("--map-parent", help="stack a code of a later HTS revision on its parent line (with a note)")] = False,
    over_quota: Annotated[bool, typer.Option("--over-quota", help="the entry is over a tariff-rate quota: Section 232, or an agreement quota of a chapter 98/99 heading (default: in quota)")] = False,
    orders: Annotated[Path | None, typer.Option(help="current AD/CVD orders CSV with cash-deposit rates (case_number,country,hts,exporter,deposit_rate,kind,from[,to,citation])")] = None,
    exporter: Annotated[str | None, typer.Option(help="exporter whose deposit rate applies (default all-others, else country-wide)")] = None,
    metal_share: Annotated[float | None, typer.Option(help="steel/aluminium/copper content share of the value (0-1), for 2025 derivatives taxed on metal content (default: the stated share)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the duty stack of a line from an origin on a date: every layer, its authority and citation."""
    from tradepolicy.services import tariffs as svc

    deposits = svc.read_orders_file(orders) if orders is not None else None
    s = svc.stack_entry(hts, origin, date, unit_value=unit_value, value_usd=value_usd, quantity=quantity,
                        map_parent=map_parent, over_quota=over_quota, orders=deposits, exporter=exporter,
                        metal_share=metal_share).to_dict()
    if as_json:
        print_json(s)
        return
    rows = [{"layer": ly["layer"], "authority": ly["authority"], "heading": ly["heading"] or "",
             "rate": ly["rate_text"], "AVE": "" if ly["ave"] is None else f"{ly['ave']:.2%}",
             "citation": ly["citation"]} for ly in s["layers"]]
    emit(rows, as_json=False, columns=["layer", "authority", "heading", "rate", "AVE", "citation"],
         title=f"{s['hts']} from {s['origin']} on {s['date']} ({s['source']})")
    total = "not statable" if s["total_ave"] is None else f"{s['total_ave']:.2%}"
    console.print(f"Total ad valorem equivalent: [bold]{total}[/]")
    if s.get("total_with_deposits") is not None:
        console.print(f"Total with AD/CVD cash deposits: [bold]{s['total_with_deposits']:.2%}[/]")
    if "duty_usd" in s:
        console.print(f"Duty on US${value_usd:,.2f}: US${s['duty_usd']:,.2f}")
    for n in s["notes"]:
        console.print(f"note: {n}", markup=False)


@tariff_app.command("batch")
def batch(
    date: Annotated[str, typer.Option(help="entry date YYYY-MM-DD")],
    out: Annotated[Path, typer.Option(help="output .parquet file")],
    origin: Annotated[list[str] | None, typer.Option(help="origins (ISO3; repeat); default all")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Stack every line x every origin for one date into a Parquet file."""
    from tradepolicy.services import tariffs as svc

    with progress("Stacking every line x origin"):
        summary = svc.batch(date, out, origin or None)
    emit(summary, as_json=as_json)


@tariff_app.command("effective")
def effective(
    imports: Annotated[Path, typer.Option(help="imports file: CSV hts10,partner,value[,duties] or the Census layout of us-customs-duties (cty_code,hts10,con_val_*,cal_dut_*)")],
    date: Annotated[str | None, typer.Option(help="one entry date YYYY-MM-DD")] = None,
    start: Annotated[str | None, typer.Option("--from", help="first date of a range")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last date of a range")] = None,
    step: Annotated[str, typer.Option(help="range step: day | month | quarter | year")] = "month",
    utilisation: Annotated[str, typer.Option(help="preference utilisation: published (default, documented) | all | none | a CSV partner,programme,rate")] = "published",
    basis: Annotated[str | None, typer.Option(help="legal | census (claims of lapsed GSP recorded at the GSP rate, as Census calculated duty); default by layout")] = None,
    out: Annotated[Path | None, typer.Option(help="write the tables (by date, partner, chapter, authority) to .csv or .parquet")] = None,
    lines_out: Annotated[Path | None, typer.Option(help="write the line-level prediction (last date) to .csv or .parquet")] = None,
    chart: Annotated[Path | None, typer.Option(help="write a PNG chart of the predicted rate over the dates")] = None,
    orders: Annotated[Path | None, typer.Option(help="current AD/CVD orders CSV with cash-deposit rates (all-others / country-wide used)")] = None,
    metal_share: Annotated[float | None, typer.Option(help="steel/aluminium/copper content share of the value (0-1), for 2025 derivatives taxed on metal content (default: the stated share)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Effective tariff rates of a file of imports: duty and rate by partner, chapter and authority; predicted vs observed."""
    from tradepolicy.services import tariff_effective as eff
    from tradepolicy.services import tariffs as svc

    with progress("Stacking the imports"):
        deposits = svc.read_orders_file(orders) if orders is not None else None
        frame, layout = eff.read_imports(imports)
        res = eff.effective(frame, layout=layout, date=date, start=start, end=end, step=step,
                            utilisation=utilisation, basis=basis, orders=deposits, metal_share=metal_share)
    if out is not None:
        eff.write_tables(res, out)
    if lines_out is not None:
        eff.write_lines(res, lines_out)
    if chart is not None:
        eff.write_chart(res, chart)
    if as_json:
        print_json(res.to_dict())
        return
    obs = res.observed_rate is not None
    console.print(f"{res.rows:,} rows ({res.layout} layout), value US${res.total_value:,.0f}; "
                  f"utilisation: {res.utilisation}; basis: {res.basis}")
    if len(res.by_date) > 1:
        emit([{"date": r["date"], "source": r["source"], "rate": f"{r['predicted_rate']:.3%}"} for r in res.by_date],
             as_json=False, title="predicted rate by date")
    cols = ["partner", "value", "predicted_rate"] + (["observed_rate", "difference_pp"] if obs else [])

    def fmt(r: dict[str, object]) -> dict[str, object]:
        return {"partner": r.get("partner", r.get("chapter")), "value": f"{float(r['value']):,.0f}",  # type: ignore[arg-type]
                "predicted_rate": f"{float(r['predicted_rate'] or 0):.3%}",  # type: ignore[arg-type]
                "observed_rate": "" if r.get("observed_rate") is None else f"{float(r['observed_rate']):.3%}",  # type: ignore[arg-type]
                "difference_pp": "" if r.get("difference_pp") is None else f"{float(r['difference_pp']):+.2f}"}  # type: ignore[arg-type]

    emit([fmt(r) for r in res.by_partner], as_json=False, columns=cols, title=f"by partner ({res.dates[-1]})")
    emit([{"authority": a["authority"], "duty": f"{a['duty']:,.0f}", "rate": f"{a['rate'] or 0:.3%}"}
          for a in res.by_authority], as_json=False, title="by authority")
    total = f"predicted {res.predicted_rate:.3%}"
    if obs:
        total += f", observed {res.observed_rate:.3%}"
    console.print(f"All partners: {total}")
    console.print("coverage: " + ", ".join(f"{k} {v:.2%}" for k, v in res.coverage.items()))
    for n in res.notes:
        console.print(f"note: {n}", markup=False)


@tariff_app.command("offer")
def offer(
    file: Annotated[Path, typer.Argument(help="offer YAML file")],
    as_json: JsonOpt = False,
) -> None:
    """Apply a negotiation offer (formulas by product group, staging) to the MFN schedule."""
    from tradepolicy.services import tariffs as svc

    res = svc.offer(file).to_dict()
    if as_json:
        print_json(res)
        return
    rows = [{"group": g["group"], "formula": g["formula"], "coefficient": f"{g['coefficient']:.4g}",
             "solved": g["solved"], "lines": g["n_lines"], "avg before": f"{g['average_before']:.2%}",
             "avg after": f"{g['average_after']:.2%}",
             "path": " ".join(f"{p['year']}:{p['average']:.2%}" for p in g["staging"]["path"])}
            for g in res["groups"]]
    emit(rows, as_json=False, title=str(res["name"]))
    by = [{"group": g["group"], "partner": b["partner"],
           "avg now": "n/a" if b["average_now"] is None else f"{b['average_now']:.2%}",
           "avg after": "n/a" if b["average_after"] is None else f"{b['average_after']:.2%}",
           "lines cut": b["lines_cut"], "claims": ",".join(b["programs_claimable"]),
           "column 2": b["column2"]}
          for g in res["groups"] for b in g["by_partner"]]
    if by:
        emit(by, as_json=False, title=f"by partner (duty now = MFN or a better preference, "
                                      f"on {res['groups'][0]['by_partner'][0]['base_date']})")
    if "korus_check" in res:
        emit(res["korus_check"], as_json=False, title="staging path vs KORUS 2017 rates")


@tariff_app.command("search")
def search(
    q: Annotated[str, typer.Argument(help="code prefix or words of the description")],
    edition: Annotated[int, typer.Option(help="HTS edition: 2024 or 2025")] = 2025,
    limit: Annotated[int, typer.Option(help="maximum rows")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Search the HTS by code prefix or description words."""
    from tradepolicy.services import tariffs as svc

    emit(svc.search(q, edition=edition, limit=limit), as_json=as_json,
         columns=["hts", "level", "description", "general", "units"])


@tariff_app.command("indicators")
def indicators(
    by: Annotated[str, typer.Option(help="section | chapter")] = "section",
    edition: Annotated[int, typer.Option(help="HTS edition: 2024 or 2025")] = 2025,
    weights: Annotated[str, typer.Option(help="none | baci-zaf-usa-2020")] = "none",
    as_json: JsonOpt = False,
) -> None:
    """Tariff indicators (averages, peaks, dutiable share, preference margin, duty types)."""
    from tradepolicy.services import tariffs as svc

    rows = [r.to_dict() for r in svc.indicators_table(edition=edition, by=by, weights=weights)]
    if as_json:
        print_json(rows)
        return

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.2%}"

    shown = [{by: r[by], "lines": r["n_lines"], "simple avg": pct(r["simple_avg"]),
              "weighted avg": pct(r["weighted_avg"]), "max": pct(r["max_ave"]), "peaks": r["n_peaks"],
              "dutiable": pct(r["dutiable_share"]), "pref. margin": pct(r["pref_margin"])} for r in rows]
    emit(shown, as_json=False)


@tariff_app.command("parse-report")
def parse_report(
    edition: Annotated[int, typer.Option(help="HTS edition: 2024 or 2025")] = 2025,
    as_json: JsonOpt = False,
) -> None:
    """Share of rate texts parsed, by column, and every form not parsed with its reason."""
    from tradepolicy.services import tariffs as svc

    rep = svc.parse_report(edition).to_dict()
    if as_json:
        print_json(rep)
        return
    console.print(f"HTS {edition}: {rep['share_parsed']:.2%} of rate texts parsed")
    emit([{"column": k, **v} for k, v in rep["columns"].items()], as_json=False,
         columns=["column", "texts", "parsed", "share"])
    emit(rep["forms"], as_json=False, columns=["count", "kind", "form", "reason"], title="not parsed")


@tariff_app.command("korus-check")
def korus_check(
    kind: Annotated[str, typer.Option(help="immediate | equal")] = "equal",
    years: Annotated[int, typer.Option(help="number of equal annual cuts")] = 10,
    start_year: Annotated[int, typer.Option(help="base year (KORUS: 2011, first cut 2012)")] = 2011,
    as_json: JsonOpt = False,
) -> None:
    """Check a staging path against the KORUS rates of the 2017 tariff database."""
    from tradepolicy.services import tariffs as svc

    res = {"check": svc.korus_check(start_year=start_year, kind=kind, years=years).to_dict(),
           "inferred_staging": svc.korus_staging_inference(base_year=start_year).to_dict()}
    if as_json:
        print_json(res)
        return
    emit(res["check"], as_json=False, title="staging path vs KORUS 2017 rates")
    emit(res["inferred_staging"], as_json=False, title="KORUS lines by equal-cut path that reproduces 2017")


@tariff_app.command("programs")
def programs(as_json: JsonOpt = False) -> None:
    """Preference programmes of the USITC 2017 tariff database, with symbols and line counts."""
    from tradepolicy.services import tariffs as svc

    emit(svc.programs_2017(), as_json=as_json,
         columns=["program", "name", "symbols", "lines", "lines_with_rate", "notes"])


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
    app.add_typer(tariff_app, name="tariff")
