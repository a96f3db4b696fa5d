"""Multi-sector structural gravity GE: sectoral resistances, one factory-gate price per country.

Model (Anderson & Yotov 2016 sectoral gravity; Costinot & Rodriguez-Clare 2014 without
input-output links). Sector s flows X^s_ij; sector elasticities theta_s = sigma_s - 1;
Cobb-Douglas upper tier with expenditure shares alpha^s_j = E^s_j / E_j; one factory-gate
price (the price of the country's single factor) w_i per country, shared by its sectors.
Sectoral output Y^s_i is endogenous; country output Y_i = sum_s Y^s_i = w_i L_i.

Exact-hat system (tau_hat^s_ij = change in t^s_ij^(1-sigma_s)):

    Phat^s_j = sum_i pi^s_ij tau^s_ij w_i^(-theta_s)         (hat of P^s_j^(1-sigma_s))
    X'^s_ij  = pi^s_ij tau^s_ij w_i^(-theta_s) / Phat^s_j * alpha^s_j E'_j
    w_i Y_i  = sum_s sum_j X'^s_ij                            (factor market clearing)

E' follows the imbalance rule of the one-sector model; the numeraire is the reference
country's aggregate consumer price index, prod_s (P^s_ref)^(alpha^s_ref) = 1. Conditional:
w = 1 and E fixed; only the sectoral resistances move (sector by sector). With S = 1 the
model is the one-sector model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tradepolicy.economics.ge.kernels import FixedPoint, anderson, expenditure_rule
from tradepolicy.economics.ge.onesector import (
    GEDiagnostics,
    StageDiagnostics,
    _raise_if_failed,
    check_sigma,
)
from tradepolicy.errors import InputError
from tradepolicy.literals import check_literal

__all__ = ["MultiSectorData", "MultiSectorResult", "solve_ge_multisector"]


@dataclass(frozen=True, eq=False)
class MultiSectorData:
    """Sectoral flows of one period.

    Attributes
    ----------
    countries
        ISO3 codes (N).
    sectors
        Sector labels (S).
    flows
        (S, N, N) X^s_ij, exporter rows, data currency units; domestic flows included.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    flows: np.ndarray

    @classmethod
    def from_arrays(
        cls, flows: np.ndarray, countries: Sequence[str], sectors: Sequence[str]
    ) -> MultiSectorData:
        """Validate an (S, N, N) array of non-negative flows."""
        x = np.array(flows, dtype=float)
        n, s = len(countries), len(sectors)
        if x.shape != (s, n, n):
            raise InputError(
                f"flows must have shape (S, N, N) = ({s}, {n}, {n}); got {x.shape}",
                field="flows",
                expected="sectors x exporters x importers",
            )
        if not np.all(np.isfinite(x)) or np.any(x < 0):
            k, i, j = np.argwhere(~np.isfinite(x) | (x < 0))[0]
            raise InputError(
                f"flows must be finite and non-negative; {sectors[k]} {countries[i]}->"
                f"{countries[j]} is {x[k, i, j]!r}",
                field="flows",
                expected=">= 0",
            )
        exp_s = x.sum(axis=1)
        if np.any(x.sum(axis=(0, 2)) <= 0) or np.any(exp_s.sum(axis=0) <= 0):
            raise InputError("every country needs positive output and expenditure",
                             field="flows")
        if np.any(exp_s.sum(axis=1) <= 0):
            raise InputError("every sector needs positive trade", field="flows")
        return cls(tuple(map(str, countries)), tuple(map(str, sectors)), x)

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        sector: str = "sector",
        exporter: str = "exporter",
        importer: str = "importer",
        flow: str = "trade",
    ) -> MultiSectorData:
        """Build from a long frame with one row per (sector, exporter, importer)."""
        for c in (sector, exporter, importer, flow):
            if c not in df.columns:
                raise InputError(f"missing column {c!r}", field=c)
        vals = pd.to_numeric(df[flow], errors="coerce")
        if vals.isna().any() or (vals < 0).any():
            bad = df.index[vals.isna() | (vals < 0)][:5].tolist()
            raise InputError("missing or negative flows", where=f"rows {bad}", field=flow,
                             expected="flows >= 0")
        countries = sorted(set(df[exporter].astype(str)) | set(df[importer].astype(str)))
        sectors = sorted(set(df[sector].astype(str)))
        n, s = len(countries), len(sectors)
        if len(df) != s * n * n or df.duplicated([sector, exporter, importer]).any():
            raise InputError(
                f"panel is not balanced: {len(df)} rows for {s} sectors x {n} x {n} countries",
                field=f"{sector},{exporter},{importer}",
                expected="one row per (sector, exporter, importer), domestic pairs included",
            )
        ci = {c: k for k, c in enumerate(countries)}
        si = {c: k for k, c in enumerate(sectors)}
        x = np.zeros((s, n, n))
        x[df[sector].astype(str).map(si).to_numpy(), df[exporter].astype(str).map(ci).to_numpy(),
          df[importer].astype(str).map(ci).to_numpy()] = vals.to_numpy(dtype=float)
        return cls.from_arrays(x, countries, sectors)


@dataclass(frozen=True, eq=False)
class MultiSectorResult:
    """Result of :func:`solve_ge_multisector`.

    Attributes
    ----------
    countries, sectors
        Labels.
    sigma
        (S,) elasticities of substitution.
    reference, imbalance
        Settings.
    conditional_imr, conditional_omr
        (S, N) relative changes (decimal) of P^s_j and Pi^s_i, w = 1 and E^s fixed.
    factory_gate_price
        (N,) relative change of w_i (decimal) in the full equilibrium.
    full_imr, full_omr
        (S, N) relative changes (decimal) of the sectoral resistances, full equilibrium.
    price_index
        (N,) relative change of the aggregate consumer price index (decimal).
    real_gdp, welfare
        (N,) relative changes (decimal) of Y/P and E/P.
    baseline_flows, full_flows
        (S, N, N) flows (data units).
    diagnostics
        Convergence records.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    sigma: np.ndarray
    reference: str
    imbalance: str
    conditional_imr: np.ndarray
    conditional_omr: np.ndarray
    factory_gate_price: np.ndarray
    full_imr: np.ndarray
    full_omr: np.ndarray
    price_index: np.ndarray
    real_gdp: np.ndarray
    welfare: np.ndarray
    baseline_flows: np.ndarray
    full_flows: np.ndarray
    diagnostics: GEDiagnostics

    def to_frame(self) -> pd.DataFrame:
        """Per-country changes in percent (counterfactual vs baseline), indexed by ISO3."""
        def exports(x: np.ndarray) -> np.ndarray:
            tot = x.sum(axis=0)
            return np.asarray(tot.sum(axis=1) - np.diag(tot))

        frame = pd.DataFrame(
            {
                "full_real_gdp": 100 * self.real_gdp,
                "full_welfare": 100 * self.welfare,
                "full_factory_gate_price": 100 * self.factory_gate_price,
                "full_price_index": 100 * self.price_index,
                "full_exports": 100 * (exports(self.full_flows) / exports(self.baseline_flows)
                                       - 1),
            },
            index=pd.Index(self.countries, name="iso3"),
        )
        frame.attrs["unit"] = "percent"
        return frame


def _rows(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return sum_j t[s, i, j] v[s, j]; einsum beats batched BLAS once t outgrows the cache."""
    if t.size > 1_000_000:
        return np.asarray(np.einsum("sij,sj->si", t, v))
    return np.asarray(np.matmul(t, v[..., None])[..., 0])


def _cols(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return sum_i t[s, i, j] v[s, i]."""
    if t.size > 1_000_000:
        return np.asarray(np.einsum("sij,si->sj", t, v))
    return np.asarray(np.matmul(v[:, None, :], t)[:, 0, :])


def _sigma_vector(sigma: float | Sequence[float] | np.ndarray, s: int) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(sigma, dtype=float))
    if arr.size == 1:
        arr = np.full(s, float(arr[0]))
    if arr.shape != (s,):
        raise InputError(f"sigma must be a number or have one value per sector ({s})",
                         field="sigma")
    for v in arr:
        check_sigma(float(v))
    return arr


def _stage(name: str, alg: str, fp: FixedPoint, tol: float) -> StageDiagnostics:
    return StageDiagnostics(name, alg, int(fp.iterations), float(np.max(fp.residual)),
                            bool(np.max(fp.residual) <= tol), tol)


def solve_ge_multisector(
    data: MultiSectorData,
    *,
    tau_hat: np.ndarray,
    sigma: float | Sequence[float] | np.ndarray,
    reference: str,
    imbalance: Literal["multiplicative", "additive"] = "multiplicative",
    tol: float = 1e-10,
    max_iter: int = 5000,
) -> MultiSectorResult:
    """Solve the conditional and full-endowment multi-sector equilibria (exact hat).

    Parameters
    ----------
    data
        Sectoral flows.
    tau_hat
        (S, N, N) or (N, N) (same in every sector) change in t^s_ij^(1-sigma_s).
    sigma
        One elasticity, or one per sector; each > 1.
    reference
        ISO3 whose aggregate consumer price index is the numeraire.
    imbalance
        ``multiplicative`` or ``additive`` (as in :func:`solve_ge`).
    """
    check_literal(imbalance, ("multiplicative", "additive"), name="imbalance")
    s_n, n = len(data.sectors), len(data.countries)
    sig = _sigma_vector(sigma, s_n)
    if reference not in data.countries:
        raise InputError(f"unknown country {reference!r}", field="reference",
                         expected=f"one of the {n} countries", example=data.countries[0])
    ref = data.countries.index(reference)
    b = np.asarray(tau_hat, dtype=float)
    if b.shape == (n, n):
        b = np.broadcast_to(b, (s_n, n, n))
    if b.shape != (s_n, n, n) or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise InputError(
            f"tau_hat must be finite, >= 0, with shape ({s_n}, {n}, {n}) or ({n}, {n})",
            field="tau_hat",
        )
    x = data.flows
    theta = (sig - 1.0)[:, None]  # (S, 1)
    e_s = x.sum(axis=1)  # (S, N) sectoral expenditure
    y_s = x.sum(axis=2)  # (S, N) sectoral output
    y_tot = y_s.sum(axis=0)
    e_tot = e_s.sum(axis=0)
    alpha = e_s / e_tot  # (S, N)
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = np.where(e_s[:, None, :] > 0, x / e_s[:, None, :], 0.0)
        ysh = np.where(y_s[:, :, None] > 0, x / y_s[:, :, None], 0.0)
    a = pi * b  # (S, N, N)
    yb = ysh * b  # (S, N, N)
    a_ref = np.ascontiguousarray(a[:, :, ref])  # (S, N): column of the reference importer
    done: list[StageDiagnostics] = []
    itol = max(tol * 1e-2, 1e-14)  # see solve_ge: iterate below tol, report against tol

    # conditional: per sector, Pi-hat and P-hat with w = 1, E^s and Y^s fixed
    def cond_map(u: np.ndarray) -> np.ndarray:
        # u = log Pihat^(1-sigma) (S, N); v = log Phat^(1-sigma)
        v = np.log(_cols(a, np.exp(-u)))
        v = v - v[:, ref : ref + 1]
        out = _rows(yb, np.exp(-v))
        return np.asarray(np.where(y_s > 0, np.log(np.where(y_s > 0, out, 1.0)), 0.0))

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fp = anderson(cond_map, np.zeros((s_n, n)), tol=itol,
                      max_iter=max_iter)
    st = _stage("conditional", "sectoral sinkhorn+anderson", fp, tol)
    _raise_if_failed(st, done)
    done.append(st)
    u_c = fp.x
    v_c = np.log(_cols(a, np.exp(-u_c)))
    v_c = v_c - v_c[:, ref : ref + 1]
    inv = 1.0 / (1.0 - sig)[:, None]
    cond_imr = np.exp(v_c * inv) - 1.0
    cond_omr = np.exp(u_c * inv) - 1.0

    # full endowment
    y_row = y_tot[None, :]
    e_row = e_tot[None, :]
    theta_bar = float(np.average(theta[:, 0], weights=y_s.sum(axis=1)))

    def phat(z: np.ndarray) -> np.ndarray:
        w_pow = np.exp(-theta * z[None, :])  # (S, N)
        return _cols(a, w_pow)  # (S, N)

    def agg_log_price(ph: np.ndarray) -> np.ndarray:
        # log of the aggregate CPI change: sum_s alpha^s log P^s-hat, P^s-hat = ph^(-1/theta)
        return np.asarray((alpha * (-np.log(ph) / theta)).sum(axis=0))

    def g(zb: np.ndarray) -> np.ndarray:
        z = zb[0]
        w = np.exp(z)
        ph = phat(z)
        e_new = expenditure_rule((w * y_tot)[None, :], y_row, e_row, imbalance)[0]
        demand = alpha * e_new[None, :] / ph  # (S, N)
        sales = np.exp(-theta * z[None, :]) * _rows(a, demand)
        ratio = sales.sum(axis=0) / (w * y_tot)
        zn = z + np.log(ratio) / (1.0 + theta_bar)
        # numeraire from the reference importer's column only (no full product)
        ph_ref = (a_ref * np.exp(-theta * zn[None, :])).sum(axis=1)  # (S,)
        zn = zn - float((alpha[:, ref] * (-np.log(ph_ref) / theta[:, 0])).sum())
        return np.asarray(zn[None, :])

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fp = anderson(g, np.zeros((1, n)), tol=itol, max_iter=max_iter)
    st = _stage("full", "multi-sector exact_hat+anderson", fp, tol)
    _raise_if_failed(st, done)
    done.append(st)
    z = fp.x[0]
    w = np.exp(z)
    ph = phat(z)
    e_new = expenditure_rule((w * y_tot)[None, :], y_row, e_row, imbalance)[0]
    share_new = a * np.exp(-theta * z[None, :])[:, :, None] / ph[:, None, :]
    x_new = share_new * (alpha * e_new[None, :])[:, None, :]
    p_agg = np.exp(agg_log_price(ph))
    ys_new = x_new.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Pi'^(1-sigma) / Pi^(1-sigma) = (Y^s_i'/Y^s_i) / (w_i^(1-sigma) * (Y^s'/Y^s))
        yhat = np.where(y_s > 0, ys_new / y_s, 1.0)
        world = (ys_new.sum(axis=1) / y_s.sum(axis=1))[:, None]
        omr_pow = yhat / (w[None, :] ** (1.0 - sig[:, None]) * world)
    full_omr = omr_pow ** inv - 1.0
    full_imr = ph ** inv - 1.0
    return MultiSectorResult(
        countries=data.countries,
        sectors=data.sectors,
        sigma=sig,
        reference=reference,
        imbalance=imbalance,
        conditional_imr=cond_imr,
        conditional_omr=cond_omr,
        factory_gate_price=w - 1.0,
        full_imr=full_imr,
        full_omr=full_omr,
        price_index=p_agg - 1.0,
        real_gdp=w / p_agg - 1.0,
        welfare=(e_new / e_tot) / p_agg - 1.0,
        baseline_flows=x,
        full_flows=x_new,
        diagnostics=GEDiagnostics(tuple(done)),
    )
