"""Scenario model ``smart``: SMART: one importing market, partial equilibrium by HS6 line (Laird-Yeats).

This module is the one place the model lives: its sections (derived from ``SPEC``), its sign
convention, whether it takes an ``uncertainty`` section, and its runner ``run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import PlainValidator

from tradepolicy.economics.pe import (
    apply_changes,
    elasticity_bands,
    smart,
    summarise_draws,
)
from tradepolicy.economics.pe.uncertainty import triangular
from tradepolicy.economics.scenarios.result import ScenarioResult, clean
from tradepolicy.economics.uncertainty import monte_carlo, one_at_a_time
from tradepolicy.errors import InputError

if TYPE_CHECKING:
    from tradepolicy.economics.scenarios.schema import Scenario

from tradepolicy.economics.scenarios.models._common import (
    _base_tariff,
    _by_product,
    _changes,
    _chart,
    _check_selection,
    _records,
)
from tradepolicy.economics.scenarios.models._spec import (
    Codes,
    Number,
    Section,
    SpecBase,
    number,
    section,
    spec_sections,
    text,
    tp_error,
)

NAME = "smart"


def _by_product_value(v: Any) -> Any:
    """One elasticity, or one by HS6 ``{default: 1.2, "030617": 0.9}`` (keys as strings)."""
    if isinstance(v, dict):
        if "default" not in v:
            raise tp_error("{field} by product needs a 'default'.", expected="{default: x, HS6: y}",
                           example='{default: 1.2, "030617": 0.9}')
        return {str(h): number(x, sub=f".{h}") for h, x in v.items()}
    return number(v)


def _rates(v: Any) -> Any:
    """One base rate, or rates by partner ``{ISO3: rate, default: rate}``."""
    if isinstance(v, dict):
        return {str(k): number(x, sub=f".{k}") for k, x in v.items()}
    return number(v)


ByProduct = Annotated[float | dict[str, float], PlainValidator(_by_product_value)]


class SmartData(Section):
    """The ``data`` section: which dataset and which slice of it."""

    dataset: Annotated[str | int, text("dataset")]
    importer: Annotated[str | int, text("importer")]
    products: Codes | None = None


class SmartChange(Section):
    """One tariff change on this importer's market (one importer: no ``importers`` key)."""

    formula: Any = None
    value: Number = None  # type: ignore[assignment]  # absent is allowed, null is not
    partners: Codes | None = None
    products: Codes | None = None


class SmartPolicy(Section):
    """The ``policy`` section: the change to evaluate."""

    base_tariff: Annotated[float | dict[str, float], PlainValidator(_rates)] = None  # type: ignore[assignment]
    changes: list[SmartChange] | None


class SmartParameters(Section):
    """The ``parameters`` section: elasticities and settings."""

    import_demand_elasticity: ByProduct
    substitution_elasticity: ByProduct = None  # type: ignore[assignment]
    export_supply_elasticity: ByProduct = None  # type: ignore[assignment]


class SmartSpec(SpecBase):
    """A SMART scenario file."""

    model: Literal["smart"]
    data: SmartData
    policy: SmartPolicy = section()
    parameters: SmartParameters = section()


SPEC = SmartSpec
SECTIONS = spec_sections(SPEC)  # allowed keys of each section, derived from the spec
SIGN_CONVENTION = "changes are scenario minus baseline, in thousand US$ (BACI values); positive = more imports / revenue / welfare"
TAKES_UNCERTAINTY = True


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



def _smart_uncertainty(sc: Scenario, m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, eps: float,
                       sig: float, eta: float, partners: list[str]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Bands one elasticity at a time, then the seeded Monte Carlo (all draws in one vectorised solve)."""
    assert sc.uncertainty is not None
    bands = elasticity_bands(sc.uncertainty.bands)
    central = {"import_demand_elasticity": eps, "substitution_elasticity": sig, "export_supply_elasticity": eta}

    def solve(p: Mapping[str, Any]) -> Any:
        return smart(m0, t0, t1, import_demand_elasticity=p["import_demand_elasticity"],
                     substitution_elasticity=p["substitution_elasticity"],
                     export_supply_elasticity=p["export_supply_elasticity"])

    runs = one_at_a_time(bands, lambda name, v: solve(central | {name: v}).summary())
    out: dict[str, Any] = {"bands": clean(runs), "method": "one elasticity at a time at low/central/high"}
    per_partner = None
    if sc.uncertainty.draws > 0:
        def runner(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
            n = d["draw"].size
            r = solve({k: d.get(k, np.full(n, c)).reshape(n, 1, 1) for k, c in central.items()})
            return {"total_effect": r.total_effect.sum(axis=(1, 2)),
                    "revenue_change": (r.revenue_new - r.revenue_base).sum(axis=(1, 2)),
                    "welfare": r.welfare.sum(axis=(1, 2)), "by_partner": r.total_effect.sum(axis=1)}  # (D, K)

        mc = monte_carlo(runner, triangular(bands), draws=sc.uncertainty.draws, seed=sc.seed)
        out["monte_carlo"] = {"draws": mc.draws, "seed": mc.seed,
                              "distribution": "triangular(low, central, high), independent",
                              **{k: summarise_draws(mc.samples[k]) for k in ("total_effect", "revenue_change",
                                                                           "welfare")}}
        per_partner = pd.DataFrame({"iso3": partners,
                                    "total_effect_p5": mc.percentile("by_partner", 5),
                                    "total_effect_p95": mc.percentile("by_partner", 95)})
    return out, per_partner


run = run_smart
