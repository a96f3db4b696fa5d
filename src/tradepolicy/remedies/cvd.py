"""Countervailing-duty benefits and rates (19 CFR 351 subpart E; fact sheet §4.6, E8).

Grants: the 0.5 % expensing test (351.524(b)(2)) and allocation over the AUL with
discounting (351.524(d)(1))::

    A_k = y/n + [y - (y/n)(k - 1)] * d / (1 + d)

Loans: benefit = principal x (benchmark rate - rate paid) per year (351.505(a)).
Programme rate = benefit in the period / sales denominator (351.525(a)). The total is the
sum of programme rates; it is de minimis if strictly below the threshold (statute: "less
than 1 %", 2 % for USTR-designated developing countries, 0.5 % in reviews).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tradepolicy.errors import InputError
from tradepolicy.remedies.normal_value import DECIMALS
from tradepolicy.remedies.parameters import CVDParameters


def expensed(amount: float, sales_in_approval_year: float, *, threshold: float) -> bool:
    """Return whether a non-recurring benefit is expensed (amount / sales ``<`` threshold).

    >>> expensed(1_000_000, 50_000_000, threshold=0.005)
    False
    """
    if sales_in_approval_year <= 0:
        raise InputError("Sales in the approval year must be > 0.", field="sales_in_approval_year",
                         expected="a number > 0", example="50000000")
    return bool(round(amount / sales_in_approval_year, DECIMALS) < threshold)


def grant_allocation(y: float, n: int, d: float) -> np.ndarray:
    """Return the allocation ``A_k`` for k = 1..n (currency per year).

    >>> round(float(grant_allocation(1_000_000, 10, 0.08)[0]), 2)
    174074.07
    """
    if n < 1:
        raise InputError("The AUL must be at least 1 year.", field="aul_years", expected="an integer >= 1",
                         example="10")
    if d <= -1:
        raise InputError("The discount rate must be > -1.", field="discount_rate", expected="a decimal",
                         example="0.08")
    k = np.arange(1, n + 1, dtype=np.float64)
    return y / n + (y - (y / n) * (k - 1)) * d / (1 + d)


ATTRIBUTIONS = ("total", "export")


@dataclass(frozen=True, slots=True)
class Grant:
    """A grant: amount (currency), year received and approved, sales in the approval year.

    ``attribution`` is ``total`` (domestic subsidy: total sales) or ``export`` (export
    subsidy: export sales), 351.525(b).
    """

    name: str
    amount: float
    year_received: int
    sales_in_approval_year: float
    aul_years: int
    discount_rate: float
    attribution: str = "total"


@dataclass(frozen=True, slots=True)
class Loan:
    """A government loan outstanding in the period: principal, rate paid, benchmark rate."""

    name: str
    principal: float
    rate_paid: float
    benchmark_rate: float
    attribution: str = "total"


@dataclass(frozen=True, slots=True)
class ProgrammeRate:
    """Benefit and ad valorem rate of one programme in the period of investigation/review.

    Attributes
    ----------
    name, kind
        Programme name; ``grant`` or ``loan``.
    treatment
        ``expensed`` | ``allocated`` (grants) or ``interest differential`` (loans).
    benefit
        Benefit attributable to the period (currency).
    denominator
        Sales value the benefit is attributed to (currency).
    rate
        benefit / denominator (decimal).
    """

    name: str
    kind: str
    treatment: str
    benefit: float
    denominator: float
    rate: float


def grant_benefit(g: Grant, *, period_year: int, threshold: float) -> tuple[float, str]:
    """Return the grant's benefit in ``period_year`` and its treatment."""
    if expensed(g.amount, g.sales_in_approval_year, threshold=threshold):
        return (g.amount if period_year == g.year_received else 0.0), "expensed"
    k = period_year - g.year_received + 1
    if k < 1 or k > g.aul_years:
        return 0.0, "allocated"
    return float(grant_allocation(g.amount, g.aul_years, g.discount_rate)[k - 1]), "allocated"


def loan_benefit(loan: Loan) -> float:
    """Return the annual benefit of a loan: principal x (benchmark - rate paid), floored at 0.

    >>> loan_benefit(Loan("L", 5_000_000, 0.02, 0.065))
    225000.0
    """
    return max(0.0, loan.principal * (loan.benchmark_rate - loan.rate_paid))


@dataclass(frozen=True, slots=True)
class CVDResult:
    """Programme rates, total rate and the de minimis test.

    Attributes
    ----------
    programmes
        One :class:`ProgrammeRate` per programme.
    total_rate
        Sum of programme rates (decimal).
    de_minimis
        Threshold used (decimal) and ``is_de_minimis`` = total ``<`` threshold.
    """

    programmes: tuple[ProgrammeRate, ...]
    total_rate: float
    de_minimis: float
    de_minimis_basis: str
    is_de_minimis: bool

    def summary(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "programmes": [asdict(p) for p in self.programmes],
            "total_rate": self.total_rate, "de_minimis": self.de_minimis,
            "de_minimis_basis": self.de_minimis_basis, "is_de_minimis": self.is_de_minimis,
        }


def cvd_de_minimis(*, segment: str, developing: bool, params: CVDParameters) -> tuple[float, str]:
    """Return the CVD de minimis threshold and its basis for a segment and country status."""
    if segment == "review":
        return params.de_minimis_review, "review (351.106(c))"
    if developing:
        return params.de_minimis_developing, "investigation, USTR-designated developing country (1671b(b)(4)(B))"
    return params.de_minimis_investigation, "investigation (1671b(b)(4)(A))"


def cvd_rate(
    grants: Sequence[Grant],
    loans: Sequence[Loan],
    *,
    period_year: int,
    sales_denominator: float,
    segment: str,
    developing: bool,
    params: CVDParameters,
    export_sales: float | None = None,
) -> CVDResult:
    """Compute every programme's rate in ``period_year`` and the total.

    ``sales_denominator`` is the company's total sales in the period (currency), the
    denominator of domestic subsidies; ``export_sales`` that of export subsidies (a
    programme with ``attribution="export"`` needs it).
    """
    if sales_denominator <= 0:
        raise InputError("The sales denominator must be > 0.", field="sales_denominator",
                         expected="a number > 0", example="40000000")

    def denominator(name: str, attribution: str) -> float:
        if attribution not in ATTRIBUTIONS:
            raise InputError(f"Unknown attribution {attribution!r} of programme {name!r}.",
                             field="attribution", expected="total | export", example="total")
        if attribution == "total":
            return sales_denominator
        if export_sales is None or export_sales <= 0:
            raise InputError(f"Programme {name!r} is an export subsidy but export sales are not given.",
                             field="export_sales", expected="export sales > 0", example="12000000")
        return export_sales

    progs: list[ProgrammeRate] = []
    for g in grants:
        b, how = grant_benefit(g, period_year=period_year, threshold=params.expensing_threshold)
        den = denominator(g.name, g.attribution)
        progs.append(ProgrammeRate(g.name, "grant", how, b, den, b / den))
    for ln in loans:
        b = loan_benefit(ln)
        den = denominator(ln.name, ln.attribution)
        progs.append(ProgrammeRate(ln.name, "loan", "interest differential", b, den, b / den))
    total = float(sum(p.rate for p in progs))
    dm, basis = cvd_de_minimis(segment=segment, developing=developing, params=params)
    return CVDResult(tuple(progs), total, dm, basis, bool(round(total, DECIMALS) < dm))
