"""Dense three-way PPML fast path: identical to pyfixest (1e-8) on real and invented panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.gravity import estimate_ppml, estimate_ppml_panel, run_preset
from tradepolicy.errors import InputError

COEF_TOL = 1e-8  # brief: a fast path must give identical coefficients to 1e-8
SE_TOL = 1e-6  # same clustered SE formula; relative
TIGHT = {"iwls_tol": 1e-10, "fixef_tol": 1e-10}  # the pyfixest oracle, solved tightly


def panel(n: int = 15, years: int = 5, seed: int = 0) -> pd.DataFrame:
    """Invented balanced panel with zeros, a never-trading pair and a PTA rolled out."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(years):
        for i in range(n):
            for j in range(n):
                pta = int((i + j) % 4 == 0 and t >= 2 and i != j)
                trend = (i != j) * t * 0.1
                mu = np.exp(3 + 0.4 * pta - 0.5 * (i != j) + 0.05 * (i + j) - trend)
                trade = float(rng.poisson(mu)) if (i, j) != (1, 2) else 0.0
                rows.append({"exporter": f"E{i:02d}", "importer": f"E{j:02d}", "year": 2000 + t,
                             "trade": trade, "pta": pta, "brdr_t": trend})
    df = pd.DataFrame(rows)
    df["exp_year"] = df["exporter"] + df["year"].astype(str)
    df["imp_year"] = df["importer"] + df["year"].astype(str)
    df["pair"] = df["exporter"] + df["importer"]
    return df


def test_fast_path_equals_pyfixest_on_invented_panel() -> None:
    # Oracle: pyfixest (through estimate_ppml, same tolerances), run side by side.
    df = panel()
    slow = estimate_ppml(df, "trade ~ pta + brdr_t | exp_year + imp_year + pair", cluster="pair",
                         fast_path=False, **TIGHT)
    fast = estimate_ppml_panel(df, "trade", ["pta", "brdr_t"])
    np.testing.assert_allclose(fast.coefficients, slow.coefficients, atol=COEF_TOL)
    np.testing.assert_allclose(fast.std_errors, slow.std_errors, rtol=SE_TOL)
    assert fast.n_obs == slow.n_obs == len(df) - 5  # the never-trading pair, 5 years
    assert {d.reason: d.count for d in fast.dropped}["separated_fe"] == 5


@requires_dataset("wiod-zylkin")
def test_fast_path_reproduces_wiod_eu_enlargement() -> None:
    # Published 0.22424901 (ppmlhdfe) and pyfixest side by side; domestic rows dropped.
    from tradepolicy.datasets.readers.gravity import read_wiod_zylkin

    df = read_wiod_zylkin()
    intl = df[df["exporter"] != df["importer"]]
    fast = estimate_ppml_panel(intl, "trade", ["eu_enlargement", "other_fta"])
    slow = run_preset("wiod_eu_enlargement", df, fast_path=False, **TIGHT)
    assert abs(fast.coefficients["eu_enlargement"] - 0.22424901) <= 5e-9
    np.testing.assert_allclose(fast.coefficients, slow.coefficients, atol=COEF_TOL)
    np.testing.assert_allclose(fast.std_errors, slow.std_errors, rtol=SE_TOL)
    assert fast.n_obs == 7568


def test_fast_path_bad_input() -> None:
    df = panel(n=4, years=2)
    with pytest.raises(InputError, match="repeat"):
        estimate_ppml_panel(pd.concat([df, df.iloc[[0]]]), "trade", ["pta"])
    with pytest.raises(InputError, match="not in the data"):
        estimate_ppml_panel(df, "trade", ["nope"])
    bad = df.copy()
    bad.loc[0, "trade"] = -1.0
    with pytest.raises(InputError, match="negative"):
        estimate_ppml_panel(bad, "trade", ["pta"])


def test_estimate_ppml_dispatches_to_the_fast_path_only_when_it_applies() -> None:
    # Oracle: the pyfixest path of the same call (coefficients to 1e-8, SEs to 1e-6).
    df = panel(n=10, years=4)
    fml = "trade ~ pta + brdr_t | exp_year + imp_year + pair"
    slow = estimate_ppml(df, fml, cluster="pair", fast_path=False, **TIGHT)
    fast = estimate_ppml(df, fml, cluster="pair", panel=("exporter", "importer", "year"))
    assert "fast path" in fast.vcov_type and "fast path" not in slow.vcov_type
    np.testing.assert_allclose(fast.coefficients, slow.coefficients, atol=COEF_TOL)
    np.testing.assert_allclose(fast.std_errors, slow.std_errors, rtol=SE_TOL)
    # FE interactions written a^b are recognised too
    inter = estimate_ppml(df, "trade ~ pta + brdr_t | exporter^year + importer^year + pair",
                          cluster="pair", panel=("exporter", "importer", "year"))
    assert "fast path" in inter.vcov_type
    # not the three-way structure (exporter FE instead of exporter-year): pyfixest
    other = estimate_ppml(df, "trade ~ pta + brdr_t | exporter + imp_year + pair",
                          cluster="pair", panel=("exporter", "importer", "year"))
    assert "fast path" not in other.vcov_type
    # cluster other than the pair: pyfixest
    by_exp = estimate_ppml(df, fml, cluster="exporter", panel=("exporter", "importer", "year"))
    assert "fast path" not in by_exp.vcov_type


def test_balanced_three_way_panel_is_detected_without_panel_argument(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The brief: the general estimate_ppml path must never be slower than pyfixest, so a
    # balanced three-way panel takes the dense path without being told. Oracle: pyfixest
    # (fast_path=False, tight tolerances) side by side: coefficients 1e-8, SEs 1e-6 relative.
    from tradepolicy.economics.gravity import estimate as ppml  # the backend chooser

    df = panel(n=10, years=4)
    fml = "trade ~ pta + brdr_t | exp_year + imp_year + pair"
    assert "fast path" not in estimate_ppml(df, fml, cluster="pair").vcov_type  # < 200k rows
    monkeypatch.setattr(ppml, "_MIN_ROWS_AUTO", 0)  # small data stands in for 1M rows
    slow = estimate_ppml(df, fml, cluster="pair", fast_path=False, **TIGHT)
    auto = estimate_ppml(df, fml, cluster="pair")  # FE codes; panel guessed from the names
    assert "fast path" in auto.vcov_type and "fast path" not in slow.vcov_type
    np.testing.assert_allclose(auto.coefficients, slow.coefficients, atol=COEF_TOL)
    np.testing.assert_allclose(auto.std_errors, slow.std_errors, rtol=SE_TOL)
    # interactions in any order, other column names: inferred from the FE themselves
    ren = df.rename(columns={"exporter": "o", "importer": "d", "year": "yr"})
    inter = estimate_ppml(ren, "trade ~ pta + brdr_t | d^yr + o^d + o^yr", cluster="pair")
    assert "fast path" in inter.vcov_type
    np.testing.assert_allclose(inter.coefficients, slow.coefficients, atol=COEF_TOL)
    # a sparse panel (under half the cells) stays on pyfixest
    sparse = df[(df["exporter"] < "E02") | (df["importer"] < "E02")]  # 36% of cells
    assert "fast path" not in estimate_ppml(sparse, fml, cluster="pair").vcov_type


def test_fast_path_drops_singletons_like_pyfixest(monkeypatch: pytest.MonkeyPatch) -> None:
    # A pair observed in one year only is a singleton pair-FE level: pyfixest drops it
    # (fixef_rm="singleton"), so must the dense path (same n_obs, same coefficients 1e-8,
    # same clustered SEs 1e-6 relative, since G counts only the pairs used).
    from tradepolicy.economics.gravity import estimate as ppml  # the backend chooser

    monkeypatch.setattr(ppml, "_MIN_ROWS_AUTO", 0)
    df = panel(n=8, years=4)
    lone = (df["exporter"] == "E03") & (df["importer"] == "E05") & (df["year"] > 2000)
    df = df[~lone].reset_index(drop=True)
    fml = "trade ~ pta + brdr_t | exp_year + imp_year + pair"
    slow = estimate_ppml(df, fml, cluster="pair", fast_path=False, **TIGHT)
    fast = estimate_ppml(df, fml, cluster="pair")
    assert "fast path" in fast.vcov_type
    by_fast = {d.reason: d.count for d in fast.dropped}
    by_slow = {d.reason: d.count for d in slow.dropped}
    assert by_fast["singleton"] == by_slow["singleton"] == 1
    assert fast.n_obs == slow.n_obs
    np.testing.assert_allclose(fast.coefficients, slow.coefficients, atol=COEF_TOL)
    np.testing.assert_allclose(fast.std_errors, slow.std_errors, rtol=SE_TOL)


def test_fast_path_failure_falls_back_to_pyfixest(monkeypatch: pytest.MonkeyPatch) -> None:
    # If the dense IRLS does not converge (e.g. a regressor separates some cells, which it
    # does not check), estimate_ppml hands the problem to pyfixest with its ir check instead
    # of failing. Oracle: the pyfixest path run directly (coefficients 1e-8).
    from tradepolicy.economics.gravity import balanced
    from tradepolicy.errors import ConvergenceError

    def fail(*_a: object, **_k: object) -> None:
        raise ConvergenceError("IRLS did not converge")

    df = panel(n=8, years=3)
    fml = "trade ~ pta + brdr_t | exp_year + imp_year + pair"
    monkeypatch.setattr(balanced, "estimate_ppml_panel", fail)
    res = estimate_ppml(df, fml, cluster="pair", panel=("exporter", "importer", "year"),
                        **TIGHT)
    ref = estimate_ppml(df, fml, cluster="pair", fast_path=False, **TIGHT)
    assert "fast path" not in res.vcov_type
    np.testing.assert_allclose(res.coefficients, ref.coefficients, atol=COEF_TOL)


def test_regressor_separation_is_not_estimated_on_the_dense_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A dummy that is 1 only on six zero-trade cells separates them (ppmlhdfe/pyfixest "ir").
    # The dense path used to return it with a coefficient of -23.6 (diverging, "converged");
    # now it refuses, and estimate_ppml's automatic route gives pyfixest's answer: six rows
    # dropped as separated_ir, the dummy omitted, pta equal to 1e-8.
    from tradepolicy.economics.gravity import estimate as ppml  # the backend chooser
    from tradepolicy.errors import ConvergenceError

    df = panel(n=10, years=4)
    idx = df.sample(6, random_state=1).index
    df["sep"] = 0.0
    df.loc[idx, "sep"] = 1.0
    df.loc[idx, "trade"] = 0.0
    with pytest.raises(ConvergenceError, match="separated by a regressor"):
        estimate_ppml_panel(df, "trade", ["pta", "sep"])
    monkeypatch.setattr(ppml, "_MIN_ROWS_AUTO", 0)
    fml = "trade ~ pta + sep | exp_year + imp_year + pair"
    auto = estimate_ppml(df, fml, cluster="pair", **TIGHT)
    ref = estimate_ppml(df, fml, cluster="pair", fast_path=False, **TIGHT)
    assert "fast path" not in auto.vcov_type
    assert {d.reason: d.count for d in auto.dropped}["separated_ir"] == 6
    assert abs(auto.coefficients["pta"] - ref.coefficients["pta"]) < COEF_TOL
    assert "sep" not in auto.coefficients.index
