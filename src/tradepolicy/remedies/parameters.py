"""Threshold parameters of the AD and CVD engines (values come from cited law YAML).

The dataclasses have no defaults on purpose: a statutory number is never written in
Python. The service builds them from ``tradepolicy.law.rules.rule_value`` (or the
remedies fallback YAML) and records every value with its citation in the run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ADParameters:
    r"""Anti-dumping thresholds, all as decimals (0.02 = 2 %).

    Attributes
    ----------
    de_minimis_investigation, de_minimis_review
        Weighted-average margin at or below which the margin is de minimis
        (program semantics: "above" means strictly greater, ``WTAVGPCT GT DE_MINIMIS``).
    cohens_d_threshold
        \|d\| at or above which a test group passes (``GE``), e.g. 0.8.
    min_group_obs
        Minimum number of observations in the test and in the base group, e.g. 2.
    base_qty_share_min
        Minimum base-group share of the CONNUM quantity for eligibility (``GE``), e.g. 0.05.
    ratio_lower, ratio_upper
        Ratio-test cut-offs on the value share passing Cohen's d: share <= lower means
        A-A only; lower < share < upper means consider the mixed method; share >= upper
        means consider A-T for all sales.
    relative_change_min
        Meaningful-difference relative change (``GE``), e.g. 0.25.
    below_cost_share
        Below-cost quantity share at or above which below-cost sales are disregarded
        (program: ``PCTQABOV LE 80``), e.g. 0.20.
    arms_length_low, arms_length_high
        Inclusive band of an affiliated customer's price ratio, e.g. 0.98 and 1.02.
    difmer_cap
        Maximum \|VCOM_HM - VCOM_US\| / TCOM_US for a similar match (``LE``), e.g. 0.20.
    viability_share
        Home-market quantity as a share of U.S. quantity at or above which the home
        market is viable (``GE``), e.g. 0.05.
    review_averaging_months
        In a review, the period over which normal value is averaged: 1 = calendar month
        (rule ``adcvd.ar.nv_averaging_months``), 0 = the whole period of review.
    """

    de_minimis_investigation: float
    de_minimis_review: float
    cohens_d_threshold: float
    min_group_obs: int
    base_qty_share_min: float
    ratio_lower: float
    ratio_upper: float
    relative_change_min: float
    below_cost_share: float
    arms_length_low: float
    arms_length_high: float
    difmer_cap: float
    viability_share: float
    review_averaging_months: float = 0.0

    def de_minimis(self, segment: str) -> float:
        """Return the de minimis rate of a segment (``investigation`` or ``review``)."""
        return self.de_minimis_investigation if segment == "investigation" else self.de_minimis_review

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a plain dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CVDParameters:
    """Countervailing-duty thresholds, all as decimals.

    Attributes
    ----------
    expensing_threshold
        A non-recurring benefit is expensed if amount / sales in the approval year is
        strictly below this share (351.524(b)(2)), e.g. 0.005.
    de_minimis_investigation, de_minimis_developing, de_minimis_review
        A total rate strictly below the threshold is de minimis (statutory "less than").
    negligibility_individual, negligibility_aggregate
        Import-share thresholds (individual ``<``, aggregate ``>``), e.g. 0.03 and 0.07.
    negligibility_individual_developing, negligibility_aggregate_developing
        The CVD developing-country thresholds, e.g. 0.04 and 0.09.
    """

    expensing_threshold: float
    de_minimis_investigation: float
    de_minimis_developing: float
    de_minimis_review: float
    negligibility_individual: float
    negligibility_aggregate: float
    negligibility_individual_developing: float
    negligibility_aggregate_developing: float

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a plain dict."""
        return asdict(self)
