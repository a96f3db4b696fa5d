"""TFA: the implementation rate against hand computations, Art. 16/17 dates, the importer, the log."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tests.promote.conftest import ANON, STAFF
from tradepolicy.errors import InputError
from tradepolicy.promote import tfa as engine
from tradepolicy.services import tfa
from tradepolicy.store.db import transaction
from tradepolicy.store.models_platform import RecordRow


@pytest.fixture
def example(fresh_db: str) -> str:
    with transaction() as s:
        tfa.seed_example(s, "pytest")
    return fresh_db


# Hand computations on the illustrative example set (promote/data/tfa_example.yaml); 238 items
# per Member (rule tfa.metric.items, TFA Database methodology).
@pytest.mark.parametrize(("member", "on", "committed"), [
    # XEA developing, ratified 2016-03-01: A 150 from 2017-02-22; B 40 definitive 2019-02-22 (indicative
    # 2018-02-22 ignored because a definitive date was notified); C 30 definitive 2026-02-22.
    ("XEA", dt.date(2017, 2, 22), 150),
    ("XEA", dt.date(2018, 2, 22), 150),        # B's indicative date has passed but its definitive one rules
    ("XEA", dt.date(2019, 2, 22), 190),
    ("XEA", dt.date(2026, 2, 22), 220),
    # XEB LDC, indicative dates only, ratified 2018-06-01: A 60 from max(2018-02-22, ratification);
    # B 100 indicative 2021-02-22; C 50 indicative 2030; C 10 no date (unknown).
    ("XEB", dt.date(2018, 2, 22), 0),          # before ratification: no obligation yet
    ("XEB", dt.date(2019, 2, 22), 60),
    ("XEB", dt.date(2021, 2, 22), 160),
    ("XEB", dt.date(2030, 2, 22), 210),
    # XEC developed, ratified 2015: every item from entry into force
    ("XEC", dt.date(2017, 2, 22), 238),
])
def test_rate_against_hand_computation(example: str, member: str, on: dt.date, committed: int) -> None:
    with transaction() as s:
        r = tfa.rate(s, ANON, member, as_of=on)
    assert r.committed_items == committed and r.total_items == 238
    assert r.rate == pytest.approx(committed / 238)


def test_indicative_only_member_details(example: str) -> None:
    with transaction() as s:
        r = tfa.rate(s, ANON, "XEB", as_of=dt.date(2021, 2, 22))
    assert r.unknown_items == 10 and r.not_designated_items == 238 - 220
    kinds = {i.measure: i.date_kind for i in r.by_item}
    assert kinds["Art. 7 (block)"] == "indicative" and kinds["Art. 11 (block)"] == "unknown"
    assert round(r.rate, 6) == round(160 / 238, 6) == 0.672269


def test_no_ratification_date_is_refused(example: str) -> None:
    with transaction() as s, pytest.raises(InputError) as exc:
        tfa.rate(s, ANON, "XED")
    assert exc.value.field == "ratified"


def test_article_16_and_17_dates(example: str) -> None:
    with transaction() as s:
        rd = tfa.readiness(s, ANON, "XEA", as_of=dt.date(2026, 2, 22))
    dl = {d.rule_id: d.due for d in rd.notification_deadlines}
    assert dl["tfa.notify.c_definitive_developing"] == dt.date(2019, 8, 22)
    ext = {(d.measure, d.rule_id): d.due for d in rd.extension_dates}
    # Art. 17.1: at least 120 days before the definitive date 2026-02-22 -> 2025-10-25
    assert ext[("Art. 10.4", "tfa.early_warning_developing")] == dt.date(2025, 10, 25)
    # Art. 17.2: automatic up to 18 months beyond it -> 2027-08-22
    assert ext[("Art. 10.4", "tfa.automatic_extension_developing")] == dt.date(2027, 8, 22)
    assert [r.on for r in rd.series][:2] == [dt.date(2017, 2, 22), dt.date(2018, 2, 22)]
    assert rd.illustrative and len(rd.programmes) == 1 and len(rd.notifications) == 3


def test_engine_default_evaluation_day() -> None:
    assert tfa.default_as_of(dt.date(2026, 2, 21)) == dt.date(2025, 2, 22)
    assert tfa.default_as_of(dt.date(2026, 2, 22)) == dt.date(2026, 2, 22)
    assert engine.evaluation_day(2024) == dt.date(2024, 2, 22)


CSV = ("member,member_name,group,ratified,measure,category,indicative_date,definitive_date,items\n"
       "KEN,Kenya (test row),developing,2015-12-10,7.1,B,2019-02-22,2020-02-22,3\n"
       "KEN,Kenya (test row),developing,2015-12-10,1.1,A,,,5\n")


def _count(kind: str) -> int:
    with transaction() as s:
        return s.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.kind == kind)) or 0


def test_import_csv_and_xlsx(fresh_db: str) -> None:
    with transaction() as s:
        res = tfa.import_file(s, STAFF, CSV.encode(), "tfa.csv")
    assert (res.members, res.commitments) == (1, 2)
    with transaction() as s:
        r = tfa.rate(s, ANON, "KEN", as_of=dt.date(2020, 2, 22))
    assert r.committed_items == 8
    import pandas as pd

    buf = io.BytesIO()
    pd.read_csv(io.StringIO(CSV.replace("KEN", "UGA"))).rename(columns={"measure": "Article"}).to_excel(buf, index=False)
    with transaction() as s:
        res = tfa.import_file(s, STAFF, buf.getvalue(), "tfa.xlsx")
    assert res.members == 1


def test_import_unknown_columns_changes_nothing(fresh_db: str) -> None:
    before = (_count("tfa_member"), _count("tfa_commitment"))
    bad = CSV.replace("items\n", "items,colour\n").replace(",3\n", ",3,red\n").replace(",5\n", ",5,blue\n")
    with pytest.raises(InputError) as exc, transaction() as s:
        tfa.import_file(s, STAFF, bad.encode(), "tfa.csv")
    assert exc.value.field == "colour" and "colour" in exc.value.message
    # a bad row late in the file: nothing from the earlier rows is kept
    bad2 = CSV + "KEN,Kenya,developing,2015-12-10,9.9,Z,,,1\n"
    with pytest.raises(InputError) as exc, transaction() as s:
        tfa.import_file(s, STAFF, bad2.encode(), "tfa.csv")
    assert exc.value.field == "category" and "row 4" in (exc.value.where or "")
    assert (_count("tfa_member"), _count("tfa_commitment")) == before


def test_notifications_log_is_append_only(example: str) -> None:
    from sqlalchemy import text

    with transaction() as s:
        n = tfa.log_notification(s, STAFF, member="XEA", kind="extension_request", date=dt.date(2025, 10, 1),
                                 measures=["Art. 10.4"])
    assert n.id == "XEA-0004" and n.measures == ("Art. 10.4",)
    with pytest.raises(Exception), transaction() as s:  # noqa: B017  (the database trigger refuses)
        s.execute(text("UPDATE record_versions SET data = '{}' WHERE id = (SELECT max(id) FROM record_versions)"))
