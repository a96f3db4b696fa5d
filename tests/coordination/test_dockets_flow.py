"""Dockets end to end through the CLI and the API: open, submit public and BCI versions with attachments,
refuse a leaking public version, post, search, export, report; every bad input refused with nothing stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.coordination.conftest import ANON, ATTORNEY, STAFF, with_grant
from tests.helpers import requires_dataset

pytestmark = [requires_dataset("us-hts")]
DOCKET = "USTR-2026-0101"


def _count() -> int:
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_coordination import DocketComment
    from tradepolicy.store.models_platform import Document

    with read_session() as s:
        return int(s.scalar(select(func.count()).select_from(DocketComment))) * 1000 + \
            int(s.scalar(select(func.count()).select_from(Document)))


def _open(cli: Any, opens: dt.date | None = None) -> None:
    r = cli("docket", "open", DOCKET, "--title", "Test review", "--procedure", "s301_review",
            "--opens", (opens or dt.date.today()).isoformat(), "--json")
    assert r.exit_code == 0, r.output
    windows = {w["kind"]: w for w in json.loads(r.stdout)["windows"]}
    # the comments window closes docket.comments (30 calendar days, UNCONFIRMED default) after opening
    assert windows["comments"]["closes"] == ((opens or dt.date.today()) + dt.timedelta(days=30)).isoformat()
    assert windows["comments"]["confirmed"] is False


def test_docket_end_to_end_cli_and_api(fresh_db: str, cli: Any, api: Any, files: dict[str, Any]) -> None:
    _open(cli)
    # public submission with attachments (CSV, DOCX) through the CLI
    r = cli("docket", "submit", DOCKET, "--commenter", "Jane Roe", "--type", "individual",
            "--text", "Tariffs on bicycles raised prices for my family.", "--hts", "8712.00.15", "--country", "CHN",
            "--attach", str(files["exhibit.csv"]), "--attach", str(files["exhibit.docx"]), "--json")
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout)
    assert first["comment"]["comment_id"] == f"{DOCKET}-0001" and len(first["attachment_ids"]) == 2
    # BCI submission with its public version through the API (multipart)
    staff = api(STAFF)
    up = staff.post(f"/api/dockets/{DOCKET}/comments", data={"commenter": "Acme Valves", "commenter_type": "company",
                                                             "organization": "Acme Valves LLC", "hts": "8481.80.10",
                                                             "countries": "CHN,VNM"},
                    files=[("file", ("P_acme.txt", files["P_acme.txt"].read_bytes(), "text/plain")),
                           ("bci_file", ("BCI_acme.txt", files["BCI_acme.txt"].read_bytes(), "text/plain")),
                           ("attachments", ("exhibit.csv", files["exhibit.csv"].read_bytes(), "text/csv"))])
    assert up.status_code == 200, up.text
    sub = up.json()["submission"]
    assert sub["bci_document_id"] and sub["bci_spans"] == 3 and sub["comment"]["has_bci"]
    bci_id = sub["comment"]["comment_id"]
    # a leaking public version is refused with the overlap shown, and nothing is stored
    before = _count()
    leak = staff.post(f"/api/dockets/{DOCKET}/comments", data={"commenter": "Acme Valves", "commenter_type": "company"},
                      files=[("file", ("P_leaky.txt", files["P_leaky.txt"].read_bytes(), "text/plain")),
                             ("bci_file", ("BCI_acme.txt", files["BCI_acme.txt"].read_bytes(), "text/plain"))])
    assert leak.status_code == 400
    err = leak.json()["error"]
    assert err["field"] == "file" and err["details"]["overlaps"][0]["span"] == "Big Box Stores Inc."
    assert _count() == before
    # anonymous sees nothing until posted; post through the CLI, then it is public
    anon = api(ANON)
    assert anon.get(f"/api/dockets/{DOCKET}").json()["page"]["total"] == 0
    for cid in (first["comment"]["comment_id"], bci_id):
        assert cli("docket", "post", cid, as_=STAFF).exit_code == 0
    page = anon.get(f"/api/dockets/{DOCKET}").json()["page"]
    assert page["total"] == 2 and page["docket"]["counts"] == {"posted": 2}
    # search: comment text and extracted attachment text (DOCX) through the CLI
    s = cli("docket", "search", DOCKET, "brass ball valves", "--json", as_=STAFF)
    assert s.exit_code == 0, s.output
    assert [c["comment_id"] for c in json.loads(s.stdout)["comments"]] == [first["comment"]["comment_id"]]
    assert anon.get(f"/api/dockets/{DOCKET}/search", params={"q": "bicycles"}).json()["result"]["total"] == 1
    # export: public fields only, never the BCI text
    csv_text = anon.get(f"/api/dockets/{DOCKET}/export").text
    js = anon.get(f"/dockets/{DOCKET}.json").json()
    for blob in (csv_text, json.dumps(js)):
        assert "Big Box Stores" not in blob and "12,400" not in blob
    assert csv_text.splitlines()[0].split(",")[:3] == ["comment_id", "docket_id", "title"]
    # the BCI version: 404 without a grant (administrator included), 200 with one, and the read is logged
    assert anon.get(f"/api/comments/{bci_id}/bci").status_code == 404
    assert api(ATTORNEY).get(f"/api/comments/{bci_id}/bci").status_code == 404
    granted = api(with_grant(ATTORNEY, "bci", f"docket:{DOCKET}"))
    got = granted.get(f"/api/comments/{bci_id}/bci")
    assert got.status_code == 200 and b"Big Box Stores" in got.content
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_platform import AccessEntry

    with read_session() as sess:
        logged = sess.scalars(select(AccessEntry).where(AccessEntry.actor == "atty")).all()
    assert [(e.label, e.scope) for e in logged] == [("bci", f"docket:{DOCKET}")]
    # report HTML and PDF through the CLI
    for fmt in ("html", "pdf"):
        out = files["exhibit.csv"].parent / f"report.{fmt}"
        r = cli("docket", "report", DOCKET, "--format", fmt, "--out", str(out))
        assert r.exit_code == 0, r.output
        body = out.read_bytes()
        assert body.startswith(b"%PDF") if fmt == "pdf" else b"/tariffs/line/8712.00.15" in body
    html = out.with_suffix(".html").read_text()
    assert "Big Box Stores" not in html
    # withdraw: off the public docket, kept in the history
    assert cli("docket", "withdraw", bci_id, "--note", "at the submitter's request", as_=STAFF).exit_code == 0
    assert anon.get(f"/api/dockets/{DOCKET}").json()["page"]["total"] == 1
    hist = api(STAFF).get(f"/api/comments/{bci_id}").json()["comment"]["history"]
    assert [h["status"] for h in hist] == ["received", "screened", "posted", "withdrawn"]


BAD = [
    # (label, extra CLI args, field named)
    ("BCI file without a public version", ["--bci-file", "BCI_acme.txt"], "file"),
    ("unsupported attachment type", ["--text", "x y z", "--attach", "photo.png"], "attachments[0]"),
    ("file over the size limit", ["--file", "huge.txt"], "file"),
    ("unknown HTS code", ["--text", "x y z", "--hts", "8712.99.99"], "hts"),
    ("leaking public version", ["--file", "P_leaky.txt", "--bci-file", "BCI_acme.txt"], "file"),
]


@pytest.mark.parametrize(("label", "args", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_submissions_are_refused_naming_the_field(fresh_db: str, cli: Any, files: dict[str, Any], label: str,
                                                      args: list[str], field: str) -> None:
    _open(cli)
    before = _count()
    resolved = [str(files[a]) if a in files else a for a in args]
    r = cli("docket", "submit", DOCKET, "--commenter", "X", *resolved)
    assert r.exit_code == 2, (label, r.output)
    assert f"field: {field}" in r.stderr, r.stderr
    assert _count() == before


def test_submission_after_the_window_closes(fresh_db: str, cli: Any) -> None:
    _open(cli, opens=dt.date.today() - dt.timedelta(days=40))
    before = _count()
    r = cli("docket", "submit", DOCKET, "--commenter", "Late Larry", "--text", "too late")
    assert r.exit_code == 2 and "field: received" in r.stderr and "docket.comments" in r.stderr
    assert _count() == before


def test_form_letters_are_clustered_with_counts(fresh_db: str, cli: Any, api: Any) -> None:
    _open(cli)
    letter = ("I am writing to oppose the Section 301 duties on furniture because they raise prices for families in "
              "{state} and hurt small retailers who cannot move their supply chains quickly. Please end the duties.")
    for i, state in enumerate(["Ohio", "Texas", "Maine", "Utah"]):
        assert cli("docket", "submit", DOCKET, "--commenter", f"Person {i}", "--text", letter.format(state=state)).exit_code == 0
    assert cli("docket", "submit", DOCKET, "--commenter", "Other", "--text",
               "Our association supports continuing the duties on valves to protect new domestic capacity.").exit_code == 0
    page = api(STAFF).get(f"/api/dockets/{DOCKET}").json()["page"]
    assert [(c["cluster_id"], c["count"]) for c in page["clusters"]] == [(f"{DOCKET}-0001", 4)]
