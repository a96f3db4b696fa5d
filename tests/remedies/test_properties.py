"""Property tests (hypothesis) of the margin programme on small random sales tables.

Properties: offsets never make the A-A total negative; A-T >= A-A on the same data;
permuting rows changes nothing; scaling every price and cost by a constant leaves the
percentage margins unchanged. Tolerance: 1e-9 relative (summation order / float scaling).
"""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.remedies.params import AD
from tradepolicy.remedies.programme import run_margin_programme

CONNUMS = ["A", "B", "C"]


@st.composite
def datasets(draw):
    n_us = draw(st.integers(1, 25))
    n_hm = draw(st.integers(1, 25))
    us = pd.DataFrame({
        "sale_id": [f"U{i}" for i in range(n_us)],
        "connum": draw(st.lists(st.sampled_from(CONNUMS), min_size=n_us, max_size=n_us)),
        "quantity": draw(st.lists(st.integers(1, 500), min_size=n_us, max_size=n_us)),
        "net_price": draw(st.lists(st.integers(50, 150), min_size=n_us, max_size=n_us)),
        "customer": draw(st.lists(st.sampled_from(["K1", "K2", "K3"]), min_size=n_us, max_size=n_us)),
        "region": draw(st.lists(st.sampled_from(["NE", "S", "W"]), min_size=n_us, max_size=n_us)),
        "period": draw(st.lists(st.sampled_from(["Q1", "Q2"]), min_size=n_us, max_size=n_us)),
    })
    home = pd.DataFrame({
        "sale_id": [f"H{i}" for i in range(n_hm)],
        "connum": draw(st.lists(st.sampled_from(CONNUMS), min_size=n_hm, max_size=n_hm)),
        "quantity": draw(st.lists(st.integers(1, 500), min_size=n_hm, max_size=n_hm)),
        "net_price": draw(st.lists(st.integers(50, 150), min_size=n_hm, max_size=n_hm)),
        "customer": draw(st.lists(st.sampled_from(["C1", "C2", "C3", "C4"]), min_size=n_hm, max_size=n_hm)),
        "affiliated": draw(st.lists(st.booleans(), min_size=n_hm, max_size=n_hm)),
        "period": draw(st.lists(st.sampled_from(["Q1", "Q2"]), min_size=n_hm, max_size=n_hm)),
    })
    # Costs end in .5 so no integer price ties with cost.
    cost = pd.DataFrame({"connum": CONNUMS,
                         "cost_of_production": [c + 0.5 for c in draw(st.lists(st.integers(40, 130),
                                                                                  min_size=3, max_size=3))]})
    return us, home, cost


def run(us, home, cost, segment="investigation"):
    return run_margin_programme(us, home, cost, segment=segment, params=AD)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(datasets())
def test_offsets_never_make_aa_negative_and_at_dominates(data):
    r = run(*data)
    aa, at, mx = r.methods["A-A"], r.methods["A-T"], r.methods["mixed"]
    assert aa.total_dumping >= 0 and aa.margin >= 0
    assert aa.total_dumping <= aa.positive + 1e-9
    assert at.total_dumping >= aa.total_dumping - 1e-9 * max(1.0, at.total_dumping)
    assert aa.total_dumping - 1e-9 <= mx.total_dumping <= at.total_dumping + 1e-9


@SETTINGS
@given(datasets(), st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(data, rnd):
    us, home, cost = data
    base = run(us, home, cost)
    perm_us = us.iloc[rnd.sample(range(len(us)), len(us))].reset_index(drop=True)
    perm_home = home.iloc[rnd.sample(range(len(home)), len(home))].reset_index(drop=True)
    perm_cost = cost.iloc[::-1].reset_index(drop=True)
    other = run(perm_us, perm_home, perm_cost)
    for k, m in base.methods.items():
        assert np.isclose(other.methods[k].total_dumping, m.total_dumping, rtol=1e-9, atol=1e-9), k
    assert np.isclose(other.differential.value_share_passing, base.differential.value_share_passing,
                      rtol=1e-9, atol=1e-12)
    assert other.method_chosen == base.method_chosen
    assert other.exclusions == base.exclusions


@SETTINGS
@given(datasets(), st.floats(0.01, 1000.0))
def test_scaling_prices_leaves_percentage_margins_unchanged(data, k):
    us, home, cost = data
    base = run(us, home, cost)
    us2, home2, cost2 = us.copy(), home.copy(), cost.copy()
    us2["net_price"] = us2["net_price"] * k
    home2["net_price"] = home2["net_price"] * k
    cost2["cost_of_production"] = cost2["cost_of_production"] * k
    other = run(us2, home2, cost2)
    for name, m in base.methods.items():
        assert np.isclose(other.methods[name].margin, m.margin, rtol=1e-9, atol=1e-12), name
    assert np.isclose(other.differential.value_share_passing, base.differential.value_share_passing,
                      rtol=1e-9, atol=1e-12)
    assert other.method_chosen == base.method_chosen
    assert other.exclusions == base.exclusions



def test_the_generator_reaches_the_cases_the_properties_are_about():
    # The properties above would hold vacuously on data where A-T = A-A = 0. Over 60 derandomised
    # draws of the same strategy, count the cases that matter: offsets that bite (0 < A-A < A-A's
    # positives), A-T strictly above A-A, each method chosen, and each NV exclusion reason.
    seen: dict[str, int] = {}

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(datasets())
    def draw(data):
        r = run(*data)
        aa, at = r.methods["A-A"], r.methods["A-T"]
        flags = {"offsets_bite": 0 < aa.total_dumping < aa.positive,
                 "at_above_aa": at.total_dumping > aa.total_dumping + 1e-9,
                 f"chosen_{r.method_chosen}": True,
                 **{e["reason"]: True for e in r.exclusions}}
        for k, v in flags.items():
            seen[k] = seen.get(k, 0) + bool(v)

    draw()
    # (The mixed method is rarely chosen on these small tables; E6 covers its choice exactly.)
    for key in ("offsets_bite", "at_above_aa", "chosen_A-A", "chosen_A-T", "below_cost",
                "affiliated_not_arms_length"):
        assert seen.get(key, 0) >= 1, (key, seen)
    assert seen["at_above_aa"] >= 20, seen  # most draws separate A-T from A-A
