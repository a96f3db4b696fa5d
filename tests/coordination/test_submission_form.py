"""The docket submission form is declared once (``api.routes.coordination.SubmissionForm``):
``POST /api/dockets/ID/comments`` and the page's ``POST /dockets/ID/submit`` take the same fields
with the same limits, and both store through ``dockets.submit``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select

from tests.coordination.conftest import STAFF

DOCKET = "USTR-2026-0202"


def _comments() -> int:
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_coordination import DocketComment

    with read_session() as s:
        return int(s.scalar(select(func.count()).select_from(DocketComment)))


def test_page_and_api_take_the_same_submission_form(fresh_db: str, api: Any) -> None:
    staff = api(STAFF)
    r = staff.post("/api/dockets", json={"docket_id": DOCKET, "title": "Form test", "procedure": "s301_review",
                                         "opens": dt.date.today().isoformat()})
    assert r.status_code == 200, r.text
    # a field the page's form does not show (title) reaches the service from the page as from the API
    page = staff.post(f"/dockets/{DOCKET}/submit", data={"commenter": "Page Person", "title": "Bicycle prices",
                                                         "text": "Prices rose."})
    assert page.status_code == 200, page.text
    found = re.search(r"<strong>(USTR-2026-0202-\d{4})</strong>", page.text)
    assert found, page.text
    via_api = staff.post(f"/api/dockets/{DOCKET}/comments", data={"commenter": "Api Person", "title": "Bicycle costs",
                                                                  "text": "Costs rose."})
    assert via_api.status_code == 200, via_api.text
    assert via_api.json()["submission"]["comment"]["title"] == "Bicycle costs"
    stored = staff.get(f"/api/comments/{found.group(1)}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["comment"]["title"] == "Bicycle prices"
    # the same limits (commenter at most 200 characters): both refuse with 422 naming the field, nothing stored
    before = _comments()
    for url in (f"/dockets/{DOCKET}/submit", f"/api/dockets/{DOCKET}/comments"):
        refused = staff.post(url, data={"commenter": "X" * 201, "text": "t"})
        assert refused.status_code == 422, (url, refused.text)
        assert "commenter" in refused.text
    assert _comments() == before
