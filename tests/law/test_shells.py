"""CLI (``law``, ``case``), API (``/api/law``, ``/api/cases``) and pages: thin shells over the services."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tradepolicy.cli import app as cli_app

runner = CliRunner()


def test_cli_law_timeline_json() -> None:
    r = runner.invoke(cli_app, ["law", "timeline", "ad_investigation", "--event", "petition_filed=2025-01-14",
                                "--as-of", "2025-01-14", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    final = next(d for d in out["deadlines"] if d["clock_id"] == "final_due")
    # E9: AD final raw Sat 2025-09-06 rolls to Mon 2025-09-08.
    assert (final["due_date"], final["rolled"], final["citation"]) == ("2025-09-08", True, "19 U.S.C. 1673d(a)(1)")
    assert {"rule_id", "basis", "roll", "flag"} <= set(final)


def test_cli_timeline_table_marks_unconfirmed() -> None:
    r = runner.invoke(cli_app, ["law", "timeline", "section301", "-e", "initiated=2025-04-17"])
    assert r.exit_code == 0, r.output
    assert "UNCONFIRMED" in r.output  # the 12-month determination rule


@pytest.mark.parametrize("args", [
    ["law", "timeline", "nope", "-e", "x=2025-01-01"],
    ["law", "timeline", "section301", "-e", "nope=2025-01-01"],
    ["law", "timeline", "section301", "-e", "initiated=2025-02-30"],
    ["law", "timeline", "ad_investigation", "-e", "petition_filed=2025-01-14", "-e", "initiated=2025-01-01"],
    ["law", "timeline", "ad_investigation", "-e", "final_affirmative=2025-01-14"],
    ["law", "rule", "nope.nope"],
])
def test_cli_bad_input_exits_2(args: list[str]) -> None:
    r = runner.invoke(cli_app, args)
    assert r.exit_code == 2, r.output
    assert "error" in r.output and "expected" in r.output


def test_cli_rules_and_procedures() -> None:
    r = runner.invoke(cli_app, ["law", "rules", "--prefix", "adcvd.dp", "--json"])
    rows = json.loads(r.stdout)
    assert {x["rule_id"] for x in rows} >= {"adcvd.dp.cohens_d", "adcvd.dp.ratio_lower"}
    assert next(x for x in rows if x["rule_id"] == "adcvd.dp.ratio_lower")["flag"] == "UNCONFIRMED"
    r = runner.invoke(cli_app, ["law", "procedures", "--json"])
    assert len(json.loads(r.stdout)) == 13  # + special301_review (promote), usmca_joint_review (issue 12)
    r = runner.invoke(cli_app, ["law", "calendar", "2026", "--json"])
    assert json.loads(r.stdout)[1]["due"] == "2026-03-01"


def test_cli_case_lifecycle(fresh_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(cli_app, ["case", "new", "wto_dsu", "DS999", "--title", "Test dispute"]).exit_code == 0
    r = runner.invoke(cli_app, ["case", "event", "DS999", "consultations_requested", "2018-04-04", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["deadlines"][0]["due_date"] == "2018-04-16"
    r = runner.invoke(cli_app, ["case", "event", "DS999", "appealed", "2018-05-01"])
    assert r.exit_code == 2 and "not allowed" in r.output
    r = runner.invoke(cli_app, ["case", "show", "DS999"])
    assert r.exit_code == 0 and "Consultations" in r.output
    r = runner.invoke(cli_app, ["case", "list", "--json"])
    assert "DS999" in {c["id"] for c in json.loads(r.stdout)}
    out = tmp_path / "ds999.ics"
    r = runner.invoke(cli_app, ["case", "calendar", "DS999", "--output", str(out)])
    assert r.exit_code == 0 and out.read_text().startswith("BEGIN:VCALENDAR")


@pytest.fixture
def client(fresh_db: str, client_as) -> TestClient:  # type: ignore[no-untyped-def]
    # An attorney signed in through the sign-in form (session cookie + CSRF token): the case
    # routes and the case page's form need ``cases.write``.
    return client_as("attorney", session=True)


def test_api_routes(client: TestClient) -> None:
    r = client.get("/api/law/rules/adcvd.ad.de_minimis_review")
    assert r.json()["rule"]["value"] == 0.005
    r = client.get("/api/law/timeline/wto_dsu", params={"event": ["consultations_requested=2018-04-04"]})
    assert r.status_code == 200
    assert r.json()["timeline"]["deadlines"][2]["due_date"] == "2018-06-03"  # E12, earliest date not rolled (issue 12)
    assert client.get("/api/law/procedures").json()["count"] == 13  # + special301_review, usmca_joint_review
    assert client.get("/api/law/annual/2026").json()["deadlines"][0]["due"] == "2026-02-22"
    assert client.get("/api/law/business-day/2026-07-03").json()["rolls_to"] == "2026-07-06"  # E11
    r = client.post("/api/cases", json={"procedure": "section301", "case_id": "S-1", "title": "t"})
    assert r.status_code == 201
    r = client.post("/api/cases/S-1/events", json={"event": "petition_filed", "date": "2025-03-03"})
    assert r.json()["case"]["deadlines"][0]["due_date"] == "2025-04-17"  # E5
    r = client.get("/api/cases/S-1/calendar.ics")
    assert r.headers["content-type"].startswith("text/calendar")


@pytest.mark.parametrize(("method", "url", "body", "status"), [
    ("post", "/api/cases", {"procedure": "nope", "case_id": "N-1", "title": "t"}, 404),
    ("post", "/api/cases/ds543/events", {"event": "nope", "date": "2025-01-01"}, 400),
    ("post", "/api/cases/ds543/events", {"event": "reports_adopted", "date": "2020-01-01"}, 409),
    ("post", "/api/cases/ds543/events", {"event": "mutually_agreed_solution", "date": "2025-13-01"}, 400),
    ("get", "/api/law/timeline/section301?event=initiated", None, 400),
])
def test_api_errors_use_the_canonical_shape(client: TestClient, method: str, url: str, body, status: int) -> None:  # type: ignore[no-untyped-def]
    before = client.get("/api/cases/ds543").json()["case"]["log"]
    r = getattr(client, method)(url, json=body) if body else getattr(client, method)(url)
    assert r.status_code == status
    j = r.json()
    assert j["ok"] is False and j["status"] == status and {"type", "message"} <= set(j["error"])
    assert client.get("/api/cases/ds543").json()["case"]["log"] == before


@pytest.mark.parametrize("url", ["/law", "/law.json", "/law.csv", "/law/rules", "/law/rules.csv",
                                 "/law/rules/adcvd.dp.cohens_d", "/law/procedures/section301",
                                 "/law/procedures/section301.json", "/law/calendar/2026", "/cases",
                                 "/cases.json", "/cases/ds543", "/cases/ustr-301-china-ip.csv", "/"])
def test_pages_and_twins(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]


def test_pages_show_flags_and_timeline(client: TestClient) -> None:
    page = client.get("/cases/ustr-301-china-ip").text
    assert "UNCONFIRMED" in page and "2018-04-21" in page and "missed" in page
    rules = client.get("/law/rules?prefix=s301").text
    assert "19 U.S.C. 2414(a)(2)(B)" in rules and "UNCONFIRMED" in rules
    assert "Upcoming deadlines" in client.get("/").text


def test_page_form_records_an_event(client: TestClient) -> None:
    client.post("/api/cases", json={"procedure": "usmca_ch31", "case_id": "C31-1", "title": "t"})
    r = client.post("/cases/C31-1/events", data={"event": "consultations_requested", "date": "2025-01-06"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "2025-03-22" in client.get("/cases/C31-1").text  # E15


def test_page_form_records_an_event_with_details(client: TestClient) -> None:
    # E4: an action needs its instance key (action=list1); the form's details field carries it.
    client.post("/api/cases", json={"procedure": "section301", "case_id": "S301-F", "title": "t"})
    for ev, date in (("initiated", "2017-08-18"), ("determination", "2018-03-22")):
        assert client.post("/cases/S301-F/events", data={"event": ev, "date": date},
                           follow_redirects=False).status_code == 303
    before = client.get("/api/cases/S301-F").json()["case"]["log"]
    bad = client.post("/cases/S301-F/events", data={"event": "action_taken", "date": "2018-07-06",
                                                   "payload": "list1"})
    assert bad.status_code == 400 and client.get("/api/cases/S301-F").json()["case"]["log"] == before
    r = client.post("/cases/S301-F/events", data={"event": "action_taken", "date": "2018-07-06",
                                                 "payload": "action=list1, rate=0.25"}, follow_redirects=False)
    assert r.status_code == 303
    assert "2022-07-05" in client.get("/cases/S301-F").text  # E4: List 1 window closes 2022-07-05


def test_cli_timeline_table_shows_rule_id_and_direction(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 3: the timeline prints each clock with its rule id, basis, direction, roll and citation.
    from tradepolicy.cli._output import console

    monkeypatch.setattr(console, "width", 220)  # a wide terminal: one table row per line
    r = runner.invoke(cli_app, ["law", "timeline", "section301", "-e", "petition_filed=2025-03-03"])
    assert r.exit_code == 0, r.output
    row = next(line for line in r.output.splitlines() if "initiation_decision_due" in line)
    assert "s301.initiation_decision" in row and "2025-04-17" in row and "no later than" in row  # E5
    assert "s301.initiation_decision: 19 U.S.C. 2412(a)(2)-(3)" in r.output


def test_cli_calendars_says_which_chamber_has_no_session_days() -> None:
    r = runner.invoke(cli_app, ["law", "calendars"])
    assert r.exit_code == 0, r.output
    assert "Senate: no session days listed" in " ".join(r.output.split())


def test_pages_show_aliased_fields(client: TestClient) -> None:
    # RulePeriod.from_ / RuleUse.in_ / ClockView.from_ are written "from" / "in" in JSON; the pages read
    # the attributes (no key access on models): each value of the JSON twin is in the HTML cell.
    rule = client.get("/law/rules/adcvd.ad.prelim.json").json()["rule"]
    html = client.get("/law/rules/adcvd.ad.prelim").text
    assert rule["periods"] and all(f"<td>{p['from']}</td>" in html for p in rule["periods"])
    assert rule["used_by"] and all(f"{u['procedure']}</a>: {', '.join(u['in'])}</li>" in html for u in rule["used_by"])
    proc = client.get("/law/procedures/section301.json").json()["procedure"]
    html = client.get("/law/procedures/section301").text
    froms = [c["from"] for c in proc["clocks"] if c["from"]]
    assert froms and all(f"<td>{f}" in html for f in froms)
