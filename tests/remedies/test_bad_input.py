"""Bad input: each fault gets an InputError naming the file, the row and the column."""

import pandas as pd
import pytest

from tests.remedies.fixtures import e6_cost, e6_home, e6_us
from tests.remedies.params import AD
from tradepolicy.errors import InputError
from tradepolicy.remedies.programme import run_margin_programme

SRC = {"us": "us.csv", "home": "home.csv", "cost": "cost.csv"}


def _run(us=None, home=None, cost=None, segment="investigation"):
    return run_margin_programme(e6_us() if us is None else us, e6_home() if home is None else home,
                                e6_cost() if cost is None else cost, segment=segment, params=AD, sources=SRC)


def _err(**kw) -> InputError:
    with pytest.raises(InputError) as ei:
        _run(**kw)
    return ei.value


def test_missing_column():
    e = _err(us=e6_us().drop(columns=["region"]))
    assert e.field == "region" and e.where == "us.csv, header" and "lacks" in e.message


def test_extra_column():
    us = e6_us()
    us["colour"] = "red"
    e = _err(us=us)
    assert e.field == "colour" and "unknown column" in e.message


@pytest.mark.parametrize("bad", [0, -5])
def test_zero_or_negative_quantity(bad):
    home = e6_home()
    home.loc[2, "quantity"] = bad
    e = _err(home=home)
    assert e.field == "quantity" and e.where == "home.csv, row 3 (CSV line 4)"
    assert f"first value {bad}" in e.message  # the cell as written, not a numpy repr


def test_non_numeric_price():
    us = e6_us().astype({"net_price": object})
    us.loc[4, "net_price"] = "12O.5"
    e = _err(us=us)
    assert e.field == "net_price" and e.where == "us.csv, row 5 (CSV line 6)" and "12O.5" in e.message


def test_duplicate_sale_id():
    us = e6_us()
    us.loc[6, "sale_id"] = "U2"
    e = _err(us=us)
    assert e.field == "sale_id" and "rows 2 and 7" in e.message and e.where == "us.csv, row 7 (CSV line 8)"


def test_connum_without_cost():
    us = e6_us()
    us.loc[3, "connum"] = "Z"
    e = _err(us=us)
    assert e.field == "connum" and e.where == "us.csv, row 4 (CSV line 5)" and "'Z'" in e.message


def test_home_connum_without_cost():
    home = e6_home()
    home.loc[5, "connum"] = "Q"
    e = _err(home=home)
    assert e.where == "home.csv, row 6 (CSV line 7)"


def test_unknown_segment():
    e = _err(segment="final")
    assert e.field == "segment" and "investigation" in (e.expected or "")


def test_empty_key_and_bad_boolean():
    us = e6_us()
    us.loc[1, "customer"] = " "
    assert _err(us=us).where == "us.csv, row 2 (CSV line 3)"
    home = e6_home()
    home.loc[0, "affiliated"] = "maybe"
    e = _err(home=home)
    assert e.field == "affiliated" and e.where == "home.csv, row 1 (CSV line 2)"


def test_bad_sale_type_and_duplicate_cost():
    us = e6_us()
    us["sale_type"] = ["EP"] * 7 + ["XX"]
    assert _err(us=us).where == "us.csv, row 8 (CSV line 9)"
    cost = pd.concat([e6_cost(), e6_cost().iloc[[0]]], ignore_index=True)
    assert _err(cost=cost).field == "connum"


def test_input_frames_are_not_modified():
    us = e6_us()
    before = us.copy()
    _run(us=us)
    pd.testing.assert_frame_equal(us, before)
