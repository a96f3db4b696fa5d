"""One-sector structural gravity GE: invariants (economics-methods.md section 10), two
independent full-GE algorithms, the book's GE-PPML loop, and bad input.

Data here are invented (a seeded synthetic world); the real-data side-by-side runs against
gegravity are in test_ge_gegravity.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradepolicy.economics.ge import GEData, solve_ge, solve_ge_ppml
from tradepolicy.errors import ConvergenceError, InputError

# Tolerances, declared once.
ALG_TOL = 1e-8  # exact-hat vs resistance-based fixed point (the brief's 1e-8)
INV_TOL = 1e-9  # invariants that hold exactly in the model, solved to tol 1e-10
PPML_LOOP_TOL = 1e-3  # the book's loop is damped-oscillatory (economics-methods 10.1)


def synthetic_world(n: int = 30, seed: int = 0, imbalanced: bool = True) -> GEData:
    """A seeded world with distance, border and random noise; optionally unbalanced."""
    rng = np.random.default_rng(seed)
    y = rng.lognormal(10, 1.2, n)
    d = rng.lognormal(8, 0.5, (n, n))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 30.0)
    t = np.exp(-0.8 * np.log(d) - 2.0 * (1 - np.eye(n)))
    x = np.outer(y, y * rng.lognormal(0, 0.3, n)) * t * rng.lognormal(0, 0.2, (n, n))
    if imbalanced:
        x[2, :] *= 1.8  # country 2 runs a surplus
    names = [f"C{k:02d}" for k in range(n)]
    return GEData.from_arrays(x, names)


def pta_shock(n: int, member: int, beta: float = 0.47) -> np.ndarray:
    b = np.ones((n, n))
    b[member, :] *= np.exp(beta)
    b[:, member] *= np.exp(beta)
    b[member, member] = 1.0
    return b


@pytest.mark.parametrize("imbalance", ["multiplicative", "additive"])
def test_full_ge_two_algorithms_agree(imbalance: str) -> None:
    # Oracle: the exact-hat iteration and the nested price/resistance fixed point solve the
    # same equations by different routes; brief: agree to 1e-8.
    data = synthetic_world()
    b = pta_shock(data.n, 1)
    a = solve_ge(data, tau_hat=b, sigma=5, reference="C00", imbalance=imbalance)
    r = solve_ge(data, tau_hat=b, sigma=5, reference="C00", imbalance=imbalance,
                 full_algorithm="resistance")
    for field in ("factory_gate_price", "omr", "imr", "output", "expenditure", "flows"):
        np.testing.assert_allclose(getattr(r.full, field), getattr(a.full, field),
                                   rtol=ALG_TOL, err_msg=field)
    np.testing.assert_allclose(r.to_frame("decimal"), a.to_frame("decimal"), atol=ALG_TOL)
    assert a.diagnostics.converged and r.diagnostics.converged
    assert a.diagnostics.residual <= 1e-10


def test_zero_shock_changes_nothing() -> None:
    # Invariant (section 10.2.3): tau_hat = 1 leaves every equilibrium at the baseline.
    data = synthetic_world()
    res = solve_ge(data, tau_hat=np.ones((data.n, data.n)), sigma=5, reference="C03")
    frame = res.to_frame("decimal")
    assert np.abs(frame.to_numpy()).max() < INV_TOL


def test_observed_flows_are_the_baseline_without_costs() -> None:
    # Exact-hat convention: without costs, T rationalises the data, so the baseline model
    # flows equal the observed flows and every baseline resistance is 1.
    data = synthetic_world()
    res = solve_ge(data, tau_hat=pta_shock(data.n, 4), sigma=7, reference="C00")
    np.testing.assert_allclose(res.baseline.flows, data.flows, rtol=INV_TOL)
    np.testing.assert_allclose(res.baseline.omr, 1.0, rtol=INV_TOL)
    np.testing.assert_allclose(res.baseline.imr, 1.0, rtol=INV_TOL)


@pytest.mark.parametrize("imbalance", ["multiplicative", "additive"])
def test_equilibrium_conditions_hold(imbalance: str) -> None:
    # Model equations checked directly on the solution: market clearing in shares
    # (y'_i = sum_j X'_ij / sum X'), expenditure (column sums = E'), numeraire P'_ref = 1.
    data = synthetic_world()
    res = solve_ge(data, tau_hat=pta_shock(data.n, 1, 0.9), sigma=4, reference="C05",
                   imbalance=imbalance)
    f = res.full
    np.testing.assert_allclose(f.flows.sum(axis=0), f.expenditure, rtol=INV_TOL)
    y_share = f.output / f.output.sum()
    np.testing.assert_allclose(f.flows.sum(axis=1) / f.flows.sum(), y_share, rtol=INV_TOL)
    assert abs(f.imr[5] - 1.0) < INV_TOL and abs(res.baseline.imr[5] - 1.0) < INV_TOL
    np.testing.assert_allclose(res.conditional.flows.sum(axis=1), data.output, rtol=INV_TOL)
    if imbalance == "additive":  # deficits fixed in numeraire units
        np.testing.assert_allclose(f.expenditure - f.output,
                                   data.expenditure - data.output, rtol=1e-8, atol=1e-6)


def test_real_results_do_not_depend_on_the_numeraire() -> None:
    # Invariant (section 10.2.4): with multiplicative imbalances the full equilibrium's real
    # variables (real GDP, welfare, terms of trade, exports relative to output) are the same
    # whichever country is the reference importer. Nominal values and the conditional
    # equilibrium (nominal Y and E held fixed) do depend on the numeraire, by design.
    data = synthetic_world()
    b = pta_shock(data.n, 1)
    cols = ["full_real_gdp", "full_welfare", "full_terms_of_trade"]
    a = solve_ge(data, tau_hat=b, sigma=5, reference="C00")
    c = solve_ge(data, tau_hat=b, sigma=5, reference="C17")
    np.testing.assert_allclose(a.to_frame("decimal")[cols].to_numpy(),
                               c.to_frame("decimal")[cols].to_numpy(), atol=INV_TOL)
    np.testing.assert_allclose(a.full.exports / a.full.output, c.full.exports / c.full.output,
                               rtol=INV_TOL)
    assert not np.allclose(a.full.factory_gate_price, c.full.factory_gate_price, rtol=1e-6)


def test_scale_of_flows_is_irrelevant() -> None:
    # Homogeneity: flows in US$ million or US$ thousand give the same relative changes.
    data = synthetic_world()
    big = GEData.from_arrays(data.flows * 1000.0, data.countries)
    b = pta_shock(data.n, 3)
    for imb in ("multiplicative", "additive"):
        a = solve_ge(data, tau_hat=b, sigma=5, reference="C00", imbalance=imb).to_frame("decimal")
        c = solve_ge(big, tau_hat=b, sigma=5, reference="C00", imbalance=imb).to_frame("decimal")
        np.testing.assert_allclose(a.to_numpy(), c.to_numpy(), atol=INV_TOL)


def test_pta_raises_members_real_gdp_and_one_step_overstates_price() -> None:
    # Sign checks plus economics-methods section 2.3: gegravity's one-step price change
    # overstates the full-endowment price change of the shocked country.
    data = synthetic_world(seed=3, imbalanced=False)
    res = solve_ge(data, tau_hat=pta_shock(data.n, 1), sigma=5, reference="C00")
    frame = res.to_frame()
    assert frame.loc["C01", "full_real_gdp"] > 0
    assert frame.loc["C01", "conditional_exports"] > 0
    assert res.one_step_price[1] - 1 > res.full.factory_gate_price[1] - 1 > 0
    assert "C01" in res.summary()


def test_ge_ppml_loop_close_to_exact() -> None:
    # Cross-check (economics-methods section 10.1): the book's GE-PPML loop with its own
    # stopping rule lands within 1e-3 of the exact full-endowment equilibrium; its
    # conditional stage is the same system as solve_ge's conditional solve.
    data = synthetic_world(n=25, seed=5, imbalanced=False)
    t = data.baseline_costs()
    with_costs = GEData.from_arrays(data.flows, data.countries, costs=t)
    b = pta_shock(data.n, 1, 0.3)
    loop = solve_ge_ppml(with_costs, tau_hat=b, sigma=7, reference="C00")
    exact = solve_ge(with_costs, tau_hat=b, sigma=7, reference="C00")
    assert loop.stopped_by_rule and 2 <= loop.iterations <= 20
    np.testing.assert_allclose(loop.factory_gate_price, exact.full.factory_gate_price,
                               atol=PPML_LOOP_TOL)
    lf = loop.to_frame()
    ef = exact.to_frame()
    np.testing.assert_allclose(lf["conditional_exports"], ef["conditional_exports"], atol=1e-6)
    np.testing.assert_allclose(lf["full_real_gdp"] / 100, ef["full_real_gdp"] / 100,
                               atol=PPML_LOOP_TOL)
    back = loop.to_frame("baseline_vs_counterfactual")
    assert np.sign(back.loc["C01", "full_real_gdp"]) == -np.sign(lf.loc["C01", "full_real_gdp"])


def test_ge_ppml_tight_stopping_is_loud() -> None:
    # The loop oscillates; asking it for 1e-12 within 3 passes must raise, not return.
    data = synthetic_world(n=15, seed=2, imbalanced=False)
    with_costs = GEData.from_arrays(data.flows, data.countries, costs=data.baseline_costs())
    with pytest.raises(ConvergenceError):
        solve_ge_ppml(with_costs, tau_hat=pta_shock(15, 1), sigma=7, reference="C00",
                      stopping="tight", tol=1e-12, max_iter=3)


# ------------------------------------------------------------------ bad input
def long_frame(n: int = 3) -> pd.DataFrame:
    names = ["AAA", "BBB", "CCC", "DDD"][:n]
    rows = [(i, j, 10.0 if i == j else 1.0) for i in names for j in names]
    return pd.DataFrame(rows, columns=["exporter", "importer", "trade"])


def test_from_frame_round_trip() -> None:
    df = long_frame()
    data = GEData.from_frame(df)
    assert data.countries == ("AAA", "BBB", "CCC")
    np.testing.assert_allclose(data.output, [12.0, 12.0, 12.0])


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d.drop(index=4), "not square"),
        (lambda d: d.assign(trade=d["trade"].where(d.index != 2, -1.0)), "negative"),
        (lambda d: d.assign(trade=d["trade"].where(d.index != 5, np.nan)), "missing"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), "repeat"),
        (lambda d: d.rename(columns={"trade": "value"}), "missing column"),
    ],
)
def test_from_frame_rejects_bad_panels(mutate, match: str) -> None:
    with pytest.raises(InputError, match=match) as err:
        GEData.from_frame(mutate(long_frame()))
    assert err.value.field is not None


def test_negative_flow_error_names_the_row() -> None:
    df = long_frame()
    df.loc[2, "trade"] = -5.0
    with pytest.raises(InputError) as err:
        GEData.from_frame(df)
    assert "AAA" in (err.value.where or "") and "CCC" in (err.value.where or "")


@pytest.mark.parametrize("sigma", [1.0, 0.5, -2.0, float("nan"), float("inf")])
def test_sigma_must_exceed_one(sigma: float) -> None:
    data = GEData.from_frame(long_frame())
    with pytest.raises(InputError, match="sigma"):
        solve_ge(data, tau_hat=np.ones((3, 3)), sigma=sigma, reference="AAA")


def test_unknown_reference_and_bad_options() -> None:
    data = GEData.from_frame(long_frame())
    with pytest.raises(InputError, match="unknown country"):
        solve_ge(data, tau_hat=np.ones((3, 3)), sigma=5, reference="ZZZ")
    with pytest.raises(InputError, match="Expecting one of"):
        solve_ge(data, tau_hat=np.ones((3, 3)), sigma=5, reference="AAA", imbalance="both")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="shape"):
        solve_ge(data, tau_hat=np.ones((2, 2)), sigma=5, reference="AAA")
    with pytest.raises(InputError, match="tau_hat"):
        solve_ge(data, tau_hat=-np.ones((3, 3)), sigma=5, reference="AAA")


def test_non_convergence_is_loud_with_diagnostics() -> None:
    data = synthetic_world()
    with pytest.raises(ConvergenceError) as err:
        solve_ge(data, tau_hat=pta_shock(data.n, 1), sigma=5, reference="C00", max_iter=2)
    diags = err.value.details["diagnostics"]
    assert diags and diags[-1]["converged"] is False and diags[-1]["iterations"] == 2


# ------------------------------------------------------------------ properties
@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(3, 12),
    seed=st.integers(0, 10_000),
    sigma=st.floats(1.5, 12.0),
    beta=st.floats(-1.5, 1.5),
    imbalance=st.sampled_from(["multiplicative", "additive"]),
)
def test_random_worlds_two_algorithms_and_clearing(n: int, seed: int, sigma: float,
                                                   beta: float, imbalance: str) -> None:
    # Property over random invented worlds: both full-GE algorithms agree (1e-8), shares
    # clear, expenditure adds up, the reference price index stays put.
    data = synthetic_world(n=n, seed=seed)
    b = pta_shock(n, 1, beta)
    a = solve_ge(data, tau_hat=b, sigma=sigma, reference="C00", imbalance=imbalance)
    r = solve_ge(data, tau_hat=b, sigma=sigma, reference="C00", imbalance=imbalance,
                 full_algorithm="resistance")
    np.testing.assert_allclose(r.full.factory_gate_price, a.full.factory_gate_price,
                               rtol=ALG_TOL)
    np.testing.assert_allclose(r.full.flows, a.full.flows, rtol=ALG_TOL)
    f = a.full
    np.testing.assert_allclose(f.flows.sum(axis=0), f.expenditure, rtol=INV_TOL)
    np.testing.assert_allclose(f.flows.sum(axis=1) / f.flows.sum(), f.output / f.output.sum(),
                               rtol=INV_TOL)
    assert abs(f.imr[0] - 1.0) < INV_TOL


def test_more_bad_ge_inputs_are_clear_errors() -> None:
    # A row without a country code used to crash (ValueError from bincount); an empty
    # frame gave an empty model; a negative tolerance reported a failed convergence.
    frame = pd.DataFrame({"exporter": ["A", None], "importer": ["A", "A"], "trade": [1.0, 1.0]})
    with pytest.raises(InputError, match="without a country code") as err:
        GEData.from_frame(frame)
    assert err.value.field == "exporter"
    with pytest.raises(InputError, match="no flows"):
        GEData.from_frame(frame.iloc[:0])
    g = GEData.from_arrays(np.array([[10, 2, 1], [3, 8, 1], [1, 1, 5.0]]), ["A", "B", "C"])
    for kw, field in (({"tol": -1.0}, "tol"), ({"tol": float("nan")}, "tol"),
                      ({"max_iter": 0}, "max_iter"), ({"max_iter": 2.5}, "max_iter")):
        with pytest.raises(InputError) as err:
            solve_ge(g, tau_hat=np.ones((3, 3)), sigma=5, reference="A", **kw)  # type: ignore[arg-type]
        assert err.value.field == field
