"""The docket flow on PostgreSQL (throwaway local cluster, as in tests/foundation/test_postgres.py):
migrations with the stored-tsvector FTS table, a BCI submission, posting, search, the page, export."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.coordination.conftest import BCI_TEXT, PUBLIC_TEXT
from tests.foundation.test_postgres import on_postgres, pg_url  # noqa: F401  (fixtures)
from tests.helpers import requires_dataset

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres"), requires_dataset("us-hts")]


def test_docket_flow_on_postgres(on_postgres: str) -> None:  # noqa: F811
    from sqlalchemy import text

    from tradepolicy.platform.principal import ANONYMOUS, Grant, Principal, local_operator
    from tradepolicy.services import dockets as svc
    from tradepolicy.services.registry import init_database
    from tradepolicy.store.db import get_engine, transaction

    init_database()
    assert get_engine().dialect.name == "postgresql"
    op = local_operator()
    did = "USTR-2026-0401"
    with transaction() as s:
        svc.open_docket(s, op, docket_id=did, title="PG docket", procedure="comment_docket", opens=dt.date.today())
        r = svc.submit(s, op, docket_id=did, commenter_name="Acme", commenter_type="company", hts=["8481.80.10"],
                       file=svc.Upload("P_acme.txt", PUBLIC_TEXT.encode()),
                       bci_file=svc.Upload("BCI_acme.txt", BCI_TEXT.encode()))
        svc.submit(s, op, docket_id=did, commenter_name="Ann", commenter_type="individual",
                   text_body="Bicycles cost more since the duties.")
    with pytest.raises(Exception, match="bracketed"), transaction() as s:
        svc.submit(s, op, docket_id=did, commenter_name="Acme", commenter_type="company",
                   file=svc.Upload("P_x.txt", PUBLIC_TEXT.replace("[ ] in", "Big Box Stores Inc. in").encode()),
                   bci_file=svc.Upload("BCI_acme.txt", BCI_TEXT.encode()))
    with transaction() as s:
        svc.set_status(s, op, r.comment.comment_id, "posted")
        assert svc.search(s, ANONYMOUS, did, "valves").total == 1
        assert svc.search(s, ANONYMOUS, did, "bicycles").total == 0      # not posted yet
        assert svc.docket_page(s, ANONYMOUS, did).total == 1
        assert "Big Box" not in str(svc.export_rows(s, ANONYMOUS, did))
        reader = Principal("r", "attorney", via="token", grants=(Grant("bci", f"docket:{did}"),))
        assert b"Big Box Stores" in svc.get_bci(s, reader, r.comment.comment_id)[2]
        # the stored tsvector stems: 'valve' finds 'Valves' (this docket's comment and the seeded example's)
        n = s.execute(text("SELECT count(*) FROM docket_fts WHERE tsv @@ plainto_tsquery('english', 'valve')")).scalar()
        assert n == 2
