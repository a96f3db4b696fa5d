"""Estimate a PPML: choose between the dense three-way backend and pyfixest.

:func:`estimate_ppml` is the public entry point. When the fixed effects are exactly
exporter-time, importer-time and pair on a dense panel (see its docstring) it uses
:func:`~tradepolicy.economics.gravity.balanced.estimate_ppml_panel`; otherwise, or if that
refuses, :func:`~tradepolicy.economics.gravity.ppml.estimate_ppml_pyfixest`. Neither backend
imports the other or this module (their result types live in ``results.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradepolicy.economics.gravity import balanced
from tradepolicy.economics.gravity.ppml import estimate_ppml_pyfixest, parse_formula
from tradepolicy.economics.gravity.results import SSC, PPMLResult
from tradepolicy.errors import ConvergenceError
from tradepolicy.literals import check_literal

__all__ = ["estimate_ppml"]

def _same_partition(df: pd.DataFrame, a: list[str], b: list[str]) -> bool:
    """Whether the groupings by columns ``a`` and by columns ``b`` are the same partition."""
    def codes(cols: list[str]) -> np.ndarray:
        out = np.zeros(len(df), dtype=np.int64)
        for c in cols:
            k = np.asarray(pd.factorize(df[c])[0], dtype=np.int64)
            out = out * (int(k.max()) + 1) + k
        return np.asarray(pd.factorize(out)[0], dtype=np.int64)

    ka, kb = codes(a), codes(b)
    if ka.max() != kb.max():
        return False
    pairs = np.unique(ka.astype(np.int64) * (int(kb.max()) + 1) + kb)
    return bool(pairs.size == ka.max() + 1)


def _is_three_way(df: pd.DataFrame, fes: list[str], cluster: str,
                  panel: tuple[str, str, str]) -> bool:
    """Whether ``fes`` are exporter-time, importer-time and pair FE and ``cluster`` the pair."""
    exp_c, imp_c, time_c = panel
    if len(fes) != 3 or any(c not in df.columns for c in (*panel, cluster)):
        return False
    if any(p not in df.columns for fe in fes for p in fe.split("^")):
        return False
    if df[[*panel, *(p for fe in fes for p in fe.split("^"))]].isna().any().any():
        return False
    if not _same_partition(df, [cluster], [exp_c, imp_c]):
        return False
    wanted = [[exp_c, time_c], [imp_c, time_c], [exp_c, imp_c]]
    remaining = list(wanted)
    for fe in fes:
        cols = fe.split("^")
        match = next((w for w in remaining if _same_partition(df, cols, w)), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


# column names tried, in order, when ``panel`` is not given and the fixed effects are
# pre-built codes (exp_year, imp_year, pair); any guess is verified by _is_three_way
_PANEL_GUESSES = (("exporter", "importer"), ("exp", "imp"), ("iso_o", "iso_d"),
                  ("origin", "destination"))
_TIME_GUESSES = ("year", "time", "period", "t")
# the dense path allocates I x J x T cells; take it only when the rows fill at least half
_MIN_DENSITY = 0.5
# below this many rows pyfixest takes under a second and the dense path is not faster
# (bench/results/economics_ppml.md: 0.87x at 120k rows, 1.6x at 400k, 2.7x at 1M), so the
# automatic choice (no ``panel=``) keeps pyfixest; an explicit ``panel=`` always uses it
_MIN_ROWS_AUTO = 200_000


def _infer_panels(df: pd.DataFrame, fes: list[str]) -> list[tuple[str, str, str]]:
    """Candidate ``(exporter, importer, time)`` columns for the three-way check.

    From interactions ``a^t + b^t + a^b`` (in any order) when the FE are written that way
    (each of the three could be the pair FE: all are returned), else from conventional
    column names. These are only candidates: the caller checks that the FE and the cluster
    are exactly those partitions (:func:`_is_three_way`).
    """
    if len(fes) != 3:
        return []
    pairs = [tuple(fe.split("^")) for fe in fes]
    out: list[tuple[str, str, str]] = []
    if all(len(p) == 2 for p in pairs):
        cols = [c for p in pairs for c in p]
        if sorted(cols.count(c) for c in set(cols)) == [2, 2, 2]:
            for p in pairs:
                rest = [c for c in dict.fromkeys(cols) if c not in p]
                if len(rest) == 1:
                    out.append((p[0], p[1], rest[0]))
        return out
    for ex, im in _PANEL_GUESSES:
        if ex in df.columns and im in df.columns:
            out += [(ex, im, t) for t in _TIME_GUESSES if t in df.columns][:1]
    return out


def _dense_enough(df: pd.DataFrame, panel: tuple[str, str, str]) -> bool:
    """Whether the rows fill at least half of the exporter x importer x time cells."""
    cells = 1
    for c in panel:
        cells *= int(df[c].nunique())
    return cells > 0 and len(df) >= _MIN_DENSITY * cells



def estimate_ppml(
    df: pd.DataFrame,
    formula: str,
    *,
    cluster: str | None = None,
    ssc: SSC = "stata",
    offset: str | None = None,
    separation: tuple[str, ...] = ("fe", "ir"),
    keep_fitted: bool = False,
    iwls_tol: float = 1e-8,
    fixef_tol: float | None = None,
    iwls_maxiter: int = 100,
    panel: tuple[str, str, str] | None = None,
    fast_path: bool = True,
) -> PPMLResult:
    """Estimate a PPML with high-dimensional fixed effects (pyfixest ``fepois``).

    Parameters
    ----------
    df
        Long data; not modified.
    formula
        ``y ~ x1 + ... | fe1 + fe2``; regressors are column names; FE may be ``a^b``.
    cluster
        Column to cluster standard errors on (CRV1); ``None`` for hetero-robust.
    ssc
        ``stata`` (G/(G-1) only; the book's tables) or ``fixest``.
    offset
        Column holding an offset (log scale), e.g. log t for GE-PPML stages.
    separation
        Checks to run: ``fe`` (done here, reported) and/or ``ir`` (pyfixest).
    keep_fitted
        Return fitted means and linear predictors aligned to the input rows.
    iwls_tol, fixef_tol, iwls_maxiter
        Tolerances of pyfixest's IRLS and demeaning; ``None`` keeps pyfixest's default.
        pyfixest's defaults (1e-8, 1e-6) reproduce every preset's coefficients to 1e-11 of
        a 1e-10/1e-10 run, at pyfixest's own speed; pass tighter values for oracle tests.
    panel
        ``(exporter, importer, time)`` columns; default: inferred from FE written
        ``a^t + b^t + a^b`` or from conventional names (exporter/importer/year, ...).
    fast_path
        When true (default) and the three fixed effects are exactly exporter-time,
        importer-time and pair (checked as partitions of the rows, whatever the FE columns
        are called), the cluster is the pair, ``ssc="stata"``, the separation checks include
        ``fe``, there is no offset, no fitted values are asked for, the rows fill at least
        half of the exporter x importer x time cells and either ``panel`` is given or there
        are at least 200,000 rows (below that pyfixest is as fast), the dense fast path
        :func:`~tradepolicy.economics.gravity.balanced.estimate_ppml_panel` is used (same
        coefficients to 1e-8, about 2.5x faster than pyfixest at 1M rows; it drops
        FE-separated and singleton cells but does not run the ``ir`` check; it falls back to
        pyfixest, which does, if its IRLS does not converge or zero cells look separated
        by a regressor). Otherwise, or with ``fast_path=False``,
        pyfixest.

    Raises
    ------
    InputError
        Missing columns, a negative outcome, an unparsable formula.
    ConvergenceError
        pyfixest fails or reports non-convergence.
    """
    check_literal(ssc, ("stata", "fixest"), name="ssc")
    yname, xs, fes = parse_formula(formula)
    cand: tuple[str, str, str] | None = None
    if (fast_path and cluster is not None and ssc == "stata" and offset is None
            and not keep_fitted and "fe" in separation and xs
            and all(c in df.columns for c in (yname, *xs))):
        tries = ([panel] if panel is not None else
                 _infer_panels(df, fes) if len(df) >= _MIN_ROWS_AUTO else [])
        cand = next((p for p in tries if _is_three_way(df, fes, cluster, p)), None)
    if (cand is not None and _dense_enough(df, cand)
            and not df.duplicated(list(cand)).any()):
        yv_all = pd.to_numeric(df[yname], errors="coerce").to_numpy(dtype=float)
        if not np.any(yv_all < 0):  # negative outcomes: the general path's error
            exp_c, imp_c, time_c = cand
            try:
                fast = balanced.estimate_ppml_panel(df, yname, xs, exporter=exp_c, importer=imp_c,
                                           time=time_c)
            except ConvergenceError:
                fast = None  # e.g. regressor separation: pyfixest with its ir check
            if fast is not None:
                return PPMLResult(
                    formula=formula, coefficients=fast.coefficients,
                    std_errors=fast.std_errors, vcov=fast.vcov, n_input=fast.n_input,
                    n_obs=fast.n_obs, dropped=fast.dropped,
                    vcov_type=f"CRV1 by {cluster} (dense three-way fast path)", ssc=ssc,
                    deviance=fast.deviance, iterations=fast.iterations,
                )
    return estimate_ppml_pyfixest(
        df, formula, cluster=cluster, ssc=ssc, offset=offset, separation=separation,
        keep_fitted=keep_fitted, iwls_tol=iwls_tol, fixef_tol=fixef_tol, iwls_maxiter=iwls_maxiter,
    )
