"""Scenario runs are stored append-only with an audit entry; compare; CLI, API and pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.helpers import requires_dataset

EX = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
pytestmark = requires_dataset("gsim-4x4-example")


def test_run_is_stored_with_audit_and_rerun_links_parent(fresh_db: str) -> None:
    from tradepolicy.services.scenarios import get_run, run_scenario
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models import AuditEntry

    a = run_scenario(EX / "gsim-4x4-us-eu-fta.yaml")
    b = run_scenario("gsim-4x4-us-eu-fta")
    ra, rb = get_run(a.id), get_run(b.id)
    assert ra.parent_id is None and rb.parent_id == a.id
    assert ra.inputs["datasets"][0]["dataset"] == "gsim-4x4-example"
    assert ra.results["manifest"]["parameters"]["name"] == "gsim-4x4-us-eu-fta"
    assert ra.split()[1] == a.manifest.to_dict()  # the stored manifest is the one returned
    with read_session() as s:
        audits = s.execute(select(AuditEntry).where(AuditEntry.entity == "run")).scalars().all()
    assert {x.entity_id for x in audits} >= {str(a.id), str(b.id)}


def test_runs_are_append_only(fresh_db: str) -> None:
    from tradepolicy.services.scenarios import run_scenario
    from tradepolicy.store.db import transaction

    out = run_scenario("gsim-4x4-us-eu-fta")
    with pytest.raises(Exception), transaction() as s:  # noqa: B017 - the trigger's error type is driver-specific
        s.execute(text("UPDATE runs SET kind = 'x' WHERE id = :i"), {"i": out.id})


def test_rejected_scenario_stores_nothing(fresh_db: str) -> None:
    from tradepolicy.errors import InputError
    from tradepolicy.services.scenarios import list_runs, run_scenario_text

    bad = (EX / "gsim-4x4-us-eu-fta.yaml").read_text().replace("substitution_elasticity: 5.0",
                                                                  "substitution_elasticity: -5.0")
    with pytest.raises(InputError):
        run_scenario_text(bad)
    assert list_runs() == []


def test_compare_side_by_side_with_parameter_diff(fresh_db: str) -> None:
    from tradepolicy.services.scenarios import compare, run_scenario_text

    base = (EX / "gsim-4x4-us-eu-fta.yaml").read_text()
    a = run_scenario_text(base)
    b = run_scenario_text(base.replace("substitution_elasticity: 5.0", "substitution_elasticity: 8.0"))
    cmp = compare(a.id, b.id).to_dict()
    assert cmp["parameter_diff"] == [{"parameter": "parameters.substitution_elasticity", "a": 5.0, "b": 8.0}]
    rows = {r["iso3"]: r for r in cmp["rows"]}
    assert set(rows) == {"US", "JP", "EU", "RW"}
    assert rows["US"]["b_minus_a"] == pytest.approx(rows["US"]["b"] - rows["US"]["a"])
    assert cmp["comparable"] is True and cmp["note"] is None


@requires_dataset("baci-shrimp-2018")
def test_compare_of_different_models_is_not_differenced(fresh_db: str) -> None:
    # A GSIM run (world price change, decimals) and a SMART run (imports, thousand US$): a
    # B - A of different quantities would be a meaningless number, so none is given.
    from tradepolicy.services.scenarios import compare, run_scenario

    a = run_scenario("gsim-4x4-us-eu-fta")
    b = run_scenario("shrimp-duty-india-smart")
    cmp = compare(a.id, b.id).to_dict()
    assert cmp["comparable"] is False and "different quantities" in cmp["note"]
    assert all(r["b_minus_a"] is None for r in cmp["rows"] + cmp["summary"])
    assert any(r["b"] is not None for r in cmp["rows"])


def test_compare_failing_on_b_stores_nothing_of_a(tmp_path: Path, fresh_db: str) -> None:
    from tradepolicy.errors import InputError
    from tradepolicy.services.scenarios import compare, list_runs

    bad = tmp_path / "bad.yaml"
    bad.write_text((EX / "gsim-4x4-us-eu-fta.yaml").read_text() + "colour: red\n")
    with pytest.raises(InputError):
        compare("gsim-4x4-us-eu-fta", str(bad))
    assert list_runs() == []


def test_cli_run_json_and_compare(fresh_db: str) -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    r = CliRunner().invoke(app, ["scenario", "run", str(EX / "gsim-4x4-us-eu-fta.yaml"), "--json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["sign_convention"] and body["manifest"]["datasets"] and body["rows"][0]["iso3"] == "US"
    r2 = CliRunner().invoke(app, ["scenario", "compare", str(body["id"]), "gsim-4x4-us-eu-fta", "--json"])
    assert r2.exit_code == 0, r2.output
    assert json.loads(r2.stdout)["parameter_diff"] == []
    r3 = CliRunner().invoke(app, ["scenario", "run", "nope.yaml"])
    assert r3.exit_code == 2


def test_cli_unknown_key_exits_2(tmp_path: Path, fresh_db: str) -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    f = tmp_path / "bad.yaml"
    f.write_text((EX / "gsim-4x4-us-eu-fta.yaml").read_text() + "colour: red\n")
    r = CliRunner().invoke(app, ["scenario", "run", str(f)])
    assert r.exit_code == 2
    assert "colour" in r.output and "Allowed keys" in r.output


def test_api_and_pages(fresh_db: str, client_as) -> None:  # type: ignore[no-untyped-def]
    c = client_as("analyst", session=True)  # storing a run needs runs.write
    r = c.post("/api/economics/scenarios/run", json={"example": "gsim-4x4-us-eu-fta"})
    assert r.status_code == 200 and r.json()["rows"][0]["iso3"] == "US"
    run_id = r.json()["id"]
    bad = c.post("/api/economics/scenarios/run", json={"yaml": "name: x\nmodel: smart\nfoo: 1\nseed: 1\ndata: {}"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "scenario.foo"
    assert c.get("/api/economics/runs/999999").status_code == 404
    # Pages work without JavaScript: a form post runs an example and redirects to the run.
    idx = c.get("/economics")
    assert idx.status_code == 200 and 'action="/economics/run"' in idx.text
    post = c.post("/economics/run", data={"example": "gsim-4x4-us-eu-fta"}, follow_redirects=False)
    assert post.status_code == 303
    page = c.get(post.headers["location"])
    assert page.status_code == 200 and "<svg" in page.text and "<table>" in page.text
    csv = c.get(post.headers["location"] + ".csv")
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("iso3,world_price_change")
    js = c.get(f"/economics/runs/{run_id}.json").json()
    assert js["ok"] and js["manifest"]["seed"] == 2003
    cmp = c.get(f"/economics/compare?a={run_id}&b={run_id}")
    assert cmp.status_code == 200
    assert c.get("/economics/runs/abc").status_code == 404
    # A compare form without B is bad input (400, the one error shape), not a missing page.
    miss = c.get(f"/economics/compare.json?a={run_id}")
    assert miss.status_code == 400 and miss.json()["error"]["field"] == "b"
