"""Result types of gravity estimation (both backends return them).

Kept apart from the estimators so that the pyfixest backend (``ppml.py``), the dense
three-way backend (``balanced.py``) and the chooser (``estimate.py``) import them without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["SSC", "DroppedObservations", "PPMLResult"]

SSC = Literal["stata", "fixest"]


@dataclass(frozen=True)
class DroppedObservations:
    """Rows dropped before or during estimation, for one reason.

    Attributes
    ----------
    reason
        ``missing``, ``separated_fe``, ``singleton`` or ``separated_ir``.
    count
        Number of rows.
    detail
        Human-readable detail (e.g. which fixed effect).
    """

    reason: str
    count: int
    detail: str = ""


@dataclass(frozen=True, eq=False)
class PPMLResult:
    """A fitted PPML.

    Attributes
    ----------
    formula
        The pyfixest formula ``y ~ x1 + x2 | fe1 + fe2``.
    coefficients
        Estimates by regressor (log points per unit of the regressor).
    std_errors
        Standard errors by regressor.
    vcov
        (K, K) variance-covariance matrix in ``coefficients`` order.
    n_input
        Rows given.
    n_obs
        Rows used in the fit.
    dropped
        Dropped rows by reason (see module docstring).
    vcov_type
        ``CRV1 by <cluster>`` or ``hetero``.
    ssc
        Small-sample convention.
    deviance
        Poisson deviance at the optimum.
    iterations
        IRLS iterations.
    fitted
        Fitted means mu aligned to the input rows (NaN where dropped), when requested.
    linear_predictor
        eta = log mu aligned to the input rows, when requested.
    """

    formula: str
    coefficients: pd.Series
    std_errors: pd.Series
    vcov: np.ndarray
    n_input: int
    n_obs: int
    dropped: tuple[DroppedObservations, ...]
    vcov_type: str
    ssc: str
    deviance: float
    iterations: int
    fitted: np.ndarray | None = None
    linear_predictor: np.ndarray | None = None

    @property
    def n_dropped(self) -> int:
        """Total rows dropped."""
        return sum(d.count for d in self.dropped)

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table: estimate, std_error, z, p_value by regressor."""
        from scipy.stats import norm

        z = self.coefficients / self.std_errors
        return pd.DataFrame(
            {
                "estimate": self.coefficients,
                "std_error": self.std_errors,
                "z": z,
                "p_value": 2 * norm.sf(np.abs(z)),
            }
        )

    def covariance(self) -> pd.DataFrame:
        """Return the variance-covariance matrix as a labelled frame."""
        names = list(self.coefficients.index)
        return pd.DataFrame(self.vcov, index=names, columns=names)

    def summary(self) -> str:
        """Text summary with the dropped-observation report."""
        lines = [f"PPML: {self.formula}", f"N = {self.n_obs:,} of {self.n_input:,} rows; "
                 f"SE: {self.vcov_type} ({self.ssc} small-sample convention)"]
        lines += [f"  {k:<24} {v:>12.6f} ({s:.6f})"
                  for k, v, s in zip(self.coefficients.index, self.coefficients,
                                     self.std_errors, strict=True)]
        for d in self.dropped:
            if d.count:
                lines.append(f"  dropped {d.count:,} rows: {d.reason} {d.detail}".rstrip())
        return "\n".join(lines)


