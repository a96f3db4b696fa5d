"""Conditional GE side by side with the peer gegravity 0.3 (USITC), on real data.

Oracle: gegravity's baseline and conditional multilateral resistances and its one-step
"full GE" factory-gate prices (economics-methods.md section 2.3 explains why its full-GE
numbers are not an equilibrium and are compared only as ``one_step_price``). gegravity is
run with MINPACK tolerance 1e-12 so that the comparison is not limited by the peer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.ge import GEData, cost_matrix, solve_ge

gegravity = pytest.importorskip("gegravity")

PEER_TOL = 1e-8  # brief: conditional GE equal to gegravity to 1e-8 (relative)


def run_gegravity(df: pd.DataFrame, exp_df: pd.DataFrame, coefs: dict[str, float],
                  sigma: float, reference: str, omr_rescale: float = 1.0) -> object:
    # gegravity turns the baseline's year into str (in place) and merges on it
    df = df.assign(year=df["year"].astype(str))
    exp_df = exp_df.assign(year=exp_df["year"].astype(str))
    est = pd.DataFrame({"var": list(coefs), "coeff": list(coefs.values()),
                        "se": [0.1] * len(coefs)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = gegravity.BaselineData(df, trade_var_name="trade", expend_var_name="E",
                                      output_var_name="Y")
        model = gegravity.OneSectorGE(
            base, year="2006", expend_var_name="E", output_var_name="Y",
            reference_importer=reference, sigma=sigma, cost_variables=list(coefs),
            cost_coeff_values=gegravity.CostCoeffs(est, identifier_col="var",
                                                   coeff_col="coeff", stderr_col="se"),
            quiet=True,
        )
        model.build_baseline(omr_rescale=omr_rescale, mr_tolerance=1e-12)
        model.define_experiment(exp_df)
        model.simulate(ge_tolerance=1e-12)
    return model


def compare(model: object, df: pd.DataFrame, exp_df: pd.DataFrame, coefs: dict[str, float],
            sigma: float, reference: str) -> None:
    flows = GEData.from_frame(df, output="Y", expenditure="E")
    t0 = cost_matrix(df, coefs, flows.countries)
    t1 = cost_matrix(exp_df, coefs, flows.countries)
    data = GEData.from_arrays(flows.flows, flows.countries, costs=t0, output=flows.output,
                              expenditure=flows.expenditure)
    ours = solve_ge(data, tau_hat=t1 / t0, sigma=sigma, reference=reference)
    mr = model.country_mr_terms.loc[list(data.countries)]  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours.baseline.imr, mr["baseline imr"], rtol=PEER_TOL)
    np.testing.assert_allclose(ours.baseline.omr, mr["baseline omr"], rtol=PEER_TOL)
    np.testing.assert_allclose(ours.conditional.imr, mr["conditional imr"], rtol=PEER_TOL)
    np.testing.assert_allclose(ours.conditional.omr, mr["conditional omr"], rtol=PEER_TOL)
    fgp = model.factory_gate_prices.loc[list(data.countries)].iloc[:, 0]  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours.one_step_price, fgp, rtol=PEER_TOL)
    # gegravity's "experiment" MRs are its conditional MRs (section 2.3 finding)
    np.testing.assert_allclose(mr["experiment imr"], mr["conditional imr"], rtol=PEER_TOL)


@requires_dataset("gegravity-sample")
def test_conditional_ge_matches_gegravity_on_its_sample() -> None:
    # Peer run side by side: gegravity's own sample, its published PPML coefficients,
    # sigma 5, reference DEU; experiment: CAN and JPN sign a PTA.
    from tradepolicy.datasets.readers.gravity import read_gegravity_sample

    df = read_gegravity_sample()
    coefs = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
             "pta": 0.4711383, "international": -3.412584}
    exp_df = df.copy()
    pair = {("CAN", "JPN"), ("JPN", "CAN")}
    exp_df.loc[[(a, b) in pair for a, b in zip(df.exporter, df.importer, strict=True)],
               "pta"] = 1
    model = run_gegravity(df, exp_df, coefs, sigma=5, reference="DEU", omr_rescale=100)
    compare(model, df, exp_df, coefs, sigma=5, reference="DEU")


@requires_dataset("agtpa")
@pytest.mark.slow
def test_conditional_ge_matches_gegravity_on_agtpa_2006() -> None:
    # Peer run side by side: agtpa 2006 (69 countries, the book's trade-without-borders
    # data), the book's 2006 coefficients, sigma 7, reference DEU; experiment: remove the
    # CAN-USA border (book ch. 2 exercise 1 style).
    from tradepolicy.datasets.readers.gravity import read_agtpa

    raw = read_agtpa()
    df = raw[raw["year"] == 2006].copy()
    df["ln_DIST"] = np.log(df["dist"])
    df["INTL_BRDR"] = (df["exporter"] != df["importer"]).astype(int)
    df["Y"] = df.groupby("exporter")["trade"].transform("sum")
    df["E"] = df.groupby("importer")["trade"].transform("sum")
    df = df[["exporter", "importer", "year", "trade", "Y", "E", "ln_DIST", "cntg",
             "INTL_BRDR"]].reset_index(drop=True)
    coefs = {"ln_DIST": -0.791288, "cntg": 0.673646, "INTL_BRDR": -2.474450}
    exp_df = df.copy()
    pair = {("CAN", "USA"), ("USA", "CAN")}
    exp_df.loc[[(a, b) in pair for a, b in zip(df.exporter, df.importer, strict=True)],
               "INTL_BRDR"] = 0
    model = run_gegravity(df, exp_df, coefs, sigma=7, reference="DEU", omr_rescale=1000)
    compare(model, df, exp_df, coefs, sigma=7, reference="DEU")
