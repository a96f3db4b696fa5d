"""Service, CLI, API and web tests of the remedies domain (stored runs, re-runs, attachments).

Numbers checked here come from fact sheet E6-E8 (exact, as in test_worked_examples.py) or
from an independent sum over the raw BACI CSV (shrimp coverage, tolerance 1e-9 relative).
"""

import csv
import datetime as dt
import hashlib
import json
import warnings

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.helpers import requires_dataset
from tests.remedies.fixtures import e6_cost, e6_home, e6_us
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.services import remedies as svc

warnings.filterwarnings("ignore", category=DeprecationWarning)
runner = CliRunner()


@pytest.fixture
def e6_files(tmp_path):
    paths = {}
    for name, df in (("us", e6_us()), ("home", e6_home()), ("cost", e6_cost())):
        p = tmp_path / f"{name}.csv"
        df.to_csv(p, index=False)
        paths[name] = p
    return paths


@pytest.fixture
def client(fresh_db, client_as):
    # An analyst signed in through the sign-in form: storing runs and the run pages' forms need
    # ``runs.write`` and the session's CSRF token.
    return client_as("analyst", session=True)


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_run_is_stored_with_provenance_and_rerun_is_a_new_row(fresh_db, e6_files):
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"], segment="investigation")
    assert run.inputs == {k: _sha(p) for k, p in e6_files.items()}
    assert run.law_version == svc.law_version() and run.code_version
    t = run.parameters["thresholds"]
    assert t["cohens_d_threshold"]["rule_id"] == "adcvd.dp.cohens_d" and t["cohens_d_threshold"]["citation"]
    assert round(run.results["final_margin"] * 100, 2) == 2.39  # E6
    again = svc.rerun(run.id)
    assert again.id != run.id and again.parent_id == run.id
    assert again.results["final_margin"] == run.results["final_margin"]
    assert svc.get_run(run.id).results == run.results
    diff = svc.compare_with_parent(again)
    assert diff.same_results and diff.changed == [] and diff.thresholds == []
    assert svc.compare_with_parent(run) is None
    # Append-only: the store refuses to overwrite a run.
    from tradepolicy.store.db import transaction

    with pytest.raises(Exception, match=r"append-only|not allowed|abort|prohibited"), transaction() as s:
        s.execute(text("UPDATE runs SET law_version = 'x' WHERE id = :i"), {"i": run.id})
    assert [r.id for r in svc.list_runs()] == [again.id, run.id]


def test_rejected_input_stores_nothing(fresh_db, e6_files, tmp_path):
    bad = tmp_path / "bad_us.csv"
    df = e6_us()
    df.loc[2, "quantity"] = 0
    df.to_csv(bad, index=False)
    with pytest.raises(InputError) as ei:
        svc.compute_margin_from_paths(bad, e6_files["home"], e6_files["cost"], segment="investigation")
    assert ei.value.where == "bad_us.csv, row 3 (CSV line 4)"
    assert svc.list_runs() == []


def test_thresholds_are_read_from_the_law_rule_book(fresh_db, e6_files, monkeypatch):
    import tradepolicy.law.rules as rules

    real = rules.rule_value
    for field, rid in svc.AD_RULES.items():
        assert getattr(svc.ad_parameters()[0], field) == real(rid).value

    def patched(rule_id, on=None):
        rv = real(rule_id, on)
        if rule_id == "adcvd.ad.de_minimis_investigation":
            import dataclasses

            return dataclasses.replace(rv, value=0.03)
        return rv

    monkeypatch.setattr(rules, "rule_value", patched)
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"],
                                        segment="investigation", store=False)
    assert run.results["de_minimis"] == 0.03 and run.results["above_de_minimis"] is False


@requires_dataset("us-adcvd-orders")
def test_shrimp_orders_are_seeded_and_runs_attach(fresh_db, e6_files):
    from tradepolicy.services.proceedings import get_case, list_cases

    ids = {c.id: c.stage for c in list_cases()}
    assert {k: ids[k] for k in ("A-351-838", "A-570-893", "A-533-840", "A-549-822", "A-552-802")} == {
        "A-351-838": "revoked", "A-570-893": "order", "A-533-840": "order", "A-549-822": "order",
        "A-552-802": "order"}
    from tradepolicy.store.db import transaction

    with transaction() as s:  # idempotent
        assert svc.seed_shrimp_orders(s, "pytest") == {"inserted": 0, "updated": 0, "unchanged": 5}
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"], segment="investigation")
    att = svc.attach_run(run.id, "A-533-840")
    assert att.proceeding_id == "A-533-840"
    assert svc.get_run(run.id).proceedings == ["A-533-840"]
    assert [r.id for r in svc.runs_of_case("A-533-840")] == [run.id]
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    client = TestClient(create_app())
    api = client.get("/api/remedies/cases/A-533-840/runs").json()
    assert [r["id"] for r in api["runs"]] == [run.id]
    page = client.get("/cases/A-533-840", headers={"accept": "text/html"}).text
    assert "Calculation runs attached" in page and f'href="/remedies/runs/{run.id}"' in page
    with pytest.raises(ConflictError):
        svc.attach_run(run.id, "A-533-840")
    with pytest.raises(NotFoundError):
        svc.attach_run(run.id, "A-999-999")
    assert get_case("A-533-840").stage == "order"


@requires_dataset("baci-shrimp-2018")
@requires_dataset("us-adcvd-orders")
def test_shrimp_coverage_matches_an_independent_sum():
    from tradepolicy.datasets import dataset_path

    out = svc.shrimp_coverage()
    scope = set(out.scope_hs6)
    tot, by = 0.0, {}
    path = dataset_path("baci-shrimp-2018", "standardized_baci_seafood_hs12_y2018_including_value.csv")
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["importer_iso3c"] == "USA" and r["hs6"].zfill(6) in scope:
                tot += float(r["total_v"])
                by[r["exporter_iso3c"]] = by.get(r["exporter_iso3c"], 0.0) + float(r["total_v"])
    rows = {o.country: o for o in out.orders}
    iso = {"Brazil": "BRA", "China": "CHN", "India": "IND", "Thailand": "THA", "Vietnam": "VNM"}
    for country, code in iso.items():  # peer sum over the raw CSV, 1e-9 relative
        assert rows[country].share_scope == pytest.approx(by.get(code, 0.0) / tot, rel=1e-9)
    assert rows["Brazil"].status == "revoked" and not rows["Brazil"].in_force_2018
    assert out.covered_share_scope == pytest.approx(
        sum(by[c] for c in ("CHN", "IND", "THA", "VNM")) / tot, rel=1e-9)
    # PROVENANCE: India is the leading partner (2.03 bn of 030617 alone) -> its scope share is largest.
    assert max(out.orders, key=lambda o: o.share_scope).country == "India"


def test_negligibility_thresholds():
    from tests.remedies.params import CVD
    from tradepolicy.remedies.negligibility import negligibility

    # Invented shares. 3 % exactly is not negligible (statute: "less than 3 %").
    r = negligibility({"A": 3, "B": 97}, {"A": False}, case="ad", params=CVD)
    assert r.rows[0]["share"] == 0.03 and not r.rows[0]["negligible"]
    # Four countries at 2 % each: individually negligible, 8 % together > 7 %: none negligible.
    r = negligibility({"A": 2, "B": 2, "C": 2, "D": 2, "E": 92}, dict.fromkeys("ABCD", False), case="ad", params=CVD)
    assert all(x["individually_negligible"] and not x["negligible"] for x in r.rows)
    # CVD developing: 3.5 % < 4 % negligible alone; in an AD case the same share is not (>= 3 %).
    r = negligibility({"A": 3.5, "B": 96.5}, {"A": True}, case="cvd", params=CVD)
    assert r.rows[0]["negligible"] and r.rows[0]["individual_threshold"] == 0.04
    assert not negligibility({"A": 3.5, "B": 96.5}, {"A": True}, case="ad", params=CVD).rows[0]["negligible"]


def test_cli_margin_json_and_bad_input(fresh_db, e6_files, tmp_path):
    from tradepolicy.cli import app

    args = ["remedies", "margin", "--us", str(e6_files["us"]), "--home", str(e6_files["home"]),
            "--cost", str(e6_files["cost"]), "--segment", "investigation"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["results"]["method_chosen"] == "mixed" and out["results"]["above_de_minimis"] is True
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "Final margin" in table.stdout and "2.3936%" in table.stdout
    bad = runner.invoke(app, [*args[:-1], "final"])
    assert bad.exit_code == 2
    for cmd in (["remedies", "runs", "--json"], ["remedies", "run", "show", str(out["id"])],
                ["remedies", "run", "rerun", str(out["id"])]):
        assert runner.invoke(app, cmd).exit_code == 0, cmd
    resp = tmp_path / "resp.csv"
    resp.write_text("name,margin,us_value,facts_available\nX,0.125,1000,false\nY,0.042,3000,false\n"
                    "Z,0,500,false\nW,0.011,800,false\nV,0.45,200,true\n")
    ao = runner.invoke(app, ["remedies", "all-others", str(resp), "--json"])
    assert ao.exit_code == 0 and json.loads(ao.stdout)["results"]["rate"] == pytest.approx(0.06275)  # E7
    spec = tmp_path / "cvd.yaml"
    spec.write_text("period_year: 3\nsales_denominator: 40000000\ngrants:\n  - {name: g, amount: 1000000, "
                    "year_received: 1, sales_in_approval_year: 50000000, aul_years: 10, discount_rate: 0.08}\n"
                    "loans:\n  - {name: l, principal: 5000000, rate_paid: 0.02, benchmark_rate: 0.065}\n")
    cv = runner.invoke(app, ["remedies", "cvd", str(spec), "--json"])
    assert cv.exit_code == 0 and round(json.loads(cv.stdout)["results"]["total_rate"] * 100, 2) == 0.96  # E8


def test_api_margin_errors_and_runs(fresh_db, client):
    body = {"segment": "investigation", "us": e6_us().to_dict("records"), "home": e6_home().to_dict("records"),
            "cost": e6_cost().to_dict("records")}
    r = client.post("/api/remedies/margin", json=body)
    assert r.status_code == 200, r.text
    run = r.json()["run"]
    assert round(run["results"]["final_margin"] * 100, 2) == 2.39  # E6
    bad = dict(body, us=[dict(x) for x in body["us"]])
    bad["us"][1]["net_price"] = "abc"
    e = client.post("/api/remedies/margin", json=bad)
    assert e.status_code == 400
    err = e.json()
    assert err["ok"] is False and err["error"]["field"] == "net_price" and "row 2" in err["error"]["where"]
    assert client.get("/api/remedies/runs").json()["count"] == 1
    rr = client.post(f"/api/remedies/runs/{run['id']}/rerun", json={})
    assert rr.status_code == 200 and rr.json()["run"]["parent_id"] == run["id"]
    assert client.get("/api/remedies/runs/9999").status_code == 404
    files = {k: (f"{k}.csv", df.to_csv(index=False), "text/csv")
             for k, df in (("us", e6_us()), ("home", e6_home()), ("cost", e6_cost()))}
    up = client.post("/api/remedies/margin/upload", data={"segment": "review"}, files=files)
    assert up.status_code == 200 and up.json()["run"]["results"]["segment"] == "review"
    cv = client.post("/api/remedies/cvd", json={"spec": {"period_year": 1, "sales_denominator": 100,
                                                         "loans": [{"principal": 100, "rate_paid": 0.01,
                                                                    "benchmark_rate": 0.03}]}})
    assert cv.status_code == 200 and cv.json()["run"]["results"]["total_rate"] == pytest.approx(0.02)
    page = client.get(f"/remedies/runs/{cv.json()['run']['id']}").text
    assert "Programmes" in page and "2.0000%" in page
    ao = client.post("/api/remedies/all-others", json={"respondents": [
        {"name": "X", "margin": 0.125, "us_value": 1000}, {"name": "Y", "margin": 0.042, "us_value": 3000}]})
    assert ao.status_code == 200
    assert "All-others rate" in client.get(f"/remedies/runs/{ao.json()['run']['id']}").text


def test_web_pages_and_twins(fresh_db, client, e6_files):
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"], segment="investigation")
    html = client.get("/remedies", headers={"accept": "text/html"})
    assert html.status_code == 200 and f"/remedies/runs/{run.id}" in html.text
    page = client.get(f"/remedies/runs/{run.id}").text
    assert "Method choice" in page and "mixed" in page and "Cohen" in page and "10.954" in page
    csv_twin = client.get(f"/remedies/runs/{run.id}.csv").text.splitlines()
    assert csv_twin[0].startswith("connum,") and len(csv_twin) == 3
    assert client.get(f"/remedies/runs/{run.id}.json").json()["run"]["id"] == run.id
    assert client.get("/remedies.json").json()["count"] == 1
    files = {k: (f"{k}.csv", df.to_csv(index=False), "text/csv")
             for k, df in (("us", e6_us()), ("home", e6_home()), ("cost", e6_cost()))}
    post = client.post("/remedies/margin", data={"segment": "investigation"}, files=files, follow_redirects=False)
    assert post.status_code == 303 and post.headers["location"].startswith("/remedies/runs/")
    assert client.get("/remedies/runs/abc", headers={"accept": "text/html"}).status_code == 404


def test_parquet_inputs_give_the_same_margin(tmp_path):
    paths = {}
    for name, df in (("us", e6_us()), ("home", e6_home()), ("cost", e6_cost())):
        paths[name] = tmp_path / f"{name}.parquet"
        df.to_parquet(paths[name])
    run = svc.compute_margin_from_paths(paths["us"], paths["home"], paths["cost"], segment="investigation",
                                        store=False)
    assert run.results["methods"]["mixed"]["total_dumping"] == pytest.approx(2_475)  # E6
    with pytest.raises(InputError):
        svc.compute_margin_from_paths(tmp_path / "us.xls", paths["home"], paths["cost"], segment="review")


@requires_dataset("us-adcvd-orders")
def test_seeder_refusal_leaves_nothing_half_written(fresh_db, monkeypatch):
    import tradepolicy.services.proceedings as pro
    from tradepolicy.store.db import transaction
    from tradepolicy.store.models import Proceeding

    with transaction() as s:  # start from a store without the shrimp cases
        assert s.get(Proceeding, "A-549-822") is not None
    real = pro.record_event

    def refuse(case_id, event, *a, **kw):
        if case_id == "A-549-822" and event == "sunset_continued":
            raise InputError("refused for the test", field="event")
        return real(case_id, event, *a, **kw)

    monkeypatch.setattr(pro, "record_event", refuse)
    from tradepolicy.services.registry import init_database

    url = fresh_db.replace("tradepolicy.db", "second.db")
    import os

    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines

    os.environ["TRADEPOLICY_DATABASE_URL"] = url
    dispose_engines()
    reset_settings()
    try:
        report = init_database()
        assert report.counts["remedies_shrimp_orders"]["failed"] == 1
        with transaction() as s:
            assert s.get(Proceeding, "A-549-822") is None  # rolled back to the savepoint
            assert s.get(Proceeding, "A-533-840") is not None
    finally:
        os.environ["TRADEPOLICY_DATABASE_URL"] = fresh_db
        dispose_engines()
        reset_settings()


def test_rerun_applies_the_law_date_of_the_original_run(fresh_db, e6_files, monkeypatch):
    import dataclasses

    import tradepolicy.law.rules as rules

    real = rules.rule_value

    def dated(rule_id, on=None):  # invented law change: de minimis 3 % from 2025-01-01
        rv = real(rule_id, on)
        if rule_id == "adcvd.ad.de_minimis_investigation" and on is not None and on >= dt.date(2025, 1, 1):
            return dataclasses.replace(rv, value=0.03)
        return rv

    monkeypatch.setattr(rules, "rule_value", dated)
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"],
                                        segment="investigation", as_of=dt.date(2024, 6, 1))
    assert run.parameters["law_date"] == "2024-06-01" and run.results["above_de_minimis"] is True  # E6 2.39 %
    same = svc.rerun(run.id)  # default: the original run's law date, so the same results
    assert same.parameters["law_date"] == "2024-06-01" and same.results == run.results
    later = svc.rerun(run.id, as_of=dt.date(2025, 6, 1))  # 2.39 % is not above a 3 % de minimis
    assert later.parent_id == run.id and later.results["above_de_minimis"] is False
    diff = svc.compare_with_parent(later)
    assert not diff.same_results and [t.to_dict() for t in diff.thresholds] == [
        {"name": "de_minimis_investigation", "parent": 0.02, "rerun": 0.03}]
    assert svc.get_run(run.id).results == run.results  # the original is untouched
    today = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"],
                                          segment="investigation", store=True)
    assert today.parameters["law_date"] == dt.date.today().isoformat()


def test_web_rerun_form_keeps_the_run_and_takes_a_law_date(fresh_db, client, e6_files):
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"],
                                        segment="investigation", as_of=dt.date(2024, 6, 1))
    page = client.get(f"/remedies/runs/{run.id}").text
    assert 'name="as_of" value="2024-06-01"' in page
    r = client.post(f"/remedies/runs/{run.id}/rerun", data={"as_of": "2024-06-01"}, follow_redirects=False)
    assert r.status_code == 303
    new = svc.get_run(int(r.headers["location"].rsplit("/", 1)[1]))
    assert new.parent_id == run.id and new.results == run.results
    assert "same results" in client.get(r.headers["location"]).text
    bad = client.post(f"/remedies/runs/{run.id}/rerun", data={"as_of": "June"}, follow_redirects=False)
    assert bad.status_code == 400 and len(svc.list_runs()) == 2


@requires_dataset("us-adcvd-orders")
def test_runs_of_a_proceeding_on_the_page_and_api(fresh_db, client, e6_files):
    run = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"], segment="investigation")
    other = svc.compute_margin_from_paths(e6_files["us"], e6_files["home"], e6_files["cost"], segment="review")
    svc.attach_run(run.id, "A-549-822")
    page = client.get("/remedies?case=A-549-822", headers={"accept": "text/html"}).text
    assert f"/remedies/runs/{run.id}" in page and f"/remedies/runs/{other.id}\"" not in page
    assert 'href="/cases/A-549-822"' in page
    assert [r["id"] for r in client.get("/remedies.json?case=A-549-822").json()["runs"]] == [run.id]
    assert len(client.get("/remedies.csv?case=A-549-822").text.strip().splitlines()) == 2  # header + 1 run
    assert 'href="/cases/A-549-822"' in client.get(f"/remedies/runs/{run.id}").text
    assert client.get("/remedies?case=A-000-000", headers={"accept": "text/html"}).status_code == 404
    assert client.get("/api/remedies/cases/A-000-000/runs").status_code == 404  # was an empty 200
