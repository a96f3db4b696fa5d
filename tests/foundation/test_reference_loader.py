"""One bad-input fixture per loader error (OpenFisca style): each message names the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradepolicy.errors import RegistryError
from tradepolicy.reference import load_agencies, load_agreements, load_guide

FIX = Path(__file__).parent / "fixtures"


def test_good_fixture_loads() -> None:
    version, recs = load_agreements(FIX / "good.yaml")
    assert version == "1" and recs[0].id == "usmca"


@pytest.mark.parametrize(
    ("fixture", "field", "message", "expected"),
    [
        ("bad_yaml_syntax.yaml", None, "Not valid YAML", "a YAML mapping"),
        ("bad_top_key.yaml", "agreements", "with the key 'agreements'", "agreements: ..."),
        ("bad_date_unquoted.yaml", "date", "Invalid date", "YYYY-MM-DD"),
        ("bad_missing_citations.yaml", "citations", "Field required", "the key to be present"),
        ("bad_date.yaml", "dates.in_force", "Invalid entry 'usmca'", "YYYY-MM-DD"),
        ("bad_area.yaml", "provisions.0.area", "Input should be", "market_access"),
        ("bad_extra_key.yaml", "colour", "Extra inputs are not permitted", "only documented keys"),
        ("bad_duplicate_id.yaml", "id", "Duplicate id 'usmca'", "ids unique"),
    ],
)
def test_each_loader_error_names_file_key_expected_example(fixture: str, field: str | None, message: str, expected: str) -> None:
    with pytest.raises(RegistryError) as info:
        load_agreements(FIX / fixture)
    err = info.value
    assert fixture in (err.where or "")
    assert message in err.message
    assert err.field == field
    assert expected in (err.expected or "")
    assert err.example


def test_bundled_registry_is_valid() -> None:
    assert load_agreements()[1] and load_agencies()[1] and load_guide()[1]


def test_corrupt_registry_file_changes_nothing_stored(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import func, select

    import tradepolicy.services.registry as reg
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models import AuditEntry

    with read_session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    monkeypatch.setattr(reg, "load_agreements", lambda: load_agreements(FIX / "bad_date.yaml"))
    with pytest.raises(RegistryError, match="usmca"):
        reg.init_database()
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_party_dates_belong_to_parties_and_follow_entry_into_force() -> None:
    """CAFTA-DR entered into force party by party (USTR, CAFTA-DR page): 2006-03-01 .. 2009-01-01."""
    import datetime as dt

    for a in load_agreements()[1]:
        for party, when in a.party_dates.items():
            assert party in a.parties, (a.id, party)
            assert a.dates.in_force is None or when >= a.dates.in_force
    cafta = {a.id: a for a in load_agreements()[1]}
    caftas = [a for a in cafta.values() if "CRI" in a.parties]
    assert caftas and caftas[0].in_force_for("CRI") == dt.date(2009, 1, 1)
    assert caftas[0].in_force_for("SLV") == dt.date(2006, 3, 1)
