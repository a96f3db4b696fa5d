"""Differential pricing analysis: Cohen's d by purchaser, region and period; the ratio test.

Fact sheet §4.5 (me-macros.sas US-13): within each CONNUM, each test group (one
customer, region or period) is compared with the base group of all other sales of that
CONNUM. Means and standard deviations are quantity-weighted with divisor ``sum(q)``
(SAS ``VARDEF=WEIGHT``)::

    d = (mean_base - mean_test) / sqrt((sd_base**2 + sd_test**2) / 2)

A group is eligible if test and base each have at least ``min_group_obs`` sales and the
base quantity is at least ``base_qty_share_min`` of the CONNUM quantity; an eligible
group passes if ``|d| >= cohens_d_threshold``, or if the pooled sd is 0 and the means
differ. A sale passes if its group passes on any dimension.

Numerics: prices are centred on their CONNUM mean before the sums of squares are taken,
so the one-pass variance does not cancel catastrophically; a variance below 1e-14 of the
squared CONNUM mean price counts as 0 and a mean difference below 1e-9 of it as none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.remedies.normal_value import DECIMALS, wsum
from tradepolicy.remedies.parameters import ADParameters

INELIGIBLE_TEST_OBS = "test group has too few sales"
INELIGIBLE_BASE_OBS = "base group has too few sales"
INELIGIBLE_BASE_SHARE = "base quantity below the minimum share of the CONNUM"


@dataclass(frozen=True, slots=True)
class DimensionResult:
    """Cohen's d results of one dimension (purchaser, region or period).

    Attributes
    ----------
    dimension
        Column name of the dimension.
    groups
        One row per (CONNUM code, dimension code): ``connum_code``, ``group_code``,
        ``n_test``, ``qty_test``, ``mean_test``, ``sd_test``, ``n_base``, ``qty_base``,
        ``mean_base``, ``sd_base``, ``base_share`` (decimal), ``eligible``,
        ``ineligible_reason``, ``d`` (±inf if pooled sd 0 and means differ), ``passes``.
    sale_pass
        Bool per U.S. sale: its group passes on this dimension.
    value_share_passing
        Value of U.S. sales passing on this dimension / total value (decimal).
    """

    dimension: str
    groups: pd.DataFrame
    sale_pass: np.ndarray
    value_share_passing: float

    def summary(self) -> dict[str, Any]:
        """Return counts of groups, eligible groups and passing groups, and the value share."""
        g = self.groups
        return {
            "dimension": self.dimension,
            "groups": len(g),
            "eligible": int(g["eligible"].sum()),
            "passing": int(g["passes"].sum()),
            "sales_passing": int(self.sale_pass.sum()),
            "value_share_passing": self.value_share_passing,
        }


@dataclass(frozen=True, slots=True)
class DifferentialPricingResult:
    """Cohen's d on every dimension and the ratio test.

    Attributes
    ----------
    dimensions
        One :class:`DimensionResult` per dimension.
    sale_pass
        Bool per U.S. sale: passes on any dimension.
    value_share_passing
        Value share of U.S. sales passing (decimal; ``PERCENT_VALUE_PASSING`` / 100).
    ratio_outcome
        ``a_a_only`` (share <= lower), ``consider_mixed`` (lower < share < upper) or
        ``consider_a_t`` (share >= upper).
    """

    dimensions: tuple[DimensionResult, ...]
    sale_pass: np.ndarray
    value_share_passing: float
    ratio_outcome: str
    notes: tuple[str, ...] = field(default=())


def _sd(var: np.ndarray) -> np.ndarray:
    return np.sqrt(np.clip(var, 0.0, None))


def cohens_d_dimension(
    connum: np.ndarray,
    q: np.ndarray,
    xc: np.ndarray,
    dim: np.ndarray,
    *,
    n_connum: int,
    scale: np.ndarray,
    params: ADParameters,
    name: str,
    value: np.ndarray,
    center: np.ndarray | None = None,
) -> DimensionResult:
    """Compute Cohen's d of every (CONNUM, group) of one dimension.

    ``xc`` is the price centred on its CONNUM weighted mean; ``scale`` the absolute CONNUM
    mean price (for the zero tolerances); ``dim`` integer codes of the dimension;
    ``center`` the CONNUM means added back to the reported group means.
    """
    n_dim = int(dim.max()) + 1 if dim.size else 1
    key = connum.astype(np.int64) * n_dim + dim
    if n_connum * n_dim <= 4 * len(connum) + 1024:
        inv = key
        n_keys = n_connum * n_dim
        present = np.bincount(inv, minlength=n_keys) > 0
        ids = np.flatnonzero(present)
        remap = np.full(n_keys, -1, dtype=np.int64)
        remap[ids] = np.arange(len(ids))
        gid = remap[inv]
        gkey = ids
    else:
        gid_raw, uniq = pd.factorize(key, sort=False)
        gid = np.asarray(gid_raw, dtype=np.int64)
        gkey = np.asarray(uniq, dtype=np.int64)
    ng = len(gkey)
    g_conn = gkey // n_dim
    g_dim = gkey % n_dim
    n_t = np.bincount(gid, minlength=ng).astype(np.int64)
    q_t = wsum(gid, q, ng)
    sx_t = wsum(gid, q * xc, ng)
    sxx_t = wsum(gid, q * xc * xc, ng)
    n_c = np.bincount(connum, minlength=n_connum).astype(np.int64)
    q_c = wsum(connum, q, n_connum)
    sx_c = wsum(connum, q * xc, n_connum)
    sxx_c = wsum(connum, q * xc * xc, n_connum)
    n_b = n_c[g_conn] - n_t
    q_b = q_c[g_conn] - q_t
    sx_b = sx_c[g_conn] - sx_t
    sxx_b = sxx_c[g_conn] - sxx_t
    with np.errstate(invalid="ignore", divide="ignore"):
        m_t = sx_t / q_t
        v_t = sxx_t / q_t - m_t * m_t
        ok_b = q_b > 0
        m_b = np.where(ok_b, sx_b / np.where(ok_b, q_b, 1.0), np.nan)
        v_b = np.where(ok_b, sxx_b / np.where(ok_b, q_b, 1.0) - m_b * m_b, np.nan)
        share = q_b / q_c[g_conn]
    s2 = np.maximum(scale[g_conn], 1.0) ** 2
    v_t = np.where(v_t <= 1e-14 * s2, 0.0, v_t)
    v_b = np.where(v_b <= 1e-14 * s2, 0.0, v_b)
    diff = m_b - m_t
    diff = np.where(np.abs(diff) <= 1e-9 * np.sqrt(s2), 0.0, diff)
    pooled = np.sqrt((v_t + v_b) / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(pooled > 0, diff / np.where(pooled > 0, pooled, 1.0),
                     np.where(diff != 0, np.sign(diff) * np.inf, np.nan))
    min_obs = params.min_group_obs
    elig_t = n_t >= min_obs
    elig_b = n_b >= min_obs
    elig_s = np.round(np.nan_to_num(share, nan=0.0), DECIMALS) >= params.base_qty_share_min
    eligible = elig_t & elig_b & elig_s
    absd = np.abs(d)
    big = np.isinf(absd) | (np.round(np.where(np.isfinite(absd), absd, 0.0), DECIMALS)
                            >= params.cohens_d_threshold)
    passes = eligible & ~np.isnan(d) & big
    back = center[g_conn] if center is not None else 0.0
    reason = np.where(~elig_t, INELIGIBLE_TEST_OBS,
                      np.where(~elig_b, INELIGIBLE_BASE_OBS, np.where(~elig_s, INELIGIBLE_BASE_SHARE, "")))
    groups = pd.DataFrame({
        "connum_code": g_conn, "group_code": g_dim, "n_test": n_t, "qty_test": q_t,
        "mean_test": m_t + back, "sd_test": _sd(v_t), "n_base": n_b, "qty_base": q_b, "mean_base": m_b + back,
        "sd_base": _sd(v_b), "base_share": share, "eligible": eligible, "ineligible_reason": reason,
        "d": d, "passes": passes,
    })
    sale_pass = passes[gid]
    tot = float(value.sum())
    return DimensionResult(name, groups, sale_pass, float(value[sale_pass].sum()) / tot if tot > 0 else 0.0)


def ratio_outcome(share: float, *, lower: float, upper: float) -> str:
    """Return the ratio-test outcome of a value share passing Cohen's d.

    ``<= lower``: ``a_a_only``; ``lower < share < upper``: ``consider_mixed``;
    ``>= upper``: ``consider_a_t``.

    >>> ratio_outcome(0.517, lower=0.33, upper=0.66)
    'consider_mixed'
    """
    s = round(share, DECIMALS)
    if s >= upper:
        return "consider_a_t"
    if s > lower:
        return "consider_mixed"
    return "a_a_only"


def differential_pricing(
    connum: np.ndarray,
    q: np.ndarray,
    p: np.ndarray,
    dims: Mapping[str, np.ndarray],
    *,
    n_connum: int,
    params: ADParameters,
) -> DifferentialPricingResult:
    """Run Cohen's d on each dimension in ``dims`` and the ratio test.

    Parameters
    ----------
    connum
        CONNUM code per U.S. sale (0..n_connum-1).
    q, p
        Quantity (units) and net price (currency per unit) per U.S. sale.
    dims
        Dimension name -> integer code per U.S. sale (e.g. customer, region, period).
    """
    sq = wsum(connum, q, n_connum)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = wsum(connum, q * p, n_connum) / sq
    mean_c = np.nan_to_num(mean_c)
    xc = p - mean_c[connum]
    value = q * p
    results = tuple(
        cohens_d_dimension(connum, q, xc, codes, n_connum=n_connum, scale=np.abs(mean_c),
                           params=params, name=name, value=value, center=mean_c)
        for name, codes in dims.items()
    )
    sale_pass = np.zeros(len(q), dtype=bool)
    for r in results:
        sale_pass |= r.sale_pass
    tot = float(value.sum())
    share = float(value[sale_pass].sum()) / tot if tot > 0 else 0.0
    return DifferentialPricingResult(results, sale_pass, share,
                                     ratio_outcome(share, lower=params.ratio_lower, upper=params.ratio_upper))
