"""The NTE report: chapters, trade figures = us-trade-by-partner, changes, due date, PDF checks."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tests.promote.conftest import ANON, STAFF, needs
from tradepolicy.errors import NotFoundError
from tradepolicy.services import barriers as bsvc
from tradepolicy.services import nte
from tradepolicy.store.db import transaction
from tradepolicy.web.promote_reports import nte_render

SECRET = "QQ-RESTRICTED-ACTION-4411"


@needs("us-trade-by-partner")
def test_chapter_trade_equals_us_trade_by_partner() -> None:
    from tradepolicy.datasets.readers.trade import read_us_trade_by_partner

    df = read_us_trade_by_partner()
    with transaction() as s:
        r = nte.build_report(s, ANON, 2026)
    assert [c.name for c in r.chapters] == sorted(c.name for c in r.chapters)  # the report's order: by name
    assert {c.partner for c in r.chapters} >= {"CHN", "EUN", "IND", "JPN", "MEX"}
    for ch in r.chapters:
        members = ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
                   "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
                   "SWE"] if ch.partner == "EUN" else [ch.partner]
        sub = df[df["iso3"].isin(members) & (df["year"] == 2025)]
        ex = sub[sub["flow"] == "total_exports_fas_value"]["value_usd"].sum()
        im = sub[sub["flow"] == "general_imports_customs_value"]["value_usd"].sum()
        assert ch.trade.year == 2025
        assert ch.trade.exports_usd == pytest.approx(ex, rel=1e-12)
        assert ch.trade.imports_usd == pytest.approx(im, rel=1e-12)
        assert ch.trade.balance_usd == pytest.approx(ex - im, rel=1e-12)
    # the published figure the mirror's provenance states: 2024 imports from China US$438.7 bn
    china24 = nte.partner_trade("CHN", 2024)
    assert china24.imports_usd == pytest.approx(438.7e9, rel=5e-4)


def test_due_date_from_law_engine() -> None:
    d = nte.due_date(2026)
    assert d.due == dt.date(2026, 3, 31) and d.rule_id == "ustr.nte" and "2241" in d.citation


def test_changes_since_previous_edition(fresh_db: str) -> None:
    with transaction() as s:
        r = nte.build_report(s, ANON, 2026)
        assert r.previous_edition == 2025 and not any(c.new or c.resolved or c.status_changes for c in r.chapters)
        new = bsvc.add_barrier(s, STAFF, partner="CHN", title="New cybersecurity review of US chips",
                               nte_category="tbt", description="x")
        bsvc.draft_public(s, STAFF, new.id, "China reviews US chips.")
        bsvc.approve_public(s, STAFF, new.id)
        bsvc.publish(s, STAFF, new.id)
        bsvc.change_status(s, STAFF, "NTE25-CHN-04", "resolved", reason="TRQ allocation made public")
        bsvc.change_status(s, STAFF, "NTE25-JPN-01", "resolved_in_part", reason="more US rice in the SBS system")
    with transaction() as s:
        r = nte.build_report(s, ANON, 2026)
        chn = next(c for c in r.chapters if c.partner == "CHN")
        jpn = next(c for c in r.chapters if c.partner == "JPN")
        assert [b.id for b in chn.new] == [new.id]
        assert [b.id for b in chn.resolved] == ["NTE25-CHN-04"]
        assert [(b.id, b.from_status, b.to_status) for b in jpn.status_changes] == [
            ("NTE25-JPN-01", "open", "resolved_in_part")]
        # the JSON keeps its keys: from / to
        assert r.to_dict()["chapters"][[c.partner for c in r.chapters].index("JPN")]["changes"]["status_changes"] == [
            {"id": "NTE25-JPN-01", "title": jpn.status_changes[0].title, "from": "open", "to": "resolved_in_part"}]
        assert r.barrier_count == 43  # one new, one resolved
        nte.close_edition(s, STAFF, 2026)
    with transaction() as s:
        r27 = nte.build_report(s, ANON, 2027)
        assert r27.previous_edition == 2026 and r27.barrier_count == 43


def test_pdf_pages_toc_banner_and_no_restricted_text(fresh_db: str) -> None:
    from pypdf import PdfReader

    with transaction() as s:
        b = bsvc.add_barrier(s, STAFF, partner="MEX", title="Customs broker licensing quota", nte_category="import_policies",
                             description=f"Internal: {SECRET}",
                             action_plan=[{"action": f"Demarche {SECRET}", "owner": "staffer"}])
        bsvc.draft_public(s, STAFF, b.id, "Mexico limits customs broker licences.")
        bsvc.approve_public(s, STAFF, b.id)
        bsvc.publish(s, STAFF, b.id)
        public = nte.build_report(s, ANON, 2026)
        internal = nte.build_report(s, STAFF, 2026, label="restricted")
        with pytest.raises(NotFoundError):
            nte.build_report(s, ANON, 2026, label="restricted")
    pub_pdf = PdfReader(io.BytesIO(nte_render(public, "pdf")))
    int_pdf = PdfReader(io.BytesIO(nte_render(internal, "pdf")))
    assert len(pub_pdf.pages) >= 1 + len(public.chapters)  # a title page with the TOC, a chapter per page at least
    pub_text = [p.extract_text() for p in pub_pdf.pages]
    int_text = [p.extract_text() for p in int_pdf.pages]
    # table of contents: every chapter with its page number, and that page starts the chapter
    first = pub_text[0]
    assert "Contents" in first
    import re

    for ch in public.chapters:
        m = re.search(re.escape(ch.name) + r" \.+ (\d+)", first)
        assert m, ch.name
        assert ch.name in pub_text[int(m.group(1)) - 1]
    # page numbers on every page
    n = len(pub_text)
    assert all(f"Page {i + 1} of {n}" in t for i, t in enumerate(pub_text))
    # banner on every page of the non-public draft, none on the public edition
    assert all("RESTRICTED" in t for t in int_text)
    assert not any("RESTRICTED" in t for t in pub_text)
    # no restricted text in the public edition; present in the internal draft
    assert not any(SECRET in t for t in pub_text)
    assert any(SECRET in t for t in int_text)
    assert "Mexico limits customs broker licences." in " ".join(pub_text).replace("\n", " ")
