"""PE model of an enforcement tariff (subject vs non-subject suppliers, COMPAS style).

Oracles: with every supply curve flat (η = ∞) the equilibrium has a closed form computed
independently below (1e-10); market clearing and the revenue identity (1e-10); batched
draws equal single solves (1e-12); GSIM (linear, independent code) agrees to first order
for a small tariff change (1e-3 relative).
"""

from __future__ import annotations

import numpy as np
import pytest

from tradepolicy.economics.pe import enforcement_tariff, gsim
from tradepolicy.errors import InputError

SRC = ["CHN", "non-subject", "domestic"]
V0 = np.array([2500.0, 7500.0, 30000.0])
T0 = np.array([0.05, 0.05, 0.0])
T1 = np.array([0.30, 0.05, 0.0])


def test_flat_supply_closed_form() -> None:
    eps, sig = 0.8, 3.0
    r = enforcement_tariff(V0, T0, T1, demand_elasticity=eps, substitution_elasticity=sig,
                           supply_elasticities=np.inf, sources=SRC)
    # Closed form: P = (Σ w_i ((1+t1)/(1+t0))^{1−σ})^{1/(1−σ)}, q_i/q0_i = ((1+t1)/(1+t0))^{−σ} P^{σ−ε}.
    w = V0 * (1 + T0) / (V0 * (1 + T0)).sum()
    rho = (1 + T1) / (1 + T0)
    P = (w * rho ** (1 - sig)).sum() ** (1 / (1 - sig))
    q = rho ** (-sig) * P ** (sig - eps)
    np.testing.assert_allclose(r.quantity_change, q - 1, atol=1e-10)
    assert r.composite_price_change == pytest.approx(P - 1, abs=1e-12)
    assert np.abs(r.producer_price_change).max() == 0.0


def test_section301_signs_and_identities() -> None:
    r = enforcement_tariff(V0, T0, T1, demand_elasticity=0.8, substitution_elasticity=3.0,
                           supply_elasticities=[5.0, 10.0, 2.0], sources=SRC)
    qc = r.quantity_change
    assert qc[0] < 0 and qc[1] > 0 and qc[2] > 0           # diversion away from the subject
    assert r.producer_price_change[0] < 0                  # the subject absorbs part of the duty
    assert r.composite_price_change > 0 and r.consumer_surplus < 0
    # Market clearing q_i = q0_i p_i^η_i (identity).
    p = 1 + r.producer_price_change
    np.testing.assert_allclose(V0 * (1 + qc), V0 * p ** np.array([5.0, 10.0, 2.0]), rtol=1e-10)
    # Revenue identity and home welfare decomposition.
    assert r.tariff_revenue == pytest.approx((T1 * r.value_new).sum() - (T0 * V0).sum(), rel=1e-10)
    assert r.home_welfare == pytest.approx(r.consumer_surplus + r.producer_surplus[2] + r.tariff_revenue, rel=1e-10)


def test_zero_change_gives_zero() -> None:
    r = enforcement_tariff(V0, T0, T0, demand_elasticity=1.2, substitution_elasticity=2.5,
                           supply_elasticities=[3.0, 3.0, 1.0], sources=SRC)
    assert np.abs(r.quantity_change).max() < 1e-12
    assert abs(r.home_welfare) < 1e-8


def test_batched_draws_equal_single_solves() -> None:
    eps = np.array([[0.5], [1.5], [3.0]])
    many = enforcement_tariff(V0, T0, T1, demand_elasticity=eps, substitution_elasticity=4.0,
                              supply_elasticities=[2.0, 5.0, 1.0], sources=SRC)
    for d in range(3):
        one = enforcement_tariff(V0, T0, T1, demand_elasticity=float(eps[d, 0]), substitution_elasticity=4.0,
                                 supply_elasticities=[2.0, 5.0, 1.0], sources=SRC)
        np.testing.assert_allclose(many.quantity_change[d], one.quantity_change, rtol=1e-12, atol=1e-14)
        assert many.home_welfare[d] == pytest.approx(float(one.home_welfare), rel=1e-12)


def test_small_change_agrees_with_gsim_to_first_order() -> None:
    # One importer with three sources; GSIM (linear, Francois & Hall) vs the exact CES model:
    # E_m = −ε, E_s = σ, E_x = η. A 0.1% duty change on the subject source.
    eps, sig, eta = 0.9, 3.0, np.array([4.0, 6.0, 2.0])
    t1 = T0.copy()
    t1[0] += 0.001
    r = enforcement_tariff(V0, T0, t1, demand_elasticity=eps, substitution_elasticity=sig,
                           supply_elasticities=eta, sources=SRC)
    g = gsim(V0[:, None], (1 + T0)[:, None], (1 + t1)[:, None], import_demand_elasticity=-eps,
             substitution_elasticity=sig, export_supply_elasticity=eta)
    np.testing.assert_allclose(r.producer_price_change, g.world_price_change, rtol=1e-3)


@pytest.mark.parametrize(("kw", "field"), [
    ({"demand_elasticity": -0.8}, "demand_elasticity"),
    ({"substitution_elasticity": 0.0}, "substitution_elasticity"),
    ({"substitution_elasticity": 1.0}, "substitution_elasticity"),
    ({"supply_elasticities": [1.0, -2.0, 1.0]}, "supply_elasticities"),
])
def test_bad_elasticities(kw: dict, field: str) -> None:
    args = {"demand_elasticity": 0.8, "substitution_elasticity": 3.0, "supply_elasticities": 2.0} | kw
    with pytest.raises(InputError) as e:
        enforcement_tariff(V0, T0, T1, sources=SRC, **args)
    assert e.value.field == field


def test_negative_or_missing_values_rejected() -> None:
    with pytest.raises(InputError):
        enforcement_tariff([1.0, -1.0, 3.0], T0, T1, demand_elasticity=1, substitution_elasticity=2,
                           supply_elasticities=1, sources=SRC)
    with pytest.raises(InputError):
        enforcement_tariff([1.0, np.nan, 3.0], T0, T1, demand_elasticity=1, substitution_elasticity=2,
                           supply_elasticities=1, sources=SRC)
