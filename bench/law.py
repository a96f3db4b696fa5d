"""Law benchmark: deadlines for 10k cases, rule lookups, rolls (numpy peer), stored cases.

Run: ``.venv/bin/python -m bench.law``; writes ``bench/results/law.md``.

* derive() over 10,000 synthetic AD investigations at mixed stages (pure engine, serial);
* stateless timelines of every procedure;
* rule_value() lookups;
* next-business-day rolls: ours vs ``numpy.busday_offset(roll="forward")`` with the same
  holiday list, same run (ratio, and the two must agree on every date);
* the service: open + record 1,000 stored cases in SQLite, then list_cases() and get_case().
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
N_CASES = 10_000
N_STORED = 1_000

AD_STEPS = [("petition_filed", 0), ("initiated", 20), ("itc_prelim_affirmative", 45),
            ("prelim_published", 160), ("final_affirmative", 235), ("itc_final_affirmative", 280),
            ("order_published", 287)]


def _cases(n: int, seed: int = 20261130) -> list[list[tuple[str, dt.date]]]:
    rng = np.random.default_rng(seed)
    starts = dt.date(2015, 1, 1) + np.asarray(rng.integers(0, 3650, n)).astype("timedelta64[D]").astype(object)
    depth = rng.integers(1, len(AD_STEPS) + 1, n)
    out = []
    for s, k in zip(starts, depth, strict=True):
        out.append([(e, s + dt.timedelta(days=off)) for e, off in AD_STEPS[:k]])
    return out


def _t(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_engine() -> dict[str, float]:
    from tradepolicy.law.calendars import bundled_calendars
    from tradepolicy.law.procedures import EventRecord, bundled_procedures, derive, get_procedure
    from tradepolicy.law.rules import bundled_rules, rule_value

    t_load = _t(lambda: (bundled_rules(), bundled_procedures(), bundled_calendars()))
    proc = get_procedure("ad_investigation")
    cases = [[EventRecord(i + 1, e, d) for i, (e, d) in enumerate(c)] for c in _cases(N_CASES)]
    as_of = dt.date(2026, 11, 30)
    derive(proc, cases[0], as_of=as_of)  # warm
    runs = []
    n_deadlines = 0
    for _ in range(3):
        t0 = time.perf_counter()
        n_deadlines = sum(len(derive(proc, c, as_of=as_of).deadlines) for c in cases)
        runs.append(time.perf_counter() - t0)
    day = dt.date(2020, 1, 1)
    ids = [r.id for r in bundled_rules().rules.values()
           if any(p.start <= day and (p.end is None or day < p.end) for p in r.periods())]
    t_rules = _t(lambda: [rule_value(ids[i % len(ids)], day) for i in range(100_000)])
    return {"load_s": t_load, "derive_s": statistics.median(runs), "derive_runs": runs,  # type: ignore[dict-item]
            "deadlines": n_deadlines, "rule_lookups_s": t_rules}


def bench_rolls() -> dict[str, float]:
    import holidays

    from tradepolicy.law.calendars import bundled_calendars

    cals = bundled_calendars()
    rng = np.random.default_rng(7)
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=int(x)) for x in rng.integers(0, 36 * 365, 100_000)]
    t0 = time.perf_counter()
    ours = [cals.next_business_day(d, "us_federal") for d in days]
    t_ours = time.perf_counter() - t0
    hol = sorted(d for y in range(1999, 2038) for d in holidays.US(years=[y], observed=True))
    closures = sorted(c.date for c in cals.closures if "us_federal" in c.calendars)
    arr = np.array(days, dtype="datetime64[D]")
    t0 = time.perf_counter()
    peer = np.busday_offset(arr, 0, roll="forward", holidays=np.array(hol + closures, dtype="datetime64[D]"))
    t_peer = time.perf_counter() - t0
    agree = int(np.sum(np.array(ours, dtype="datetime64[D]") == peer))
    return {"ours_s": t_ours, "numpy_s": t_peer, "agree": agree, "n": len(days)}


def bench_store() -> dict[str, float]:
    tmp = tempfile.mkdtemp()
    os.environ["TRADEPOLICY_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    os.environ["TRADEPOLICY_CACHE_DIR"] = f"{tmp}/cache"
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines, transaction

    dispose_engines()
    reset_settings()
    from tradepolicy.services import proceedings as svc
    from tradepolicy.services.registry import init_database

    init_database()
    cases = _cases(N_STORED, seed=11)
    t0 = time.perf_counter()
    with transaction() as s:
        for i, c in enumerate(cases):
            cid = f"B-{i:05d}"
            svc.open_case(procedure="ad_investigation", case_id=cid, title="bench", session=s)
            for e, d in c:
                svc.record_event(cid, e, d, session=s)
    t_write = time.perf_counter() - t0
    n_events = sum(len(c) for c in cases)
    t_list = _t(lambda: svc.list_cases())
    one = [_t(lambda: svc.get_case("B-00042")) for _ in range(50)]
    t_up = _t(lambda: svc.upcoming_deadlines(as_of=dt.date(2026, 11, 30)))
    return {"write_s": t_write, "events": n_events, "list_s": t_list,
            "get_ms": statistics.median(one) * 1000, "upcoming_s": t_up}


def main() -> None:
    """Measure and write bench/results/law.md."""
    from bench.__main__ import machine

    eng = bench_engine()
    rolls = bench_rolls()
    store = bench_store()
    per_case_us = eng["derive_s"] / N_CASES * 1e6
    lines = [
        "## Law (rules, calendars, proceedings engine)",
        "",
        f"Machine: {machine()}",
        "",
        "| What | Figure |",
        "|---|---|",
        f"| Load rules + procedures + calendars (cold) | {eng['load_s'] * 1000:.0f} ms |",
        f"| derive() for {N_CASES:,} AD investigations (mixed stages), median of 3 | "
        f"{eng['derive_s']:.2f} s ({per_case_us:.0f} µs/case; {eng['deadlines']:,} deadlines; "
        f"runs {', '.join(f'{r:.2f}' for r in eng['derive_runs'])} s) |",  # type: ignore[union-attr]
        f"| rule_value() lookups (100,000 calls) | {eng['rule_lookups_s']:.2f} s |",
        f"| Next-business-day roll, 100,000 dates: ours (pure Python) | {rolls['ours_s'] * 1000:.0f} ms |",
        f"| Same, numpy.busday_offset peer (same holidays + closures) | {rolls['numpy_s'] * 1000:.1f} ms "
        f"(ours / numpy = {rolls['ours_s'] / rolls['numpy_s']:.0f}x) |",
        f"| Peer agreement on rolled dates | {rolls['agree']:,} / {rolls['n']:,} |",
        f"| Store: open + record {N_STORED:,} cases ({store['events']:,} events), one transaction | "
        f"{store['write_s']:.1f} s |",
        f"| list_cases() over {N_STORED + 3:,} stored cases | {store['list_s']:.2f} s |",
        f"| get_case() one case, median of 50 | {store['get_ms']:.1f} ms |",
        f"| upcoming_deadlines() over all stored cases | {store['upcoming_s']:.2f} s |",
        "",
        "Notes: the engine re-derives every case from its event log on each read (no cached state);",
        "record_event() re-derives the case to validate and to return it, which dominates the write",
        "figure. The roll comparison is a correctness peer as well as a speed ratio: both must agree",
        "on every date. Timings share 2 cores with other engineers' runs; expect +-20% noise.",
    ]
    out = HERE / "results" / "law.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
