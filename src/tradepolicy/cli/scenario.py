"""CLI of the economics domain: ``scenario`` (run, compare, list, show, check) and ``screen``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, print_json, progress

TEXT_COLUMNS = 7  # the terminal table shows the first columns; --json has them all
JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

scenario_app = typer.Typer(help="Scenarios (YAML): run, compare, list examples, show stored runs.",
                           no_args_is_help=True)
pe_app = typer.Typer(help="Quick partial-equilibrium runs (SMART on BACI shrimp) without a scenario file.",
                      no_args_is_help=True)
screen_app = typer.Typer(help="Pre-negotiation partner screening (GE gains + trade indicators).",
                         no_args_is_help=True)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4f}" if abs(v) < 10 else f"{v:,.1f}"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return "" if v is None else str(v)


def bar_chart(labels: list[str], values: list[float], *, width: int = 40) -> list[str]:
    """Return a text bar chart (one line per label), bars scaled to the largest magnitude."""
    if not values:
        return []
    top = max(abs(v) for v in values) or 1.0
    lw = max(len(str(lb)) for lb in labels)
    out = []
    for lb, v in zip(labels, values, strict=True):
        n = round(abs(v) / top * width)
        bar = ("█" * n) if v >= 0 else ("░" * n)
        out.append(f"{lb:>{lw}} {'+' if v >= 0 else '-'}{bar} {_fmt(v)}")
    return out


def _print_result(out: dict[str, Any], limit: int) -> None:
    res, man = out["results"], out["manifest"]
    console.print(f"[bold]{res['title']}[/]  ({res['model']}; run id {out.get('id') or 'not stored'})",
                  highlight=False)
    console.print(f"sign convention: {res['sign_convention']}; unit: {res['unit']}", highlight=False, markup=False)
    emit([{"statistic": k, "value": _fmt(v)} for k, v in res["summary"].items()], as_json=False,
         columns=["statistic", "value"], title="Summary")
    cols = res["columns"][:TEXT_COLUMNS]
    rows = [{c: _fmt(r.get(c)) for c in cols} for r in res["rows"][:limit]]
    emit(rows, as_json=False, columns=cols,
         title=f"By country (first {limit} of {len(res['rows'])}; all columns with --json)")
    ch = res["chart"]
    console.print(f"[bold]{ch['title']}[/] ({ch['metric']}, {ch['unit']})", highlight=False)
    for line in bar_chart(ch["labels"], ch["values"]):
        console.print(line, highlight=False, markup=False)
    unc = res.get("uncertainty")
    if unc and unc.get("monte_carlo"):
        mc = unc["monte_carlo"]
        emit([{"statistic": k, **{s: _fmt(v[s]) for s in ("mean", "p5", "p50", "p95")}}
              for k, v in mc.items() if isinstance(v, dict)], as_json=False,
             columns=["statistic", "mean", "p5", "p50", "p95"], title=f"Monte Carlo ({mc['draws']} draws)")
    console.print("manifest: " + "; ".join(f"{d['dataset']}/{d['file']} sha256 {d['sha256'][:12]}…"
                                           for d in man["datasets"])
                  + f"; law {man['law_version']}; code {man['code_version']}; seed {man['seed']}",
                  highlight=False, markup=False)


@scenario_app.command("run")
def scenario_run(
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or the name of an example.")],
    as_json: JsonOpt = False,
    store: Annotated[bool, typer.Option(help="Store the run in the runs table.")] = True,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Rows shown in the table.")] = 20,
) -> None:
    """Run a scenario: summary, table by country, chart and manifest."""
    from tradepolicy.services.scenarios import run_scenario

    with progress(f"Running {file}"):
        out = run_scenario(file, store=store)
    if as_json:
        print_json({"ok": True, **out.body()})
        return
    _print_result(out.to_dict(), limit)


@scenario_app.command("compare")
def scenario_compare(
    a: Annotated[str, typer.Argument(help="Run id, scenario file or example name.")],
    b: Annotated[str, typer.Argument(help="Run id, scenario file or example name.")],
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 25,
) -> None:
    """Compare two runs side by side (summaries, parameter differences, rows by ISO3)."""
    from tradepolicy.services.scenarios import compare

    with progress("Comparing"):
        cmp = compare(a, b).to_dict()
    if as_json:
        print_json({"ok": True, **cmp})
        return
    console.print(f"A: run {cmp['a']['id']} {cmp['a']['name']} ({cmp['a']['model']}, {cmp['a']['metric']})",
                  highlight=False, markup=False)
    console.print(f"B: run {cmp['b']['id']} {cmp['b']['name']} ({cmp['b']['model']}, {cmp['b']['metric']})",
                  highlight=False, markup=False)
    if cmp.get("note"):
        console.print(f"not differenced: {cmp['note']}", highlight=False, markup=False)
    emit([{k: _fmt(v) for k, v in r.items()} for r in cmp["summary"]], as_json=False,
         columns=["statistic", "a", "b", "b_minus_a"], title="Summary")
    emit([{k: _fmt(v) for k, v in r.items()} for r in cmp["parameter_diff"]], as_json=False,
         columns=["parameter", "a", "b"], title="Parameters that differ")
    emit([{k: _fmt(v) for k, v in r.items()} for r in cmp["rows"][:limit]], as_json=False,
         columns=["iso3", "a", "b", "b_minus_a"], title="By country (headline metric)")


@scenario_app.command("list")
def scenario_list(as_json: JsonOpt = False) -> None:
    """List the example scenarios under examples/scenarios/."""
    from tradepolicy.services.scenarios import list_examples

    emit([e.to_dict() for e in list_examples()], as_json=as_json, columns=["name", "model", "dataset", "title"])


@scenario_app.command("runs")
def scenario_runs(as_json: JsonOpt = False, limit: Annotated[int, typer.Option(min=1, max=1000)] = 20) -> None:
    """List stored scenario runs, newest first."""
    from tradepolicy.services.scenarios import list_runs

    emit([r.to_dict() for r in list_runs(limit)], as_json=as_json, columns=["id", "created_at", "name", "model", "code_version", "parent_id"])


@scenario_app.command("show")
def scenario_show(run_id: int, as_json: JsonOpt = False,
                  limit: Annotated[int, typer.Option(min=1, max=10000)] = 20) -> None:
    """Show a stored run."""
    from tradepolicy.services.scenarios import get_run

    r = get_run(run_id)
    res, man = r.split()
    if as_json:
        print_json({"ok": True, "id": r.id, **res, "manifest": man})
        return
    _print_result({"id": r.id, "results": res, "manifest": man}, limit)


@scenario_app.command("check")
def scenario_check(file: str, as_json: JsonOpt = False) -> None:
    """Validate a scenario file without running it."""
    from tradepolicy.services.scenarios import load_scenario

    sc = load_scenario(file)
    emit({"ok": True, "name": sc.name, "model": sc.model, "dataset": sc.data.get("dataset")}, as_json=as_json)


@screen_app.command("partners")
def screen_partners(
    home: Annotated[str, typer.Option(help="ISO3 of the home country.")] = "USA",
    dataset: Annotated[str, typer.Option(help="auto (the most recent data covering home and the candidates) | agtpa | wiod-zylkin")] = "auto",
    year: Annotated[int | None, typer.Option(help="Year of the flows (default: the dataset's latest).")] = None,
    candidates: Annotated[str | None, typer.Option(help="Comma-separated ISO3 candidates (default: all without an agreement in force).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date on which agreements in force are checked (default: today), YYYY-MM-DD.")] = None,
    beta: Annotated[float | None, typer.Option(help="Partial effect of the agreement, log points (default: as ge solve).")] = None,
    sigma: Annotated[float | None, typer.Option(help="Elasticity of substitution (default: the dataset's, as ge solve).")] = None,
    draws: Annotated[int, typer.Option(min=0, max=2000, help="Monte Carlo draws of the band (0: none).")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo band.")] = 0,
    rank_by: Annotated[str, typer.Option(help="home | partner | joint (the smaller of the two gains).")] = "home",
    products: Annotated[str | None, typer.Option(help="Product dataset for complementarity/RCA: baci-shrimp-2018.")] = None,
    executor: Annotated[str | None, typer.Option(help="serial | process | dask (default TRADEPOLICY_EXECUTOR).")] = None,
    as_json: JsonOpt = False,
    csv: Annotated[Path | None, typer.Option(help="Also write the table as CSV to this path.")] = None,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML report to this path (same as --out X --format html).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the report to this file (see --format).")] = None,
    report_format: Annotated[str, typer.Option("--format", help="Report format for --out: html | pdf.")] = "html",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
) -> None:
    """Rank candidate partners for a new agreement by the GE gains for home and partner."""
    from tradepolicy.reports import check_format, write_report
    from tradepolicy.reports.screening import render_screening_report
    from tradepolicy.services.screening import screen, to_csv

    fmt = check_format(report_format)
    cands = [c.strip().upper() for c in candidates.split(",")] if candidates else None
    with progress("Screening partners"):
        rep = screen(home=home, dataset=dataset, year=year, candidates=cands, rank_by=rank_by,
                     product_dataset=products, executor=executor, as_of=as_of, coefficient=beta,
                     sigma=sigma, draws=draws, seed=seed)
    if csv:
        csv.write_text(to_csv(rep), encoding="utf-8")
    if html:
        write_report(render_screening_report(rep, fmt="html"), html)
    if out:
        write_report(render_screening_report(rep, fmt=fmt), out)
    if as_json:
        print_json({"ok": True, **rep.model_dump(mode="json")})
        return
    el, unc = rep.elasticities, rep.uncertainty
    console.print(f"[bold]Partner screening for {rep.home}[/] ({rep.dataset} {rep.year}; "
                  f"{rep.method})", highlight=False)
    console.print(f"model: {rep.model}; data: {rep.dataset} {rep.year} ({rep.data.why}); "
                  f"agreements as of {rep.as_of}", highlight=False, markup=False)
    console.print(f"sigma {el.sigma:g} ({el.sigma_source}); beta {el.beta:g} ({el.beta_source}); "
                  f"band: {unc.draws} draws, seed {unc.seed}, beta sd {unc.beta_sd:g}; numeraire "
                  f"{rep.numeraire}; {rep.imbalance} imbalances", highlight=False, markup=False)
    emit([{k: _fmt(v) for k, v in r.model_dump(mode="json").items()} for r in rep.rows[:limit]], as_json=False,
         columns=rep.columns, title=f"Candidates (first {limit} of {len(rep.rows)})")
    console.print(json.dumps(rep.notes, ensure_ascii=False), highlight=False, markup=False)


@pe_app.command("smart")
def pe_smart(
    importer: Annotated[str, typer.Option(help="ISO3 importing market, e.g. USA.")],
    formula: Annotated[str, typer.Option(help="new_rate | cap | linear_cut | swiss | increase")],
    value: Annotated[float, typer.Option(help="The formula's parameter (decimal, 0.25 = 25%).")],
    partner: Annotated[list[str] | None, typer.Option(help="ISO3 partner(s) the change applies to (repeat).")] = None,
    product: Annotated[list[str] | None, typer.Option(help="HS6 line(s), e.g. 030617 (repeat; default all).")] = None,
    base_tariff: Annotated[float, typer.Option(help="Applied base rate for every partner (decimal).")] = 0.0,
    epsilon: Annotated[float, typer.Option(help="Import demand elasticity (positive magnitude).")] = 1.2,
    sigma: Annotated[float, typer.Option(help="Substitution elasticity between sources.")] = 1.5,
    eta: Annotated[float, typer.Option(help="Export supply elasticity (inf = flat).")] = float("inf"),
    store: Annotated[bool, typer.Option(help="Store the run.")] = False,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 15,
) -> None:
    """Run SMART on one BACI 2018 shrimp market with one tariff formula."""
    from tradepolicy.economics.scenarios import parse_scenario
    from tradepolicy.services.scenarios import run_scenario

    change: dict[str, Any] = {"formula": formula, "value": value}
    if partner:
        change["partners"] = [p.upper() for p in partner]
    doc: dict[str, Any] = {
        "name": f"pe-smart-{importer.lower()}", "model": "smart", "seed": 0,
        "data": {"dataset": "baci-shrimp-2018", "importer": importer.upper(), **({"products": product} if product else {})},
        "policy": {"base_tariff": base_tariff, "changes": [change]},
        "parameters": {"import_demand_elasticity": epsilon, "substitution_elasticity": sigma,
                       "export_supply_elasticity": eta},
    }
    out = run_scenario(parse_scenario(doc, source="tradepolicy pe smart"), store=store)
    if as_json:
        print_json({"ok": True, **out.body()})
        return
    _print_result(out.to_dict(), limit)


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
    app.add_typer(scenario_app, name="scenario")
    app.add_typer(screen_app, name="screen")
    app.add_typer(pe_app, name="pe")
