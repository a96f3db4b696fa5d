"""Reports: one template to HTML and PDF, banner on every page, TOC with page numbers, charts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tradepolicy.errors import InputError
from tradepolicy.reports import BANNERS, build_manifest, chart, render_report


def _pdf_ok() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the Debian pango libraries are missing
        return False
    return True


needs_pdf = pytest.mark.skipif(not _pdf_ok(), reason="WeasyPrint or the Debian pango libraries are missing "
                                                     "(make install installs them: target pdflibs)")

BODY = """{% for i in range(sections) %}<h2>Section {{ i + 1 }}</h2>
{% for j in range(paragraphs) %}<p>Paragraph {{ j }} of section {{ i + 1 }}: the Commission determines, pursuant to
section 735(b) of the Act, that an industry in the United States is materially injured by reason of imports.</p>{% endfor %}
{% endfor %}{{ chart("bar", {"CHN": 1.25, "VNM": -0.5}, title="Gain by partner") }}"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A long test body template, in a folder put before the report templates for this module."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    from tradepolicy.reports.render import env

    folder = tmp_path_factory.mktemp("report_templates")
    (folder / "_test_long_report.html").write_text(BODY, encoding="utf-8")
    e = env()
    original = e.loader
    assert original is not None
    e.loader = ChoiceLoader([FileSystemLoader(str(folder)), original])
    yield "_test_long_report.html"
    e.loader = original


def pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    assert pdf.startswith(b"%PDF-")
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


@needs_pdf
def test_bci_pdf_has_the_banner_on_every_page_page_numbers_and_toc(template: str) -> None:
    pdf = render_report(template, {"sections": 6, "paragraphs": 14}, title="Injury memo", label="bci", fmt="pdf",
                        manifest=build_manifest(parameters={"case": "A-570-893"}, as_of="2025-01-31"),
                        citations=["19 U.S.C. 1673d(b)", {"title": "USITC Pub. 5000", "href": "https://www.usitc.gov"}])
    text = pages(pdf)
    n = len(text)
    assert n >= 6
    for i, page in enumerate(text, start=1):
        assert BANNERS["bci"] in page, f"page {i} lacks the banner"
        assert f"Page {i} of {n}" in page
    # the table of contents gives each section's page number; the section starts on that page
    toc = dict((title, int(num)) for title, num in re.findall(r"(Section \d+) \.{3,}\s*(\d+)", text[0]))
    assert len(toc) == 6
    for title, num in toc.items():
        assert any(line.strip() == title for line in text[num - 1].splitlines()), (title, num)
    assert re.search(r"Sources \.{3,}\s*\d+", text[0]) and re.search(r"Manifest \.{3,}\s*\d+", text[0])
    tail = "\n".join(text[-2:])
    assert "19 U.S.C. 1673d(b)" in tail and "A-570-893" in tail and "law_version" in tail and "2025-01-31" in tail


@needs_pdf
@pytest.mark.parametrize("label", ["apo", "restricted"])
def test_each_confidential_label_has_its_banner(template: str, label: str) -> None:
    text = pages(render_report(template, {"sections": 2, "paragraphs": 14}, title="Memo", label=label, fmt="pdf"))
    assert len(text) >= 2 and all(BANNERS[label] in p for p in text)


@needs_pdf
def test_public_pdf_has_no_banner(template: str) -> None:
    text = pages(render_report(template, {"sections": 3, "paragraphs": 10}, title="Public memo", fmt="pdf"))
    assert len(text) >= 2
    assert not any(b in p for p in text for b in BANNERS.values())
    assert all("CONFIDENTIAL" not in p for p in text)


def test_html_from_the_same_template(template: str) -> None:
    public = render_report(template, {"sections": 2, "paragraphs": 1}, title="Memo <x>", fmt="html").decode()
    assert public.startswith("<!doctype html>") and "Memo &lt;x&gt;" in public
    assert 'href="#s-section-1"' in public and 'id="s-section-1"' in public and "<svg" in public
    assert not any(b in public for b in BANNERS.values())
    bci = render_report(template, {"sections": 2, "paragraphs": 1}, title="Memo", label="bci", fmt="html").decode()
    assert bci.count(f"role=\"note\">{BANNERS['bci']}<") == 2  # above and below, sticky on screen, fixed (every page) in print
    with pytest.raises(InputError):
        render_report(template, {}, title="x", fmt="docx")
    with pytest.raises(InputError):
        render_report(template, {}, title="x", label="secret")


@needs_pdf
def test_pdf_fetches_no_file_or_url(template: str, tmp_path: Path) -> None:
    from tradepolicy.reports.render import _no_fetch_fetcher

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = _no_fetch_fetcher()
    fetch = getattr(fetcher, "fetch", fetcher)
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.png"):
        with pytest.raises(Exception):  # noqa: B017 - WeasyPrint raises its own error type
            fetch(url)


def test_chart_svg() -> None:
    svg = chart("line", {"USA": [(2019, 1.0), (2020, 1.5), (2021, 1.2)], "CAN": [(2019, 0.5), (2020, 0.7)]},
                title="Imports <script>alert(1)</script>", xlabel="year", ylabel="USD bn")
    assert svg.startswith("<svg") and "USA" in svg and "CAN" in svg and "USD bn" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg == chart("line", {"USA": [(2019, 1.0), (2020, 1.5), (2021, 1.2)], "CAN": [(2019, 0.5), (2020, 0.7)]},
                        title="Imports <script>alert(1)</script>", xlabel="year", ylabel="USD bn")  # deterministic
    bars = chart("bar", {"2024": [("CHN", 3.0), ("MEX", 2.0)], "2025": [("CHN", 2.5), ("MEX", 2.2)]}, horizontal=True)
    assert "MEX" in bars and "2025" in bars
    with pytest.raises(InputError):
        chart("pie", {"a": 1})
    with pytest.raises(InputError):
        chart("line", {"a": [(1, "x")]})
    with pytest.raises(InputError):
        chart("line", {})


@needs_pdf
def test_case_report_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    out = tmp_path / "r" / "ds543.pdf"
    r = CliRunner().invoke(app, ["report", "case", "ds543", "--format", "pdf", "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = pages(out.read_bytes())
    assert "ds543" in text[0] and "Deadlines" in "\n".join(text)
    assert not any(b in p for p in text for b in BANNERS.values())  # the operator has no grant: public only
    r = CliRunner().invoke(app, ["report", "case", "ds543"])
    assert r.exit_code == 0 and r.stdout.startswith("<!doctype html>")
    r = CliRunner().invoke(app, ["report", "case", "ds543", "--format", "pdf"])
    assert r.exit_code == 2 and "--out" in r.stderr
    r = CliRunner().invoke(app, ["report", "case", "ds543", "--format", "odt", "--out", str(out)])
    assert r.exit_code == 2 and "html | pdf" in r.stderr


@needs_pdf
def test_case_report_with_confidential_documents_carries_their_banner(fresh_db: str) -> None:
    from tradepolicy.platform.principal import Grant, Principal
    from tradepolicy.reports.cases import render_case_report
    from tradepolicy.services.documents import attach_to_case

    who = Principal("gus", "attorney", via="session", grants=(Grant("apo", "case:ds543"),))
    attach_to_case("ds543", actor=who, content=b"APO annex MARKAPO1\n", filename="annex.txt", label="apo",
                   title="Annex MARKAPO1")
    public = render_case_report("ds543", who, fmt="html").decode()
    assert "MARKAPO1" not in public and BANNERS["apo"] not in public
    text = pages(render_case_report("ds543", who, fmt="pdf", include_confidential=True))
    assert any("MARKAPO1" in p for p in text) and all(BANNERS["apo"] in p for p in text)


def test_manifest_names_dataset_files_by_sha256() -> None:
    from tradepolicy.datasets.registry import get_dataset
    from tradepolicy.services.law import law_version

    m = build_manifest(datasets=["agtpa"], parameters={"beta": 0.557}, as_of="2026-12-01")
    files = get_dataset("agtpa").files
    assert m["datasets"] == {f"agtpa/{f.path}": f.sha256 for f in files} and len(files) >= 1
    assert all(len(v) == 64 for v in m["datasets"].values())
    assert m["law_version"] == law_version() and m["code_version"].startswith("tradepolicy ")
    assert m["parameters"] == {"beta": 0.557} and m["as_of"] == "2026-12-01"


def test_generic_calendar_ics() -> None:
    import datetime as dt

    from tradepolicy.reports.ics import IcsEvent, calendar_ics

    long = "Post-hearing rebuttal comments, with a very long summary that must be folded; see docket"
    text = calendar_ics("USTR-2026-0001", [IcsEvent("d1-close@tradepolicy", dt.date(2026, 2, 28), long,
                                                    "Docket USTR-2026-0001", "DUE"),
                                           IcsEvent("d1-hearing@tradepolicy", dt.date(2026, 3, 2), "Hearing")],
                        stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    lines = text.replace("\r\n ", "").split("\r\n")
    assert all(len(x.encode()) <= 75 for x in text.split("\r\n"))
    assert "DTSTART;VALUE=DATE:20260228" in lines and "DTEND;VALUE=DATE:20260301" in lines
    assert "SUMMARY:" + long.replace(",", "\\,").replace(";", "\\;") in lines
    assert lines.count("CATEGORIES:DUE") == 1 and lines.count("BEGIN:VEVENT") == 2
    assert "DTSTAMP:20260101T000000Z" in lines and lines[-2] == "END:VCALENDAR"
