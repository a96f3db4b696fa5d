"""Pure evaluation of a scenario: dispatch to the PE or GE engine on frames the service loaded.

``evaluate(scenario, inputs)`` takes the parsed :class:`Scenario` and ``inputs``, a mapping
of named frames (and a ``unit`` string) prepared by ``services.scenarios`` from the dataset
registry, and returns a :class:`ScenarioResult`. Nothing here reads files or the database.

Inputs by model
---------------
smart        ``market``: columns ``hs6``, ``partner`` (ISO3), ``value``
gsim         ``flows``: ``exporter``, ``importer``, ``value`` and, optionally,
             ``tariff_factor_base`` / ``tariff_factor_new``
enforcement  ``market``: ``partner``, ``value`` (and ``iso3`` when partner is a name)
ge           ``flows``: ``exporter``, ``importer``, ``year``, the flow column and the policy
             variable
ge_ppml      ``flows``: the agtpa panel (the Chapter 2 applications estimate on it)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.economics.pe import (
    TariffChange,
    apply_changes,
    apply_formula,
    draw_elasticities,
    elasticity_bands,
    enforcement_tariff,
    gsim,
    smart,
    summarise_draws,
)
from tradepolicy.economics.pe.gsim import gsim_from_frame
from tradepolicy.economics.scenarios.result import Chart, ScenarioResult, clean
from tradepolicy.economics.scenarios.schema import Scenario
from tradepolicy.errors import InputError

GSIM_MC_CELLS = 2_000_000  # draws x R x V cells per batched GSIM solve (about 16 MB per array)
TOP_N_CHART = 50  # bars in a chart: every country up to 50, else the 50 largest by magnitude


def evaluate(scenario: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """Run ``scenario`` on ``inputs`` with the engine its ``model`` names."""
    runners = {"smart": run_smart, "gsim": run_gsim, "enforcement": run_enforcement, "ge": run_ge,
               "ge_ppml": run_ge_ppml}
    return runners[scenario.model](scenario, inputs)


# ------------------------------------------------------------------ helpers
def _changes(sc: Scenario) -> list[TariffChange]:
    out = []
    for i, ch in enumerate(sc.policy.get("changes") or []):
        if "formula" not in ch or "value" not in ch:
            raise InputError(f"policy.changes[{i}] needs 'formula' and 'value'.", where=sc.source,
                             field=f"policy.changes[{i}]", expected="{formula: ..., value: ...}",
                             example="{formula: new_rate, value: 0, partners: [ECU]}")
        out.append(TariffChange(formula=ch["formula"], value=float(ch["value"]),
                                partners=tuple(ch["partners"]) if ch.get("partners") else None,
                                products=tuple(str(p) for p in ch["products"]) if ch.get("products") else None))
    return out


def _check_selection(sc: Scenario, changes: list[TariffChange], *, products: list[str],
                     partners: list[str]) -> None:
    """Refuse a change naming a partner or product the market does not have (it would do nothing)."""
    for i, ch in enumerate(changes):
        for key, given, present in (("partners", ch.partners, partners), ("products", ch.products, products)):
            unknown = sorted(set(given or ()) - set(present))
            if unknown:
                raise InputError(f"policy.changes[{i}].{key} names {unknown}, not in this market's data "
                                 f"({len(present)} {key}), so the change would have no effect there.",
                                 where=sc.source, field=f"policy.changes[{i}].{key}",
                                 expected=f"{key} present in the data", example=str(present[0]))


def _base_tariff(spec: Any, partners: list[str], *, source: str) -> np.ndarray:
    """Return base rates per partner from a number or a mapping ``{ISO3: rate, default: rate}``."""
    if spec is None:
        return np.zeros(len(partners))
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return np.full(len(partners), float(spec))
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - {"default", *partners})
        if unknown:
            raise InputError(f"policy.base_tariff names {unknown}, which supply nothing in the data.",
                             where=source, field="policy.base_tariff",
                             expected="ISO3 codes of partners in the data, or default", example=partners[0])
        default = float(spec.get("default", 0.0))
        return np.array([float(spec.get(p, default)) for p in partners])
    raise InputError("policy.base_tariff must be a rate or a mapping {ISO3: rate, default: rate}.",
                     where=source, field="policy.base_tariff", expected="0.12 or {default: 0.12, ECU: 0}",
                     example="0.12")


def _chart(rows: list[dict[str, Any]], metric: str, title: str, unit: str, label: str = "iso3") -> Chart:
    vals = [(str(r[label] if r.get(label) is not None else r.get("partner")), float(r[metric])) for r in rows
            if r.get(metric) is not None and np.isfinite(r[metric])]
    vals.sort(key=lambda lv: -abs(lv[1]))
    vals = vals[:TOP_N_CHART]
    return Chart(title=title, metric=metric, unit=unit, labels=tuple(v[0] for v in vals),
                 values=tuple(v[1] for v in vals))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [clean(r) for r in df.to_dict("records")]


def _param(sc: Scenario, name: str, default: float | None = None) -> float:
    if name in sc.parameters:
        return float(sc.parameters[name])
    if default is None:
        raise InputError(f"Missing parameter {name!r}.", where=sc.source, field=f"parameters.{name}",
                         expected="a number", example="1.5")
    return default


# ------------------------------------------------------------------ SMART
def run_smart(sc: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """SMART on one importer's market (products x partners)."""
    market: pd.DataFrame = inputs["market"]
    unit = str(inputs.get("unit", "value units"))
    if sc.data.get("products"):
        market = market[market["hs6"].isin([str(p) for p in sc.data["products"]])]
    if market.empty:
        raise InputError(f"No imports of {sc.data.get('products')} into {sc.data.get('importer')}.",
                         where=sc.source, field="data.products", expected="products the importer buys",
                         example="[\"030617\"]")
    wide = market.pivot_table(index="hs6", columns="partner", values="value", aggfunc="sum", fill_value=0.0)
    products = [str(p) for p in wide.index]
    partners = [str(p) for p in wide.columns]
    m0 = wide.to_numpy(float)
    t0 = np.broadcast_to(_base_tariff(sc.policy.get("base_tariff"), partners, source=sc.source), m0.shape)
    changes = _changes(sc)
    _check_selection(sc, changes, products=products, partners=partners)
    t1 = apply_changes(t0, products=products, partners=partners, changes=changes)
    eps_p = _by_product(sc, "import_demand_elasticity", products, None)
    sig_p = _by_product(sc, "substitution_elasticity", products, 1.5)
    eta_p = _by_product(sc, "export_supply_elasticity", products, float("inf"))
    res = smart(m0, t0, t1, import_demand_elasticity=eps_p, substitution_elasticity=sig_p,
                export_supply_elasticity=eta_p, products=tuple(products), partners=tuple(partners))
    # Scalars for the bands (schema guarantees banded parameters are single values).
    eps, sig, eta = (float(np.ravel(a)[0]) for a in (eps_p, sig_p, eta_p))
    frame = res.to_frame()
    frame["revenue_change"] = frame["revenue_new"] - frame["revenue_base"]
    frame["tariff_base_x_m"] = frame["tariff_base"] * frame["imports_base"]
    frame["tariff_new_x_m"] = frame["tariff_new"] * frame["imports_base"]
    g = frame.groupby("partner", sort=False)[["imports_base", "trade_creation", "trade_diversion",
                                             "price_effect", "total_effect", "imports_new",
                                             "revenue_change", "welfare", "tariff_base_x_m",
                                             "tariff_new_x_m"]].sum()
    g["tariff_base"] = g.pop("tariff_base_x_m") / g["imports_base"].where(g["imports_base"] > 0)
    g["tariff_new"] = g.pop("tariff_new_x_m") / g["imports_base"].where(g["imports_base"] > 0)
    g = g.reset_index().rename(columns={"partner": "iso3"}).sort_values("imports_base", ascending=False)
    columns = ["iso3", "imports_base", "tariff_base", "tariff_new", "trade_creation", "trade_diversion",
               "price_effect", "total_effect", "imports_new", "revenue_change", "welfare"]
    unc = None
    if sc.uncertainty is not None:
        unc, bands_by_partner = _smart_uncertainty(sc, m0, t0, t1, eps, sig, eta, partners)
        if bands_by_partner is not None:
            g = g.merge(bands_by_partner, on="iso3", how="left")
            columns += ["total_effect_p5", "total_effect_p95"]
    rows = _records(g[columns])
    by_product = frame.groupby("product")[["imports_base", "trade_creation", "trade_diversion",
                                           "price_effect", "total_effect", "revenue_change", "welfare"]].sum()
    return ScenarioResult(
        name=sc.name, title=sc.title, model="smart", sign_convention=sc.sign_convention, unit=unit,
        summary=clean({**res.summary(), "importer": sc.data["importer"], "products": products,
                       "partners": len(partners)}),
        rows=rows, columns=columns,
        chart=_chart(rows, "total_effect", "Change in imports by partner (TC + TD + price effect)", unit),
        tables={"by_product": _records(by_product.reset_index())},
        uncertainty=unc,
        parameters=clean({k: sc.parameters.get(k, d) for k, d in (
            ("import_demand_elasticity", None), ("substitution_elasticity", 1.5),
            ("export_supply_elasticity", float("inf")))}),
    )


def _by_product(sc: Scenario, name: str, products: list[str], default: float | None) -> Any:
    """Return a scalar, or a (P, 1) array when the parameter is given by product."""
    v = sc.parameters.get(name)
    if isinstance(v, dict):
        unknown = sorted(set(v) - {"default", *products})
        if unknown:
            raise InputError(f"parameters.{name} names product(s) {unknown} not in this market's data.",
                             where=sc.source, field=f"parameters.{name}",
                             expected="default and HS6 codes present: " + ", ".join(products),
                             example=f'{{default: 1.2, "{products[0]}": 0.9}}')
        return np.array([[float(v[p] if p in v else v["default"])] for p in products])
    return _param(sc, name, default)


def _smart_uncertainty(sc: Scenario, m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, eps: float,
                       sig: float, eta: float, partners: list[str]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    assert sc.uncertainty is not None
    bands = elasticity_bands(sc.uncertainty.bands)
    central = {"import_demand_elasticity": eps, "substitution_elasticity": sig, "export_supply_elasticity": eta}
    runs = []
    for name, b in bands.items():
        for setting, v in b.values().items():
            p = central | {name: v}
            r = smart(m0, t0, t1, import_demand_elasticity=p["import_demand_elasticity"],
                      substitution_elasticity=p["substitution_elasticity"],
                      export_supply_elasticity=p["export_supply_elasticity"])
            runs.append({"parameter": name, "setting": setting, "value": v, **r.summary()})
    out: dict[str, Any] = {"bands": clean(runs), "method": "one elasticity at a time at low/central/high"}
    per_partner = None
    if sc.uncertainty.draws > 0:
        d = draw_elasticities(bands, draws=sc.uncertainty.draws, seed=sc.seed)
        shape = (sc.uncertainty.draws, 1, 1)
        r = smart(m0, t0, t1,
                  import_demand_elasticity=d.get("import_demand_elasticity", np.full(shape[0], eps)).reshape(shape),
                  substitution_elasticity=d.get("substitution_elasticity", np.full(shape[0], sig)).reshape(shape),
                  export_supply_elasticity=d.get("export_supply_elasticity", np.full(shape[0], eta)).reshape(shape))
        tot = r.total_effect.sum(axis=(1, 2))
        rev = (r.revenue_new - r.revenue_base).sum(axis=(1, 2))
        wel = r.welfare.sum(axis=(1, 2))
        out["monte_carlo"] = {"draws": sc.uncertainty.draws, "seed": sc.seed,
                              "distribution": "triangular(low, central, high), independent",
                              "total_effect": summarise_draws(tot), "revenue_change": summarise_draws(rev),
                              "welfare": summarise_draws(wel)}
        by_p = r.total_effect.sum(axis=1)                        # (D, K)
        per_partner = pd.DataFrame({"iso3": partners,
                                    "total_effect_p5": np.percentile(by_p, 5, axis=0),
                                    "total_effect_p95": np.percentile(by_p, 95, axis=0)})
    return out, per_partner


# ------------------------------------------------------------------ GSIM
def run_gsim(sc: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """GSIM on an exporter x importer matrix for one product."""
    flows: pd.DataFrame = inputs["flows"].copy()
    unit = str(inputs.get("unit", "value units"))
    use_data = bool(sc.policy.get("dataset_tariffs", False))
    if use_data and sc.policy.get("base_tariff") is not None:
        raise InputError("Give either policy.dataset_tariffs or policy.base_tariff, not both.", where=sc.source,
                         field="policy.base_tariff", expected="one source of base tariffs",
                         example="dataset_tariffs: true")
    if not use_data or "tariff_factor_base" not in flows.columns:
        regions = list(dict.fromkeys([*flows["exporter"], *flows["importer"]]))
        base = sc.policy.get("base_tariff")
        flows["tariff_factor_base"] = 1.0 + (float(base) if isinstance(base, int | float) else 0.0)
        flows["tariff_factor_new"] = flows["tariff_factor_base"]
    regions_t, M, T0, T1 = gsim_from_frame(flows, value="value", t0="tariff_factor_base", t1="tariff_factor_new")
    regions = list(regions_t)
    t_new = T1 - 1.0
    for i, ch in enumerate(sc.policy.get("changes") or []):
        tc = TariffChange(formula=ch["formula"], value=float(ch["value"]))
        rows_ = np.isin(regions, ch["partners"]) if ch.get("partners") else np.ones(len(regions), bool)
        cols_ = np.isin(regions, ch["importers"]) if ch.get("importers") else np.ones(len(regions), bool)
        unknown = sorted(set(ch.get("partners") or ()).union(ch.get("importers") or ()) - set(regions))
        if unknown or not rows_.any() or not cols_.any():
            raise InputError(f"policy.changes[{i}] names {unknown or 'no'} exporter/importer not in the data.",
                             where=sc.source, field=f"policy.changes[{i}]",
                             expected="ISO3 or region codes present in the data",
                             example="{partners: [EU], importers: [US]}")
        mask = rows_[:, None] & cols_[None, :]
        t_new = np.where(mask, apply_formula(t_new, tc.formula, tc.value), t_new)
    T1 = 1.0 + t_new
    em = _param(sc, "import_demand_elasticity")
    if em <= 0:
        raise InputError(f"import_demand_elasticity is a positive magnitude in scenarios (E_m = -{abs(em)}); "
                         f"got {em}.", where=sc.source, field="parameters.import_demand_elasticity",
                         expected="> 0", example="1.25")
    es = _param(sc, "substitution_elasticity")
    ex = _param(sc, "export_supply_elasticity")
    res = gsim(M, T0, T1, import_demand_elasticity=-em, substitution_elasticity=es,
               export_supply_elasticity=ex, exporters=regions, importers=regions)
    df = res.by_region().rename(columns={"region": "iso3"})
    columns = ["iso3", "world_price_change", "composite_price_change", "exports_base", "exports_new",
               "imports_base", "imports_new", "producer_surplus", "consumer_surplus", "tariff_revenue",
               "net_welfare"]
    unc = None
    if sc.uncertainty is not None:
        unc, per_region = _gsim_uncertainty(sc, M, T0, T1, em, es, ex, regions)
        if per_region is not None:
            df = df.merge(per_region, on="iso3", how="left")
            columns += ["world_price_change_p5", "world_price_change_p95", "net_welfare_p5", "net_welfare_p95"]
    rows = _records(df[columns])
    return ScenarioResult(
        name=sc.name, title=sc.title, model="gsim", sign_convention=sc.sign_convention, unit=unit,
        summary=clean({**res.summary(), "regions": len(regions)}), rows=rows, columns=columns,
        chart=_chart(rows, "net_welfare", "Net welfare change by region (PS + CS + tariff revenue)", unit),
        uncertainty=unc,
        parameters={"import_demand_elasticity": -em, "substitution_elasticity": es,
                    "export_supply_elasticity": ex},
    )


def _gsim_uncertainty(sc: Scenario, M: np.ndarray, T0: np.ndarray, T1: np.ndarray, em: float, es: float,
                      ex: float, regions: list[str]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Bands one elasticity at a time, then a batched Monte Carlo (one linear solve per draw)."""
    assert sc.uncertainty is not None
    bands = elasticity_bands(sc.uncertainty.bands)
    central = {"import_demand_elasticity": em, "substitution_elasticity": es, "export_supply_elasticity": ex}
    runs = []
    for name, b in bands.items():
        for setting, v in b.values().items():
            p = central | {name: v}
            if p["import_demand_elasticity"] <= 0:
                raise InputError("Band values of import_demand_elasticity are positive magnitudes.",
                                 where=sc.source, field=f"uncertainty.bands.{name}", expected="> 0",
                                 example="[0.6, 1.25, 2.5]")
            r = gsim(M, T0, T1, import_demand_elasticity=-p["import_demand_elasticity"],
                     substitution_elasticity=p["substitution_elasticity"],
                     export_supply_elasticity=p["export_supply_elasticity"])
            runs.append({"parameter": name, "setting": setting, "value": v, **r.summary()})
    out: dict[str, Any] = {"bands": clean(runs), "method": "one elasticity at a time at low/central/high"}
    per_region = None
    if sc.uncertainty.draws > 0:
        n = sc.uncertainty.draws
        d = draw_elasticities(bands, draws=n, seed=sc.seed)
        e_m = -d.get("import_demand_elasticity", np.full(n, em)).reshape(n, 1)
        e_s = d.get("substitution_elasticity", np.full(n, es)).reshape(n, 1)
        e_x = d.get("export_supply_elasticity", np.full(n, ex)).reshape(n, 1)
        chunk = max(1, int(GSIM_MC_CELLS // M.size))          # bound memory: draws per batched solve
        prices, nets, revs = [], [], []
        for lo in range(0, n, chunk):
            r = gsim(M, T0, T1, import_demand_elasticity=e_m[lo:lo + chunk],
                     substitution_elasticity=e_s[lo:lo + chunk], export_supply_elasticity=e_x[lo:lo + chunk])
            prices.append(r.world_price_change)
            nets.append(r.producer_surplus + r.consumer_surplus + r.tariff_revenue)   # square: region r = v
            revs.append(r.tariff_revenue.sum(axis=1))
        price, net = np.concatenate(prices), np.concatenate(nets)
        out["monte_carlo"] = {"draws": n, "seed": sc.seed, "draws_per_batch": chunk,
                              "distribution": "triangular(low, central, high), independent; batched solve",
                              "net_welfare_world": summarise_draws(net.sum(axis=1)),
                              "tariff_revenue_world": summarise_draws(np.concatenate(revs))}
        per_region = pd.DataFrame({
            "iso3": regions,
            "world_price_change_p5": np.percentile(price, 5, axis=0),
            "world_price_change_p95": np.percentile(price, 95, axis=0),
            "net_welfare_p5": np.percentile(net, 5, axis=0), "net_welfare_p95": np.percentile(net, 95, axis=0)})
    return out, per_region


# ------------------------------------------------------------------ enforcement
def run_enforcement(sc: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """Subject vs non-subject PE of an enforcement duty.

    Sources: the subject suppliers (their covered imports, ``covered_share`` of the value),
    every other supplier (non-subject) and the domestic industry (``data.domestic_sales``).
    Default supply elasticities when not given: ∞ for both import sources (world supply
    flat), 3.0 for the domestic industry; state them in the scenario when they matter.
    """
    market: pd.DataFrame = inputs["market"]
    unit = str(inputs.get("unit", "value units"))
    subject = [str(s) for s in sc.data["subject"]]
    # A subject is named by ISO3 or by the data's partner name (DataWeb names such as "China";
    # rows that add up several names, e.g. "Gaza Strip + West Bank", answer to each of them).
    iso = market["iso3"] if "iso3" in market.columns else market["partner"]
    aliases = [{*str(p).split(" + "), *([str(c)] if isinstance(c, str) else [])}
               for p, c in zip(market["partner"], iso, strict=True)]
    known = set().union(*aliases) if aliases else set()
    missing = [s for s in subject if s not in known]
    if missing:
        top = market.sort_values("value").iloc[-1] if len(market) else None
        raise InputError(f"Subject {missing} not found among the suppliers.", where=sc.source,
                         field="data.subject", expected="ISO3 codes (or partner names) present in the data",
                         example=str(top["iso3"] if top is not None and "iso3" in market.columns
                                     else top["partner"] if top is not None else "CHN"))
    share = float(sc.policy.get("covered_share", 1.0))
    if not 0 < share <= 1:
        raise InputError(f"policy.covered_share must be in (0, 1]; got {share}.", where=sc.source,
                         field="policy.covered_share", expected="0 < share <= 1", example="0.5")
    dom = float(sc.data["domestic_sales"])
    if not np.isfinite(dom) or dom < 0:
        raise InputError("data.domestic_sales must be >= 0 (same units as the trade data).", where=sc.source,
                         field="data.domestic_sales", expected=f">= 0 ({unit})", example="30000")
    is_subj = pd.Series([bool(a & set(subject)) for a in aliases], index=market.index, dtype=bool)
    v_subj = float(market.loc[is_subj, "value"].sum()) * share
    v_non = float(market.loc[~is_subj, "value"].sum())
    base = sc.policy.get("base_tariff", 0.0)
    t_b = float(base) if isinstance(base, int | float) else 0.0
    duty = float(sc.policy["duty"])
    v = np.array([v_subj, v_non, dom])
    t0 = np.array([t_b, t_b, 0.0])
    t1 = np.array([t_b + duty, t_b, 0.0])
    names = ["subject", "non-subject", "domestic"]
    eps = _param(sc, "demand_elasticity")
    sig = _param(sc, "substitution_elasticity")
    etas = np.array([_param(sc, "supply_elasticity_subject", float("inf")),
                     _param(sc, "supply_elasticity_nonsubject", float("inf")),
                     _param(sc, "supply_elasticity_domestic", 3.0)])
    res = enforcement_tariff(v, t0, t1, demand_elasticity=eps, substitution_elasticity=sig,
                             supply_elasticities=etas, sources=names, domestic=[False, False, True])
    by_source = res.to_frame()
    # Per country: each supplier moves with its group (pro rata within the group).
    vc = dict(zip(names, res.value_change, strict=True))
    pc = dict(zip(names, res.producer_price_change, strict=True))
    m = market.copy()
    m["group"] = np.where(is_subj, "subject", "non-subject")
    m["value_base"] = np.where(is_subj, m["value"] * share, m["value"])
    m["value_change"] = m["group"].map(vc)
    m["value_change_abs"] = m["value_base"] * m["value_change"]
    m["producer_price_change"] = m["group"].map(pc)
    if "iso3" not in m.columns:
        m["iso3"] = m["partner"]
    importer = str(sc.data.get("importer", "USA"))
    dom_row = pd.DataFrame([{"iso3": importer, "partner": "domestic", "group": "domestic", "value_base": dom,
                             "value_change": vc["domestic"], "value_change_abs": dom * vc["domestic"],
                             "producer_price_change": pc["domestic"]}])
    per = pd.concat([dom_row, m.sort_values("value_base", ascending=False)], ignore_index=True)
    columns = ["iso3", "partner", "group", "value_base", "value_change", "value_change_abs", "producer_price_change"]
    rows = _records(per[columns])
    unc = None
    if sc.uncertainty is not None:
        unc = _enforcement_uncertainty(sc, v, t0, t1, eps, sig, etas, names)
    return ScenarioResult(
        name=sc.name, title=sc.title, model="enforcement", sign_convention=sc.sign_convention, unit=unit,
        summary=clean({**res.summary(), "subject": subject, "duty": duty, "covered_share": share,
                       "per_partner_rows": "three-source model (subject, non-subject, domestic): each supplier "
                                           "takes its group's proportional change, pro rata to base value",
                       "uncovered_subject_value_excluded": float(market.loc[is_subj, "value"].sum()) * (1 - share),
                       "subject_value_change": float(res.value_change[0]),
                       "nonsubject_value_change": float(res.value_change[1]),
                       "domestic_value_change": float(res.value_change[2])}),
        rows=rows, columns=columns,
        chart=_chart(rows, "value_change_abs", "Change in sales in the home market by supplier", unit,
                     label="partner"),
        tables={"by_source": _records(by_source)}, uncertainty=unc,
        parameters=clean({"demand_elasticity": eps, "substitution_elasticity": sig,
                          "supply_elasticities": dict(zip(names, etas.tolist(), strict=True))}),
        diagnostics=clean(res.diagnostics),
    )


def _enforcement_uncertainty(sc: Scenario, v: np.ndarray, t0: np.ndarray, t1: np.ndarray, eps: float,
                             sig: float, etas: np.ndarray, names: list[str]) -> dict[str, Any]:
    assert sc.uncertainty is not None
    bands = elasticity_bands(sc.uncertainty.bands)
    key_eta = {"supply_elasticity_subject": 0, "supply_elasticity_nonsubject": 1, "supply_elasticity_domestic": 2}

    def solve(e: Any, s: Any, et: Any) -> Any:
        return enforcement_tariff(v, t0, t1, demand_elasticity=e, substitution_elasticity=s,
                                  supply_elasticities=et, sources=names, domestic=[False, False, True])

    runs = []
    for name, b in bands.items():
        for setting, val in b.values().items():
            e, s, et = eps, sig, etas.copy()
            if name == "demand_elasticity":
                e = val
            elif name == "substitution_elasticity":
                s = val
            else:
                et[key_eta[name]] = val
            r = solve(e, s, et)
            runs.append({"parameter": name, "setting": setting, "value": val, **r.summary(),
                         "subject_value_change": float(r.value_change[0])})
    out: dict[str, Any] = {"bands": clean(runs), "method": "one elasticity at a time at low/central/high"}
    if sc.uncertainty.draws > 0:
        n = sc.uncertainty.draws
        d = draw_elasticities(bands, draws=n, seed=sc.seed)
        e_d = d.get("demand_elasticity", np.full(n, eps)).reshape(n, 1)
        s_d = d.get("substitution_elasticity", np.full(n, sig)).reshape(n, 1)
        et_d = np.tile(etas, (n, 1))
        for k, j in key_eta.items():
            if k in d:
                et_d[:, j] = d[k]
        r = solve(e_d, s_d, et_d)
        out["monte_carlo"] = {"draws": n, "seed": sc.seed,
                              "distribution": "triangular(low, central, high), independent",
                              "home_welfare": summarise_draws(r.home_welfare),
                              "subject_value_change": summarise_draws(r.value_change[:, 0]),
                              "domestic_value_change": summarise_draws(r.value_change[:, 2]),
                              "tariff_revenue_change": summarise_draws(r.tariff_revenue)}
    return out


# ------------------------------------------------------------------ GE (exact solver)
def ge_tau_hat(sc: Scenario, flows: pd.DataFrame, countries: list[str]) -> np.ndarray:
    """Build the (N, N) change in t_ij^(1-σ) from the policy section.

    ``change``: ``new_pairs`` (default; exp(β Δvar), Δvar = var in the last year minus the
    first year, as Zylkin's ge_gravity example), ``remove`` (exp(−β var) in the scenario
    year), ``add`` (exp(β) on ``pairs`` where var is 0).
    """
    var = str(sc.policy["variable"])
    beta = float(sc.policy["coefficient"])
    change = str(sc.policy.get("change", "new_pairs"))
    if var not in flows.columns:
        raise InputError(f"Policy variable {var!r} is not a column of the data.", where=sc.source,
                         field="policy.variable", expected=", ".join(c for c in flows.columns if c not in
                                                                    ("exporter", "importer", "year")),
                         example="eu_enlargement")
    idx = {c: i for i, c in enumerate(countries)}
    n = len(countries)
    delta = np.zeros((n, n))
    year = int(sc.data["year"])
    if change == "new_pairs":
        years = sorted(flows["year"].unique())
        first = flows[flows["year"] == years[0]].set_index(["exporter", "importer"])[var]
        last = flows[flows["year"] == years[-1]].set_index(["exporter", "importer"])[var]
        d = (last - first.reindex(last.index).fillna(0.0)).reset_index()
        for e, i_, val in d[["exporter", "importer", var]].itertuples(index=False):
            if e in idx and i_ in idx:
                delta[idx[e], idx[i_]] = val
    elif change == "remove":
        cur = flows[flows["year"] == year]
        for e, i_, val in cur[["exporter", "importer", var]].itertuples(index=False):
            delta[idx[e], idx[i_]] = -val
    elif change == "add":
        pairs = sc.policy.get("pairs") or []
        if not isinstance(pairs, list) or not pairs:
            raise InputError("policy.pairs must be a non-empty list of country pairs for change: add.",
                             where=sc.source, field="policy.pairs", expected="a list like [USA-JPN, USA-GBR]",
                             example="[USA-JPN]")
        cur_s: pd.Series = flows[flows["year"] == year].set_index(["exporter", "importer"])[var]
        for p in pairs:
            ab = p.split("-") if isinstance(p, str) else p
            if not (isinstance(ab, list) and len(ab) == 2 and all(isinstance(x, str) for x in ab)):
                raise InputError(f"A pair is two ISO3 codes; got {p!r}.", where=sc.source, field="policy.pairs",
                                 expected="AAA-BBB or [AAA, BBB]", example="USA-JPN")
            a, b = ab
            for e, i_ in ((a, b), (b, a)):
                if e not in idx or i_ not in idx:
                    raise InputError(f"Unknown country in pair {p!r}.", where=sc.source, field="policy.pairs",
                                     expected="ISO3 codes present in the data", example="USA-JPN")
                if float(cur_s.get((e, i_), 0.0)) == 0.0:  # type: ignore[arg-type]
                    delta[idx[e], idx[i_]] = 1.0
        if not delta.any():
            raise InputError(f"Every pair in policy.pairs already has {var} = 1 in {year}: adding it changes "
                             "nothing.", where=sc.source, field="policy.pairs",
                             expected=f"pairs without {var} in {year}", example="USA-JPN")
    else:
        raise InputError(f"Unknown policy.change {change!r}.", where=sc.source, field="policy.change",
                         expected="new_pairs | remove | add", example="new_pairs")
    return np.exp(beta * delta)


GE_COLUMNS = ["iso3", "full_welfare", "full_real_gdp", "conditional_real_gdp", "full_exports",
              "full_imports", "full_terms_of_trade", "full_factory_gate_price"]


def run_ge(sc: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """Structural gravity GE with the exact solver of ``tradepolicy.economics.ge``."""
    from tradepolicy.economics.ge import GEData, solve_ge

    flows: pd.DataFrame = inputs["flows"]
    flow = str(sc.data.get("flow", "trade"))
    year = int(sc.data["year"])
    cur = flows[flows["year"] == year]
    if cur.empty:
        raise InputError(f"No data for year {year}.", where=sc.source, field="data.year",
                         expected=", ".join(str(y) for y in sorted(flows["year"].unique())), example="2000")
    data = GEData.from_frame(cur, exporter="exporter", importer="importer", flow=flow)
    countries = list(data.countries)
    tau = ge_tau_hat(sc, flows, countries)
    if "sigma" in sc.parameters and "theta" in sc.parameters:
        raise InputError("Give parameters.sigma or parameters.theta (θ = σ − 1), not both.", where=sc.source,
                         field="parameters.theta", expected="one of sigma, theta", example="theta: 4")
    if "sigma" in sc.parameters:
        sigma = float(sc.parameters["sigma"])
    elif "theta" in sc.parameters:
        sigma = float(sc.parameters["theta"]) + 1.0
    else:
        raise InputError("Give parameters.sigma or parameters.theta (trade elasticity θ = σ − 1).",
                         where=sc.source, field="parameters.sigma", expected="σ > 1", example="sigma: 5")
    imbalance = str(sc.parameters.get("imbalance", "additive"))
    numeraire = str(sc.parameters.get("numeraire", "reference"))
    if numeraire not in ("reference", "world_output"):
        raise InputError(f"Unknown numeraire {numeraire!r}.", where=sc.source, field="parameters.numeraire",
                         expected="reference | world_output", example="numeraire: world_output")
    ref_iso = str(sc.parameters["reference"])
    res = solve_ge(data, tau_hat=tau, sigma=sigma, reference=ref_iso,
                   imbalance=imbalance, numeraire=numeraire)  # type: ignore[arg-type]
    numeraire_text = ("world output held fixed (sum of Y' = sum of Y, as Zylkin's ge_gravity)"
                      if numeraire == "world_output" else f"price index of the reference importer {ref_iso}")
    imbalance_text = ("additive: deficits D = E - Y fixed in numeraire units" if imbalance == "additive"
                      else "multiplicative: each country's E/Y ratio kept")
    frame = res.to_frame().reset_index()
    cols = [c for c in GE_COLUMNS if c in frame.columns]
    frame = frame.sort_values("full_welfare", ascending=False)
    rows = _records(frame[cols])
    diag = res.diagnostics.to_dict() if hasattr(res.diagnostics, "to_dict") else {}
    treated = int((tau != 1.0).sum())
    return ScenarioResult(
        name=sc.name, title=sc.title, model="ge", sign_convention=sc.sign_convention, unit="percent",
        summary=clean({"countries": len(countries), "treated_pairs": treated, "year": year,
                       "largest_gain": rows[0]["iso3"], "largest_gain_welfare_pct": rows[0]["full_welfare"],
                       "largest_loss": rows[-1]["iso3"], "largest_loss_welfare_pct": rows[-1]["full_welfare"],
                       "solver": f"exact ({res.full_algorithm}), tol 1e-10",
                       "numeraire": numeraire_text, "imbalance": imbalance_text}),
        rows=rows, columns=cols,
        chart=_chart(rows, "full_welfare", "Welfare change by country (full endowment GE)", "percent"),
        parameters={"sigma": sigma, "theta": sigma - 1.0, "reference": ref_iso, "numeraire": numeraire,
                    "imbalance": imbalance, "coefficient": float(sc.policy["coefficient"]),
                    "variable": str(sc.policy["variable"])},
        diagnostics=clean(diag),
    )


# ------------------------------------------------------------------ GE-PPML (the book's procedure)
def run_ge_ppml(sc: Scenario, inputs: Mapping[str, Any]) -> ScenarioResult:
    """Run a Chapter 2 application with the book's GE-PPML procedure, beside the exact GE."""
    from tradepolicy.economics.ge import GEData, solve_ge
    from tradepolicy.economics.ge.ppml_loop import solve_ge_ppml
    from tradepolicy.economics.scenarios import chapter2

    app = str(sc.data["application"])
    preps = {"trade_without_borders": chapter2.trade_without_borders, "nafta": chapter2.nafta}
    if app not in preps:
        raise InputError(f"Unknown Chapter 2 application {app!r}.", where=sc.source, field="data.application",
                         expected=" | ".join(preps), example="nafta")
    prob = preps[app](inputs["flows"])
    sigma = float(sc.parameters["sigma"])
    ref = str(sc.parameters["reference"])
    stopping = str(sc.parameters.get("procedure", "book"))
    data = GEData.from_frame(prob.frame, exporter="exporter", importer="importer", flow="trade", cost="cost")
    book = solve_ge_ppml(data, tau_hat=prob.tau_hat, sigma=sigma, reference=ref,
                         stopping=stopping)  # type: ignore[arg-type]
    bf = book.to_frame(prob.convention)  # type: ignore[arg-type]
    exact = solve_ge(data, tau_hat=prob.tau_hat, sigma=sigma, reference=ref, imbalance="multiplicative")
    ef = exact.to_frame()
    if prob.convention == "baseline_vs_counterfactual":
        ef = 100.0 * (1.0 / (1.0 + ef / 100.0) - 1.0)
    out = pd.DataFrame({
        "iso3": list(bf.index),
        "book_full_real_gdp": bf["full_real_gdp"].to_numpy(),
        "exact_full_real_gdp": ef.loc[bf.index, "full_real_gdp"].to_numpy(),
        "book_conditional_real_gdp": bf["conditional_real_gdp"].to_numpy(),
        "exact_conditional_real_gdp": ef.loc[bf.index, "conditional_real_gdp"].to_numpy(),
        "book_full_exports": bf["full_exports"].to_numpy(),
        "exact_full_exports": ef.loc[bf.index, "full_exports"].to_numpy(),
        "book_conditional_exports": bf["conditional_exports"].to_numpy(),
        "book_full_factory_gate_price": bf["full_factory_gate_price"].to_numpy(),
    })
    out["real_gdp_book_minus_exact"] = out["book_full_real_gdp"] - out["exact_full_real_gdp"]
    out = out.sort_values("book_full_real_gdp", ascending=False)
    columns = list(out.columns)
    rows = _records(out)
    conv = ("(counterfactual - baseline) / baseline x 100" if prob.convention == "counterfactual_vs_baseline"
            else "(baseline - counterfactual) / counterfactual x 100, the effect of having the policy; "
                 "price column (1 - p) x 100 as the book")
    return ScenarioResult(
        name=sc.name, title=sc.title, model="ge_ppml", sign_convention=f"percent changes, {conv}", unit="percent",
        summary=clean({"application": app, "countries": len(prob.countries), "procedure": stopping,
                       "book_iterations": book.iterations, "book_stopped_by_rule": book.stopped_by_rule,
                       "max_abs_real_gdp_book_minus_exact": float(out["real_gdp_book_minus_exact"].abs().max()),
                       **{f"estimate_{k}": v for k, v in prob.estimates.items()}}),
        rows=rows, columns=columns,
        chart=_chart(rows, "book_full_real_gdp", "Real GDP change by country (book's GE-PPML, full endowment)",
                     "percent"),
        parameters={"sigma": sigma, "reference": ref, "procedure": stopping, "application": app},
        diagnostics=clean({"exact": exact.diagnostics.to_dict() if hasattr(exact.diagnostics, "to_dict") else {},
                           "book_price_path_len": int(book.price_path.shape[0])}),
    )
