"""Negligibility of subject imports (19 U.S.C. 1677(24); fact sheet §4.3).

A subject country is negligible if its imports are strictly below the individual share of
total imports of the product, unless the individually negligible countries together
exceed the aggregate share. In CVD cases a USTR-designated developing country uses the
higher developing-country thresholds; the aggregate test is applied within each class
(standard countries against the standard aggregate, developing countries against the
developing aggregate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradepolicy.errors import InputError
from tradepolicy.remedies.normal_value import DECIMALS
from tradepolicy.remedies.parameters import CVDParameters


@dataclass(frozen=True, slots=True)
class NegligibilityResult:
    """Per subject country: share (decimal), thresholds, individually negligible, negligible.

    Attributes
    ----------
    rows
        ``[{country, imports, share, developing, individual_threshold, individually_negligible,
        aggregate_share, aggregate_threshold, negligible}]``.
    total_imports
        Total imports of the product from all sources (same unit as the inputs).
    """

    rows: list[dict[str, Any]]
    total_imports: float

    def summary(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"total_imports": self.total_imports, "countries": self.rows}


def negligibility(
    imports: Mapping[str, float],
    subject: Mapping[str, bool],
    *,
    case: str,
    params: CVDParameters,
) -> NegligibilityResult:
    """Test each subject country's import share.

    Parameters
    ----------
    imports
        Imports of the product by source country (all sources; value or quantity).
    subject
        Subject country -> USTR-designated developing country (only used if ``case`` is
        ``cvd``).
    case
        ``ad`` or ``cvd``.
    """
    if case not in ("ad", "cvd"):
        raise InputError(f"Unknown case type {case!r}.", field="case", expected="ad | cvd", example="cvd")
    total = float(sum(imports.values()))
    if total <= 0:
        raise InputError("Total imports must be > 0.", field="imports", expected="positive imports",
                         example="IND: 2030000")
    rows: list[dict[str, Any]] = []
    for c, dev in subject.items():
        developing = bool(dev) and case == "cvd"
        share = float(imports.get(c, 0.0)) / total
        thr = params.negligibility_individual_developing if developing else params.negligibility_individual
        rows.append({"country": c, "imports": float(imports.get(c, 0.0)), "share": share,
                     "developing": developing, "individual_threshold": thr,
                     "individually_negligible": bool(round(share, DECIMALS) < thr)})
    for developing in (False, True):
        cls = [r for r in rows if r["developing"] == developing]
        agg = sum(r["share"] for r in cls if r["individually_negligible"])
        agg_thr = params.negligibility_aggregate_developing if developing else params.negligibility_aggregate
        for r in cls:
            r["aggregate_share"] = agg
            r["aggregate_threshold"] = agg_thr
            r["negligible"] = bool(r["individually_negligible"] and not round(agg, DECIMALS) > agg_thr)
    return NegligibilityResult(rows, total)
