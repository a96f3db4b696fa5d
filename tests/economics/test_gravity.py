"""PPML presets against published figures; dropped-observation reports; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.gravity import PRESETS, estimate_ppml, get_preset, run_preset
from tradepolicy.errors import InputError, NotFoundError


def half_unit(decimals: int) -> float:
    """Half a unit in the last published decimal: the precision of a rounded figure."""
    return 0.5 * 10.0**-decimals + 1e-12


@pytest.fixture(scope="module")
def agtpa() -> pd.DataFrame:
    from tradepolicy.datasets.readers.gravity import read_agtpa

    return read_agtpa()


@requires_dataset("agtpa")
@pytest.mark.parametrize("name", ["yotov2016_table1_ppml", "yotov2016_table3_ppml_pair",
                                  "yotov2016_ch2_twb_2006"])
def test_book_presets_reproduce_published_tables(name: str, agtpa: pd.DataFrame) -> None:
    # Published: Yotov et al. (2016) Table 1 col (4) and Table 3 col (4) (coefficients and
    # pair-clustered SEs to 3 decimals), ch. 2 trade-without-borders stage (3 decimals),
    # and their N. Tolerance: half a unit of the last published decimal.
    preset = get_preset(name)
    res = run_preset(name, agtpa)
    tol = half_unit(preset.precision)
    for var, value in preset.published.items():
        assert abs(res.coefficients[var] - value) <= tol, (var, res.coefficients[var], value)
    for var, value in preset.published_se.items():
        assert abs(res.std_errors[var] - value) <= tol, (var, res.std_errors[var], value)
    assert res.n_obs == preset.published_n
    assert res.n_dropped == 0


@requires_dataset("agtpa", "reference_coefficients.csv")
def test_table1_against_reference_coefficients_file(agtpa: pd.DataFrame) -> None:
    # Same figures read from the machine-readable reference file (agtpa/PROVENANCE.md).
    from tradepolicy.datasets.readers.gravity import read_agtpa_reference_coefficients

    ref = read_agtpa_reference_coefficients()
    rows = ref[(ref["table"] == "ch1_app1_table1") & (ref["column"] == "(4)")]
    res = run_preset("yotov2016_table1_ppml", agtpa)
    for row in rows.itertuples():
        assert abs(res.coefficients[row.variable] - row.estimate) <= half_unit(3)
        assert abs(res.std_errors[row.variable] - row.std_err) <= half_unit(3)
        assert res.n_obs == row.n_obs


@requires_dataset("gegravity-sample")
def test_gegravity_sample_ppml() -> None:
    # Published: gegravity's example (Stata ppmlhdfe), 6-7 significant digits.
    from tradepolicy.datasets.readers.gravity import read_gegravity_sample

    preset = PRESETS["gegravity_sample"]
    res = run_preset("gegravity_sample", read_gegravity_sample())
    for var, value in preset.published.items():
        assert abs(res.coefficients[var] - value) <= 5e-7, var
    assert res.n_obs == 900


@requires_dataset("wiod-zylkin")
def test_wiod_eu_enlargement_coefficient() -> None:
    # Published: 0.22424901 (ppmlhdfe, Zylkin's ge_gravity example), 8 decimals; N 7,568.
    from tradepolicy.datasets.readers.gravity import read_wiod_zylkin

    res = run_preset("wiod_eu_enlargement", read_wiod_zylkin())
    assert abs(res.coefficients["eu_enlargement"] - 0.22424901) <= half_unit(8)
    assert abs(res.coefficients["other_fta"] - (-0.0365)) <= half_unit(4)
    assert res.n_obs == 7568


def test_dropped_observations_are_counted_by_reason() -> None:
    # Invented panel: exporter E9 never ships (its FE level is all zeros -> separated_fe),
    # one row has a missing regressor, one importer level has a single observation.
    rng = np.random.default_rng(7)
    rows = []
    for i in range(8):
        for j in range(8):
            rows.append({"exporter": f"E{i}", "importer": f"I{j}",
                         "x": rng.normal(), "trade": float(rng.poisson(20))})
    for j in range(8):
        rows.append({"exporter": "E9", "importer": f"I{j}", "x": rng.normal(), "trade": 0.0})
    rows.append({"exporter": "E0", "importer": "I99", "x": 0.1, "trade": 4.0})
    df = pd.DataFrame(rows)
    df.loc[3, "x"] = np.nan
    res = estimate_ppml(df, "trade ~ x | exporter + importer")
    by = {d.reason: d.count for d in res.dropped}
    assert by["missing"] == 1
    assert by["separated_fe"] == 8
    assert by["singleton"] == 1
    assert res.n_obs == len(df) - 10 == res.n_input - res.n_dropped
    assert "separated_fe" in res.summary()


def test_fe_and_ir_separation_agree_with_pyfixest_on_clean_data() -> None:
    # Oracle: pyfixest itself (same data, no drops) to 1e-8 (section 10.2.6).
    import pyfixest as pf

    rng = np.random.default_rng(1)
    n = 400
    df = pd.DataFrame({"a": rng.integers(0, 10, n), "b": rng.integers(0, 12, n),
                       "x": rng.normal(size=n)})
    df["trade"] = rng.poisson(np.exp(0.5 * df["x"] + 0.1 * df["a"]))
    ours = estimate_ppml(df, "trade ~ x | a + b", ssc="fixest", iwls_tol=1e-10, fixef_tol=1e-10)
    theirs = pf.fepois("trade ~ x | a + b", data=df, vcov="hetero", iwls_tol=1e-10,
                       demeaner=pf.MapDemeaner(fixef_tol=1e-10))
    assert abs(ours.coefficients["x"] - theirs.coef()["x"]) < 1e-8


def test_bad_gravity_inputs() -> None:
    df = pd.DataFrame({"exporter": ["A", "B"], "importer": ["B", "A"], "trade": [1.0, -2.0],
                       "x": [0.0, 1.0]})
    with pytest.raises(InputError, match="negative"):
        estimate_ppml(df, "trade ~ x | exporter")
    with pytest.raises(InputError, match="not in the data"):
        estimate_ppml(df, "trade ~ nope | exporter")
    with pytest.raises(InputError, match="parse"):
        estimate_ppml(df, "trade = x")
    with pytest.raises(NotFoundError):
        get_preset("table99")


@requires_dataset("wiod-zylkin")
def test_gravity_service_stores_a_run(fresh_db: str) -> None:
    # Service: preset -> result with published comparison, manifest with sha256, stored run.
    from sqlalchemy import select

    from tradepolicy.services.gravity import list_presets, run_gravity_preset
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models import Run

    assert {p.name for p in list_presets()} == set(PRESETS)
    out = run_gravity_preset("wiod_eu_enlargement", store=True, actor="pytest")
    row = next(r for r in out.coefficients if r.variable == "eu_enlargement")
    assert row.difference is not None and abs(row.difference) <= half_unit(8)
    sha = out.manifest.inputs["wiod-zylkin/GE_gravity_example_data.dta"]
    assert len(sha) == 64
    with read_session() as s:
        run = s.execute(select(Run).where(Run.id == out.run_id)).scalar_one()
        assert run.kind == "gravity_ppml" and run.results["n_obs"] == 7568
        assert run.results == out.results() and "run_id" in out.to_dict()  # stored payload = the JSON


def test_keep_fitted_aligns_fitted_values_with_the_input_rows() -> None:
    # Regression: keep_fitted=True raised TypeError (pyfixest 0.60's _na_index is a
    # frozenset). Invented data with a missing regressor (row 3), an all-zero exporter
    # (separated_fe) and a singleton importer level, plus a shuffled, non-RangeIndex index.
    # Oracles: (a) a plain pyfixest fit on the rows kept, side by side, to 1e-8 relative;
    # (b) the PPML first-order condition of each exporter FE: sum of fitted = sum of y over
    # the rows used (to 1e-6 relative, the IRLS tolerance 1e-10 leaves far less).
    import pyfixest as pf

    rng = np.random.default_rng(11)
    rows = [{"exporter": f"E{i}", "importer": f"I{j}", "x": rng.normal(),
             "trade": float(rng.poisson(15))} for i in range(6) for j in range(6)]
    rows += [{"exporter": "E9", "importer": f"I{j}", "x": rng.normal(), "trade": 0.0}
             for j in range(6)]
    rows.append({"exporter": "E0", "importer": "I99", "x": 0.2, "trade": 3.0})
    df = pd.DataFrame(rows)
    df.loc[3, "x"] = np.nan
    df.index = rng.permutation(len(df)) + 1000
    res = estimate_ppml(df, "trade ~ x | exporter + importer", keep_fitted=True,
                        iwls_tol=1e-10, fixef_tol=1e-10)
    assert res.fitted is not None and res.linear_predictor is not None
    assert res.fitted.shape == (len(df),)
    used = ~np.isnan(res.fitted)
    assert int(used.sum()) == res.n_obs == len(df) - 1 - 6 - 1
    pos = {k: i for i, k in enumerate(df.index)}
    assert np.isnan(res.fitted[pos[df.index[3]]])  # missing x
    assert np.isnan(res.fitted[(df["exporter"] == "E9").to_numpy()]).all()  # separated
    assert np.isnan(res.fitted[(df["importer"] == "I99").to_numpy()]).all()  # singleton
    np.testing.assert_allclose(res.linear_predictor[used], np.log(res.fitted[used]))
    kept = df[used]
    plain = pf.fepois("trade ~ x | exporter + importer", data=kept.reset_index(drop=True),
                      vcov="hetero", iwls_tol=1e-10, demeaner=pf.MapDemeaner(fixef_tol=1e-10))
    np.testing.assert_allclose(res.fitted[used], np.asarray(plain._Y_hat_response).ravel(),
                               rtol=1e-8)
    by_exp = pd.DataFrame({"e": kept["exporter"], "y": kept["trade"],
                           "mu": res.fitted[used]}).groupby("e")[["y", "mu"]].sum()
    np.testing.assert_allclose(by_exp["mu"], by_exp["y"], rtol=1e-6)


def test_inputs_that_used_to_crash_or_give_a_silent_number() -> None:
    # An outcome that is zero throughout: every row is FE-separated; pyfixest's demeaner
    # used to receive an empty sample and panic (aborting the whole process, server too).
    df = pd.DataFrame({"exporter": list("AABBCC") * 3, "importer": list("ABABCA") * 3,
                       "x": np.arange(18.0), "trade": np.zeros(18)})
    with pytest.raises(InputError, match="usable row") as err:
        estimate_ppml(df, "trade ~ x | exporter + importer")
    assert err.value.details["dropped"]["separated_fe"] == 18
    with pytest.raises(InputError, match="usable row"):
        estimate_ppml(df.iloc[:0], "trade ~ x | exporter")
    ok = df.assign(trade=np.arange(18.0) + 1)
    # a text regressor used to return an empty coefficient table; an infinite outcome a
    # coefficient of exactly 0; a text outcome a ConvergenceError
    for col, val, field in (("x", "q", "x"), ("trade", np.inf, "trade"),
                            ("trade", "a", "trade")):
        bad = ok.copy().astype({col: object})
        bad.loc[4, col] = val
        with pytest.raises(InputError, match="non-numeric or infinite") as err:
            estimate_ppml(bad, "trade ~ x | exporter")
        assert err.value.field == field and "row 4" in (err.value.where or "")
