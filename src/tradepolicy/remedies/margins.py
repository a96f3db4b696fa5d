"""Comparison methods: A-A with offsets, A-T and T-T, the mixed method, de minimis.

Fact sheet §4.4 (me-macros.sas 16-E-1 and ``%DE_MINIMIS``): the per-unit result is
``UMARGIN = NV - USNETPRI`` and the sale's result ``EMARGIN = UMARGIN x USQTY``. A-A
averages within a comparison group and lets positive and negative group results offset;
A-T counts positive sale results only. The weighted-average margin is
``TOTDUMPING / TOTVAL`` (decimal here; the program prints percent).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tradepolicy.remedies.normal_value import DECIMALS


@dataclass(frozen=True, slots=True)
class MethodResult:
    """Result of one comparison method.

    Attributes
    ----------
    method
        ``A-A`` | ``A-T`` | ``T-T`` | ``mixed``.
    positive, negative
        Sum of positive and of negative comparison results (currency); ``negative`` is 0
        for methods without offsets.
    total_dumping
        Total dumping after offsets, never negative (currency).
    total_value, total_quantity
        U.S. sales value (currency) and quantity (units) the margin is computed over.
    margin
        ``total_dumping / total_value`` (decimal, 0.0238 = 2.38 %).
    per_unit
        ``total_dumping / total_quantity`` (currency per unit).
    """

    method: str
    positive: float
    negative: float
    total_dumping: float
    total_value: float
    total_quantity: float
    margin: float
    per_unit: float

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a dict."""
        return asdict(self)


def _result(method: str, pos: float, neg: float, value: float, qty: float) -> MethodResult:
    total = pos + neg if pos + neg > 0 else 0.0
    margin = total / value if value > 0 else 0.0
    per_unit = total / qty if qty > 0 else 0.0
    return MethodResult(method, pos, neg, total, value, qty, margin, per_unit)


def group_results(group: np.ndarray, q: np.ndarray, p: np.ndarray, nv: np.ndarray, n_groups: int) -> np.ndarray:
    """Return the A-A result per comparison group: ``sum(q * nv) - sum(q * p)`` (currency).

    Equal to ``(NV_avg - P_avg) x Q`` of the group with quantity-weighted averages.
    """
    return np.bincount(group, weights=q * (nv - p), minlength=n_groups)


def average_to_average(
    group: np.ndarray, q: np.ndarray, p: np.ndarray, nv: np.ndarray, *, n_groups: int,
    value: float | None = None, quantity: float | None = None,
) -> MethodResult:
    """A-A with offsets: total = positives + negatives if positive, else 0.

    ``value`` and ``quantity`` default to the totals of the sales given; the mixed method
    passes the totals of all U.S. sales.
    """
    g = group_results(group, q, p, nv, n_groups)
    pos = float(g[g > 0].sum())
    neg = float(g[g < 0].sum())
    return _result("A-A", pos, neg, float((q * p).sum()) if value is None else value,
                   float(q.sum()) if quantity is None else quantity)


def average_to_transaction(q: np.ndarray, p: np.ndarray, nv: np.ndarray, *, method: str = "A-T") -> MethodResult:
    """A-T without offsets: the sum of positive sale results ``q * (nv - p)``."""
    e = q * (nv - p)
    return _result(method, float(e[e > 0].sum()), 0.0, float((q * p).sum()), float(q.sum()))


def transaction_to_transaction(q: np.ndarray, p: np.ndarray, nv_tt: np.ndarray) -> MethodResult:
    """T-T: each U.S. sale against one home transaction, with offsets.

    Offsets follow Commerce's 2012 Final Modification (77 FR 8101) applying offsets in
    T-T comparisons (fact sheet: T-T rarely used; rule unconfirmed).
    """
    e = q * (nv_tt - p)
    return _result("T-T", float(e[e > 0].sum()), float(e[e < 0].sum()), float((q * p).sum()), float(q.sum()))


def mixed(
    group: np.ndarray, q: np.ndarray, p: np.ndarray, nv: np.ndarray, passes: np.ndarray, *, n_groups: int,
) -> MethodResult:
    """Mixed alternative: A-T on sales passing Cohen's d plus A-A (floored at 0) on the rest."""
    e = q * (nv - p)
    at_pos = float(e[passes & (e > 0)].sum())
    rest = ~passes
    g = np.bincount(group[rest], weights=e[rest], minlength=n_groups)
    aa_pos = float(g[g > 0].sum())
    aa_neg = float(g[g < 0].sum())
    aa_total = aa_pos + aa_neg if aa_pos + aa_neg > 0 else 0.0
    total = at_pos + aa_total
    value = float((q * p).sum())
    qty = float(q.sum())
    return MethodResult("mixed", at_pos + aa_pos, aa_neg, total, value, qty,
                        total / value if value > 0 else 0.0, total / qty if qty > 0 else 0.0)


def above_de_minimis(margin: float, threshold: float) -> bool:
    """Return whether a margin is above de minimis: strictly greater (program ``GT``).

    Exactly the threshold (e.g. 2.00 % in an investigation) is *not* above de minimis,
    as in me-macros.sas ``IF WTAVGPCT GT DE_MINIMIS`` (fact sheet §4.4).

    >>> above_de_minimis(0.02, 0.02)
    False
    """
    return bool(round(margin, DECIMALS) > threshold)


@dataclass(frozen=True, slots=True)
class MeaningfulDifference:
    """Outcome of the meaningful-difference test (me-macros.sas US-17).

    Attributes
    ----------
    crosses_de_minimis
        ``standard < de minimis <= alternative``.
    relative_change
        ``(alternative - standard) / standard`` (decimal), NaN if standard is 0.
    meaningful
        Crosses de minimis, or both ``>=`` de minimis and relative change ``>=`` threshold.
    """

    crosses_de_minimis: bool
    relative_change: float
    meaningful: bool


def meaningful_difference(standard: float, alternative: float, *, de_minimis: float,
                          relative_change_min: float) -> MeaningfulDifference:
    """Test whether an alternative margin differs meaningfully from the A-A margin.

    >>> meaningful_difference(0.04, 0.05, de_minimis=0.02, relative_change_min=0.25).meaningful
    True
    """
    s = round(standard, DECIMALS)
    a = round(alternative, DECIMALS)
    crosses = s < de_minimis <= a
    rel = (alternative - standard) / standard if standard > 0 else float("nan")
    big = s >= de_minimis and np.isfinite(rel) and round(rel, DECIMALS) >= relative_change_min
    return MeaningfulDifference(bool(crosses), float(rel), bool(crosses or big))
