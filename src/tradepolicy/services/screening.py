"""Pre-negotiation partner screening: rank candidates by the GE gains of a new agreement.

For each candidate partner c without an agreement with the home country h in the data
year, the agreement is modelled as the change exp(β) in t^(1−σ) on the pairs h→c and c→h
(β the partial RTA effect). The exact structural gravity solver gives each country's
welfare (real expenditure) and real GDP change in the full-endowment equilibrium. Each
candidate is shown with trade indicators from the same flows: trade intensity both ways;
complementarity and RCA need product detail, which the aggregate gravity datasets do not
have, so they are computed only when a product dataset is named (baci-shrimp-2018: within
its six shrimp lines, and labelled so).

Defaults (stated in every report): agtpa 2006, σ = 7 and β = the RTA estimate of Yotov et
al. (2016) Table 3 column (4), read from agtpa/reference_coefficients.csv; wiod-zylkin 2000,
θ = 4 (σ = 5) and β = the published EU-enlargement estimate of Zylkin's example (the
``wiod_eu_enlargement`` gravity preset) unless given.
"""

from __future__ import annotations

import copy
import io
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradepolicy.csv_safe import write_csv
from tradepolicy.economics.indicators import complementarity, rca, trade_intensity
from tradepolicy.economics.scenarios.result import clean
from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.literals import check_literal

RankBy = Literal["home", "partner", "joint"]

SCREEN_COLUMNS = ["rank", "iso3", "home_welfare", "home_real_gdp", "partner_welfare", "partner_real_gdp",
                  "world_welfare_weighted", "trade_intensity_home_to_partner", "trade_intensity_partner_to_home",
                  "complementarity_home_exports", "complementarity_partner_exports", "partner_rca_top_line"]


def _defaults(dataset: str) -> dict[str, Any]:
    if dataset == "agtpa":
        from tradepolicy.datasets.readers.gravity import (
            read_agtpa,
            read_agtpa_reference_coefficients,
        )

        ref = read_agtpa_reference_coefficients()
        row = ref[(ref["table"] == "ch1_app3_table3") & (ref["column"] == "(4)") & (ref["variable"] == "rta")]
        beta = float(row["estimate"].iloc[0])
        return {"flows": read_agtpa(), "year": 2006, "sigma": 7.0, "beta": beta, "agreement": "rta",
                "beta_source": "Yotov et al. (2016) Table 3 col. (4), PPML with pair FE (agtpa reference_coefficients.csv)",
                "sigma_source": "Yotov et al. (2016) ch. 2 (sigma = 7)", "unit": "US$ million (manufacturing)"}
    if dataset == "wiod-zylkin":
        from tradepolicy.datasets.readers.gravity import read_wiod_zylkin
        from tradepolicy.economics.gravity.presets import get_preset

        beta_w = float(get_preset("wiod_eu_enlargement").published["eu_enlargement"])
        return {"flows": read_wiod_zylkin(), "year": 2000, "sigma": 5.0, "beta": beta_w, "agreement": "fta",
                "beta_source": "Zylkin ge_gravity example, eu_enlargement (wiod-zylkin PROVENANCE)",
                "sigma_source": "theta = 4 (ge_gravity example)", "unit": "US$ million"}
    raise InputError(f"Unknown screening dataset {dataset!r}.", field="dataset",
                     expected="agtpa | wiod-zylkin", example="agtpa")


def _product_indicators(home: str, partners: list[str], product_dataset: str | None) -> dict[str, dict[str, Any]]:
    if product_dataset is None:
        return {}
    if product_dataset != "baci-shrimp-2018":
        raise InputError(f"Unknown product dataset {product_dataset!r}.", field="product_dataset",
                         expected="baci-shrimp-2018", example="baci-shrimp-2018")
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    df = read_baci_shrimp_2018()
    df["exporter"] = df["exporter"].fillna("TWN")
    df["importer"] = df["importer"].fillna("TWN")
    exp = df.groupby(["exporter", "hs6"])["value_kusd"].sum()
    imp = df.groupby(["importer", "hs6"])["value_kusd"].sum()
    r = rca(df.rename(columns={"hs6": "product", "value_kusd": "value"}))
    top = r.sort_values("rca", ascending=False).groupby("exporter").head(1).set_index("exporter")
    out: dict[str, dict[str, Any]] = {}
    empty = pd.Series(dtype=float)
    hx = exp.loc[home] if home in exp.index.get_level_values(0) else empty
    hm = imp.loc[home] if home in imp.index.get_level_values(0) else empty
    for c in partners:
        cx = exp.loc[c] if c in exp.index.get_level_values(0) else empty
        cm = imp.loc[c] if c in imp.index.get_level_values(0) else empty
        out[c] = {
            "complementarity_home_exports": complementarity(hx, cm) if len(hx) and len(cm) else None,
            "complementarity_partner_exports": complementarity(cx, hm) if len(cx) and len(hm) else None,
            "partner_rca_top_line": (f"{top.loc[c, 'product']!s} ({float(top.loc[c, 'rca']):.2f})"  # type: ignore[arg-type]
                                     if c in top.index else None),
        }
    return out


def _solve_candidate(args: tuple[Any, int, int, float, float]) -> tuple[list[float], list[float]]:
    """Solve the GE of one candidate agreement (a pure function, so executors can ship it)."""
    from tradepolicy.economics.ge import solve_ge

    data, h, j, beta, sig = args
    n = len(data.countries)
    tau = np.ones((n, n))
    tau[h, j] = tau[j, h] = np.exp(beta)
    res = solve_ge(data, tau_hat=tau, sigma=sig, reference=data.countries[h], imbalance="multiplicative")
    fr = res.to_frame()
    return fr["full_welfare"].to_numpy(float).tolist(), fr["full_real_gdp"].to_numpy(float).tolist()


_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_CACHE_MAX = 32


def screen(
    *,
    home: str,
    dataset: str = "agtpa",
    year: int | None = None,
    candidates: list[str] | None = None,
    coefficient: float | None = None,
    sigma: float | None = None,
    rank_by: str = "home",
    product_dataset: str | None = None,
    executor: str | None = None,
) -> dict[str, Any]:
    """Rank candidate partners for a new agreement with ``home``.

    The per-candidate GE solves run through ``services.executor`` (``serial``, ``process``
    or ``dask``; default ``TRADEPOLICY_EXECUTOR``). Reports are cached in-process by their
    arguments (the datasets are sha256-verified and immutable).

    Returns a report dict: ``rows`` (one per candidate, ranked), ``columns``, settings,
    ``notes`` and the sign convention (percent changes, a gain is positive).
    """
    key = (home.upper(), dataset, year, tuple(candidates) if candidates is not None else None, coefficient,
           sigma, rank_by, product_dataset)
    if key in _CACHE:
        return copy.deepcopy(_CACHE[key])
    rep = _screen(home=home, dataset=dataset, year=year, candidates=candidates, coefficient=coefficient,
                  sigma=sigma, rank_by=rank_by, product_dataset=product_dataset, executor=executor)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = rep
    return copy.deepcopy(rep)


def _screen(*, home: str, dataset: str, year: int | None, candidates: list[str] | None,
            coefficient: float | None, sigma: float | None, rank_by: str, product_dataset: str | None,
            executor: str | None) -> dict[str, Any]:
    from tradepolicy.economics.ge import GEData
    from tradepolicy.economics.ge.onesector import check_sigma
    from tradepolicy.services.executor import get_executor

    check_literal(rank_by, ("home", "partner", "joint"), name="rank_by")
    d = _defaults(dataset)
    yr = int(year if year is not None else d["year"])
    flows: pd.DataFrame = d["flows"]
    cur = flows[flows["year"] == yr]
    if cur.empty:
        raise InputError(f"No {dataset} data for year {yr}.", field="year",
                         expected=", ".join(str(y) for y in sorted(flows["year"].unique())), example=str(d["year"]))
    data = GEData.from_frame(cur, exporter="exporter", importer="importer", flow="trade")
    countries = list(data.countries)
    home = home.upper()
    if home not in countries:
        raise NotFoundError(f"Unknown home country {home!r} in {dataset} {yr}.", field="home",
                            expected="an ISO3 code in the data", example=countries[0])
    beta = float(coefficient if coefficient is not None else d["beta"])
    sig = check_sigma(float(sigma if sigma is not None else d["sigma"]))
    agr: dict[tuple[str, str], float] = {
        (str(e), str(i)): float(v) for e, i, v in cur[["exporter", "importer", d["agreement"]]].itertuples(index=False)}
    existing = {c for c in countries if c != home and agr.get((home, c), 0.0) > 0}
    if candidates is None:
        cands = [c for c in countries if c != home and c not in existing]
    else:
        unknown = [c for c in candidates if c not in countries]
        if unknown:
            raise NotFoundError(f"Unknown candidate(s) {unknown} in {dataset} {yr}.", field="candidates",
                                expected="ISO3 codes in the data", example=",".join(countries[:3]))
        cands = [c for c in candidates if c != home]
    h = countries.index(home)
    ti_frame = trade_intensity(cur, value="trade")
    ti: dict[tuple[str, str], float] = {
        (str(e), str(i)): float(v) for e, i, v in ti_frame.itertuples(index=False)}
    prod = _product_indicators(home, cands, product_dataset)
    gdp_w = data.output / data.output.sum()
    idx = [countries.index(c) for c in cands]
    with get_executor(executor) as ex:
        solved = ex.map(_solve_candidate, [(data, h, j, beta, sig) for j in idx])
    rows = []
    for c, j, (wel, rgdp) in zip(cands, idx, solved, strict=True):
        rows.append({
            "iso3": c, "home_welfare": wel[h], "home_real_gdp": rgdp[h],
            "partner_welfare": wel[j], "partner_real_gdp": rgdp[j],
            "world_welfare_weighted": float((np.asarray(wel) * gdp_w).sum()),
            "trade_intensity_home_to_partner": ti.get((home, c), np.nan),
            "trade_intensity_partner_to_home": ti.get((c, home), np.nan),
            "complementarity_home_exports": prod.get(c, {}).get("complementarity_home_exports"),
            "complementarity_partner_exports": prod.get(c, {}).get("complementarity_partner_exports"),
            "partner_rca_top_line": prod.get(c, {}).get("partner_rca_top_line"),
            "already_in_agreement": c in existing,
        })
    key = {"home": lambda r: -r["home_welfare"], "partner": lambda r: -r["partner_welfare"],
           "joint": lambda r: -min(r["home_welfare"], r["partner_welfare"])}[rank_by]
    rows.sort(key=key)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    notes = [
        f"Agreement modelled as exp({beta:.6g}) on {home}->partner and partner->{home}; beta: {d['beta_source']}.",
        f"sigma = {sig:g} ({d['sigma_source']}); full-endowment GE, multiplicative imbalances, exact solver (tol 1e-10).",
        f"Partners already in an agreement with {home} in {yr} ({len(existing)}) are excluded unless named.",
        "Trade intensity from the same flows (international only); > 1 means more trade than the partner's size suggests.",
        ("Complementarity and RCA: computed within the six shrimp lines of baci-shrimp-2018 (a narrow sector, not the economy)."
         if product_dataset else
         "Complementarity and RCA: not computed; the gravity datasets have no product detail (give a product dataset)."),
    ]
    return clean({"home": home, "dataset": dataset, "year": yr, "beta": beta, "sigma": sig, "rank_by": rank_by,
                  "executor": getattr(ex, "kind", str(executor)),
                  "method": "structural gravity GE (exact), rank by " + rank_by + " welfare gain",
                  "sign_convention": "percent changes (counterfactual - baseline)/baseline x 100; a gain is positive",
                  "columns": SCREEN_COLUMNS, "rows": rows, "notes": notes, "unit": "percent",
                  "existing_agreements": sorted(existing)})


def to_csv(report: dict[str, Any]) -> str:
    """Return the screening table as CSV text (with a commented header of settings)."""
    buf = io.StringIO()
    buf.write(f"# partner screening for {report['home']}: {report['dataset']} {report['year']}, "
              f"beta {report['beta']}, sigma {report['sigma']}; {report['sign_convention']}\n")
    buf.write(write_csv(([r.get(c) for c in report["columns"]] for r in report["rows"]),
                        header=report["columns"]))
    return buf.getvalue()
