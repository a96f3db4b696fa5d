"""Tariff formulas applied by product and by partner.

The four negotiating formulas of WITS SMART (new rate, cap, linear cut, Swiss) and an
additive duty (``increase``, e.g. a Section 301 or anti-dumping duty stacked on the
applied rate). Rates are decimals (0.25 = 25%).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tradepolicy.errors import InputError
from tradepolicy.literals import check_literal, options_of

TariffFormula = Literal["new_rate", "cap", "linear_cut", "swiss", "increase"]


@dataclass(frozen=True, slots=True)
class TariffChange:
    """One tariff change: a formula with its parameter, for some partners and products.

    Attributes
    ----------
    formula
        ``new_rate`` (t1 = value), ``cap`` (t1 = min(t0, value)), ``linear_cut``
        (t1 = t0 (1 - value)), ``swiss`` (t1 = a t0 / (a + t0), a = value) or ``increase``
        (t1 = t0 + value).
    value
        The formula's parameter, a decimal (0.25 = 25%; for ``linear_cut`` the share cut).
    partners
        ISO3 codes of the exporting partners it applies to; ``None`` means every partner.
    products
        Product codes (HS6) it applies to; ``None`` means every product.
    """

    formula: TariffFormula
    value: float
    partners: tuple[str, ...] | None = None
    products: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        check_literal(self.formula, options_of(TariffFormula), name="formula")
        v = float(self.value)
        if not np.isfinite(v):
            raise InputError(f"Tariff formula value must be finite. Got {self.value!r}.",
                             field="value", expected="a decimal", example="0.25")
        if self.formula in ("new_rate", "cap") and v < 0:
            raise InputError(f"A {self.formula} rate must be >= 0. Got {v}.", field="value",
                             expected="a decimal rate >= 0", example="0.05")
        if self.formula == "linear_cut" and not 0 <= v <= 1:
            raise InputError(f"A linear cut is a share between 0 and 1. Got {v}.", field="value",
                             expected="0 <= value <= 1", example="0.5")
        if self.formula == "swiss" and v <= 0:
            raise InputError(f"The Swiss coefficient must be > 0. Got {v}.", field="value",
                             expected="a decimal > 0", example="0.25")


def apply_formula(t0: ArrayLike, formula: TariffFormula, value: float) -> NDArray[np.float64]:
    """Return the new ad valorem rates after one formula (element-wise).

    Examples
    --------
    >>> apply_formula([0.10, 0.40], "swiss", 0.25).round(4).tolist()
    [0.0714, 0.1538]
    >>> apply_formula([0.10, 0.40], "cap", 0.2).tolist()
    [0.1, 0.2]
    """
    t = np.asarray(t0, dtype=float)
    check_literal(formula, options_of(TariffFormula), name="formula")
    if formula == "new_rate":
        return np.full_like(t, value)
    if formula == "cap":
        return np.minimum(t, value)
    if formula == "linear_cut":
        return t * (1.0 - value)
    if formula == "swiss":
        return value * t / (value + t)
    return t + value


def apply_changes(
    t0: ArrayLike,
    *,
    products: Sequence[str],
    partners: Sequence[str],
    changes: Sequence[TariffChange],
) -> NDArray[np.float64]:
    """Apply changes, in order, to a products x partners matrix of rates.

    Parameters
    ----------
    t0
        Base ad valorem rates, shape (P products, K partners), decimals.
    products, partners
        Labels of the rows (HS6) and columns (ISO3).
    changes
        The changes; each applies to the cells selected by its ``products`` and ``partners``.

    Returns
    -------
    numpy.ndarray
        New rates, shape (P, K).
    """
    t = np.array(t0, dtype=float, copy=True)
    if t.shape != (len(products), len(partners)):
        raise InputError(f"Rates have shape {t.shape}; expected ({len(products)}, {len(partners)}).",
                         field="t0", expected="products x partners", example="(1, 20)")
    prod = np.asarray(products, dtype=object)
    part = np.asarray(partners, dtype=object)
    for ch in changes:
        rows = np.ones(len(prod), bool) if ch.products is None else np.isin(prod, ch.products)
        cols = np.ones(len(part), bool) if ch.partners is None else np.isin(part, ch.partners)
        mask = rows[:, None] & cols[None, :]
        t = np.where(mask, apply_formula(t, ch.formula, ch.value), t)
    return t
