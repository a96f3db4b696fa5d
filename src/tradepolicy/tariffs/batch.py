"""Vectorised duty stacks: all lines x all origins for one date.

Inputs are arrays prepared by the service from the same measures the single stack uses;
the arithmetic follows ``stacking.yaml``: column 2 replaces column 1 for General Note 3(b)
origins (and excludes preferences); otherwise the lowest eligible preferential AVE
replaces the base when lower; Chapter 99 additional duties are added on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Stacked duties of every line for every origin.

    Matrices of shape (n_lines, n_origins), decimals: ``base`` (column rate AVE),
    ``applied`` (after preference), ``add301`` / ``add232`` (Chapter 99), ``total``
    (``applied`` + additional; NaN where the base cannot be stated), ``adcvd`` (bool flag).
    ``pref_sym``: index of the claimed symbol (-1 none); ``other``: the 2025-2026 country
    actions by authority (included in ``total``); ``conditional``: by authority, the duty a
    cell would pay if its good did not qualify for USMCA (not in ``total``).
    """

    base: F
    applied: F
    add301: F
    add232: F
    total: F
    adcvd: B
    pref_sym: npt.NDArray[np.int32] | None = None
    other: dict[str, F] = field(default_factory=dict)
    conditional: dict[str, F] = field(default_factory=dict)


def stack_matrix(
    col1_ave: F,
    col2_ave: F,
    pref_ave: F,
    col2_origin: B,
    eligible: B,
    add301: F,
    add232: F,
    adcvd: B,
    blocked: Sequence[tuple[int, int, B]] = (),
) -> BatchResult:
    """Return the stacked duties of every line for every origin.

    Parameters
    ----------
    col1_ave, col2_ave
        (n,) AVE of the column 1 general and column 2 rates (NaN = not statable).
    pref_ave
        (n, s) AVE of each programme symbol's special rate on each line (NaN = not offered).
    col2_origin
        (m,) True where column 2 applies to the origin.
    eligible
        (m, s) True where the origin may claim the symbol.
    add301, add232
        (n, m) additional ad valorem duties.
    adcvd
        (n, m) AD/CVD order flags.
    blocked
        (line, origin, (s,) symbols the origin may not claim on that line): GSP country
        exclusions; the few cells are recomputed one by one.
    """
    n, m = len(col1_ave), len(col2_origin)
    base = np.where(col2_origin[None, :], col2_ave[:, None], col1_ave[:, None])
    pref = np.full((n, m), np.nan)
    sym = np.full((n, m), -1, dtype=np.int32)
    patterns, inverse = np.unique(eligible, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    for k, pat in enumerate(patterns):
        if not pat.any():
            continue
        idx = np.flatnonzero(pat)
        sub = pref_ave[:, idx]
        best = np.full(n, np.nan)
        which = np.full(n, -1, dtype=np.int32)
        has = ~np.isnan(sub).all(axis=1)
        if has.any():
            arg = np.nanargmin(sub[has], axis=1)
            best[has] = sub[has][np.arange(arg.size), arg]
            which[has] = idx[arg]
        cols = np.flatnonzero(inverse == k)
        pref[:, cols] = best[:, None]
        sym[:, cols] = which[:, None]
    for i, j, drop in blocked:
        ok = np.flatnonzero(eligible[j] & ~drop)
        row = pref_ave[i, ok]
        if np.isnan(row).all():
            pref[i, j], sym[i, j] = np.nan, -1
        else:
            a = int(np.nanargmin(row))
            pref[i, j], sym[i, j] = row[a], ok[a]
    pref[:, col2_origin] = np.nan
    claimed = ~np.isnan(pref) & ~(pref >= base)
    applied = np.where(claimed, np.fmin(pref, base), base)
    sym = np.where(claimed, sym, -1).astype(np.int32)
    total = applied + add301 + add232
    return BatchResult(base, applied, add301, add232, total, adcvd, sym)
