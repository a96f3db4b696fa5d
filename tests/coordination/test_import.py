"""The regulations.gov v4 importer: the real dockets listing page (dataset) and the /documents and
/comments shapes (hand-written below in the documented v4 JSON:API form: data[].id, type, attributes)."""

from __future__ import annotations

import json
from typing import Any

from tests.coordination.conftest import ANON, STAFF
from tests.helpers import requires_dataset

DOCUMENTS = {"data": [{"id": "USTR-2099-0001-0001", "type": "documents", "attributes": {
    "docketId": "USTR-2099-0001", "documentType": "Notice", "title": "Request for comments (EXAMPLE)",
    "postedDate": "2099-01-10T05:00:00Z", "commentStartDate": "2099-01-10T05:00:00Z",
    "commentEndDate": "2099-02-09T04:59:59Z", "frDocNum": "2099-00001"}}]}
COMMENTS = {"data": [
    {"id": "USTR-2099-0001-0002", "type": "comments", "attributes": {
        "docketId": "USTR-2099-0001", "commentOnDocumentId": "USTR-2099-0001-0001", "title": "Comment from A",
        "comment": "We oppose the proposed duties on bicycles.", "firstName": "Ann", "lastName": "Lee",
        "country": "United States", "receiveDate": "2099-01-12T10:00:00Z", "postedDate": "2099-01-15T10:00:00Z",
        "withdrawn": False}},
    {"id": "USTR-2099-0001-0003", "type": "comments", "attributes": {
        "docketId": "USTR-2099-0001", "title": "Comment from the Example Bicycle Association",
        "comment": "Our members support the duties.", "organization": "Example Bicycle Association",
        "receiveDate": "2099-01-13T10:00:00Z", "postedDate": "2099-01-16T10:00:00Z", "withdrawn": True}},
    {"id": "USTR-2099-0001-0004", "type": "comments", "attributes": {
        "docketId": "USTR-2099-0001", "title": "State comment", "comment": "A state agency view.",
        "govAgency": "Example State Dept. of Commerce", "govAgencyType": "State",
        "receiveDate": "2099-01-14T10:00:00Z", "postedDate": None}},
], "meta": {"totalElements": 3, "pageNumber": 1, "hasNextPage": False}}


def test_import_documents_and_comments(fresh_db: str, cli: Any, api: Any, tmp_path: Any) -> None:
    r = cli("docket", "open", "USTR-2099-0001", "--title", "Imported", "--procedure", "comment_docket",
            "--opens", "2099-01-10")
    assert r.exit_code == 0, r.output
    for name, payload in (("documents.json", DOCUMENTS), ("comments.json", COMMENTS)):
        (tmp_path / name).write_text(json.dumps(payload))
        r = cli("docket", "import", str(tmp_path / name), "--json")
        assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["comments"] == 3
    page = api(STAFF).get("/api/dockets/USTR-2099-0001").json()["page"]
    win = page["docket"]["windows"][0]
    assert (win["opens"], win["closes"], win["rule_id"]) == ("2099-01-10", "2099-02-09", "notice:USTR-2099-0001-0001")
    assert "FR Doc. 2099-00001" in win["citation"]
    rows = {c["comment_id"]: c for c in page["comments"]}
    assert rows["USTR-2099-0001-0002"]["status"] == "posted" and rows["USTR-2099-0001-0002"]["countries"] == ["USA"]
    assert rows["USTR-2099-0001-0003"]["status"] == "withdrawn"
    assert rows["USTR-2099-0001-0003"]["commenter_type"] == "association"
    assert rows["USTR-2099-0001-0004"]["commenter_type"] == "government"
    assert rows["USTR-2099-0001-0004"]["status"] == "received"
    # the public sees the posted one only; importing again skips what is there
    assert api(ANON).get("/api/dockets/USTR-2099-0001").json()["page"]["total"] == 1
    again = cli("docket", "import", str(tmp_path / "comments.json"), "--json")
    assert json.loads(again.stdout) == {"dockets": 0, "documents": 0, "comments": 0, "skipped": 3}


def test_import_refuses_an_unknown_shape(fresh_db: str, cli: Any, tmp_path: Any) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"data": [{"id": "x", "type": "agencies", "attributes": {}}]}))
    r = cli("docket", "import", str(tmp_path / "x.json"))
    assert r.exit_code == 2 and "field: type" in r.stderr
    (tmp_path / "y.json").write_text("{not json")
    assert cli("docket", "import", str(tmp_path / "y.json")).exit_code == 2


@requires_dataset("regulations-gov-api-sample")
def test_import_the_real_dockets_listing_page(fresh_db: str, cli: Any) -> None:
    from tradepolicy.datasets.readers.dockets import (
        SAMPLE_FILE,
        read_regulations_gov_dockets_sample,
    )
    from tradepolicy.datasets.registry import dataset_path

    expected = read_regulations_gov_dockets_sample()
    r = cli("docket", "import", str(dataset_path("regulations-gov-api-sample", SAMPLE_FILE)), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["dockets"] == len(expected) == 10
    listed = json.loads(cli("docket", "list", "--json").stdout)
    assert set(expected["id"]) <= {d["id"] for d in listed}
