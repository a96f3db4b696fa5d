"""Special-column references to chapter 98/99 agreement headings ("See 9822.05.20 (P+)").

Hand checks against the HTS 2024 Basic Edition text (us-hts/hts_2024_basic_edition_csv.csv):
- 1701.14.50 (over-quota raw cane sugar, 33.87 cents/kg) prints "See 9822.05.20 (P+)"; heading
  9822.05.20 names 1701.14.50 and gives "Free (P+)" "subject to the quantitative limits
  specified in U.S. note 25 to this subchapter" (CAFTA-DR sugar quota);
- the same line prints "See 9823.09.01-9823.09.09 (S+)": 9823.09.01 ("Goods provided for in
  note 9(a)", Free) sits under the superior text "Goods provided for in subheading 1701.12.50,
  1701.13.50, 1701.14.50, ...", and 9823.09.05 names 1701.14.50 at 33.87 cents/kg (S+);
  9823.09.03 names 1701.12.50 only and must not apply;
- 0406.10.08 (cheese) prints "See 9908.04.05 (IL)"; 9908.04.05 gives "Free (IL)" subject to the
  quantitative limits of U.S. note 5 of chapter 99 subchapter VIII.
Rates are exact (Free = 0): tolerance 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariff_effective as eff
from tradepolicy.services import tariffs as svc
from tradepolicy.services.tariffs.schedules import line_rates, route_headings
from tradepolicy.tariffs.quota_routes import RouteHeading, condense, covers, resolve

TOL = 1e-12

SUGAR_PARENT = "Goods provided for in subheading 1701.12.50, 1701.13.50, 1701.14.50, 1701.91.30, 1701.99.50 or 1702.90.20:"
HEADS = (
    RouteHeading("9822.05.20", "Goods provided for in subheading 1701.12.50, 1701.14.50 or 1702.90.20, "
                 "subject to the quantitative limits specified in U.S. note 25 to this subchapter", "Free (P+)"),
    RouteHeading("9823.09.01", "Goods provided for in note 9(a) to this subchapter", "Free (S+)", SUGAR_PARENT),
    RouteHeading("9823.09.03", "Goods provided for in subheading 1701.12.50", "35.74¢/kg (S+)", SUGAR_PARENT),
    RouteHeading("9823.09.05", "Goods provided for in subheading 1701.14.50", "33.87¢/kg (S+)", SUGAR_PARENT),
    RouteHeading("9915.02.05", "Subject to the quantitative limits specified in U.S. note 4 to this subchapter",
                 "Free (P+)"),
    RouteHeading("9915.02.10", "Other", "10% (P+)"),
)


def test_a_heading_that_names_subheadings_applies_only_to_them() -> None:
    assert covers(HEADS[0], "1701.14.50")
    assert not covers(HEADS[0], "1701.13.50")
    assert not covers(HEADS[2], "1701.14.50")  # names 1701.12.50 only


def test_a_heading_naming_none_takes_its_superior_text_else_applies_to_every_referring_line() -> None:
    assert covers(HEADS[1], "1701.14.50")          # superior names it
    assert not covers(HEADS[1], "0201.10.50")      # superior names other lines only
    assert covers(HEADS[5], "0201.10.50")          # "Other", no superior: every referring line


def test_resolve_keeps_the_range_the_programme_and_the_quota_condition() -> None:
    got = resolve("See 9823.09.01-9823.09.09", ("S+",), "1701.14.50", HEADS)
    assert [(r.heading, r.duty.text, r.in_quota) for r in got] == [
        ("9823.09.01", "Free", False), ("9823.09.05", "33.87¢/kg", False)]
    beef = resolve("See 9915.02.05-9915.02.10", ("P+",), "0201.10.50", HEADS)
    assert [(r.heading, r.in_quota) for r in beef] == [("9915.02.05", True), ("9915.02.10", False)]
    assert beef[1].duty.ad_valorem == pytest.approx(0.10, abs=TOL)
    assert resolve("See 9822.05.20", ("PE",), "1701.14.50", HEADS) == []  # other programme
    assert resolve("Free", ("P+",), "1701.14.50", HEADS) == []             # not a reference


def test_a_reference_may_list_headings_and_ranges() -> None:
    heads = (RouteHeading("9919.04.40", "Subject to the quantitative limits of U.S. note 9", "Free (PA)"),
             RouteHeading("9919.04.41", "Other", "30% (PA)"), RouteHeading("9919.04.42", "Other", "20% (PA)"),
             RouteHeading("9919.04.43", "Other", "1% (PA)"))
    got = resolve("See 9919.04.40, 9919.04.41-9919.04.42", ("PA",), "0406.10.08", heads)
    assert [r.heading for r in got] == ["9919.04.40", "9919.04.41", "9919.04.42"]  # not .43


def test_a_heading_may_name_a_four_digit_heading() -> None:
    # USITC 2017 database, 9908.04.05: "Eligible products of Israel provided in certain
    # subheadings of heading 0406 or 1901.90.36, within quota ..."
    h = RouteHeading("9908.04.05", "Eligible products of Israel provided in certain subheadings of heading "
                     "0406 or 1901.90.36, within quota specified US note 3 to chapter 98", "Free (IL)")
    assert covers(h, "0406.10.08") and covers(h, "1901.90.36") and not covers(h, "0402.10.50")
    (r,) = resolve("See 9908.04.05", ("IL",), "0406.10.08", (h,))
    assert r.in_quota and r.duty.text == "Free"


def test_condense_keeps_the_line_and_counts_the_rest() -> None:
    assert condense(HEADS[0].description, "1701.14.50") == (
        "Goods provided for in subheading 1701.14.50 (and 2 others), subject to the quantitative "
        "limits specified in U.S. note 25 to this subchapter")


@requires_dataset("us-hts")
class TestOnTheSchedule:
    def test_the_edition_headings_carry_their_superior_text(self) -> None:
        by = {h.heading: h for h in route_headings("hts2024")}
        assert "1701.14.50" in by["9823.09.01"].superior
        assert by["9822.05.20"].special == "Free (P+)"

    def test_cafta_dr_sugar_in_quota_is_free_through_9822_05_20(self) -> None:
        s = svc.stack("1701.14.50", "GTM", "2024-07-01")
        (pref,) = [ly for ly in s.layers if ly.layer == "preference"]
        assert pref.heading == "9822.05.20"
        assert pref.ave == pytest.approx(0.0, abs=TOL)
        assert "U.S. note 25" in pref.citation and "in quota" in (pref.note or "")
        assert s.total_ave == pytest.approx(0.0, abs=TOL)

    def test_over_quota_the_in_quota_heading_is_not_offered(self) -> None:
        s = svc.stack("1701.14.50", "GTM", "2024-07-01", over_quota=True)
        assert [ly.layer for ly in s.layers] == ["base"]
        assert s.layers[0].rate_text == "33.87¢/kg"
        assert any("Over quota" in n for n in s.notes)

    def test_usmca_sugar_takes_the_free_heading_not_the_high_tier(self) -> None:
        line = line_rates("hts2024", "1701145000")
        s_plus = [(g.via, g.duty.text) for g in line.special if "S+" in g.programs]
        assert ("9823.09.01", "Free") in s_plus and ("9823.09.05", "33.87¢/kg") in s_plus
        assert all(v != "9823.09.03" for v, _t in s_plus)
        s = svc.stack("1701.14.50", "MEX", "2024-07-01")
        (pref,) = [ly for ly in s.layers if ly.layer == "preference"]
        assert pref.heading == "9823.09.01" and pref.ave == pytest.approx(0.0, abs=TOL)

    def test_israel_cheese_in_quota_through_chapter_99(self) -> None:
        for date in ("2024-07-01", "2019-07-01"):  # HTS 2024 and the 2017 database
            s = svc.stack("0406.10.08", "ISR", date)
            (pref,) = [ly for ly in s.layers if ly.layer == "preference"]
            assert pref.heading == "9908.04.05" and pref.ave == pytest.approx(0.0, abs=TOL)

    def test_every_heading_of_a_listed_reference_is_offered(self) -> None:
        # HTS 2024 0402.21.50: "See 9915.04.20, 9915.04.22, 9915.04.26 (P+)"
        vias = [g.via for g in line_rates("hts2024", "0402215000").special if "P+" in g.programs]
        assert vias[0] == "9915.04.20" and len(vias) >= 2 and set(vias) <= {"9915.04.20", "9915.04.22", "9915.04.26"}

    def test_a_partner_without_the_programme_pays_the_base(self) -> None:
        s = svc.stack("1701.14.50", "BRA", "2024-07-01")
        assert [ly.layer for ly in s.layers] == ["base"]

    def test_aggregate_work_takes_the_in_quota_route(self, tmp_path: Path) -> None:
        # 1,000 of CAFTA-DR raw sugar (in quota: free) and 1,000 of Brazilian raw sugar at the
        # world reference price (over quota, 33.87 cents/kg: positive), all claim.
        p = tmp_path / "imports.csv"
        p.write_text("hts10,partner,value\n1701145000,GTM,1000\n1701145000,BRA,1000\n", encoding="utf-8")
        frame, layout = eff.read_imports(p)
        res = eff.effective(frame, layout=layout, date="2024-07-01", utilisation="all")
        by = {r["partner"]: r for r in res.by_partner}
        assert by["GTM"]["predicted_rate"] == pytest.approx(0.0, abs=TOL)
        assert by["BRA"]["predicted_rate"] > 0.5
