"""Trade indicators: complementarity, trade intensity, RCA, on invented data computed by hand.

Tolerance 1e-12: each expected value is an exact fraction written out beside the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.indicators import complementarity, rca, trade_intensity
from tradepolicy.errors import InputError


def test_complementarity_by_hand() -> None:
    x = pd.Series({"a": 60.0, "b": 40.0})
    m = pd.Series({"a": 20.0, "b": 30.0, "c": 50.0})
    # shares x = (.6, .4, 0), m = (.2, .3, .5); ½Σ|m−x| = ½(.4+.1+.5) = .5 → 50.
    assert complementarity(x, m) == pytest.approx(50.0, abs=1e-12)
    assert complementarity(x, x) == pytest.approx(100.0, abs=1e-12)
    assert complementarity(pd.Series({"a": 1.0}), pd.Series({"b": 1.0})) == pytest.approx(0.0, abs=1e-12)


def test_trade_intensity_by_hand() -> None:
    f = pd.DataFrame({"exporter": ["A", "A", "B", "C", "A"], "importer": ["B", "C", "C", "B", "A"],
                      "value": [30.0, 10.0, 20.0, 40.0, 999.0]})
    ti = trade_intensity(f).set_index(["exporter", "importer"])["trade_intensity"]
    # Domestic A->A dropped. World 100; B imports 70, C imports 30. A->B: (30/40)/(70/100).
    assert ti[("A", "B")] == pytest.approx((30 / 40) / 0.7, rel=1e-12)
    assert ti[("B", "C")] == pytest.approx((20 / 20) / 0.3, rel=1e-12)


def test_rca_by_hand() -> None:
    f = pd.DataFrame({"exporter": ["A", "A", "B"], "product": ["x", "y", "y"], "value": [50.0, 50.0, 100.0]})
    r = rca(f).set_index(["exporter", "product"])["rca"]
    # A: x share .5 vs world x share 50/200 = .25 → 2; y: .5/(150/200) = 2/3. B: y 1/(.75).
    assert r[("A", "x")] == pytest.approx(2.0, rel=1e-12)
    assert r[("A", "y")] == pytest.approx(2 / 3, rel=1e-12)
    assert r[("B", "y")] == pytest.approx(4 / 3, rel=1e-12)


def test_indicators_reject_negative_flows() -> None:
    with pytest.raises(InputError):
        rca(pd.DataFrame({"exporter": ["A"], "product": ["x"], "value": [-1.0]}))
    with pytest.raises(InputError):
        trade_intensity(pd.DataFrame({"exporter": ["A"], "importer": ["B"]}))


@requires_dataset("baci-shrimp-2018")
def test_rca_within_shrimp_lines_weighted_mean_is_one() -> None:
    # Identity: Σ_k (x_ik/X_i) ... the export-weighted mean over exporters of RCA_ik for one
    # product equals 1: Σ_i X_i RCA_ik / X_w = 1 (exact, 1e-9).
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    df = read_baci_shrimp_2018().rename(columns={"hs6": "product", "value_kusd": "value"})
    df["exporter"] = df["exporter"].fillna("TWN")
    r = rca(df)
    tot = df.groupby("exporter")["value"].sum()
    r["X_i"] = r["exporter"].map(tot)
    for _, g in r.groupby("product"):
        assert (g["X_i"] * g["rca"]).sum() / tot.sum() == pytest.approx(1.0, rel=1e-9)
    assert np.isfinite(r["rca"]).all()
