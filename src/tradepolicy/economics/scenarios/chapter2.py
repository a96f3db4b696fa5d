"""The Advanced Guide's Chapter 2 applications, prepared for the book's GE-PPML procedure.

Yotov, Piermartini, Monteiro & Larch (2016), *An Advanced Guide to Trade Policy Analysis*,
ch. 2 (steps transcribed in economics-methods.md §5.1):

- **Trade without borders** (application 1): 2006 cross-section with domestic flows;
  PPML ``trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer``; baseline costs
  t^(1−σ) = exp(β_D ln DIST + β_C CNTG + β_B INTL_BRDR); the counterfactual removes the
  border term, τ̂ = exp(−β_B INTL_BRDR). Reported as (CFL − BLN) / BLN.
- **NAFTA** (application 2): stage 1 panel PPML ``trade ~ RTA | exp-year + imp-year + pair``
  (book years, domestic flows, pairs with zero total trade dropped, one pair FE shared by
  all domestic pairs) gives β_RTA and the pair costs γ_ij − γ_D = (ℓ_ij + ℓ_ji − ℓ_ii − ℓ_jj)/2
  with ℓ = η − β RTA in 1994; stage 2 fills the missing pairs from a PPML of exp(γ) on
  ln DIST, CNTG, LANG, CLNY with exporter and importer FE; t_BLN^(1−σ) = exp(γ + β RTA),
  t̄_ii = 1; the counterfactual sets RTA = 0 on the six directed NAFTA cells. Reported as
  (BLN − CFL) / CFL, the effect of having NAFTA.

Estimation uses ``tradepolicy.economics.gravity`` (pyfixest); the stage-1 linear predictor
is taken from pyfixest directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.errors import InputError

NAFTA = ("CAN", "MEX", "USA")
BOOK_YEAR_NAFTA = 1994


@dataclass(frozen=True)
class Chapter2Problem:
    """A prepared GE-PPML problem: one year's square frame with costs, τ̂ and the estimates.

    Attributes
    ----------
    frame
        Columns ``exporter``, ``importer``, ``trade`` (US$ million) and ``cost``
        (t_BLN^(1−σ)), every ordered pair once, domestic included.
    tau_hat
        (N, N) change in t^(1−σ), ordered as ``countries``.
    countries
        ISO3 order of ``tau_hat`` (sorted, as GEData orders them).
    estimates
        Coefficients used, by name; and N of each stage.
    convention
        ``counterfactual_vs_baseline`` or ``baseline_vs_counterfactual``.
    """

    frame: pd.DataFrame
    tau_hat: np.ndarray
    countries: tuple[str, ...]
    estimates: dict[str, Any] = field(default_factory=dict)
    convention: str = "counterfactual_vs_baseline"


def _square(frame: pd.DataFrame, col: str, countries: list[str], fill: float) -> np.ndarray:
    idx = {c: i for i, c in enumerate(countries)}
    m = np.full((len(countries), len(countries)), fill)
    m[frame["exporter"].map(idx).to_numpy(), frame["importer"].map(idx).to_numpy()] = frame[col].to_numpy(float)
    return m


def trade_without_borders(agtpa: pd.DataFrame) -> Chapter2Problem:
    """Prepare application 1 (trade without borders, 2006) from the agtpa panel."""
    from tradepolicy.economics.gravity import run_preset

    est = run_preset("yotov2016_ch2_twb_2006", agtpa)
    b = est.coefficients
    d = agtpa[agtpa["year"] == 2006].copy()
    d["ln_DIST"] = np.log(d["dist"])
    d["INTL_BRDR"] = (d["exporter"] != d["importer"]).astype(float)
    d["cost"] = np.exp(b["ln_DIST"] * d["ln_DIST"] + b["CNTG"] * d["cntg"] + b["INTL_BRDR"] * d["INTL_BRDR"])
    d["brdr_shock"] = np.exp(-b["INTL_BRDR"] * d["INTL_BRDR"])
    countries = sorted(d["exporter"].unique())
    tau = _square(d, "brdr_shock", countries, 1.0)
    return Chapter2Problem(frame=d[["exporter", "importer", "trade", "cost"]].reset_index(drop=True), tau_hat=tau,
                           countries=tuple(countries),
                           estimates={**{str(k): float(v) for k, v in b.items()}, "n_obs": est.n_obs},
                           convention="counterfactual_vs_baseline")


def _pair_costs_stage1(agtpa: pd.DataFrame) -> tuple[pd.DataFrame, float, int]:
    """Return 1994 γ_ij − γ_D for the pairs of the stage-1 sample, β_RTA and N."""
    import pyfixest as pf

    from tradepolicy.economics.gravity.presets import get_preset

    preset = get_preset("yotov2016_table3_ppml_pair")
    s = preset.prepare(agtpa).reset_index(drop=True)
    fit = pf.fepois(preset.formula, s, vcov="iid", iwls_tol=1e-10,
                    demeaner=pf.MapDemeaner(fixef_tol=1e-10))
    beta = float(fit.coef()["rta"])
    eta = np.asarray(fit.predict(type="link"), dtype=float)
    if len(eta) != len(s):  # pragma: no cover - pyfixest dropped rows (none in the book sample)
        raise InputError("Stage-1 PPML dropped rows; the pair costs cannot be recovered exactly.",
                         field="trade", expected="the book's 28,482-row sample", example="agtpa")
    s["ell"] = eta - beta * s["rta"].to_numpy(float)
    y = s[s["year"] == BOOK_YEAR_NAFTA][["exporter", "importer", "ell"]]
    ell: dict[tuple[str, str], float] = {
        (str(e), str(i)): float(v) for e, i, v in y.itertuples(index=False)}
    dom = {e: v for (e, i), v in ell.items() if e == i}
    rows = []
    for (e, i), v in ell.items():
        if e == i or (i, e) not in ell or e not in dom or i not in dom:
            continue
        rows.append((e, i, (v + ell[(i, e)] - dom[e] - dom[i]) / 2.0))
    return pd.DataFrame(rows, columns=["exporter", "importer", "gamma"]), beta, int(fit._N)


def nafta(agtpa: pd.DataFrame) -> Chapter2Problem:
    """Prepare application 2 (removing NAFTA, 1994) from the agtpa panel."""
    from tradepolicy.economics.gravity import estimate_ppml

    gam, beta, n1 = _pair_costs_stage1(agtpa)
    d = agtpa[agtpa["year"] == BOOK_YEAR_NAFTA].copy()
    d["ln_DIST"] = np.log(d["dist"])
    intl = d[d["exporter"] != d["importer"]].merge(gam, on=["exporter", "importer"], how="left")
    have = intl["gamma"].notna()
    est_rows = intl[have].copy()
    est_rows["tij"] = np.exp(est_rows["gamma"])
    st2 = estimate_ppml(est_rows, "tij ~ ln_DIST + cntg + lang + clny | exporter + importer", cluster=None)
    b2 = st2.coefficients
    # Missing pairs: full prediction, country FE included. The exporter and importer FE of the
    # stage-2 PPML are recovered from its first-order conditions (fitted row and column sums
    # equal the observed ones, given the regressors' index), i.e. a biproportional fit.
    xb = (b2["ln_DIST"] * intl["ln_DIST"] + b2["cntg"] * intl["cntg"] + b2["lang"] * intl["lang"]
          + b2["clny"] * intl["clny"])
    pred = np.full(len(intl), np.nan)
    if (~have).any():
        ex = sorted(intl["exporter"].unique())
        im = sorted(intl["importer"].unique())
        ie: dict[str, int] = {str(c): k for k, c in enumerate(ex)}
        ii: dict[str, int] = {str(c): k for k, c in enumerate(im)}
        fit_rows = est_rows.assign(xb=xb[have].to_numpy())
        a, bb = _two_way_fe(fit_rows, ie, ii, "tij", "xb")
        miss = intl[~have]
        pred[~have.to_numpy()] = (a[miss["exporter"].map(ie).to_numpy()] + bb[miss["importer"].map(ii).to_numpy()]
                                  + xb[~have].to_numpy())
    intl["log_tbar"] = np.where(have, intl["gamma"], pred)
    dom = d[d["exporter"] == d["importer"]].assign(log_tbar=0.0)
    full = pd.concat([intl[["exporter", "importer", "trade", "rta", "log_tbar"]],
                      dom[["exporter", "importer", "trade", "rta", "log_tbar"]]], ignore_index=True)
    full["cost"] = np.exp(full["log_tbar"] + beta * full["rta"])
    is_nafta = full["exporter"].isin(NAFTA) & full["importer"].isin(NAFTA) & (full["exporter"] != full["importer"])
    full["shock"] = np.where(is_nafta & (full["rta"] > 0), np.exp(-beta), 1.0)
    countries = sorted(full["exporter"].unique())
    tau = _square(full, "shock", countries, 1.0)
    return Chapter2Problem(
        frame=full[["exporter", "importer", "trade", "cost"]].reset_index(drop=True), tau_hat=tau,
        countries=tuple(countries),
        estimates={"RTA": beta, "n_obs_stage1": n1, **{f"stage2_{k}": float(v) for k, v in b2.items()},
                   "n_obs_stage2": st2.n_obs, "pairs_predicted": int((~have).sum())},
        convention="baseline_vs_counterfactual")


def _two_way_fe(rows: pd.DataFrame, ie: dict[str, int], ii: dict[str, int], y: str, xb: str,
                tol: float = 1e-13, max_iter: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """Return exporter / importer FE of a PPML with offset ``xb`` (row- and column-sum matching)."""
    e = rows["exporter"].map(ie).to_numpy()
    i = rows["importer"].map(ii).to_numpy()
    yv = rows[y].to_numpy(float)
    off = np.exp(rows[xb].to_numpy(float))
    ry = np.bincount(e, weights=yv, minlength=len(ie))
    cy = np.bincount(i, weights=yv, minlength=len(ii))
    a = np.zeros(len(ie))
    b = np.zeros(len(ii))
    for _ in range(max_iter):
        a_new = np.log(ry) - np.log(np.bincount(e, weights=off * np.exp(b[i]), minlength=len(ie)))
        b_new = np.log(cy) - np.log(np.bincount(i, weights=off * np.exp(a_new[e]), minlength=len(ii)))
        done = max(np.max(np.abs(a_new - a)), np.max(np.abs(b_new - b))) < tol
        a, b = a_new, b_new
        if done:
            break
    return a, b
