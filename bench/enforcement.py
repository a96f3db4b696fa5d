"""Enforcement benchmark: the Section 301 action list and the three priority dashboards.

Run: ``.venv/bin/python -m bench.enforcement``; writes ``bench/results/enforcement.md``.

* ``select_lines`` (scipy.optimize.milp with LP reduced-cost fixing) on 20,000 synthetic HTS lines with
  the three constraints (target, overshoot cap, consumer-share cap), 5 seeds; target <= 5 s each;
* ``s301.action_list`` on Brazil (us-customs-duties 2024), when the data is present;
* each dashboard page (``/priorities/NAME.json`` through the app) p50 over 30 requests with 600 disputes
  and 100 RRM cases stored (the registry's 558 + synthetic disputes to 600; the 15 transcribed RRM cases
  + synthetic ones to 100); target p50 <= 200 ms. The China dashboard's dataset part is cached per
  process (warm figures; the first request is reported separately).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def bench_milp(seeds: tuple[int, ...] = (1, 2, 3, 4, 5), n: int = 20_000) -> list[dict[str, float | str]]:
    from tradepolicy.economics.action_list import select_lines

    out: list[dict[str, float | str]] = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        v = rng.lognormal(13, 2, n)
        c = rng.choice([0.0, 0.5, 1.0], n, p=[0.6, 0.2, 0.2])
        s = rng.random(n)
        t0, c0 = time.perf_counter(), time.process_time()
        r = select_lines(v, c, s, v.sum() * 0.1, max_consumer_share=0.2, overshoot=0.05, time_limit=10)
        out.append({"seed": seed, "s": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                    "status": r.status, "gap": r.mip_gap,
                    "lines": len(r.chosen), "free": r.diagnostics.milp_variables, "nodes": r.diagnostics.nodes,
                    "load": os.getloadavg()[0]})
    return out


def bench_highs_reference(seed: int = 2, n: int = 20_000, limit: float = 10.0) -> dict[str, float | str]:
    """The same instance given whole to HiGHS's MILP (scipy.optimize.milp), as the ratio's reference."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    rng = np.random.default_rng(seed)
    v = rng.lognormal(13, 2, n)
    c = rng.choice([0.0, 0.5, 1.0], n, p=[0.6, 0.2, 0.2])
    s = rng.random(n)
    vs = v / (v.sum() * 0.1)
    t0, c0 = time.perf_counter(), time.process_time()
    r = milp(s * vs, constraints=LinearConstraint(np.vstack([vs, (c - 0.2) * vs]), [1, -np.inf], [1.05, 0]),
             integrality=np.ones(n), bounds=Bounds(0, 1), options={"time_limit": limit, "mip_rel_gap": 1e-4})
    gap = getattr(r, "mip_gap", None)
    return {"seed": seed, "s": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "status": str(r.message).split("(")[0].strip(), "gap": float(gap) if gap is not None else float("nan"),
            "load": os.getloadavg()[0]}


def bench_brazil() -> dict[str, float | str] | None:
    try:
        from tradepolicy.services import s301

        s301.import_table()
    except Exception:
        return None
    t0, c0 = time.perf_counter(), time.process_time()
    r = s301.action_list("BRA", 5e9, 2024, exclude_chapters=["27"], max_consumer_share=0.2, max_supplier_share=0.6)
    return {"s": time.perf_counter() - t0, "cpu": time.process_time() - c0, "load": os.getloadavg()[0],
            "candidates": r.candidates, "lines": len(r.lines),
            "coverage": r.coverage_usd, "status": r.status, "gap": r.mip_gap or 0.0}


def _store() -> None:
    tmp = tempfile.mkdtemp()
    os.environ["TRADEPOLICY_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    os.environ["TRADEPOLICY_CACHE_DIR"] = f"{tmp}/cache"
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines, transaction

    dispose_engines()
    reset_settings()
    from tradepolicy.services import disputes, usmca
    from tradepolicy.services import proceedings as cases
    from tradepolicy.services.registry import init_database

    init_database()
    try:
        disputes.load_registry()
    except Exception:
        disputes.load_registry(include_dataset=False)
    usmca.load_cases()
    have = len(disputes.list_disputes())
    rrm = len(usmca.rrm_cases())
    rng = np.random.default_rng(7)
    with transaction() as s:
        for i in range(600 - have):
            ds = f"DS{700 + i}"
            cases.open_case(procedure="wto_dsu", case_id=ds, title=f"{ds} bench", session=s,
                            meta={"wto_ds": ds, "parties": {"complainant": ["China"], "respondent": ["United States"]},
                                  "agreements_cited": ["GATT 1994: Art. I"], "status": "IN CONSULTATIONS"})
            d = dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1500)))
            cases.record_event(ds, "consultations_requested", d, session=s)
        for i in range(100 - rrm):
            cid = f"rrm-bench-{i:03d}"
            cases.open_case(procedure="usmca_rrm", case_id=cid, title="bench", session=s,
                            meta={"country": "MEX", "parties": {"facility": [f"Facility {i}"]}, "sector": "Bench"})
            cases.record_event(cid, "review_requested", dt.date(2022, 1, 1) + dt.timedelta(days=i), session=s)


def bench_dashboards(reps: int = 30) -> dict[str, dict[str, float]]:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app
    from tradepolicy.services import disputes, usmca

    _store()
    assert len(disputes.list_disputes()) == 600 and len(usmca.rrm_cases()) == 100
    client = TestClient(create_app())
    out = {}
    for name in ("china", "usmca", "wto-reform"):
        t0 = time.perf_counter()
        assert client.get(f"/priorities/{name}.json").status_code == 200
        first = time.perf_counter() - t0
        times, cpu = [], []
        for _ in range(reps):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(f"/priorities/{name}.json")
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert r.status_code == 200
        out[name] = {"first_ms": first * 1000, "p50_ms": statistics.median(times) * 1000,
                     "cpu_p50_ms": statistics.median(cpu) * 1000,
                     "p90_ms": float(np.percentile(times, 90)) * 1000}
    return out


def main() -> None:
    """Measure and write bench/results/enforcement.md."""
    from bench.__main__ import machine

    milp = bench_milp()
    ref = bench_highs_reference()
    bra = bench_brazil()
    dash = bench_dashboards()
    lines = ["## Enforcement (issue 12)", "", f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end "
             f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC).",
             "", "| Measure | Figure | Target |", "|---|---|---|"]
    for m in milp:
        lines.append(f"| action list, 20,000 lines x 3 constraints, seed {m['seed']} | {m['s']:.2f} s wall, "
                     f"{m['cpu']:.2f} s CPU ({m['status']}, "
                     f"proven gap {m['gap']:.1e}, {m['lines']} lines, {m['nodes']} B&B nodes, {m['free']} lines free "
                     f"after root fixing; load {m['load']:.1f}) | <= 5 s |")
    med = statistics.median(float(m["s"]) for m in milp)
    med_cpu = statistics.median(float(m["cpu"]) for m in milp)
    lines.append(f"| action list, median of the 5 seeds | {med:.2f} s wall, {med_cpu:.2f} s CPU | <= 5 s |")
    lines.append(f"| reference: HiGHS milp on the whole seed-{ref['seed']} instance (the approach replaced) | "
                 f"{ref['s']:.2f} s wall, {ref['cpu']:.2f} s CPU: {ref['status']}, gap {ref['gap']:.1e} "
                 f"(load {ref['load']:.1f}) | - |")
    if bra:
        lines.append(f"| s301 action-list BRA, 5 bn USD, 3 constraints ({bra['candidates']} candidates, data, "
                     f"PE and annex included) | {bra['s']:.2f} s wall, {bra['cpu']:.2f} s CPU ({bra['status']}, "
                     f"gap {bra['gap']:.1e}, {bra['lines']} lines; load {bra['load']:.1f}) | - |")
    for name, d in dash.items():
        lines.append(f"| /priorities/{name}.json p50 (p90), 600 disputes + 100 RRM cases | {d['p50_ms']:.0f} ms "
                     f"wall ({d['p90_ms']:.0f} ms), {d['cpu_p50_ms']:.0f} ms CPU; first request {d['first_ms']:.0f} ms "
                     "| p50 <= 200 ms |")
    lines += ["", "Notes: timings share 2 cores with other engineers' runs (load average beside each figure); CPU",
              "time (time.process_time) is the load-independent figure. The action list is an LP branch and bound",
              "(economics/action_list.py): 'optimal' means every node closed, i.e. the list is proven within the",
              "relative gap 1e-4 of the optimum; at the 10 s limit it would say 'gap' with the proven gap.",
              "Before (session of 2026-12-06, same seeds, whole-problem milp after root reduced-cost fixing):",
              "seeds 1, 2, 5 stopped at the 10 s limit with gaps 1.5e-4, 7.3e-3, 9.1e-4 (5.3, 16.9, 10.5 s CPU);",
              "seeds 3, 4 were proven in 0.6-0.7 s CPU. The HiGHS reference row shows the whole problem given",
              "to HiGHS: its presolve does not honour the time limit on this shape (2 rows x 20,000 columns)."]
    out = HERE / "results" / "enforcement.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
