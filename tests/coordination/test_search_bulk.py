"""Bulk ingest and search: vectorised MinHash equal to datasketch's, the raw bulk writes read back
as the ORM stores them, and search ranking with a capped count, on SQLite and PostgreSQL.

Peer library: ``datasketch.MinHash(num_perm, seed=1).update_batch`` over the same shingle hashes
must give the same signature value for value (tolerance: none).
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from tests.foundation.test_postgres import on_postgres, pg_url  # noqa: F401  (fixtures)

DOCKET = "USTR-2026-0777"
FORM = ("The valve duty hurts our plant in Ohio: we pay more for castings, we cannot pass the cost on to our "
        "customers, and we have postponed hiring for the second shift until the Section 301 review ends.")


def test_vectorised_signatures_equal_datasketch() -> None:
    from datasketch import MinHash

    from tradepolicy.coordination import clustering

    rng = random.Random(3)
    words = ["tariff", "valve", "China", "duty", "exclusion", "steel", "Café", "naïve", "prices", "jobs"]
    texts = ["", "one", "two words", "a b c", *(" ".join(rng.choice(words) for _ in range(rng.randint(3, 300)))
                                                for _ in range(200))]
    got = clustering.signatures(texts)
    assert got.shape == (len(texts), clustering.NUM_PERM)
    for t, sig in zip(texts, got, strict=True):
        m = MinHash(num_perm=clustering.NUM_PERM, seed=1, hashfunc=lambda h: h)
        hv = clustering.shingle_hashes(t)
        if len(hv):
            m.update_batch(hv.tolist())
        assert np.array_equal(np.asarray(m.hashvalues, dtype=np.uint64), sig), t[:40]


def _load(n_common: int) -> None:
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import transaction

    op = local_operator()
    base = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    items = [svc.BulkComment(commenter_name=f"C{i}", commenter_type="company", organization="Org, Inc.",
                             text=f"{FORM} Signed, member number {i}.",
                             hts_codes=("8481.80.10",), countries=("CHN", "VNM"), received=base,
                             posted=base + dt.timedelta(days=1), status="posted") for i in range(n_common)]
    items += [svc.BulkComment(commenter_name="Rank", commenter_type="association", status="posted", received=base,
                              posted=base, text="tariff tariff tariff tariff valve: the tariff on tariff lines"),
              svc.BulkComment(commenter_name="Low", commenter_type="individual", status="posted", received=base,
                              posted=base, text="one tariff among many other words about bicycles and parts and"
                                                " shipping and ports and trucks and rail and warehouses"),
              svc.BulkComment(commenter_name="Hidden", commenter_type="individual", status="received",
                              received=base, text="tariff valve not yet posted")]
    with transaction() as s:
        svc.open_docket(s, op, docket_id=DOCKET, title="Search docket", procedure="comment_docket",
                        opens=dt.date(2026, 3, 1), windows=[])
        st = svc.bulk_ingest(s, op, DOCKET, items, source="test")
    assert (st.comments, st.clusters_new + st.joined) == (n_common + 3, n_common + 3)


def _check_search(monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.platform.principal import ANONYMOUS
    from tradepolicy.services import dockets as svc
    from tradepolicy.store.db import read_session

    monkeypatch.setattr(svc, "SEARCH_COUNT_CAP", 5)
    with read_session() as s:
        # 12 posted comments say "valve": counted up to the cap, said as "5+"
        r = svc.search(s, ANONYMOUS, DOCKET, "valve", limit=3)
        assert (r.total, r.total_capped, r.total_label, len(r.comments)) == (5, True, "5+", 3)
        assert "newest 5" in r.order
        # the candidates are the 5 newest visible matches (Rank, C11..C8), ranked; equal ranks newest first
        names = [c.commenter_name for c in r.comments]
        assert set(names) <= {"Rank", "C11", "C10", "C9", "C8"}, names
        # C11 and C10 have the same length and term frequency: equal ranks, newest first
        assert names == ["Rank", "C11", "C10"], names
        # below the cap the count is exact; the unposted comment is invisible to the public
        r = svc.search(s, ANONYMOUS, DOCKET, "tariffs")   # stemmed: tariffs -> tariff
        assert (r.total, r.total_capped, r.total_label) == (2, False, "2")
        assert [c.commenter_name for c in r.comments] == ["Rank", "Low"]  # 6 occurrences in 9 words rank first
        assert svc.search(s, ANONYMOUS, DOCKET, "valve", commenter_type="association").total == 1
        r = svc.search(s, ANONYMOUS, DOCKET, "valve", country="VNM", limit=50)  # the cap is at least the page
        assert (r.total, r.total_capped) == (12, False)
        assert svc.search(s, ANONYMOUS, DOCKET, "plant Ohio", chapter="84", limit=3).total_capped
        assert svc.search(s, ANONYMOUS, DOCKET, "zeppelin").total == 0
        assert svc.search(s, ANONYMOUS, DOCKET, "valve or zeppelin").total == 0  # every word; "or" is no operator
        # the raw bulk writes read back as the ORM writes them
        c = svc.get_comment(s, ANONYMOUS, f"{DOCKET}-0001")
        assert (c.hts_codes, c.countries, c.received, c.posted, c.organization, c.has_bci) == (
            ("8481.80.10",), ("CHN", "VNM"), "2026-03-02", "2026-03-03", "Org, Inc.", False)
        assert c.cluster_size == 12  # the form letter "valve duty number i ..." is one cluster
        page = svc.docket_page(s, ANONYMOUS, DOCKET, q="valve", per_page=2)
        assert page.total_capped and page.total_label == "5+"


def test_search_ranks_and_caps_on_sqlite(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(12)
    _check_search(monkeypatch)


@pytest.mark.slow
@pytest.mark.xdist_group("postgres")
def test_search_ranks_and_caps_on_postgres(on_postgres: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from sqlalchemy import text

    from tradepolicy.platform.principal import ANONYMOUS
    from tradepolicy.services import dockets as svc
    from tradepolicy.services.registry import init_database
    from tradepolicy.store.db import read_session

    init_database()
    monkeypatch.setattr(svc, "BULK_REINDEX_MIN", 10)  # exercise the drop-and-rebuild of the GIN index
    _load(12)
    with read_session() as s:
        # rebuilt after the bulk load as the migration made it: GIN (docket_id, tsv) with btree_gin
        # (Debian's PostgreSQL ships it), the tsvector kept in the row, no second copy of the text
        gin = s.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_docket_fts_tsv'")).scalars().all()
        assert len(gin) == 1 and "(docket_id, tsv)" in gin[0], gin
        cols = s.execute(text("SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'docket_fts'::regclass "
                              "AND attnum > 0 AND NOT attisdropped ORDER BY attnum")).all()
        assert [tuple(c) for c in cols] == [("rowid", "p"), ("docket_id", "x"), ("tsv", "m")], cols
        # the search's planner settings hold for its candidate query only: the transaction gets its own back
        show = ("SELECT current_setting('random_page_cost'), current_setting('max_parallel_workers_per_gather'), "
                "current_setting('plan_cache_mode')")
        before = tuple(s.execute(text(show)).one())
        assert svc.search(s, ANONYMOUS, DOCKET, "valve").total == 13  # 12 letters and "Rank"
        assert tuple(s.execute(text(show)).one()) == before == ("4", "2", "auto")
    _check_search(monkeypatch)
    # 0008_pgsearch on a database holding comments: down to the old table (text rebuilt from the
    # comments) and up again (tsvectors and dockets carried over): the same hits in the same order
    from alembic import command

    from tradepolicy.store.db import alembic_config, get_engine, migrate

    with get_engine().begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007_shared_state")
        assert conn.execute(text("SELECT count(*) FROM docket_fts WHERE body <> ''")).scalar() >= 15
    migrate()
    _check_search(monkeypatch)


@pytest.mark.slow
@pytest.mark.xdist_group("postgres")
def test_search_index_without_btree_gin_on_postgres(pg_url: str) -> None:  # noqa: F811
    """A role that may not create extensions still migrates: GIN (tsv) instead of GIN (docket_id, tsv)."""
    import uuid

    import psycopg
    from sqlalchemy import text

    from tests.pgcluster import new_database
    from tradepolicy.store.db import dispose_engines, get_engine, migrate

    url = new_database(pg_url)
    role = "app_" + uuid.uuid4().hex[:8]
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(f"CREATE ROLE {role} LOGIN")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(f"GRANT ALL ON SCHEMA public TO {role}")  # tables yes; CREATE on the database (extensions) no
    app_url = url.replace("//postgres@", f"//{role}@")
    try:
        migrate(app_url)
        with get_engine(app_url).connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gin'")).scalar() == 0
            gin = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_docket_fts_tsv'")).scalar()
            assert gin is not None and gin.endswith("USING gin (tsv)"), gin
    finally:
        dispose_engines()
