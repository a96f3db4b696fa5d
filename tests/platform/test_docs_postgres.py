"""Documents on PostgreSQL: blob dedup through ON CONFLICT, append-only, ILIKE search, hidden BCI."""

from __future__ import annotations

import pytest

from tests.foundation.test_postgres import on_postgres, pg_url  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


def test_documents_on_postgres(on_postgres: str) -> None:  # noqa: F811
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tradepolicy.errors import NotFoundError
    from tradepolicy.platform.principal import ANONYMOUS, Grant, Principal
    from tradepolicy.services import documents as svc
    from tradepolicy.services.registry import init_database
    from tradepolicy.store.db import get_engine, transaction

    init_database()
    assert get_engine().dialect.name == "postgresql"
    actor = Principal("ann", "attorney", via="session", grants=(Grant("bci", "case:ds543"),))
    before = svc.stored_counts()
    res = svc.attach_to_case("ds543", actor=actor, content=b"Secret PGMARK cost data\n", filename="c.txt",
                             label="bci", public_content=b"Public PGMARK summary\n", public_filename="p.txt")
    again = svc.attach_to_case("ds543", actor=actor, content=b"Secret PGMARK cost data\n", filename="d.txt",
                               label="bci", public_version_id=res.public_version.id if res.public_version else None)
    after = svc.stored_counts()
    assert after["documents"] - before["documents"] == 3 and after["blobs"] - before["blobs"] == 2
    assert again.document.sha256 == res.document.sha256
    assert {h.document.id for h in svc.find_documents(actor, "pgmark")} == {
        res.document.id, again.document.id, res.public_version.id}  # type: ignore[union-attr]
    assert [h.document.label for h in svc.find_documents(ANONYMOUS, "pgmark")] == ["public"]
    with pytest.raises(NotFoundError):
        svc.read_document(ANONYMOUS, res.document.id)
    assert svc.read_document(actor, res.document.id)[1] == b"Secret PGMARK cost data\n"
    with pytest.raises(DBAPIError, match="append-only"), transaction() as s:
        s.execute(text("UPDATE documents SET label = 'public'"))
