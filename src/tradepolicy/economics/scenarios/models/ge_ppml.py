"""Scenario model ``ge_ppml``: The Advanced Guide's Chapter 2 applications with the book's GE-PPML procedure.

This module is the one place the model lives: its sections (derived from ``SPEC``), its sign
convention, whether it takes an ``uncertainty`` section, and its runner ``run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pandas as pd

from tradepolicy.economics.scenarios.result import ScenarioResult, clean
from tradepolicy.errors import InputError

if TYPE_CHECKING:
    from tradepolicy.economics.scenarios.schema import Scenario

from tradepolicy.economics.scenarios.models._common import (
    _chart,
    _records,
)
from tradepolicy.economics.scenarios.models._spec import (
    Number,
    Section,
    SpecBase,
    no_uncertainty,
    section,
    spec_sections,
    text,
)
from tradepolicy.economics.scenarios.models._spec import (
    name as by_name,
)

NAME = "ge_ppml"


class GEPPMLData(Section):
    """The ``data`` section: which dataset and which slice of it."""

    dataset: Annotated[str | int, text("dataset")]
    application: Annotated[str | int, text("application")]


class GEPPMLPolicy(Section):
    """No policy keys: the application names the policy."""


class GEPPMLParameters(Section):
    """The ``parameters`` section: elasticities and settings."""

    sigma: Number
    reference: Annotated[str, by_name("reference")]
    procedure: Annotated[str, by_name("procedure")] = None  # type: ignore[assignment]


class GEPPMLSpec(SpecBase):
    """A Chapter 2 GE-PPML scenario file (no uncertainty section)."""

    model: Literal["ge_ppml"]
    data: GEPPMLData
    policy: GEPPMLPolicy = section()
    parameters: GEPPMLParameters = section()
    uncertainty: Annotated[None, no_uncertainty("ge_ppml")] = None  # type: ignore[assignment]


SPEC = GEPPMLSpec
SECTIONS = spec_sections(SPEC)  # allowed keys of each section, derived from the spec
SIGN_CONVENTION = "as the book reports each application (see the scenario's sign_convention field)"
TAKES_UNCERTAINTY = False


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


run = run_ge_ppml
