"""PPML with high-dimensional fixed effects, on pyfixest's ``fepois``.

Santos Silva & Tenreyro (2006); fixed effects as in Yotov et al. (2016) ch. 1. Before the
fit, observations are dropped in a recorded order, each with its count and reason:

1. ``missing``: a missing value in the outcome, a regressor, a fixed effect or the cluster;
2. ``separated_fe``: a fixed-effect level whose outcome is zero throughout (its FE would be
   -inf; Correia, Guimaraes & Zylkin 2021's "fe" check), repeated until none is left;
3. ``singleton``: a fixed-effect level with one observation (fixest's default);
4. ``separated_ir``: observations pyfixest's iterative rectifier ("ir") finds separated.

Standard errors: cluster-robust (CRV1) when ``cluster`` is given, else heteroskedasticity-
robust. The small-sample convention ``ssc="stata"`` multiplies by G/(G-1) only, as Stata's
``ppml``/``ppmlhdfe`` do for an ML estimator (and as the Advanced Guide's tables report);
``ssc="fixest"`` is pyfixest's default (also (n-1)/(n-K)).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.economics.gravity.results import SSC, DroppedObservations, PPMLResult
from tradepolicy.errors import ConvergenceError, InputError
from tradepolicy.literals import check_literal

__all__ = ["SSC", "DroppedObservations", "PPMLResult", "estimate_ppml_pyfixest", "parse_formula"]

_FORMULA = re.compile(r"^\s*([\w.]+)\s*~\s*([^|]*?)\s*(?:\|\s*(.+?))?\s*$")


def parse_formula(formula: str) -> tuple[str, list[str], list[str]]:
    """Split ``y ~ x1 + x2 | fe1 + fe2`` into (y, regressors, fixed effects).

    Regressors must be plain column names (build transformations, e.g. log distance, as
    columns first); fixed effects may be interactions written ``a^b``.
    """
    m = _FORMULA.match(formula)
    if not m:
        raise InputError(
            f"cannot parse formula {formula!r}",
            field="formula",
            expected="'y ~ x1 + x2 | fe1 + fe2'",
            example="trade ~ log_dist + cntg | exp_year + imp_year",
        )
    y, rhs, fes = m.group(1), m.group(2), m.group(3) or ""
    xs = [t.strip() for t in rhs.split("+") if t.strip() and t.strip() not in ("1", "0")]
    fe = [t.strip() for t in fes.split("+") if t.strip() and t.strip() != "0"]
    return y, xs, fe



def _fe_codes(df: pd.DataFrame, fe: str) -> np.ndarray:
    parts = fe.split("^")
    if len(parts) == 1:
        return np.asarray(pd.factorize(df[fe])[0])
    key = pd.MultiIndex.from_frame(df[parts])
    return np.asarray(pd.factorize(key)[0])


def _drop_separated_and_singletons(
    y: np.ndarray, codes: list[np.ndarray], fes: list[str]
) -> tuple[np.ndarray, int, int, list[str]]:
    """Return a keep mask and the counts dropped as FE-separated and as singletons."""
    keep = np.ones(len(y), dtype=bool)
    n_sep = n_single = 0
    notes: list[str] = []
    changed = True
    while changed:
        changed = False
        for name, c in zip(fes, codes, strict=True):
            k = c[keep]
            n_lev = int(c.max()) + 1 if len(c) else 0
            tot = np.bincount(k, weights=y[keep], minlength=n_lev)
            cnt = np.bincount(k, minlength=n_lev)
            zero_lev = (cnt > 0) & (tot <= 0)
            single_lev = cnt == 1
            bad_zero = keep & zero_lev[c]
            if bad_zero.any():
                m = int(bad_zero.sum())
                n_sep += m
                notes.append(f"{name}: {int(zero_lev.sum())} all-zero levels ({m} rows)")
                keep &= ~bad_zero
                changed = True
            bad_single = keep & single_lev[c] & ~zero_lev[c]
            if bad_single.any():
                n_single += int(bad_single.sum())
                keep &= ~bad_single
                changed = True
    return keep, n_sep, n_single, notes


def estimate_ppml_pyfixest(
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
) -> PPMLResult:
    """Estimate a PPML with high-dimensional fixed effects on pyfixest's ``fepois``.

    The general backend of :func:`tradepolicy.economics.gravity.estimate.estimate_ppml`
    (same arguments except ``panel`` and ``fast_path``): drops rows in the recorded order
    (missing, FE-separated, singleton, then pyfixest's ``ir``), fits, and returns a
    :class:`~tradepolicy.economics.gravity.results.PPMLResult`.
    """
    import pyfixest as pf

    check_literal(ssc, ("stata", "fixest"), name="ssc")
    yname, xs, fes = parse_formula(formula)
    fe_cols = [p for fe in fes for p in fe.split("^")]
    used = list(dict.fromkeys([yname, *xs, *fe_cols, *([cluster] if cluster else []),
                               *([offset] if offset else [])]))
    missing_cols = [c for c in used if c not in df.columns]
    if missing_cols:
        raise InputError(
            f"column(s) {missing_cols} not in the data",
            field=missing_cols[0],
            expected=f"one of {list(df.columns)}",
            example="build transformed regressors (e.g. log_dist) as columns first",
        )
    n_input = len(df)
    work = df[used].reset_index(drop=True)
    row_id = np.arange(n_input)
    na = work.isna().any(axis=1).to_numpy()
    for col in (yname, *xs, *([offset] if offset else [])):
        num = pd.to_numeric(work[col], errors="coerce").to_numpy(dtype=float)
        bad = ~na & ~np.isfinite(num)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{int(bad.sum())} non-numeric or infinite value(s) in {col!r}",
                where=f"row {df.index[first]!r}: {work[col].iloc[first]!r}",
                field=col,
                expected="finite numbers (missing values are dropped and counted)",
                example="0.0",
            )
    yv = pd.to_numeric(work[yname], errors="coerce").to_numpy(dtype=float)
    neg = (yv < 0) & ~na
    if neg.any():
        first = int(np.flatnonzero(neg)[0])
        raise InputError(
            f"{int(neg.sum())} negative value(s) of the outcome {yname!r}",
            where=f"row {df.index[first]!r}",
            field=yname,
            expected="a non-negative outcome (PPML)",
            example="0.0",
        )
    dropped = [DroppedObservations("missing", int(na.sum()))]
    work, row_id, yv = work.loc[~na].reset_index(drop=True), row_id[~na], yv[~na]
    n_sep = n_single = 0
    notes: list[str] = []
    if fes:
        codes = [_fe_codes(work, fe) for fe in fes]
        if "fe" in separation:
            keep, n_sep, n_single, notes = _drop_separated_and_singletons(yv, codes, fes)
        else:
            keep = np.ones(len(yv), dtype=bool)
        work, row_id = work.loc[keep].reset_index(drop=True), row_id[keep]
    dropped.append(DroppedObservations("separated_fe", n_sep, "; ".join(notes)))
    dropped.append(DroppedObservations("singleton", n_single))
    if len(work) <= len(xs):
        # pyfixest's demeaner panics (aborting the process) on an empty sample
        raise InputError(
            f"{len(work)} usable row(s) left of {n_input} after dropping "
            + ", ".join(f"{d.count} {d.reason}" for d in dropped)
            + f"; {len(xs)} regressor(s) cannot be estimated",
            field=yname,
            expected="positive outcomes in enough rows of every fixed-effect level",
            example="check that the outcome is not zero (or missing) throughout",
            details={"dropped": {d.reason: d.count for d in dropped}},
        )

    vcov: Any = {"CRV1": cluster} if cluster else "hetero"
    ssc_obj = pf.ssc(k_adj=False, G_adj=True) if ssc == "stata" else pf.ssc()
    sep = ["ir"] if "ir" in separation else []
    fml = formula if fes else f"{yname} ~ {' + '.join(xs) or '1'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit: Any = pf.fepois(
                fml, data=work, vcov=vcov, ssc=ssc_obj, offset=offset,
                separation_check=sep or None, iwls_tol=iwls_tol, iwls_maxiter=iwls_maxiter,
                fixef_rm="singleton", copy_data=False,
                **({"demeaner": pf.MapDemeaner(fixef_tol=fixef_tol)} if fixef_tol is not None else {}),
            )
        except Exception as exc:  # pyfixest raises plain exceptions on failure
            raise ConvergenceError(
                f"pyfixest fepois failed: {exc}",
                field="formula",
                details={"formula": formula},
            ) from exc
    n_obs = int(fit._N)
    n_ir = len(work) - n_obs
    dropped.append(DroppedObservations("separated_ir", n_ir))
    coefs = fit.coef().rename(None)
    ses = fit.se().rename(None)
    if not np.all(np.isfinite(coefs.to_numpy())):
        raise ConvergenceError("PPML returned non-finite coefficients", field="formula",
                               details={"coefficients": coefs.to_dict()})
    fitted = eta = None
    if keep_fitted:
        # pyfixest's _na_index: positions in ``work`` (a 0..n-1 index) it dropped, as a
        # frozenset in pyfixest >= 0.60 (a list/array before)
        na_pos = np.fromiter((int(k) for k in getattr(fit, "_na_index", ()) or ()),
                             dtype=np.int64)
        used_rows = np.delete(row_id, np.sort(na_pos))
        mu = np.asarray(fit._Y_hat_response, dtype=float).ravel()
        if used_rows.size != mu.size:
            raise ConvergenceError(
                "cannot align pyfixest's fitted values with the input rows",
                field="keep_fitted",
                details={"rows_used": int(used_rows.size), "fitted": int(mu.size)},
            )
        fitted = np.full(n_input, np.nan)
        eta = np.full(n_input, np.nan)
        fitted[used_rows] = mu
        eta[used_rows] = np.log(mu)
    return PPMLResult(
        formula=formula,
        coefficients=coefs,
        std_errors=ses,
        vcov=np.asarray(fit._vcov),
        n_input=n_input,
        n_obs=n_obs,
        dropped=tuple(dropped),
        vcov_type=f"CRV1 by {cluster}" if cluster else "hetero",
        ssc=ssc,
        deviance=float(np.asarray(fit.deviance).ravel()[0]),
        iterations=int(getattr(fit, "_iterations", 0) or 0),
        fitted=fitted,
        linear_predictor=eta,
    )
