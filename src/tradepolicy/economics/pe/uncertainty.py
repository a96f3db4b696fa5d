"""Elasticity uncertainty for the PE engines: low/central/high bands and Monte Carlo draws.

A band gives three values of an elasticity. ``draw_elasticities`` samples each elasticity
from the triangular distribution on (low, central, high) with ``np.random.default_rng(seed)``,
returning arrays with a leading draw axis, so an engine evaluates every draw in one
vectorised call (``triangular`` is the draw function the one uncertainty loop,
``economics.uncertainty.monte_carlo``, takes). ``summarise_draws`` reports the mean and the 5/50/95 percentiles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tradepolicy.errors import InputError


@dataclass(frozen=True, slots=True)
class Band:
    """Low, central and high values of one elasticity (low <= central <= high)."""

    name: str
    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        if not (np.isfinite([self.low, self.central, self.high]).all()
                and self.low <= self.central <= self.high):
            raise InputError(f"Band {self.name!r} must satisfy low <= central <= high (finite).",
                             field=self.name, expected="[low, central, high]", example="[0.6, 1.2, 2.4]")

    def values(self) -> dict[str, float]:
        """Return ``{"low": .., "central": .., "high": ..}``."""
        return {"low": self.low, "central": self.central, "high": self.high}


def elasticity_bands(bands: Mapping[str, ArrayLike]) -> dict[str, Band]:
    """Parse ``{name: [low, central, high]}`` into bands, checking the order."""
    out = {}
    for name, v in bands.items():
        a = np.asarray(v, dtype=float).ravel()
        if a.size != 3:
            raise InputError(f"Band {name!r} needs three values [low, central, high]; got {a.size}.",
                             field=name, expected="[low, central, high]", example="[0.6, 1.2, 2.4]")
        out[name] = Band(name, float(a[0]), float(a[1]), float(a[2]))
    return out


def triangular(bands: Mapping[str, Band]) -> Callable[[np.random.Generator, int], dict[str, NDArray[np.float64]]]:
    """Return ``draw(rng, D)``: each elasticity from Triangular(low, central, high), in name order.

    The draw function of :func:`tradepolicy.economics.uncertainty.monte_carlo` for the PE models.
    """
    def draw(rng: np.random.Generator, draws: int) -> dict[str, NDArray[np.float64]]:
        out = {}
        for name in sorted(bands):
            b = bands[name]
            out[name] = (np.full(draws, b.central) if b.low == b.high
                         else rng.triangular(b.low, b.central, b.high, size=draws))
        return out
    return draw


def draw_elasticities(bands: Mapping[str, Band], *, draws: int, seed: int) -> dict[str, NDArray[np.float64]]:
    """Draw each elasticity from Triangular(low, central, high); arrays of shape (draws,)."""
    if not 1 <= draws <= 10_000_000:
        raise InputError(f"draws must be between 1 and 10,000,000; got {draws}.", field="draws",
                         expected="1 <= draws <= 10000000", example="1000")
    return triangular(bands)(np.random.default_rng(seed), draws)


def summarise_draws(values: ArrayLike) -> dict[str, float]:
    """Mean, standard deviation and 5/50/95 percentiles over the first axis (draws)."""
    a = np.asarray(values, dtype=float).ravel()
    p5, p50, p95 = np.percentile(a, [5, 50, 95])
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0,
            "p5": float(p5), "p50": float(p50), "p95": float(p95), "draws": int(a.size)}
