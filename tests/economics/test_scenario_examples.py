"""Every example under examples/scenarios/ is run here, and each is checked against its source.

Sources and tolerances are written beside each check. The GE examples use part A's exact
solver (``tradepolicy.economics.ge``) and the book's GE-PPML procedure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers import requires_dataset

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
STATA_LOG_TOL = 1e-6   # the book's Stata logs print 7 significant digits


def _run(name: str) -> dict:
    """Run an example without storing it; return its JSON form ({"id", "results", "manifest"})."""
    from tradepolicy.services.scenarios import ScenarioRun, run_scenario

    out = run_scenario(EXAMPLES / f"{name}.yaml", store=False)
    assert isinstance(out, ScenarioRun) and out.id is None
    return out.to_dict()


def _by_iso(out: dict) -> dict:
    return {r["iso3"]: r for r in out["results"]["rows"]}


def test_every_example_is_covered_by_a_test() -> None:
    names = {p.stem for p in EXAMPLES.glob("*.yaml")}
    tested = {"shrimp-preference-smart", "shrimp-duty-india-smart", "section301-china-pe", "shrimp-ad-pe",
              "gsim-4x4-us-eu-fta", "wiod-eu-enlargement-ge", "book-ch2-nafta", "book-ch2-trade-without-borders",
              "shrimp-gsim-duty-india"}
    assert names == tested


@requires_dataset("baci-shrimp-2018")
def test_shrimp_preference_example() -> None:
    out = _run("shrimp-preference-smart")
    res, man = out["results"], out["manifest"]
    rows = _by_iso(out)
    # Laird-Yeats by hand for Ecuador (t0 = 12%, t1 = 0, ε = 1.2, η = 99): TC = M ε 0.12 / (1.12 (1 + ε/η)).
    m = rows["ECU"]["imports_base"]
    assert rows["ECU"]["trade_creation"] == pytest.approx(m * 1.2 * 0.12 / (1.12 * (1 + 1.2 / 99)), rel=1e-9)
    assert sum(r["trade_diversion"] for r in res["rows"]) == pytest.approx(0.0, abs=1e-6)
    assert all(r["trade_diversion"] <= 0 for iso, r in rows.items() if iso != "ECU")
    # The JSON states its sign convention and lists partners by ISO3; the manifest carries the
    # registered sha256 of the BACI file.
    assert "scenario minus baseline" in res["sign_convention"]
    assert all(len(r["iso3"]) == 3 for r in res["rows"])
    from tradepolicy.datasets.registry import get_dataset

    reg = {f.path: f.sha256 for f in get_dataset("baci-shrimp-2018").files}
    assert man["datasets"][0]["sha256"] == reg[man["datasets"][0]["file"]]
    assert man["seed"] == 20180101 and man["code_version"] and man["law_version"]
    # Monte Carlo: seeded, so a second run gives the same percentiles (exact).
    mc = res["uncertainty"]["monte_carlo"]
    assert mc["draws"] == 1000
    assert _run("shrimp-preference-smart")["results"]["uncertainty"]["monte_carlo"] == mc
    assert mc["total_effect"]["p5"] < res["summary"]["total_effect"] < mc["total_effect"]["p95"]


@requires_dataset("baci-shrimp-2018")
def test_shrimp_duty_example_diverts_to_other_suppliers() -> None:
    rows = _by_iso(_run("shrimp-duty-india-smart"))
    assert rows["IND"]["total_effect"] < 0
    assert rows["IDN"]["trade_diversion"] > rows["ECU"]["trade_diversion"] > 0   # pro rata to base imports
    # Pro-rata check (hand): TD_IDN / TD_ECU = M_IDN / M_ECU.
    assert rows["IDN"]["trade_diversion"] / rows["ECU"]["trade_diversion"] == pytest.approx(
        rows["IDN"]["imports_base"] / rows["ECU"]["imports_base"], rel=1e-9)


@requires_dataset("us-trade-by-partner")
def test_section301_example() -> None:
    out = _run("section301-china-pe")
    s = out["results"]["summary"]
    # Signs of a duty on a subject source with σ (3) > ε (1): subject falls, non-subject and
    # domestic rise, consumers lose, revenue rises. The 2017 base: US imports from China
    # US$505.5 bn (DataWeb), half covered (million US$, 1e-3 relative).
    assert s["subject_value_change"] < 0 < s["nonsubject_value_change"]
    assert s["domestic_value_change"] > 0 and s["consumer_surplus"] < 0 < s["tariff_revenue_change"]
    by_src = {r["source"]: r for r in out["results"]["tables"]["by_source"]}
    assert by_src["subject"]["value_base"] == pytest.approx(0.5 * 505_470, rel=1e-3)
    mc = out["results"]["uncertainty"]["monte_carlo"]
    assert mc["draws"] == 10_000 and mc["subject_value_change"]["p95"] < 0
    # Per-partner rows are by ISO3 (DataWeb names mapped by readers.trade.dataweb_iso3): every
    # 2017 partner with imports is a country with a code, each code once; China is the subject.
    rows = out["results"]["rows"]
    codes = [r["iso3"] for r in rows if r["group"] != "domestic"]
    assert None not in codes and len(codes) == len(set(codes))
    assert all(len(c) == 3 and c.isupper() for c in codes)
    by_iso = {r["iso3"]: r for r in rows if r["group"] != "domestic"}
    assert by_iso["CHN"]["group"] == "subject" and by_iso["CHN"]["partner"] == "China"
    assert by_iso["KOR"]["partner"] == "South Korea" and by_iso["MEX"]["group"] == "non-subject"
    # Gaza Strip and West Bank are both PSE: one row, their values added.
    assert by_iso["PSE"]["partner"] == "Gaza Strip + West Bank"
    # The subject may also be named as DataWeb does ("China"): the same run (exact).
    from tradepolicy.economics.scenarios import load_scenario_text
    from tradepolicy.services.scenarios import run_scenario

    text = (EXAMPLES / "section301-china-pe.yaml").read_text(encoding="utf-8")
    by_name = run_scenario(load_scenario_text(text.replace("subject: [CHN]", "subject: [China]")
                                              .replace("draws: 10000", "draws: 0")), store=False)
    assert by_name.results["rows"] == rows


@requires_dataset("baci-shrimp-2018")
def test_shrimp_ad_example() -> None:
    out = _run("shrimp-ad-pe")
    rows = out["results"]["rows"]
    subj = [r for r in rows if r["group"] == "subject"]
    assert {r["iso3"] for r in subj} == {"IND", "VNM", "CHN", "THA"}
    assert all(r["value_change"] < 0 for r in subj)
    assert out["results"]["diagnostics"]["max_abs_residual"] < 1e-12


@requires_dataset("gsim-4x4-example")
def test_gsim_example_reproduces_published_prices() -> None:
    # Published world price changes of the GSIM 4x4 script (see test_pe_gsim): 4 decimals.
    rows = _by_iso(_run("gsim-4x4-us-eu-fta"))
    got = [rows[r]["world_price_change"] for r in ("US", "JP", "EU", "RW")]
    np.testing.assert_allclose(got, [0.0792, -0.0316, 0.0480, -0.0184], atol=5e-5)


@requires_dataset("baci-shrimp-2018")
def test_shrimp_gsim_example() -> None:
    # No published figure: signs of a bilateral duty in GSIM, and world market clearing
    # (identity): Σ_v φ_rv M̂_rv = E_x P̂*_r is checked in test_pe_gsim.
    out = _run("shrimp-gsim-duty-india")
    rows = _by_iso(out)
    assert rows["IND"]["world_price_change"] < 0
    # Monte Carlo over E_s and E_x (batched): India's price fall holds in every percentile.
    assert rows["IND"]["world_price_change_p95"] < 0
    assert rows["IND"]["world_price_change_p5"] <= rows["IND"]["world_price_change"] <= rows["IND"]["world_price_change_p95"]
    assert out["results"]["uncertainty"]["monte_carlo"]["draws"] == 300
    assert rows["USA"]["tariff_revenue"] > 0 and rows["USA"]["consumer_surplus"] < 0
    assert rows["IND"]["producer_surplus"] < 0
    assert rows["IND"]["exports_new"] < rows["IND"]["exports_base"]


@requires_dataset("wiod-zylkin")
def test_wiod_eu_enlargement_example() -> None:
    # Source: the ge_gravity help file (Zylkin) for this exact run (theta 4, 2000, additive):
    # "the new EU members ... realize the largest welfare gains ..., with existing EU countries
    # also gaining. All countries not included in the agreement experience small losses due
    # to trade diversion, with the largest losses accruing to Russia." Qualitative, no number.
    from tradepolicy.datasets.readers.gravity import read_wiod_zylkin

    out = _run("wiod-eu-enlargement-ge")
    rows = _by_iso(out)
    d = read_wiod_zylkin()
    first = d[d["year"] == 2000].set_index(["exporter", "importer"])["eu_enlargement"]
    last = d[d["year"] == 2014].set_index(["exporter", "importer"])["eu_enlargement"]
    new_pairs = (last - first)[lambda s: s > 0]
    treated = set(new_pairs.index.get_level_values(0))
    in_2000 = set(first[first > 0].index.get_level_values(0))
    new_members = treated - in_2000
    outsiders = set(rows) - treated
    w = {k: v["full_welfare"] for k, v in rows.items()}
    assert min(w[c] for c in new_members) > max(w[c] for c in in_2000 & treated)
    assert all(w[c] > 0 for c in treated)
    assert all(w[c] < 0 for c in outsiders)
    assert min(w, key=w.get) == "RUS"
    assert out["results"]["summary"]["solver"].startswith("exact")


@pytest.mark.slow
@requires_dataset("agtpa")
def test_book_nafta_example() -> None:
    out = _run("book-ch2-nafta")
    s = out["results"]["summary"]
    # Source: the book's Stata log (agtpa/reference_coefficients.csv, RTAsEffects.log):
    # stage 1 RTA 0.5571853 (N 28,482); stage 2 ln_DIST -0.8475027, CNTG 0.2940831,
    # LANG 0.3632659, CLNY 0.2394163 (N 4,678). Tolerance: 7 printed digits.
    assert s["estimate_RTA"] == pytest.approx(0.5571853, abs=STATA_LOG_TOL)
    assert s["estimate_stage2_ln_DIST"] == pytest.approx(-0.8475027, abs=STATA_LOG_TOL)
    assert s["estimate_stage2_cntg"] == pytest.approx(0.2940831, abs=STATA_LOG_TOL)
    assert s["estimate_stage2_lang"] == pytest.approx(0.3632659, abs=STATA_LOG_TOL)
    assert s["estimate_stage2_clny"] == pytest.approx(0.2394163, abs=STATA_LOG_TOL)
    assert (s["estimate_n_obs_stage1"], s["estimate_n_obs_stage2"]) == (28482, 4678)
    assert s["book_stopped_by_rule"]
    rows = _by_iso(out)
    # NAFTA members gain (the effect of having NAFTA is positive for them).
    assert all(rows[c]["book_full_real_gdp"] > 0 for c in ("CAN", "MEX", "USA"))
    # Conditional GE is the same equations in both solvers: 1e-8 pp.
    for r in out["results"]["rows"]:
        assert r["book_conditional_real_gdp"] == pytest.approx(r["exact_conditional_real_gdp"], abs=1e-8)
    # Book loop vs exact full endowment: "a few hundredths of a percentage point in real GDP"
    # (economics-methods.md §5.1); checked at 0.05 pp.
    assert s["max_abs_real_gdp_book_minus_exact"] < 0.05


@pytest.mark.slow
@requires_dataset("agtpa")
def test_book_trade_without_borders_example() -> None:
    out = _run("book-ch2-trade-without-borders")
    s = out["results"]["summary"]
    # Source: TradeWithoutBorder.log: ln_DIST -0.7912879, CNTG 0.6736456, INTL_BRDR -2.47445 (N 4,761).
    assert s["estimate_ln_DIST"] == pytest.approx(-0.7912879, abs=STATA_LOG_TOL)
    assert s["estimate_CNTG"] == pytest.approx(0.6736456, abs=STATA_LOG_TOL)
    assert s["estimate_INTL_BRDR"] == pytest.approx(-2.47445, abs=STATA_LOG_TOL)
    assert s["estimate_n_obs"] == 4761
    # Removing every border raises every country's full-endowment real GDP (Y/P is free of the
    # numeraire; the conditional one is not, since Y stays fixed in DEU-price units).
    assert all(r["book_full_real_gdp"] > 0 for r in out["results"]["rows"])
    for r in out["results"]["rows"]:
        assert r["book_conditional_real_gdp"] == pytest.approx(r["exact_conditional_real_gdp"], abs=1e-8)
    # The shock is huge (exp(2.47) on every international cost), so the early-stopped loop is
    # further from the exact equilibrium than for NAFTA: measured 0.60 pp at most; bound 1 pp.
    assert s["max_abs_real_gdp_book_minus_exact"] < 1.0
