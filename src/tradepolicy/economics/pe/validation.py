"""Checks shared by the partial-equilibrium engines (flows, rates, elasticities)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tradepolicy.errors import InputError


def check_flows(values: ArrayLike, *, field: str = "imports") -> NDArray[np.float64]:
    """Return flows as float64; raise on missing (NaN) or negative values."""
    a = np.asarray(values, dtype=float)
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{int(bad.sum())} missing or non-finite flow value(s), first at index {idx}.",
                         where=f"{field}[{idx}]", field=field,
                         expected="finite values >= 0 (write 0 for no trade)", example="1250.0")
    if (a < 0).any():
        idx = tuple(int(i) for i in np.argwhere(a < 0)[0])
        raise InputError(f"{int((a < 0).sum())} negative flow value(s), first {a[idx]} at index {idx}.",
                         where=f"{field}[{idx}]", field=field, expected="values >= 0", example="1250.0")
    return a


def check_rates(values: ArrayLike, *, field: str) -> NDArray[np.float64]:
    """Return ad valorem rates as float64; raise unless finite and > -1 (decimals, 0.25 = 25%)."""
    a = np.asarray(values, dtype=float)
    if (~np.isfinite(a)).any() or (a <= -1).any():
        raise InputError(f"Tariff rates in {field} must be finite decimals above -1.", field=field,
                         expected="decimal rates, 0.25 = 25%", example="0.05")
    if (a > 50).any():
        raise InputError(f"A rate in {field} is above 5000%; rates are decimals (0.25 = 25%), not percent.",
                         field=field, expected="decimal rates", example="0.25")
    return a


def check_positive(value: ArrayLike, *, field: str, allow_inf: bool = False,
                   allow_zero: bool = False, hint: str = "") -> NDArray[np.float64]:
    """Return an elasticity array; raise unless every value is > 0 (or >= 0), finite unless allowed."""
    a = np.asarray(value, dtype=float)
    ok = np.isfinite(a) | (allow_inf & np.isposinf(a))
    ok &= (a >= 0) if allow_zero else (a > 0)
    if not ok.all():
        bad = a[~ok].ravel()[0]
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{field} must be {bound}{' (or .inf)' if allow_inf else ''}. Got {bad}.{hint}",
                         field=field, expected=f"a positive magnitude {bound}", example="1.5")
    return a
