"""The full anti-dumping margin programme: validate, NV, match, compare, choose, decide.

``run_margin_programme`` follows the sequence of Commerce's generic market-economy
program (fact sheet §4.3-4.5): arm's-length test -> viability -> cost test (with cost
recovery) -> weighted-average NV per CONNUM -> identical / similar (DIFMER cap) /
constructed-value match -> A-A, A-T, mixed (and optionally T-T) -> Cohen's d by
customer, region and period -> ratio test -> meaningful-difference test -> de minimis.

Simplifications, stated: the A-A averaging group is CONNUM x sale type (EP/CEP); level of
trade and reviews' monthly (contemporaneous) averaging are not modelled; NV is the POI weighted
average per CONNUM. A third-country market (one file) replaces a home market that is not viable
when it is viable itself (1677b(a)(1)(B)(ii), (C); 19 CFR 351.404(b)); the choice among several
third countries (351.404(e)) is left to the user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.errors import InputError
from tradepolicy.literals import check_literal
from tradepolicy.remedies.differential_pricing import (
    DifferentialPricingResult,
    differential_pricing,
)
from tradepolicy.remedies.exclusions import ExclusionLog
from tradepolicy.remedies.margins import (
    MeaningfulDifference,
    MethodResult,
    above_de_minimis,
    average_to_average,
    average_to_transaction,
    group_results,
    meaningful_difference,
    mixed,
    transaction_to_transaction,
)
from tradepolicy.remedies.matching import MatchResult, match_connums
from tradepolicy.remedies.normal_value import (
    DECIMALS,
    ViabilityResult,
    arms_length_test,
    cost_test,
    profit_rate,
    viability,
    wmean,
    wsum,
)
from tradepolicy.remedies.parameters import ADParameters
from tradepolicy.remedies.schemas import validate, where

SEGMENTS = ("investigation", "review")
DIMENSIONS = ("customer", "region", "period")
COMPARISON_MARKET_LABELS = {
    "home": "home market (viable): normal value from home-market sales",
    "third_country": "third-country market: the home market is not viable (19 CFR 351.404(b))",
    "constructed_value": "constructed value: neither the home market nor a third-country market is viable",
}


@dataclass(frozen=True)
class MarginResult:
    """Everything the margin programme computed, with units.

    Attributes
    ----------
    segment
        ``investigation`` or ``review``.
    de_minimis
        The segment's de minimis rate (decimal).
    methods
        ``A-A``, ``A-T``, ``mixed`` (and ``T-T`` if computed) -> :class:`MethodResult`.
    differential
        Cohen's d per dimension and the ratio test.
    method_chosen, reason
        The method whose margin is final (``A-A`` | ``A-T`` | ``mixed``) and why.
    meaningful
        Meaningful-difference test of the alternative considered (None if A-A only).
    final
        The chosen method's result; ``final.margin`` is the weighted-average margin.
    above_de_minimis
        ``final.margin > de_minimis`` (exactly the threshold is not above).
    cash_deposit_ad_valorem
        Cash-deposit rate (decimal of entered value; 0 if not above de minimis).
    cash_deposit_per_unit
        Per-unit cash deposit (currency per unit; 0 if not above de minimis).
    viability
        Home-market viability test.
    profit_rate
        Profit ratio used for constructed value (decimal).
    by_connum
        One row per U.S. CONNUM (see ``to_frame``).
    dimension_tables
        Dimension -> Cohen's d table with CONNUM and group labels.
    arms_length
        One row per affiliated home customer: ratio (decimal) and pass.
    exclusions
        ``[{reason, description, sales, quantity}]``: every home or U.S. sale not used.
    rows
        Rows read per file.
    sale_nv
        NV at the U.S. comparison point per U.S. sale, in input row order (currency per unit).
    sale_pass
        Bool per U.S. sale: passes Cohen's d on some dimension (input row order).
    """

    segment: str
    parameters: ADParameters
    de_minimis: float
    methods: dict[str, MethodResult]
    differential: DifferentialPricingResult
    method_chosen: str
    reason: str
    meaningful: MeaningfulDifference | None
    final: MethodResult
    above_de_minimis: bool
    cash_deposit_ad_valorem: float
    cash_deposit_per_unit: float
    viability: ViabilityResult
    profit_rate: float
    by_connum: pd.DataFrame
    dimension_tables: dict[str, pd.DataFrame]
    arms_length: pd.DataFrame
    exclusions: list[dict[str, object]]
    rows: dict[str, int]
    sale_nv: np.ndarray
    sale_pass: np.ndarray
    notes: tuple[str, ...] = field(default=())
    comparison_market: str = "home"

    def to_frame(self) -> pd.DataFrame:
        """Return the table by CONNUM."""
        return self.by_connum

    def summary(self) -> dict[str, Any]:
        """Return a JSON-safe summary (no per-sale arrays)."""
        m = self.meaningful
        return {
            "segment": self.segment,
            "de_minimis": self.de_minimis,
            "methods": {k: v.to_dict() for k, v in self.methods.items()},
            "value_share_passing": self.differential.value_share_passing,
            "ratio_outcome": self.differential.ratio_outcome,
            "dimensions": [d.summary() for d in self.differential.dimensions],
            "method_chosen": self.method_chosen,
            "reason": self.reason,
            "meaningful_difference": None if m is None else {
                "crosses_de_minimis": m.crosses_de_minimis,
                "relative_change": None if not np.isfinite(m.relative_change) else m.relative_change,
                "meaningful": m.meaningful,
            },
            "final_margin": self.final.margin,
            "above_de_minimis": self.above_de_minimis,
            "cash_deposit_ad_valorem": self.cash_deposit_ad_valorem,
            "cash_deposit_per_unit": self.cash_deposit_per_unit,
            "viability": {
                "home_quantity": self.viability.home_quantity, "us_quantity": self.viability.us_quantity,
                "ratio": self.viability.ratio, "threshold": self.viability.threshold,
                "viable": self.viability.viable,
            },
            "profit_rate": self.profit_rate,
            "comparison_market": self.comparison_market,
            "comparison_market_label": COMPARISON_MARKET_LABELS.get(self.comparison_market, self.comparison_market),
            "nv_basis_count": {str(k): int(v) for k, v in
                               self.by_connum["nv_basis"].value_counts().sort_index().items()}
            if "nv_basis" in self.by_connum.columns else {},
            "exclusions": self.exclusions,
            "rows": self.rows,
            "notes": list(self.notes),
        }


def _same_kind(series: Sequence[pd.Series]) -> list[pd.Series]:
    """Return the key series with one dtype: all integer, else all strings."""
    if all(pd.api.types.is_integer_dtype(s) for s in series):
        return list(series)
    return [s.astype("string") for s in series]


def _codes(*series: pd.Series) -> tuple[list[np.ndarray], pd.Index]:
    ss = _same_kind(series)
    codes, uniques = pd.factorize(pd.concat(ss, ignore_index=True), sort=False)
    out, start = [], 0
    for s in ss:
        out.append(np.asarray(codes[start:start + len(s)], dtype=np.int64))
        start += len(s)
    return out, pd.Index(uniques)


def _cost_arrays(cost: pd.DataFrame, cc: np.ndarray, n: int, col: str) -> np.ndarray:
    arr = np.full(n, np.nan)
    if col not in cost.columns:
        return arr
    v = cost[col].to_numpy(dtype=np.float64)
    sums = np.bincount(cc, weights=v, minlength=n)
    cnt = np.bincount(cc, minlength=n)
    ok = cnt > 0
    arr[ok] = sums[ok] / cnt[ok]
    return arr


def _require_cost(conn: np.ndarray, cop: np.ndarray, labels: pd.Index, source: str, kind: str) -> None:
    miss = ~np.isfinite(cop[conn])
    if miss.any():
        pos = int(np.flatnonzero(miss)[0])
        lab = labels[conn[pos]]
        n_conn = len(np.unique(conn[miss]))
        raise InputError(
            f"CONNUM {lab!r} of the {kind} sales has no cost of production "
            f"({n_conn} CONNUM(s), {int(miss.sum())} sale(s) without cost).",
            where=where(source, pos), field="connum",
            expected="every CONNUM sold listed in the cost file", example=f"{lab},95.00",
            details={"connums_without_cost": [str(labels[c]) for c in np.unique(conn[miss])[:20]]},
        )


def _decide(aa: MethodResult, at: MethodResult, mx: MethodResult, dp: DifferentialPricingResult,
            params: ADParameters, dm: float) -> tuple[str, str, MeaningfulDifference | None, MethodResult]:
    share = dp.value_share_passing
    pct = f"{share:.1%}"
    if dp.ratio_outcome == "a_a_only":
        return ("A-A", f"{pct} of U.S. sales by value pass Cohen's d (<= {params.ratio_lower:.0%}): "
                "the standard A-A method applies to all sales.", None, aa)
    alt = at if dp.ratio_outcome == "consider_a_t" else mx
    band = (f">= {params.ratio_upper:.0%}: consider A-T for all sales" if alt is at
            else f"between {params.ratio_lower:.0%} and {params.ratio_upper:.0%}: consider the mixed method")
    md = meaningful_difference(aa.margin, alt.margin, de_minimis=dm,
                               relative_change_min=params.relative_change_min)
    if md.meaningful:
        why = ("the A-A margin is below de minimis and the alternative is not" if md.crosses_de_minimis
               else f"relative change {md.relative_change:.1%} >= {params.relative_change_min:.0%}")
        return (alt.method, f"{pct} of U.S. sales by value pass Cohen's d ({band}); the alternative "
                f"makes a meaningful difference ({why}).", md, alt)
    return ("A-A", f"{pct} of U.S. sales by value pass Cohen's d ({band}); the alternative does not "
            "make a meaningful difference, so A-A applies.", md, aa)


def _tt_nv(us_match: np.ndarray, us_period: np.ndarray, q: np.ndarray, nv_sale: np.ndarray,
           adj: np.ndarray, difmer: np.ndarray, hm_conn: np.ndarray, hm_period: np.ndarray,
           hm_q: np.ndarray, hm_p: np.ndarray, hm_id: np.ndarray) -> tuple[np.ndarray, int]:
    """Return NV per U.S. sale for T-T and the number of sales left on the A-A NV.

    The home transaction is that of the matched CONNUM in the same period with the
    nearest quantity (else any period); without one the sale keeps the A-A NV. Ties in
    quantity go to the home sale with the highest ``sale_id`` (deterministic, unrelated to price).
    """
    out = nv_sale.copy()
    idx = np.flatnonzero(us_match >= 0)
    if idx.size == 0 or hm_conn.size == 0:
        return out, 0
    left = pd.DataFrame({"i": idx, "c": us_match[idx], "t": us_period[idx], "q": q[idx]}).sort_values(
        "q", kind="stable")
    right = pd.DataFrame({"c": hm_conn, "t": hm_period, "q": hm_q, "hp": hm_p, "id": hm_id}).sort_values(
        ["q", "id"], kind="stable")
    m = pd.merge_asof(left, right, on="q", by=["c", "t"], direction="nearest")
    miss = m["hp"].isna().to_numpy()
    if miss.any():
        m2 = pd.merge_asof(m.loc[miss, ["i", "c", "q"]], right[["c", "q", "hp"]], on="q", by="c",
                           direction="nearest")
        m.loc[miss, "hp"] = m2["hp"].to_numpy()
    ok = m["hp"].notna().to_numpy()
    ii = m["i"].to_numpy()[ok]
    out[ii] = m["hp"].to_numpy()[ok] + difmer[ii] + adj[ii]
    return out, int((~ok).sum())


def run_margin_programme(
    us_raw: pd.DataFrame,
    home_raw: pd.DataFrame,
    cost_raw: pd.DataFrame,
    *,
    segment: str,
    params: ADParameters,
    similar_raw: pd.DataFrame | None = None,
    third_raw: pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
    include_tt: bool = True,
    dimensions: Sequence[str] = DIMENSIONS,
) -> MarginResult:
    """Compute the dumping margin of one respondent.

    Parameters
    ----------
    us_raw, home_raw, cost_raw, similar_raw
        The input tables (see :mod:`tradepolicy.remedies.schemas`); not modified.
    third_raw
        Optional third-country sales (the home-market schema). Used as the comparison market only
        if the home market is not viable and this market is; otherwise counted as unused.
    segment
        ``investigation`` or ``review`` (selects the de minimis rate).
    params
        Thresholds resolved from law YAML.
    sources
        File names used in error messages, by kind (``us``, ``home``, ``cost``, ``similar``,
        ``third``).
    include_tt
        Also compute the transaction-to-transaction margin (sorts both files; costs time).
    dimensions
        U.S. columns on which Cohen's d is run.
    """
    check_literal(segment, SEGMENTS, name="segment")
    src = {"us": "us", "home": "home", "cost": "cost", "similar": "similar", "third": "third_country",
           **(sources or {})}
    us = validate(us_raw, "us", src["us"])
    home = validate(home_raw, "home", src["home"])
    cost = validate(cost_raw, "cost", src["cost"])
    similar = validate(similar_raw, "similar", src["similar"]) if similar_raw is not None else None
    third = validate(third_raw, "home", src["third"]) if third_raw is not None else None
    _check_period_forms(us, home, src)
    notes: list[str] = []
    rows = {"us": len(us), "home": len(home), "cost": len(cost)}
    if similar is not None:
        rows["similar"] = len(similar)
    if third is not None:
        rows["third_country"] = len(third)

    key_series = [cost["connum"], us["connum"], home["connum"]]
    if similar is not None:
        key_series += [similar["us_connum"], similar["hm_connum"]]
    if third is not None:
        key_series += [third["connum"]]
    codes, labels = _codes(*key_series)
    cc, uc, hc = codes[0], codes[1], codes[2]
    n = len(labels)

    # Comparison market: the home market if viable, else a viable third-country market (if given).
    log = ExclusionLog()
    market, cm_src = "home", src["home"]
    us_qty_total = float(us["quantity"].sum())
    home_via = viability(float(home["quantity"].sum()), us_qty_total, threshold=params.viability_share)
    if third is not None:
        tq = third["quantity"].to_numpy(dtype=np.float64)
        third_via = viability(float(tq.sum()), us_qty_total, threshold=params.viability_share)
        if home_via.viable:
            log.add("third_country_unused", np.ones(len(third), dtype=bool), tq)
            notes.append("The home market is viable: the third-country sales are not used (19 CFR 351.404(b)).")
        elif third_via.viable:
            log.add("home_market_not_viable_third_country_used", np.ones(len(home), dtype=bool),
                    home["quantity"].to_numpy(dtype=np.float64))
            notes.append(f"Home market not viable ({home_via.ratio:.2%} of U.S. quantity, below "
                         f"{params.viability_share:.0%}); the third-country market ({third_via.ratio:.2%}) is "
                         "viable and is the comparison market for normal value (1677b(a)(1)(B)(ii)).")
            home, hc, cm_src, market = third, codes[-1], src["third"], "third_country"
        else:
            log.add("third_country_not_viable", np.ones(len(third), dtype=bool), tq)

    q = us["quantity"].to_numpy(dtype=np.float64)
    p = us["net_price"].to_numpy(dtype=np.float64)
    hq = home["quantity"].to_numpy(dtype=np.float64)
    hp = home["net_price"].to_numpy(dtype=np.float64)
    affiliated = home["affiliated"].to_numpy(dtype=bool)

    # Cost: per CONNUM, or per (CONNUM, period) with a POI average weighted by home quantity.
    if "period" in cost.columns:
        (cpc, hpc), _ = _codes(cost["period"], home["period"])
        n_per = int(max(cpc.max(initial=0), hpc.max(initial=0))) + 1
        table = np.full(n * n_per, np.nan)
        table[cc * n_per + cpc] = cost["cost_of_production"].to_numpy(dtype=np.float64)
        cop_sale = table[hc * n_per + hpc]
        miss = ~np.isfinite(cop_sale)
        if miss.any():
            pos = int(np.flatnonzero(miss)[0])
            raise InputError(
                f"{market} sale of CONNUM {labels[hc[pos]]!r} in period {home['period'].iloc[pos]!r} has no "
                "period cost.", where=where(cm_src, pos), field="period",
                expected="a cost row for every (connum, period) sold", example="A,2024Q1,95.00")
        w_hm = np.bincount(hc * n_per + hpc, weights=hq, minlength=n * n_per)
        w = np.where(np.isfinite(table), np.maximum(w_hm, 0.0), 0.0)
        has = np.isfinite(table)
        num = np.where(has, table * w, 0.0).reshape(n, n_per).sum(1)
        den = w.reshape(n, n_per).sum(1)
        simple = np.where(has, table, 0.0).reshape(n, n_per).sum(1) / np.maximum(has.reshape(n, n_per).sum(1), 1)
        cop_poi = np.where(den > 0, num / np.where(den > 0, den, 1.0), simple)
        cop_poi[~has.reshape(n, n_per).any(1)] = np.nan
        notes.append("Period-specific costs: POI-average COP weighted by home-market quantity "
                     "(Commerce weights by production quantity).")
    else:
        cop_poi = _cost_arrays(cost, cc, n, "cost_of_production")
        cop_sale = cop_poi[hc]
    _require_cost(uc, cop_poi, labels, src["us"], "U.S.")
    _require_cost(hc, cop_poi, labels, cm_src, "home-market" if market == "home" else "third-country")
    vcom = _cost_arrays(cost, cc, n, "vcom")
    tcom = _cost_arrays(cost, cc, n, "tcom")
    cv_given = _cost_arrays(cost, cc, n, "constructed_value")

    via = viability(float(hq.sum()), float(q.sum()), threshold=params.viability_share)
    below_share = np.full(n, np.nan)
    applied = np.zeros(n, dtype=bool)
    al_table = pd.DataFrame(columns=["customer", "ratio", "passes"])
    if via.viable:
        cust_codes, cust_labels = pd.factorize(home["customer"], sort=False)
        cust_codes = np.asarray(cust_codes, dtype=np.int64)
        al = arms_length_test(hc, hq, hp, affiliated, cust_codes, n_connum=n,
                              n_customer=len(cust_labels), low=params.arms_length_low,
                              high=params.arms_length_high)
        log.add("affiliated_not_arms_length", al.failed, hq)
        log.add("affiliated_untestable", al.untestable, hq)
        al_table = pd.DataFrame({"customer": [str(x) for x in np.asarray(cust_labels)[al.customer_codes]],
                                 "ratio": al.customer_ratio, "passes": al.customer_pass})
        ct = cost_test(hc, hq, hp, cop_sale, cop_poi, al.keep, n_connum=n, threshold=params.below_cost_share)
        log.add("below_cost", ct.drop, hq)
        usable = al.keep & ~ct.drop
        below_share, applied = ct.below_share, ct.applied
    else:
        usable = np.zeros(len(home), dtype=bool)
        market = "constructed_value"
        log.add("home_market_not_viable", np.ones(len(home), dtype=bool), hq)
        notes.append("Home market not viable and no viable third-country market given: NV is "
                     "constructed value for every CONNUM.")

    prof = profit_rate(hq, hp, cop_sale, usable)
    cv = np.where(np.isfinite(cv_given), cv_given, cop_poi * (1.0 + prof))
    nv_home = wmean(hc[usable], hq[usable], hp[usable], n)
    hq_used = wsum(hc[usable], hq[usable], n)

    sim: list[tuple[int, int, float]] = []
    if similar is not None:
        su, sh = codes[3], codes[4]
        rk = similar["rank"].to_numpy(dtype=np.float64)
        sim = list(zip(su.tolist(), sh.tolist(), rk.tolist(), strict=True))
        if not (np.isfinite(vcom).any() and np.isfinite(tcom).any()):
            raise InputError("A similar-merchandise table needs vcom and tcom in the cost file.",
                             where=src["cost"], field="vcom", expected="cost columns vcom, tcom",
                             example="connum,cost_of_production,vcom,tcom")
    us_conn_unique = np.unique(uc)
    match: MatchResult = match_connums(us_conn_unique, nv_home, cv, vcom, tcom, sim, cap=params.difmer_cap)
    cv_used = (match.basis[us_conn_unique] == "constructed_value") & ~np.isfinite(cv_given[us_conn_unique])
    if cv_used.any():
        if usable.any():
            notes.append(f"Constructed value for {int(cv_used.sum())} CONNUM(s) = COP x (1 + {prof:.2%}), the "
                         "profit on usable home-market sales (1677b(e)(2)(A)).")
        else:
            notes.append(f"Constructed value for {int(cv_used.sum())} CONNUM(s) = COP with NO profit: there is no "
                         "usable home-market sale, and the statute's alternative profit methods "
                         "(1677b(e)(2)(B)) are not implemented. Give constructed_value in the cost file.")
    used_home = np.zeros(n, dtype=bool)
    used_home[match.matched[match.matched >= 0]] = True
    log.add("home_connum_unmatched", usable & ~used_home[hc], hq)

    # NV at the U.S. comparison point (fact sheet §4.4, me-macros.sas ~line 6478).
    def col(name: str) -> np.ndarray:
        return us[name].to_numpy(dtype=np.float64) if name in us.columns else np.zeros(len(us))

    cep = (us["sale_type"] == "CEP").to_numpy(dtype=bool) if "sale_type" in us.columns else np.zeros(len(us), bool)
    adj = (-col("commission_offset") + col("us_commission") + col("us_direct_selling")
           + np.where(cep, -col("cep_offset"), col("us_credit")))
    nv_sale = match.nv[uc] + adj
    group = uc * 2 + cep.astype(np.int64)
    n_groups = 2 * n
    if segment == "review" and params.review_averaging_months == 1 and _all_months(us, home):
        # Reviews: NV by calendar month, compared with U.S. sales of the same month (rule
        # adcvd.ar.nv_averaging_months); A-A groups are (CONNUM, EP/CEP, month).
        (us_m, hm_m), months = _codes(us["period"], home["period"])
        n_m = len(months)
        nv_month = wmean(hc[usable] * n_m + hm_m[usable], hq[usable], hp[usable], n * n_m)
        k = match.matched[uc]
        nvm = np.where(k >= 0, nv_month[np.where(k >= 0, k, 0) * n_m + us_m], np.nan)
        ok = (k >= 0) & np.isfinite(nvm)
        nv_sale = np.where(ok, nvm + match.difmer[uc] + adj, nv_sale)
        group = group * n_m + us_m
        n_groups *= n_m
        kept = int(((k >= 0) & ~ok).sum())
        notes.append("Review: normal value averaged by calendar month and compared with U.S. sales of the same "
                     "month (rule adcvd.ar.nv_averaging_months: 77 FR 8101 (2012); 19 CFR 351.414(d)(3), "
                     "unconfirmed)" + (f"; {kept} U.S. sale(s) with no home-market sale of their month keep the "
                                        "period-average NV." if kept else "."))

    dim_codes: dict[str, np.ndarray] = {}
    dim_labels: dict[str, np.ndarray] = {}
    for d in dimensions:
        if d not in us.columns:
            raise InputError(f"Unknown Cohen's d dimension {d!r}.", field="dimensions",
                             expected="customer | region | period", example="region")
        c, lab = pd.factorize(us[d], sort=False)
        dim_codes[d] = np.asarray(c, dtype=np.int64)
        dim_labels[d] = np.asarray(lab)
    dp = differential_pricing(uc, q, p, dim_codes, n_connum=n, params=params)

    aa = average_to_average(group, q, p, nv_sale, n_groups=n_groups)
    at = average_to_transaction(q, p, nv_sale)
    mx = mixed(group, q, p, nv_sale, dp.sale_pass, n_groups=n_groups)
    methods = {"A-A": aa, "A-T": at, "mixed": mx}
    if include_tt:
        (us_per, hm_per), _ = _codes(us["period"], home["period"])
        nv_tt, unmatched_tt = _tt_nv(match.matched[uc], us_per, q, nv_sale, adj, match.difmer[uc],
                                     hc[usable], hm_per[usable], hq[usable], hp[usable],
                                     home["sale_id"].to_numpy()[usable])
        methods["T-T"] = transaction_to_transaction(q, p, nv_tt)
        if not np.isin(us_per, hm_per[usable]).any():
            notes.append("T-T: no U.S. period occurs among the usable home-market periods; every U.S. sale "
                         "was compared with the nearest-quantity home sale of any period.")
        if unmatched_tt:
            notes.append(f"T-T: {unmatched_tt} U.S. sale(s) without a home transaction use the A-A NV.")

    dm = params.de_minimis(segment)
    chosen, reason, md, final = _decide(aa, at, mx, dp, params, dm)
    above = above_de_minimis(final.margin, dm)
    if round(final.margin, DECIMALS) == dm:
        notes.append(f"The final margin equals the de minimis rate ({dm:.2%}) exactly: treated as NOT above "
                     "de minimis, as Commerce's program does (WTAVGPCT GT DE_MINIMIS); the statute's "
                     "'less than' wording would not make it de minimis.")

    # Table by CONNUM.
    value = q * p
    e = q * (nv_sale - p)
    g_aa = group_results(group, q, p, nv_sale, n_groups).reshape(n, -1).sum(1)
    at_pos = wsum(uc, np.where(e > 0, e, 0.0), n)
    us_qty = wsum(uc, q, n)
    us_val = wsum(uc, value, n)
    pass_val = wsum(uc, np.where(dp.sale_pass, value, 0.0), n)
    cnt = np.bincount(uc, minlength=n)
    nv_avg = wmean(uc, q, nv_sale, n)
    k = us_conn_unique
    by_connum = pd.DataFrame({
        "connum": [str(labels[i]) for i in k],
        "us_sales": cnt[k], "us_quantity": us_qty[k], "us_value": us_val[k],
        "us_avg_price": us_val[k] / us_qty[k], "nv": nv_avg[k], "nv_basis": match.basis[k],
        "matched_connum": [str(labels[m]) if m >= 0 else "" for m in match.matched[k]],
        "difmer": match.difmer[k], "home_quantity_used": hq_used[k], "cop": cop_poi[k],
        "constructed_value": cv[k], "below_cost_share": below_share[k], "cost_test_applied": applied[k],
        "aa_result": g_aa[k], "at_positive": at_pos[k], "value_share_passing": pass_val[k] / us_val[k],
    })
    dim_tables: dict[str, pd.DataFrame] = {}
    for r in dp.dimensions:
        t = r.groups.copy()
        t.insert(0, "group", [str(x) for x in dim_labels[r.dimension][t["group_code"].to_numpy()]])
        t.insert(0, "connum", [str(labels[i]) for i in t["connum_code"].to_numpy()])
        dim_tables[r.dimension] = t.drop(columns=["connum_code", "group_code"])
    return MarginResult(
        segment=segment, parameters=params, de_minimis=dm, methods=methods, differential=dp,
        method_chosen=chosen, reason=reason, meaningful=md, final=final, above_de_minimis=above,
        cash_deposit_ad_valorem=final.margin if above else 0.0,
        cash_deposit_per_unit=final.per_unit if above else 0.0,
        viability=via, profit_rate=prof, by_connum=by_connum, dimension_tables=dim_tables,
        arms_length=al_table, exclusions=log.to_list(), rows=rows, sale_nv=nv_sale,
        sale_pass=dp.sale_pass, notes=tuple(notes), comparison_market=market,
    )


def _all_months(us: pd.DataFrame, home: pd.DataFrame) -> bool:
    """Whether every U.S. and home period is a calendar month (YYYY-MM)."""
    from tradepolicy.remedies.schemas import period_form

    return all(period_form(str(v)) == "month" for df in (us, home) for v in df["period"].unique())


def _check_period_forms(us: pd.DataFrame, home: pd.DataFrame, src: Mapping[str, str]) -> None:
    """Refuse U.S. and home periods of different forms (months vs quarters): nothing would match."""
    from tradepolicy.remedies.schemas import PERIOD_FORMS, period_form

    if pd.api.types.is_integer_dtype(us["period"]) or pd.api.types.is_integer_dtype(home["period"]):
        return
    fu = period_form(str(us["period"].iloc[0]))
    fh = period_form(str(home["period"].iloc[0]))
    if fu != fh and {fu, fh} <= {"month", "quarter"}:
        raise InputError(
            f"The U.S. periods are {fu}s ({us['period'].iloc[0]!r}) and the home-market periods {fh}s "
            f"({home['period'].iloc[0]!r}): no sale could be compared within its period.",
            where=where(src["home"], 0), field="period", expected=f"the same form in both files: {PERIOD_FORMS}",
            example=str(us["period"].iloc[0]),
        )
