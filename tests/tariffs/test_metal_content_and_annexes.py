"""Section 232 metals: 2025 derivatives on their metal content, and the 2026-04-06 annexes.

Hand checks (rates from section232.yaml, each cited there; the 2026 ones from the proclamation
of 2026-04-02 as staged in us-tariff-history, marked unconfirmed):

* 2025-03-12 .. 2026-04-05: a steel/aluminium/copper layer on a line outside the metal's own
  chapters (72/73, 76, 74) is charged on the metal content: rate x share. 8302.41.60.45
  (aluminium derivative, 9903.85.08) on 2025-09-01 at 50 %: share 0.3 -> 15 %; the stated
  default 0.5 -> 25 %. 7326.90.86.88 (chapter 73) pays the full 50 % whatever the share.
* From 2026-04-06 (clause 1: full value): Annex I-A 50 % (UK 25 %), I-B 25 % (UK 15 %), II
  removed, III: Column 1 + s.232 = 15 % to 2027-12-31 (25 % without normal trade relations),
  then the I-B rate; aluminium of Russia 200 % (clause 8).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import InputError
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.dated_measures import section232_duties

pytestmark = [requires_dataset("us-hts"), requires_dataset("section232"), requires_dataset("us-tariff-history")]
TOL = 1e-9


def _s232(hts: str, origin: str, date: str, **kw: float) -> list[dict]:
    s = svc.stack_entry(hts, origin, date, **kw).to_dict()
    return [ly for ly in s["layers"] if ly["authority"] == "Section 232"]


def test_derivative_outside_the_metal_chapters_pays_on_the_given_metal_share() -> None:
    (ly,) = _s232("8302.41.60.45", "VNM", "2025-09-01", metal_share=0.3)
    assert ly["ave"] == pytest.approx(0.50 * 0.3, abs=TOL)  # hand: 50 % x 0.3 = 15 %
    assert "30% as given" in ly["note"]


def test_without_a_share_the_stated_default_applies_and_the_layer_says_so() -> None:
    cfg = svc.measures()["section232"]["metal_content"]
    (ly,) = _s232("8302.41.60.45", "VNM", "2025-09-01")
    assert ly["ave"] == pytest.approx(0.50 * float(cfg["default_share"]), abs=TOL)  # 50 % x 0.5
    assert "stated default 50%" in ly["note"] and "UNCONFIRMED" in ly["note"]


def test_a_chapter_73_article_pays_the_full_rate_whatever_the_share() -> None:
    (ly,) = _s232("7326.90.86.88", "IND", "2025-09-01", metal_share=0.2)
    assert ly["ave"] == pytest.approx(0.50, abs=TOL)


def test_metal_share_is_not_used_before_2025_03_12() -> None:
    # 2024: the Proc. 9980 derivatives (bumper stampings 8708.10.30, chapter 87) paid 25 % on
    # the full value
    (ly,) = _s232("8708.10.30.50", "CHN", "2024-07-01", metal_share=0.1)
    assert ly["ave"] == pytest.approx(0.25, abs=TOL)


def test_a_metal_share_outside_0_1_is_refused() -> None:
    with pytest.raises(InputError) as e:
        svc.stack_entry("8302.41.60.45", "VNM", "2025-09-01", metal_share=1.5).to_dict()
    assert e.value.field == "metal_share"


def test_annex_i_a_is_50_percent_on_the_full_value_and_25_for_the_uk() -> None:
    (ly,) = _s232("7208.51.00.30", "CHN", "2026-05-01", metal_share=0.1)
    assert ly["heading"] == "Annex I-A" and ly["ave"] == pytest.approx(0.50, abs=TOL)
    assert "full customs value" in ly["note"]
    (uk,) = _s232("7208.51.00.30", "GBR", "2026-05-01")
    assert uk["ave"] == pytest.approx(0.25, abs=TOL)


def test_annex_i_b_derivative_is_25_percent_on_the_full_value() -> None:
    (ly,) = _s232("8302.41.60.45", "VNM", "2026-05-01", metal_share=0.3)
    assert ly["heading"] == "Annex I-B" and ly["ave"] == pytest.approx(0.25, abs=TOL)


def test_annex_ii_lines_lose_the_metals_duty() -> None:
    assert svc.s232_annex("0402996800") == ("II", False)
    layers = _s232("0402.99.68.00", "NZL", "2026-05-01")
    assert all(ly["ave"] == 0.0 for ly in layers)


def test_annex_iii_floor_is_15_percent_including_column_1() -> None:
    # 8207.20.00.70: Column 1 3.9 % (HTS 2025) -> s.232 = 15 - 3.9 = 11.1 %
    (ly,) = _s232("8207.20.00.70", "VNM", "2026-05-01")
    assert ly["heading"] == "Annex III" and ly["ave"] == pytest.approx(0.15 - 0.039, abs=TOL)
    # Russia: no normal trade relations -> 25 % (clause 5(c))
    (ru,) = _s232("8207.20.00.70", "RUS", "2026-05-01")
    assert ru["ave"] == pytest.approx(0.25, abs=TOL)


def test_annex_iii_after_2027_takes_the_annex_i_b_rate() -> None:
    cfg = svc.measures()["section232"]
    out, _ = section232_duties("8207200070", "VNM", dt.date(2028, 1, 2), cfg, svc.s232_products(),
                               annex=svc.s232_annex("8207200070"), base_ave=0.039)
    assert [d.rate for d in out] == [pytest.approx(0.25, abs=TOL)]


def test_russian_aluminium_keeps_200_percent_under_the_annexes() -> None:
    (ly,) = _s232("7601.10.30.00", "RUS", "2026-05-01")
    assert ly["ave"] == pytest.approx(2.00, abs=TOL)


def test_batch_cells_agree_with_the_single_stack_on_annex_and_content_lines() -> None:
    cases = [("8302416045", "VNM", "2025-09-01", 0.3), ("8207200070", "VNM", "2026-05-01", None),
             ("8207200070", "RUS", "2026-05-01", None), ("7601103000", "RUS", "2026-05-01", None),
             ("7208510030", "GBR", "2026-05-01", None)]
    import numpy as np

    for code, origin, date, share in cases:
        _sid, codes = svc.batch_lines(date)
        res = svc.batch_cells(date, [origin], np.array([codes.index(code)]), np.array([0]), metal_share=share)
        single = sum(ly["ave"] for ly in _s232(code, origin, date, **({} if share is None else {"metal_share": share})))
        assert res.add232[0] == pytest.approx(single, abs=TOL), (code, origin, date)


def test_reciprocal_ieepa_applies_to_the_non_metal_part_of_a_content_taxed_derivative() -> None:
    # 8302.41.60.45 from VNM on 2025-09-01, share 0.3: s.232 50 % x 0.3 = 15 %; the reciprocal
    # 20 % (EO 14326) exempts s.232 goods only for the metal content: 20 % x 0.7 = 14 %.
    # Total = MFN 3.9 % + 15 % + 14 % = 32.9 %. From 2026-04-06 the full value is taxed by
    # s.232, so no non-metal part remains (IEEPA had ended on 2026-02-24 anyway).
    s = svc.stack_entry("8302.41.60.45", "VNM", "2025-09-01", metal_share=0.3).to_dict()
    by = {ly["authority"]: ly["ave"] for ly in s["layers"]}
    assert by["IEEPA (reciprocal)"] == pytest.approx(0.20 * 0.7, abs=TOL)
    assert s["total_ave"] == pytest.approx(0.039 + 0.15 + 0.14, abs=TOL)
    import numpy as np

    full = svc.batch_frame("2025-09-01", ["VNM"])  # the all-lines path, default share 0.5
    row = full[full["hts"] == "8302416045"].iloc[0]
    assert float(row["total"]) == pytest.approx(0.039 + 0.25 + 0.10, abs=TOL)
    _sid, codes = svc.batch_lines("2025-09-01")
    res = svc.batch_cells("2025-09-01", ["VNM"], np.array([codes.index("8302416045")]), np.array([0]),
                          metal_share=0.3)
    assert res.total[0] == pytest.approx(0.329, abs=TOL)


def test_metal_share_through_the_cli_and_the_api() -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from tradepolicy.api.app import create_app
    from tradepolicy.cli import app as cli_app

    client = TestClient(create_app(), raise_server_exceptions=False)
    q = {"hts": "8302.41.60.45", "origin": "VNM", "date": "2025-09-01", "metal_share": "0.3"}
    r = client.get("/api/tariffs/stack", params=q)
    assert r.status_code == 200, r.text
    (ly,) = [x for x in r.json()["stack"]["layers"] if x["authority"] == "Section 232"]
    assert ly["ave"] == pytest.approx(0.15, abs=TOL)
    bad = client.get("/api/tariffs/stack", params={**q, "metal_share": "1.5"})
    assert 400 <= bad.status_code < 500 and bad.json()["ok"] is False
    out = CliRunner().invoke(cli_app, ["tariff", "stack", "8302.41.60.45", "--origin", "VNM", "--date",
                                       "2025-09-01", "--metal-share", "1.5"])
    assert out.exit_code == 2, out.output
