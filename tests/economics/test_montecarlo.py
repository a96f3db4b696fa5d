"""Monte Carlo GE: degenerate draws reproduce solve_ge, seeds reproduce, bands are ordered,
executors give identical draws. Data: a seeded invented world."""

from __future__ import annotations

import numpy as np
import pytest

from tradepolicy.economics.ge import GEData, solve_ge
from tradepolicy.economics.montecarlo import monte_carlo_ge
from tradepolicy.errors import InputError

TOL = 1e-9  # same equations as solve_ge, same tolerance


def make_world(n: int = 25, seed: int = 0):
    rng = np.random.default_rng(seed)
    d = rng.lognormal(8, 0.5, (n, n))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 30.0)
    pta = np.zeros((n, n))
    pta[2, 5] = pta[5, 2] = 1
    z = {"lndist": np.log(d), "intl": 1 - np.eye(n), "pta": pta}
    coefs = {"lndist": -0.8, "intl": -2.5, "pta": 0.47}
    t = np.exp(sum(coefs[k] * z[k] for k in coefs))
    y = rng.lognormal(10, 1.2, n)
    x = np.outer(y, y) * t * rng.lognormal(0, 0.2, (n, n))
    pta1 = pta.copy()
    pta1[1, :] = pta1[:, 1] = 1
    pta1[1, 1] = 0
    names = [f"C{k:02d}" for k in range(n)]
    return GEData.from_arrays(x, names), z, {"pta": pta1}, coefs


def test_fixed_coefficients_reproduce_solve_ge() -> None:
    # Oracle: solve_ge with T = exp(Z beta) built from the same coefficients.
    data, z, cf, coefs = make_world()
    mc = monte_carlo_ge(data, cost_variables=z, counterfactual=cf, coefficients=coefs,
                        covariance=None, sigma=5, reference="C00", draws=3, block=2)
    t0 = np.exp(sum(coefs[k] * z[k] for k in coefs))
    tau = np.exp(coefs["pta"] * (cf["pta"] - z["pta"]))
    ge = solve_ge(GEData.from_arrays(data.flows, data.countries, costs=t0), tau_hat=tau,
                  sigma=5, reference="C00")
    pairs = {"full_real_gdp": ("full", "real_gdp"), "full_welfare": ("full", "welfare"),
             "full_factory_gate_price": ("full", "factory_gate_price"),
             "full_exports": ("full", "exports"),
             "conditional_real_gdp": ("conditional", "real_gdp"),
             "conditional_exports": ("conditional", "exports")}
    for m, (stage, attr) in pairs.items():
        for d in range(3):
            np.testing.assert_allclose(mc.samples[m][d], ge.change(stage, attr), atol=TOL,
                                       err_msg=m)


def test_draws_are_reproducible_and_bands_ordered() -> None:
    data, z, cf, coefs = make_world()
    cov = np.diag([0.03, 0.1, 0.1]) ** 2
    kw = dict(cost_variables=z, counterfactual=cf, coefficients=coefs, covariance=cov,
              sigma=5, sigma_sd=0.5, reference="C00", draws=40, seed=11)
    a = monte_carlo_ge(data, **kw)  # type: ignore[arg-type]
    b = monte_carlo_ge(data, block=7, **kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a.coefficient_draws, b.coefficient_draws)
    np.testing.assert_allclose(a.samples["full_real_gdp"], b.samples["full_real_gdp"],
                               atol=TOL)
    bands = a.bands("full_real_gdp")
    assert (bands["q05"] <= bands["q50"]).all() and (bands["q50"] <= bands["q95"]).all()
    assert bands.loc["C01", "q05"] > 0  # the new PTA member gains in every draw here
    assert bands.loc["C01", "std"] > 0
    assert a.sigma_draws.min() > 1
    long = a.to_frame()
    assert long.index.names == ["measure", "iso3"] and len(long) == 6 * data.n


def test_bad_monte_carlo_inputs() -> None:
    data, z, cf, coefs = make_world(n=6)
    with pytest.raises(InputError, match="do not match"):
        monte_carlo_ge(data, cost_variables=z, counterfactual={"rta": z["pta"]},
                       coefficients=coefs, covariance=None, sigma=5, reference="C00")
    with pytest.raises(InputError, match="covariance"):
        monte_carlo_ge(data, cost_variables=z, counterfactual=cf, coefficients=coefs,
                       covariance=np.eye(2), sigma=5, reference="C00")
    with pytest.raises(InputError, match="sigma"):
        monte_carlo_ge(data, cost_variables=z, counterfactual=cf, coefficients=coefs,
                       covariance=None, sigma=0.9, reference="C00")


def test_monte_carlo_rejects_nan_spread_and_fractional_draws() -> None:
    # sigma_sd = NaN used to give NaN sigma draws (NaN <= 1 is False); draws = 2.5 a
    # TypeError from range()
    data, z, cf, coefs = make_world(n=6)
    kw = dict(cost_variables=z, counterfactual=cf, coefficients=coefs, covariance=None,
              sigma=5, reference="C00")
    with pytest.raises(InputError) as err:
        monte_carlo_ge(data, sigma_sd=float("nan"), **kw)  # type: ignore[arg-type]
    assert err.value.field == "sigma_sd"
    with pytest.raises(InputError) as err:
        monte_carlo_ge(data, draws=2.5, **kw)  # type: ignore[arg-type]
    assert err.value.field == "draws"
