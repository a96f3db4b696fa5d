"""Elasticity bands and Monte Carlo draws for the PE engines.

Oracles: draws are reproducible for a seed (exact) and stay inside [low, high]; the
triangular mean (low + central + high)/3 is matched to 3 standard errors; the SMART
Monte Carlo percentiles bracket the central run when the central elasticity sits inside
the band (monotone in ε with η = ∞).
"""

from __future__ import annotations

import numpy as np
import pytest

from tradepolicy.economics.pe import (
    Band,
    draw_elasticities,
    elasticity_bands,
    smart,
    summarise_draws,
)
from tradepolicy.errors import InputError


def test_bands_validate_order_and_length() -> None:
    with pytest.raises(InputError):
        Band("e", 2.0, 1.0, 3.0)
    with pytest.raises(InputError):
        elasticity_bands({"e": [1.0, 2.0]})
    b = elasticity_bands({"e": [0.5, 1.0, 2.0]})["e"]
    assert b.values() == {"low": 0.5, "central": 1.0, "high": 2.0}


def test_draws_are_seeded_bounded_and_centred() -> None:
    bands = elasticity_bands({"e": [0.6, 1.2, 2.4], "s": [1.5, 1.5, 1.5]})
    a = draw_elasticities(bands, draws=20_000, seed=3)
    b = draw_elasticities(bands, draws=20_000, seed=3)
    np.testing.assert_array_equal(a["e"], b["e"])
    assert a["e"].min() >= 0.6 and a["e"].max() <= 2.4
    assert np.all(a["s"] == 1.5)
    mean = (0.6 + 1.2 + 2.4) / 3
    se = a["e"].std() / np.sqrt(a["e"].size)
    assert abs(a["e"].mean() - mean) < 3 * se
    with pytest.raises(InputError):
        draw_elasticities(bands, draws=0, seed=1)


def test_smart_monte_carlo_brackets_central_run() -> None:
    m = np.array([[400.0, 300.0, 200.0]])
    bands = elasticity_bands({"e": [0.6, 1.2, 2.4]})
    d = draw_elasticities(bands, draws=5000, seed=11)
    mc = smart(m, 0.05, [[0.30, 0.05, 0.05]], import_demand_elasticity=d["e"].reshape(-1, 1, 1))
    central = smart(m, 0.05, [[0.30, 0.05, 0.05]], import_demand_elasticity=1.2).summary()["total_effect"]
    s = summarise_draws(mc.total_effect.sum(axis=(1, 2)))
    assert s["draws"] == 5000 and s["p5"] < central < s["p95"]
