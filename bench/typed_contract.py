"""Typed-contract benchmark: what typed results and response models cost on the duty stack.

``python -m bench.typed_contract [--requests 600] [--baseline-src PATH] [--rounds 2]``

The duty stack is the hot path of the analysis routes (issue-13 target: API stack p50
<= 5 ms through a real server). This benchmark times, warm, in one process per source
tree:

1. the service call alone (``services.tariffs.stack_entry`` -> ``to_dict()``, or the former
   ``stack_dict`` on a baseline tree that still has it);
2. ``GET /api/tariffs/stack`` through FastAPI's TestClient (route + response model +
   serialisation), cycling over the six real cases of ``bench/tariffs.py``;
3. the envelope alone: validating and serialising ``StackEnvelope`` (the declared response
   model) vs ``jsonable_encoder`` + ``json.dumps`` (what FastAPI does for a route without
   a response model).

CPU time (``time.process_time``) is reported beside wall time, because the machine is
shared. With ``--baseline-src`` (e.g. ``/work/main/src``, the tree before this change) the
same child runs on both trees, alternating, ``--rounds`` times each; the ratio of CPU
times in the same run is the comparable figure. Figures go to
``bench/results/typed_contract.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _child(n: int) -> dict:
    import numpy as np
    from fastapi.testclient import TestClient

    from bench.tariffs import CASES
    from tradepolicy.api.app import create_app
    from tradepolicy.services import tariffs as svc

    typed = hasattr(svc, "stack_entry")

    def call(h: str, o: str, d: str) -> dict:
        if typed:
            return svc.stack_entry(h, o, d).to_dict()
        return svc.stack_dict(h, o, d)  # type: ignore[attr-defined,no-any-return]  # the tree before

    client = TestClient(create_app())
    params = [{"hts": h, "origin": o, "date": d} for h, o, d in CASES]
    for p in params:  # warm every source and measure table
        assert client.get("/api/tariffs/stack", params=p).status_code == 200
    for h, o, d in CASES:
        call(h, o, d)
    c0, t0 = time.process_time(), time.perf_counter()
    for i in range(n):
        call(*CASES[i % len(CASES)])
    svc_cpu, svc_wall = (time.process_time() - c0) / n * 1e3, (time.perf_counter() - t0) / n * 1e3
    times = []
    c0 = time.process_time()
    for i in range(n):
        t0 = time.perf_counter()
        r = client.get("/api/tariffs/stack", params=params[i % len(params)])
        times.append((time.perf_counter() - t0) * 1e3)
        assert r.status_code == 200
    api_cpu = (time.process_time() - c0) / n * 1e3
    out = {"typed": typed, "svc_cpu_ms": svc_cpu, "svc_wall_ms": svc_wall, "api_cpu_ms": api_cpu,
           "api_p50_ms": float(np.percentile(times, 50)), "api_mean_ms": float(np.mean(times))}
    if typed:
        out.update(_route_ab(n, call))
        from fastapi.encoders import jsonable_encoder

        from tradepolicy.api.tariffs_schemas import StackEnvelope

        body = {"ok": True, "stack": call(*CASES[0])}
        m = 5000
        c0 = time.process_time()
        for _ in range(m):
            StackEnvelope.model_validate(body).model_dump_json()
        out["envelope_model_us"] = (time.process_time() - c0) / m * 1e6
        c0 = time.process_time()
        for _ in range(m):
            json.dumps(jsonable_encoder(body))
        out["jsonable_encoder_us"] = (time.process_time() - c0) / m * 1e6
    return out


def _route_ab(n: int, call: object) -> dict:
    """The same sync route, with and without ``response_model=StackEnvelope``, interleaved."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bench.tariffs import CASES
    from tradepolicy.api.tariffs_schemas import StackEnvelope

    app = FastAPI()

    @app.get("/model", response_model=StackEnvelope)
    def with_model(hts: str, origin: str, date: str) -> dict:
        return {"ok": True, "stack": call(hts, origin, date)}  # type: ignore[operator]

    @app.get("/plain")
    def without_model(hts: str, origin: str, date: str) -> dict:
        return {"ok": True, "stack": call(hts, origin, date)}  # type: ignore[operator]

    client = TestClient(app)
    params = [{"hts": h, "origin": o, "date": d} for h, o, d in CASES]
    cpu = {"/model": 0.0, "/plain": 0.0}
    for p in params:
        assert client.get("/model", params=p).json() == client.get("/plain", params=p).json()
    for i in range(n):
        for path in ("/model", "/plain") if i % 2 else ("/plain", "/model"):
            c0 = time.process_time()
            assert client.get(path, params=params[i % len(params)]).status_code == 200
            cpu[path] += time.process_time() - c0
    return {"route_model_cpu_ms": cpu["/model"] / n * 1e3, "route_plain_cpu_ms": cpu["/plain"] / n * 1e3}


def _run(src: Path, n: int) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{HERE.parent}")
    env.setdefault("TRADEPOLICY_DATA_MIRROR", str(HERE.parent.parent / "shared" / "data"))
    res = subprocess.run([sys.executable, "-m", "bench.typed_contract", "--child", "--requests", str(n)],
                         capture_output=True, text=True, env=env, check=True, cwd=HERE.parent)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["src"] = str(src)
    return data


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--baseline-src", default="")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.requests)))
        return
    from bench.__main__ import machine

    load_before = _load()
    runs: list[dict] = []
    for _ in range(max(1, args.rounds)):
        if args.baseline_src:
            runs.append(_run(Path(args.baseline_src), args.requests))
        runs.append(_run(SRC, args.requests))
    load_after = _load()
    ours = [r for r in runs if r["typed"]]
    base = [r for r in runs if not r["typed"]]

    def med(rows: list[dict], key: str) -> float:
        vals = sorted(r[key] for r in rows)
        k = len(vals) // 2
        return vals[k] if len(vals) % 2 else (vals[k - 1] + vals[k]) / 2

    def best(rows: list[dict], key: str) -> float:
        return min(r[key] for r in rows)

    lines = ["# Typed contract: the duty stack with typed results and a response model", "",
             f"Machine: {machine()}. Load average {load_before} before, {load_after} after "
             "(shared machine: CPU time is the comparable figure).", "",
             f"{args.requests} warm requests per child, cycling over the 6 cases of bench/tariffs.py; "
             f"{len(runs)} children alternating between trees.", "",
             "| tree | service CPU ms | service wall ms | API (TestClient) CPU ms/request | API p50 ms | API mean ms |",
             "|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {'typed (this branch)' if r['typed'] else 'before (' + r['src'] + ')'} | "
                     f"{r['svc_cpu_ms']:.3f} | {r['svc_wall_ms']:.3f} | {r['api_cpu_ms']:.3f} | "
                     f"{r['api_p50_ms']:.2f} | {r['api_mean_ms']:.2f} |")
    lines.append("")
    if base:
        lines.append(f"Ratio typed / before, CPU, median of children: service "
                     f"{med(ours, 'svc_cpu_ms') / med(base, 'svc_cpu_ms'):.2f}, API request "
                     f"{med(ours, 'api_cpu_ms') / med(base, 'api_cpu_ms'):.2f}; best of children: service "
                     f"{best(ours, 'svc_cpu_ms') / best(base, 'svc_cpu_ms'):.2f}, API request "
                     f"{best(ours, 'api_cpu_ms') / best(base, 'api_cpu_ms'):.2f}.")
    lines.append(f"Same sync route in one process, interleaved, with and without `response_model=StackEnvelope` "
                 f"(identical JSON asserted): {med(ours, 'route_model_cpu_ms'):.3f} vs "
                 f"{med(ours, 'route_plain_cpu_ms'):.3f} CPU ms/request (ratio "
                 f"{med(ours, 'route_model_cpu_ms') / med(ours, 'route_plain_cpu_ms'):.2f}).")
    lines.append(f"Envelope alone (CPU, per response): StackEnvelope validate + dump_json "
                 f"{med(ours, 'envelope_model_us'):.1f} us vs jsonable_encoder + json.dumps "
                 f"{med(ours, 'jsonable_encoder_us'):.1f} us (what FastAPI does without a response model).")
    lines.append("")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "typed_contract.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
