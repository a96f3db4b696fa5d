"""The promote workflows through the CLI (the operator's principal given a grant, as the people
service will once it resolves TRADEPOLICY_USER; without one, restricted barriers stay hidden)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.promote.conftest import STAFF
from tradepolicy.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout + (r.stderr if r.stderr_bytes else "")


@pytest.fixture
def staff_cli(monkeypatch: pytest.MonkeyPatch, fresh_db: str) -> None:
    import tradepolicy.cli.promote as cli

    monkeypatch.setattr(cli, "_principal", lambda: STAFF)


def test_barrier_workflow_cli(staff_cli: None, tmp_path: Path) -> None:
    code, out = run("barriers", "add", "--partner", "VNM", "--title", "Import licences for used machinery",
                    "--category", "import_policies", "--hs", "8479,8429", "--description", "internal text",
                    "--commitment", '{"kind": "agreement", "ref": "wto-gatt-1994", "provision": "Art. XI"}', "--json")
    assert code == 0, out
    bid = json.loads(out)["id"]
    code, out = run("barriers", "status", bid, "open", "--waiting-on", "partner_government", "--json")
    assert code == 0 and json.loads(out)["waiting_on"] == "partner_government"
    # publishing without approval is refused (exit 2, the field named)
    code, out = run("barriers", "publish", bid)
    assert code == 2 and "public.state" in out
    assert run("barriers", "publish", bid, "--draft", "Viet Nam restricts imports of used machinery.")[0] == 0
    assert run("barriers", "publish", bid, "--approve")[0] == 0
    code, out = run("barriers", "publish", bid, "--json")
    assert code == 0 and json.loads(out)["label"] == "public"
    code, out = run("barriers", "status", bid, "dormant", "--reason", "no movement", "--json")
    assert code == 0
    code, out = run("barriers", "status", bid, "resolved", "--reason", "x")
    assert code == 2 and "cannot go from 'dormant' to 'resolved'" in out
    code, out = run("barriers", "update", bid, "--set", "priority=high", "--json")
    assert code == 0 and json.loads(out)["priority"] == "high"
    code, out = run("barriers", "list", "--partner", "VNM", "--json")
    assert code == 0 and [b["id"] for b in json.loads(out)["barriers"]] == [bid]
    code, out = run("barriers", "show", bid, "--json")
    assert code == 0 and len(json.loads(out)["history"]) == 7


@pytest.mark.parametrize(("args", "field"), [
    (["--partner", "ZZZ"], "partner"),
    (["--partner", "VNM", "--hs", "7"], "hs_codes"),
])
def test_barrier_bad_input_cli(staff_cli: None, args: list[str], field: str) -> None:
    code, out = run("barriers", "add", "--title", "x y z", "--category", "tbt", *args)
    assert code == 2 and field in out


def test_nte_report_cli(staff_cli: None, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out_pdf = tmp_path / "nte.pdf"
    code, out = run("nte", "report", "--year", "2026", "--format", "pdf", "--out", str(out_pdf))
    assert code == 0, out
    assert len(PdfReader(str(out_pdf)).pages) > 5
    code, out = run("nte", "report", "--year", "2026", "--format", "html")
    assert code == 0 and "European Union" in out and "Contents" in out
    code, out = run("nte", "due", "--year", "2026", "--json")
    assert json.loads(out)["due"] == "2026-03-31"
    code, out = run("nte", "report", "--year", "2026", "--format", "docx")
    assert code == 2 and "--format" in out


def test_special301_cli(staff_cli: None, tmp_path: Path) -> None:
    code, out = run("special301", "placements", "--country", "CHN", "--json")
    assert code == 0
    res = json.loads(out)
    assert {p["year"] for p in res["placements"]} >= {2025}
    code, out = run("special301", "placements", "--year", "2025")
    assert code == 0 and "Mexico" in out
    out_pdf = tmp_path / "hist.pdf"
    assert run("special301", "history", "CHN", "--format", "pdf", "--out", str(out_pdf))[0] == 0
    assert out_pdf.read_bytes()[:4] == b"%PDF"
    code, out = run("special301", "place", "THA", "--year", "2024", "--list", "WL", "--citation", "USTR 2024, p. 80", "--json")
    assert code == 0 and json.loads(out)["status"] == "WL"


def test_tfa_cli(staff_cli: None, tmp_path: Path) -> None:
    f = tmp_path / "tfa.csv"
    f.write_text("member,group,ratified,measure,category,indicative_date,definitive_date,items\n"
                 "KEN,developing,2015-12-10,7.1,B,2019-02-22,2020-02-22,3\n")
    code, out = run("tfa", "import", str(f), "--json")
    assert code == 0 and json.loads(out)["commitments"] == 1
    code, out = run("tfa", "rate", "KEN", "--as-of", "2020-02-22", "--json")
    assert code == 0 and json.loads(out)["committed_items"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("member,measure,shoe size\nKEN,1.1,42\n")
    code, out = run("tfa", "import", str(bad))
    assert code == 2 and "shoe size" in out
    assert run("tfa", "example")[0] == 0
    code, out = run("tfa", "rate", "XED")
    assert code == 2 and "ratified" in out
    html = tmp_path / "r.html"
    assert run("tfa", "report", "XEA", "--out", str(html))[0] == 0
    assert "ILLUSTRATIVE" in html.read_text()


def test_cli_as_stored_user_with_and_without_grant(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """TRADEPOLICY_USER names a stored user: the CLI gets that user's role and grants (platform people service)."""
    from tests.helpers import make_user
    from tradepolicy.config import reset_settings

    staff = make_user("attorney", [("restricted", "*")])
    plain = make_user("analyst")
    monkeypatch.setenv("TRADEPOLICY_USER", staff)
    reset_settings()
    code, out = run("barriers", "add", "--partner", "PER", "--title", "Pisco labelling rule", "--category", "tbt",
                    "--description", "internal", "--json")
    assert code == 0, out
    bid = json.loads(out)["id"]
    assert run("barriers", "show", bid)[0] == 0
    monkeypatch.setenv("TRADEPOLICY_USER", plain)
    reset_settings()
    code, out = run("barriers", "show", bid)
    assert code == 2 and "No barrier" in out  # restricted: not found without a grant
    monkeypatch.setenv("TRADEPOLICY_USER", "pytest")
    reset_settings()
