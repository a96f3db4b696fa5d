"""Section 201 safeguards 2018-2026: CSPV cells and modules, large residential washers.

Source of every figure: HTS chapter 99 subchapter III U.S. notes 17 (washers) and 18 (solar),
text of HTS 2026 Revision 6 (us-tariff-history chapter99_2026_rev_6.txt.gz):
- 18(h) modules (9903.45.25): 30 % from 2018-02-07, 25 %, 20 %, 18 % (2021-02-07), 14.75 %
  (2022-02-07), 14.5 %, 14.25 % (2024-02-07 to 2025-02-06), 14 % (2025-02-07 to 2026-02-06);
  18(f) cells over the quota (9903.45.22), the same rates; 18(b) the developing countries not
  subject (Cambodia and Indonesia are on it, Vietnam and the Philippines are not);
- 17(d) washers within the quota (9903.45.01): 20 %, 18 % (2019-02-07), 16 %, 15 %, 14 %;
  17(e)/(h) over the quota and parts over the quota: 50 %, 45 % (2019-02-07), 40 %, 35 %, 30 %;
  17(b) Canada and 100 developing countries (the Philippines among them); expired at the
  close of 2023-02-07;
- Canada out of the solar measure from 2022-02-01 (US-Canada MOU of 2022-07-08, ustr.gov);
- bifacial panels excluded 2022-02-07 to 2024-06-25, then the note 18(j) wind-down to 2024-09-23.
Rates are exact decimals of the text: tolerance 1e-12.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pycountry
import pytest

from tests.helpers import requires_dataset
from tradepolicy.datasets import dataset_path
from tradepolicy.services import tariff_effective as eff
from tradepolicy.services import tariffs as svc
from tradepolicy.services.tariffs.common import measures
from tradepolicy.tariffs.schema import ListSpec

TOL = 1e-12
pytestmark = [requires_dataset("us-hts"), requires_dataset("us-tariff-history"), requires_dataset("section232"),
              requires_dataset("section301-china")]
MODULE = "8541.43.00.10"


def _s201(code: str, origin: str, date: str, **kw: object) -> dict[str | None, float | None]:
    s = svc.stack(code, origin, date, **kw)
    return {ly.heading: ly.ave for ly in s.layers if ly.layer == "chapter99" and "201" in ly.authority}


@pytest.mark.parametrize(("date", "rate"), [("2018-06-01", 0.30), ("2019-03-01", 0.25), ("2020-03-01", 0.20),
                                            ("2021-03-01", 0.18), ("2022-03-01", 0.1475), ("2023-03-01", 0.145),
                                            ("2024-10-01", 0.1425), ("2025-03-01", 0.14)])
def test_module_rate_by_period(date: str, rate: float) -> None:
    # before 2024 the schedule loaded is the 2017 database (HS 2017): modules are 8541.40.60.15
    got = _s201(MODULE if date >= "2024" else "8541.40.60.15", "VNM", date)
    assert got == {"9903.45.25": pytest.approx(rate, abs=TOL)}


def test_after_the_last_period_no_duty_and_a_note() -> None:
    s = svc.stack(MODULE, "VNM", "2026-03-01")
    assert not [ly for ly in s.layers if "201" in ly.authority]
    assert any("Section 201 (solar): no longer collected after 2026-02-06" in n for n in s.notes)


def test_developing_countries_of_note_18b_and_canada_after_the_mou() -> None:
    assert _s201(MODULE, "KHM", "2025-03-01") == {}
    assert _s201(MODULE, "IDN", "2025-03-01") == {}
    assert _s201(MODULE, "PHL", "2025-03-01") == {"9903.45.25": pytest.approx(0.14, abs=TOL)}
    assert _s201(MODULE, "CAN", "2024-03-01") == {}
    assert _s201("8541.40.60.15", "CAN", "2023-03-01") == {}
    assert _s201("8541.40.60.15", "CAN", "2021-03-01") == {"9903.45.25": pytest.approx(0.18, abs=TOL)}


def test_the_bifacial_exclusion_is_said_on_the_stack_and_taken_for_the_line_in_aggregate(tmp_path: Path) -> None:
    s = svc.stack(MODULE, "VNM", "2024-07-01")
    assert any("9903.45.29" in n and "bifacial" in n for n in s.notes)
    assert _s201(MODULE, "VNM", "2024-07-01") == {"9903.45.25": pytest.approx(0.1425, abs=TOL)}
    p = tmp_path / "imports.csv"
    p.write_text("hts10,partner,value\n8541430010,VNM,1000\n8541430080,VNM,1000\n", encoding="utf-8")
    frame, layout = eff.read_imports(p)
    during = eff.effective(frame, layout=layout, date="2024-07-01", utilisation="all")
    assert during.predicted_duty == pytest.approx(0.0, abs=1e-9)
    assert any("bifacial" in n and "whole line" in n for n in during.notes)
    after = eff.effective(frame, layout=layout, date="2024-10-01", utilisation="all")
    # thin-film and other modules (8541.43.00.80) are outside the measure: 14.25 % of 1,000 only
    assert after.predicted_duty == pytest.approx(142.5, abs=1e-9)


def test_cells_are_in_quota_unless_the_user_says_over() -> None:
    s = svc.stack("8541.42.00.10", "KOR", "2024-03-01")
    assert not [ly for ly in s.layers if "201" in ly.authority]
    assert any("in quota assumed" in n and "9903.45.22" in n for n in s.notes)
    assert _s201("8541.42.00.10", "KOR", "2024-03-01", over_quota=True) == {
        "9903.45.22": pytest.approx(0.1425, abs=TOL)}


def test_an_eight_digit_line_holding_a_covered_statistical_line_says_so() -> None:
    s = svc.stack("8541.40.60", "CHN", "2019-03-01")
    assert any("8541406015" in n and "9903.45.25" in n for n in s.notes)


@pytest.mark.parametrize(("date", "in_q", "over"), [("2018-06-01", 0.20, 0.50), ("2019-03-01", 0.18, 0.45),
                                                     ("2020-03-01", 0.16, 0.40), ("2021-03-01", 0.15, 0.35),
                                                     ("2022-03-01", 0.14, 0.30)])
def test_washers_within_and_over_the_quota(date: str, in_q: float, over: float) -> None:
    assert _s201("8450.11.00.40", "KOR", date) == {"9903.45.01": pytest.approx(in_q, abs=TOL)}
    assert _s201("8450.11.00.40", "KOR", date, over_quota=True) == {"9903.45.02": pytest.approx(over, abs=TOL)}
    assert _s201("8450.90.60.00", "MEX", date, over_quota=True) == {"9903.45.06": pytest.approx(over, abs=TOL)}
    assert _s201("8450.90.60.00", "MEX", date) == {}  # parts within the quota: no change


def test_washers_end_after_2023_02_07_and_spare_canada_and_note_17b_countries() -> None:
    assert _s201("8450.11.00.40", "KOR", "2023-02-07") == {"9903.45.01": pytest.approx(0.14, abs=TOL)}
    assert _s201("8450.11.00.40", "KOR", "2023-02-08") == {}
    assert _s201("8450.11.00.40", "CAN", "2019-03-01") == {}
    assert _s201("8450.11.00.40", "PHL", "2019-03-01") == {}


def _note_countries(text: str, subheadings: str) -> set[str]:
    m = re.search(r"\(b\) For the purposes of this note and the application of subheadings " + re.escape(subheadings)
                  + r"(.*?)Zimbabwe", text, re.S)
    assert m, subheadings
    body = " ".join(m.group(1).split()).split("therein:")[-1].split("Organization:")[-1] + " Zimbabwe"
    fixed = {"Burma": "MMR", "Cape Verde": "CPV", "Congo (Brazzaville)": "COG", "Congo (Kinshasa)": "COD",
             "The Gambia": "GMB", "Kosovo": "XKX", "Solomon Island": "SLB", "Swaziland [Eswatini]": "SWZ",
             "Yemen (Republic of)": "YEM", "Tanzania": "TZA", "Moldova": "MDA", "Bolivia": "BOL"}
    out = set()
    for name in (n.strip() for n in body.replace(" and Zimbabwe", ", Zimbabwe").split(",")):
        if not name:
            continue
        if "Ivoire" in name:
            out.add("CIV")
        elif "Principe" in name:
            out.add("STP")
        elif name in fixed:
            out.add(fixed[name])
        else:
            out.add(pycountry.countries.lookup(name).alpha_3)
    return out


def test_the_country_lists_are_those_of_the_note_text() -> None:
    path = dataset_path("us-tariff-history", "budgetlab-tariff-rate-tracker/chapter99_2026_rev_6.txt.gz")
    with gzip.open(path) as fh:
        text = fh.read().decode("latin-1")
    acts = measures()["country_actions"]["actions"]
    solar = set(acts["section201_solar_modules"]["not_subject"]["origins"])
    washers = set(acts["section201_washers"]["not_subject"]["origins"])
    assert solar == _note_countries(text, "9903.45.21 through 9903.45.29")
    assert len(solar) == 99 and "VNM" not in solar and "PHL" not in solar
    assert washers == _note_countries(text, "9903.45.01 through 9903.45.06") | {"CAN"}
    assert len(washers) == 101 and "PHL" in washers


def test_a_product_list_needs_a_file_or_codes() -> None:
    ListSpec.model_validate({"codes": ["8450.11.00"], "citation": "note 17(c)"})
    with pytest.raises(ValueError, match="either file and column, or codes"):
        ListSpec.model_validate({"citation": "note 17(c)"})
    with pytest.raises(ValueError, match="either file and column, or codes"):
        ListSpec.model_validate({"file": "x.csv", "column": "hts10", "codes": ["8450.11.00"], "citation": "both"})


def test_listed_codes_must_be_tariff_codes() -> None:
    with pytest.raises(ValueError, match="HS6, HTS8 or HTS10"):
        ListSpec.model_validate({"codes": ["8541.43.00.1O"], "citation": "note 18(g)"})
    with pytest.raises(ValueError, match="HS6, HTS8 or HTS10"):
        ListSpec.model_validate({"codes": ["8541.4"], "citation": "note 18(g)"})


def test_a_partial_exclusion_must_end_after_it_starts() -> None:
    from tradepolicy.tariffs.schema import PartialExclusion

    ok = {"from": "2022-02-07", "to": "2024-06-25", "heading": "9903.45.29", "description": "bifacial panels",
          "citation": "note 18(j)"}
    PartialExclusion.model_validate(ok)
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        PartialExclusion.model_validate({**ok, "from": "2024-06-26"})
