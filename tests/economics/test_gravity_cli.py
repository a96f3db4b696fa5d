"""Shells of gravity and GE: ``tradepolicy gravity ...``, ``tradepolicy ge ...`` and the
/api/economics/gravity|ge routes. Small data only: the gegravity sample (30 countries, 900
rows) and invented 3-country flows; a Monte Carlo of 12-20 draws."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from tests.helpers import requires_dataset

# gegravity's published ppmlhdfe estimates are printed to 7 significant digits; our PPML
# agrees to half a unit of the 6th decimal (the preset's stated precision)
PUBLISHED_TOL = 5e-7


def cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    return CliRunner().invoke(app, list(args))


def cli_json(*args: str) -> dict[str, Any]:
    r = cli(*args, "--json")
    assert r.exit_code == 0, r.output
    out: dict[str, Any] = json.loads(r.stdout)
    return out


@pytest.fixture(scope="module")
def client() -> Any:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    return TestClient(create_app())


def _counts() -> tuple[int, int]:
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models import AuditEntry, Run

    with read_session() as s:
        return (int(s.execute(select(func.count()).select_from(Run)).scalar_one()),
                int(s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()))


def flows_csv(tmp_path: Path, rows: list[tuple[str, str, float]], name: str = "f.csv") -> str:
    p = tmp_path / name
    p.write_text("exporter,importer,trade\n" + "".join(f"{a},{b},{v}\n" for a, b, v in rows))
    return str(p)


THREE = [("AAA", "AAA", 100.0), ("AAA", "BBB", 10.0), ("AAA", "CCC", 5.0),
         ("BBB", "AAA", 8.0), ("BBB", "BBB", 80.0), ("BBB", "CCC", 4.0),
         ("CCC", "AAA", 6.0), ("CCC", "BBB", 3.0), ("CCC", "CCC", 60.0)]


# ---------------------------------------------------------------------- gravity
@requires_dataset("gegravity-sample")
def test_gravity_presets_and_estimate_cli(client: Any, client_as: Any) -> None:
    listed = cli_json("gravity", "presets")
    names = {p["name"] for p in listed["presets"]}
    assert {"yotov2016_table1_ppml", "yotov2016_table3_ppml_pair", "gegravity_sample",
            "wiod_eu_enlargement"} <= names
    assert client.get("/api/economics/gravity/presets").json()["count"] == len(names)

    out = cli_json("gravity", "estimate", "gegravity_sample")
    assert out["n_obs"] == out["published_n"] == 900
    assert {d["reason"] for d in out["dropped"]} == {"missing", "separated_fe", "singleton",
                                                     "separated_ir"}
    for row in out["coefficients"]:
        # oracle: gegravity's published ppmlhdfe coefficients, beside ours in the output
        assert abs(row["estimate"] - row["published"]) <= PUBLISHED_TOL, row
        assert row["difference"] == pytest.approx(row["estimate"] - row["published"],
                                                  abs=1e-15)
        assert row["std_error"] > 0
    text = cli("gravity", "estimate", "gegravity_sample")
    assert text.exit_code == 0 and "published" in text.stdout and "separated_fe" in text.stdout

    api = client_as("analyst").post("/api/economics/gravity/estimate", json={"preset": "gegravity_sample"})
    assert api.status_code == 200
    assert [r["estimate"] for r in api.json()["coefficients"]] == pytest.approx(
        [r["estimate"] for r in out["coefficients"]], abs=1e-12)


def test_unknown_preset_is_exit_2_and_one_error_shape(fresh_db: str, client_as: Any) -> None:
    analyst = client_as("analyst")  # estimate may store a run: runs.write (user made before counting)
    before = _counts()
    r = cli("gravity", "estimate", "table99", "--store")
    assert r.exit_code == 2 and "field: preset" in r.output and "Traceback" not in r.output
    resp = analyst.post("/api/economics/gravity/estimate",
                        json={"preset": "table99", "store": True})
    body = resp.json()
    assert resp.status_code == 404 and body["ok"] is False and body["status"] == 404
    assert body["error"]["field"] == "preset" and "gegravity_sample" in body["error"]["expected"]
    assert _counts() == before  # a rejected request stores nothing


# ---------------------------------------------------------------------- GE solve
@requires_dataset("gegravity-sample")
def test_ge_solve_cli_and_api_on_the_gegravity_sample(client: Any) -> None:
    args = ("ge", "solve", "--dataset", "gegravity-sample", "--rta", "CAN:JPN",
            "--sigma", "5", "--reference", "DEU")
    out = cli_json(*args)
    assert out["countries"] == 30 and len(out["rows"]) == 30
    assert "(counterfactual - baseline) / baseline" in out["sign_convention"]
    assert out["unit"] == "percent" and out["diagnostics"]["converged"] is True
    by = {r["iso3"]: r for r in out["rows"]}
    # economics of a new RTA (economics-methods.md section 10): the members export more to
    # each other and gain in the full equilibrium; the reference's price index is the
    # numeraire, so its conditional real GDP does not move (to the 1e-10 solve tolerance)
    for iso in ("CAN", "JPN"):
        assert by[iso]["full_exports"] > 0 and by[iso]["full_real_gdp"] > 0
    assert abs(by["DEU"]["conditional_real_gdp"]) < 1e-8
    assert out["shock"]["beta"] > 0 and "Table 3" in out["shock"]["beta_source"]
    # oracle: the engine called directly with the same data and shock (the shell adds
    # nothing to the numbers); 1e-9 percent
    from tradepolicy.datasets.readers.gravity import read_gegravity_sample
    from tradepolicy.economics.ge import GEData, solve_ge

    df = read_gegravity_sample()
    data = GEData.from_frame(df)  # exact hat: output, expenditure = row, column sums
    tau = np.ones((30, 30))
    i, j = data.countries.index("CAN"), data.countries.index("JPN")
    tau[i, j] = tau[j, i] = np.exp(out["shock"]["beta"])
    ref = solve_ge(data, tau_hat=tau, sigma=5, reference="DEU").to_frame()
    for iso in ("CAN", "JPN", "USA", "DEU"):
        for col in ("conditional_real_gdp", "full_real_gdp", "full_exports", "full_imr"):
            assert by[iso][col] == pytest.approx(ref.loc[iso, col], abs=1e-9)
    text = cli(*args)
    assert text.exit_code == 0 and "sign convention" in text.stdout and "CAN" in text.stdout

    api = client.post("/api/economics/ge/solve", json={
        "dataset": "gegravity-sample", "rta": ["CAN:JPN"], "sigma": 5, "reference": "DEU"})
    assert api.status_code == 200
    got = {r["iso3"]: r["full_real_gdp"] for r in api.json()["rows"]}
    assert got == pytest.approx({k: v["full_real_gdp"] for k, v in by.items()}, abs=1e-12)


def test_ge_solve_on_user_flows_zero_shock_changes_nothing(tmp_path: Path, client: Any) -> None:
    # Invariant (exact-hat): with beta = 0 the counterfactual is the baseline; every change
    # is zero to the solver tolerance (1e-10 in logs -> 1e-7 percent, generous).
    out = cli_json("ge", "solve", "--flows", flows_csv(tmp_path, THREE), "--rta", "AAA:BBB",
                   "--beta", "0", "--reference", "CCC", "--algorithm", "resistance")
    vals = np.array([[v for k, v in r.items() if k != "iso3"] for r in out["rows"]])
    assert np.abs(vals).max() < 1e-7
    # a positive shock: both algorithms agree (brief: 1e-8) and the members gain
    a = cli_json("ge", "solve", "--flows", flows_csv(tmp_path, THREE), "--rta", "AAA:BBB",
                 "--beta", "0.5", "--reference", "CCC")
    b = cli_json("ge", "solve", "--flows", flows_csv(tmp_path, THREE), "--rta", "AAA:BBB",
                 "--beta", "0.5", "--reference", "CCC", "--algorithm", "resistance")
    for ra, rb in zip(a["rows"], b["rows"], strict=True):
        assert ra["full_real_gdp"] == pytest.approx(rb["full_real_gdp"], abs=1e-6)  # percent
    assert {r["iso3"]: r["full_real_gdp"] > 0 for r in a["rows"]} == {
        "AAA": True, "BBB": True, "CCC": False}
    lower = cli_json("ge", "solve", "--flows", flows_csv(tmp_path, [
        (e.lower(), i.lower(), v) for e, i, v in THREE]), "--rta", "aaa:bbb", "--beta", "0.5",
        "--reference", "ccc")  # codes compared case-insensitively
    assert lower["rows"] == a["rows"]
    api = client.post("/api/economics/ge/solve", json={
        "flows": [{"exporter": e, "importer": i, "trade": v} for e, i, v in THREE],
        "rta": ["AAA:BBB"], "beta": 0.5, "reference": "CCC"})
    assert api.status_code == 200
    assert [r["full_real_gdp"] for r in api.json()["rows"]] == pytest.approx(
        [r["full_real_gdp"] for r in a["rows"]], abs=1e-12)


BAD_SOLVE = [
    # (id, CLI args after `ge solve`, API body, field named)
    ("sigma-le-1", ["--sigma", "1"], {"sigma": 1.0}, "sigma"),
    ("sigma-below-1", ["--sigma", "0.5"], {"sigma": 0.5}, "sigma"),
    ("unknown-reference", ["--reference", "XXX"], {"reference": "XXX"}, "reference"),
    ("unknown-rta-country", ["--rta", "AAA:ZZZ"], {"rta": ["AAA:ZZZ"]}, "rta"),
    ("not-a-pair", ["--rta", "AAA"], {"rta": ["AAA"]}, "rta"),
    ("bad-imbalance", ["--imbalance", "both"], {"imbalance": "both"}, "imbalance"),
    ("bad-algorithm", ["--algorithm", "newton"], {"full_algorithm": "newton"},
     "full_algorithm"),
    ("negative-flow", ["NEG"], {"flows": "NEG"}, "trade"),
    ("missing-flow", ["MISS"], {"flows": "MISS"}, "trade"),
    ("non-square", ["HOLE"], {"flows": "HOLE"}, "exporter,importer"),
]


@pytest.mark.parametrize(("cli_args", "body", "field"), [c[1:] for c in BAD_SOLVE],
                         ids=[c[0] for c in BAD_SOLVE])
def test_bad_ge_input_exit_2_and_one_error_shape(cli_args: list[str], body: dict[str, Any],
                                                 field: str, tmp_path: Path,
                                                 client: Any) -> None:
    variants = {
        "NEG": [(a, b, -1.0 if (a, b) == ("AAA", "BBB") else v) for a, b, v in THREE],
        "MISS": [(a, b, float("nan") if (a, b) == ("AAA", "BBB") else v) for a, b, v in THREE],
        "HOLE": [r for r in THREE if (r[0], r[1]) != ("CCC", "AAA")],
    }
    rows = variants.get(cli_args[0], THREE)
    args = ["ge", "solve", "--flows", flows_csv(tmp_path, rows), "--rta", "AAA:BBB",
            "--reference", "CCC"]
    if cli_args[0] not in variants:
        args += cli_args
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert f"field: {field}" in r.output and "Traceback" not in r.output

    req: dict[str, Any] = {"flows": [{"exporter": a, "importer": b,
                                      "trade": None if v != v else v} for a, b, v in rows],
                           "rta": ["AAA:BBB"], "reference": "CCC"}
    req.update({k: v for k, v in body.items() if k != "flows"})
    resp = client.post("/api/economics/ge/solve", json=req)
    out = resp.json()
    assert resp.status_code == 400, resp.text
    assert out["ok"] is False and out["status"] == 400 and out["error"]["field"] == field
    assert out["error"]["expected"]


def test_dataset_choices_are_checked(client: Any) -> None:
    r = cli("ge", "solve", "--dataset", "comtrade", "--rta", "USA:MEX")
    assert r.exit_code == 2 and "field: dataset" in r.output
    r = cli("ge", "solve", "--dataset", "wiod-zylkin", "--year", "1999", "--rta", "USA:MEX")
    assert r.exit_code == 2 and "field: year" in r.output
    resp = client.post("/api/economics/ge/solve", json={"sigma": 5})  # no rta: pydantic
    assert resp.status_code == 422 and resp.json()["ok"] is False


# ---------------------------------------------------------------------- Monte Carlo
@requires_dataset("gegravity-sample")
def test_ge_montecarlo_serial_process_dask_identical(client: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Same seed -> the same draws whatever runs the blocks (serial, a process pool, a Dask
    # cluster); bands to 1e-12 percent.
    base = ("ge", "montecarlo", "--pta", "CAN:JPN", "--draws", "12", "--seed", "3",
            "--sigma-sd", "0.5", "--dataset", "gegravity-sample")
    serial = cli_json(*base, "--executor", "serial")
    proc = cli_json(*base, "--executor", "process")
    assert serial["parameters"]["executor"] == "serial"
    assert proc["parameters"]["executor"] == "process"

    from distributed import LocalCluster

    from tradepolicy.config import get_settings

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        monkeypatch.setenv("TRADEPOLICY_DASK_ADDRESS", cluster.scheduler_address)
        get_settings.cache_clear()
        try:
            dask = cli_json(*base, "--executor", "dask")
        finally:
            monkeypatch.delenv("TRADEPOLICY_DASK_ADDRESS")
            get_settings.cache_clear()
    assert dask["parameters"]["executor"] == "dask"
    for other in (proc, dask):
        for a, b in zip(serial["rows"], other["rows"], strict=True):
            assert (a["measure"], a["iso3"]) == (b["measure"], b["iso3"])
            assert a["mean"] == pytest.approx(b["mean"], abs=1e-12)
            assert a["q95"] == pytest.approx(b["q95"], abs=1e-12)
    rows = [r for r in serial["rows"] if r["measure"] == "full_real_gdp"]
    assert len(rows) == 30
    for r in rows:
        assert r["q05"] <= r["q50"] <= r["q95"]
    can = next(r for r in rows if r["iso3"] == "CAN")
    assert can["q05"] > 0 and can["std"] > 0  # a member gains in every draw here
    assert "(counterfactual - baseline) / baseline" in serial["sign_convention"]
    text = cli(*base)
    assert text.exit_code == 0 and "12 draws" in text.stdout

    api = client.post("/api/economics/ge/montecarlo", json={
        "pta": ["CAN:JPN"], "draws": 12, "seed": 3, "sigma_sd": 0.5, "executor": "serial",
        "dataset": "gegravity-sample"})
    assert api.status_code == 200
    assert [r["mean"] for r in api.json()["rows"]] == pytest.approx(
        [r["mean"] for r in serial["rows"]], abs=1e-12)


BAD_MC = [
    ("zero-draws", ["--draws", "0"], {"draws": 0}, "draws"),
    ("sigma-le-1", ["--sigma", "1"], {"sigma": 1.0}, "sigma"),
    ("negative-sigma-sd", ["--sigma-sd", "-1"], {"sigma_sd": -1.0}, "sigma_sd"),
    ("unknown-reference", ["--reference", "XXX"], {"reference": "XXX"}, "reference"),
    # --pta is the old name of --rta (one set of names across ge solve and montecarlo)
    ("unknown-pta-country", ["--pta", "CAN:ZZZ"], {"pta": ["CAN:ZZZ"]}, "rta"),
    ("bad-executor", ["--executor", "spark"], {"executor": "spark"}, "executor"),
    ("too-many-draws", ["--draws", "100001"], {"draws": 10_001}, "draws"),  # API cap 10,000
]


@requires_dataset("gegravity-sample")
@pytest.mark.parametrize(("cli_args", "body", "field"), [c[1:] for c in BAD_MC],
                         ids=[c[0] for c in BAD_MC])
def test_bad_montecarlo_input(cli_args: list[str], body: dict[str, Any], field: str,
                              client: Any) -> None:
    args = ["ge", "montecarlo", "--draws", "4"]
    if "--pta" not in cli_args:
        args += ["--pta", "CAN:JPN"]
    r = cli(*args, *cli_args)
    assert r.exit_code == 2, r.output
    assert f"field: {field}" in r.output and "Traceback" not in r.output
    req = {"pta": ["CAN:JPN"], "draws": 4, **body}
    resp = client.post("/api/economics/ge/montecarlo", json=req)
    assert resp.status_code == 400, resp.text
    assert resp.json()["ok"] is False and resp.json()["error"]["field"] == field


@requires_dataset("gegravity-sample")
def test_a_new_agreement_between_members_of_one_is_refused(client: Any) -> None:
    # USA and MEX are NAFTA members in the gegravity sample (pta = 1 in 2006): a "new RTA"
    # between them would count the agreement twice, so the shells refuse it (exit 2 / 400).
    r = cli("ge", "solve", "--dataset", "gegravity-sample", "--rta", "MEX:USA")
    assert r.exit_code == 2 and "already have an agreement" in r.output
    assert "field: rta" in r.output
    r = cli("ge", "montecarlo", "--pta", "USA:MEX", "--draws", "2", "--dataset", "gegravity-sample")
    assert r.exit_code == 2 and "field: rta" in r.output
    resp = client.post("/api/economics/ge/solve",
                       json={"dataset": "gegravity-sample", "rta": ["USA:MEX"]})
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "rta"


@requires_dataset("gegravity-sample")
def test_estimate_with_store_records_one_run_and_audit_entry(fresh_db: str, client_as: Any) -> None:
    analyst = client_as("analyst")  # made before counting: the user and token are audited
    before = _counts()
    r = cli("gravity", "estimate", "gegravity_sample", "--store")
    assert r.exit_code == 0 and "stored as run" in r.stdout
    resp = analyst.post("/api/economics/gravity/estimate",
                        json={"preset": "gegravity_sample", "store": True})
    assert resp.status_code == 200 and isinstance(resp.json()["run_id"], int)
    assert resp.json()["manifest"]["inputs"]  # dataset file -> sha256
    runs, audits = _counts()
    assert (runs, audits) == (before[0] + 2, before[1] + 2)
    from tradepolicy.services.audit import list_audit

    assert list_audit(limit=1)[0].actor == analyst.user_name  # the signed-in person, not $USER
