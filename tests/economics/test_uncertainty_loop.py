"""One uncertainty loop for every model (issue 14): seeded draws, blocks, the band.

Oracles: the loop's draws equal the PE and GE draw functions called on
``np.random.default_rng(seed)`` directly (exact), and the samples do not depend on the block
size (exact: each draw is solved on its own row).
"""

from __future__ import annotations

import numpy as np
import pytest

from tradepolicy.economics.montecarlo import draw_parameters, normal_draws
from tradepolicy.economics.pe import draw_elasticities, elasticity_bands
from tradepolicy.economics.pe.uncertainty import triangular
from tradepolicy.economics.uncertainty import monte_carlo, one_at_a_time
from tradepolicy.errors import InputError


def _runner(d):  # type: ignore[no-untyped-def]
    return {"y": d["a"] * 2.0 + d["b"], "n": np.full(d["draw"].size, d["draw"].size)}


def test_pe_draws_blocks_and_seed() -> None:
    bands = elasticity_bands({"a": [0.5, 1.0, 2.0], "b": [1.0, 1.5, 3.0]})
    one = monte_carlo(_runner, triangular(bands), draws=101, seed=7)
    blocks = monte_carlo(_runner, triangular(bands), draws=101, seed=7, block=10, map_fn=lambda f, xs: list(map(f, xs)))
    ref = draw_elasticities(bands, draws=101, seed=7)
    np.testing.assert_array_equal(one.parameters["a"], ref["a"])
    np.testing.assert_array_equal(one.samples["y"], 2.0 * ref["a"] + ref["b"])
    np.testing.assert_array_equal(blocks.samples["y"], one.samples["y"])
    assert blocks.block == 10 and int(blocks.samples["n"].max()) == 10 and one.block == 101
    np.testing.assert_array_equal(one.percentile("y", 50), np.percentile(one.samples["y"], 50))
    other = monte_carlo(_runner, triangular(bands), draws=101, seed=8)
    assert not np.array_equal(other.samples["y"], one.samples["y"])


def test_ge_draws_match_draw_parameters() -> None:
    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    draw = normal_draws({"rta": 0.3, "pta": 0.1}, cov, 5.0, 0.5)
    mc = monte_carlo(lambda d: {"s": d["sigma"]}, draw, draws=50, seed=3, block=7)
    beta, sig = draw_parameters({"rta": 0.3, "pta": 0.1}, cov, 5.0, 0.5, 50, 3)
    np.testing.assert_array_equal(mc.parameters["beta"], beta)
    np.testing.assert_array_equal(mc.samples["s"], sig)
    assert sig.min() > 1


def test_one_at_a_time_and_bad_draws() -> None:
    bands = elasticity_bands({"a": [0.5, 1.0, 2.0]})
    rows = one_at_a_time(bands, lambda name, v: {"twice": 2 * v})
    assert [(r["setting"], r["twice"]) for r in rows] == [("low", 1.0), ("central", 2.0), ("high", 4.0)]
    with pytest.raises(InputError) as e:
        monte_carlo(_runner, triangular(bands), draws=0, seed=1)
    assert e.value.field == "draws"
