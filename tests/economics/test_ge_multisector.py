"""Multi-sector GE: reduces to the one-sector model, split-sector invariance, equilibrium
conditions, heterogeneous elasticities, bad input. Data: a seeded invented world."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradepolicy.economics.ge import GEData, MultiSectorData, solve_ge, solve_ge_multisector
from tradepolicy.errors import InputError

TOL = 1e-9  # exact identities of the model, solved to 1e-10


def world(n: int = 20, s: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = rng.lognormal(8, 0.5, (n, n))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 30.0)
    y = rng.lognormal(10, 1.0, n)
    out = []
    for _ in range(s):
        t = np.exp(-rng.uniform(0.5, 1.2) * np.log(d) - 2.0 * (1 - np.eye(n)))
        out.append(np.outer(y * rng.lognormal(0, 0.5, n), y * rng.lognormal(0, 0.3, n)) * t)
    x = np.stack(out)
    x[:, 2, :] *= 1.4  # imbalance
    return x


def names(n: int) -> list[str]:
    return [f"C{k:02d}" for k in range(n)]


def shock(n: int, member: int = 1, beta: float = 0.5) -> np.ndarray:
    b = np.ones((n, n))
    b[member, :] *= np.exp(beta)
    b[:, member] *= np.exp(beta)
    b[member, member] = 1.0
    return b


@pytest.mark.parametrize("imbalance", ["multiplicative", "additive"])
def test_one_sector_is_the_one_sector_model(imbalance: str) -> None:
    # Oracle: solve_ge on the same flows (S = 1 reduces the model exactly).
    x = world(s=1)
    b = shock(20)
    one = solve_ge(GEData.from_arrays(x[0], names(20)), tau_hat=b, sigma=6, reference="C00",
                   imbalance=imbalance)
    multi = solve_ge_multisector(MultiSectorData.from_arrays(x, names(20), ["all"]),
                                 tau_hat=b, sigma=6, reference="C00", imbalance=imbalance)
    np.testing.assert_allclose(multi.real_gdp, one.change("full", "real_gdp"), atol=TOL)
    np.testing.assert_allclose(multi.welfare, one.change("full", "welfare"), atol=TOL)
    np.testing.assert_allclose(multi.factory_gate_price,
                               one.change("full", "factory_gate_price"), atol=TOL)
    np.testing.assert_allclose(multi.conditional_imr[0], one.change("conditional", "imr"),
                               atol=TOL)
    np.testing.assert_allclose(multi.conditional_omr[0], one.change("conditional", "omr"),
                               atol=TOL)
    np.testing.assert_allclose(multi.full_imr[0], one.change("full", "imr"), atol=TOL)
    np.testing.assert_allclose(multi.full_omr[0], one.change("full", "omr"), atol=1e-8)
    np.testing.assert_allclose(multi.full_flows[0], one.full.flows, rtol=1e-8)


def test_splitting_a_sector_in_two_identical_halves_changes_nothing() -> None:
    # Invariant: two identical half-sectors are the same economy as one sector.
    x = world(s=2)
    b = np.stack([shock(20), np.ones((20, 20))])
    base = solve_ge_multisector(MultiSectorData.from_arrays(x, names(20), ["a", "b"]),
                                tau_hat=b, sigma=[5.0, 8.0], reference="C03")
    split = np.stack([x[0] / 2, x[0] / 2, x[1]])
    b3 = np.stack([b[0], b[0], b[1]])
    res = solve_ge_multisector(MultiSectorData.from_arrays(split, names(20), ["a1", "a2", "b"]),
                               tau_hat=b3, sigma=[5.0, 5.0, 8.0], reference="C03")
    np.testing.assert_allclose(res.real_gdp, base.real_gdp, atol=TOL)
    np.testing.assert_allclose(res.full_imr[0], base.full_imr[0], atol=TOL)


def test_zero_shock_and_equilibrium_conditions() -> None:
    x = world(s=4)
    data = MultiSectorData.from_arrays(x, names(20), list("abcd"))
    zero = solve_ge_multisector(data, tau_hat=np.ones((20, 20)), sigma=4, reference="C00")
    assert np.abs(zero.real_gdp).max() < TOL and np.abs(zero.conditional_imr).max() < TOL
    b = np.stack([shock(20, 1, 0.2 * k) for k in range(4)])
    res = solve_ge_multisector(data, tau_hat=b, sigma=[3.0, 5.0, 7.0, 9.0], reference="C00")
    # factor market clearing: w_i Y_i = sum_s sum_j X'^s_ij
    y0 = x.sum(axis=(0, 2))
    np.testing.assert_allclose(res.full_flows.sum(axis=(0, 2)),
                               (1 + res.factory_gate_price) * y0, rtol=TOL)
    # sectoral expenditure shares alpha^s_j are Cobb-Douglas constants
    alpha0 = x.sum(axis=1) / x.sum(axis=(0, 1))
    alpha1 = res.full_flows.sum(axis=1) / res.full_flows.sum(axis=(0, 1))
    np.testing.assert_allclose(alpha1, alpha0, rtol=TOL)
    assert abs(res.price_index[0]) < TOL  # numeraire: the reference CPI
    assert res.real_gdp[1] > 0 and res.diagnostics.converged
    frame = res.to_frame()
    assert list(frame.index) == names(20) and "full_real_gdp" in frame


def test_from_frame_and_bad_input() -> None:
    rows = [(s, i, j, 1.0 + (i == j)) for s in ("x", "y") for i in ("A", "B") for j in ("A", "B")]
    df = pd.DataFrame(rows, columns=["sector", "exporter", "importer", "trade"])
    data = MultiSectorData.from_frame(df)
    assert data.flows.shape == (2, 2, 2)
    with pytest.raises(InputError, match="balanced"):
        MultiSectorData.from_frame(df.iloc[:-1])
    bad = df.copy()
    bad.loc[0, "trade"] = -1.0
    with pytest.raises(InputError, match="negative"):
        MultiSectorData.from_frame(bad)
    with pytest.raises(InputError, match="sigma"):
        solve_ge_multisector(data, tau_hat=np.ones((2, 2)), sigma=1.0, reference="A")
    with pytest.raises(InputError, match="one value per sector"):
        solve_ge_multisector(data, tau_hat=np.ones((2, 2)), sigma=[2.0, 3.0, 4.0],
                             reference="A")
    with pytest.raises(InputError, match="unknown country"):
        solve_ge_multisector(data, tau_hat=np.ones((2, 2)), sigma=3.0, reference="ZZZ")
    with pytest.raises(InputError, match="tau_hat"):
        solve_ge_multisector(data, tau_hat=np.ones((3, 2, 2)), sigma=3.0, reference="A")
