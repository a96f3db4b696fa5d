"""Scenario model ``gsim``: GSIM: a global simulation of one product's world market (Francois and Hall).

This module is the one place the model lives: its sections (derived from ``SPEC``), its sign
convention, whether it takes an ``uncertainty`` section, and its runner ``run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd

from tradepolicy.economics.pe import (
    TariffChange,
    apply_formula,
    elasticity_bands,
    gsim,
    summarise_draws,
)
from tradepolicy.economics.pe.gsim import gsim_from_frame
from tradepolicy.economics.pe.uncertainty import triangular
from tradepolicy.economics.scenarios.result import ScenarioResult, clean
from tradepolicy.economics.uncertainty import monte_carlo, one_at_a_time
from tradepolicy.errors import InputError

if TYPE_CHECKING:
    from tradepolicy.economics.scenarios.schema import Scenario

from tradepolicy.economics.scenarios.models._common import (
    GSIM_MC_CELLS,
    _chart,
    _param,
    _records,
)
from tradepolicy.economics.scenarios.models._spec import (
    Codes,
    Number,
    Section,
    SpecBase,
    one_rate,
    section,
    spec_sections,
    text,
)

NAME = "gsim"


class GsimData(Section):
    """The ``data`` section: which dataset and which slice of it."""

    dataset: Annotated[str | int, text("dataset")]
    product: Annotated[str | int, text("product")] = None  # type: ignore[assignment]


class GsimChange(Section):
    """One tariff change on exporter x importer cells (one product: no ``products`` key)."""

    formula: Any = None
    value: Number = None  # type: ignore[assignment]  # absent is allowed, null is not
    partners: Codes | None = None
    importers: Codes | None = None


class GsimPolicy(Section):
    """The ``policy`` section: the change to evaluate."""

    base_tariff: Annotated[float, one_rate("gsim")] = None  # type: ignore[assignment]
    changes: list[GsimChange] | None = None
    dataset_tariffs: Any = None


class GsimParameters(Section):
    """The ``parameters`` section: elasticities and settings."""

    import_demand_elasticity: Number
    substitution_elasticity: Number
    export_supply_elasticity: Number


class GsimSpec(SpecBase):
    """A GSIM scenario file."""

    model: Literal["gsim"]
    data: GsimData
    policy: GsimPolicy = section()
    parameters: GsimParameters = section()


SPEC = GsimSpec
SECTIONS = spec_sections(SPEC)  # allowed keys of each section, derived from the spec
SIGN_CONVENTION = "changes are scenario minus baseline; world price changes are proportional (decimals); welfare pieces in the data's value units"
TAKES_UNCERTAINTY = True


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
    """Bands one elasticity at a time, then the seeded Monte Carlo (batched: one linear solve per draw)."""
    assert sc.uncertainty is not None
    bands = elasticity_bands(sc.uncertainty.bands)
    central = {"import_demand_elasticity": em, "substitution_elasticity": es, "export_supply_elasticity": ex}

    def solve(p: Mapping[str, Any]) -> Any:
        return gsim(M, T0, T1, import_demand_elasticity=-p["import_demand_elasticity"],
                    substitution_elasticity=p["substitution_elasticity"],
                    export_supply_elasticity=p["export_supply_elasticity"])

    def at(name: str, v: float) -> dict[str, Any]:
        p = central | {name: v}
        if p["import_demand_elasticity"] <= 0:
            raise InputError("Band values of import_demand_elasticity are positive magnitudes.",
                             where=sc.source, field=f"uncertainty.bands.{name}", expected="> 0",
                             example="[0.6, 1.25, 2.5]")
        return solve(p).summary()  # type: ignore[no-any-return]

    runs = one_at_a_time(bands, at)
    out: dict[str, Any] = {"bands": clean(runs), "method": "one elasticity at a time at low/central/high"}
    per_region = None
    if sc.uncertainty.draws > 0:
        def runner(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
            n = d["draw"].size
            r = solve({k: d.get(k, np.full(n, c)).reshape(n, 1) for k, c in central.items()})
            return {"world_price_change": r.world_price_change,
                    "net_welfare": r.producer_surplus + r.consumer_surplus + r.tariff_revenue,  # square: r = v
                    "tariff_revenue_world": r.tariff_revenue.sum(axis=1)}

        chunk = max(1, int(GSIM_MC_CELLS // M.size))          # bound memory: draws per batched solve
        mc = monte_carlo(runner, triangular(bands), draws=sc.uncertainty.draws, seed=sc.seed, block=chunk)
        net = mc.samples["net_welfare"]
        out["monte_carlo"] = {"draws": mc.draws, "seed": mc.seed, "draws_per_batch": mc.block,
                              "distribution": "triangular(low, central, high), independent; batched solve",
                              "net_welfare_world": summarise_draws(net.sum(axis=1)),
                              "tariff_revenue_world": summarise_draws(mc.samples["tariff_revenue_world"])}
        per_region = pd.DataFrame({
            "iso3": regions,
            "world_price_change_p5": mc.percentile("world_price_change", 5),
            "world_price_change_p95": mc.percentile("world_price_change", 95),
            "net_welfare_p5": mc.percentile("net_welfare", 5), "net_welfare_p95": mc.percentile("net_welfare", 95)})
    return out, per_region


run = run_gsim
