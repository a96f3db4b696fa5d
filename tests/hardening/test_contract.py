"""Typed contract: every API route declares its response model and its 4xx responses in OpenAPI.

A route without them fails this test, which prints each offender (method, path, what is
missing). No route is exempt: ``EXEMPT_PREFIXES`` is empty since the tariffs, economics,
gravity and remedies routes declared theirs (branch typed-econ); it must stay empty.
"""

from __future__ import annotations

from typing import Any

import pytest

# Empty: every /api route declares its contract. Do not add to it.
EXEMPT_PREFIXES: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    from tradepolicy.api.app import create_app

    return create_app().openapi()


def _problems(op: dict[str, Any]) -> list[str]:
    out = []
    responses = op.get("responses", {})
    ok = next((responses[c] for c in ("200", "201") if c in responses), None)
    content = (ok or {}).get("content", {})
    json_schema = content.get("application/json", {}).get("schema")
    non_json = [m for m in content if m != "application/json"]
    if not non_json and (not json_schema or "$ref" not in json_schema):
        out.append("no response_model (2xx schema is not a named model)")
    errors = [c for c in responses if c.startswith("4")]
    if not errors:
        out.append("no 4xx responses declared")
    for c in errors:
        schema = responses[c].get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("$ref", "").rsplit("/", 1)[-1] != "ErrorOut":  # 422 too: our shape, not FastAPI's
            out.append(f"{c} is not in the error shape (ErrorOut)")
    return out


def test_every_api_route_declares_its_contract(spec: dict[str, Any]) -> None:
    offenders, exempt = [], []
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            problems = _problems(op)
            if not problems:
                continue
            line = f"{method.upper():6} {path}: {'; '.join(problems)}"
            (exempt if path.startswith(EXEMPT_PREFIXES) else offenders).append(line)
    if exempt:
        print(f"\n{len(exempt)} exempt routes still without a contract (other branches):\n  " + "\n  ".join(exempt))
    assert not offenders, f"{len(offenders)} routes without a contract:\n  " + "\n  ".join(offenders)


def test_the_error_shape_is_documented(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert {"ok", "error", "status"} <= set(schemas["ErrorOut"]["properties"])
    assert {"type", "message", "where", "field", "expected", "example", "request_id"} <= set(
        schemas["ErrorDetail"]["properties"])


def test_audit_and_backup_services_return_typed_results(fresh_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from tradepolicy.cli._output import plain
    from tradepolicy.services.audit import AuditView, list_audit
    from tradepolicy.services.backup import BackupManifest, backup, restore, verify_backup

    entries = list_audit(limit=3)
    assert entries and all(isinstance(e, AuditView) for e in entries)
    manifest = backup(tmp_path / "b.db")
    assert isinstance(manifest, BackupManifest) and len(manifest.sha256) == 64
    assert verify_backup(tmp_path / "b.db") == manifest
    restored = restore(tmp_path / "b.db")
    assert restored.sha256 == manifest.sha256 and restored.forced is False and restored.in_use is None
    assert dataclasses.is_dataclass(restored)
    assert plain(entries)[0]["entity"] == entries[0].entity  # the CLI prints typed results as JSON/tables
    assert list_audit(limit=1)[0].action == "restore"
