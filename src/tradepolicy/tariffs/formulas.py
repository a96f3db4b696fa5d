"""Negotiation offers: tariff-cutting formulas, staging schedules and checks.

Rates are decimals (0.068 = 6.8%). The Swiss formula (WTO, Tokyo Round; Doha NAMA texts)
is ``t1 = a * t0 / (a + t0)`` with the coefficient ``a`` in the same unit as the rates
(a = 0.08 caps every rate below 8%).

>>> round(float(swiss(np.array([0.10]), 0.08)[0]), 6)
0.044444
>>> [round(r, 4) for _, r in staging_path(0.10, 0.0, 2026, "equal", years=4)]
[0.1, 0.075, 0.05, 0.025, 0.0]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from tradepolicy.errors import ConvergenceError, InputError

F = npt.NDArray[np.float64]
FormulaKind = Literal["new_rate", "cap", "linear_cut", "swiss"]
StagingKind = Literal["immediate", "equal", "custom"]
FORMULAS: tuple[str, ...] = ("new_rate", "cap", "linear_cut", "swiss")
STAGINGS: tuple[str, ...] = ("immediate", "equal", "custom")


@dataclass(frozen=True, slots=True)
class FormulaResult:
    """Rates before and after a formula (decimals) and the coefficient used.

    ``coefficient`` is the Swiss ``a`` (given or solved), the cut share, the cap or the new
    rate; ``solved`` says whether it was solved for ``target_average``.
    """

    kind: str
    before: F
    after: F
    coefficient: float
    solved: bool
    average_before: float
    average_after: float


def swiss(t0: F, a: float) -> F:
    """Return ``a * t0 / (a + t0)`` (Swiss formula)."""
    return a * t0 / (a + t0)


def _average(r: F, weights: F | None) -> float:
    if weights is None:
        return float(np.mean(r)) if len(r) else float("nan")
    return float(np.sum(r * weights) / np.sum(weights))


def solve_swiss(t0: F, target_average: float, weights: F | None = None) -> float:
    """Return the Swiss coefficient whose (weighted) average of new rates is ``target_average``.

    Raises ``ConvergenceError`` when the target is not reachable (it must lie strictly
    between 0 and the current average).
    """
    current = _average(t0, weights)
    if not 0.0 < target_average < current:
        raise ConvergenceError(
            f"Target average {target_average:.4f} is not reachable by a Swiss formula from "
            f"an average of {current:.4f}.", field="target_average",
            expected=f"a decimal strictly between 0 and {current:.4f}", example=f"{current / 2:.4f}",
            details={"current_average": current},
        )

    def gap(a: float) -> float:
        return _average(swiss(t0, a), weights) - target_average

    return float(brentq(gap, 1e-9, 1e6, xtol=1e-12))


def apply_formula(
    kind: str, t0: F, *, value: float | None = None, target_average: float | None = None,
    weights: F | None = None,
) -> FormulaResult:
    """Apply one formula to base rates ``t0`` (decimals).

    ``value``: the new rate (``new_rate``), the cap (``cap``), the cut share
    (``linear_cut``, 0.5 = halve) or the Swiss coefficient; for ``swiss`` give ``value`` or
    ``target_average``.
    """
    if kind not in FORMULAS:
        raise InputError(f"Unknown formula {kind!r}.", field="formula",
                         expected=" | ".join(FORMULAS), example="swiss")
    solved = False
    if kind == "swiss" and value is None:
        if target_average is None:
            raise InputError("A Swiss formula needs a coefficient or a target average.",
                             field="coefficient", expected="coefficient: 0.08 or target_average: 0.03",
                             example="coefficient: 0.08")
        value, solved = solve_swiss(t0, target_average, weights), True
    if value is None:
        raise InputError(f"Formula {kind!r} needs a value.", field="value",
                         expected="a decimal", example="0.5")
    if kind == "new_rate":
        after = np.full_like(t0, value)
    elif kind == "cap":
        after = np.minimum(t0, value)
    elif kind == "linear_cut":
        if not 0.0 <= value <= 1.0:
            raise InputError(f"Linear cut {value} is not a share.", field="cut",
                             expected="a decimal in [0, 1]", example="0.5")
        after = t0 * (1.0 - value)
    else:
        after = swiss(t0, value)
    return FormulaResult(kind, t0, after, float(value), solved, _average(t0, weights),
                         _average(after, weights))


def staging_path(
    base: float, final: float, start_year: int, kind: str, *, years: int = 1,
    custom: Sequence[float] | None = None,
) -> list[tuple[int, float]]:
    """Return ``[(year, rate), ...]`` from the base year to the final rate.

    ``immediate``: the final rate in ``start_year``. ``equal``: ``years`` equal annual cuts,
    the first in ``start_year + 1`` (the path starts at the base rate in ``start_year``).
    ``custom``: shares of the total cut reached in each year from ``start_year`` on
    (non-decreasing, ending at 1).
    """
    if kind == "immediate":
        return [(start_year, final)]
    if kind == "equal":
        if years < 1:
            raise InputError(f"Staging over {years} years.", field="years", expected="an integer >= 1",
                             example="5")
        return [(start_year + k, base + (final - base) * k / years) for k in range(years + 1)]
    if kind == "custom":
        shares = list(custom or [])
        if not shares or abs(shares[-1] - 1.0) > 1e-9 or any(b < a for a, b in itertools.pairwise(shares)):
            raise InputError("Custom staging shares must be non-decreasing and end at 1.",
                             field="custom", expected="a list of shares of the cut, e.g. [0.2, 0.5, 1.0]",
                             example="[0.2, 0.5, 1.0]")
        return [(start_year + k, base + (final - base) * s) for k, s in enumerate(shares)]
    raise InputError(f"Unknown staging {kind!r}.", field="staging", expected=" | ".join(STAGINGS),
                     example="equal")


def rate_in_year(path: Sequence[tuple[int, float]], year: int, base: float) -> float:
    """Return the rate a staging path gives in ``year`` (the base before it starts)."""
    rate = base
    for y, r in path:
        if y <= year:
            rate = r
    return rate


@dataclass(frozen=True, slots=True)
class StagingCheck:
    """Comparison of a staging path with reference rates for one year.

    ``n_lines``: lines compared; ``n_match``: within ``tolerance`` (decimal rate points);
    ``mean_abs_diff``: mean |path - reference|.
    """

    year: int
    n_lines: int
    n_match: int
    tolerance: float
    mean_abs_diff: float

    @property
    def share_match(self) -> float:
        """Share of lines within tolerance."""
        return self.n_match / self.n_lines if self.n_lines else float("nan")


def check_staging(path_rates: F, reference: F, year: int, *, tolerance: float = 5e-4) -> StagingCheck:
    """Compare rates a staging path gives in ``year`` with reference rates (NaN skipped)."""
    ok = ~np.isnan(path_rates) & ~np.isnan(reference)
    diff = np.abs(path_rates[ok] - reference[ok])
    return StagingCheck(year, int(ok.sum()), int((diff <= tolerance).sum()), tolerance,
                        float(diff.mean()) if len(diff) else float("nan"))
