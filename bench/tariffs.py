"""Tariff benchmark: batch duty stacks and single stack lookups through the API.

``python -m bench.tariffs [--date 2025-07-01] [--origins 240] [--requests 500]``

1. Batch: every tariff line of the schedule in force (HTS 2025: 19,731 HTS10 lines plus
   childless HTS8 lines) x 240 ISO3 origins for one date, in a fresh child process (so
   wall time includes loading and parsing and peak RSS is the child's). Run twice: cold
   (derived Parquet cache empty) and warm-cache (Parquet built, new process).
2. Peer check in the same run: the scalar stack (``services.tariffs.stack``) on a sample
   of lines x origins is compared cell by cell with the batch, and the per-cell cost of
   the two paths is reported as a ratio.
3. API: ``GET /api/tariffs/stack`` through FastAPI's TestClient, warm, p50/p95 over N
   requests cycling through real (line, origin, date) cases.

Figures go to ``bench/results/tariffs.md``. Targets (issue 4): batch <= 10 s and <= 2 GB;
API p50 <= 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_BATCH_S = 10.0
TARGET_BATCH_GB = 2.0
TARGET_API_MS = 5.0
CASES = [("0201.10.50", "CHN", "2020-02-14"), ("0201.10.50", "KOR", "2025-03-01"),
         ("8412.21.00.75", "CHN", "2019-06-01"), ("7301.20.10.00", "GBR", "2025-07-01"),
         ("0302.89.11", "CHN", "2019-05-10"), ("0101.30.00.00", "CUB", "2025-03-01")]


def _child_batch(date: str, n_origins: int, out: str) -> None:
    from tradepolicy.services import tariffs as svc

    t0 = time.perf_counter()
    origins = sorted(svc.origins())[:n_origins]
    summary = svc.batch(date, out, origins)
    wall = time.perf_counter() - t0
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"wall_s": wall, "rss_gb": rss_gb, **summary.to_dict()}))


def _run_child(date: str, n_origins: int, out: str, env: dict[str, str]) -> dict:
    cmd = [sys.executable, "-m", "bench.tariffs", "--child", "--date", date,
           "--origins", str(n_origins), "--out", out]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True,
                         cwd=HERE.parent)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["process_wall_s"] = time.perf_counter() - t0
    return data


def _peer_check(date: str, out: str, n_origins: int) -> dict:
    import numpy as np
    import pandas as pd

    from tradepolicy.services import tariffs as svc

    frame = pd.read_parquet(out)
    rng = np.random.default_rng(20250701)
    codes = frame["hts"].cat.categories
    origins = list(frame["origin"].cat.categories)
    sample_codes = rng.choice(codes, size=200, replace=False)
    sample_origins = ["CHN", "GBR", "JPN", "KOR", "MEX", "CAN", *list(rng.choice(origins, 4))]
    sample_origins = [o for o in sample_origins if o in origins]
    svc.stack(str(sample_codes[0]), "CHN", date)  # warm
    t0 = time.perf_counter()
    diffs = 0
    cells = 0
    indexed = frame.set_index(["hts", "origin"])["total"]
    for c in sample_codes:
        for o in sample_origins:
            s = svc.stack(str(c), o, date).total_ave
            b = indexed.loc[(c, o)]
            cells += 1
            if (s is None) != bool(pd.isna(b)) or (s is not None and abs(s - b) > 1e-12):
                diffs += 1
    scalar_per_cell = (time.perf_counter() - t0) / cells
    return {"cells": cells, "mismatches": diffs, "scalar_us_per_cell": scalar_per_cell * 1e6,
            "n_origins": len(sample_origins)}


def _api(n: int) -> dict:
    import numpy as np
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    client = TestClient(create_app())
    cases = CASES
    for h, o, d in cases:  # warm every source and measure table
        assert client.get("/api/tariffs/stack", params={"hts": h, "origin": o, "date": d}).status_code == 200
    times = []
    for i in range(n):
        h, o, d = cases[i % len(cases)]
        t0 = time.perf_counter()
        r = client.get("/api/tariffs/stack", params={"hts": h, "origin": o, "date": d})
        times.append((time.perf_counter() - t0) * 1e3)
        assert r.status_code == 200
    t = np.array(times)
    return {"n": n, "p50_ms": float(np.percentile(t, 50)), "p95_ms": float(np.percentile(t, 95)),
            "mean_ms": float(t.mean())}


def _start(app):  # type: ignore[no-untyped-def]
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; return (server, base URL)."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{port}"


def _api_server(n: int) -> dict:
    """Stack route with and without the public cache, and a bare route, interleaved request by request.

    The three servers run at once and get one request each in turn, so the machine's noise
    (shared cores) hits them alike and the ratios are comparable. The tables are warmed first,
    as ``serve`` does before it listens. "Cache off" sends a conditional request
    (``If-None-Match``), which the public-response cache never answers.
    """
    import httpx
    import numpy as np
    from fastapi import FastAPI

    from tradepolicy.api.app import create_app
    from tradepolicy.services.warmup import warm_up

    cases = [{"hts": h, "origin": o, "date": d} for h, o, d in CASES]
    floor_app = FastAPI()

    @floor_app.get("/ping")
    def ping() -> dict:
        return {"ok": True}

    warm_up()
    runs = {"stack": (create_app(), "/api/tariffs/stack", {}),
            "stack_nocache": (create_app(), "/api/tariffs/stack", {"If-None-Match": "none"}),
            "floor": (floor_app, "/ping", {})}
    servers = {k: _start(app) for k, (app, _, _) in runs.items()}
    times: dict[str, list[float]] = {k: [] for k in runs}
    clients = {k: httpx.Client(base_url=servers[k][1]) for k in runs}
    try:
        for i in range(n + 30):
            for k, (_, path, headers) in runs.items():
                params = cases[i % len(cases)] if path != "/ping" else {}
                t0 = time.perf_counter()
                r = clients[k].get(path, params=params, headers=headers)
                if i >= 30:  # the first rounds warm the connections and the caches
                    times[k].append((time.perf_counter() - t0) * 1e3)
                assert r.status_code == 200
    finally:
        for k in runs:
            clients[k].close()
            servers[k][0].should_exit = True
    out = {}
    for k, v in times.items():
        a = np.array(v)
        out[k] = {"n": n, "p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
                  "mean_ms": float(a.mean())}
    return out


def _machine() -> dict:
    import numpy as np

    from bench.__main__ import cpu_model

    return {"nproc": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "numpy": np.__version__}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--date", default="2025-07-01")
    ap.add_argument("--origins", type=int, default=240)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    if args.child:
        _child_batch(args.date, args.origins, args.out)
        return
    env = dict(os.environ)
    env.setdefault("TRADEPOLICY_DATA_MIRROR", str(HERE.parent.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp:
        env["TRADEPOLICY_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ.update({k: env[k] for k in ("TRADEPOLICY_DATA_MIRROR", "TRADEPOLICY_CACHE_DIR")})
        out = str(Path(tmp) / "batch.parquet")
        cold = _run_child(args.date, args.origins, out, env)
        warm = _run_child(args.date, args.origins, out, env)
        peer = _peer_check(args.date, out, args.origins)
        api = _api(args.requests)
        srv = _api_server(args.requests)
    batch_per_cell_us = warm["wall_s"] / warm["rows"] * 1e6
    m = _machine()
    ok_batch = warm["wall_s"] <= TARGET_BATCH_S and warm["rss_gb"] <= TARGET_BATCH_GB
    ok_api = max(srv["stack"]["p50_ms"], srv["stack_nocache"]["p50_ms"]) <= TARGET_API_MS
    lines = [
        "# Tariff benchmark (issue 4)",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}; Python {m['python']}, numpy {m['numpy']}. "
        "Other engineers share the 2 cores, so figures are noisy (see below).",
        "",
        "## Batch: every line x origins, one date",
        "",
        f"Date {args.date}, schedule {warm['source']}: {warm['lines']:,} lines x {warm['origins']} "
        f"origins = {warm['rows']:,} stacks (base, preference, s.301, s.232, AD/CVD flag, total), "
        "written to Parquet. Child process each time (wall time includes imports, loading, parsing).",
        "",
        "| run | wall s (in process) | process wall s | peak RSS GB | target |",
        "|---|---|---|---|---|",
        f"| cold (derived Parquet built from the mirror) | {cold['wall_s']:.2f} | {cold['process_wall_s']:.2f} | {cold['rss_gb']:.2f} | — |",
        f"| warm cache, new process | {warm['wall_s']:.2f} | {warm['process_wall_s']:.2f} | {warm['rss_gb']:.2f} | <= {TARGET_BATCH_S:.0f} s, <= {TARGET_BATCH_GB:.0f} GB: {'met' if ok_batch else 'NOT met'} |",
        "",
        "## Peer check (same run): scalar stack vs batch",
        "",
        f"{peer['cells']} cells (200 random lines x {peer['n_origins']} origins, seed 20250701): "
        f"{peer['mismatches']} mismatches of total AVE (tolerance 1e-12). Cost per cell: scalar "
        f"{peer['scalar_us_per_cell']:.0f} us vs batch {batch_per_cell_us:.2f} us "
        f"(ratio {peer['scalar_us_per_cell'] / batch_per_cell_us:.0f}x).",
        "",
        "## Single stack through the API (warm)",
        "",
        f"`GET /api/tariffs/stack`, {api['n']} requests cycling over 6 real cases (List 4A, "
        "KORUS, an excluded line, s.232 UK steel, List 3, column 2), warm:",
        "",
        "| client | p50 ms | p95 ms | mean ms |",
        "|---|---|---|---|",
        f"| uvicorn on 127.0.0.1 + httpx keep-alive (real server) | {srv['stack']['p50_ms']:.2f} | {srv['stack']['p95_ms']:.2f} | {srv['stack']['mean_ms']:.2f} |",
        f"| same, public-response cache off (every request computes its stack) | {srv['stack_nocache']['p50_ms']:.2f} | {srv['stack_nocache']['p95_ms']:.2f} | {srv['stack_nocache']['mean_ms']:.2f} |",
        f"| same server stack, floor: a bare FastAPI `/ping` route | {srv['floor']['p50_ms']:.2f} | {srv['floor']['p95_ms']:.2f} | {srv['floor']['mean_ms']:.2f} |",
        f"| FastAPI TestClient (in process) | {api['p50_ms']:.2f} | {api['p95_ms']:.2f} | {api['mean_ms']:.2f} |",
        "",
        f"Load average (1 min) at the end of the run: {os.getloadavg()[0]:.1f}. "
        f"Target p50 <= {TARGET_API_MS:.0f} ms through the real server, with and without the public cache: "
        f"{'met' if ok_api else 'NOT met'}. "
        f"The stack route costs {srv['stack']['p50_ms'] / srv['floor']['p50_ms']:.1f}x the bare-route floor in "
        "the same run; the service call itself is < 0.1 ms warm (the rest is HTTP and JSON). "
        "TestClient adds its own thread/portal overhead and is noisier.",
        "",
        "Noise: the machine is shared; repeat runs vary by roughly +-30% in wall time. Ratios in "
        "one run (scalar vs batch) are the comparable figures.",
        "",
    ]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "tariffs.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
