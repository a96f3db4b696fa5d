"""Foundation benchmark: registry load, guide search latency, page render, dataset verify."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _timeit(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    """Measure and write bench/results/foundation.md."""
    from bench.__main__ import machine

    tmp = tempfile.mkdtemp()
    os.environ["TRADEPOLICY_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines

    dispose_engines()
    reset_settings()
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app
    from tradepolicy.services.datasets import verify_all
    from tradepolicy.services.guide import ask
    from tradepolicy.services.registry import init_database

    t0 = time.perf_counter()
    init_database()
    first_init = time.perf_counter() - t0
    t0 = time.perf_counter()
    init_database()
    re_init = time.perf_counter() - t0
    questions = ["What does USTR do?", "How are trade agreements negotiated?",
                 "What are the enforcement priorities?", "What is in the USMCA?"]
    ask_ms = _timeit(lambda: [ask(q) for q in questions], 50)
    client = TestClient(create_app())
    page_ms = _timeit(lambda: client.get("/agreements", headers={"accept": "text/html"}), 50)
    api_ms = _timeit(lambda: client.get("/api/agreements/usmca"), 200)
    from tradepolicy.datasets.registry import _verified

    _verified.cache_clear()  # hash every file again, as a new process would
    t0 = time.perf_counter()
    rows = verify_all()
    verify_s = time.perf_counter() - t0
    lines = [
        "## Foundation (registry, guide, pages, dataset verification)",
        "",
        f"Machine: {machine()}",
        "",
        "| what | figure |",
        "|---|---|",
        f"| `db init` on an empty SQLite file (migrations + registry + seeders) | {first_init:.2f} s |",
        f"| `db init` again (nothing to change) | {re_init:.2f} s |",
        f"| guide `ask`, 4 questions in a row, p50 | {statistics.median(ask_ms):.1f} ms |",
        f"| `/agreements` HTML page, p50 (in-process ASGI) | {statistics.median(page_ms):.1f} ms |",
        f"| `/api/agreements/usmca`, p50 (in-process ASGI) | {statistics.median(api_ms):.2f} ms |",
        f"| `data verify`: sha256 of {len(rows)} mirror files (no memoised result; files in the OS page cache, 33 MB) | {verify_s:.2f} s |",
    ]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "foundation.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
