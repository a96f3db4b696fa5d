"""Fuzzing: schemathesis against the running server, a bounded number of examples per operation.

For every operation of the OpenAPI document: no response is a 5xx, every error (4xx) is in the
one shape ``{"ok": false, "error": {"type", "message", ...}, "status": N}``, and the server's
memory stays bounded (RSS growth over the run under a limit). Heavy operations (GE solves,
Monte Carlo, gravity estimation, screening, scenario runs) get fewer examples, so the whole
run stays under two minutes on two cores.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test dependency (pip install -e .[test])")
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.hardening.server import api_token, bearer, running_server, server_env  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("server")]

HEAVY = r"^/api/economics/(ge/|gravity/estimate|screening|scenarios/run|compare)|^/api/remedies/(margin|cvd|all-others|runs/\{run_id\}/rerun)|^/api/tariffs/(history|indicators|offer)"
EXAMPLES, HEAVY_EXAMPLES = 6, 2
RSS_GROWTH_LIMIT_MB = 600
TIMEOUT = 30
_STATE: dict[str, object] = {}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("fuzz")
    env = server_env(root, TRADEPOLICY_WARMUP="1", TRADEPOLICY_MAX_BODY_BYTES="2000000")
    # An attorney's token (cases.write, runs.write, documents.write): the writes are fuzzed too, past the 401.
    _STATE["token"] = api_token(env, role="attorney")
    with running_server(env) as (base, proc):
        _STATE["pid"] = proc.pid
        _STATE["rss0"] = _rss_mb(proc.pid)
        yield base
        _STATE["rss1"] = _rss_mb(proc.pid)


def _check(case, response) -> str | None:  # type: ignore[no-untyped-def]
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    if response.status_code >= 500:
        return f"{where}: {response.text[:300]}"
    if response.status_code >= 400:
        try:
            body = response.json()
            err = body["error"]
            ok = (body["ok"] is False and body["status"] == response.status_code
                  and isinstance(err.get("type"), str) and isinstance(err.get("message"), str))
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok or "Traceback" in response.text or "[SQL:" in response.text:
            return f"{where}: not in the error shape: {response.text[:300]}"
    return None


def test_fuzz_every_operation(fuzz_server: str) -> None:
    """Each operation: EXAMPLES generated requests (HEAVY_EXAMPLES for heavy ones)."""
    import re

    from hypothesis import given

    schema = schemathesis.openapi.from_url(f"{fuzz_server}/openapi.json")
    problems: list[str] = []
    statuses: dict[int, int] = {}
    slow: dict[str, float] = {}
    ops = 0
    for result in schema.get_all_operations():
        op = result.ok()
        ops += 1
        heavy = re.search(HEAVY, op.path) is not None

        @settings(max_examples=HEAVY_EXAMPLES if heavy else EXAMPLES, deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            t0 = time.monotonic()
            try:
                response = case.call(timeout=TIMEOUT, headers=bearer(str(_STATE["token"])))
            except Exception as exc:  # a timeout or a dropped connection is a finding too
                problems.append(f"{case.method} {case.formatted_path}: {type(exc).__name__} "
                                f"(query {case.query}, body {str(case.body)[:200]})")
                return
            took = time.monotonic() - t0
            slow[case.operation.path] = max(slow.get(case.operation.path, 0.0), took)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            problem = _check(case, response)
            if problem:
                problems.append(problem)

        run()
    print(f"{ops} operations, {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}; "
          f"slowest: {sorted(slow.items(), key=lambda kv: -kv[1])[:5]}")
    assert ops >= 40, f"only {ops} operations in the OpenAPI document"
    assert sum(statuses.values()) >= ops * 2
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems))[:30])


def test_memory_stayed_bounded(fuzz_server: str) -> None:
    rss = _rss_mb(int(_STATE["pid"]))  # type: ignore[arg-type]
    grew = rss - float(_STATE["rss0"])  # type: ignore[arg-type]
    assert grew < RSS_GROWTH_LIMIT_MB, f"server RSS grew by {grew:.0f} MB during the fuzzing"
