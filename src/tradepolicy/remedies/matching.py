"""Matching of U.S. CONNUMs to normal value: identical, similar within DIFMER, or CV.

Fact sheet §4.3 (19 CFR 351.411; me-macros.sas 7-E-ii-a): a similar match is allowed
only if ``|VCOM_HM - VCOM_US| / TCOM_US <= cap``; NV of a similar match is the home
weighted-average price plus the DIFMER adjustment ``VCOM_US - VCOM_HM``. With no
identical or permitted similar match, NV is constructed value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradepolicy.remedies.normal_value import DECIMALS

BASIS_IDENTICAL = "identical"
BASIS_SIMILAR = "similar"
BASIS_CV = "constructed_value"


@dataclass(frozen=True, slots=True)
class MatchResult:
    """NV per U.S. CONNUM code (arrays of length ``n_connum``; NaN/-1 if no U.S. sale).

    Attributes
    ----------
    nv
        Normal value, currency per unit, before U.S. comparison-point adjustments.
    basis
        ``identical`` | ``similar`` | ``constructed_value`` ('' where unused).
    matched
        Code of the home CONNUM matched (-1 for CV).
    difmer
        DIFMER adjustment per unit (VCOM_US - VCOM_HM; 0 for identical).
    difmer_ratio
        |DIFMER| / TCOM_US of the match (NaN for identical / CV).
    rejected_similar
        Number of similar candidates refused by the DIFMER cap, per U.S. CONNUM.
    """

    nv: np.ndarray
    basis: np.ndarray
    matched: np.ndarray
    difmer: np.ndarray
    difmer_ratio: np.ndarray
    rejected_similar: np.ndarray


def difmer_allowed(vcom_hm: float, vcom_us: float, tcom_us: float, *, cap: float) -> bool:
    """Return whether a similar match passes the DIFMER cap (``<=``, inclusive).

    >>> difmer_allowed(120.0, 100.0, 100.0, cap=0.20)
    True
    """
    if not (np.isfinite(vcom_hm) and np.isfinite(vcom_us) and np.isfinite(tcom_us)) or tcom_us <= 0:
        return False
    return bool(round(abs(vcom_hm - vcom_us) / tcom_us, DECIMALS) <= cap)


def match_connums(
    us_codes: np.ndarray,
    nv_home: np.ndarray,
    cv: np.ndarray,
    vcom: np.ndarray,
    tcom: np.ndarray,
    similar: list[tuple[int, int, float]],
    *,
    cap: float,
) -> MatchResult:
    """Match each U.S. CONNUM code in ``us_codes`` (unique) to NV.

    ``similar`` lists ``(us_code, hm_code, rank)``; candidates are tried by increasing
    rank and the first with a home NV that passes the DIFMER cap is taken.
    """
    n = len(nv_home)
    nv = np.full(n, np.nan)
    basis = np.full(n, "", dtype=object)
    matched = np.full(n, -1, dtype=np.int64)
    difmer = np.zeros(n)
    ratio = np.full(n, np.nan)
    rejected = np.zeros(n, dtype=np.int64)
    cands: dict[int, list[tuple[float, int]]] = {}
    for u, h, rank in similar:
        cands.setdefault(u, []).append((rank, h))
    for u in us_codes.tolist():
        if np.isfinite(nv_home[u]):
            nv[u], basis[u], matched[u] = nv_home[u], BASIS_IDENTICAL, u
            continue
        for _rank, h in sorted(cands.get(u, [])):
            if h == u or not np.isfinite(nv_home[h]):
                continue
            if difmer_allowed(vcom[h], vcom[u], tcom[u], cap=cap):
                difmer[u] = vcom[u] - vcom[h]
                ratio[u] = abs(difmer[u]) / tcom[u]
                nv[u], basis[u], matched[u] = nv_home[h] + difmer[u], BASIS_SIMILAR, h
                break
            rejected[u] += 1
        if basis[u] == "":
            nv[u], basis[u] = cv[u], BASIS_CV
    return MatchResult(nv, basis, matched, difmer, ratio, rejected)
