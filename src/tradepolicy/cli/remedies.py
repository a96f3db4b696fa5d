"""CLI commands of the remedies domain: ``tradepolicy remedies ...``.

margin, cvd, all-others, runs, run show / rerun, attach, shrimp-coverage, negligibility.
Every command parses, calls ``tradepolicy.services.remedies`` and renders.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from tradepolicy.services.remedies_types import RemediesRun

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, print_json, print_table

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Apply the law in force on this date (YYYY-MM-DD).")]

remedies_app = typer.Typer(help="Trade remedies: AD margins, CVD rates, all-others, runs.", no_args_is_help=True)
run_app = typer.Typer(help="One stored remedies run: show, rerun.", no_args_is_help=True)
remedies_app.add_typer(run_app, name="run")


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    from tradepolicy.services.agreements import parse_date

    return parse_date(value, field="--as-of")


def _pct(x: Any) -> str:
    return "—" if x is None else f"{float(x):.4%}"


def _print_margin(run: RemediesRun) -> None:
    r = run.results
    rows = [{"method": k, "total dumping": f"{v['total_dumping']:,.2f}", "margin": _pct(v["margin"]),
             "per unit": f"{v['per_unit']:.4f}"} for k, v in r["methods"].items()]
    print_table(rows, ["method", "total dumping", "margin", "per unit"],
                title=f"Run {run.id or '(not stored)'} · {r['segment']}")
    dims = [{"dimension": d["dimension"], "groups": d["groups"], "eligible": d["eligible"],
             "passing": d["passing"], "value share passing": _pct(d["value_share_passing"])}
            for d in r["dimensions"]]
    print_table(dims, ["dimension", "groups", "eligible", "passing", "value share passing"], title="Cohen's d")
    console.print(f"Value share passing Cohen's d: [bold]{_pct(r['value_share_passing'])}[/] "
                  f"({r['ratio_outcome']})")
    console.print(f"Method: [bold]{r['method_chosen']}[/] — {r['reason']}", highlight=False)
    above = "above" if r["above_de_minimis"] else "NOT above"
    console.print(f"Final margin: [bold]{_pct(r['final_margin'])}[/], {above} de minimis "
                  f"({_pct(r['de_minimis'])}); cash deposit {_pct(r['cash_deposit_ad_valorem'])} ad valorem, "
                  f"{r['cash_deposit_per_unit']:.4f} per unit.", highlight=False)
    if r["exclusions"]:
        print_table(r["exclusions"], ["reason", "sales", "quantity", "description"], title="Exclusions")
    for n in r.get("notes", []):
        console.print(f"note: {n}", highlight=False)


@remedies_app.command("margin")
def margin(
    us: Annotated[Path, typer.Option("--us", help="U.S. sales (CSV or Parquet).")],
    home: Annotated[Path, typer.Option("--home", help="Home-market sales (CSV or Parquet).")],
    cost: Annotated[Path, typer.Option("--cost", help="Cost of production by CONNUM.")],
    segment: Annotated[str, typer.Option("--segment", help="investigation | review")],
    similar: Annotated[Path | None, typer.Option("--similar", help="Similar-merchandise table.")] = None,
    third_country: Annotated[Path | None, typer.Option(
        "--third-country", help="Third-country sales (home-market columns); the comparison market if the "
                                "home market is not viable and this one is.")] = None,
    no_tt: Annotated[bool, typer.Option("--no-tt", help="Skip the T-T comparison.")] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Compute without storing a run.")] = False,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute a dumping margin: A-A, A-T, mixed, Cohen's d, method choice and de minimis.

    Columns. U.S.: sale_id, connum, quantity, net_price, customer, region, period [, sale_type
    EP|CEP, commission_offset, us_commission, us_direct_selling, us_credit, cep_offset].
    Home (and --third-country): sale_id, connum, quantity, net_price, customer, affiliated, period. Cost: connum,
    cost_of_production [, period, vcom, tcom, constructed_value]. Similar: us_connum,
    hm_connum, rank. Thresholds come from the law rule book (adcvd.* rules); the run is
    stored with the inputs' sha256 unless --no-store.
    """
    from tradepolicy.services.remedies import compute_margin_from_paths

    run = compute_margin_from_paths(us, home, cost, segment=segment, similar=similar,
                                    third_country=third_country, as_of=_date(as_of),
                                    include_tt=not no_tt, store=not no_store)
    if as_json:
        print_json(run.to_dict())
    else:
        _print_margin(run)


@remedies_app.command("cvd")
def cvd(
    spec: Annotated[Path, typer.Argument(help="YAML/JSON: grants, loans, period_year, sales_denominator, "
                                              "segment, developing.")],
    no_store: Annotated[bool, typer.Option("--no-store")] = False,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute CVD programme rates (grant expensing/AUL allocation, loans), total and de minimis.

    Spec example: ``{period_year: 3, sales_denominator: 40000000, segment: investigation,
    developing: false, grants: [{name: g, amount: 1000000, year_received: 1,
    sales_in_approval_year: 50000000, aul_years: 10, discount_rate: 0.08}],
    loans: [{name: l, principal: 5000000, rate_paid: 0.02, benchmark_rate: 0.065}]}``.
    """
    import yaml

    from tradepolicy.errors import InputError, NotFoundError
    from tradepolicy.services.remedies import compute_cvd

    if not spec.is_file():
        raise NotFoundError(f"No such file: {str(spec)!r}.", where=str(spec), field="spec")
    try:
        data = yaml.safe_load(spec.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f"Cannot parse {spec.name}: {exc}", where=str(spec), field="spec",
                         expected="YAML or JSON mapping", example="period_year: 3") from exc
    if not isinstance(data, dict):
        raise InputError("The CVD spec must be a mapping.", where=str(spec), field="spec",
                         expected="YAML or JSON mapping", example="period_year: 3")
    run = compute_cvd(data, as_of=_date(as_of), store=not no_store)
    if as_json:
        print_json(run.to_dict())
        return
    r = run.results
    print_table([{**p, "rate": _pct(p["rate"]), "benefit": f"{p['benefit']:,.2f}"} for p in r["programmes"]],
                ["name", "kind", "treatment", "benefit", "rate"], title=f"CVD run {run.id or ''}")
    dm = "de minimis" if r["is_de_minimis"] else "not de minimis"
    console.print(f"Total: [bold]{_pct(r['total_rate'])}[/] — {dm} (threshold {_pct(r['de_minimis'])}, "
                  f"{r['de_minimis_basis']})", highlight=False)


@remedies_app.command("all-others")
def all_others(
    respondents: Annotated[Path, typer.Argument(help="CSV: name, margin (decimal), us_value, facts_available")],
    segment: Annotated[str, typer.Option("--segment")] = "investigation",
    no_store: Annotated[bool, typer.Option("--no-store")] = False,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute the all-others rate (excluding zero, de minimis and facts-available margins)."""
    from tradepolicy.services.remedies import compute_all_others, read_file

    data, suffix = read_file(respondents)
    run = compute_all_others(data, suffix, respondents.name, segment=segment, as_of=_date(as_of),
                             store=not no_store)
    if as_json:
        print_json(run.to_dict())
        return
    r = run.results
    print_table([{**x, "margin": _pct(x["margin"])} for x in r["respondents"]],
                ["name", "margin", "weight", "reason"], title="All-others")
    console.print(f"All-others rate: [bold]{_pct(r['rate'])}[/] — {r['method']}", highlight=False)


@remedies_app.command("runs")
def runs(
    kind: Annotated[str | None, typer.Option(help="remedies.ad_margin | remedies.cvd | remedies.all_others")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List stored remedies runs, newest first."""
    from tradepolicy.services.remedies import list_runs

    emit([r.to_dict() for r in list_runs(kind)], as_json=as_json,
         columns=["id", "kind", "created_at", "segment", "method", "rate", "above_de_minimis", "parent_id",
                  "proceedings"])


@run_app.command("show")
def run_show(run_id: int, as_json: JsonOpt = False) -> None:
    """Show one run (results, parameters with citations, inputs' sha256)."""
    from tradepolicy.services.remedies import KIND_MARGIN, get_run

    run = get_run(run_id)
    if as_json:
        print_json(run.to_dict())
        return
    if run.kind == KIND_MARGIN:
        _print_margin(run)
    else:
        console.print_json(json.dumps(run.results, default=str))
    console.print(f"inputs: {run.inputs}\nlaw {run.law_version} · code {run.code_version} · "
                  f"parent {run.parent_id} · proceedings {run.proceedings}", highlight=False)


@run_app.command("rerun")
def run_rerun(run_id: int, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Re-run a stored run from its kept inputs; stores a new run (the old one is untouched).

    The law applied is that of the original run's date unless --as-of is given.
    """
    from tradepolicy.services.remedies import rerun

    run = rerun(run_id, as_of=_date(as_of))
    if as_json:
        print_json(run.to_dict())
    else:
        console.print(f"Run {run.id} stored (re-run of {run_id}).")


@remedies_app.command("attach")
def attach(run_id: int, case_id: str, as_json: JsonOpt = False) -> None:
    """Attach run RUN_ID to the AD/CVD proceeding CASE_ID (e.g. A-533-840)."""
    from tradepolicy.services.remedies import attach_run

    emit(attach_run(run_id, case_id).to_dict(), as_json=as_json)


@remedies_app.command("shrimp-coverage")
def shrimp_coverage(as_json: JsonOpt = False) -> None:
    """Share of 2018 US shrimp imports (BACI) from each country under the shrimp AD orders."""
    from tradepolicy.services.remedies import shrimp_coverage as svc

    out = svc().to_dict()
    if as_json:
        print_json(out)
        return
    rows = [{**r, "share_scope": _pct(r["share_scope"]), "share_all_shrimp": _pct(r["share_all_shrimp"]),
             "imports_scope_kusd": f"{r['imports_scope_kusd']:,.0f}"} for r in out["orders"]]
    print_table(rows, ["case", "country", "status", "in_force_2018", "imports_scope_kusd", "share_scope",
                       "share_all_shrimp"], title="US shrimp imports 2018 (thousand US$) under AD orders")
    console.print(f"Covered by orders in force in 2018: {_pct(out['covered_share_scope'])} of scope lines "
                  f"{out['scope_hs6']}, {_pct(out['covered_share_all_shrimp'])} of all six shrimp lines.",
                  highlight=False)


@remedies_app.command("negligibility")
def negligibility(
    subject: Annotated[list[str] | None, typer.Option("--country", help="Subject ISO3; repeat. Suffix :dev "
                                                                          "for a developing country.")] = None,
    case: Annotated[str, typer.Option(help="ad | cvd")] = "cvd",
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Negligibility (3 %/7 %, CVD developing 4 %/9 %) of subject countries in 2018 US shrimp imports."""
    from tradepolicy.services.remedies import shrimp_negligibility

    subj = None
    if subject:
        subj = {s.split(":")[0].upper(): s.lower().endswith(":dev") for s in subject}
    out = shrimp_negligibility(subj, case=case, as_of=_date(as_of)).to_dict()
    if as_json:
        print_json(out)
        return
    rows = [{**r, "share": _pct(r["share"]), "aggregate_share": _pct(r["aggregate_share"])} for r in out["countries"]]
    print_table(rows, ["country", "developing", "share", "individually_negligible", "aggregate_share", "negligible"],
                title=f"Negligibility ({case.upper()}), US shrimp imports 2018")


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
    app.add_typer(remedies_app, name="remedies")
