"""Scenario model ``ge``: Structural gravity GE with the exact solver of ``tradepolicy.economics.ge``.

This module is the one place the model lives: its sections (derived from ``SPEC``), its sign
convention, whether it takes an ``uncertainty`` section, and its runner ``run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
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
    Year,
    no_uncertainty,
    section,
    spec_sections,
    text,
)
from tradepolicy.economics.scenarios.models._spec import (
    name as by_name,
)

NAME = "ge"


class GEFileData(Section):
    """The ``data`` section: which dataset and which slice of it."""

    dataset: Annotated[str | int, text("dataset")]
    year: Year
    flow: Annotated[str | int, text("flow")] = None  # type: ignore[assignment]


class GEPolicy(Section):
    """The ``policy`` section: the change to evaluate."""

    variable: Annotated[str | int, text("variable")]
    coefficient: Number
    change: Annotated[str | int, text("change")] = None  # type: ignore[assignment]
    pairs: Any = None


class GEParameters(Section):
    """The ``parameters`` section: elasticities and settings."""

    sigma: Number = None  # type: ignore[assignment]
    theta: Number = None  # type: ignore[assignment]
    reference: Annotated[str, by_name("reference")]
    imbalance: Annotated[str, by_name("imbalance")] = None  # type: ignore[assignment]
    numeraire: Annotated[str, by_name("numeraire")] = None  # type: ignore[assignment]


class GESpec(SpecBase):
    """A structural-gravity GE scenario file (no uncertainty section)."""

    model: Literal["ge"]
    data: GEFileData
    policy: GEPolicy = section()
    parameters: GEParameters = section()
    uncertainty: Annotated[None, no_uncertainty("ge")] = None  # type: ignore[assignment]


SPEC = GESpec
SECTIONS = spec_sections(SPEC)  # allowed keys of each section, derived from the spec
SIGN_CONVENTION = "percent changes (counterfactual - baseline) / baseline x 100; a gain is positive"
TAKES_UNCERTAINTY = False


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


run = run_ge
