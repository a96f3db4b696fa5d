"""Normal value: arm's-length test, sales-below-cost test, viability and the NV per CONNUM.

All functions work on integer-coded arrays (CONNUM codes ``0..n_connum-1``) so that
ten million sales go through in a few vectorised passes. References: fact sheet §4.3
(19 U.S.C. 1677b(a)-(b); 19 CFR 351.403(c), 351.404(b), 351.406) and Commerce's generic
program ``me-macros.sas`` (HM3-J arm's length, HM5-B cost test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Comparisons with a statutory threshold are made on values rounded to this many decimals,
# so that float noise (e.g. 0.19999999999999998) cannot move a sale across a boundary.
DECIMALS = 12


def wsum(codes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Return the per-code sum of ``weights`` (length ``n``)."""
    return np.bincount(codes, weights=weights, minlength=n)


def wmean(codes: np.ndarray, q: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """Return the quantity-weighted mean of ``x`` per code (NaN where the quantity is 0)."""
    sq = wsum(codes, q, n)
    sqx = wsum(codes, q * x, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sq > 0, sqx / np.where(sq > 0, sq, 1.0), np.nan)


@dataclass(frozen=True, slots=True)
class ArmsLengthResult:
    """Outcome of the arm's-length test.

    Attributes
    ----------
    keep
        Bool per home sale: the sale survives the test (all unaffiliated sales do).
    failed, untestable
        Bool per home sale: excluded because its affiliated customer failed the band,
        or because that customer had no sale with an unaffiliated comparison.
    customer_codes, customer_ratio, customer_pass
        Per affiliated customer code: quantity-weighted ratio of its net price to the
        unaffiliated weighted-average net price of the same CONNUM (decimal, 1.0 = 100 %;
        NaN if untestable) and whether it lies in the inclusive band.
    """

    keep: np.ndarray
    failed: np.ndarray
    untestable: np.ndarray
    customer_codes: np.ndarray
    customer_ratio: np.ndarray
    customer_pass: np.ndarray


def arms_length_test(
    connum: np.ndarray,
    q: np.ndarray,
    p: np.ndarray,
    affiliated: np.ndarray,
    customer: np.ndarray,
    *,
    n_connum: int,
    n_customer: int,
    low: float,
    high: float,
) -> ArmsLengthResult:
    """Test affiliated customers' prices against unaffiliated prices (98-102 % inclusive).

    ``CUSRATIO = sum(q * p / P_unaff[connum]) / sum(q)`` over the customer's sales whose
    CONNUM has unaffiliated sales; the customer passes if ``low <= CUSRATIO <= high``
    (me-macros.sas HM3-J ``IF 98 LE CUSRATIO LE 102``). Every sale of a failing customer
    is excluded; a customer with no comparable sale cannot be tested and is excluded.
    """
    unaff = ~affiliated
    p_unaff = wmean(connum[unaff], q[unaff], p[unaff], n_connum)
    ref = p_unaff[connum]
    testable = affiliated & np.isfinite(ref)
    ratio_w = np.where(testable, q * p / np.where(testable, ref, 1.0), 0.0)
    q_t = np.where(testable, q, 0.0)
    num = np.bincount(customer, weights=ratio_w, minlength=n_customer)
    den = np.bincount(customer, weights=q_t, minlength=n_customer)
    aff_customers = np.unique(customer[affiliated])
    with np.errstate(invalid="ignore", divide="ignore"):
        cus_ratio = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    r = np.round(cus_ratio, DECIMALS)
    cus_pass = np.isfinite(r) & (r >= low) & (r <= high)
    cus_untestable = ~np.isfinite(cus_ratio)
    failed = affiliated & ~cus_pass[customer] & ~cus_untestable[customer]
    untest = affiliated & cus_untestable[customer]
    return ArmsLengthResult(
        keep=~(failed | untest),
        failed=failed,
        untestable=untest,
        customer_codes=aff_customers,
        customer_ratio=cus_ratio[aff_customers],
        customer_pass=cus_pass[aff_customers],
    )


@dataclass(frozen=True, slots=True)
class CostTestResult:
    """Outcome of the sales-below-cost test.

    Attributes
    ----------
    drop
        Bool per home sale: disregarded (below cost, substantial quantities, not recovered).
    below_share
        Per CONNUM: below-cost share of the tested quantity (decimal; NaN if no sales).
    applied
        Per CONNUM: the below-cost share reached the threshold, so below-cost sales that
        do not recover cost are dropped.
    below, recovered
        Bool per home sale: price < COP at the time of sale; price >= POI-average COP.
    """

    drop: np.ndarray
    below_share: np.ndarray
    applied: np.ndarray
    below: np.ndarray
    recovered: np.ndarray


def cost_test(
    connum: np.ndarray,
    q: np.ndarray,
    p: np.ndarray,
    cop_at_sale: np.ndarray,
    cop_poi: np.ndarray,
    tested: np.ndarray,
    *,
    n_connum: int,
    threshold: float,
) -> CostTestResult:
    """Apply the 20 % rule with cost recovery (1677b(b)(1)-(2); me-macros.sas HM5-B).

    A sale is below cost if ``p < cop_at_sale``; it recovers cost if
    ``p >= cop_poi[connum]`` (the POI weighted-average COP). Per CONNUM, the below-cost
    share is the below-cost quantity over the quantity of the ``tested`` sales; if the
    share is ``>= threshold`` (program: ``PCTQABOV LE 80``), below-cost sales that do not
    recover cost are dropped; otherwise every sale is kept.
    """
    below = tested & (p < cop_at_sale)
    recovered = p >= cop_poi[connum]
    qt = np.where(tested, q, 0.0)
    tot = wsum(connum, qt, n_connum)
    bel = wsum(connum, np.where(below, q, 0.0), n_connum)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(tot > 0, bel / np.where(tot > 0, tot, 1.0), np.nan)
    applied = np.isfinite(share) & (np.round(share, DECIMALS) >= threshold)
    drop = below & ~recovered & applied[connum]
    return CostTestResult(drop=drop, below_share=share, applied=applied, below=below, recovered=recovered)


@dataclass(frozen=True, slots=True)
class ViabilityResult:
    """Home-market viability (1677b(a)(1)(C); 19 CFR 351.404(b)(2)).

    Attributes
    ----------
    home_quantity, us_quantity
        Total quantities (units) of all home-market and all U.S. sales in the files.
    ratio
        home_quantity / us_quantity (decimal).
    threshold
        The viability share used (decimal).
    viable
        ``ratio >= threshold``.
    """

    home_quantity: float
    us_quantity: float
    ratio: float
    threshold: float
    viable: bool


def viability(home_quantity: float, us_quantity: float, *, threshold: float) -> ViabilityResult:
    """Return whether the home market is viable (quantity share ``>=`` threshold).

    >>> viability(5.0, 100.0, threshold=0.05).viable
    True
    """
    ratio = home_quantity / us_quantity if us_quantity > 0 else float("inf")
    return ViabilityResult(home_quantity, us_quantity, ratio, threshold,
                           bool(round(ratio, DECIMALS) >= threshold))


def profit_rate(q: np.ndarray, p: np.ndarray, cop: np.ndarray, usable: np.ndarray) -> float:
    """Return the profit ratio on usable (ordinary-course) home sales, floored at 0.

    ``(sum(q p) - sum(q cop)) / sum(q cop)`` over ``usable`` sales (1677b(e)(2)(A): actual
    profit in the ordinary course of trade). Returns 0.0 when there is no usable sale.
    """
    qc = float((q * cop)[usable].sum())
    if qc <= 0:
        return 0.0
    return max(0.0, (float((q * p)[usable].sum()) - qc) / qc)
