"""Negotiation offers: formulas, Swiss solve, staging, KORUS check, bad offer files.

Worked examples are hand arithmetic (tolerance 1e-12 unless said).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import ConvergenceError, InputError
from tradepolicy.tariffs.formulas import (
    apply_formula,
    check_staging,
    rate_in_year,
    solve_swiss,
    staging_path,
    swiss,
)

T0 = np.array([0.0, 0.05, 0.10, 0.40])


def test_swiss_worked_example() -> None:
    # a = 0.08: 0.10 -> 0.08*0.10/0.18 = 0.0444..; 0.40 -> 0.032/0.48 = 0.0666..; 0 stays 0.
    out = swiss(T0, 0.08)
    assert out == pytest.approx([0.0, 0.004 / 0.13, 0.008 / 0.18, 0.032 / 0.48], abs=1e-12)
    assert out.max() < 0.08  # the coefficient is the ceiling


def test_swiss_solved_for_target_average() -> None:
    a = solve_swiss(T0, 0.03)
    assert swiss(T0, a).mean() == pytest.approx(0.03, abs=1e-10)  # brentq xtol 1e-12
    w = np.array([1.0, 1.0, 1.0, 5.0])
    aw = solve_swiss(T0, 0.03, w)
    assert float(np.sum(swiss(T0, aw) * w) / w.sum()) == pytest.approx(0.03, abs=1e-10)
    with pytest.raises(ConvergenceError):
        solve_swiss(T0, 0.5)  # above the current average 0.1375: not reachable


def test_new_rate_cap_linear_cut() -> None:
    assert apply_formula("new_rate", T0, value=0.02).after == pytest.approx([0.02] * 4)
    assert apply_formula("cap", T0, value=0.08).after == pytest.approx([0.0, 0.05, 0.08, 0.08])
    r = apply_formula("linear_cut", T0, value=0.5)
    assert r.after == pytest.approx(T0 / 2) and r.average_after == pytest.approx(0.06875)
    with pytest.raises(InputError):
        apply_formula("girard", T0, value=0.1)


def test_staging_paths() -> None:
    assert staging_path(0.10, 0.0, 2026, "immediate") == [(2026, 0.0)]
    eq = staging_path(0.10, 0.0, 2026, "equal", years=5)
    assert [y for y, _ in eq] == list(range(2026, 2032))
    assert [r for _, r in eq] == pytest.approx([0.10, 0.08, 0.06, 0.04, 0.02, 0.0])
    cu = staging_path(0.10, 0.02, 2026, "custom", custom=[0.25, 0.5, 1.0])
    assert [r for _, r in cu] == pytest.approx([0.08, 0.06, 0.02])
    assert rate_in_year(eq, 2025, 0.10) == 0.10 and rate_in_year(eq, 2040, 0.10) == 0.0
    with pytest.raises(InputError):
        staging_path(0.1, 0.0, 2026, "custom", custom=[0.5, 0.4, 1.0])


def test_check_staging_counts() -> None:
    chk = check_staging(np.array([0.1, 0.05, np.nan]), np.array([0.1, 0.0, 0.2]), 2017)
    assert (chk.n_lines, chk.n_match) == (2, 1) and chk.mean_abs_diff == pytest.approx(0.025)


@requires_dataset("us-hts")
def test_korus_check_immediate_matches_lines_free_in_2017() -> None:
    # Independent count from the 2017 database: KR lines with an ad valorem MFN rate whose
    # KORUS rate is free (or not published) in 2017 are exactly the lines an immediate path
    # (MFN -> 0 in 2012) matches. Exact.
    from tradepolicy.services import tariffs as svc

    db = svc.db2017()
    sub = db[(db["korea_indicator"] != "") & (db["mfn_rate_type_code"] == "7")]
    free = int((sub["korea_ad_val_rate"].fillna(0.0).abs() <= 5e-4).sum())
    res = svc.korus_check(kind="immediate")
    assert res.n_lines == len(sub) and res.n_match == free
    # a 10-year path matches far fewer lines (most KORUS lines were category A, immediate)
    ten = svc.korus_check(kind="equal", years=10)
    assert ten.n_match < res.n_match
    inf = svc.korus_staging_inference()
    # every line is either assigned to one path or unmatched; N=1 is the immediate count
    assert sum(inf.lines_by_equal_cuts.values()) + inf.unmatched == inf.n_lines
    assert inf.lines_by_equal_cuts["1"] == res.n_match
    assert inf.lines_by_equal_cuts["10"] <= ten.n_match


@requires_dataset("us-hts")
def test_offer_file(tmp_path: Path) -> None:
    from tradepolicy.services import tariffs as svc

    f = tmp_path / "offer.yaml"
    f.write_text(
        "name: test\npartners: [KOR]\nstart_year: 2026\n"
        "groups:\n  agriculture: {chapters: ['01-24']}\n  autos: {hts: ['8703']}\n"
        "formulas:\n"
        "  - {group: agriculture, formula: swiss, target_average: 0.03, staging: {kind: equal, years: 5}}\n"
        "  - {group: autos, formula: new_rate, rate: 0.0}\n", encoding="utf-8")
    res = svc.offer(f)
    agri = res.groups[0]
    assert agri.solved and agri.average_after == pytest.approx(0.03, abs=1e-9)
    assert [p.year for p in agri.staging.path] == list(range(2026, 2032))
    assert res.groups[1].average_after == 0.0


@requires_dataset("us-hts")
@pytest.mark.parametrize("body, field", [
    ("groups: {a: {chapters: ['01']}}\nformulas: [{group: a, formula: girard, coefficient: 1}]\n", "formula"),
    ("groups: {a: {chapters: ['01']}}\nformulas: [{group: b, formula: cap, cap: 0.1}]\n", "group"),
])
def test_offer_file_errors(tmp_path: Path, body: str, field: str) -> None:
    from tradepolicy.services import tariffs as svc

    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as e:
        svc.offer(f)
    assert e.value.field == field and str(f) in (e.value.where or "")


@requires_dataset("us-hts")
def test_offer_by_partner_starts_from_what_each_partner_pays() -> None:
    # 0201.10.50 in HTS 2025: MFN "26.4%", KORUS "1.7% (KR)", column 2 "31.1%". A cap of 10%
    # offered to KOR, CHN and CUB on 2025-03-01. Hand check: KOR pays 1.7% now and after
    # (the cap does not bite); CHN 26.4% -> 10%; CUB (column 2) 31.1% -> 10%. Tolerance 1e-12.
    from tradepolicy.services import tariffs as svc

    res = svc.offer_from_spec({"partners": ["KOR", "CHN", "CUB"], "base_date": "2025-03-01",
                               "groups": {"beef": {"hts": ["0201.10.50"]}},
                               "formulas": [{"group": "beef", "formula": "cap", "cap": 0.10}]})
    by = {b.partner: b for b in res.groups[0].by_partner}
    assert by["KOR"].average_now == pytest.approx(0.017, abs=1e-12)
    assert by["KOR"].average_after == pytest.approx(0.017, abs=1e-12) and by["KOR"].lines_cut == 0
    assert by["CHN"].average_now == pytest.approx(0.264, abs=1e-12)
    assert by["CHN"].average_after == pytest.approx(0.10, abs=1e-12)
    assert by["CUB"].column2 and by["CUB"].average_now == pytest.approx(0.311, abs=1e-12)
    assert "KR" in by["KOR"].programs_claimable and "KR" not in by["CHN"].programs_claimable
