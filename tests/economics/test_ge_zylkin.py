"""Full-endowment GE against the published output of Zylkin's ``ge_gravity`` (R port).

Oracle: the GEGravity example vignette (VKudlay/GEGravity, docs/articles/example.html at
94aaf92): WIOD 2000 flows (44 economies, domestic included), the EU-enlargement partial
effect 0.224249 on pairs that became EU pairs by 2014, theta = 4, additive imbalances,
world-output numeraire. It prints ten rows of welfare, real wage, nominal wage and price
index of the exporter, and the new flow of the pair. Tolerance: 2e-7 on the indices (half a
printed unit, 5e-8, plus ge_gravity's own stopping rule, max |d log X| <= 1e-8) and 1e-7
relative on the flows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.ge import GEData, solve_ge

# exporter, importer, new_trade, welfare, real_wage, nom_wage, price_index (as printed)
PUBLISHED = [
    ("DEU", "SVK", 3269.19970, 1.0007249, 1.0007204, 1.0002367, 0.9995167),
    ("IDN", "TUR", 205.85536, 0.9999865, 0.9999931, 0.9998933, 0.9999002),
    ("FIN", "CZE", 264.63294, 1.0004615, 1.0004125, 1.0008138, 1.0004012),
    ("LTU", "POL", 207.88813, 1.0065244, 1.0064727, 0.9993151, 0.9928884),
    ("GRC", "FRA", 271.85529, 1.0002792, 1.0002622, 0.9998333, 0.9995712),
    ("CAN", "GRC", 206.92770, 0.9999912, 0.9999941, 0.9999349, 0.9999408),
    ("JPN", "HUN", 862.04180, 0.9999971, 0.9999982, 0.9999063, 0.9999082),
    ("GBR", "SVN", 333.17404, 1.0001393, 1.0001392, 1.0001324, 0.9999932),
    ("NOR", "MEX", 96.31901, 1.0002589, 1.0002422, 1.0001253, 0.9998831),
    ("PRT", "DEU", 3182.00629, 1.0000813, 1.0000725, 0.9998933, 0.9998208),
]
BETA = 0.22424901  # published step-1 estimate (wiod-zylkin/PROVENANCE.md)
INDEX_TOL = 2e-7
FLOW_RTOL = 1e-7


def eu_problem() -> tuple[GEData, np.ndarray]:
    from tradepolicy.datasets.readers.gravity import read_wiod_zylkin

    df = read_wiod_zylkin()
    key = ["exporter", "importer"]
    first = df[df["year"] == 2000].set_index(key)["eu_enlargement"]
    last = df[df["year"] == 2014].set_index(key)["eu_enlargement"]
    base = df[df["year"] == 2000].copy()
    base["new_eu_pair"] = (last - first).reindex(
        pd.MultiIndex.from_frame(base[key])).to_numpy()
    data = GEData.from_frame(base)
    return data, np.exp(BETA * data.matrix(base, "new_eu_pair"))


@requires_dataset("wiod-zylkin")
@pytest.mark.parametrize("algorithm", ["exact_hat", "resistance"])
def test_eu_enlargement_matches_ge_gravity_example(algorithm: str) -> None:
    data, tau = eu_problem()
    res = solve_ge(data, tau_hat=tau, sigma=5, reference="USA", imbalance="additive",
                   numeraire="world_output", full_algorithm=algorithm)
    ch = res.to_frame("decimal")
    for exp_, imp, flow, welfare, real_wage, nom_wage, price in PUBLISHED:
        row = ch.loc[exp_]
        got = (1 + row["full_welfare"], 1 + row["full_real_gdp"],
               1 + row["full_factory_gate_price"], 1 + row["full_imr"])
        for value, want in zip(got, (welfare, real_wage, nom_wage, price), strict=True):
            assert abs(value - want) <= INDEX_TOL, (exp_, value, want)
        new = res.full.flows[data.index_of(exp_), data.index_of(imp)]
        assert abs(new / flow - 1) <= FLOW_RTOL, (exp_, imp, new, flow)


@requires_dataset("wiod-zylkin")
def test_numeraire_matters_only_for_additive_imbalances() -> None:
    # Invariant: with multiplicative imbalances real results do not depend on the
    # numeraire; with additive ones (deficits fixed in numeraire units) they do.
    data, tau = eu_problem()
    cols = ["full_real_gdp", "full_welfare"]
    runs = {
        (imb, num): solve_ge(data, tau_hat=tau, sigma=5, reference="USA", imbalance=imb,
                             numeraire=num).to_frame("decimal")[cols].to_numpy()
        for imb in ("multiplicative", "additive") for num in ("reference", "world_output")
    }
    np.testing.assert_allclose(runs[("multiplicative", "reference")],
                               runs[("multiplicative", "world_output")], atol=1e-9)
    assert np.abs(runs[("additive", "reference")] - runs[("additive", "world_output")]).max() > 1e-7
