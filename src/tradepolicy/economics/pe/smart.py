"""SMART: single-market partial equilibrium (Laird & Yeats 1986; WITS SMART).

One importing market, one or many HS6 products (rows) and K exporting partners
(columns). Base import values are treated as quantities at world price 1 (WITS:
"trade value ... regarded as trade quantity, by normalizing world price to 1").

Closed forms (economics-methods.md §4.1):

- trade creation  TC_k = M_k ε (t⁰_k − t¹_k) / [(1 + t⁰_k)(1 + ε/η)]
- trade diversion: Laird-Yeats share-ratio rule. For two groups (preferred k, rest K) it is
  TD_k = M_k M_K σ x / (M_k + M_K + M_k σ x), x = [(1+t¹_K)/(1+t¹_k)] / [(1+t⁰_K)/(1+t⁰_k)] − 1,
  i.e. the new share ratio is (M_k/M_K)(1 + σx). With many groups every partner's weight is
  (1 + σ x_k), x_k = r_K / r_k − 1 ≥ 0 measured against the most penalised group K (largest
  tariff-factor change r = (1+t¹)/(1+t⁰) among traded partners). For two groups this is
  exactly the formula above, for a preference (k's tariff cut) and for a duty (K's tariff
  raised) alike. Diversion sums to zero in each market and never exceeds existing trade.
- world price effect  ΔP*_k / P*_k = (TC_k / M_k) / η; its value on the new quantity is
  the "price effect".
- tariff revenue  ΔTR = Σ t¹ M¹ P*¹ − Σ t⁰ M⁰ P*⁰
- welfare (consumer-surplus triangle on created trade)  W_k = ½ (t⁰_k − t¹_k) |TC_k|;
  for a cut this is Laird-Yeats' ½ Δt TC, for an increase it is the matching loss.

Sign convention: every effect is scenario minus baseline, in the currency units of the
import values given (e.g. thousand US$ for BACI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from tradepolicy.economics.pe.validation import check_flows, check_positive, check_rates
from tradepolicy.errors import InputError

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SmartResult:
    """Result of a SMART simulation; arrays have shape (..., P products, K partners).

    Leading axes (e.g. Monte Carlo draws) come from broadcasting the elasticities. Values
    are in the currency units of ``imports`` (thousand US$ for BACI); rates are decimals.

    Attributes
    ----------
    products, partners
        Row and column labels.
    imports_base
        Base import values M⁰ (= quantities at world price 1).
    tariff_base, tariff_new
        Ad valorem rates t⁰ and t¹.
    trade_creation, trade_diversion, price_effect
        The three parts of the change in import value.
    world_price_change
        Proportional change of the exporter (world) price, ΔP*/P*.
    imports_new
        M¹ = M⁰ + TC + TD + price effect (value at new world prices).
    revenue_base, revenue_new
        Tariff revenue t M P* before and after.
    welfare
        Consumer-surplus triangle on created trade, ½ (t⁰ − t¹) |TC|.
    parameters
        The elasticities used (ε import demand magnitude, σ substitution, η export supply).
    """

    products: tuple[str, ...]
    partners: tuple[str, ...]
    imports_base: Array
    tariff_base: Array
    tariff_new: Array
    trade_creation: Array
    trade_diversion: Array
    price_effect: Array
    world_price_change: Array
    imports_new: Array
    revenue_base: Array
    revenue_new: Array
    welfare: Array
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def total_effect(self) -> Array:
        """Trade total effect = creation + diversion + price effect (WITS definition)."""
        return self.trade_creation + self.trade_diversion + self.price_effect

    def summary(self) -> dict[str, float]:
        """Totals over products and partners (first draw only if there are leading axes)."""
        def tot(a: Array) -> float:
            a2 = a.reshape((-1, *a.shape[-2:]))[0]
            return float(a2.sum())

        return {
            "imports_base": tot(np.broadcast_to(self.imports_base, self.trade_creation.shape)),
            "imports_new": tot(self.imports_new),
            "trade_creation": tot(self.trade_creation),
            "trade_diversion": tot(self.trade_diversion),
            "price_effect": tot(self.price_effect),
            "total_effect": tot(self.total_effect),
            "revenue_change": tot(self.revenue_new) - tot(np.broadcast_to(self.revenue_base,
                                                                        self.revenue_new.shape)),
            "welfare": tot(self.welfare),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per product x partner (needs no leading axes)."""
        if self.trade_creation.ndim != 2:
            raise InputError("to_frame() needs a single draw; index the draws first.",
                             field="draws", expected="2-D arrays", example="result of smart(...)")
        P, K = self.trade_creation.shape
        values = {
            "imports_base": self.imports_base, "tariff_base": self.tariff_base,
            "tariff_new": self.tariff_new, "trade_creation": self.trade_creation,
            "trade_diversion": self.trade_diversion, "price_effect": self.price_effect,
            "total_effect": self.total_effect, "imports_new": self.imports_new,
            "world_price_change": self.world_price_change, "revenue_base": self.revenue_base,
            "revenue_new": self.revenue_new, "welfare": self.welfare,
        }
        frame = pd.DataFrame({
            "product": np.repeat(np.asarray(self.products, dtype=object), K),
            "partner": np.tile(np.asarray(self.partners, dtype=object), P),
        })
        for name, arr in values.items():
            frame[name] = np.broadcast_to(arr, (P, K)).ravel()
        return frame

    def by_partner(self) -> pd.DataFrame:
        """Effects summed over products, one row per partner (ISO3)."""
        df = self.to_frame()
        num = [c for c in df.columns if c not in ("product", "partner", "tariff_base", "tariff_new",
                                                  "world_price_change")]
        return df.groupby("partner", sort=False)[num].sum().reset_index()


def reference_factor(m0: Array, r: Array) -> Array:
    """Return, per row, the largest tariff-factor change (1+t¹)/(1+t⁰) among traded partners.

    The most penalised group is the Laird-Yeats "rest" K against which every other partner's
    relative price fall x_k = r_K / r_k − 1 ≥ 0 is measured.

    Parameters
    ----------
    m0
        Base imports, shape (R, K).
    r
        Tariff-factor changes, shape (R, K).

    Returns
    -------
    numpy.ndarray
        Shape (R, 1).
    """
    traded = m0 > 0
    ref = np.where(traded, r, -np.inf).max(axis=-1, keepdims=True)
    return np.where(np.isfinite(ref), ref, 1.0)


def smart(
    imports: ArrayLike,
    tariff_base: ArrayLike,
    tariff_new: ArrayLike,
    *,
    import_demand_elasticity: ArrayLike,
    substitution_elasticity: ArrayLike = 1.5,
    export_supply_elasticity: ArrayLike = np.inf,
    products: tuple[str, ...] | None = None,
    partners: tuple[str, ...] | None = None,
) -> SmartResult:
    """Simulate a tariff change in one importing market with the SMART closed forms.

    Parameters
    ----------
    imports
        Base import values M⁰ by product (rows) and partner (columns), shape (P, K) or (K,).
    tariff_base, tariff_new
        Ad valorem rates t⁰ and t¹ (decimals), broadcastable to ``imports``.
    import_demand_elasticity
        ε, the import demand elasticity as a **positive magnitude** (Em = −ε). Scalar, per
        product (shape (P, 1)) or with leading draw axes (shape (D, 1, 1)).
    substitution_elasticity
        σ ≥ 0 between sources (WITS default 1.5, unconfirmed).
    export_supply_elasticity
        η > 0; ``numpy.inf`` (the default) means perfectly elastic supply, no price effect.
    products, partners
        Labels; default ``p0..``, ``k0..``.

    Returns
    -------
    SmartResult

    Examples
    --------
    The worked example of economics-methods.md §4.1:

    >>> r = smart([100, 50, 300, 25], [0.1] * 4, [0, 0, 0.1, 0.1],
    ...           import_demand_elasticity=1.2, substitution_elasticity=1.5,
    ...           export_supply_elasticity=99)
    >>> r.trade_creation.round(2).tolist()
    [[10.78, 5.39, 0.0, 0.0]]
    >>> r.trade_diversion.round(2).tolist()
    [[9.8, 4.9, -13.57, -1.13]]
    """
    m0 = check_flows(imports)
    if m0.ndim == 1:
        m0 = m0[None, :]
    if m0.ndim != 2:
        raise InputError(f"imports must be 1-D or 2-D (products x partners); got {m0.ndim}-D.",
                         field="imports", expected="shape (P, K)", example="[[100, 50, 300]]")
    t0 = np.broadcast_to(check_rates(tariff_base, field="tariff_base"), m0.shape).astype(float)
    t1 = np.broadcast_to(check_rates(tariff_new, field="tariff_new"), m0.shape).astype(float)
    eps = check_positive(import_demand_elasticity, field="import_demand_elasticity",
                         hint=" Give the import demand elasticity as a positive magnitude"
                              " (Em = -ε); a negative value is the wrong sign convention.")
    sig = check_positive(substitution_elasticity, field="substitution_elasticity", allow_zero=True)
    eta = check_positive(export_supply_elasticity, field="export_supply_elasticity", allow_inf=True)

    # Trade creation (own-price response), Laird-Yeats with finite export supply.
    tc = m0 * eps * (t0 - t1) / ((1.0 + t0) * (1.0 + eps / eta))

    # Trade diversion: share-ratio rule against the reference group's factor change.
    r = (1.0 + t1) / (1.0 + t0)
    x = reference_factor(m0, r) / r - 1.0                    # rel. price of reference vs k
    w = 1.0 + sig * x                                        # >= 1; broadcasts over draws
    denom = (m0 * w).sum(axis=-1, keepdims=True)
    tot = m0.sum(axis=-1, keepdims=True)
    # TD_k = M_k (w_k ΣM − Σ M w) / Σ M w: exactly 0 when every weight is 1.
    safe = np.where(denom > 0, denom, 1.0)
    td = np.where(denom > 0, m0 * (w * tot - denom) / safe, 0.0)

    # World price effect with finite η, valued on the new quantity.
    with np.errstate(invalid="ignore", divide="ignore"):
        dp = np.where(m0 > 0, tc / np.where(m0 > 0, m0, 1.0), 0.0) / eta
    q1 = m0 + tc + td
    # The closed forms are linear in the tariff change: a large increase (ε Δt/(1+t⁰) near 1) or
    # a large σ can push creation + diversion past the existing trade. That is outside the
    # model, so refuse it rather than report negative imports.
    scale = np.maximum(m0.sum(axis=-1, keepdims=True), 1.0)
    neg = q1 < -1e-9 * scale
    if neg.any():
        where = np.argwhere(neg)[0]
        p_i, k_i = int(where[-2]), int(where[-1])
        labels_k = partners if partners is not None else tuple(f"k{i}" for i in range(m0.shape[1]))
        labels_p = products if products is not None else tuple(f"p{i}" for i in range(m0.shape[0]))
        share = float(neg.any(axis=(-2, -1)).mean()) if neg.ndim > 2 else 1.0
        raise InputError(
            f"SMART's linear closed forms give negative imports from {labels_k[k_i]} of {labels_p[p_i]} "
            f"(M0 {m0[p_i, k_i]:.6g}, TC + TD {float((tc + td)[tuple(where)]):.6g})"
            + (f" in {share:.1%} of the draws" if neg.ndim > 2 else "")
            + ": the tariff change is too large for the linear approximation at these elasticities. "
            "Use a smaller change or smaller ε/σ, or the enforcement / GSIM model (CES, exact).",
            field="tariff_new", expected="changes with creation + diversion within existing trade",
            example="import_demand_elasticity: 1.2, substitution_elasticity: 1.5, duty 0.25")
    pe = q1 * dp
    m1 = q1 + pe
    rev0 = t0 * m0
    rev1 = t1 * m1
    welfare = 0.5 * (t0 - t1) * np.abs(tc)
    P, K = m0.shape
    return SmartResult(
        products=tuple(products) if products is not None else tuple(f"p{i}" for i in range(P)),
        partners=tuple(partners) if partners is not None else tuple(f"k{i}" for i in range(K)),
        imports_base=m0, tariff_base=t0, tariff_new=t1,
        trade_creation=np.asarray(tc), trade_diversion=np.asarray(td), price_effect=np.asarray(pe),
        world_price_change=np.asarray(np.broadcast_to(dp, tc.shape)), imports_new=np.asarray(m1),
        revenue_base=rev0, revenue_new=np.asarray(rev1), welfare=np.asarray(welfare),
        parameters={"import_demand_elasticity": _param(eps), "substitution_elasticity": _param(sig),
                    "export_supply_elasticity": _param(eta)},
    )


def _param(a: Array) -> Any:
    if a.size == 1:
        v = float(a.ravel()[0])
        return "inf" if np.isinf(v) else v
    return {"shape": list(a.shape), "mean": float(np.mean(a[np.isfinite(a)])) if np.isfinite(a).any() else "inf"}
