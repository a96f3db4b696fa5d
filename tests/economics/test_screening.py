"""Partner screening: GE gains ranked, trade indicators beside them, bad input, outputs."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import NotFoundError

pytestmark = requires_dataset("agtpa")
CANDS = ["CHN", "JPN", "BRA", "IND", "DEU"]


@pytest.fixture(scope="module")
def report() -> dict:
    from tradepolicy.services.screening import screen

    return screen(home="USA", candidates=CANDS, dataset="agtpa")


def test_ranked_by_home_gain_and_both_gain(report: dict) -> None:
    rows = report.rows
    gains = [r.home_welfare for r in rows]
    assert gains == sorted(gains, reverse=True)
    assert [r.rank for r in rows] == list(range(1, len(CANDS) + 1))
    # A new agreement (positive β on both directed pairs) raises both parties' welfare in this
    # model (exact GE; sign check).
    assert all(r.home_welfare > 0 and r.partner_welfare > 0 for r in rows)
    assert report.beta == pytest.approx(0.557, abs=1e-12)   # Table 3 col (4), read from the data
    assert report.sigma == 7.0


def test_gains_match_a_direct_solve(report: dict) -> None:
    # Independent recomputation with the GE solver for the top candidate (identity, 1e-12).
    from tradepolicy.datasets.readers.gravity import read_agtpa
    from tradepolicy.economics.ge import GEData, solve_ge

    top = report.rows[0]
    d = read_agtpa()
    data = GEData.from_frame(d[d["year"] == 2006], flow="trade")
    c = list(data.countries)
    tau = np.ones((len(c), len(c)))
    h, j = c.index("USA"), c.index(top.iso3)
    tau[h, j] = tau[j, h] = np.exp(0.557)
    fr = solve_ge(data, tau_hat=tau, sigma=7, reference="DEU", imbalance="multiplicative").to_frame()
    # Multiplicative imbalances: real results do not depend on the reference (USA vs DEU), 1e-8.
    assert fr.loc["USA", "full_welfare"] == pytest.approx(top.home_welfare, abs=1e-8)


def test_trade_intensity_by_hand(report: dict) -> None:
    from tradepolicy.datasets.readers.gravity import read_agtpa

    d = read_agtpa()
    d = d[(d["year"] == 2006) & (d["exporter"] != d["importer"])]
    x_uc = d[(d["exporter"] == "USA") & (d["importer"] == "CHN")]["trade"].sum()
    expected = (x_uc / d[d["exporter"] == "USA"]["trade"].sum()) / (d[d["importer"] == "CHN"]["trade"].sum()
                                                                      / d["trade"].sum())
    row = next(r for r in report.rows if r.iso3 == "CHN")
    assert row.trade_intensity_home_to_partner == pytest.approx(expected, rel=1e-12)
    assert row.complementarity_home_exports is None    # no product detail in agtpa
    assert any("not computed" in n for n in report.notes)


def test_default_candidates_exclude_existing_agreements() -> None:
    from tradepolicy.services.screening import screen

    rep = screen(home="MEX", candidates=None, dataset="agtpa")
    assert "USA" in rep.existing_agreements and "CAN" in rep.existing_agreements
    assert not {"USA", "CAN"} & {r.iso3 for r in rep.rows}


def test_bad_input() -> None:
    from tradepolicy.errors import InputError
    from tradepolicy.services.screening import screen

    with pytest.raises(NotFoundError):
        screen(home="XXX")
    with pytest.raises(NotFoundError):
        screen(home="USA", candidates=["ZZZ"])
    with pytest.raises(InputError):
        screen(home="USA", sigma=0.8, candidates=["CHN"])
    with pytest.raises(InputError):
        screen(home="USA", rank_by="size", candidates=["CHN"])


def test_csv_html_and_page(report: dict) -> None:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app
    from tradepolicy.reports.screening import render_screening_report
    from tradepolicy.services.screening import to_csv

    csv = to_csv(report)
    assert csv.splitlines()[1].startswith("rank,iso3,home_welfare")
    html = render_screening_report(report).decode()
    assert "<svg" in html and "CHN" in html
    c = TestClient(create_app())
    r = c.get("/api/economics/screening?home=USA&candidates=CHN,JPN")
    assert r.status_code == 200 and len(r.json()["rows"]) == 2
    p = c.get("/economics/screening.csv?home=USA&dataset=wiod-zylkin")
    assert p.status_code == 200 and p.text.startswith("rank,iso3")


def test_screening_report_pdf_and_cli_format(report: dict, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader
    from typer.testing import CliRunner

    from tradepolicy.cli import app
    from tradepolicy.reports.screening import render_screening_report

    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed", exc_type=ImportError)
    pdf = render_screening_report(report, fmt="pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Partner screening: USA" in text and all(c in text for c in CANDS) and "Manifest" in text
    out = tmp_path / "s.pdf"
    r = CliRunner().invoke(app, ["report", "screening", "--candidates", "CHN,JPN", "--format", "pdf", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF-")


@requires_dataset("baci-shrimp-2018")
def test_product_indicators_within_shrimp_lines() -> None:
    from tradepolicy.economics.indicators import complementarity
    from tradepolicy.services.screening import screen

    rep = screen(home="USA", candidates=["THA"], product_dataset="baci-shrimp-2018")
    row = rep.rows[0]
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    df = read_baci_shrimp_2018()
    # Complementarity of Thailand's shrimp exports with US shrimp imports, recomputed (1e-12).
    x = df[df["exporter"] == "THA"].groupby("hs6")["value_kusd"].sum()
    m = df[df["importer"] == "USA"].groupby("hs6")["value_kusd"].sum()
    assert row.complementarity_partner_exports == pytest.approx(complementarity(x, m), rel=1e-12)


def test_process_executor_gives_the_serial_numbers(report: dict) -> None:
    # The sweep is the same pure function in worker processes: identical results (exact).
    from tradepolicy.services.screening import screen

    rep = screen(home="USA", candidates=CANDS[:2], executor="process", coefficient=0.557, dataset="agtpa")
    by = {r.iso3: r for r in report.rows}
    for r in rep.rows:
        assert r.home_welfare == by[r.iso3].home_welfare
    assert rep.executor == "process"


def test_cli_screen_writes_csv_and_html(tmp_path) -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    csv, html = tmp_path / "s.csv", tmp_path / "s.html"
    r = CliRunner().invoke(app, ["screen", "partners", "--home", "USA", "--candidates", "CHN,JPN",
                                 "--csv", str(csv), "--html", str(html)])
    assert r.exit_code == 0, r.output
    assert csv.read_text().splitlines()[1].startswith("rank,iso3") and "<svg" in html.read_text()


# ---------------------------------------------------------------- agreements in force (issue 14)
def test_default_candidates_exclude_every_partner_with_an_agreement_in_force() -> None:
    # Oracle: the agreements registry (reference/agreements.yaml), read independently here;
    # every partner with a US FTA or trade agreement in force today is excluded (KOR, SGP and
    # ISR were ranked #5, #7 and #17 before), on the 2006 data too.
    import datetime as dt

    from tradepolicy.reference.loader import load_agreements
    from tradepolicy.services.screening import screen

    today = dt.date.today()
    in_force = {p for a in load_agreements()[1] if a.kind in ("fta", "trade_agreement")
                and a.status == "in_force" and "USA" in a.parties
                for p in a.parties if p != "USA" and (a.in_force_for(p) or today) <= today}
    assert {"KOR", "SGP", "ISR", "MEX", "CAN", "AUS"} <= in_force
    rep = screen(home="USA", dataset="agtpa", draws=0)
    ranked = {r.iso3 for r in rep.rows}
    countries = ranked | set(rep.existing_agreements) | {"USA"}
    assert not ranked & in_force
    assert in_force & countries <= set(rep.existing_agreements)
    assert any("older than the as-of date" in n and "KORUS" in n for n in rep.notes)


def test_named_partners_with_an_agreement_are_marked_and_as_of_is_honoured() -> None:
    from tradepolicy.services.screening import screen

    rep = screen(home="USA", dataset="agtpa", candidates=["KOR", "SGP", "ISR", "CHN"], draws=0)
    by = {r.iso3: r for r in rep.rows}
    assert by["KOR"].already_in_agreement and "KORUS" in by["KOR"].agreements_in_force
    assert by["SGP"].already_in_agreement and "2004-01-01" in by["SGP"].agreements_in_force
    assert by["ISR"].already_in_agreement and "1985-09-01" in by["ISR"].agreements_in_force
    assert not by["CHN"].already_in_agreement
    # on 2010-01-01 KORUS (in force 2012-03-15) was not yet in force; Singapore's FTA was
    old = screen(home="USA", dataset="agtpa", candidates=["KOR", "SGP"], draws=0, as_of="2010-01-01")
    ob = {r.iso3: r for r in old.rows}
    assert not ob["KOR"].already_in_agreement and ob["SGP"].already_in_agreement


def test_every_result_states_model_data_elasticities_and_band() -> None:
    # One sigma across screening and ge solve (services.gravity.ge_defaults), and the band is
    # a seeded Monte Carlo: the same seed gives the same band, the central figure lies inside.
    from tradepolicy.services.gravity import ge_defaults
    from tradepolicy.services.screening import screen

    rep = screen(home="USA", dataset="agtpa", candidates=["CHN", "BRA"], draws=50, seed=7)
    d = ge_defaults("agtpa")
    assert rep.sigma == d.sigma and rep.elasticities.sigma_source == d.sigma_source
    assert rep.elasticities.beta == d.beta and rep.elasticities.beta_se == d.beta_se
    assert rep.uncertainty.draws == 50 and rep.uncertainty.seed == 7
    assert rep.model and rep.data.year == 2006 and rep.numeraire and rep.imbalance
    for r in rep.rows:
        assert r.home_welfare_q05 < r.home_welfare < r.home_welfare_q95
        assert r.partner_welfare_q05 < r.partner_welfare < r.partner_welfare_q95
    again = screen(home="USA", dataset="agtpa", candidates=["CHN", "BRA"], draws=50, seed=7,
                   sigma_sd=0.0, coefficient_se=d.beta_se)
    assert [r.home_welfare_q05 for r in again.rows] == [r.home_welfare_q05 for r in rep.rows]


def test_auto_data_is_the_most_recent_covering_the_candidates() -> None:
    from tradepolicy.services.screening import screen

    rep = screen(home="USA", candidates=["CHN", "GBR"], draws=0)
    assert (rep.dataset, rep.year) == ("wiod-zylkin", 2014)
    rep = screen(home="USA", candidates=["CHN", "THA"], draws=0)   # THA is not in WIOD
    assert (rep.dataset, rep.year) == ("agtpa", 2006)
    assert "THA" in rep.data.why


def test_band_draws_match_a_direct_solve_at_the_central_value() -> None:
    # The band engine with zero variance is the exact solver (1e-10 percent).
    from tradepolicy.services.screening import screen

    rep = screen(home="USA", dataset="agtpa", candidates=["CHN"], draws=3, coefficient_se=0.0)
    r = rep.rows[0]
    assert r.home_welfare_q05 == pytest.approx(r.home_welfare, abs=1e-10)
    assert r.partner_welfare_q95 == pytest.approx(r.partner_welfare, abs=1e-10)


@pytest.mark.parametrize(("imbalance", "numeraire"), [("multiplicative", "reference"),
                                                      ("additive", "world_output"), ("additive", "reference")])
def test_low_rank_band_engine_equals_the_dense_block(imbalance: str, numeraire: str) -> None:
    # Oracle: the dense batched exact-hat block (itself equal to solve_ge, test_ge_unified),
    # 1e-12 on welfare and real GDP for 12 draws of beta and sigma.
    from tradepolicy.datasets.readers.gravity import read_agtpa
    from tradepolicy.economics.ge import GEData
    from tradepolicy.economics.ge.draws import solve_pair_shock_full, solve_shock_block

    d = read_agtpa()
    data = GEData.from_frame(d[d["year"] == 2006], flow="trade")
    c = list(data.countries)
    h, j = c.index("USA"), c.index("BRA")
    rng = np.random.default_rng(5)
    b, s = rng.normal(0.557, 0.102, 12), rng.normal(7.0, 0.5, 12)
    delta = np.zeros((data.n, data.n))
    delta[h, j] = delta[j, h] = 1.0
    dense = solve_shock_block((data.flows, delta, b, s, h, imbalance, numeraire, 1e-12, 5000, False))
    low = solve_pair_shock_full((data.flows, [(h, j), (j, h)], b, s, h, imbalance, numeraire, 1e-12, 5000))
    assert np.abs(dense["samples"]["full_welfare"] - low["welfare"]).max() < 1e-12
    assert np.abs(dense["samples"]["full_real_gdp"] - low["real_gdp"]).max() < 1e-12
