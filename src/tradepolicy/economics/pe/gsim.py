"""GSIM: global partial equilibrium for one product (Francois & Hall 2003; WITS GSIM v1).

Exporters r (rows) sell Armington varieties to importers v (columns). With θ_(v,r) r's
share of v's imports at internal prices, E_m < 0 the composite import demand elasticity,
E_s > 0 the substitution elasticity and E_x,r > 0 the export supply elasticity
(economics-methods.md §4.2):

- own-price elasticity   N_(v,r),(v,r) = θ_(v,r) E_m − (1 − θ_(v,r)) E_s
- cross-price elasticity N_(v,r),(v,s) = θ_(v,s) (E_m + E_s)
- P̂_(v,r) = T̂_(v,r) + P̂*_r (linearised), T = 1 + t
- world market clearing  Σ_v φ_(r,v) M̂_(v,r) = E_x,r P̂*_r, φ = r's export shares at world prices

Market clearing is linear in the world price changes P̂*, so it is solved exactly as one
R×R linear system (GSIM v1). Welfare pieces follow the standard trapezoids:
producer surplus P*⁰X⁰(P̂* + ½E_x P̂*²), consumer surplus −X_v(P̂_v + ½E_m P̂_v²) at internal
prices, and tariff revenue Σ_r[(T¹−1)M¹ − (T⁰−1)M⁰]. Reported import values follow the
published GSIM 4×4 script: M¹ = M⁰(1 + M̂)(1 + P̂*), internal price change (1+P̂*)T¹/T⁰ − 1.
That script's consumer-surplus line multiplies the triangle by sign(P̂_v), which adds the
triangle to the loss when the composite price rises; the trapezoid above subtracts it
(the standard form), so the two differ for importers whose composite price rises.

Sign convention: changes are scenario minus baseline; proportional changes are decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from tradepolicy.economics.pe.validation import check_flows
from tradepolicy.errors import InputError

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GsimResult:
    """Result of a GSIM simulation.

    Attributes
    ----------
    exporters, importers
        Labels of rows (exporters r) and columns (importers v).
    world_price_change
        P̂*_r, proportional change of each exporter's world price, shape (R,).
    import_change
        M̂_(v,r) as a proportional quantity change, shape (R, V).
    imports_base, imports_new
        Trade values at world prices before/after, shape (R, V), units of the input.
    internal_price_change
        Proportional change of the internal (tariff-inclusive) price, shape (R, V).
    composite_price_change
        P̂_v, importer's composite import price change, shape (V,).
    producer_surplus, consumer_surplus, tariff_revenue
        Welfare pieces by exporter (PS) and importer (CS, revenue), units of the input.
    """

    exporters: tuple[str, ...]
    importers: tuple[str, ...]
    world_price_change: Array
    import_change: Array
    imports_base: Array
    imports_new: Array
    internal_price_change: Array
    composite_price_change: Array
    producer_surplus: Array
    consumer_surplus: Array
    tariff_revenue: Array

    def by_region(self) -> pd.DataFrame:
        """Welfare pieces and trade by region (union of exporters and importers); one draw only."""
        if self.world_price_change.ndim != 1:
            raise InputError("by_region() needs a single draw; index the draws first.", field="draws",
                             expected="1-D world_price_change", example="gsim(...) with scalar elasticities")
        regions = list(dict.fromkeys([*self.exporters, *self.importers]))
        df = pd.DataFrame({"region": regions}).set_index("region")
        ex = pd.DataFrame({"world_price_change": self.world_price_change,
                           "producer_surplus": self.producer_surplus,
                           "exports_base": self.imports_base.sum(axis=1),
                           "exports_new": self.imports_new.sum(axis=1)}, index=list(self.exporters))
        im = pd.DataFrame({"composite_price_change": self.composite_price_change,
                           "consumer_surplus": self.consumer_surplus,
                           "tariff_revenue": self.tariff_revenue,
                           "imports_base": self.imports_base.sum(axis=0),
                           "imports_new": self.imports_new.sum(axis=0)}, index=list(self.importers))
        df = df.join(ex).join(im)
        pieces = df[["producer_surplus", "consumer_surplus", "tariff_revenue"]].fillna(0.0)
        df["net_welfare"] = pieces.sum(axis=1)
        return df.reset_index()

    def summary(self) -> dict[str, float]:
        """World totals of the welfare pieces and trade."""
        return {
            "producer_surplus": float(self.producer_surplus.sum()),
            "consumer_surplus": float(self.consumer_surplus.sum()),
            "tariff_revenue": float(self.tariff_revenue.sum()),
            "net_welfare": float(self.producer_surplus.sum() + self.consumer_surplus.sum()
                                 + self.tariff_revenue.sum()),
            "trade_base": float(self.imports_base.sum()),
            "trade_new": float(self.imports_new.sum()),
        }


def _elasticity(a: ArrayLike, n: int, name: str) -> tuple[Array, bool]:
    """Return (B, n) elasticities and whether a leading draw axis was given (2-D input)."""
    v = np.asarray(a, dtype=float)
    batched = v.ndim == 2
    out = np.broadcast_to(v, (v.shape[0], n) if batched else (n,)).astype(float)
    if not np.isfinite(out).all():
        raise InputError(f"{name} must be finite.", field=name, expected="finite numbers", example="1.5")
    return (out if batched else out[None, :]), batched


def gsim(
    trade: ArrayLike,
    tariff_factor_base: ArrayLike,
    tariff_factor_new: ArrayLike,
    *,
    import_demand_elasticity: ArrayLike,
    substitution_elasticity: ArrayLike,
    export_supply_elasticity: ArrayLike,
    exporters: Sequence[str] | None = None,
    importers: Sequence[str] | None = None,
) -> GsimResult:
    """Solve the GSIM global PE model for one product.

    Parameters
    ----------
    trade
        Base trade values at world prices, exporter r (rows) x importer v (columns).
    tariff_factor_base, tariff_factor_new
        T⁰ and T¹ = 1 + t (e.g. 1.25 for 25%), same shape.
    import_demand_elasticity
        E_m per importer, **negative** (GSIM convention), e.g. −1.25. Scalar, (V,), or
        (B, V) / (B, 1) for B Monte Carlo draws solved in one batched call.
    substitution_elasticity
        E_s per importer, > 0; same shapes.
    export_supply_elasticity
        E_x per exporter, > 0; scalar, (R,), (B, R) or (B, 1).
    exporters, importers
        Labels.

    Returns
    -------
    GsimResult
        With a leading draw axis on every array when any elasticity had one.
    """
    M = check_flows(trade, field="trade")
    if M.ndim != 2:
        raise InputError("trade must be a 2-D exporter x importer matrix.", field="trade",
                         expected="shape (R, V)", example="4 x 4")
    R, V = M.shape
    T0 = np.broadcast_to(np.asarray(tariff_factor_base, float), M.shape)
    T1 = np.broadcast_to(np.asarray(tariff_factor_new, float), M.shape)
    for name, T in (("tariff_factor_base", T0), ("tariff_factor_new", T1)):
        if not (np.isfinite(T).all() and (T > 0).all()):
            raise InputError(f"{name} must be finite and > 0 (T = 1 + t).", field=name,
                             expected="tariff factors T = 1 + t", example="1.25")
    Em, b1 = _elasticity(import_demand_elasticity, V, "import_demand_elasticity")
    Es, b2 = _elasticity(substitution_elasticity, V, "substitution_elasticity")
    Ex, b3 = _elasticity(export_supply_elasticity, R, "export_supply_elasticity")
    batched = b1 or b2 or b3
    B = max(Em.shape[0], Es.shape[0], Ex.shape[0])
    Em, Es, Ex = (np.broadcast_to(a, (B, a.shape[1])) for a in (Em, Es, Ex))
    if (Em >= 0).any():
        raise InputError(f"GSIM's import demand elasticity E_m is negative; got {Em[Em >= 0][0]}.",
                         field="import_demand_elasticity", expected="E_m < 0", example="-1.25")
    if (Es <= 0).any():
        raise InputError("Substitution elasticity must be > 0.", field="substitution_elasticity",
                         expected="E_s > 0", example="5")
    if (Ex <= 0).any():
        raise InputError("Export supply elasticity must be > 0.", field="export_supply_elasticity",
                         expected="E_x > 0", example="1.5")

    spend = M * T0
    col = spend.sum(axis=0)
    theta = np.divide(spend, col, out=np.zeros_like(spend), where=col > 0)
    rowsum = M.sum(axis=1, keepdims=True)
    phi = np.divide(M, rowsum, out=np.zeros_like(M), where=rowsum > 0)
    dT = T1 / T0 - 1.0
    D = Em + Es                                                   # (B, V)
    x_uniform = None
    if B > 1 and all(bool((a == a[:, :1]).all()) for a in (Em, Es, Ex)):
        x_uniform = _solve_uniform_draws(phi, theta, dT, Em[:, :1], Es[:, :1], Ex[:, :1])
    if x_uniform is not None:
        x = x_uniform
    else:
        # Σ_v φ_rv M̂_rv with M̂_rv = D_v Σ_s θ_sv P̂_sv − Es_v P̂_rv and P̂_sv = dT_sv + x_s.
        phiD = phi[None, :, :] * D[:, None, :]                    # (B, R, V)
        A = phiD @ theta.T                                        # (B, R, R)
        diag = Es @ phi.T + Ex                                    # (B, R)
        A[:, np.arange(R), np.arange(R)] -= diag
        b = -(phiD @ (theta * dT).sum(axis=0) - (phi[None] * Es[:, None, :] * dT[None]).sum(axis=2))
        try:
            x = np.linalg.solve(A, b[..., None])[..., 0]          # (B, R)
        except np.linalg.LinAlgError as exc:  # pragma: no cover - needs a degenerate market
            raise InputError("The GSIM market-clearing system is singular.", field="trade",
                             expected="each exporter with a positive supply elasticity",
                             example="1.5") from exc

    P_hat = dT[None] + x[:, :, None]
    comp_lin = (theta[None] * P_hat).sum(axis=1)                  # (B, V)
    m_hat = D[:, None, :] * comp_lin[:, None, :] - Es[:, None, :] * P_hat
    M1 = M[None] * (1.0 + m_hat) * (1.0 + x[:, :, None])
    # GSIM v1 is linear in the price changes: a large change can give M̂ < −1 or P̂* < −1,
    # i.e. negative trade. That is outside the model; refuse it rather than report it.
    bad = (M[None] > 0) & (((1.0 + m_hat) < -1e-12) | ((1.0 + x[:, :, None]) < -1e-12))
    if bad.any():
        d, r_i, v_i = (int(i) for i in np.argwhere(bad)[0])
        ex = exporters[r_i] if exporters is not None else f"r{r_i}"
        im = importers[v_i] if importers is not None else f"v{v_i}"
        raise InputError(
            f"GSIM's linearised solution gives negative trade from {ex} to {im} (M̂ {m_hat[d, r_i, v_i]:.3g}, "
            f"P̂* {x[d, r_i]:.3g})" + (f" in {bad.any(axis=(1, 2)).mean():.1%} of the draws" if batched else "")
            + ": the tariff change is too large for the linear model at these elasticities. Use a smaller "
            "change or smaller elasticities, or the enforcement model (CES, exact).",
            field="tariff_factor_new", expected="changes that keep every trade flow positive",
            example="a 25% duty with E_s = 5")
    dP = (1.0 + x[:, :, None]) * (T1 / T0)[None] - 1.0
    comp = (theta[None] * dP).sum(axis=1)
    revenue = (M1 * (T1 - 1.0)[None] - (M * (T0 - 1.0))[None]).sum(axis=1)
    cs = -col[None] * (comp + 0.5 * Em * comp**2)
    ps = x * rowsum[:, 0][None] * (1.0 + 0.5 * Ex * x)

    def out(a: Array) -> Array:
        return a if batched else a[0]

    return GsimResult(
        exporters=tuple(exporters) if exporters is not None else tuple(f"r{i}" for i in range(R)),
        importers=tuple(importers) if importers is not None else tuple(f"v{i}" for i in range(V)),
        world_price_change=out(x), import_change=out(m_hat), imports_base=M, imports_new=out(M1),
        internal_price_change=out(dP), composite_price_change=out(comp), producer_surplus=out(ps),
        consumer_surplus=out(cs), tariff_revenue=out(revenue),
    )


def _solve_uniform_draws(phi: Array, theta: Array, dT: Array, em: Array, es: Array,
                         ex: Array) -> Array | None:
    """Solve market clearing for B draws whose elasticities are the same for every region.

    Then A_b = D_b K − diag(Es_b s + Ex_b) with K = φ θᵀ and s_r = Σ_v φ_rv (1 for an
    exporter with sales, 0 otherwise; such a row has x_r = 0), and b_b = −D_b u + Es_b w. One
    eigendecomposition K_aa = V Λ V⁻¹ on the exporters with sales solves every draw at once:
    x_b = V [(V⁻¹ b_b) / (D_b λ − c_b)]. The residual of every draw's own system is checked;
    returns None (the caller solves each draw directly) if it is not at rounding level, so
    the shortcut never changes a result beyond floating-point error.

    Shapes: phi, theta, dT (R, V); em, es, ex (B, 1). Returns x of shape (B, R) or None.
    """
    R = phi.shape[0]
    B = em.shape[0]
    K = phi @ theta.T
    srow = phi.sum(axis=1)
    act = srow > 0
    u = phi @ (theta * dT).sum(axis=0)
    w = (phi * dT).sum(axis=1)
    d = em + es                                                   # (B, 1)
    b = -d * u[None] + es * w[None]                               # (B, R)
    x = np.zeros((B, R))
    if act.any():
        try:
            lam, V = np.linalg.eig(K[np.ix_(act, act)])
            Vinv = np.linalg.inv(V)
        except np.linalg.LinAlgError:
            return None
        den = d * lam[None] - (es + ex)                           # (B, Ra), s = 1 on act
        if not np.isfinite(den).all() or (np.abs(den) < 1e-12).any():
            return None
        z = (b[:, act] @ Vinv.T) / den
        x[:, act] = (z @ V.T).real
    res = d * (x @ K.T) - (es * srow[None] + ex) * x - b
    scale = max(float(np.abs(b).max()), float(np.abs(x).max()), 1e-300)
    if not np.isfinite(res).all() or float(np.abs(res).max()) > 1e-11 * scale:
        return None
    return x


def gsim_from_frame(df: pd.DataFrame, *, exporter: str = "exporter", importer: str = "importer",
                    value: str = "value", t0: str = "tariff_factor_base",
                    t1: str = "tariff_factor_new", regions: Sequence[str] | None = None,
                    ) -> tuple[tuple[str, ...], Array, Array, Array]:
    """Pivot a long frame to square (regions x regions) trade and tariff-factor matrices.

    Missing pairs get trade 0 and tariff factor 1. Returns (regions, M, T0, T1).
    """
    for c in (exporter, importer, value, t0, t1):
        if c not in df.columns:
            raise InputError(f"Column {c!r} is missing.", field=c, expected=f"columns {exporter}, "
                             f"{importer}, {value}, {t0}, {t1}", example="row,col,trade_value,...")
    regs = tuple(regions) if regions is not None else tuple(dict.fromkeys([*df[exporter], *df[importer]]))
    idx = {r: i for i, r in enumerate(regs)}
    n = len(regs)
    M = np.zeros((n, n))
    T0 = np.ones((n, n))
    T1 = np.ones((n, n))
    i = df[exporter].map(idx).to_numpy()
    j = df[importer].map(idx).to_numpy()
    M[i, j] = check_flows(df[value].to_numpy(), field=value)
    T0[i, j] = df[t0].to_numpy(float)
    T1[i, j] = df[t1].to_numpy(float)
    return regs, M, T0, T1
