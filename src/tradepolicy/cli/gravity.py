"""CLI commands of gravity estimation and GE (issue 5, part A).

``tradepolicy gravity presets | estimate PRESET`` and ``tradepolicy ge solve | montecarlo``.
Every command takes ``--json``; bad input exits with code 2 (see tradepolicy.cli).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tradepolicy.cli._output import JSON_OPTION_HELP, console, emit, print_json
from tradepolicy.errors import InputError

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]

gravity_app = typer.Typer(help="Gravity estimation: PPML presets of the Advanced Guide, "
                          "gegravity and WIOD.", no_args_is_help=True)
ge_app = typer.Typer(help="Structural gravity general equilibrium: exact conditional and "
                     "full-endowment counterfactuals, Monte Carlo.", no_args_is_help=True)

SHOWN = ("conditional_real_gdp", "conditional_exports", "full_real_gdp", "full_welfare",
         "full_exports", "full_factory_gate_price", "full_terms_of_trade")


def _f(v: Any, digits: int = 4) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


@gravity_app.command("presets")
def presets(as_json: JsonOpt = False) -> None:
    """List the named PPML specifications and the published figures they reproduce."""
    from tradepolicy.services.gravity import list_presets

    rows = [r.to_dict() for r in list_presets()]
    if as_json:
        print_json({"ok": True, "count": len(rows), "presets": rows})
        return
    emit([{"name": r["name"], "dataset": r["dataset"], "formula": r["formula"],
           "cluster": r["cluster"] or "hetero", "published N": r["published_n"],
           "source": r["source"]} for r in rows], as_json=False,
         columns=["name", "dataset", "formula", "cluster", "published N", "source"],
         title="Gravity presets")


@gravity_app.command("estimate")
def estimate(
    preset: Annotated[str, typer.Argument(help="A preset name (see `gravity presets`).")],
    as_json: JsonOpt = False,
    store: Annotated[bool, typer.Option(help="Store the result as a run.")] = False,
) -> None:
    """Estimate a preset: coefficients, SEs, N, dropped rows by reason, published figures."""
    from tradepolicy.services.gravity import run_gravity_preset

    out = run_gravity_preset(preset, store=store).to_dict()
    if as_json:
        print_json({"ok": True, **out})
        return
    console.print(f"[bold]{out['preset']}[/]: {out['formula']}", highlight=False)
    console.print(f"SE: {out['vcov']} ({out['ssc']} small-sample convention); "
                  f"N = {out['n_obs']:,} of {out['n_input']:,} rows"
                  + (f" (published N = {out['published_n']:,})" if out["published_n"] else ""),
                  highlight=False, markup=False)
    # published figures as printed by their source (not padded to a false precision)
    emit([{"variable": r["variable"], "estimate": _f(r["estimate"], 8),
           "std. error": _f(r["std_error"], 6),
           "published": "" if r["published"] is None else f"{r['published']:.10g}",
           "published SE": "" if r["published_se"] is None else f"{r['published_se']:.10g}",
           "difference": "" if r["difference"] is None else f"{r['difference']:+.1e}"}
          for r in out["coefficients"]],
         as_json=False, columns=["variable", "estimate", "std. error", "published",
                                 "published SE", "difference"], title="Coefficients")
    emit([{"reason": d["reason"], "rows": f"{d['count']:,}", "detail": d["detail"]}
          for d in out["dropped"]], as_json=False, columns=["reason", "rows", "detail"],
         title="Dropped observations")
    console.print(f"source: {out['source']}; sample: {out['sample']}", highlight=False,
                  markup=False)
    if out.get("run_id"):
        console.print(f"stored as run {out['run_id']}", highlight=False)


def _read_flows(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise InputError(f"no such file: {path}", field="flows",
                         expected="a CSV file with columns exporter, importer, trade",
                         example="exporter,importer,trade\nUSA,USA,100\nUSA,MEX,5")
    try:
        return pd.read_csv(path, dtype={"exporter": str, "importer": str})
    except Exception as exc:  # pandas raises many kinds on a malformed file
        raise InputError(f"cannot read {path} as CSV: {exc}", field="flows",
                         expected="a CSV file with columns exporter, importer, trade",
                         example="exporter,importer,trade") from exc


def _print_header(out: dict[str, Any]) -> None:
    sh = out["shock"]
    el = out.get("elasticities", {})
    console.print(f"[bold]{out['model']}[/]; data: {out['data']} ({out['countries']} "
                  "countries)", highlight=False)
    if "baseline" in out:
        console.print(f"baseline: {out['baseline']}", highlight=False, markup=False)
    beta_txt = (f"; beta {sh['beta']:g} ({sh['beta_source']}); {sh['tau_hat']}" if "beta" in sh else "")
    console.print(f"shock: RTA {', '.join(sh['rta'])}{beta_txt}", highlight=False, markup=False)
    p = out["parameters"]
    console.print(f"sigma {p['sigma']:g} ({el.get('sigma_source', 'given')}); reference {p['reference']}",
                  highlight=False, markup=False)
    console.print(f"numeraire: {out['numeraire']}", highlight=False, markup=False)
    console.print(f"imbalances: {out['imbalance']}", highlight=False, markup=False)
    console.print(f"sign convention: {out['sign_convention']}", highlight=False, markup=False)


def _print_bilateral(bil: dict[str, Any]) -> None:
    emit([{"pair": r["pair"], "a->b %": _f(r["exports_a_to_b"]), "b->a %": _f(r["exports_b_to_a"]),
           "both ways %": _f(r["total"])} for r in bil["pairs"]], as_json=False,
         columns=["pair", "a->b %", "b->a %", "both ways %"], title="Trade between the partners (full GE)")
    emit([{"iso3": r["iso3"], "exports to rest of world %": _f(r["exports_to_rest_of_world"]),
           "imports from rest of world %": _f(r["imports_from_rest_of_world"])} for r in bil["members"]],
         as_json=False, columns=["iso3", "exports to rest of world %", "imports from rest of world %"],
         title="Each partner's trade with the rest of the world")


def _print_published(pub: list[dict[str, Any]]) -> None:
    for e in pub:
        flag = "" if e.get("confirmed") else " [unconfirmed: read in reports quoting the document]"
        console.print(f"published estimate beside ours ({e['country']}, {e['measure']}): "
                      f"{e['low']:g} to {e['high']:g} %; {' '.join(str(e['source']).split())}{flag}. "
                      f"{' '.join(str(e['comparable']).split())}", highlight=False, markup=False)


def _print_ge(out: dict[str, Any], limit: int) -> None:
    _print_header(out)
    p = out["parameters"]
    console.print(f"full GE by {p['full_algorithm']}", highlight=False, markup=False)
    shown = [c for c in SHOWN if c in out["columns"]] + [
        c for c in ("exact_full_real_gdp", "book_minus_exact_full_real_gdp") if c in out["columns"]]
    key = "full_real_gdp" if "full_real_gdp" in out["columns"] else shown[0]
    rows = sorted(out["rows"], key=lambda r: -abs(r.get(key) or 0.0))[:limit]
    emit([{"iso3": r["iso3"], **{c: _f(r.get(c)) for c in shown}} for r in rows], as_json=False,
         columns=["iso3", *shown],
         title=f"Changes in % (largest {len(rows)} of {len(out['rows'])} by {key}; "
               "every country and column with --json)")
    _print_bilateral(out["bilateral"])
    _print_published(out["published"])
    d = out["diagnostics"]
    console.print(f"diagnostics: converged={d.get('converged')}, iterations={d.get('iterations')}, "
                  f"max residual {float(d.get('residual') or 0.0):.1e}", highlight=False)


RtaOpt = Annotated[list[str] | None, typer.Option(
    "--rta", "--pta", help="A new agreement between two ISO3 countries, e.g. USA:GBR (repeatable; "
    "--pta is the same option).")]
DatasetOpt = Annotated[str, typer.Option(help="wiod-zylkin | agtpa | gegravity-sample.")]
YearOpt = Annotated[int | None, typer.Option(help="Year of the dataset (default: wiod 2000, agtpa "
                                             "2006, gegravity 2006).")]
FlowsOpt = Annotated[Path | None, typer.Option(help="Your own flows instead: CSV with exporter, "
                                               "importer, trade (every ordered pair, domestic "
                                               "included; a sector column for --model multisector).")]
BetaOpt = Annotated[float | None, typer.Option(help="Partial effect of the agreement in log points "
                                               "(default: Yotov et al. 2016 Table 3 col. 4).")]
SigmaOpt = Annotated[float | None, typer.Option(help="Elasticity of substitution (> 1; default: "
                                                "the dataset's, stated in the result).")]
RefOpt = Annotated[str, typer.Option(help="Reference importer (ISO3).")]
ImbOpt = Annotated[str, typer.Option(help="multiplicative | additive.")]
NumOpt = Annotated[str, typer.Option(help="reference (the reference importer's price index) | "
                                     "world_output (world output fixed, as ge_gravity).")]


def _pairs(rta: list[str] | None) -> list[str]:
    if not rta:
        raise InputError("no country pair given", field="rta",
                         expected="--rta with two ISO3 codes", example="--rta USA:GBR")
    return rta


@ge_app.command("solve")
def solve(
    rta: RtaOpt = None,
    dataset: DatasetOpt = "wiod-zylkin",
    year: YearOpt = None,
    flows: FlowsOpt = None,
    beta: BetaOpt = None,
    sigma: SigmaOpt = None,
    reference: RefOpt = "USA",
    imbalance: ImbOpt = "multiplicative",
    numeraire: NumOpt = "reference",
    algorithm: Annotated[str, typer.Option(help="Full GE algorithm: exact_hat | "
                                           "resistance.")] = "exact_hat",
    model: Annotated[str, typer.Option(help="onesector (exact solver) | ge_ppml (the Advanced "
                                       "Guide's procedure, beside the exact solver) | multisector "
                                       "(needs --flows with a sector column).")] = "onesector",
    stopping: Annotated[str, typer.Option(help="ge_ppml stopping rule: book | tight.")] = "book",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows shown.")] = 15,
    as_json: JsonOpt = False,
) -> None:
    """Exact conditional and full-endowment GE of new agreements, per country by ISO3."""
    from tradepolicy.services.gravity import solve_ge_counterfactual

    frame = _read_flows(flows) if flows is not None else None
    out = solve_ge_counterfactual(dataset=dataset, year=year, flows=frame, rta=_pairs(rta), beta=beta,
                                  sigma=sigma, reference=reference, imbalance=imbalance,
                                  numeraire=numeraire, full_algorithm=algorithm, model=model,
                                  stopping=stopping).to_dict()
    if as_json:
        print_json({"ok": True, **out})
        return
    _print_ge(out, limit)


@ge_app.command("montecarlo")
def montecarlo(
    rta: RtaOpt = None,
    dataset: DatasetOpt = "wiod-zylkin",
    year: YearOpt = None,
    flows: FlowsOpt = None,
    beta: BetaOpt = None,
    beta_se: Annotated[float | None, typer.Option(help="Standard error of beta for the draws "
                                                  "(default: the default estimate's).")] = None,
    draws: Annotated[int, typer.Option(help="Number of draws (1-100000).")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of numpy's default_rng.")] = 0,
    sigma: SigmaOpt = None,
    sigma_sd: Annotated[float, typer.Option(help="Standard deviation of sigma's draws "
                                            "(0: fixed).")] = 0.0,
    reference: RefOpt = "USA",
    imbalance: ImbOpt = "multiplicative",
    numeraire: NumOpt = "reference",
    method: Annotated[str, typer.Option(help="exact_hat (the ge solve question with bands) | "
                                        "estimated_costs (gegravity's approach, gegravity-sample "
                                        "only).")] = "exact_hat",
    executor: Annotated[str | None, typer.Option(help="serial | process | dask (default: "
                                                 "TRADEPOLICY_EXECUTOR).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows shown.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo GE: the ge solve question with bands per country (same names and defaults)."""
    from tradepolicy.services.gravity import run_ge_montecarlo

    frame = _read_flows(flows) if flows is not None else None
    out = run_ge_montecarlo(rta=_pairs(rta), dataset=dataset, year=year, flows=frame, beta=beta,
                            beta_se=beta_se, draws=draws, seed=seed, sigma=sigma, sigma_sd=sigma_sd,
                            reference=reference, imbalance=imbalance, numeraire=numeraire,
                            method=method, executor=executor).to_dict()
    if as_json:
        print_json({"ok": True, **out})
        return
    _print_header(out)
    p = out["parameters"]
    console.print(f"{p['draws']} draws, seed {p['seed']}, executor {p['executor']}; sigma "
                  f"{p['sigma']:g} (sd {p['sigma_sd']:g}); coefficients: {out['coefficient_source']}",
                  highlight=False, markup=False)
    rows = [r for r in out["rows"] if r["measure"] == "full_real_gdp"]
    rows = sorted(rows, key=lambda r: -abs(r["mean"] or 0.0))[:limit]
    cols = [c for c in out["columns"] if c not in ("measure",)]
    emit([{c: _f(r.get(c)) for c in cols} for r in rows], as_json=False, columns=cols,
         title=f"Full real GDP, % (largest {len(rows)} by mean; all measures with --json)")
    if "central" in out:
        _print_bilateral(out["central"]["bilateral"])
    _print_published(out["published"])


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
    app.add_typer(gravity_app, name="gravity")
    app.add_typer(ge_app, name="ge")
