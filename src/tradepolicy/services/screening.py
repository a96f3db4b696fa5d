"""Pre-negotiation partner screening: rank candidates by the GE gains of a new agreement.

For each candidate partner c of the home country h, the agreement is modelled as the change
exp(β) in t^(1−σ) on the pairs h→c and c→h (β the partial RTA effect). The exact structural
gravity solver gives each country's welfare (real expenditure) and real GDP change in the
full-endowment equilibrium; a quick Monte Carlo over β (and σ when ``sigma_sd`` > 0) gives a
5–95 % band for each, with its draws and seed stated. Each candidate is shown with trade
indicators from the same flows: trade intensity both ways; complementarity and RCA need
product detail, which the aggregate gravity datasets do not have, so they are computed only
when a product dataset is named (baci-shrimp-2018: within its six shrimp lines, and
labelled so).

Partners that already have an agreement in force with the home country on the as-of date
(default: today) are excluded from the default candidate list, and marked when named. The
agreements come from the registry (``reference/agreements.yaml``) and, for agreements the
registry does not list, from the data year's agreement column.

Data: the most recent year that covers the home country and every candidate
(``dataset="auto"``: wiod-zylkin 2014 when it covers them all, otherwise agtpa 2006, with the
reason stated). The defaults of σ and β are those of ``ge solve`` (``services.gravity.
ge_defaults``): one set of names and values for the whole GE side.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradepolicy.csv_safe import write_csv
from tradepolicy.economics.indicators import complementarity, rca, trade_intensity
from tradepolicy.economics.scenarios.result import clean
from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.literals import check_literal
from tradepolicy.services.typed import ServiceModel

RankBy = Literal["home", "partner", "joint"]
# A figure of the report: a float, None (not computed, or NaN), or "inf"/"-inf" (``clean``).
Figure = float | str | None


class ScreenRow(ServiceModel):
    """A candidate partner: GE welfare and real GDP changes (percent) with the band, indicators, rank."""

    iso3: str
    home_welfare: Figure
    home_real_gdp: Figure
    home_welfare_q05: Figure
    home_welfare_q95: Figure
    partner_welfare: Figure
    partner_real_gdp: Figure
    partner_welfare_q05: Figure
    partner_welfare_q95: Figure
    world_welfare_weighted: Figure
    trade_intensity_home_to_partner: Figure
    trade_intensity_partner_to_home: Figure
    complementarity_home_exports: Figure
    complementarity_partner_exports: Figure
    partner_rca_top_line: str | None
    already_in_agreement: bool
    agreements_in_force: str | None
    rank: int


class ScreenData(ServiceModel):
    """The data year used and why."""

    dataset: str
    year: int
    why: str
    countries: int


class ScreenElasticities(ServiceModel):
    """σ and β with their sources."""

    sigma: float
    sigma_source: str
    beta: float
    beta_source: str
    beta_se: float
    beta_se_source: str


class ScreenUncertainty(ServiceModel):
    """The Monte Carlo band: draws, seed and the spreads drawn."""

    method: str
    draws: int
    seed: int
    beta_sd: float
    sigma_sd: float
    band: str


class ScreeningReport(ServiceModel):
    """Candidate partners ranked by the GE gains, with the model, data, elasticities and band stated."""

    home: str
    dataset: str
    year: int
    as_of: str
    beta: float
    sigma: float
    rank_by: str
    executor: str
    model: str
    method: str
    data: ScreenData
    elasticities: ScreenElasticities
    uncertainty: ScreenUncertainty
    numeraire: str
    imbalance: str
    sign_convention: str
    columns: list[str]
    rows: list[ScreenRow]
    notes: list[str]
    unit: str
    existing_agreements: list[str]
    agreements_as_of: dict[str, list[str]]

SCREEN_COLUMNS = ["rank", "iso3", "home_welfare", "home_welfare_q05", "home_welfare_q95",
                  "home_real_gdp", "partner_welfare", "partner_welfare_q05", "partner_welfare_q95",
                  "partner_real_gdp", "world_welfare_weighted", "trade_intensity_home_to_partner",
                  "trade_intensity_partner_to_home", "already_in_agreement", "agreements_in_force",
                  "complementarity_home_exports", "complementarity_partner_exports",
                  "partner_rca_top_line"]
SCREEN_DATASETS = ("agtpa", "wiod-zylkin")
DEFAULT_DRAWS = 200
DEFAULT_SEED = 0
MAX_DRAWS = 2000
IMBALANCE = "multiplicative"
NUMERAIRE = "reference"


def _flows(dataset: str) -> pd.DataFrame:
    from tradepolicy.services.gravity import READERS

    return READERS[dataset][0]()


def choose_data(home: str, candidates: list[str] | None, dataset: str,
                year: int | None) -> tuple[str, int, str]:
    """Return (dataset, year, why): the most recent data covering home and the candidates."""
    if dataset != "auto":
        if dataset not in SCREEN_DATASETS:
            raise InputError(f"Unknown screening dataset {dataset!r}.", field="dataset",
                             expected="auto | " + " | ".join(SCREEN_DATASETS), example="auto")
        years = sorted(int(y) for y in _flows(dataset)["year"].unique())
        yr = years[-1] if year is None else int(year)
        why = (f"{dataset} chosen by the user; {yr} is its most recent year" if year is None
               else f"{dataset} {yr} chosen by the user (most recent year: {years[-1]})")
        return dataset, yr, why
    if year is not None:
        raise InputError("A year needs a named dataset.", field="year",
                         expected="--dataset agtpa or wiod-zylkin with --year", example="agtpa")
    w = _flows("wiod-zylkin")
    w_years = sorted(int(y) for y in w["year"].unique())
    w_c = set(w.loc[w["year"] == w_years[-1], "exporter"].astype(str))
    wanted = {home.upper(), *(candidates or [])}
    if candidates is not None and wanted <= w_c:
        return ("wiod-zylkin", w_years[-1],
                f"wiod-zylkin {w_years[-1]} is the most recent data covering {home} and every "
                "candidate")
    a = _flows("agtpa")
    a_last = int(a["year"].max())
    missing = sorted(wanted - w_c)
    why = (f"agtpa {a_last} (its most recent year): the more recent wiod-zylkin {w_years[-1]} "
           f"covers only {len(w_c)} economies"
           + (f" and not {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}"
              if candidates is not None else " (all candidates asked for)"))
    return "agtpa", a_last, why


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


def _solve_candidate(args: tuple[Any, ...]) -> dict[str, Any]:
    """Solve the GE of one candidate agreement and its Monte Carlo band in one block.

    A pure function, so executors can ship it. Draw 0 is the central value (β, σ); the block
    engine (``solve_pair_shock_full``, low-rank products) is the exact-hat full GE of
    ``solve_ge`` (tested equal to 1e-8).
    """
    from tradepolicy.economics.ge.draws import solve_pair_shock_full

    data, h, j, beta, sig, beta_draws, sigma_draws = args
    betas = np.concatenate([[beta], np.asarray(beta_draws, dtype=float)])
    sigmas = np.concatenate([[sig], np.asarray(sigma_draws, dtype=float)])
    blk = solve_pair_shock_full((data.flows, [(h, j), (j, h)], betas, sigmas, h, IMBALANCE, NUMERAIRE,
                                 1e-12, 5000))
    if not float(np.max(blk["residual"])) <= 1e-10:
        from tradepolicy.errors import ConvergenceError

        raise ConvergenceError(f"the GE of {data.countries[h]}-{data.countries[j]} did not converge",
                               field="candidates", details={"max_residual": float(np.max(blk["residual"]))})
    wel = blk["welfare"] * 100.0
    rgdp = blk["real_gdp"] * 100.0
    out: dict[str, Any] = {"welfare": wel[0].tolist(), "real_gdp": rgdp[0].tolist(), "band": None}
    if len(beta_draws):
        out["band"] = {
            "home_welfare": np.quantile(wel[1:, h], [0.05, 0.95]).tolist(),
            "partner_welfare": np.quantile(wel[1:, j], [0.05, 0.95]).tolist(),
        }
    return out


_CACHE: dict[tuple[Any, ...], ScreeningReport] = {}
_CACHE_MAX = 32


def screen(
    *,
    home: str,
    dataset: str = "auto",
    year: int | None = None,
    candidates: list[str] | None = None,
    coefficient: float | None = None,
    coefficient_se: float | None = None,
    sigma: float | None = None,
    sigma_sd: float = 0.0,
    rank_by: str = "home",
    product_dataset: str | None = None,
    executor: str | None = None,
    as_of: dt.date | str | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> ScreeningReport:
    """Rank candidate partners for a new agreement with ``home``.

    ``dataset``: ``auto`` (the most recent data covering home and the candidates), ``agtpa``
    or ``wiod-zylkin``. ``as_of``: the date on which existing agreements are checked (ISO
    date; default today). ``draws``/``seed``: the Monte Carlo band over β ~ N(β, se²) (and
    σ ~ N(σ, sigma_sd²) truncated at 1); ``draws=0`` turns it off.

    The per-candidate GE solves run through ``services.executor`` (``serial``, ``process``
    or ``dask``; default ``TRADEPOLICY_EXECUTOR``). Reports are cached in-process by their
    arguments (the datasets are sha256-verified and immutable).

    Returns the report: ``rows`` (one per candidate, ranked), ``columns``, ``model``,
    ``data``, ``elasticities`` (values and sources), ``uncertainty``, ``notes`` and the sign
    convention (percent changes, a gain is positive).
    """
    when = _as_of(as_of)
    key = (home.upper(), dataset, year, tuple(candidates) if candidates is not None else None, coefficient,
           coefficient_se, sigma, sigma_sd, rank_by, product_dataset, when, draws, seed)
    if key in _CACHE:
        return _CACHE[key].model_copy(deep=True)
    rep = _screen(home=home, dataset=dataset, year=year, candidates=candidates, coefficient=coefficient,
                  coefficient_se=coefficient_se, sigma=sigma, sigma_sd=sigma_sd, rank_by=rank_by,
                  product_dataset=product_dataset, executor=executor, as_of=when, draws=draws, seed=seed)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = rep
    return rep.model_copy(deep=True)


def _as_of(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"Malformed as-of date {value!r}.", field="as_of",
                         expected="an ISO date YYYY-MM-DD", example="2026-01-01") from exc


def _screen(*, home: str, dataset: str, year: int | None, candidates: list[str] | None,
            coefficient: float | None, coefficient_se: float | None, sigma: float | None,
            sigma_sd: float, rank_by: str, product_dataset: str | None, executor: str | None,
            as_of: dt.date, draws: int, seed: int) -> ScreeningReport:
    from tradepolicy.economics.ge import GEData
    from tradepolicy.economics.ge.onesector import check_sigma
    from tradepolicy.economics.montecarlo import draw_parameters
    from tradepolicy.services.agreements import partner_agreements
    from tradepolicy.services.executor import get_executor
    from tradepolicy.services.gravity import GE_DATASETS, ge_defaults

    check_literal(rank_by, ("home", "partner", "joint"), name="rank_by")
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise InputError(f"draws must be an integer from 0 to {MAX_DRAWS}; got {draws!r}", field="draws",
                         expected=f"0 (no band) to {MAX_DRAWS}", example=str(DEFAULT_DRAWS))
    home = home.upper()
    cands_in = [c.upper() for c in candidates] if candidates is not None else None
    ds, yr, why = choose_data(home, cands_in, dataset, year)
    flows = _flows(ds)
    cur = flows[flows["year"] == yr]
    if cur.empty:
        raise InputError(f"No {ds} data for year {yr}.", field="year",
                         expected=", ".join(str(y) for y in sorted(flows["year"].unique())),
                         example=str(int(flows["year"].max())))
    data = GEData.from_frame(cur, exporter="exporter", importer="importer", flow="trade")
    countries = list(data.countries)
    if home not in countries:
        raise NotFoundError(f"Unknown home country {home!r} in {ds} {yr}.", field="home",
                            expected="an ISO3 code in the data", example=countries[0])
    d = ge_defaults(ds)
    beta = float(coefficient if coefficient is not None else d.beta)
    beta_se = float(coefficient_se if coefficient_se is not None else d.beta_se)
    beta_source = d.beta_source if coefficient is None else "given"
    beta_se_source = (f"standard error of {d.beta_source}" if coefficient_se is None else "given")
    if not np.isfinite(beta_se) or beta_se < 0:
        raise InputError(f"coefficient_se must be >= 0; got {beta_se!r}", field="coefficient_se",
                         expected="a standard error in log points", example="0.102")
    sig = check_sigma(float(sigma if sigma is not None else d.sigma))
    sigma_source = d.sigma_source if sigma is None else "given"
    col = GE_DATASETS[ds]["agreement"]
    agr: dict[tuple[str, str], float] = {
        (str(e), str(i)): float(v) for e, i, v in cur[["exporter", "importer", col]].itertuples(index=False)}
    in_data = {c for c in countries if c != home and agr.get((home, c), 0.0) > 0}
    registry = {p: v for p, v in partner_agreements(home, as_of).items() if p in countries}
    existing = in_data | set(registry)
    if cands_in is None:
        cands = [c for c in countries if c != home and c not in existing]
    else:
        unknown = [c for c in cands_in if c not in countries]
        if unknown:
            raise NotFoundError(f"Unknown candidate(s) {unknown} in {ds} {yr}.", field="candidates",
                                expected="ISO3 codes in the data", example=",".join(countries[:3]))
        cands = [c for c in cands_in if c != home]
    h = countries.index(home)
    ti_frame = trade_intensity(cur, value="trade")
    ti: dict[tuple[str, str], float] = {
        (str(e), str(i)): float(v) for e, i, v in ti_frame.itertuples(index=False)}
    prod = _product_indicators(home, cands, product_dataset)
    gdp_w = data.output / data.output.sum()
    idx = [countries.index(c) for c in cands]
    if draws:
        b_draws, s_draws = draw_parameters({"rta": beta}, np.array([[beta_se ** 2]]), sig, float(sigma_sd),
                                           draws, seed)
        b_list, s_list = b_draws[:, 0], s_draws
    else:
        b_list, s_list = np.empty(0), np.empty(0)
    with get_executor(executor) as ex:
        solved = ex.map(_solve_candidate, [(data, h, j, beta, sig, b_list, s_list) for j in idx])

    def _agreements_text(c: str) -> str | None:
        parts = [f"{a.short_name} (in force {a.in_force.isoformat()})" for a in registry.get(c, [])]
        if c in in_data and not parts:
            parts.append(f"{col} = 1 in {ds} {yr}")
        return "; ".join(parts) or None

    rows = []
    for c, j, res in zip(cands, idx, solved, strict=True):
        wel, rgdp, band = res["welfare"], res["real_gdp"], res["band"]
        rows.append({
            "iso3": c, "home_welfare": wel[h], "home_real_gdp": rgdp[h],
            "home_welfare_q05": band["home_welfare"][0] if band else None,
            "home_welfare_q95": band["home_welfare"][1] if band else None,
            "partner_welfare": wel[j], "partner_real_gdp": rgdp[j],
            "partner_welfare_q05": band["partner_welfare"][0] if band else None,
            "partner_welfare_q95": band["partner_welfare"][1] if band else None,
            "world_welfare_weighted": float((np.asarray(wel) * gdp_w).sum()),
            "trade_intensity_home_to_partner": ti.get((home, c), np.nan),
            "trade_intensity_partner_to_home": ti.get((c, home), np.nan),
            "complementarity_home_exports": prod.get(c, {}).get("complementarity_home_exports"),
            "complementarity_partner_exports": prod.get(c, {}).get("complementarity_partner_exports"),
            "partner_rca_top_line": prod.get(c, {}).get("partner_rca_top_line"),
            "already_in_agreement": c in existing,
            "agreements_in_force": _agreements_text(c),
        })
    key = {"home": lambda r: -r["home_welfare"], "partner": lambda r: -r["partner_welfare"],
           "joint": lambda r: -min(r["home_welfare"], r["partner_welfare"])}[rank_by]
    rows.sort(key=key)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    marked = [r["iso3"] for r in rows if r["already_in_agreement"]]
    later = sorted({(a.in_force, a.short_name) for v in registry.values() for a in v if a.in_force.year > yr})
    notes = [
        f"Data: {ds} {yr} ({why}).",
        f"Agreement modelled as exp({beta:.6g}) on {home}->partner and partner->{home}; beta: {beta_source}.",
        f"sigma = {sig:g} ({sigma_source}); full-endowment GE, {IMBALANCE} imbalances, numeraire: the "
        f"price index of {home} (real results do not depend on it with {IMBALANCE} imbalances); "
        "exact solver (tol 1e-10).",
        (f"Uncertainty: {draws} Monte Carlo draws (seed {seed}) of beta ~ N({beta:.4g}, {beta_se:.4g}^2)"
         + (f" and sigma ~ N({sig:g}, {sigma_sd:g}^2) truncated at 1" if sigma_sd > 0 else ", sigma fixed")
         + "; the band is the 5th to 95th percentile of the welfare change." if draws else
         "Uncertainty: no Monte Carlo band (draws = 0)."),
        (f"Partners with an agreement in force with {home} on {as_of.isoformat()} (agreements registry) or "
         f"in the {yr} data ({len(existing)}: {', '.join(sorted(existing)) or 'none'}) are excluded"
         + (f"; named anyway and marked: {', '.join(marked)}." if marked else " unless named.")),
        "Trade intensity from the same flows (international only); > 1 means more trade than the partner's size suggests.",
        ("Complementarity and RCA: computed within the six shrimp lines of baci-shrimp-2018 (a narrow sector, not the economy)."
         if product_dataset else
         "Complementarity and RCA: not computed; the gravity datasets have no product detail (give a product dataset)."),
    ]
    if yr < as_of.year:
        notes.insert(1, (
            f"The data year {yr} is older than the as-of date {as_of.isoformat()}: the baseline flows predate "
            + (", ".join(f"{n} ({d.isoformat()})" for d, n in later) if later else "no agreement of the registry")
            + "; the agreements in force today are applied by excluding or marking those partners, not in the flows."))
    if home != "USA":
        notes.append(f"The agreements registry lists US agreements; {home}'s other agreements come from "
                     f"the {col} column of the {yr} data only.")
    return ScreeningReport.model_validate(clean({
        "home": home, "dataset": ds, "year": yr, "as_of": as_of.isoformat(), "beta": beta, "sigma": sig,
        "rank_by": rank_by, "executor": getattr(ex, "kind", str(executor)),
        "model": "one-sector structural gravity GE, full endowment (exact-hat, exact solver)",
        "method": "structural gravity GE (exact), rank by " + rank_by + " welfare gain",
        "data": {"dataset": ds, "year": yr, "why": why, "countries": len(countries)},
        "elasticities": {"sigma": sig, "sigma_source": sigma_source, "beta": beta, "beta_source": beta_source,
                         "beta_se": beta_se, "beta_se_source": beta_se_source},
        "uncertainty": {"method": "Monte Carlo over beta" + (" and sigma" if sigma_sd > 0 else ""),
                        "draws": draws, "seed": seed, "beta_sd": beta_se, "sigma_sd": float(sigma_sd),
                        "band": "q05-q95 of the welfare change, percent"},
        "numeraire": f"price index of {home} (P = 1)", "imbalance": IMBALANCE,
        "sign_convention": "percent changes (counterfactual - baseline)/baseline x 100; a gain is positive",
        "columns": SCREEN_COLUMNS, "rows": rows, "notes": notes, "unit": "percent",
        "existing_agreements": sorted(existing),
        "agreements_as_of": {p: [a.short_name for a in v] for p, v in sorted(registry.items())},
    }))


def to_csv(report: ScreeningReport) -> str:
    """Return the screening table as CSV text (with a commented header of settings)."""
    buf = io.StringIO()
    el, unc = report.elasticities, report.uncertainty
    buf.write(f"# partner screening for {report.home}: {report.model}; data {report.dataset} "
              f"{report.year}; agreements as of {report.as_of}; beta {report.beta} "
              f"({el.beta_source}); sigma {report.sigma} ({el.sigma_source}); band: "
              f"{unc.draws} draws, seed {unc.seed}; numeraire {report.numeraire}, "
              f"{report.imbalance} imbalances; {report.sign_convention}\n")
    rows = [r.model_dump(mode="json") for r in report.rows]
    buf.write(write_csv((["" if r.get(c) is None else r.get(c) for c in report.columns] for r in rows),
                        header=report.columns))
    return buf.getvalue()
