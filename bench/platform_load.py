"""Platform load benchmark: the real server under concurrent clients (issue 9 targets).

1. Dashboard median with 5,000 events stored, 16 clients.
2. 32 clients for 60 s over public pages and the API: errors, p50, p99 (target 0 errors,
   p99 <= 500 ms).
3. Event writes per second on different cases, SQLite (target >= 200/s).
4. The first stack request after startup, 8 at once (target <= 3 s each).

``BENCH_QUICK=1`` shortens the runs (for a smoke test). Writes bench/results/platform_load.md.
``BENCH_ONLY=writes`` runs section 3 alone and replaces only that section of the results file;
``BENCH_WRITES_ANSWERS=full`` measures only the default answer there (e.g. on a commit before
``Prefer: return=minimal`` existed). ``BENCH_WRITES_CONFIGS=1`` measures only the first
configuration of that table (numbers from 1, comma-separated).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests.hardening.server (the same server helper as the tests)

from tests.hardening.server import api_token, bearer, running_server, server_env  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
# Events are "actual": the service refuses a date after today, so every seeded date lies in a
# fixed past year (safe however far the calendar moves on).
PAST_YEAR = 2024


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    kids = Path(f"/proc/{pid}/task/{pid}/children")
    if kids.exists():
        pids += [int(k) for k in kids.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def load() -> str:
    """The 1-minute load average, for the figures beside it."""
    return f"{os.getloadavg()[0]:.1f}"


def seed_events(env: dict[str, str], cases: int, per_case: int) -> None:
    """Store ``cases`` x ``per_case`` events directly through the service (before serving)."""
    old = dict(os.environ)
    os.environ.update(env)
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines, transaction

    dispose_engines()
    reset_settings()
    try:
        from tradepolicy.services.proceedings import open_case, record_event
        from tradepolicy.services.registry import init_database

        init_database()
        for i in range(cases):
            with transaction() as s:
                open_case(procedure="tpa_negotiation", case_id=f"bench-{i}", title=f"Bench case {i}",
                          actor="bench", session=s)
                for j in range(per_case):
                    record_event(f"bench-{i}", "committees_consulted", f"{PAST_YEAR}-{1 + j % 12:02d}-{1 + j % 27:02d}",
                                 note=f"event {j}", actor="bench", session=s)
    finally:
        dispose_engines()
        os.environ.clear()
        os.environ.update(old)
        reset_settings()


def hammer(base: str, clients: int, *, seconds: float | None = None, per_client: int | None = None,
           pick: Callable[[int, int], tuple[str, str, dict | None]],
           headers: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``clients`` threads, each sending requests chosen by ``pick(client, n)`` (with ``headers``)."""
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(clients)
    stop_at = [0.0]

    def worker(i: int) -> None:
        mine: list[float] = []
        bad: list[str] = []
        with httpx.Client(base_url=base, timeout=60, headers=headers) as c:
            go.wait()
            if i == 0:
                stop_at[0] = time.monotonic() + (seconds or 1e9)
            n = 0
            while (per_client is None or n < per_client) and (seconds is None or time.monotonic() < (stop_at[0] or 1e18)):
                method, url, body = pick(i, n)
                t0 = time.perf_counter()
                try:
                    r = c.request(method, url, json=body)
                    if r.status_code >= 400:
                        bad.append(f"{r.status_code} {url}")
                except httpx.HTTPError as exc:
                    bad.append(f"{type(exc).__name__} {url}")
                mine.append(time.perf_counter() - t0)
                n += 1
        with lock:
            lat.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return {"requests": len(lat), "errors": len(errors), "first_errors": errors[:5], "wall_s": wall,
            "rps": len(lat) / wall, "p50_ms": _pct(lat, 50) * 1000, "p99_ms": _pct(lat, 99) * 1000,
            "median_ms": statistics.median(lat) * 1000 if lat else float("nan")}


PUBLIC = ["/", "/agreements", "/agreements/usmca", "/guide?q=What+does+USTR+do", "/agencies", "/law",
          "/law/rules", "/cases", "/economics", "/remedies", "/datasets",
          "/api/agreements", "/api/agreements/usmca", "/api/agencies", "/api/law/procedures",
          "/api/law/rules?prefix=adcvd.", "/api/cases", "/api/deadlines/upcoming", "/api/guide?q=enforcement",
          "/api/economics/examples", "/api/tariffs/stack?hts=8471.30.01.00&origin=CHN&date=2025-03-01",
          "/api/tariffs/stack?hts=0201.10.50&origin=KOR&date=2025-03-01"]


WRITE_HEADING = "### Event writes on different cases"


def write_section(root: Path, cache: Path) -> list[str]:
    """3. Event writes on different cases (one case per client): synchronous modes, workers, answers.

    Each configuration runs on a new database; the full answer (the whole case) and
    ``Prefer: return=minimal`` (the stored event, the stage, the next deadlines) side by side.
    """
    secs = 5 if QUICK else 20
    # BENCH_WRITES_CONFIGS=1,3 measures only those configurations (numbered from 1, in table order).
    wanted = [int(x) for x in os.environ.get("BENCH_WRITES_CONFIGS", "").split(",") if x.strip()]
    labels = ["synchronous=FULL (default), 1 worker", "synchronous=NORMAL, 1 worker",
              "synchronous=FULL (default), 2 workers"]
    only_configs = {labels[i - 1] for i in wanted}
    lines = [f"{WRITE_HEADING} (16 clients, one case each, {secs} s, SQLite; target >= 200/s)", "",
             "Answer: `full` is the default (the whole case: every event, the log, the deadlines); "
             "`minimal` sends `Prefer: return=minimal` (RFC 7240). Events a case at the end = writes / 16 "
             "(the full answer grows with it).", "",
             "| configuration | answer | writes/s | errors | p50 ms | p99 ms | server CPU ms/write | events a case at the end | load (1 min) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, extra in (("synchronous=FULL (default), 1 worker", {"TRADEPOLICY_SQLITE_SYNCHRONOUS": "FULL"}),
                         ("synchronous=NORMAL, 1 worker", {"TRADEPOLICY_SQLITE_SYNCHRONOUS": "NORMAL"}),
                         ("synchronous=FULL (default), 2 workers", {"TRADEPOLICY_SQLITE_SYNCHRONOUS": "FULL",
                                                                    "TRADEPOLICY_WORKERS": "2"})):
        if only_configs and label not in only_configs:
            continue
        for answer in os.environ.get("BENCH_WRITES_ANSWERS", "full,minimal").split(","):
            name = f"writes-{len(lines)}"
            env = server_env(root / name, TRADEPOLICY_CACHE_DIR=str(cache), TRADEPOLICY_WARMUP="1", **extra)
            (root / name).mkdir(parents=True)
            auth = bearer(api_token(env))  # writes need a signed-in principal (cases.write): an attorney's token
            headers = {**auth, "Prefer": "return=minimal"} if answer == "minimal" else auth
            with running_server(env, timeout=300) as (base, proc):
                for i in range(16):
                    r = httpx.post(base + "/api/cases", json={"procedure": "tpa_negotiation", "case_id": f"w-{i}",
                                                              "title": f"Writes {i}"}, headers=auth, timeout=60)
                    assert r.status_code == 201, r.text[:300]
                # Say what the server answered (a server without RFC 7240 support answers the whole case).
                r = httpx.post(base + "/api/cases/w-0/events", json={"event": "committees_consulted",
                               "date": f"{PAST_YEAR}-01-05", "note": "probe"}, headers=headers, timeout=60)
                assert r.status_code == 201, r.text[:300]
                honoured = answer == "full" or r.headers.get("preference-applied") == "return=minimal"
                c0, l0 = server_cpu(proc.pid), load()
                writes = hammer(base, 16, seconds=secs,
                                pick=lambda i, n: ("POST", f"/api/cases/w-{i}/events",
                                                   {"event": "committees_consulted", "date": f"{PAST_YEAR}-01-05",
                                                    "note": f"write {n}"}), headers=headers)
                cpu_ms = (server_cpu(proc.pid) - c0) * 1000 / max(1, writes["requests"])
            shown = answer if honoured else f"{answer} (not honoured: full)"
            lines.append(f"| {label} | {shown} | {writes['rps']:.0f} | {writes['errors']} | {writes['p50_ms']:.0f} | "
                         f"{writes['p99_ms']:.0f} | {cpu_ms:.2f} | {writes['requests'] / 16:.0f} | {l0} -> {load()} |")
            if writes["errors"]:
                lines.append(f"| first errors: {writes['first_errors']} |")
            print(lines[-1], flush=True)
    return lines


def replace_write_section(path: Path, section: list[str]) -> None:
    """Replace the write section of an existing results file (``BENCH_ONLY=writes``)."""
    text = path.read_text() if path.exists() else ""
    body = "\n".join(section) + "\n\n"
    pattern = re.compile(re.escape(WRITE_HEADING) + r".*?(?=^### |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: body, text, count=1) if pattern.search(text) else text + "\n" + body
    path.write_text(text)


def main() -> None:
    """Measure and write bench/results/platform_load.md."""
    from tests.hardening.cold_start import first_requests

    from bench.__main__ import machine

    root = Path(tempfile.mkdtemp(prefix="tp-bench-"))
    cache = Path(os.environ.get("TRADEPOLICY_CACHE_DIR") or root / "cache")
    out = HERE / "results" / "platform_load.md"
    if os.environ.get("BENCH_ONLY") == "writes":
        print(f"Machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}", flush=True)
        replace_write_section(out, write_section(root, cache))
        print(f"replaced the write section of {out}")
        return
    lines = ["## Platform load (real server, concurrent clients)", "",
             f"Machine: {machine()}; load average at start {os.getloadavg()[0]:.1f} (shared with other work).",
             "`tradepolicy serve` on SQLite (one worker unless said); clients are threads with keep-alive. "
             "Server CPU is user+system time of the server and its workers over the run (from /proc).", ""]

    # 1. Dashboard with 5k events, 16 clients.
    env = server_env(root / "dash", TRADEPOLICY_CACHE_DIR=str(cache), TRADEPOLICY_WARMUP="1")
    (root / "dash").mkdir(parents=True)
    cases, per = (50, 20) if QUICK else (250, 20)
    seed_events(env, cases, per)
    with running_server(env, init=False) as (base, _):
        httpx.get(base + "/", timeout=120)
        dash = hammer(base, 16, per_client=3 if QUICK else 8, pick=lambda i, n: ("GET", "/", None))
    lines += [f"### Dashboard, {cases * per:,} events on {cases} cases, 16 clients",
              f"- median {dash['median_ms']:.0f} ms, p99 {dash['p99_ms']:.0f} ms, {dash['requests']} requests, "
              f"{dash['errors']} errors",
              "- before (commit f5dbbf2, before the derived-state cache, same bench and machine, load ~10): "
              "median 6,144 ms, p99 10,394 ms; issue 9 measured a 4.3 s median", ""]
    print(lines[-2])

    # 2. 32 clients over public pages and the API, in three configurations (same run, compare by ratio).
    secs = 10 if QUICK else 60
    lines += [f"### 32 clients for {secs} s over {len(PUBLIC)} public pages and API routes (target: 0 errors, p99 <= 500 ms)", "",
              "| configuration | requests | errors | req/s | p50 ms | p99 ms | server CPU ms/request | load (1 min) |",
              "|---|---|---|---|---|---|---|---|"]
    for label, extra in (("1 worker, public cache off (as before)", {"TRADEPOLICY_PUBLIC_CACHE_SECONDS": "0"}),
                         ("1 worker, public cache on (default)", {}),
                         ("2 workers, public cache on (`make run`)", {"TRADEPOLICY_WORKERS": "2"})):
        name = "load-" + str(len(lines))
        env = server_env(root / name, TRADEPOLICY_CACHE_DIR=str(cache), TRADEPOLICY_WARMUP="1", **extra)
        (root / name).mkdir(parents=True)
        with running_server(env, timeout=300) as (base, proc):
            for u in PUBLIC:
                httpx.get(base + u, timeout=120)
            c0, l0 = server_cpu(proc.pid), load()
            mixed = hammer(base, 32, seconds=secs, pick=lambda i, n: ("GET", PUBLIC[(i + n) % len(PUBLIC)], None))
            cpu_ms = (server_cpu(proc.pid) - c0) * 1000 / max(1, mixed["requests"])
        lines.append(f"| {label} | {mixed['requests']:,} | {mixed['errors']} | {mixed['rps']:.0f} | {mixed['p50_ms']:.0f} | "
                     f"{mixed['p99_ms']:.0f} | {cpu_ms:.2f} | {l0} -> {load()} |")
        if mixed["errors"]:
            lines.append(f"| first errors: {mixed['first_errors']} |")
        print(lines[-1], flush=True)
    lines += ["", *write_section(root, cache), ""]

    # 4. Cold start: 8 first stack requests at once.
    (root / "cold").mkdir()
    res = first_requests(root / "cold", 8, cache_dir=cache)
    lines += ["### First /api/tariffs/stack requests after startup, 8 at once",
              f"- statuses {sorted({s for s, _ in res})}; slowest {max(t for _, t in res):.2f} s, "
              f"fastest {min(t for _, t in res):.2f} s (target <= 3 s; before: 17-31 s each)", ""]
    print(lines[-2])
    out.write_text("\n".join(x for x in lines if x is not None) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
