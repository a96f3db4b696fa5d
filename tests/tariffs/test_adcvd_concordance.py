"""AD/CVD: order codes mapped across HS revisions, the orders list's age, a user orders file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import InputError
from tradepolicy.services import tariffs as svc

pytestmark = [requires_dataset("us-hts"), requires_dataset("us-adcvd-orders"), requires_dataset("section232"),
              requires_dataset("section301-china")]


def _adcvd(s: object) -> list[str]:
    return [ly.rate_text for ly in s.layers if ly.layer == "adcvd"]  # type: ignore[attr-defined]


def test_china_and_vietnam_frozen_shrimp_orders_get_a_layer() -> None:
    # I-TIP prints the 2005 shrimp orders at HS 2007 0306.13 / 1605.20; HS 2012 moved them to
    # 0306.16/.17 and 1605.21/.29 (hs_concordance.yaml). A-570-893 (China), A-552-802 (Vietnam).
    chn = svc.stack("0306.17.00.41", "CHN", "2024-07-01")
    assert any(t.startswith("A-570-893") for t in _adcvd(chn))
    vnm = svc.stack("1605.21.10.30", "VNM", "2024-07-01")
    assert any(t.startswith("A-552-802") for t in _adcvd(vnm))
    assert not _adcvd(svc.stack("0306.17.00.41", "ECU", "2024-07-01"))  # Ecuador's order revoked 2007


def test_every_concordance_target_exists_in_a_loaded_edition() -> None:
    current = svc.current_prefixes()
    conc = svc.measures()["hs_concordance"]["hs6"]
    missing = {k: [t for t in v["to"] if t not in current] for k, v in conc.items()}
    assert not {k: v for k, v in missing.items() if v}, missing


def test_stack_after_the_orders_list_says_how_old_it_is() -> None:
    s = svc.stack("0306.17.00.41", "CHN", "2024-07-01")
    assert any("orders list as of 2020-08-31 (3.8 years" in n for n in s.notes)
    assert not any("orders list as of" in n for n in svc.stack("0306.17.00", "CHN", "2019-06-01").notes)


def _orders(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "orders.csv"
    p.write_text("case_number,country,hts,exporter,deposit_rate,kind,from,to,citation\n" + body, encoding="utf-8")
    return p


def test_user_orders_file_adds_a_labelled_deposit_total(tmp_path: Path) -> None:
    # Hand check: 0306.17.00.41 from China on 2024-07-01: MFN free + 301 List 3 25% = 25%;
    # the all-others deposit 112.81% (a value given in the file, not a claim about the order)
    # gives a total with deposits of 137.81%; the exporter's own 10% gives 35%.
    p = _orders(tmp_path, "A-570-893,CHN,0306.17,all-others,1.1281,AD,2005-02-01,,test file\n"
                          "A-570-893,CHN,0306.17,Acme Seafood,0.10,AD,2005-02-01,,test file\n")
    orders = svc.read_orders_file(p)
    s = svc.stack("0306.17.00.41", "CHN", "2024-07-01", orders=orders)
    assert s.total_ave == pytest.approx(0.25, abs=1e-9)
    assert s.total_with_deposits == pytest.approx(0.25 + 1.1281, abs=1e-9)
    e = svc.stack("0306.17.00.41", "CHN", "2024-07-01", orders=orders, exporter="ACME SEAFOOD")
    assert e.total_with_deposits == pytest.approx(0.35, abs=1e-9)
    assert not any("orders list as of" in n for n in s.notes)


def test_bad_orders_file_names_row_and_field(tmp_path: Path) -> None:
    p = _orders(tmp_path, "A-570-893,CHX,0306.17,all-others,1.1281,AD,2005-02-01,,\n")
    with pytest.raises(InputError) as e:
        svc.read_orders_file(p)
    assert e.value.field == "country" and "row 2" in (e.value.where or "") and "CHN" in e.value.details["nearest"]
    bad = tmp_path / "o2.csv"
    bad.write_text("case,rate\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError) as e2:
        svc.read_orders_file(bad)
    assert e2.value.field == "columns"
