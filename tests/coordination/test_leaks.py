"""The leak crawl over the coordination domain: a BCI submission (bracketed text and a BCI attachment),
an exclusion request's BCI data, a restricted clearance and a restricted negotiating text, each with a
unique marker, never reach a principal without the grant on any GET route of the app (pages, twins,
API, exports, the summary report); with the grants they appear where they belong."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.helpers import requires_dataset
from tests.platform.crawler import plan, read
from tests.platform.test_leaks import HEAVY_DATASET_ONLY

pytestmark = [pytest.mark.slow, requires_dataset("us-hts"), requires_dataset("section301-china")]
DOCKET = "USTR-2026-0777"


@pytest.fixture
def seeded(fresh_db: str) -> dict[str, str]:
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import clearance, committees, dockets, exclusions
    from tradepolicy.store.db import transaction

    base = "Zc" + uuid.uuid4().hex[:10]
    m = {k: base + k for k in ("Bci", "Att", "Exc", "Clr", "Txt")}
    op = local_operator()
    with transaction() as s:
        dockets.open_docket(s, op, docket_id=DOCKET, title="Leak crawl docket", procedure="s301_exclusions",
                            opens=dt.date.today())
        bci = f"BUSINESS CONFIDENTIAL\nWe sold [{m['Bci']} units] last year.".encode()
        pub = b"PUBLIC VERSION\nWe sold [ ] last year."
        r = dockets.submit(s, op, docket_id=DOCKET, commenter_name="Acme", commenter_type="company",
                           file=dockets.Upload("P_acme.txt", pub), bci_file=dockets.Upload("BCI_acme.txt", bci),
                           attachments=[dockets.Upload("exhibit.txt", f"BCI exhibit {m['Att']}".encode(), "bci")])
        dockets.set_status(s, op, r.comment.comment_id, "posted")
        exclusions.request_exclusion(s, op, docket_id=DOCKET, requester="Acme", hts10="8481801020", product="valves",
                                     rationale="no U.S. source", bci_data=f"imports {m['Exc']}")
        clearance.start(s, op, title=f"Draft {m['Clr']}", levels=["tpsc", "tprg"], agencies=["commerce"],
                        due=dt.date.today() + dt.timedelta(days=3), content=f"draft text {m['Clr']}".encode(),
                        filename="draft.txt")
        committees.put_text(s, op, agreement="leakfta", key="ch1", title=f"Chapter {m['Txt']}", body=f"text {m['Txt']}")
    m["base"] = base
    return m


def _found(text: str, m: dict[str, str]) -> set[str]:
    return {k for k in ("Bci", "Att", "Exc", "Clr", "Txt") if m[k] in text}


def test_coordination_items_never_leak(seeded: dict[str, str], client_as: Any) -> None:
    from tradepolicy.api.app import create_app

    m = seeded
    app = create_app()
    granted = client_as("attorney", grants=[("bci", f"docket:{DOCKET}"), ("restricted", "*")], app=app)
    urls = plan(granted, app, m["base"], "valves", skip=HEAVY_DATASET_ONLY)
    urls += [f"/api/dockets/{DOCKET}/report?format=html", f"/api/dockets/{DOCKET}/export?format=json",
             f"/api/dockets/{DOCKET}/search?q=sold", f"/dockets/{DOCKET}.csv", f"/comments/{DOCKET}-0001.json",
             f"/api/comments/{DOCKET}-0001/bci", "/clearance.json", "/exclusions.csv"]
    outsiders = {
        "anonymous": client_as(None, app=app),
        "docket clerk without a grant": client_as("docket_clerk", app=app),
        "attorney with BCI of another docket": client_as("attorney", grants=[("bci", "docket:USTR-2026-0001")], app=app),
        "administrator without a grant": client_as("administrator", app=app),
    }
    leaks = []
    for who, c in outsiders.items():
        for url in urls:
            status, seen = read(c, url)
            assert status < 500, f"{who} {url}: {status}"
            if _found(seen, m):
                leaks.append(f"{who} saw {sorted(_found(seen, m))} at {url}")
    assert not leaks, "\n".join(leaks)
    # with the grants: the BCI version, the exclusion's BCI data and the clearance are readable
    seen_by_granted = set()
    for url in urls:
        seen_by_granted |= _found(read(granted, url)[1], m)
    assert {"Bci", "Exc", "Clr"} <= seen_by_granted
