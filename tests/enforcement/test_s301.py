"""Issue 12 item 3: Section 301 action design.

The optimum is checked against brute-force enumeration of every subset (small instances, exact to the
solver's reported relative gap of 1e-4); the coverage against a hand sum of the data rows chosen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.action_list import brute_force, select_lines
from tradepolicy.errors import ConflictError, InputError
from tradepolicy.services import s301


@pytest.mark.parametrize("seed", range(12))
def test_optimum_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 12
    v = rng.lognormal(13, 1.5, n)
    c = rng.choice([0.0, 0.5, 1.0], n)
    s = rng.random(n)
    target = v.sum() * rng.uniform(0.2, 0.6)
    cap = float(rng.uniform(0.2, 0.6))
    bf = brute_force(v, c, s, target, max_consumer_share=cap, overshoot=0.15)
    if bf is None:
        with pytest.raises(ConflictError):
            select_lines(v, c, s, target, max_consumer_share=cap, overshoot=0.15)
        return
    got = select_lines(v, c, s, target, max_consumer_share=cap, overshoot=0.15)
    assert got.objective == pytest.approx(bf[0], rel=1e-4)
    assert target <= got.coverage <= target * 1.15 + 1e-6
    assert got.consumer_share <= cap + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_branch_and_bound_matches_highs_milp(seed: int) -> None:
    # Peer check on instances too large to enumerate (60 lines, the bench's distributions): HiGHS's own
    # MILP (scipy.optimize.milp, gap 1e-9) on the whole problem. Tolerance: our proven gap, 1e-4.
    from scipy.optimize import Bounds, LinearConstraint, milp

    rng = np.random.default_rng(100 + seed)
    n = 60
    v = rng.lognormal(13, 2, n)
    c = rng.choice([0.0, 0.5, 1.0], n, p=[0.6, 0.2, 0.2])
    s = rng.random(n)
    target, cap = v.sum() * 0.3, 0.2
    a = np.vstack([v, v, (c - cap) * v]) / target
    ref = milp(s * v / target, constraints=LinearConstraint(a, [1, -np.inf, -np.inf], [np.inf, 1.05, 0]),
               integrality=np.ones(n), bounds=Bounds(0, 1), options={"mip_rel_gap": 1e-9})
    got = select_lines(v, c, s, target, max_consumer_share=cap, overshoot=0.05)
    assert ref.status == 0 and got.status == "optimal" and got.mip_gap is not None and got.mip_gap <= 1e-4
    assert got.objective == pytest.approx(float(ref.fun) * target, rel=1e-4)
    assert target <= got.coverage <= target * 1.05 * (1 + 1e-12) and got.consumer_share <= cap + 1e-12


def test_time_limit_reports_the_proven_gap_not_optimal() -> None:
    # With no time beyond the root node (seed 1: the root LP bound is 2.3e-3 below the incumbent), the
    # answer must say "gap" with the proven gap (incumbent - LP bound) / incumbent, never "optimal".
    rng = np.random.default_rng(1)
    n = 2000
    v = rng.lognormal(13, 2, n)
    c = rng.choice([0.0, 0.5, 1.0], n, p=[0.6, 0.2, 0.2])
    s = rng.random(n)
    quick = select_lines(v, c, s, v.sum() * 0.1, max_consumer_share=0.2, time_limit=0)
    assert quick.status == "gap" and quick.diagnostics.open_nodes > 0 and "not proven optimal" in quick.diagnostics.message
    bound = quick.diagnostics.lp_bound_usd
    assert quick.mip_gap == pytest.approx((quick.objective - bound) / quick.objective, rel=1e-6)
    assert quick.mip_gap > 1e-4
    full = select_lines(v, c, s, v.sum() * 0.1, max_consumer_share=0.2)
    assert full.status == "optimal" and full.diagnostics.open_nodes == 0 and full.mip_gap <= 1e-4
    assert bound <= full.objective * (1 + 1e-9) and full.objective <= quick.objective * (1 + 1e-9)


def test_hand_instance() -> None:
    # values 10, 20, 30, 40; target 50 (overshoot 0): {10,40} or {20,30}. Shares make {20,30} cost
    # 20*0.1 + 30*0.1 = 5 against 10*0.9 + 40*0.1 = 13; a consumer cap of 0.3 with line 20 consumer
    # (20/50 = 0.4 > 0.3) forces {10, 40}.
    v, s = [10.0, 20.0, 30.0, 40.0], [0.9, 0.1, 0.1, 0.1]
    free = select_lines(v, [0, 1, 0, 0], s, 50, overshoot=0.0)
    assert sorted(free.chosen.tolist()) == [1, 2] and free.objective == pytest.approx(5.0)
    capped = select_lines(v, [0, 1, 0, 0], s, 50, overshoot=0.0, max_consumer_share=0.3)
    assert sorted(capped.chosen.tolist()) == [0, 3] and capped.objective == pytest.approx(13.0)


def test_contradictory_constraints_refused() -> None:
    with pytest.raises(ConflictError):  # the only consumer-free list cannot reach the target
        select_lines([10.0, 20.0], [1, 1], [0.5, 0.5], 15, max_consumer_share=0.0)
    with pytest.raises(InputError):
        select_lines([10.0], [0], [0.5], 5, max_consumer_share=1.5)


@requires_dataset("us-customs-duties")
@requires_dataset("section232")
def test_brazil_action_list_coverage_against_hand_sum() -> None:
    from tradepolicy.datasets.readers.customs import read_census_hs10_duties_2024

    res = s301.action_list("BRA", 2e9, 2024, exclude_chapters=["27", "72"], max_consumer_share=0.25,
                           max_supplier_share=0.8)
    raw = read_census_hs10_duties_2024()
    bra = raw[raw["cty_code"] == "3510"].set_index("hts10")
    hand = float(bra.loc[[ln.hts10 for ln in res.lines], "con_val_2024_usd"].sum())
    assert res.coverage_usd == pytest.approx(hand, rel=1e-12)
    assert 2e9 <= res.coverage_usd <= 2e9 * 1.05
    assert not {ln.chapter for ln in res.lines} & {"27", "72", "98", "99"}
    assert all(ln.supplier_share <= 0.8 for ln in res.lines)
    w = sum(ln.consumer_weight * ln.partner_value_usd for ln in res.lines) / res.coverage_usd
    assert w == pytest.approx(res.consumer_share) and w <= 0.25 + 1e-9
    # supplier share of a line: partner / all partners in the file without Slovakia (inside the EU aggregate)
    ln = res.lines[0]
    rows = raw[(raw["hts10"] == ln.hts10) & (raw["cty_code"] != "4359")]
    assert ln.supplier_share == pytest.approx(bra.loc[ln.hts10, "con_val_2024_usd"] / rows["con_val_2024_usd"].sum())
    assert res.pe is not None and res.pe.subject_value_change < 0 < res.pe.non_subject_value_change
    annex = s301.annex_text(res)
    assert annex.startswith("ANNEX") and "HTSUS subheading" in annex
    assert len(s301.annex_rows(res)) == len({ln.hts10[:8] for ln in res.lines})


@requires_dataset("us-customs-duties")
@requires_dataset("section232")
def test_bad_input_for_the_action_list() -> None:
    total = float(s301.import_table().query("iso3 == 'BRA'")["con_val_2024_usd"].sum())
    with pytest.raises(InputError, match="above BRA's total"):
        s301.action_list("BRA", total * 1.01)
    with pytest.raises(InputError, match="not in the import data"):
        s301.action_list("CHN", 1e9)
    with pytest.raises(InputError, match="No import data for 2023"):
        s301.action_list("BRA", 1e9, 2023)
    with pytest.raises(ConflictError):  # everything but chapter 01 excluded: too little left
        s301.action_list("BRA", 1e10, exclude_chapters=[f"{c:02d}" for c in range(2, 98)])
    with pytest.raises(InputError):
        s301.action_list("BRA", 1e9, max_supplier_share=0)


def test_retaliation_exposure_hand_sum() -> None:
    exports = pd.DataFrame({"hs": ["120190", "1201.10", "870323", "100590", "020230"],
                            "value_usd": [100.0, 50.0, 300.0, 25.0, 10.0]})
    ex = s301.retaliation_exposure(exports, ["1201", "870323", "9999"])
    assert ex.exposed_usd == 450.0 and ex.total_usd == 485.0 and ex.matched_lines == 3
    assert ex.by_code == {"1201": 150.0, "870323": 300.0, "9999": 0.0} and ex.unmatched_codes == ("9999",)
    with pytest.raises(InputError):
        s301.retaliation_exposure(exports, ["12x"])


@requires_dataset("us-customs-duties")
@requires_dataset("section232")
def test_action_list_route_answers_the_service_result(fresh_db: str, client_as: Any) -> None:
    # The typed route (ActionListOut) returns exactly the service's JSON plus the annex rows; an anonymous
    # caller is refused (s301.design) and a target above Brazil's total trade is a 400 naming target_usd.
    body = {"partner": "BRA", "target_usd": 2e9, "exclude_chapters": ["27", "72"], "max_consumer_share": 0.25,
            "max_supplier_share": 0.8}
    assert client_as(None).post("/api/s301/action-list", json=body).status_code in (401, 403)
    analyst = client_as("analyst")
    r = analyst.post("/api/s301/action-list", json=body)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    res = s301.action_list("BRA", 2e9, 2024, exclude_chapters=["27", "72"], max_consumer_share=0.25,
                           max_supplier_share=0.8)
    direct = res.to_dict()
    assert data["coverage_usd"] == pytest.approx(direct["coverage_usd"], rel=1e-12)
    assert [ln["hts10"] for ln in data["lines"]] == [ln.hts10 for ln in res.lines]
    assert data["pe"]["rate"] == 0.25 and data["pe"]["home_welfare"] == pytest.approx(direct["pe"]["home_welfare"])
    assert data["diagnostics"]["proven_gap"] <= 1e-4 and data["status"] == "optimal"
    assert [a["hts8"] for a in data["annex"]] == [a.hts8 for a in s301.annex_rows(res)]
    bad = analyst.post("/api/s301/action-list", json={**body, "target_usd": 1e15})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "target_usd"
