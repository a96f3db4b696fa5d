"""A test of each foundation CLI command (typer's CliRunner on the real app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradepolicy.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_version() -> None:
    code, out, _ = run("version")
    assert code == 0 and out.strip()


def test_db_init_json(fresh_db: str) -> None:
    code, out, _ = run("db", "init", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {r["table"] for r in rows} >= {"agreements", "agencies", "guide_entries"}


def test_db_backup_restore_and_audit(fresh_db: str, tmp_path: Path) -> None:
    code, out, _ = run("db", "backup", str(tmp_path / "b.db"), "--json")
    assert code == 0 and len(json.loads(out)["sha256"]) == 64
    code, out, _ = run("db", "restore", str(tmp_path / "b.db"), "--json")
    assert code == 0
    code, out, _ = run("db", "audit", "--entity", "agreements", "--json")
    assert code == 0 and all(r["entity"] == "agreements" for r in json.loads(out))


def test_db_restore_of_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("db", "restore", str(tmp_path / "none.db"))
    assert code == 2 and "No backup file" in err


def test_agreements_list_and_show() -> None:
    code, out, _ = run("agreements", "list", "--json")
    ids = {a["id"] for a in json.loads(out)}
    assert code == 0 and {"usmca", "wto-tfa"} <= ids
    code, out, _ = run("agreements", "show", "usmca", "--json")
    a = json.loads(out)
    assert a["implemented"] == "2020-07-01"
    code, out, _ = run("agreements", "show", "usmca")
    assert code == 0 and "USMCA" in out
    code, out, _ = run("agreements", "list", "--party", "MEX")
    assert code == 0 and "usmca" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("agreements", "show", "nope"), "field: agreement_id"),
        (("agreements", "list", "--in-force-on", "2020-13-01"), "example: 2020-07-01"),
        (("agreements", "list", "--status", "alive"), "expected: in_force"),
        (("agreements", "list", "--party", "Mexico"), "expected: an ISO 3166-1 alpha-3 code"),
        (("guide", "ask", " "), "field: q"),
        (("data", "fetch", "nope"), "Unknown dataset"),
    ],
)
def test_bad_input_exits_2_with_field_expected_example(args: tuple[str, ...], needle: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert needle in err


def test_agencies_list() -> None:
    code, out, _ = run("agencies", "list", "--json")
    assert code == 0 and any(a["id"] == "commerce" for a in json.loads(out))


def test_guide_ask() -> None:
    code, out, _ = run("guide", "ask", "What is USTR?", "--json")
    assert code == 0 and json.loads(out)
    code, out, _ = run("guide", "ask", "What is USTR?")
    assert code == 0 and "source:" in out


def test_data_list_and_verify() -> None:
    code, out, _ = run("data", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["status"] for r in rows} <= {"mirror", "cache", "missing", "corrupt"}
    code, out, _ = run("data", "verify", "--json")
    assert code in (0, 2)
    assert all(r["status"] in {"mirror", "cache", "missing", "corrupt"} for r in json.loads(out))


def test_data_verify_exits_2_on_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.config import reset_settings

    bad = tmp_path / "m" / "gsim-4x4-example" / "gsim_4x4_inputs.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text("tampered\n")
    monkeypatch.setenv("TRADEPOLICY_DATA_MIRROR", str(tmp_path / "m"))
    reset_settings()
    try:
        code, _, err = run("data", "verify")
        assert code == 2 and "gsim-4x4-example/gsim_4x4_inputs.csv" in err
    finally:
        reset_settings()


def test_data_fetch_offline_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.config import reset_settings

    monkeypatch.setenv("TRADEPOLICY_CACHE_DIR", str(tmp_path / "c"))
    reset_settings()
    try:
        code, _, err = run("data", "fetch", "hs-nomenclature")
        assert code == 2 and "No file was written" in err
        assert not any(p.is_file() for p in (tmp_path / "c").rglob("*"))
    finally:
        reset_settings()


def test_backup_to_a_folder_exits_2_and_leaves_no_part_file(tmp_path: Path) -> None:
    code, _, err = run("db", "backup", str(tmp_path))
    assert code == 2 and "is a folder" in err
    assert list(tmp_path.iterdir()) == [] and not (tmp_path.parent / f"{tmp_path.name}.part").exists()


def test_bad_database_url_exits_2_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.config import reset_settings

    monkeypatch.setenv("TRADEPOLICY_DATABASE_URL", "bogus://nowhere")
    reset_settings()
    try:
        code, _, err = run("agreements", "list")
        assert code == 2 and "field: TRADEPOLICY_DATABASE_URL" in err
    finally:
        monkeypatch.undo()
        reset_settings()


def test_bad_setting_exits_2_before_any_command() -> None:
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("tradepolicy")
    r = subprocess.run([str(exe), "version"], capture_output=True, text=True,
                       env={**os.environ, "TRADEPOLICY_EXECUTOR": "spark"})
    assert r.returncode == 2 and "TRADEPOLICY_EXECUTOR" in r.stderr and "Traceback" not in r.stderr


def test_serve_on_a_busy_port_exits_2_before_printing_a_url() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run("serve", "--port", str(port), "--no-init")
    assert code == 2 and "field: --port" in err and "http://" not in out
