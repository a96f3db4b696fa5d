"""PE model of an enforcement tariff: subject vs non-subject suppliers (COMPAS / GSIM style).

One importing market with n sources (e.g. subject imports from the targeted country,
non-subject imports, and the domestic industry), each an Armington variety with its own
supply curve. This is the exact (non-linearised) constant-elasticity form of the USITC
COMPAS model, solved by Newton's method:

- composite price   P = (Σ_i b_i (p_i (1+t_i))^{1−σ})^{1/(1−σ)}
- demand            q_i = b_i (p_i (1+t_i))^{−σ} P^{σ−ε} Q⁰
- supply            s_i = q⁰_i p_i^{η_i}          (η_i = ∞: the price is fixed)
- calibration       p⁰_i = 1 (values are quantities), P⁰ = 1, b_i = w_i (1+t⁰_i)^{σ−1}
                    with w_i the value share at internal prices.

Welfare (exact integrals under constant elasticities):
ΔCS = −Q⁰ (P^{1−ε} − 1)/(1−ε) (ε ≠ 1) , ΔPS_i = q⁰_i (p_i^{η_i+1} − 1)/(η_i+1),
Δrevenue = Σ_i t¹_i p_i q_i − t⁰_i q⁰_i; home welfare = ΔCS + ΔPS(domestic) + Δrevenue.

Elasticities may carry leading draw axes (D, 1): the Newton iteration is batched, so a
Monte Carlo over elasticities is one vectorised solve.

Sign convention: changes are scenario minus baseline; proportional changes are decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from tradepolicy.economics.pe.validation import check_flows, check_positive, check_rates
from tradepolicy.errors import ConvergenceError, InputError

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class EnforcementResult:
    """Equilibrium of the subject / non-subject PE model; arrays have shape (..., n sources).

    Attributes
    ----------
    sources
        Source labels (e.g. ``CHN``, ``non-subject``, ``domestic``).
    domestic
        True for domestic sources (their surplus counts in home welfare).
    value_base
        Base sales value at world (producer) prices, units of the input.
    tariff_base, tariff_new
        Ad valorem rates (decimals); 0 for domestic.
    producer_price_change, quantity_change, value_change
        Proportional changes (decimals): p̂, q̂ and of the value p q.
    value_new
        New sales value at producer prices.
    composite_price_change
        Proportional change of the consumer composite price, shape (...,).
    consumer_surplus, tariff_revenue, home_welfare
        Home-market totals, shape (...,), units of the input.
    producer_surplus
        Per source, shape (..., n).
    diagnostics
        Newton iterations and max residual.
    """

    sources: tuple[str, ...]
    domestic: tuple[bool, ...]
    value_base: Array
    tariff_base: Array
    tariff_new: Array
    producer_price_change: Array
    quantity_change: Array
    value_change: Array
    value_new: Array
    composite_price_change: Array
    consumer_surplus: Array
    producer_surplus: Array
    tariff_revenue: Array
    home_welfare: Array
    parameters: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per source (first draw if there are draw axes)."""
        def first(a: Array) -> Array:
            return np.asarray(a).reshape((-1, len(self.sources)))[0]

        return pd.DataFrame({
            "source": list(self.sources), "domestic": list(self.domestic),
            "value_base": first(np.broadcast_to(self.value_base, self.value_new.shape)),
            "tariff_base": first(np.broadcast_to(self.tariff_base, self.value_new.shape)),
            "tariff_new": first(np.broadcast_to(self.tariff_new, self.value_new.shape)),
            "producer_price_change": first(self.producer_price_change),
            "quantity_change": first(self.quantity_change),
            "value_change": first(self.value_change), "value_new": first(self.value_new),
            "producer_surplus": first(self.producer_surplus),
        })

    def summary(self) -> dict[str, float]:
        """Home-market totals (first draw)."""
        def first(a: Array) -> float:
            return float(np.asarray(a).ravel()[0])

        return {
            "composite_price_change": first(self.composite_price_change),
            "consumer_surplus": first(self.consumer_surplus),
            "tariff_revenue_change": first(self.tariff_revenue),
            "domestic_producer_surplus": float(np.asarray(self.producer_surplus).reshape(
                (-1, len(self.sources)))[0][np.asarray(self.domestic)].sum()),
            "home_welfare": first(self.home_welfare),
        }


def enforcement_tariff(
    values: ArrayLike,
    tariff_base: ArrayLike,
    tariff_new: ArrayLike,
    *,
    demand_elasticity: ArrayLike,
    substitution_elasticity: ArrayLike,
    supply_elasticities: ArrayLike,
    sources: Sequence[str],
    domestic: Sequence[bool] | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> EnforcementResult:
    """Solve the subject / non-subject PE equilibrium after a tariff change.

    Parameters
    ----------
    values
        Base sales in the home market at producer prices, one per source (n,).
    tariff_base, tariff_new
        Ad valorem rates t⁰, t¹ per source (decimals; a Section 301 duty of 25% on the
        subject source is ``t¹ = t⁰ + 0.25``).
    demand_elasticity
        ε > 0, aggregate demand elasticity (magnitude) for the product; shape () or (D, 1).
    substitution_elasticity
        σ > 0, σ ≠ 1, Armington elasticity between sources; shape () or (D, 1).
    supply_elasticities
        η_i > 0 per source, ``inf`` for perfectly elastic; shape (n,) or (D, n).
    sources
        Labels.
    domestic
        Which sources are home producers (default: a source named ``domestic``).
    tol, max_iter
        Newton tolerance on the log-residual and iteration cap.

    Returns
    -------
    EnforcementResult

    Raises
    ------
    ConvergenceError
        If Newton does not reach ``tol``; ``details`` holds the diagnostics.
    """
    v0 = check_flows(values, field="values")
    n = v0.shape[-1]
    if v0.ndim != 1 or len(sources) != n:
        raise InputError("values must be one value per source.", field="values",
                         expected=f"{len(sources)} values", example="[2500, 7500, 30000]")
    if v0.sum() <= 0:
        raise InputError("The market has no sales.", field="values", expected="a positive total",
                         example="[2500, 7500, 30000]")
    t0 = np.broadcast_to(check_rates(tariff_base, field="tariff_base"), (n,)).astype(float)
    t1 = np.broadcast_to(check_rates(tariff_new, field="tariff_new"), (n,)).astype(float)
    eps = check_positive(demand_elasticity, field="demand_elasticity",
                         hint=" Give it as a positive magnitude.")
    sig = check_positive(substitution_elasticity, field="substitution_elasticity")
    if np.any(np.abs(sig - 1.0) < 1e-9):
        raise InputError("substitution_elasticity = 1 (Cobb-Douglas) is not supported.",
                         field="substitution_elasticity", expected="σ > 0, σ ≠ 1", example="1.01")
    eta = check_positive(supply_elasticities, field="supply_elasticities", allow_inf=True)
    dom = np.array([s == "domestic" for s in sources] if domestic is None else list(domestic), bool)
    eps_ = np.asarray(eps, float)
    sig_ = np.asarray(sig, float)
    eta_ = np.asarray(eta, float)
    lead = np.broadcast_shapes(eps_.shape[:-1] if eps_.ndim else (), sig_.shape[:-1] if sig_.ndim else (),
                               eta_.shape[:-1] if eta_.ndim > 1 else ())
    eps_b = np.broadcast_to(eps_, (*lead, 1)) if eps_.ndim else np.full((*lead, 1), float(eps_))
    sig_b = np.broadcast_to(sig_, (*lead, 1)) if sig_.ndim else np.full((*lead, 1), float(sig_))
    eta_b = np.broadcast_to(eta_, (*lead, n))

    w = v0 * (1 + t0) / (v0 * (1 + t0)).sum()
    lb = np.log(np.where(w > 0, w, 1.0)) + (sig_b - 1.0) * np.log1p(t0)   # log b_i
    active = w > 0
    lq0 = np.log(np.where(v0 > 0, v0, 1.0))
    lT1 = np.log1p(t1)
    E0 = (v0 * (1 + t0)).sum()                       # Q⁰ = E⁰ since P⁰ = 1
    inv_eta = np.where(np.isinf(eta_b), 0.0, 1.0 / np.where(np.isinf(eta_b), 1.0, eta_b))

    z = np.zeros((*lead, n))
    iterations = 0
    res = np.zeros_like(z)
    for step in range(1, max_iter + 1):
        iterations = step
        a = np.where(active, lb + (1.0 - sig_b) * (z + lT1), -np.inf)
        amax = a.max(axis=-1, keepdims=True)
        s = np.exp(a - amax)
        lse = amax + np.log(s.sum(axis=-1, keepdims=True))
        lP = lse / (1.0 - sig_b)
        share = s / s.sum(axis=-1, keepdims=True)
        lq = lb - sig_b * (z + lT1) + (sig_b - eps_b) * lP + np.log(E0)
        res = np.where(active, (lq - lq0) * inv_eta - z, -z)
        if np.max(np.abs(res)) < tol:
            break
        # J_ij = (1/η_i)(−σ δ_ij + (σ − ε) share_j) − δ_ij
        J = (inv_eta[..., :, None] * ((sig_b - eps_b)[..., None] * share[..., None, :])
             - np.eye(n) * (inv_eta * sig_b + 1.0)[..., :, None])
        J = np.where(active[:, None] & active[None, :] | np.eye(n, dtype=bool), J, 0.0)
        z = z - np.linalg.solve(J, res[..., None])[..., 0]
    err = float(np.max(np.abs(res)))
    diagnostics = {"iterations": iterations, "max_abs_residual": err, "tol": tol, "method": "newton"}
    if not err < tol:
        raise ConvergenceError(f"Enforcement PE did not converge in {max_iter} iterations "
                               f"(max residual {err:.3g}).", field="tol", expected=f"< {tol}",
                               example="raise max_iter", details=diagnostics)

    p = np.exp(z)
    a = np.where(active, lb + (1.0 - sig_b) * (z + lT1), -np.inf)
    amax = a.max(axis=-1, keepdims=True)
    P = np.exp((amax + np.log(np.exp(a - amax).sum(axis=-1, keepdims=True))) / (1.0 - sig_b))
    q = np.where(active, np.exp(lb - sig_b * (z + lT1) + (sig_b - eps_b) * np.log(P) + np.log(E0)), 0.0)
    q0 = v0
    v1 = p * q
    with np.errstate(divide="ignore", invalid="ignore"):
        q_hat = np.where(q0 > 0, q / np.where(q0 > 0, q0, 1.0) - 1.0, 0.0)
        v_hat = np.where(q0 > 0, v1 / np.where(q0 > 0, q0, 1.0) - 1.0, 0.0)
    e = eps_b[..., 0]
    Pn = P[..., 0]
    cs = np.where(np.abs(e - 1.0) < 1e-12, -E0 * np.log(Pn),
                  -E0 * (Pn ** (1.0 - e) - 1.0) / np.where(np.abs(e - 1.0) < 1e-12, 1.0, 1.0 - e))
    ps = np.where(np.isinf(eta_b), 0.0,
                  q0 * (p ** (np.where(np.isinf(eta_b), 0.0, eta_b) + 1.0) - 1.0)
                  / (np.where(np.isinf(eta_b), 0.0, eta_b) + 1.0))
    rev = (t1 * v1).sum(axis=-1) - (t0 * v0).sum()
    home = cs + ps[..., dom].sum(axis=-1) + rev
    return EnforcementResult(
        sources=tuple(sources), domestic=tuple(bool(d) for d in dom), value_base=v0,
        tariff_base=t0, tariff_new=t1, producer_price_change=p - 1.0, quantity_change=q_hat,
        value_change=v_hat, value_new=v1, composite_price_change=Pn - 1.0,
        consumer_surplus=cs, producer_surplus=ps, tariff_revenue=rev, home_welfare=home,
        parameters={"demand_elasticity": _p(eps_), "substitution_elasticity": _p(sig_),
                    "supply_elasticities": _p(eta_)},
        diagnostics=diagnostics,
    )


def _p(a: Array) -> Any:
    if a.size == 1:
        return float(a.ravel()[0]) if np.isfinite(a).all() else "inf"
    if a.ndim == 1:
        return ["inf" if np.isinf(x) else float(x) for x in a]
    return {"shape": list(a.shape)}
