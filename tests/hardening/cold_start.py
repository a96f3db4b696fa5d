"""Measure N concurrent first ``/api/tariffs/stack`` requests on a freshly started server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.hardening.server import running_server, server_env

QUERIES = [("8471.30.01.00", "CHN", "2025-03-01"), ("0201.10.50", "KOR", "2025-03-01"),
           ("7208.10.15", "JPN", "2024-06-01"), ("8703.23.01", "DEU", "2019-05-01"),
           ("0306.17.00", "VNM", "2018-07-01"), ("6109.10.00", "MEX", "2021-01-04"),
           ("8471.30.01.00", "CHN", "2019-10-01"), ("7601.10.60", "CAN", "2025-04-01")]


def first_requests(root: Path, n: int = 8, cache_dir: Path | None = None) -> list[tuple[int, float]]:
    """Start a server, fire ``n`` stack requests at once; return (status, seconds) of each."""
    env = server_env(root, TRADEPOLICY_WARMUP="1")
    if cache_dir is not None:
        env["TRADEPOLICY_CACHE_DIR"] = str(cache_dir)
    out: list[tuple[int, float]] = [(0, 0.0)] * n
    with running_server(env) as (base, _):
        go = threading.Barrier(n)

        def one(i: int) -> None:
            hts, origin, date = QUERIES[i % len(QUERIES)]
            go.wait()
            t0 = time.perf_counter()
            r = httpx.get(base + "/api/tariffs/stack", params={"hts": hts, "origin": origin, "date": date},
                          timeout=300)
            out[i] = (r.status_code, time.perf_counter() - t0)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return out
