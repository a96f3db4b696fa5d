"""Coordination benchmark: 100,000 generated comments on one docket, on SQLite and PostgreSQL.

Run: ``.venv/bin/python -m bench.coordination``; writes ``bench/results/coordination.md``.

* ingest with form-letter clustering (``services.dockets.bulk_ingest``: vectorised MinHash
  signatures, LSH lookup, rows by executemany / COPY written in a background thread, FTS index,
  one transaction) - target <= 60 s;
* full-text search p50 over 200 one- and two-word queries (``services.dockets.search``, public
  principal: posted comments only; the best 50 by rank among the newest 1,000 matches, the
  count capped at 1,000 and said "1,000+") - target <= 50 ms;
* docket page p50: ``GET /dockets/ID`` rendered by the real app (counts, top clusters, 25
  comments) over 50 requests, plain and filtered - target <= 100 ms.

The comments: 60 % are form letters (8 templates of ~120 words, each copy with 1-3 words
changed), 40 % unique texts of 60-160 words drawn from the guide's vocabulary. The clustering
check: the share of form-letter copies that land in their template's cluster.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
N = int(os.environ.get("BENCH_COMMENTS", "100000"))
DOCKET = "USTR-2026-0999"


def _vocabulary() -> list[str]:
    from importlib import resources

    text = resources.files("tradepolicy.reference").joinpath("guide.yaml").read_text()
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)})
    return words


def generate(n: int, seed: int = 20261207) -> tuple[list, list[int]]:  # type: ignore[type-arg]
    """Return (BulkComment items, template index per item or -1 for unique texts)."""
    from tradepolicy.services.dockets import BulkComment

    rng = random.Random(seed)
    vocab = _vocabulary()
    templates = [" ".join(rng.choice(vocab) for _ in range(rng.randint(110, 140))) for _ in range(8)]
    types = ["individual"] * 6 + ["company", "company", "association", "government"]
    codes = ["8481.80.10", "8712.00.15", "9403.60", "8541.42", "8504.40", "7318.15", "3818.00"]
    countries = ["CHN", "VNM", "MEX", "IND", "KOR"]
    items, tpl = [], []
    base = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    for i in range(n):
        if rng.random() < 0.6:
            t = rng.randrange(len(templates))
            words = templates[t].split()
            for _ in range(rng.randint(1, 3)):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            body = " ".join(words)
        else:
            t = -1
            body = " ".join(rng.choice(vocab) for _ in range(rng.randint(60, 160)))
        tpl.append(t)
        when = base + dt.timedelta(minutes=i)
        items.append(BulkComment(commenter_name=f"Commenter {i}", commenter_type=rng.choice(types), text=body,
                                 organization="" if rng.random() < 0.6 else f"Org {rng.randrange(500)}",
                                 hts_codes=tuple(rng.sample(codes, rng.randint(0, 2))),
                                 countries=tuple(rng.sample(countries, rng.randint(0, 2))),
                                 received=when, posted=when + dt.timedelta(days=3), status="posted"))
    return items, tpl


def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    if not root.exists():
        return None
    for v in sorted(root.iterdir(), reverse=True):
        if (v / "bin" / "initdb").exists():
            return v / "bin"
    return None


@contextmanager
def postgres() -> Iterator[str | None]:
    """Start a throwaway PostgreSQL cluster (as in tests/foundation/test_postgres.py); None if impossible."""
    bindir = _pg_bin()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        bindir = None
    if bindir is None:
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="tradepolicy-pg-bench-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(root, 0o777)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8"],
                       check=True, capture_output=True, env=env)
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l", str(root / "log"),
                        "start"], check=True, capture_output=True, env=env)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _point(url: str) -> None:
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines

    os.environ["TRADEPOLICY_DATABASE_URL"] = url
    dispose_engines()
    reset_settings()


def _analyze(url: str) -> None:
    """Refresh planner statistics after the bulk load (autovacuum/ANALYZE would in production)."""
    from sqlalchemy import text

    from tradepolicy.store.db import get_engine

    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))


def run_one(url: str, items: list, tpl: list[int]) -> dict[str, float]:  # type: ignore[type-arg]
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from tradepolicy.api.app import create_app
    from tradepolicy.platform.principal import ANONYMOUS, local_operator
    from tradepolicy.services import dockets as svc
    from tradepolicy.services.registry import init_database
    from tradepolicy.store.db import read_session, transaction
    from tradepolicy.store.models_coordination import DocketComment

    _point(url)
    init_database()
    op = local_operator()
    with transaction() as s:
        svc.open_docket(s, op, docket_id=DOCKET, title="Bench docket", procedure="comment_docket",
                        opens=dt.date(2026, 1, 5), windows=[])
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction() as s:
        stats = svc.bulk_ingest(s, op, DOCKET, items, source="bench")
    ingest = time.perf_counter() - t0
    ingest_cpu = time.process_time() - c0
    _analyze(url)
    # clustering check: copies of one template share one cluster
    with read_session() as s:
        clusters = dict(s.execute(select(DocketComment.comment_id, DocketComment.cluster_id)
                                  .where(DocketComment.docket_id == DOCKET).order_by(DocketComment.id)).all())
    ids = list(clusters.values())
    majority: dict[int, int] = {}
    for t in set(tpl) - {-1}:
        members = [ids[i] for i, x in enumerate(tpl) if x == t]
        majority[t] = max(set(members), key=members.count)
    form = [i for i, x in enumerate(tpl) if x >= 0]
    in_cluster = sum(ids[i] == majority[tpl[i]] for i in form) / len(form)
    unique_alone = sum(1 for i, x in enumerate(tpl) if x == -1 and ids[i] not in majority.values()) / max(1, tpl.count(-1))
    rng = random.Random(5)
    vocab = _vocabulary()
    queries = [" ".join(rng.sample(vocab, rng.randint(1, 2))) for _ in range(200)]
    times = []
    cpu = []
    hits = []
    with read_session() as s:
        svc.search(s, ANONYMOUS, DOCKET, queries[0])
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            r = svc.search(s, ANONYMOUS, DOCKET, q, limit=50)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            hits.append(r.total)
    client = TestClient(create_app())
    client.get("/dockets")  # app start-up, not the page
    cold = []
    for params in ({}, {"commenter_type": "company", "chapter": "84"}):
        t = time.perf_counter()
        assert client.get(f"/dockets/{DOCKET}", params=params).status_code == 200
        cold.append(time.perf_counter() - t)
    page_t = []
    page_cpu = []
    for i in range(50):
        params = {"page": str(1 + i // 2)} if i % 2 == 0 else {"commenter_type": "company", "chapter": "84",
                                                               "page": str(1 + i // 2)}
        t, c = time.perf_counter(), time.process_time()
        resp = client.get(f"/dockets/{DOCKET}", params=params)
        page_t.append(time.perf_counter() - t)
        page_cpu.append(time.process_time() - c)
        assert resp.status_code == 200
    return {"ingest_s": ingest, "ingest_cpu_s": ingest_cpu, "comments": stats.comments, "clusters_new": stats.clusters_new,
            "form_in_cluster": in_cluster, "unique_alone": unique_alone,
            "fts_p50_ms": statistics.median(times) * 1000, "fts_p95_ms": sorted(times)[int(0.95 * len(times))] * 1000,
            "fts_median_hits": statistics.median(hits), "fts_cpu_p50_ms": statistics.median(cpu) * 1000,
            "page_cold_ms": max(cold) * 1000, "page_cpu_p50_ms": statistics.median(page_cpu) * 1000,
            "load0": load0, "load": os.getloadavg()[0],
            "page_p50_ms": statistics.median(page_t) * 1000, "page_p95_ms": sorted(page_t)[int(0.95 * len(page_t))] * 1000}


def main() -> None:
    from bench.__main__ import machine

    t0 = time.perf_counter()
    items, tpl = generate(N)
    gen = time.perf_counter() - t0
    print(f"generated {N:,} comments in {gen:.1f} s")
    results: dict[str, dict[str, float] | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRADEPOLICY_CACHE_DIR"] = str(Path(tmp) / "cache")
        dbs = os.environ.get("BENCH_DBS", "sqlite,postgresql").split(",")
        results["SQLite"] = run_one(f"sqlite:///{Path(tmp) / 'bench.db'}", items, tpl) if "sqlite" in dbs else None
        print("SQLite", results["SQLite"])
        with postgres() as pg:
            results["PostgreSQL"] = run_one(pg, items, tpl) if pg and "postgresql" in dbs else None
            print("PostgreSQL", results["PostgreSQL"])
    lines = ["## Coordination: 100,000 comments (dockets)", "",
             f"Machine: {machine()}. {N:,} generated comments on one docket: 60 % form letters (8 templates of "
             "110-140 words, 1-3 words changed per copy), 40 % unique texts; all posted. Targets: ingest with "
             "clustering <= 60 s, full-text search p50 <= 50 ms, docket page p50 <= 100 ms.", "",
             "| measure | SQLite | PostgreSQL | target |", "|---|---|---|---|"]

    def cell(db: str, key: str, fmt: str) -> str:
        r = results.get(db)
        return "not run" if r is None else format(r[key], fmt)

    for key, label, fmt, target in (
        ("ingest_s", "ingest + clustering + FTS index (s)", ".1f", "<= 60"),
        ("ingest_cpu_s", "ingest, CPU time of this process (s)", ".1f", ""),
        ("clusters_new", "clusters created", ",.0f", ""),
        ("form_in_cluster", "form-letter copies in their template's cluster", ".4f", "~1"),
        ("unique_alone", "unique texts outside every template cluster", ".4f", "~1"),
        ("fts_p50_ms", "full-text search p50 (ms), 200 queries", ".1f", "<= 50"),
        ("fts_p95_ms", "full-text search p95 (ms)", ".1f", ""),
        ("fts_cpu_p50_ms", "full-text search p50, CPU time of this process (ms)", ".1f", ""),
        ("fts_median_hits", "median hits per query (counted up to 1,000, then '1,000+')", ",.0f", ""),
        ("page_p50_ms", "docket page GET p50 (ms), 50 requests (pages 1-25, plain and filtered)", ".1f", "<= 100"),
        ("page_p95_ms", "docket page GET p95 (ms)", ".1f", ""),
        ("page_cpu_p50_ms", "docket page GET p50, CPU time of this process (ms)", ".1f", ""),
        ("page_cold_ms", "docket page, first request after a change (aggregates recomputed, ms)", ".1f", ""),
        ("load0", "1-minute load average at the start (2 cores)", ".1f", ""),
        ("load", "1-minute load average at the end (2 cores)", ".1f", ""),
    ):
        lines.append(f"| {label} | {cell('SQLite', key, fmt)} | {cell('PostgreSQL', key, fmt)} | {target} |")
    lines += ["", f"Generating the comments took {gen:.1f} s (not counted). The machine is shared by several "
              "engineers (2 cores): figures are noisy."]
    out = HERE / "results" / "coordination.md"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
