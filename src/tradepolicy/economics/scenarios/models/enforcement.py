"""Scenario model ``enforcement``: The enforcement-tariff PE model (Armington, subject vs non-subject vs domestic).

This module is the one place the model lives: its sections (derived from ``SPEC``), its sign
convention, whether it takes an ``uncertainty`` section, and its runner ``run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd

from tradepolicy.economics.pe import (
    elasticity_bands,
    enforcement_tariff,
    summarise_draws,
)
from tradepolicy.economics.pe.uncertainty import triangular
from tradepolicy.economics.scenarios.result import ScenarioResult, clean
from tradepolicy.economics.uncertainty import monte_carlo, one_at_a_time
from tradepolicy.errors import InputError

if TYPE_CHECKING:
    from tradepolicy.economics.scenarios.schema import Scenario

from tradepolicy.economics.scenarios.models._common import (
    _chart,
    _param,
    _records,
)
from tradepolicy.economics.scenarios.models._spec import (
    Codes,
    Number,
    Section,
    SpecBase,
    Year,
    one_rate,
    section,
    spec_sections,
    text,
)

NAME = "enforcement"


class EnforcementData(Section):
    """The ``data`` section: which dataset and which slice of it."""

    dataset: Annotated[str | int, text("dataset")]
    importer: Annotated[str | int, text("importer")] = None  # type: ignore[assignment]
    products: Codes | None = None
    year: Year = None  # type: ignore[assignment]
    subject: Codes
    domestic_sales: Number


class EnforcementPolicy(Section):
    """The ``policy`` section: the change to evaluate."""

    base_tariff: Annotated[float, one_rate("enforcement")] = None  # type: ignore[assignment]
    duty: Number
    covered_share: Number = None  # type: ignore[assignment]


class EnforcementParameters(Section):
    """The ``parameters`` section: elasticities and settings."""

    demand_elasticity: Number
    substitution_elasticity: Number
    supply_elasticity_subject: Number = None  # type: ignore[assignment]
    supply_elasticity_nonsubject: Number = None  # type: ignore[assignment]
    supply_elasticity_domestic: Number = None  # type: ignore[assignment]


class EnforcementSpec(SpecBase):
    """An enforcement-tariff scenario file."""

    model: Literal["enforcement"]
    data: EnforcementData
    policy: EnforcementPolicy = section()
    parameters: EnforcementParameters = section()


SPEC = EnforcementSpec
SECTIONS = spec_sections(SPEC)  # allowed keys of each section, derived from the spec
SIGN_CONVENTION = "changes are scenario minus baseline; proportional changes are decimals; welfare in the data's value units"
TAKES_UNCERTAINTY = True


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
    """Bands one elasticity at a time, then the seeded Monte Carlo (all draws in one vectorised solve)."""
    assert sc.uncertainty is not None
    bands = elasticity_bands(sc.uncertainty.bands)
    key_eta = {"supply_elasticity_subject": 0, "supply_elasticity_nonsubject": 1, "supply_elasticity_domestic": 2}

    def solve(e: Any, s: Any, et: Any) -> Any:
        return enforcement_tariff(v, t0, t1, demand_elasticity=e, substitution_elasticity=s,
                                  supply_elasticities=et, sources=names, domestic=[False, False, True])

    def at(name: str, val: float) -> dict[str, Any]:
        e, s, et = eps, sig, etas.copy()
        if name == "demand_elasticity":
            e = val
        elif name == "substitution_elasticity":
            s = val
        else:
            et[key_eta[name]] = val
        r = solve(e, s, et)
        return {**r.summary(), "subject_value_change": float(r.value_change[0])}

    runs = one_at_a_time(bands, at)
    out: dict[str, Any] = {"bands": clean(runs), "method": "one elasticity at a time at low/central/high"}
    if sc.uncertainty.draws > 0:
        def runner(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
            n = d["draw"].size
            et_d = np.tile(etas, (n, 1))
            for k, j in key_eta.items():
                if k in d:
                    et_d[:, j] = d[k]
            r = solve(d.get("demand_elasticity", np.full(n, eps)).reshape(n, 1),
                      d.get("substitution_elasticity", np.full(n, sig)).reshape(n, 1), et_d)
            return {"home_welfare": r.home_welfare, "subject_value_change": r.value_change[:, 0],
                    "domestic_value_change": r.value_change[:, 2], "tariff_revenue_change": r.tariff_revenue}

        mc = monte_carlo(runner, triangular(bands), draws=sc.uncertainty.draws, seed=sc.seed)
        out["monte_carlo"] = {"draws": mc.draws, "seed": mc.seed,
                              "distribution": "triangular(low, central, high), independent",
                              **{k: summarise_draws(x) for k, x in mc.samples.items()}}
    return out


run = run_enforcement
