"""GSIM (Francois & Hall): the published 4x4 world price changes, invariants, a cross-check
against SMART, and a run on baci-shrimp-2018.

Tolerances: the published world price changes are printed to 4 decimals, so 5e-5; identities
to 1e-9; the SMART cross-check is first order, so 1e-3 relative for a 0.1% tariff change.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.pe import gsim, smart
from tradepolicy.economics.pe.gsim import gsim_from_frame
from tradepolicy.errors import InputError

PUB_TOL = 5e-5


@requires_dataset("gsim-4x4-example")
def test_gsim_4x4_reproduces_published_world_price_changes() -> None:
    # Source: the public "GSIM 4x4 model" R script the dataset was transcribed from (see
    # gsim-4x4-example/PROVENANCE.md); its "reported prices" line for the US-EU FTA is
    # x = (0.0792, -0.0316, 0.0480, -0.0184) for US, JP, EU, RW. Tolerance: 4 decimals.
    from tradepolicy.datasets.readers.gsim import read_gsim_4x4

    inputs, el = read_gsim_4x4()
    regions, M, T0, T1 = gsim_from_frame(inputs, value="trade_value", regions=list(el["region"]))
    r = gsim(M, T0, T1, import_demand_elasticity=el["import_demand_elasticity"],
             substitution_elasticity=el["substitution_elasticity"],
             export_supply_elasticity=el["export_supply_elasticity"],
             exporters=regions, importers=regions)
    assert regions == ("US", "JP", "EU", "RW")
    np.testing.assert_allclose(r.world_price_change, [0.0792, -0.0316, 0.0480, -0.0184], atol=PUB_TOL)
    # Market clearing holds at the solution: Σ_v φ_rv M̂_rv = E_x P̂*_r (identity, 1e-9).
    phi = M / M.sum(axis=1, keepdims=True)
    np.testing.assert_allclose((phi * r.import_change).sum(axis=1), 1.5 * r.world_price_change, atol=1e-9)
    # FTA members gain trade with each other.
    assert r.imports_new[0, 2] > M[0, 2] and r.imports_new[2, 0] > M[2, 0]


def test_zero_change_gives_zero() -> None:
    M = np.array([[0, 50.0], [80.0, 10.0]])
    T = np.array([[1.0, 1.1], [1.2, 1.0]])
    r = gsim(M, T, T, import_demand_elasticity=-1.0, substitution_elasticity=4.0, export_supply_elasticity=2.0)
    assert np.abs(r.world_price_change).max() == 0.0
    assert np.abs(r.imports_new - M).max() == 0.0
    assert abs(r.summary()["net_welfare"]) == 0.0


def test_single_importer_matches_smart_to_first_order() -> None:
    # With one importer, perfectly elastic supply (E_x large) and a uniform base tariff, the
    # GSIM total import change equals SMART's TC + TD total (diversion nets to zero) to first
    # order: both are −ε M P̂. Checked for a 0.1% cut on one source (relative 1e-3).
    m = np.array([[400.0], [300.0], [200.0]])
    t0 = np.full((3, 1), 1.05)
    t1 = t0.copy()
    t1[0, 0] = 1.05 * 0.999
    g = gsim(m, t0, t1, import_demand_elasticity=-1.3, substitution_elasticity=2.0,
             export_supply_elasticity=1e9)
    s = smart(m[:, 0], 0.05, t1[:, 0] - 1.0, import_demand_elasticity=1.3, substitution_elasticity=2.0)
    dg = g.imports_new.sum() - m.sum()
    ds = s.summary()["total_effect"]
    assert dg == pytest.approx(ds, rel=1e-3)


def test_gsim_bad_input() -> None:
    M = np.ones((2, 2))
    with pytest.raises(InputError) as e:
        gsim(M, 1.0, 1.0, import_demand_elasticity=1.25, substitution_elasticity=5, export_supply_elasticity=1.5)
    assert e.value.field == "import_demand_elasticity"
    with pytest.raises(InputError):
        gsim(-M, 1.0, 1.0, import_demand_elasticity=-1.25, substitution_elasticity=5, export_supply_elasticity=1.5)
    with pytest.raises(InputError):
        gsim(M, 0.0, 1.0, import_demand_elasticity=-1.25, substitution_elasticity=5, export_supply_elasticity=1.5)


@requires_dataset("baci-shrimp-2018")
def test_gsim_on_shrimp_duty_on_india_into_usa() -> None:
    # BACI 2018 frozen shrimp (030617), every exporter x importer; the US adds a 25% duty on
    # India. Expected signs (no published figure): India's world price falls, its US sales
    # fall, its sales elsewhere rise; the US tariff revenue rises.
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    df = read_baci_shrimp_2018()
    df = df[df["hs6"] == "030617"].copy()
    df["exporter"] = df["exporter"].fillna("TWN").replace("N/A", "TWN")
    df["importer"] = df["importer"].fillna("TWN").replace("N/A", "TWN")
    df["t0"] = 1.0
    df["t1"] = np.where((df["exporter"] == "IND") & (df["importer"] == "USA"), 1.25, 1.0)
    regions, M, T0, T1 = gsim_from_frame(df, value="value_kusd", t0="t0", t1="t1")
    r = gsim(M, T0, T1, import_demand_elasticity=-1.25, substitution_elasticity=5.0,
             export_supply_elasticity=1.5, exporters=regions, importers=regions)
    i, u = regions.index("IND"), regions.index("USA")
    assert r.world_price_change[i] < 0
    assert r.imports_new[i, u] < M[i, u]
    others = [j for j in range(len(regions)) if j != u and M[i, j] > 0]
    assert (r.imports_new[i, others] > M[i, others]).all()
    reg = r.by_region().set_index("region")
    assert reg.loc["USA", "tariff_revenue"] > 0


def test_batched_draws_equal_single_solves() -> None:
    # A leading draw axis solves every draw in one call; each equals its scalar solve (1e-12).
    M = np.array([[0, 50.0, 200], [500, 0, 150], [300, 100, 200]])
    T0 = np.array([[1, 1.2, 1.4], [1.3, 1, 1.3], [1.3, 1.3, 1]])
    T1 = T0.copy()
    T1[0, 2] = T1[2, 0] = 1.0
    es = np.array([[2.0], [5.0], [9.0]])
    many = gsim(M, T0, T1, import_demand_elasticity=-1.25, substitution_elasticity=es, export_supply_elasticity=1.5)
    assert many.world_price_change.shape == (3, 3)
    for d in range(3):
        one = gsim(M, T0, T1, import_demand_elasticity=-1.25, substitution_elasticity=float(es[d, 0]),
                   export_supply_elasticity=1.5)
        np.testing.assert_allclose(many.world_price_change[d], one.world_price_change, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(many.consumer_surplus[d], one.consumer_surplus, rtol=1e-12, atol=1e-12)


def test_negative_trade_is_refused() -> None:
    # Hand check: one importer, two equal exporters, E_m = -1.25, E_s = 5, E_x = 1.5, and a
    # 200% duty on exporter 0 (T 1 -> 3, dT = 2). Its import response is linear in dT, about
    # -(1 - θ) E_s dT = -5 (plus a smaller world-price offset), far below -1: negative trade.
    with pytest.raises(InputError) as e:
        gsim([[100.0], [100.0]], 1.0, [[3.0], [1.0]], import_demand_elasticity=-1.25,
             substitution_elasticity=5.0, export_supply_elasticity=1.5, exporters=["CHN", "MEX"],
             importers=["USA"])
    assert e.value.field == "tariff_factor_new" and "CHN to USA" in str(e.value)


def test_uniform_draws_shortcut_equals_direct_solves() -> None:
    # Draws whose elasticities are equal across regions are solved with one eigendecomposition
    # (gsim._solve_uniform_draws); each draw must equal its own direct linear solve (1e-12,
    # rounding). The market has an exporter without sales (its row of φ is 0, x = 0).
    import sys

    G = sys.modules["tradepolicy.economics.pe.gsim"]
    rng = np.random.default_rng(7)
    M = rng.lognormal(2, 1.5, size=(40, 40)) * (rng.uniform(size=(40, 40)) < 0.6)
    M[5] = 0.0
    T0 = 1 + rng.uniform(0, 0.08, size=M.shape)
    T1 = np.where(rng.uniform(size=M.shape) < 0.2, 1.0, T0)
    es = rng.uniform(1, 4, size=(25, 1))
    ex = rng.uniform(0.5, 5, size=(25, 1))
    em = -rng.uniform(0.5, 3, size=(25, 1))
    many = gsim(M, T0, T1, import_demand_elasticity=em, substitution_elasticity=es, export_supply_elasticity=ex)
    spend = M * T0
    theta = spend / np.where(spend.sum(0) > 0, spend.sum(0), 1)
    phi = M / np.where(M.sum(1, keepdims=True) > 0, M.sum(1, keepdims=True), 1)
    assert G._solve_uniform_draws(phi, theta, T1 / T0 - 1, em, es, ex) is not None   # the shortcut ran
    for d in range(25):
        one = gsim(M, T0, T1, import_demand_elasticity=float(em[d, 0]), substitution_elasticity=float(es[d, 0]),
                   export_supply_elasticity=float(ex[d, 0]))
        np.testing.assert_allclose(many.world_price_change[d], one.world_price_change, rtol=1e-10, atol=1e-13)
    assert np.all(many.world_price_change[:, 5] == 0.0)
