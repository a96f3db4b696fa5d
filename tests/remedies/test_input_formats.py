"""Trade-remedy input (issue 14): documented schemas and samples, Excel, delimiters, header
hints, the period format, the comparison market label; and runs_of_case on old runs.

Margins: the fact sheet's worked example E6 (invented sales; final margin 2.39 %, mixed
total dumping 2,475), exact as in test_worked_examples.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.remedies.fixtures import e6_cost, e6_home, e6_us
from tradepolicy.services import remedies as svc

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "examples" / "remedies"
README = (REPO / "README.md").read_text()
runner = CliRunner()


def _cli(*args: str):
    from tradepolicy.cli import app

    return runner.invoke(app, list(args))


def test_readme_documents_every_schema_column_and_its_sample_commands_run() -> None:
    # The docs test: every column of every schema is in the README's input section, and every
    # sample command printed there runs and gives E6's margin (2.39 %).
    from tradepolicy.remedies.schemas import SCHEMAS

    section = README.split("### Trade-remedy input files", 1)[1].split("\n## ", 1)[0]
    for schema in SCHEMAS.values():
        for col in (*schema.required, *schema.optional):
            assert f"`{col}`" in section, col
    cmds = [ln for ln in section.splitlines() if ln.startswith("tradepolicy remedies margin")]
    assert len(cmds) == 4
    for ln in cmds:
        args = shlex.split(ln)[1:]
        args = [str(REPO / a) if a.startswith("examples/") else a for a in args]
        r = _cli(*args, "--json")
        assert r.exit_code == 0, r.output
        import json

        out = json.loads(r.stdout)
        assert round(out["results"]["final_margin"] * 100, 2) == 2.39
        assert out["results"]["methods"]["mixed"]["total_dumping"] == pytest.approx(2_475)


def test_each_supported_format_gives_the_same_margin(tmp_path: Path) -> None:
    runs = {}
    for sub, ext in (("csv", "csv"), ("semicolon", "csv"), ("tab", "tsv"), ("xlsx", "xlsx")):
        d = SAMPLES / sub
        runs[sub] = svc.compute_margin_from_paths(d / f"us.{ext}", d / f"home.{ext}", d / f"cost.{ext}",
                                                  segment="investigation", store=False).results
    for name, df in (("us", e6_us()), ("home", e6_home()), ("cost", e6_cost())):
        df.to_parquet(tmp_path / f"{name}.parquet")
    runs["parquet"] = svc.compute_margin_from_paths(tmp_path / "us.parquet", tmp_path / "home.parquet",
                                                    tmp_path / "cost.parquet", segment="investigation",
                                                    store=False).results
    first = runs["csv"]
    assert round(first["final_margin"] * 100, 2) == 2.39
    for k, r in runs.items():
        assert r["final_margin"] == first["final_margin"], k
        assert r["methods"] == first["methods"], k


def _write(tmp_path: Path, us: pd.DataFrame | None = None, home: pd.DataFrame | None = None,
           cost: pd.DataFrame | None = None, sep: str = ",") -> dict[str, Path]:
    paths = {}
    for name, df in (("us", us if us is not None else e6_us()), ("home", home if home is not None else e6_home()),
                     ("cost", cost if cost is not None else e6_cost())):
        p = tmp_path / f"{name}.csv"
        df.to_csv(p, index=False, sep=sep)
        paths[name] = p
    return paths


def _margin(paths: dict[str, Path], *extra: str):
    return _cli("remedies", "margin", "--us", str(paths["us"]), "--home", str(paths["home"]),
                "--cost", str(paths["cost"]), "--segment", "investigation", "--no-store", *extra)


def _bad_header(tmp_path: Path) -> dict[str, Path]:
    return _write(tmp_path, us=e6_us().rename(columns={"sale_id": "Sale ID"}))


def _dated_period(tmp_path: Path) -> dict[str, Path]:
    us = e6_us()
    us["period"] = [f"2024-01-{d:02d}" for d in range(1, len(us) + 1)]
    return _write(tmp_path, us=us)


def _decimal_comma(tmp_path: Path) -> dict[str, Path]:
    us = e6_us().astype({"net_price": str})
    us.loc[3, "net_price"] = "110,5"
    return _write(tmp_path, us=us, sep=";")


def _mixed_period(tmp_path: Path) -> dict[str, Path]:
    us = e6_us()
    us["period"] = ["2024-01"] * 4 + ["2024-Q1"] * 4
    return _write(tmp_path, us=us)


def _month_vs_quarter(tmp_path: Path) -> dict[str, Path]:
    us, home = e6_us(), e6_home()
    us["period"] = "2024-01"
    home["period"] = "2024-Q1"
    return _write(tmp_path, us=us, home=home)


def _xls(tmp_path: Path) -> dict[str, Path]:
    paths = _write(tmp_path)
    p = tmp_path / "us.xls"
    p.write_bytes(b"not really")
    paths["us"] = p
    return paths


MISTAKES = [
    # (id, builder, field, row text, hint text)
    ("sale-id-header", _bad_header, "Sale ID", "header", "did you mean sale_id"),
    ("date-in-period", _dated_period, "period", "row 1 (CSV line 2)", "YYYY-MM"),
    ("decimal-comma", _decimal_comma, "net_price", "row 4 (CSV line 5)", "decimal comma"),
    ("mixed-period-forms", _mixed_period, "period", "row 5 (CSV line 6)", "one form per file"),
    ("months-vs-quarters", _month_vs_quarter, "period", "row 1 (CSV line 2)", "the same form in both files"),
    ("xls-workbook", _xls, "file", "us.xls", "Save an .xls workbook as .xlsx"),
]


@pytest.mark.parametrize(("build", "field", "row", "hint"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_each_input_mistake_exits_2_with_field_row_and_hint(tmp_path: Path, build, field: str, row: str,
                                                            hint: str) -> None:
    r = _margin(build(tmp_path))
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert f"field: {field}" in text and row in text and hint in text, text
    assert "Traceback" not in r.output


def test_semicolon_and_tab_delimiters_are_detected(tmp_path: Path) -> None:
    for sep in (";", "\t", "|"):
        r = _margin(_write(tmp_path, sep=sep), "--json")
        assert r.exit_code == 0, (sep, r.output)
        assert '"final_margin": 0.0239' in r.stdout.replace(" ", "") or "0.0239" in r.stdout


def test_a_date_period_no_longer_gives_a_silent_tt_of_zero(tmp_path: Path) -> None:
    # Before: dates in period made every T-T comparison miss and T-T printed 0.00 %. Now the
    # date is refused (above); a month in both files matches T-T within the month.
    us, home = e6_us(), e6_home()
    us["period"] = "2024-03"
    home["period"] = "2024-03"
    out = svc.compute_margin_from_paths(*_write(tmp_path, us=us, home=home).values(), segment="investigation",
                                        store=False).results
    assert out["methods"]["T-T"]["total_dumping"] > 0
    assert not any("no U.S. period occurs" in n for n in out["notes"])


def test_comparison_market_is_labelled_as_what_it_is(tmp_path: Path) -> None:
    out = svc.compute_margin_from_paths(*_write(tmp_path).values(), segment="investigation", store=False).results
    assert out["comparison_market"] == "home" and out["comparison_market_label"].startswith("home market")
    tiny = e6_home().head(1).assign(quantity=1)   # 1 unit against 1,000 U.S. units: not viable
    out = svc.compute_margin_from_paths(*_write(tmp_path, home=tiny).values(), segment="investigation",
                                        store=False).results
    assert out["comparison_market"] == "constructed_value"
    assert "constructed value" in out["comparison_market_label"]
    assert out["nv_basis_count"] == {"constructed_value": 2}


def test_period_form_rules() -> None:
    from tradepolicy.remedies.schemas import period_form

    assert [period_form(v) for v in ("2024-03", "2024-Q2", "POI", "Q1", "2024-03-15", "15/03/2024",
                                     "20240315", "2024-13")] == [
        "month", "quarter", "label", "label", "date", "date", "date", "label"]
    assert re.search("did you mean", "did you mean sale_id")


def test_runs_of_case_keeps_attached_runs_older_than_the_200_newest(fresh_db) -> None:
    # Bug: runs_of_case filtered list_runs() (the 200 newest), so an attached run older than
    # those vanished from its case. Attach the first run, add 201 newer runs, and it stays.
    from tradepolicy.services.runs import add_run
    from tradepolicy.store.db import transaction
    from tradepolicy.store.models import Proceeding, RunAttachment

    with transaction() as s:
        if s.get(Proceeding, "A-000-001") is None:
            s.add(Proceeding(id="A-000-001", **_proceeding_fields()))
        first = add_run(s, kind=svc.KIND_MARGIN, actor="pytest", inputs={}, parameters={"segment": "review"},
                        results={"final_margin": 0.01}, law_version="t")
        s.flush()
        s.add(RunAttachment(run_id=first.id, proceeding_id="A-000-001", attached_by="pytest"))
        for _ in range(201):
            add_run(s, kind=svc.KIND_MARGIN, actor="pytest", inputs={}, parameters={"segment": "review"},
                    results={"final_margin": 0.02}, law_version="t")
        first_id = first.id
    assert first_id not in {r.id for r in svc.list_runs()}       # beyond the 200 newest
    assert [r.id for r in svc.runs_of_case("A-000-001")] == [first_id]


def _proceeding_fields() -> dict:
    """The required columns of a proceeding row, filled with neutral values."""
    from sqlalchemy import inspect

    from tradepolicy.store.models import Proceeding

    out: dict = {}
    for col in inspect(Proceeding).columns:
        if col.name == "id" or col.nullable or col.default is not None or col.server_default is not None:
            continue
        t = col.type.python_type
        out[col.name] = {str: "test", int: 0, dict: {}, list: []}.get(t, "test")
    return out


# ----------------------------------------------------------------------------- review: monthly NV
def _monthly_files(tmp_path: Path) -> dict[str, Path]:
    home = pd.DataFrame({"sale_id": ["H1", "H2"], "connum": ["A", "A"], "quantity": [10, 30],
                         "net_price": [100.0, 120.0], "customer": ["C1", "C2"], "affiliated": ["no", "no"],
                         "period": ["2024-01", "2024-02"]})
    us = pd.DataFrame({"sale_id": ["U1", "U2"], "connum": ["A", "A"], "quantity": [10, 10],
                       "net_price": [90.0, 130.0], "customer": ["K1", "K1"], "region": ["East", "East"],
                       "period": ["2024-01", "2024-02"]})
    cost = pd.DataFrame({"connum": ["A"], "cost_of_production": [80.0]})
    return _write(tmp_path, us=us, home=home, cost=cost)


def test_review_compares_each_us_sale_with_nv_of_its_month(tmp_path: Path) -> None:
    # Hand computation. Period-average NV = (10 x 100 + 30 x 120) / 40 = 115; U.S. average
    # (900 + 1,300) / 20 = 110: A-A dumping 5 x 20 = 100 on value 2,200 = 4.5455 %.
    # Monthly (review, rule adcvd.ar.nv_averaging_months): January NV 100 vs 90 -> +100,
    # February NV 120 vs 130 -> -100; with offsets the total is 0 -> 0.00 %.
    paths = _monthly_files(tmp_path)
    inv = svc.compute_margin_from_paths(*paths.values(), segment="investigation", store=False)
    rev = svc.compute_margin_from_paths(*paths.values(), segment="review", store=False)
    assert inv.results["methods"]["A-A"]["total_dumping"] == pytest.approx(100.0, abs=1e-9)
    assert inv.results["methods"]["A-A"]["margin"] == pytest.approx(100 / 2200, abs=1e-12)
    assert rev.results["methods"]["A-A"]["total_dumping"] == pytest.approx(0.0, abs=1e-9)
    assert any("calendar month" in n for n in rev.results["notes"])
    rule = rev.parameters["thresholds"]["review_averaging_months"]
    assert rule["rule_id"] == "adcvd.ar.nv_averaging_months" and rule["confirmed"] is False
    assert "77 FR 8101" in rule["citation"]
    # with quarters (or one label) the review keeps the period-average NV
    us = pd.read_csv(paths["us"]).assign(period="2024-Q1")
    home = pd.read_csv(paths["home"]).assign(period="2024-Q1")
    q = svc.compute_margin_from_paths(*_write(tmp_path, us=us, home=home, cost=pd.read_csv(paths["cost"])).values(),
                                      segment="review", store=False)
    assert q.results["methods"]["A-A"]["total_dumping"] == pytest.approx(100.0, abs=1e-9)


def test_runs_are_one_service_with_one_payload_name(fresh_db) -> None:
    # Scenario and remedies runs come back in the one form of services.runs (payload "results").
    from tradepolicy.services import scenarios
    from tradepolicy.services.runs import PAYLOAD, add_run
    from tradepolicy.store.db import transaction

    with transaction() as s:
        a = add_run(s, kind=scenarios.RUN_KIND, actor="pytest", inputs={"scenario": "x"}, parameters={},
                    results={"name": "x", "model": "ge"}, law_version="t").id
        b = add_run(s, kind=svc.KIND_MARGIN, actor="pytest", inputs={}, parameters={"segment": "review"},
                    results={"final_margin": 0.01}, law_version="t").id
    ra, rb = scenarios.get_run(a).to_dict(), svc.get_run(b).to_dict()  # their JSON forms
    assert PAYLOAD == "results" and ra[PAYLOAD]["model"] == "ge" and rb[PAYLOAD]["final_margin"] == 0.01
    common = {"id", "kind", "created_at", "created_by", "inputs", "parameters", "law_version", "code_version",
              "results", "parent_id"}
    assert common <= set(ra) and common <= set(rb) and "result" not in ra
