"""The same migrations and services on PostgreSQL (a throwaway local cluster on loopback)."""

from __future__ import annotations

import pytest

from tests.pgcluster import on_postgres, pg_url  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


def test_migrations_registry_and_guide_on_postgres(on_postgres: str) -> None:  # noqa: F811
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tradepolicy.services.agreements import get_agreement, list_agreements
    from tradepolicy.services.guide import ask
    from tradepolicy.services.registry import init_database
    from tradepolicy.store.db import get_engine, transaction

    report = init_database()
    assert report.counts["agreements"]["inserted"] >= 2
    assert init_database().counts["agreements"]["inserted"] == 0  # idempotent
    assert get_agreement("usmca").implemented == "2020-07-01"
    assert {a.id for a in list_agreements(party="MEX")} >= {"usmca"}
    hits = ask("What is the USTR?")
    assert hits and hits[0].score > 0
    assert get_engine().dialect.name == "postgresql"
    with pytest.raises(DBAPIError, match="append-only"), transaction() as s:
        s.execute(text("DELETE FROM audit_log"))
