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
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradepolicy.errors import ConvergenceError, InputError
from tradepolicy.literals import check_literal

__all__ = ["DroppedObservations", "PPMLResult", "estimate_ppml", "parse_formula"]

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
    import pyfixest as pf

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
        from tradepolicy.economics.gravity.balanced import estimate_ppml_panel

        yv_all = pd.to_numeric(df[yname], errors="coerce").to_numpy(dtype=float)
        if not np.any(yv_all < 0):  # negative outcomes: the general path's error
            exp_c, imp_c, time_c = cand
            try:
                fast = estimate_ppml_panel(df, yname, xs, exporter=exp_c, importer=imp_c,
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
