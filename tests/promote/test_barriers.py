"""Barrier registry through the service: lifecycle, public version, duplicates, labels, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.promote.conftest import ANALYST, ANON, STAFF
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.services import barriers as svc
from tradepolicy.store.db import transaction
from tradepolicy.store.models_platform import AccessEntry, RecordRow, RecordVersion

SECRET = "ZZ-INTERNAL-NEGOTIATING-NOTE-7731"


def _add(s, **kw):
    args = dict(partner="KOR", title="Screen quota for foreign films", nte_category="services",
                description=f"Internal assessment {SECRET}", internal_notes="raise at the FTA committee",
                sectors=["audiovisual"], commitment={"kind": "agreement", "ref": "korus", "provision": "Annex II"},
                action_plan=[{"action": "Raise at the KORUS joint committee", "owner": "staffer", "due": "2027-03-01"}])
    args.update(kw)
    return svc.add_barrier(s, STAFF, **args)


def _counts(s):
    return (s.scalar(select(func.count()).select_from(RecordRow)),
            s.scalar(select(func.count()).select_from(RecordVersion)))


def test_lifecycle_publish_and_labels(fresh_db: str) -> None:
    with transaction() as s:
        b = _add(s)
        assert b.label == "restricted" and b.status == "open"
        assert b.mast_chapter is None and b.gta_type == "Localisation requirement"
    bid = b.id
    with transaction() as s:
        # restricted until published: anonymous and an analyst without a grant get NotFound
        for who in (ANON, ANALYST):
            with pytest.raises(NotFoundError):
                svc.get_barrier(s, who, bid)
            assert bid not in {x.id for x in svc.list_barriers(s, who)}
        svc.change_status(s, STAFF, bid, "open", waiting_on="partner_government")
        svc.draft_public(s, STAFF, bid, "Korea limits the screening of foreign films.")
        svc.approve_public(s, STAFF, bid)
        pub = svc.publish(s, STAFF, bid)
        assert pub.label == "public" and pub.public_state == "published"
    with transaction() as s:
        seen = svc.get_barrier(s, ANON, bid).to_dict()
        assert seen["public_summary"].startswith("Korea limits")
        assert seen["description"] is None and seen["action_plan"] is None
        assert set(seen["redacted_fields"]) >= {"description", "action_plan", "internal_notes"}
        assert SECRET not in str(seen)
        staff = svc.get_barrier(s, STAFF, bid, where="127.0.0.1").to_dict()
        assert SECRET in staff["description"]
        assert staff["waiting_on"] == "partner_government"
        # the confidential fields read by STAFF is logged; the anonymous public read is not
        logged = s.scalars(select(AccessEntry).where(AccessEntry.entity_id == bid)).all()
        assert {e.actor for e in logged} == {"staffer"}
        done = svc.change_status(s, STAFF, bid, "resolved", reason="Quota abolished")
        assert [h.status for h in done.status_history] == ["open", "open", "resolved"]
        assert done.waiting_on == "none"


def test_duplicate_detection(fresh_db: str) -> None:
    with transaction() as s:
        _add(s)
    with transaction() as s, pytest.raises(ConflictError) as exc:
        _add(s, title="Screen quotas for foreign films")
    assert exc.value.field == "title" and exc.value.example and exc.value.example.startswith("B-")
    with transaction() as s:
        assert _add(s, title="Screen quotas for foreign films", allow_duplicate=True).id


@pytest.mark.parametrize(("kw", "field"), [
    ({"partner": "XYZ"}, "partner"),
    ({"partner": "korea"}, "partner"),
    ({"hs_codes": ["019999"]}, "hs_codes"),
    ({"hs_codes": ["12345"]}, "hs_codes"),
    ({"nte_category": "weather"}, "nte_category"),
    ({"commitment": {"kind": "agreement", "ref": "nope"}}, "commitment.ref"),
    ({"commitment": {"kind": "dispute", "ref": "517"}}, "commitment.ref"),
    ({"title": ""}, "title"),
    ({"ave": 99}, "ave"),
])
def test_bad_input_names_field_and_changes_nothing(fresh_db: str, kw: dict, field: str) -> None:
    if kw.get("hs_codes") == ["019999"] or kw.get("commitment", {}).get("kind") == "dispute":
        from tradepolicy.datasets.registry import is_available

        if not is_available("hs-nomenclature") or not is_available("wto-disputes"):
            pytest.skip("hs-nomenclature / wto-disputes not loaded")
    with transaction() as s:
        before = _counts(s)
    with pytest.raises(InputError) as exc, transaction() as s:
        _add(s, **kw)
    assert exc.value.field == field
    with transaction() as s:
        assert _counts(s) == before


def test_disallowed_status_change_and_publish_without_approval(fresh_db: str) -> None:
    with transaction() as s:
        bid = _add(s).id
        svc.change_status(s, STAFF, bid, "dormant", reason="no movement for a year")
    with transaction() as s:
        before = _counts(s)
    with pytest.raises(InputError) as exc, transaction() as s:
        svc.change_status(s, STAFF, bid, "resolved", reason="x")
    assert exc.value.field == "status" and "archived" in (exc.value.expected or "")
    with pytest.raises(InputError) as exc, transaction() as s:
        svc.change_status(s, STAFF, bid, "archived")
    assert exc.value.field == "reason"
    with pytest.raises(ConflictError) as exc2, transaction() as s:
        svc.publish(s, STAFF, bid)
    assert exc2.value.field == "public.state"
    with transaction() as s:
        svc.draft_public(s, STAFF, bid, "draft text")
    with pytest.raises(ConflictError), transaction() as s:
        svc.publish(s, STAFF, bid)  # drafted but not approved
    with transaction() as s:
        assert _counts(s)[0] == before[0]
        assert svc.get_barrier(s, STAFF, bid).status == "dormant"
        assert svc.get_barrier(s, STAFF, bid).public_state == "draft"


def test_writer_without_grant_cannot_change_restricted_barrier(fresh_db: str) -> None:
    with transaction() as s:
        bid = _add(s).id
    with pytest.raises(NotFoundError), transaction() as s:
        svc.change_status(s, ANALYST, bid, "resolved", reason="x")


def test_seeded_nte_barriers() -> None:
    seed = svc.nte_seed()["barriers"]
    assert len(seed) >= 40
    assert {b["partner"] for b in seed} >= {"CHN", "EUN", "IND", "JPN", "MEX"}
    for b in seed:
        assert b["source_url"].startswith("http") and b["section"]
    with transaction() as s:
        rows = svc.list_barriers(s, ANON, with_coverage=False)
        ids = {b.id for b in rows}
        assert {b["id"] for b in seed} <= ids
        one = svc.get_barrier(s, ANON, "NTE25-CHN-04").to_dict()
        assert one["commitment"]["ref"] == "DS517" and one["citation"]["page_confirmed"] is False


def test_every_seeded_barrier_is_cited() -> None:
    """Each seeded 2025 NTE barrier carries its citation: the report, the edition, the section, the
    source read, and a page only when confirmed (null pages are never flagged confirmed)."""
    seed = svc.nte_seed()
    with transaction() as s:
        rows = {b.id: b for b in svc.list_barriers(s, ANON, with_coverage=False)}
    for b in seed["barriers"]:
        c = rows[b["id"]].citation
        assert c is not None, b["id"]
        assert c.document == seed["document"] and c.edition == 2025 and c.section == b["section"], b["id"]
        assert c.source_url == b["source_url"] and c.source_url.startswith(("https://", "http://")), b["id"]
        assert c.confirmed == bool(b["confirmed"]), b["id"]
        if c.page is None:
            assert c.page_confirmed is False, b["id"]
        else:
            assert 1 <= c.page <= 397, b["id"]  # the 2025 NTE has 397 pages


def test_citation_is_checked(fresh_db: str) -> None:
    with transaction() as s:
        bid = _add(s).id
    with transaction() as s, pytest.raises(InputError) as exc:
        svc.update_barrier(s, STAFF, bid, {"citation": {"document": "USTR, 2024 NTE", "pages": 12}})
    assert exc.value.field == "citation.pages"
    with transaction() as s, pytest.raises(InputError) as exc:
        svc.update_barrier(s, STAFF, bid, {"citation": {"document": "USTR, 2024 NTE", "page": "p. 12"}})
    assert exc.value.field == "citation.page"
    with transaction() as s:
        b = svc.update_barrier(s, STAFF, bid, {"citation": {"document": "USTR, 2024 NTE", "edition": 2024,
                                                            "section": "Services barriers", "page": "212",
                                                            "page_confirmed": True}})
    assert b.citation is not None and (b.citation.page, b.citation.page_confirmed) == (212, True)
