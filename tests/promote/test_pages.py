"""Pages and their JSON/CSV twins (TestClient), readable without JavaScript."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tradepolicy.api.app import create_app

HTML = {"accept": "text/html"}


def test_pages_and_twins() -> None:
    c = TestClient(create_app(), raise_server_exceptions=False)
    r = c.get("/barriers", headers=HTML)
    assert r.status_code == 200 and "NTE25-CHN-04" in r.text and "<script" not in r.text.split("</nav>")[-1]
    j = c.get("/barriers.json", params={"partner": "IND"}).json()
    assert j["ok"] and j["count"] == 17 and all(b["partner"] == "IND" for b in j["barriers"])
    rows = list(csv.DictReader(io.StringIO(c.get("/barriers.csv", params={"partner": "IND"}).text)))
    assert len(rows) == 17 and rows[0]["coverage_status"]
    one = c.get("/barriers/NTE25-MEX-05", headers=HTML)
    assert one.status_code == 200 and "USMCA" in one.text.upper() and "coverage" in one.text.lower()
    assert c.get("/barriers/NTE25-MEX-05.json").json()["barrier"]["partner"] == "MEX"
    assert c.get("/barriers/B-00000", headers=HTML).status_code == 404
    nte = c.get("/nte", params={"year": 2026}, headers=HTML)
    assert nte.status_code == 200 and "European Union" in nte.text
    assert "IND" in c.get("/nte.csv", params={"year": 2026}).text
    sp = c.get("/special301", params={"country": "CHN"}, headers=HTML)
    assert sp.status_code == 200 and "Priority Watch List" in sp.text
    hist = c.get("/special301/CHN", headers=HTML)
    assert hist.status_code == 200 and "<svg" in hist.text
    assert c.get("/special301/CHN.json").json()["iso3"] == "CHN"
    assert c.get("/tfa", headers=HTML).status_code == 200
    assert c.get("/tfa.json").json()["ok"]
