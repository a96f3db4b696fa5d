"""Typed-results benchmark: what the frozen models of the law/proceedings services cost.

Run: ``.venv/bin/python -m bench.typed_core``; writes ``bench/results/typed_core.md``.

Compared in one run, by ratio (CPU time, ``time.process_time``, beside wall time):

* the former dict form of every deadline of the seeded cases (``Deadline.to_dict()``)
  against the typed form (``DeadlineView.of(d)``: the same dict validated into the model),
  and the JSON the shells print from it (``model_dump(mode="json")``);
* the rules list: ``{**rv.to_dict(), "file": ...}`` against ``RuleRow.of(rv, file)``;
* end to end: ``get_case()`` and ``GET /api/cases/{id}`` / ``GET /api/law/rules`` in-process.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = ("ustr-301-china-ip", "usmca-negotiation", "ds543")


def _cpu(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Return (CPU ms, wall ms) per call, median of 5 batches of ``n`` calls after a warm-up."""
    fn()
    cpu, wall = [], []
    for _ in range(5):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            fn()
        cpu.append((time.process_time() - c0) / n * 1000)
        wall.append((time.perf_counter() - w0) / n * 1000)
    return statistics.median(cpu), statistics.median(wall)


def _load() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    """Measure and write bench/results/typed_core.md."""
    from bench.__main__ import machine

    tmp = tempfile.mkdtemp()
    os.environ["TRADEPOLICY_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
    os.environ["TRADEPOLICY_CACHE_DIR"] = f"{tmp}/cache"
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines

    dispose_engines()
    reset_settings()
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app
    from tradepolicy.law.rules import bundled_rules, list_rules
    from tradepolicy.services import law as law_svc
    from tradepolicy.services import proceedings as svc
    from tradepolicy.services.law_types import DeadlineView, RuleRow
    from tradepolicy.services.registry import init_database

    init_database()
    load0 = _load()
    deadlines = []
    for cid in CASES:
        _rec, state = svc.case_state(cid)
        deadlines += list(state.deadlines)
    views = [DeadlineView.of(d) for d in deadlines]
    d_old = _cpu(lambda: [d.to_dict() for d in deadlines], 200)
    d_new = _cpu(lambda: [DeadlineView.of(d) for d in deadlines], 200)
    d_json = _cpu(lambda: [v.model_dump(mode="json") for v in views], 200)

    book = bundled_rules()
    values = list_rules(book)
    r_old = _cpu(lambda: [{**rv.to_dict(), "file": book.files[rv.rule_id]} for rv in values], 50)
    r_new = _cpu(lambda: [RuleRow.of(rv, book.files[rv.rule_id]) for rv in values], 50)

    get_case = _cpu(lambda: svc.get_case(CASES[0]), 20)
    client = TestClient(create_app())
    api_case = _cpu(lambda: client.get(f"/api/cases/{CASES[0]}"), 20)
    api_rules = _cpu(lambda: client.get("/api/law/rules"), 10)
    rules_svc = _cpu(lambda: law_svc.rules(), 20)
    load1 = _load()

    def row(what: str, old: tuple[float, float] | None, new: tuple[float, float]) -> str:
        if old is None:
            return f"| {what} | | {new[0]:.2f} ms ({new[1]:.2f} ms wall) | |"
        return (f"| {what} | {old[0]:.3f} ms ({old[1]:.3f} wall) | {new[0]:.3f} ms ({new[1]:.3f} wall) | "
                f"{new[0] / old[0]:.1f}x |")

    lines = [
        "## Typed service results (frozen pydantic models of the law and proceedings services)",
        "",
        f"Machine: {machine()}; load average {load0} at the start, {load1} at the end.",
        "",
        "CPU time per call (`time.process_time`, median of 5 batches), wall time beside it; the",
        "dict column is the former form, computed in the same run.",
        "",
        "| What | dict (former) | typed | typed / dict |",
        "|---|---|---|---|",
        row(f"{len(deadlines)} deadlines: `to_dict()` vs `DeadlineView.of()`", d_old, d_new),
        row(f"{len(deadlines)} deadlines: JSON of the typed form (`model_dump(mode=\"json\")`)", d_old, d_json),
        row(f"{len(values)} rules: dict vs `RuleRow.of()`", r_old, r_new),
        row(f"`law.rules()` ({len(values)} rules), service", None, rules_svc),
        row(f"`get_case({CASES[0]!r})`, service (derive + typed result)", None, get_case),
        row(f"`GET /api/cases/{CASES[0]}` in-process (response_model validation + JSON)", None, api_case),
        row("`GET /api/law/rules` in-process", None, api_rules),
        "",
        "Validation into the models is the added cost; it is small beside deriving a case and the",
        "HTTP round trip. Timings share 2 cores with other engineers' runs (see the load average).",
    ]
    out = HERE / "results" / "typed_core.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
