"""Tariff indicators: a hand-computed invented example, and the service on the 2025 edition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.tariffs.indicators import indicators


def test_indicators_worked_example() -> None:
    lines = pd.DataFrame({
        "section": ["I", "I", "I", "II"],
        "ave": [0.0, 0.10, 0.20, np.nan],
        "kind": ["free", "ad_valorem", "ad_valorem", "specific"],
        "pref_ave": [np.nan, 0.0, 0.05, np.nan],
        "weight": [100.0, 300.0, 100.0, 50.0],
    })
    out = indicators(lines, "section", peak_threshold=0.15).set_index("section")
    i = out.loc["I"]
    # simple (0+0.1+0.2)/3 = 0.1; weighted (0*100+0.1*300+0.2*100)/500 = 0.1; one peak (0.2);
    # dutiable 2/3; margin mean((0.1-0)+(0.2-0.05))/2 = 0.125. Exact arithmetic.
    assert i["simple_avg"] == pytest.approx(0.1) and i["weighted_avg"] == pytest.approx(0.1)
    assert i["n_peaks"] == 1 and i["dutiable_share"] == pytest.approx(2 / 3)
    assert i["pref_margin"] == pytest.approx(0.125) and i["n_ad_valorem"] == 2
    assert np.isnan(out.loc["II", "simple_avg"]) and out.loc["II", "n_specific"] == 1


@requires_dataset("us-hts")
def test_indicators_service_covers_every_section() -> None:
    from tradepolicy.services import tariffs as svc

    rows = svc.indicators_table(by="section")
    assert len(rows) == 21  # HS sections I-XXI (hs-nomenclature/sections.csv has 21)
    assert all(0.0 <= (r.dutiable_share or 0.0) <= 1.0 for r in rows)
    assert rows[0].to_dict()["section"] == rows[0].group == rows[0].section  # the JSON row keys the group by `by`


@requires_dataset("baci-zaf-exports")
@requires_dataset("us-hts")
def test_trade_weighted_by_us_imports_from_south_africa() -> None:
    # Recompute one section's weighted average directly from the weighted lines
    # (np.average over lines with both an AVE and a weight); tolerance 1e-12.
    from tradepolicy.services import tariffs as svc

    lines = svc.hts8_rates(2025)
    lines = lines[~lines["chapter"].isin(["98", "99"])]
    w, note = svc.weighted_lines(lines, "baci-zaf-usa-2020")
    sub = w[(w["section"] == "XV") & w["ave"].notna() & w["weight"].notna()]
    expected = float(np.average(sub["ave"], weights=sub["weight"]))
    rows = {r.group: r for r in svc.indicators_table(by="section", weights="baci-zaf-usa-2020")}
    assert rows["XV"].weighted_avg == pytest.approx(expected, abs=1e-12)
    assert 0 < note.trade_matched_usd <= note.trade_usd
