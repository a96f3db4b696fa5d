"""kill -9 during writes (short version): 0 acknowledged writes lost, integrity ok, audit matches.

Writers append events to their own cases through the real server; after a moment the server
is killed with SIGKILL mid-write, restarted on the same database, and killed again. Every
write that got its 201 must be stored, SQLite's integrity check must pass, and every stored
event must have exactly one audit entry (a write and its audit entry commit together).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.hardening.server import api_token, bearer, free_port, running_server, server_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("server")]

CRASHES = 3
WRITERS = 8


def _start_writers(base: str, token: str, round_no: int, acked: set[str]) -> tuple[list[threading.Thread], threading.Event]:
    """Start WRITERS threads appending events (one case each); each acknowledged note goes in ``acked``."""
    lock = threading.Lock()
    stop = threading.Event()

    def writer(i: int) -> None:
        with httpx.Client(base_url=base, timeout=10, headers=bearer(token)) as c:
            n = 0
            while not stop.is_set():
                note = f"r{round_no}-w{i}-{n}"
                try:
                    r = c.post(f"/api/cases/crash-{i}/events",
                               json={"event": "committees_consulted", "date": "2024-01-02", "note": note})
                except httpx.HTTPError:
                    return  # the server died: this write was not acknowledged
                if r.status_code == 201:
                    with lock:
                        acked.add(note)
                n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    return threads, stop


def test_kill_9_during_writes_loses_nothing(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    db = tmp_path / "serve.db"
    port = free_port()
    token = api_token(env)
    acked: set[str] = set()
    for round_no in range(CRASHES):
        with running_server(env, port=port, init=round_no == 0) as (base, proc):
            if round_no == 0:
                for i in range(WRITERS):
                    r = httpx.post(base + "/api/cases", json={"procedure": "tpa_negotiation",
                                                               "case_id": f"crash-{i}", "title": f"Crash {i}"}, headers=bearer(token))
                    assert r.status_code == 201
            before = len(acked)
            threads, stop = _start_writers(base, token, round_no, acked)
            deadline = time.monotonic() + 60
            while len(acked) < before + 40 and time.monotonic() < deadline:
                time.sleep(0.05)  # kill in full flow (after the first writes loaded the law data)
            os.kill(proc.pid, signal.SIGKILL)  # mid-write: the writers are still posting
            proc.wait()
            stop.set()
            for t in threads:
                t.join(30)
    assert len(acked) >= CRASHES * 40, f"only {len(acked)} writes were acknowledged"
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {n for (n,) in c.execute("SELECT note FROM proceeding_events WHERE proceeding_id LIKE 'crash-%'")}
        lost = acked - stored
        assert not lost, f"{len(lost)} acknowledged writes lost, e.g. {sorted(lost)[:3]}"
        n_events = c.execute("SELECT count(*) FROM proceeding_events WHERE proceeding_id LIKE 'crash-%'").fetchone()[0]
        audited = c.execute("SELECT count(DISTINCT entity_id), count(*) FROM audit_log "
                            "WHERE entity = 'proceeding_events' AND entity_id LIKE 'crash-%'").fetchone()
        assert audited == (n_events, n_events)  # one audit entry per stored event, none without one
        for case, seqs in _seqs(c).items():
            assert seqs == list(range(1, len(seqs) + 1)), case  # gapless after the crashes
    print(f"{CRASHES} crashes, {len(acked)} acknowledged writes, {n_events} stored, 0 lost")


def _seqs(c: sqlite3.Connection) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for case, seq in c.execute("SELECT proceeding_id, seq FROM proceeding_events "
                               "WHERE proceeding_id LIKE 'crash-%' ORDER BY proceeding_id, seq"):
        out.setdefault(case, []).append(seq)
    return out
