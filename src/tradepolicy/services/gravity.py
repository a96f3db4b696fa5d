"""Gravity estimation service: run a named PPML preset on its registered dataset.

Loads the dataset through the registry (sha256-verified), runs the preset, compares with
the published figures and, on request, stores the result as a run (``kind="gravity_ppml"``)
with a manifest of dataset hashes, code version and parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy import __version__
from tradepolicy.datasets.readers.gravity import (
    read_agtpa,
    read_gegravity_sample,
    read_wiod_zylkin,
)
from tradepolicy.datasets.registry import get_dataset
from tradepolicy.economics.gravity import PRESETS, PPMLResult, get_preset, run_preset
from tradepolicy.platform.principal import acting_name
from tradepolicy.services.gravity_types import (
    BilateralChanges,
    CoefficientRow,
    DroppedRows,
    EstimateManifest,
    GEMonteCarlo,
    GESolution,
    MemberChange,
    PairChange,
    PresetEstimate,
    PresetInfo,
)
from tradepolicy.services.law import law_version
from tradepolicy.services.runs import add_run
from tradepolicy.store.db import transaction

__all__ = [
    "READERS",
    "RUN_KIND",
    "list_presets",
    "load_preset_data",
    "run_ge_montecarlo",
    "run_gravity_preset",
    "run_monte_carlo_ge",
    "solve_ge_counterfactual",
]

RUN_KIND = "gravity_ppml"

# dataset id -> (reader, files it reads)
READERS: dict[str, tuple[Callable[[], pd.DataFrame], tuple[str, ...]]] = {
    "agtpa": (read_agtpa, ("agtpa_applications.parquet",)),
    "gegravity-sample": (read_gegravity_sample, ("sample_data_set.dlm",)),
    "wiod-zylkin": (read_wiod_zylkin, ("GE_gravity_example_data.dta",)),
}


def list_presets() -> list[PresetInfo]:
    """Return every preset: name, dataset, title, formula, cluster, sample, published."""
    return [
        PresetInfo(
            name=p.name, dataset=p.dataset, title=p.title, formula=p.formula,
            cluster=p.cluster, sample=p.sample, source=p.source,
            published=dict(p.published), published_se=dict(p.published_se),
            published_n=p.published_n,
        )
        for p in PRESETS.values()
    ]


def load_preset_data(name: str) -> pd.DataFrame:
    """Return the reader frame of the dataset a preset runs on."""
    preset = get_preset(name)
    reader, _files = READERS[preset.dataset]
    return reader()


def _inputs(dataset: str) -> dict[str, str]:
    ds = get_dataset(dataset)
    wanted = set(READERS[dataset][1])
    return {f"{dataset}/{f.path}": f.sha256 for f in ds.files if f.path in wanted}


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def estimate_result(name: str, res: PPMLResult, manifest: EstimateManifest) -> PresetEstimate:
    """Return a preset's estimate with the published comparison."""
    preset = get_preset(name)
    rows = []
    for var in res.coefficients.index:
        pub = preset.published.get(var)
        pub_se = preset.published_se.get(var)
        rows.append(CoefficientRow(
            variable=str(var),
            estimate=_num(res.coefficients[var]),
            std_error=_num(res.std_errors[var]),
            published=pub,
            published_se=pub_se,
            difference=None if pub is None else _num(res.coefficients[var] - pub),
        ))
    return PresetEstimate(
        preset=name,
        formula=res.formula,
        coefficients=rows,
        n_obs=res.n_obs,
        n_input=res.n_input,
        published_n=preset.published_n,
        dropped=[DroppedRows(reason=d.reason, count=d.count, detail=d.detail) for d in res.dropped],
        vcov=res.vcov_type,
        ssc=res.ssc,
        deviance=_num(res.deviance),
        source=preset.source,
        sample=preset.sample,
        manifest=manifest,
    )


def run_gravity_preset(
    name: str, *, store: bool = False, actor: str | None = None
) -> PresetEstimate:
    """Estimate the preset ``name``; optionally store it as a run.

    Returns the estimate (see :func:`estimate_result`) with its ``manifest`` and, when
    stored, ``run_id``.
    """
    preset = get_preset(name)
    res = run_preset(name, load_preset_data(name))
    manifest = EstimateManifest(
        inputs=_inputs(preset.dataset),
        parameters={"preset": name, "formula": preset.formula, "cluster": preset.cluster},
        code_version=__version__,
    )
    out = estimate_result(name, res, manifest)
    if store:
        who = actor or acting_name()
        with transaction() as s:
            run = add_run(s, kind=RUN_KIND, actor=who, inputs=manifest.inputs,
                          parameters=manifest.parameters, results=out.results(),
                          law_version=law_version())
            out = replace(out, run_id=run.id)
    return out


def run_monte_carlo_ge(executor: str | None = None, **kwargs: Any) -> Any:
    """Run :func:`tradepolicy.economics.montecarlo.monte_carlo_ge` on an executor.

    ``executor`` is ``serial | process | dask`` (default: ``TRADEPOLICY_EXECUTOR``); with
    ``dask`` the blocks of draws go to ``TRADEPOLICY_DASK_ADDRESS`` or a LocalCluster.
    Other keyword arguments are those of ``monte_carlo_ge``.
    """
    from tradepolicy.economics.montecarlo import monte_carlo_ge
    from tradepolicy.services.executor import get_executor

    with get_executor(executor) as ex:
        return monte_carlo_ge(map_fn=ex.map, **kwargs)


# ---------------------------------------------------------------------- GE counterfactuals
GE_DATASETS: dict[str, dict[str, Any]] = {
    "wiod-zylkin": {"years": (2000, 2005, 2010, 2014), "default_year": 2000,
                    "output": None, "expenditure": None, "agreement": "fta",
                    "sigma": 5.0,
                    "sigma_source": "theta = 4 (sigma = 5) of Zylkin's ge_gravity example on "
                                    "these data (Baier, Yotov & Zylkin 2019)"},
    "agtpa": {"years": tuple(range(1986, 2007)), "default_year": 2006,
              "output": None, "expenditure": None, "agreement": "rta",
              "sigma": 7.0,
              "sigma_source": "sigma = 7, Yotov et al. (2016), An Advanced Guide to Trade "
                              "Policy Analysis, ch. 2 (the book's GE exercises on these data)"},
    "gegravity-sample": {"years": (2006,), "default_year": 2006,
                         "output": "Y", "expenditure": "E", "agreement": "pta",
                         "sigma": 5.0,
                         "sigma_source": "sigma = 5 of the gegravity example (Larch & Yotov)"},
}
USER_FLOWS_SIGMA = (5.0, "sigma = 5 (theta = 4), the ge_gravity example's value; no dataset "
                         "default applies to your own flows")


@dataclass(frozen=True)
class GEDefaults:
    """The one set of GE defaults for a dataset (ge solve, ge montecarlo, screening)."""

    dataset: str
    sigma: float
    sigma_source: str
    beta: float
    beta_se: float
    beta_source: str


def ge_defaults(dataset: str | None) -> GEDefaults:
    """Return the default sigma and RTA partial effect (with SE and sources) for a dataset.

    The partial effect is the same for every dataset (Yotov et al. 2016 Table 3 col. 4,
    PPML with pair fixed effects, and its standard error); sigma is the value the source
    publication of each dataset uses (``None``: your own flows).
    """
    b, b_src = default_rta_beta()
    se = float(get_preset(DEFAULT_RTA_PRESET).published_se["rta"])
    if dataset is None:
        sig, sig_src = USER_FLOWS_SIGMA
    else:
        spec = GE_DATASETS.get(dataset)
        if spec is None:
            from tradepolicy.errors import InputError

            raise InputError(f"unknown GE dataset {dataset!r}", field="dataset",
                             expected=" | ".join(GE_DATASETS), example="wiod-zylkin")
        sig, sig_src = float(spec["sigma"]), str(spec["sigma_source"])
    return GEDefaults(dataset=dataset or "user flows", sigma=sig, sigma_source=sig_src,
                      beta=b, beta_se=se, beta_source=b_src)


def _refuse_existing(frame: pd.DataFrame, pairs: list[tuple[str, str]],
                     spec: Mapping[str, Any] | None, source: str, field: str) -> None:
    """Refuse a 'new' agreement between countries the data already show in one."""
    col = (spec or {}).get("agreement")
    if not col or col not in frame.columns:
        return
    have = set(zip(frame.loc[frame[col] == 1, "exporter"].astype(str),
                   frame.loc[frame[col] == 1, "importer"].astype(str), strict=True))
    dup = [f"{a}:{c}" for a, c in pairs if (a, c) in have or (c, a) in have]
    if dup:
        from tradepolicy.errors import InputError

        raise InputError(
            f"{', '.join(dup)} already have an agreement in {source} (column {col} = 1); "
            "the shock models a new one and would count it twice",
            field=field,
            expected="pairs without an agreement in the data",
            example="CAN:JPN",
        )


# the default partial effect of a new RTA: the Advanced Guide's Table 3 col. (4) estimate,
# read from the preset (cited there), not typed here
DEFAULT_RTA_PRESET = "yotov2016_table3_ppml_pair"
SIGN_CONVENTION = ("(counterfactual - baseline) / baseline, in percent: +1.5 means a 1.5% "
                   "rise; welfare is real expenditure E/P and real GDP is Y/P, so a gain is "
                   "positive")


def default_rta_beta() -> tuple[float, str]:
    """Return the default RTA partial effect (log points) and its source."""
    p = get_preset(DEFAULT_RTA_PRESET)
    return float(p.published["rta"]), f"{p.source} (PPML 'rta' coefficient)"


def parse_pairs(pairs: list[str] | tuple[str, ...], *, field: str = "rta") -> list[tuple[str, str]]:
    """Parse ``["USA:MEX", "CAN-JPN"]`` into ISO3 pairs (upper case, distinct members)."""
    from tradepolicy.errors import InputError

    out: list[tuple[str, str]] = []
    for raw in pairs:
        parts = [p.strip().upper() for p in str(raw).replace("-", ":").replace(",", ":")
                 .split(":")]
        if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
            raise InputError(
                f"cannot read the country pair {raw!r}",
                field=field,
                expected="two different ISO3 codes joined by ':'",
                example="USA:MEX",
            )
        out.append((parts[0], parts[1]))
    if not out:
        raise InputError("no country pair given", field=field,
                         expected="at least one pair of ISO3 codes", example="USA:MEX")
    return out


def load_ge_frame(dataset: str, year: int | None) -> tuple[pd.DataFrame, int, Mapping[str, Any]]:
    """Return one year of a registered dataset as a long frame, the year and its spec."""
    from tradepolicy.errors import InputError

    if dataset not in GE_DATASETS:
        raise InputError(
            f"unknown GE dataset {dataset!r}",
            field="dataset",
            expected=" | ".join(GE_DATASETS),
            example="wiod-zylkin",
        )
    spec = GE_DATASETS[dataset]
    yr = spec["default_year"] if year is None else int(year)
    if yr not in spec["years"]:
        raise InputError(
            f"{dataset} has no year {yr}",
            field="year",
            expected=f"one of {list(spec['years'])}",
            example=str(spec["default_year"]),
        )
    reader, _files = READERS[dataset]
    df = reader()
    return df[df["year"] == yr].reset_index(drop=True), yr, spec


def _ge_data(frame: pd.DataFrame, spec: Mapping[str, Any] | None) -> Any:
    from tradepolicy.economics.ge import GEData

    spec = spec or {}
    return GEData.from_frame(frame, exporter="exporter", importer="importer", flow="trade",
                             output=spec.get("output"), expenditure=spec.get("expenditure"))


GE_MODELS = ("onesector", "ge_ppml", "multisector")
NUMERAIRES = ("reference", "world_output")
IMBALANCE_TEXT = {
    "multiplicative": "multiplicative: each country's expenditure/output ratio is kept (world E/Y "
                      "unchanged); real results do not depend on the numeraire",
    "additive": "additive: each deficit D = E - Y is fixed in numeraire units; real results "
                "depend on the numeraire",
}


def numeraire_text(numeraire: str, reference: str) -> str:
    """Say what the numeraire of a GE result is."""
    if numeraire == "world_output":
        return "world output held fixed (sum of Y' = sum of Y, as Zylkin's ge_gravity)"
    return f"price index of the reference importer {reference} (P_{reference} = 1)"


@lru_cache(maxsize=1)
def published_estimates() -> tuple[Mapping[str, Any], ...]:
    """Return the published estimates of agreements (economics/data/published_estimates.yaml).

    Read-only records of the cited YAML file (open-ended: each estimate keeps its source's fields).
    """
    from importlib import resources

    import yaml

    text = resources.files("tradepolicy.economics").joinpath("data/published_estimates.yaml").read_text(
        encoding="utf-8")
    return tuple(yaml.safe_load(text)["estimates"])


def published_beside(pairs: list[tuple[str, str]]) -> list[Mapping[str, Any]]:
    """Return the published estimates (YAML records) whose pair is one of ``pairs`` (order-free)."""
    want = {frozenset(p) for p in pairs}
    return [dict(e) for e in published_estimates() if frozenset(e["pair"]) in want]


def bilateral_changes(countries: tuple[str, ...] | list[str], base: np.ndarray, new: np.ndarray,
                      pairs: list[tuple[str, str]]) -> BilateralChanges:
    """Trade between the partners of the shock and each one's trade with the rest of the world.

    ``base``/``new``: (N, N) baseline and counterfactual flows (exporter rows). For a pair
    (a, c): the flows a->c and c->a. For each member m: exports to and imports from the rest
    of the world, i.e. every country other than m and m's partners in the shock (domestic
    flows excluded). Percent changes, (new - base) / base x 100.
    """
    idx = {c: k for k, c in enumerate(countries)}

    def pct(n1: float, b0: float) -> float | None:
        return None if b0 <= 0 else _num(100.0 * (n1 / b0 - 1.0))

    pair_rows = []
    partners: dict[str, set[str]] = {}
    for a, c in pairs:
        i, j = idx[a], idx[c]
        partners.setdefault(a, set()).add(c)
        partners.setdefault(c, set()).add(a)
        pair_rows.append(PairChange(
            pair=f"{a}:{c}",
            exports_a_to_b=pct(new[i, j], base[i, j]), exports_b_to_a=pct(new[j, i], base[j, i]),
            total=pct(new[i, j] + new[j, i], base[i, j] + base[j, i]),
            baseline_a_to_b=_num(float(base[i, j])), baseline_b_to_a=_num(float(base[j, i])),
        ))
    members = []
    for m in sorted(partners):
        k = idx[m]
        row_mask = np.ones(len(countries), dtype=bool)
        row_mask[k] = False
        for p in partners[m]:
            row_mask[idx[p]] = False
        members.append(MemberChange(
            iso3=m, partners=sorted(partners[m]),
            exports_to_rest_of_world=pct(new[k, row_mask].sum(), base[k, row_mask].sum()),
            imports_from_rest_of_world=pct(new[row_mask, k].sum(), base[row_mask, k].sum()),
            exports_to_partners=pct(new[k, ~row_mask].sum() - new[k, k], base[k, ~row_mask].sum() - base[k, k]),
        ))
    return BilateralChanges(pairs=pair_rows, members=members,
                            definition="percent change of the solved flows; rest of the world = every country "
                                       "other than the member and its partners in the shock, domestic flows "
                                       "excluded")


def _user_sector_data(frame: pd.DataFrame) -> Any:
    from tradepolicy.economics.ge import MultiSectorData
    from tradepolicy.errors import InputError

    if "sector" not in frame.columns:
        raise InputError("the multi-sector model needs a sector column in the flows", field="model",
                         expected="flows with columns exporter, importer, sector, trade",
                         example="exporter,importer,sector,trade\nUSA,USA,agri,10")
    countries = sorted(set(frame["exporter"].astype(str)) | set(frame["importer"].astype(str)))
    sectors = sorted(frame["sector"].astype(str).unique())
    ci = {c: k for k, c in enumerate(countries)}
    si = {c: k for k, c in enumerate(sectors)}
    x = np.full((len(sectors), len(countries), len(countries)), np.nan)
    vals = pd.to_numeric(frame["trade"], errors="coerce").to_numpy(float)
    x[frame["sector"].astype(str).map(si).to_numpy(), frame["exporter"].astype(str).map(ci).to_numpy(),
      frame["importer"].astype(str).map(ci).to_numpy()] = vals
    if np.isnan(x).any():
        raise InputError("every (sector, exporter, importer) needs a trade value", field="trade",
                         expected="a complete square panel per sector, domestic flows included",
                         example="USA,USA,agri,10")
    return MultiSectorData.from_arrays(x, countries, sectors)


def solve_ge_counterfactual(
    *,
    dataset: str | None = "wiod-zylkin",
    year: int | None = None,
    flows: pd.DataFrame | None = None,
    rta: list[str] | tuple[str, ...] = (),
    beta: float | None = None,
    sigma: float | None = None,
    reference: str = "USA",
    imbalance: str = "multiplicative",
    numeraire: str = "reference",
    full_algorithm: str = "exact_hat",
    model: str = "onesector",
    stopping: str = "book",
) -> GESolution:
    """Solve the GE of new RTAs between ISO3 pairs (``GESolution.to_dict()`` is its JSON).

    The flows are a registered dataset's year (``dataset``, ``year``) or a user frame
    (``flows``: columns exporter, importer, trade; every ordered pair once, domestic pairs
    included; a ``sector`` column for the multi-sector model). Baseline costs rationalise
    the observed flows (exact-hat convention); the shock multiplies t_ij^(1-sigma) by
    exp(beta) in both directions of every pair. ``model``: ``onesector`` (the exact
    solver), ``ge_ppml`` (the Advanced Guide's GE-PPML procedure, beside the exact solver)
    or ``multisector`` (user flows with sectors). Defaults of beta and sigma:
    :func:`ge_defaults` (the same in ``ge montecarlo`` and screening).
    """
    from tradepolicy.economics.ge import solve_ge
    from tradepolicy.errors import InputError
    from tradepolicy.literals import check_literal

    check_literal(model, GE_MODELS, name="model")
    check_literal(numeraire, NUMERAIRES, name="numeraire")
    check_literal(imbalance, ("multiplicative", "additive"), name="imbalance")
    if flows is not None:
        # ISO3 codes compared case-insensitively (the pairs and the reference are upper-cased)
        frame = flows.copy()
        for col in ("exporter", "importer"):
            if col in frame.columns:
                frame[col] = frame[col].where(frame[col].isna(),
                                              frame[col].astype(str).str.strip().str.upper())
        yr, spec, inputs = None, None, {"flows": "user data"}
        source = "user flows"
        defaults = ge_defaults(None)
    else:
        if model == "multisector":
            raise InputError("the multi-sector model runs on your own sectoral flows; no registered "
                             "dataset has sectors", field="model",
                             expected="--flows FILE with columns exporter, importer, sector, trade",
                             example="--model multisector --flows sectors.csv")
        frame, yr, spec = load_ge_frame(dataset or "", year)
        inputs = _inputs(dataset or "")
        source = f"{dataset} {yr}"
        defaults = ge_defaults(dataset)
    pairs = parse_pairs(list(rta))
    if beta is None:
        b, beta_source = defaults.beta, defaults.beta_source
    else:
        b, beta_source = float(beta), "given"
    if not np.isfinite(b):
        raise InputError("beta must be a finite number", field="beta",
                         expected="a PPML RTA coefficient in log points", example="0.557")
    sig = defaults.sigma if sigma is None else float(sigma)
    sigma_source = defaults.sigma_source if sigma is None else "given"
    ref = reference.upper()
    extra: dict[str, Any] = {}
    if model == "multisector":
        from tradepolicy.economics.ge import solve_ge_multisector

        msd = _user_sector_data(frame)
        countries = tuple(msd.countries)
        cidx = {c: k for k, c in enumerate(countries)}
        for a, c in pairs:
            for iso in (a, c):
                if iso not in cidx:
                    raise InputError(f"unknown country {iso!r}", field="rta",
                                     expected=f"one of the {len(countries)} countries", example=countries[0])
        tau = np.ones((len(countries), len(countries)))
        for a, c in pairs:
            tau[cidx[a], cidx[c]] = tau[cidx[c], cidx[a]] = np.exp(b)
        if numeraire != "reference":
            raise InputError("the multi-sector model takes the reference CPI as numeraire", field="numeraire",
                             expected="reference", example="--numeraire reference")
        mres = solve_ge_multisector(msd, tau_hat=tau, sigma=sig, reference=ref,
                                    imbalance=imbalance)  # type: ignore[arg-type]
        frame_out = mres.to_frame()
        base_f, new_f = mres.baseline_flows.sum(axis=0), mres.full_flows.sum(axis=0)
        model_text = f"multi-sector structural gravity GE (exact; {len(msd.sectors)} sectors, full endowment)"
        diagnostics: dict[str, Any] = {"converged": True, "iterations": None, "residual": 0.0}
        if hasattr(mres, "diagnostics"):
            diagnostics = _diag_dict(mres.diagnostics)
        n_countries = len(countries)
    else:
        data = _ge_data(frame, None)
        for a, c in pairs:  # unknown codes first, then agreements already in force
            data.index_of(a, field_name="rta")
            data.index_of(c, field_name="rta")
        _refuse_existing(frame, pairs, spec, source, "rta")
        tau = np.ones((data.n, data.n))
        for a, c in pairs:
            i = data.index_of(a, field_name="rta")
            j = data.index_of(c, field_name="rta")
            tau[i, j] = tau[j, i] = np.exp(b)
        res = solve_ge(data, tau_hat=tau, sigma=sig, reference=ref, imbalance=imbalance,  # type: ignore[arg-type]
                       numeraire=numeraire,  # type: ignore[arg-type]
                       full_algorithm=full_algorithm)  # type: ignore[arg-type]
        countries = data.countries
        n_countries = data.n
        diagnostics = res.diagnostics.to_dict()
        if model == "ge_ppml":
            from tradepolicy.economics.ge import GEData
            from tradepolicy.economics.ge.ppml_loop import solve_ge_ppml

            check_literal(stopping, ("book", "tight"), name="stopping")
            if imbalance != "multiplicative" or numeraire != "reference":
                raise InputError("the book's GE-PPML procedure keeps each country's E/Y ratio and the "
                                 "reference importer's price as numeraire", field="imbalance",
                                 expected="--imbalance multiplicative --numeraire reference",
                                 example="--model ge_ppml --imbalance multiplicative")
            x = np.asarray(data.flows)
            yv, ev = x.sum(axis=1), x.sum(axis=0)
            costs = x / (yv[:, None] * ev[None, :]) * x.sum()
            pdata = GEData.from_arrays(x, data.countries, costs=costs)
            book = solve_ge_ppml(pdata, tau_hat=tau, sigma=sig, reference=ref,
                                 stopping=stopping)  # type: ignore[arg-type]
            bf = book.to_frame("counterfactual_vs_baseline")
            ex = res.to_frame("percent")
            frame_out = bf.copy()
            frame_out["exact_full_real_gdp"] = ex.loc[bf.index, "full_real_gdp"]
            frame_out["book_minus_exact_full_real_gdp"] = bf["full_real_gdp"] - ex.loc[bf.index, "full_real_gdp"]
            base_f, new_f = np.asarray(book.baseline_flows), np.asarray(book.full_flows)
            model_text = ("the Advanced Guide's GE-PPML procedure (Yotov et al. 2016 ch. 2; baseline costs "
                          f"rationalise the observed flows; stopping rule: {stopping}), with the exact "
                          "solver's full real GDP beside it")
            extra["procedure"] = {"stopping": stopping, "iterations": int(book.iterations),
                                  "stopped_by_rule": bool(book.stopped_by_rule)}
        else:
            frame_out = res.to_frame("percent")
            base_f, new_f = np.asarray(res.baseline.flows), np.asarray(res.full.flows)
            model_text = "one-sector structural gravity GE (exact; conditional and full endowment)"
    rows: list[dict[str, Any]] = [{"iso3": str(iso), **{str(k): _num(float(v)) for k, v in row.items()}}
                                  for iso, row in frame_out.iterrows()]
    return GESolution(
        model=model_text,
        model_id=model,
        data=source,
        countries=n_countries,
        baseline="the observed flows (exact hat: t_ij^(1-sigma) rationalises them; output "
                 "and expenditure are their row and column sums)",
        shock={"rta": [f"{a}:{c}" for a, c in pairs], "beta": b,
               "beta_source": beta_source,
               "tau_hat": f"t_ij^(1-sigma) x exp({b:g}) = x{np.exp(b):.6g} both ways"},
        elasticities={"sigma": sig, "sigma_source": sigma_source, "beta": b, "beta_source": beta_source,
                      "beta_se": defaults.beta_se if beta is None else None},
        parameters={"sigma": sig, "reference": ref,
                    "imbalance": imbalance, "full_algorithm": full_algorithm,
                    "numeraire": numeraire_text(numeraire, ref), "numeraire_id": numeraire},
        numeraire=numeraire_text(numeraire, ref),
        imbalance=IMBALANCE_TEXT[imbalance],
        sign_convention=SIGN_CONVENTION,
        unit="percent",
        columns=["iso3", *frame_out.columns],
        rows=rows,
        bilateral=bilateral_changes(countries, base_f, new_f, pairs),
        published=[dict(e) for e in published_beside(pairs)],
        diagnostics=diagnostics,
        extra=extra,
        manifest={"inputs": inputs, "code_version": __version__},
    )


def _diag_dict(d: Any) -> dict[str, Any]:
    if hasattr(d, "to_dict"):
        return dict(d.to_dict())
    stages = list(d) if isinstance(d, list | tuple) else []
    if stages and all(hasattr(x, "converged") for x in stages):
        return {"converged": all(x.converged for x in stages),
                "iterations": max(int(x.iterations) for x in stages),
                "residual": max(float(x.residual) for x in stages),
                "stages": [x.to_dict() for x in stages]}
    return {"converged": True, "iterations": None, "residual": 0.0}


def _pairs_matrix(countries: tuple[str, ...], pairs: list[tuple[str, str]], index_of: Any,
                  base: np.ndarray) -> np.ndarray:
    out = base.copy()
    for a, c in pairs:
        i, j = index_of(a, field_name="pta"), index_of(c, field_name="pta")
        out[i, j] = out[j, i] = 1.0
    return out


@lru_cache(maxsize=1)
def _gegravity_estimate() -> tuple[dict[str, float], np.ndarray]:
    """PPML of the gegravity-sample preset (coefficients and covariance), computed once."""
    res = run_preset("gegravity_sample", load_preset_data("gegravity_sample"))
    return {str(k): float(v) for k, v in res.coefficients.items()}, np.asarray(res.vcov)


MC_METHODS = ("exact_hat", "estimated_costs")
MC_COLUMNS = ["measure", "iso3", "central", "mean", "std", "q05", "q50", "q95"]


def run_ge_montecarlo(
    *,
    rta: list[str] | tuple[str, ...] = (),
    pta: list[str] | tuple[str, ...] | None = None,
    dataset: str | None = "wiod-zylkin",
    year: int | None = None,
    flows: pd.DataFrame | None = None,
    beta: float | None = None,
    beta_se: float | None = None,
    draws: int = 200,
    seed: int = 0,
    sigma: float | None = None,
    sigma_sd: float = 0.0,
    reference: str = "USA",
    imbalance: str = "multiplicative",
    numeraire: str = "reference",
    method: str = "exact_hat",
    executor: str | None = None,
    executor_options: dict[str, Any] | None = None,
) -> GEMonteCarlo:
    """Monte Carlo GE of new RTAs: the ``ge solve`` question with uncertainty bands.

    Same names and defaults as :func:`solve_ge_counterfactual` (``pta`` is an alias of
    ``rta``). ``method``:

    - ``exact_hat`` (default): the central figure IS ``ge solve``'s; each draw takes
      beta ~ N(beta, se^2) (se: the default estimate's, or ``beta_se``) and sigma ~
      N(sigma, sigma_sd^2) truncated at 1, and solves the same exact-hat GE;
    - ``estimated_costs`` (gegravity-sample only): gegravity's approach, t_ij^(1-sigma) =
      exp(z_ij b) rebuilt from every PPML coefficient drawn from its covariance (the
      ``gegravity_sample`` preset); its baseline is the model's fitted flows, so its centre
      differs from ``ge solve`` on the observed flows.
    """
    from tradepolicy.errors import InputError
    from tradepolicy.literals import check_literal

    check_literal(method, MC_METHODS, name="method")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1 or draws > 100_000:
        raise InputError(f"draws must be an integer from 1 to 100000; got {draws!r}",
                         field="draws", expected="1 <= draws <= 100000", example="1000")
    if pta:
        if rta:
            raise InputError("give the pairs once, as rta (pta is its old name)", field="rta",
                             expected="--rta USA:GBR", example="--rta USA:GBR")
        rta = pta
    if method == "estimated_costs":
        return _montecarlo_estimated_costs(rta=rta, dataset=dataset, flows=flows, draws=draws, seed=seed,
                                           sigma=sigma, sigma_sd=sigma_sd, reference=reference,
                                           imbalance=imbalance, numeraire=numeraire, executor=executor,
                                           executor_options=executor_options)
    from functools import partial

    from tradepolicy.economics.ge.draws import MEASURES, solve_shock_drawn
    from tradepolicy.economics.montecarlo import normal_draws
    from tradepolicy.economics.uncertainty import monte_carlo
    from tradepolicy.services.executor import get_executor

    central = solve_ge_counterfactual(dataset=dataset, year=year, flows=flows, rta=rta, beta=beta,
                                      sigma=sigma, reference=reference, imbalance=imbalance,
                                      numeraire=numeraire)
    b = float(central.shock["beta"])
    sig = float(central.parameters["sigma"])
    if beta_se is None:
        se = ge_defaults(dataset if flows is None else None).beta_se if beta is None else 0.0
        se_source = ("standard error of " + central.shock["beta_source"] if beta is None
                     else "none given: beta fixed (give beta_se to draw it)")
    else:
        se, se_source = float(beta_se), "given"
    if not np.isfinite(se) or se < 0:
        raise InputError(f"beta_se must be >= 0; got {se!r}", field="beta_se",
                         expected="a standard error in log points", example="0.102")
    if flows is not None:
        frame = flows.copy()
        for col in ("exporter", "importer"):
            frame[col] = frame[col].astype(str).str.strip().str.upper()
    else:
        frame, _yr, _spec = load_ge_frame(dataset or "", year)
    data = _ge_data(frame, None)
    pairs = parse_pairs(list(rta))
    delta = np.zeros((data.n, data.n))
    for a, c in pairs:
        i, j = data.index_of(a, field_name="rta"), data.index_of(c, field_name="rta")
        delta[i, j] = delta[j, i] = 1.0
    draw = normal_draws({"rta": b}, np.array([[se ** 2]]), sig, float(sigma_sd))
    ref = data.index_of(reference.upper(), field_name="reference")
    consts = (np.asarray(data.flows), delta, ref, imbalance, numeraire, 1e-12, 5000)
    with get_executor(executor, **(executor_options or {})) as ex:
        mc = monte_carlo(partial(solve_shock_drawn, consts), draw, draws=draws, seed=seed, block=10,
                         map_fn=ex.map)
        kind = ex.kind
    residual = float(np.max(mc.samples["residual"]))
    if not residual <= 1e-10:
        from tradepolicy.errors import ConvergenceError

        raise ConvergenceError("some Monte Carlo draws did not converge", field="draws",
                               details={"max_residual": residual})
    samples = {m: 100.0 * mc.samples[m] for m in MEASURES}
    cen = {r["iso3"]: r for r in central.rows}
    rows = []
    for m in MEASURES:
        x = samples[m]
        q = np.quantile(x, [0.05, 0.5, 0.95], axis=0)
        for k, iso in enumerate(data.countries):
            rows.append({"measure": m, "iso3": iso, "central": cen[iso].get(m),
                         "mean": _num(float(x[:, k].mean())), "std": _num(float(x[:, k].std(ddof=1)))
                         if draws > 1 else 0.0,
                         "q05": _num(float(q[0, k])), "q50": _num(float(q[1, k])), "q95": _num(float(q[2, k]))})
    return GEMonteCarlo(
        model="Monte Carlo over beta (and sigma): " + central.model,
        method="exact_hat",
        data=central.data,
        countries=central.countries,
        shock=central.shock,
        central={"rows": central.rows, "columns": central.columns, "bilateral": central.bilateral.to_dict()},
        coefficients={"rta": b},
        coefficient_source=f"{central.shock['beta_source']}; draws N({b:g}, {se:g}^2), se: {se_source}",
        elasticities={**central.elasticities, "beta_se": se, "beta_se_source": se_source},
        parameters={"sigma": sig, "sigma_sd": float(sigma_sd), "reference": reference.upper(),
                    "imbalance": imbalance, "numeraire_id": numeraire, "draws": draws, "seed": seed,
                    "executor": kind, "beta_se": se},
        numeraire=central.numeraire,
        imbalance=central.imbalance,
        published=central.published,
        sign_convention=SIGN_CONVENTION,
        unit="percent",
        columns=MC_COLUMNS,
        rows=rows,
        diagnostics={"iterations": int(mc.samples["iterations"].max()), "max_residual": residual},
        manifest=central.manifest,
    )


def _montecarlo_estimated_costs(
    *,
    rta: list[str] | tuple[str, ...],
    dataset: str | None,
    flows: pd.DataFrame | None,
    draws: int,
    seed: int,
    sigma: float | None,
    sigma_sd: float,
    reference: str,
    imbalance: str,
    numeraire: str,
    executor: str | None,
    executor_options: dict[str, Any] | None,
) -> GEMonteCarlo:
    """Run gegravity's Monte Carlo on the gegravity sample (2006, 30 countries).

    Coefficients and their covariance come from the ``gegravity_sample`` PPML preset
    (hetero-robust; it reproduces gegravity's published ppmlhdfe estimates); each draw
    rebuilds t_ij^(1-sigma) = exp(z_ij beta) and solves baseline, conditional and full GE.
    """
    from tradepolicy.economics.ge import GEData
    from tradepolicy.errors import InputError

    if flows is not None or (dataset or "gegravity-sample") != "gegravity-sample":
        raise InputError("the estimated-costs Monte Carlo needs the gegravity sample's cost variables",
                         field="method", expected="--dataset gegravity-sample, or --method exact_hat",
                         example="--method estimated_costs --dataset gegravity-sample")
    if numeraire != "reference":
        raise InputError("the estimated-costs Monte Carlo uses the reference importer's price index",
                         field="numeraire", expected="reference", example="--numeraire reference")
    pairs = parse_pairs(list(rta))
    frame, yr, spec = load_ge_frame("gegravity-sample", None)
    data = _ge_data(frame, spec)
    for a, c in pairs:
        data.index_of(a, field_name="rta")
        data.index_of(c, field_name="rta")
    _refuse_existing(frame, pairs, spec, f"gegravity-sample {yr}", "rta")
    sig = ge_defaults("gegravity-sample").sigma if sigma is None else float(sigma)
    coefs, cov = _gegravity_estimate()
    z = {k: data.matrix(frame, k) for k in coefs}
    cf = {"pta": _pairs_matrix(data.countries, pairs, data.index_of, z["pta"])}
    from tradepolicy.economics.montecarlo import monte_carlo_ge
    from tradepolicy.services.executor import get_executor

    with get_executor(executor, **(executor_options or {})) as ex:
        mc = monte_carlo_ge(
            GEData.from_arrays(data.flows, data.countries, output=data.output,
                               expenditure=data.expenditure),
            cost_variables=z, counterfactual=cf, coefficients=coefs, covariance=cov,
            sigma=sig, sigma_sd=sigma_sd, reference=reference.upper(), draws=draws,
            seed=seed, imbalance=imbalance,  # type: ignore[arg-type]
            map_fn=ex.map,
        )
        kind = ex.kind
    bands = mc.to_frame("percent").reset_index()
    rows = [{str(k): (_num(float(v)) if isinstance(v, float | np.floating) else v)
             for k, v in r.items()} for r in bands.to_dict(orient="records")]
    for r in rows:
        r.setdefault("central", None)
    return GEMonteCarlo(
        model="Monte Carlo over PPML coefficients (and sigma): one-sector GE per draw on the "
              "model's fitted baseline (gegravity's approach)",
        method="estimated_costs",
        data=f"gegravity-sample {yr}",
        countries=data.n,
        shock={"rta": [f"{a}:{c}" for a, c in pairs]},
        coefficients=coefs,
        coefficient_source="gegravity_sample PPML preset (hetero-robust covariance)",
        elasticities={"sigma": sig, "sigma_source": ge_defaults("gegravity-sample").sigma_source
                      if sigma is None else "given"},
        parameters={"sigma": float(sig), "sigma_sd": float(sigma_sd),
                    "reference": reference.upper(), "imbalance": imbalance, "numeraire_id": numeraire,
                    "draws": draws, "seed": seed, "executor": kind},
        numeraire=numeraire_text(numeraire, reference.upper()),
        imbalance=IMBALANCE_TEXT[imbalance],
        published=[dict(e) for e in published_beside(pairs)],
        sign_convention=SIGN_CONVENTION,
        unit="percent",
        columns=[str(c) for c in bands.columns],
        rows=rows,
        diagnostics={"iterations": mc.iterations, "max_residual": mc.max_residual},
        manifest={"inputs": _inputs("gegravity-sample"), "code_version": __version__},
    )
