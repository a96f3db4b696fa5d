"""The benchmark generator is seeded and produces the documented structure."""

import numpy as np
import pandas as pd
from bench.remedies_data import generate

from tests.remedies.params import AD
from tradepolicy.remedies.programme import run_margin_programme


def test_generator_is_seeded_and_valid():
    a = generate(20_000, seed=7)
    b = generate(20_000, seed=7)
    c = generate(20_000, seed=8)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)
    assert not a[0]["net_price"].equals(c[0]["net_price"])
    us, home, cost = a
    assert set(us["region"].unique()) == {0, 1, 2, 3} and set(us["period"].unique()) == {0, 1, 2, 3}
    assert 0.02 < home["affiliated"].mean() < 0.3  # 8 % of customers, Zipf-weighted volumes
    r = run_margin_programme(us, home, cost, segment="investigation", params=AD, include_tt=False)
    reasons = {e["reason"] for e in r.exclusions}
    assert {"below_cost", "affiliated_not_arms_length"} <= reasons  # the generator exercises both tests
    assert r.differential.value_share_passing > 0  # targeted customers/regions exist
    assert np.isfinite(r.final.margin)
