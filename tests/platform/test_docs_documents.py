"""The document store: sniffing, extraction, dedup, size limit, labels, public versions, reads logged."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.platform.docfixtures import (
    EXE,
    PNG,
    docx_bytes,
    pdf_bytes,
    xlsx_bytes,
    zip_bomb_docx,
    zip_bytes,
)
from tradepolicy.errors import InputError, NotFoundError, PayloadTooLargeError
from tradepolicy.platform.principal import ANONYMOUS, Grant, Principal, local_operator
from tradepolicy.services import documents as svc

CASE = "ds543"  # a seeded case (WTO DS543)
# Principals as an API token would give them (via="token": no CSRF token needed once the
# platform's CSRF check is in place; a session principal would need the form's token).
ATTORNEY = Principal("ann", "attorney", user_id=1, via="token")
GRANTED = Principal("gus", "attorney", user_id=2, via="token", grants=(Grant("bci", f"case:{CASE}"),))
VIEWER_NO_GRANT = Principal("vic", "viewer", user_id=3, via="token")
WRONG_SCOPE = Principal("wes", "viewer", user_id=4, via="token", grants=(Grant("bci", "case:other"),))
WRONG_LABEL = Principal("wal", "viewer", user_id=5, via="token", grants=(Grant("apo", f"case:{CASE}"),))


def marker() -> str:
    return "MARK" + uuid.uuid4().hex[:12].upper()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, _session_db: str) -> Iterator[str]:
    """One fresh initialised database for this module (tests use unique content, count deltas)."""
    from tests.conftest import _point_at
    from tradepolicy.services.registry import init_database

    url = _point_at(tmp_path_factory.mktemp("docs"))
    init_database()
    yield url
    _point_at(Path(_session_db.removeprefix("sqlite:///")).parent)


@pytest.fixture
def app(db: str) -> Iterator[object]:
    from tradepolicy.api.app import create_app

    application = create_app()
    yield application
    application.dependency_overrides.clear()


def act_as(app: object, principal: Principal) -> None:
    from tradepolicy.api.security import current_principal

    app.dependency_overrides[current_principal] = lambda: principal  # type: ignore[attr-defined]


def counts() -> dict[str, int]:
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models import AuditEntry
    from tradepolicy.store.models_platform import AccessEntry

    with read_session() as s:
        out = svc.stored_counts()
        out["audit"] = int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        out["access"] = int(s.scalar(select(func.count()).select_from(AccessEntry)) or 0)
    return out


def file_bci(text: str, *, label: str = "bci") -> svc.AttachResult:
    return svc.attach_to_case(CASE, actor=ATTORNEY, content=f"{text} confidential cost data\n".encode(),
                              filename=f"{text}.txt", label=label, title=f"Cost data {text}",
                              public_content=b"public summary of the cost data\n", public_filename="public.txt")


# --------------------------------------------------------------------------- sniffing and extraction

def test_sniffing_reads_the_content_not_the_name() -> None:
    m = marker()
    assert svc.sniff_media_type(pdf_bytes(m)) == svc.PDF
    assert svc.sniff_media_type(docx_bytes(m)) == svc.DOCX
    assert svc.sniff_media_type(xlsx_bytes(m)) == svc.XLSX
    assert svc.sniff_media_type(b"hts,rate,note\n0306.17,0.0,shrimp\n1604.21,0.0,prepared\n") == svc.CSV
    assert svc.sniff_media_type(b"Comments on the NTE report, with commas.\nSecond line.\n") == svc.TXT
    assert svc.sniff_media_type("Café; données\n".encode("cp1252")) == svc.TXT


@pytest.mark.parametrize(("content", "why"), [
    (EXE, "executable"), (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "executable"), (PNG, "binary"),
    (zip_bytes(), "not an Office document"), (docx_bytes("x", macro=True), "Macro-enabled"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Office"), (b"", "empty"),
    (bytes(range(256)) * 4, "binary"), (zip_bomb_docx(), "zip bomb"),
])
def test_sniffing_refuses_other_types_naming_the_allowed_ones(content: bytes, why: str) -> None:
    with pytest.raises(InputError) as info:
        svc.sniff_media_type(content)
    assert why in info.value.message and info.value.expected == "PDF, DOCX, XLSX, CSV or TXT"


def test_extract_text_of_each_type() -> None:
    m = marker()
    assert m in svc.extract_text(pdf_bytes(f"Petition {m} page"), svc.PDF)
    docx = svc.extract_text(docx_bytes(f"Brief {m}"), svc.DOCX)
    assert f"Brief {m}\nSecond & last" in docx  # paragraphs split, XML entities decoded
    assert f"0306.17.00\t{m}" in svc.extract_text(xlsx_bytes(m), svc.XLSX)
    assert svc.extract_text(f"a,b\n1,{m}\n".encode(), svc.CSV) == f"a,b\n1,{m}\n"


def test_clean_filename_drops_paths_and_fixes_the_extension() -> None:
    assert svc.clean_filename("..\\..\\windows\\evil.exe", svc.PDF) == "evil.exe.pdf"
    assert svc.clean_filename('a"b\r\nc.pdf', svc.PDF) == "abc.pdf"
    assert svc.clean_filename("", svc.TXT) == "document.txt"
    assert len(svc.clean_filename("x" * 400 + ".pdf", svc.PDF)) <= 200


# --------------------------------------------------------------------------- storing

def test_put_dedups_blobs_by_sha256(db: str) -> None:
    m = marker()
    content = docx_bytes(m)
    before = counts()
    a = svc.attach_to_case(CASE, actor=ATTORNEY, content=content, filename="a.docx", label="public").document
    b = svc.attach_to_case(CASE, actor=ATTORNEY, content=content, filename="b.docx", label="bci").document
    after = counts()
    assert a.sha256 == b.sha256 and a.id != b.id
    assert after["documents"] - before["documents"] == 2 and after["blobs"] - before["blobs"] == 1
    assert a.kind == "DOCX" and a.size == len(content)
    info, got = svc.read_document(GRANTED, b.id)
    assert got == content and info.label == "bci"


def test_size_limit_is_named_and_nothing_is_stored(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.config import reset_settings

    monkeypatch.setenv("TRADEPOLICY_MAX_UPLOAD_BYTES", "1000")
    reset_settings()
    try:
        before = counts()
        with pytest.raises(PayloadTooLargeError) as info:
            svc.attach_to_case(CASE, actor=ATTORNEY, content=b"x" * 1001, filename="big.txt", label="public")
        assert info.value.status == 413 and "1,000 bytes" in info.value.message
        assert "TRADEPOLICY_MAX_UPLOAD_BYTES" in (info.value.expected or "")
        svc.attach_to_case(CASE, actor=ATTORNEY, content=b"y" * 1000, filename="ok.txt", label="public")
        assert counts()["documents"] == before["documents"] + 1
    finally:
        monkeypatch.delenv("TRADEPOLICY_MAX_UPLOAD_BYTES")
        reset_settings()


def test_public_version_linkage(db: str) -> None:
    m = marker()
    res = file_bci(m)
    assert res.public_version is not None and res.public_version.label == "public"
    assert res.document.public_version_id == res.public_version.id and res.document.label == "bci"
    assert m not in res.public_version.title and m not in res.public_version.filename  # nothing confidential leaks into it
    # link to an existing public version by id
    again = svc.attach_to_case(CASE, actor=ATTORNEY, content=f"{m} v2".encode(), filename="v2.txt", label="apo",
                               public_version_id=res.public_version.id)
    assert again.document.public_version_id == res.public_version.id
    # a link must name a public document of the same scope; the same message for each wrong case
    for bad in (res.document.id, 10**6):
        with pytest.raises(InputError, match=f"No public document {bad} in case:{CASE}"):
            svc.attach_to_case(CASE, actor=ATTORNEY, content=b"z1", filename="z.txt", label="bci", public_version_id=bad)
    other = svc.attach_to_case("ustr-301-china-ip", actor=ATTORNEY, content=b"elsewhere", filename="e.txt",
                               label="public").document
    with pytest.raises(InputError, match="No public document"):
        svc.attach_to_case(CASE, actor=ATTORNEY, content=b"z2", filename="z.txt", label="bci",
                           public_version_id=other.id)
    with pytest.raises(InputError, match="own public version"):
        svc.attach_to_case(CASE, actor=ATTORNEY, content=b"z3", filename="z.txt", label="public",
                           public_version_id=res.public_version.id)
    with pytest.raises(InputError, match="must name its public version"):
        svc.attach_to_case(CASE, actor=ATTORNEY, content=b"z4", filename="z.txt", label="bci",
                           require_public_version=True)


def test_refused_file_with_a_public_version_stores_neither(db: str) -> None:
    before = counts()
    with pytest.raises(InputError):
        svc.attach_to_case(CASE, actor=ATTORNEY, content=EXE, filename="x.pdf", label="bci",
                           public_content=b"a fine public version\n", public_filename="p.txt")
    with pytest.raises(InputError):
        svc.attach_to_case(CASE, actor=ATTORNEY, content=b"fine", filename="x.txt", label="secret")
    with pytest.raises(NotFoundError):
        svc.attach_to_case("no-such-case", actor=ATTORNEY, content=b"fine", filename="x.txt", label="public")
    assert counts() == before


def test_damaged_office_and_pdf_files_are_refused(db: str) -> None:
    docx = docx_bytes(marker())
    at = docx.find(b"word/document.xml", 200)  # the local header of the body part; damage its data
    damaged_docx = docx[: at + 40] + b"\x00" * 30 + docx[at + 70:]
    xlsx = xlsx_bytes(marker())
    at = xlsx.find(b"xl/workbook.xml")  # the first occurrence is the part's local header
    broken_xlsx = xlsx[: at + 30] + b"\xff" * 40 + xlsx[at + 70:]
    broken_pdf = b"%PDF-1.7\n" + b"garbage " * 100
    before = counts()
    for content in (damaged_docx, broken_xlsx, broken_pdf):
        with pytest.raises(InputError, match="cannot be read"):
            svc.attach_to_case(CASE, actor=ATTORNEY, content=content, filename="x", label="public")
    assert counts() == before


# --------------------------------------------------------------------------- reading

def test_confidential_document_is_invisible_without_a_grant(db: str) -> None:
    m = marker()
    doc = file_bci(m).document
    for who in (ANONYMOUS, VIEWER_NO_GRANT, WRONG_SCOPE, WRONG_LABEL, local_operator()):
        with pytest.raises(NotFoundError) as info:
            svc.read_document(who, doc.id)
        with pytest.raises(NotFoundError) as missing:
            svc.read_document(who, 2_000_000_000)
        assert info.value.message.replace(str(doc.id), "N") == missing.value.message.replace("2000000000", "N")
        assert doc.id not in [d.id for d in svc.case_documents(CASE, who)]
        assert svc.find_documents(who, m) == []
    assert [h.document.id for h in svc.find_documents(GRANTED, m)] == [doc.id]


def test_each_confidential_read_appends_one_access_entry(db: str) -> None:
    m = marker()
    res = file_bci(m)
    start = counts()["access"]
    _info, content = svc.read_document(GRANTED, res.document.id, where="10.0.0.9")
    assert m.encode() in content and counts()["access"] == start + 1
    svc.read_document_info(GRANTED, res.document.id)
    assert counts()["access"] == start + 2
    assert res.public_version is not None
    svc.read_document(GRANTED, res.public_version.id)  # public: not logged
    assert counts()["access"] == start + 2
    with pytest.raises(NotFoundError):
        svc.read_document(VIEWER_NO_GRANT, res.document.id)  # refused: nothing read, nothing logged
    assert counts()["access"] == start + 2
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_platform import AccessEntry

    with read_session() as s:
        last = s.scalars(select(AccessEntry).order_by(AccessEntry.id.desc())).first()
        first = s.scalars(select(AccessEntry).where(AccessEntry.id == start + 1)).first()
    assert last is not None and last.entity == "document" and last.entity_id == str(res.document.id)
    assert first is not None and first.actor == "gus" and first.where == "10.0.0.9" and first.label == "bci"


def test_search_finds_text_in_each_type(db: str) -> None:
    m = marker()
    ids = {svc.attach_to_case(CASE, actor=ATTORNEY, content=content, filename=name, label="public").document.id
           for name, content in (("p.pdf", pdf_bytes(f"Shrimp {m}")), ("d.docx", docx_bytes(f"Shrimp {m}")),
                                 ("x.xlsx", xlsx_bytes(f"Shrimp {m}")))}
    hits = svc.find_documents(ANONYMOUS, f"shrimp {m.lower()}")
    assert {h.document.id for h in hits} == ids and all(m in h.snippet for h in hits)
    with pytest.raises(InputError):
        svc.find_documents(ANONYMOUS, "  ;; ")


# --------------------------------------------------------------------------- API and pages

def test_api_upload_get_and_download(app: object) -> None:
    m = marker()
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("brief.docx", docx_bytes(m))}, data={"label": "public"})
    assert r.status_code == 401 and r.json()["error"]["type"] == "not_signed_in"
    act_as(app, VIEWER_NO_GRANT)
    r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("brief.docx", docx_bytes(m))}, data={"label": "public"})
    assert r.status_code == 403
    act_as(app, ATTORNEY)
    r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("brief.docx", docx_bytes(m))},
               data={"label": "public", "title": "Brief"})
    assert r.status_code == 201, r.text
    doc = r.json()["document"]
    assert doc["kind"] == "DOCX" and doc["title"] == "Brief" and doc["label"] == "public"
    meta = c.get(f"/api/documents/{doc['id']}")
    assert meta.status_code == 200 and meta.json()["document"]["sha256"] == doc["sha256"]
    got = c.get(doc["content_url"])
    assert got.status_code == 200 and got.content == docx_bytes(m)
    assert got.headers["content-type"] == svc.DOCX
    assert got.headers["content-disposition"].startswith('attachment; filename="brief.docx"')
    assert got.headers["x-content-type-options"] == "nosniff"
    listed = c.get(f"/api/cases/{CASE}/documents").json()
    assert doc["id"] in [d["id"] for d in listed["documents"]] and listed["count"] == len(listed["documents"])
    r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("Pétition x;.txt", f"{m} accents".encode())},
               data={"label": "public"})
    got = c.get(r.json()["document"]["content_url"])
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"P_tition x_.txt\"; filename*=UTF-8''P%C3%A9tition%20x%3B.txt")
    for bad in ("99999999999", "-1", "x"):
        r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("a.txt", b"z")},
                   data={"label": "bci", "public_version_id": bad})
        assert r.status_code == 400 and r.json()["error"]["field"] == "public_version_id"


def test_api_refuses_an_exe_renamed_pdf_and_stores_nothing(app: object) -> None:
    act_as(app, ATTORNEY)
    c = TestClient(app)  # type: ignore[arg-type]
    before = counts()
    r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("petition.pdf", EXE, "application/pdf")},
               data={"label": "public"})
    body = r.json()
    assert r.status_code == 400 and body["ok"] is False and body["status"] == 400
    assert "executable" in body["error"]["message"] and body["error"]["expected"] == "PDF, DOCX, XLSX, CSV or TXT"
    r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("a.txt", b"fine")}, data={"label": "top-secret"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "label"
    r = c.post(f"/api/cases/{CASE}/documents", data={"label": "public"})
    assert r.status_code == 400
    assert counts() == before


def test_api_size_limit_413_before_the_body_is_read(app: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.config import reset_settings

    monkeypatch.setenv("TRADEPOLICY_MAX_UPLOAD_BYTES", "4096")
    reset_settings()
    act_as(app, ATTORNEY)
    c = TestClient(app)  # type: ignore[arg-type]
    before = counts()
    try:
        r = c.post(f"/api/cases/{CASE}/documents", files={"file": ("big.txt", b"a" * 5000)}, data={"label": "public"})
        assert r.status_code == 413 and r.json()["error"]["type"] == "payload_too_large"
        assert "4,096 bytes" in r.json()["error"]["message"]
        assert counts() == before
    finally:
        monkeypatch.delenv("TRADEPOLICY_MAX_UPLOAD_BYTES")
        reset_settings()


def test_upload_reader_stops_reading_at_the_limit() -> None:
    """A chunked body (no Content-Length) is refused once the bytes read pass the limit, not after."""
    import asyncio

    from starlette.requests import Request

    from tradepolicy.api.uploads import FORM_SLACK, read_multipart

    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    chunks = [head] + [b"a" * 65536] * 1000  # 64 MiB if read in full
    sent: list[int] = []

    async def receive() -> dict[str, object]:
        if len(sent) < len(chunks):
            sent.append(len(chunks[len(sent)]))
            return {"type": "http.request", "body": chunks[len(sent) - 1], "more_body": True}
        return {"type": "http.request", "body": f"\r\n--{boundary}--\r\n".encode(), "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/api/cases/x/documents", "query_string": b"",
             "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())]}
    with pytest.raises(PayloadTooLargeError):
        asyncio.run(read_multipart(Request(scope, receive), max_file_bytes=100_000, max_files=1))
    assert sum(sent) <= 100_000 + FORM_SLACK + 65536, "the reader went on past the limit"


def test_upload_reader_uses_a_form_parsed_before_the_route() -> None:
    """A CSRF check that read the form's token field first leaves the form parsed: it is reused."""
    import asyncio

    from starlette.requests import Request

    from tradepolicy.api.uploads import read_multipart

    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n").encode()
    sent = [False]

    async def receive() -> dict[str, object]:
        if sent[0]:
            return {"type": "http.disconnect"}
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/cases/x/documents", "query_string": b"",
             "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())]}

    async def run() -> object:
        request = Request(scope, receive)
        assert (await request.form())["csrf_token"] == "tok"  # what the CSRF check does
        return await read_multipart(request, max_file_bytes=100)

    up = asyncio.run(run())
    assert up.files == {"file": ("a.txt", b"hello")} and up.fields["csrf_token"] == "tok"  # type: ignore[attr-defined]

    async def too_big() -> object:
        request = Request(scope, receive)
        await request.form()
        return await read_multipart(request, max_file_bytes=3)

    sent[0] = False
    with pytest.raises(PayloadTooLargeError):
        asyncio.run(too_big())


def test_api_and_pages_never_show_a_bci_document_without_a_grant(app: object) -> None:
    m = marker()
    res = svc.attach_to_case(CASE, actor=ATTORNEY, content=f"BCI {m}\n".encode(), filename=f"{m}.txt", label="bci",
                             title=f"Title {m}")
    doc_id = res.document.id
    c = TestClient(app)  # type: ignore[arg-type]
    for who in (None, VIEWER_NO_GRANT, WRONG_SCOPE):
        if who is None:
            app.dependency_overrides.clear()  # type: ignore[attr-defined]
        else:
            act_as(app, who)
        for url in (f"/api/documents/{doc_id}", f"/api/documents/{doc_id}/content"):
            r = c.get(url)
            assert r.status_code == 404 and m not in r.text
        for url in (f"/api/cases/{CASE}/documents", f"/api/documents/search?q={m}", f"/cases/{CASE}",
                    f"/cases/{CASE}.json", f"/cases/{CASE}.csv"):
            r = c.get(url)
            assert r.status_code == 200 and m not in r.text, url
    act_as(app, GRANTED)
    start = counts()["access"]
    r = c.get(f"/api/documents/{doc_id}/content")
    assert r.status_code == 200 and m in r.text and r.headers["cache-control"] == "private, no-store"
    assert counts()["access"] == start + 1
    page = c.get(f"/cases/{CASE}")
    assert m in page.text and "BCI" in page.text


def test_case_page_upload_form(app: object) -> None:
    m = marker()
    c = TestClient(app)  # type: ignore[arg-type]
    assert "File a document" not in c.get(f"/cases/{CASE}").text  # anonymous: no form
    before = counts()
    r = c.post(f"/cases/{CASE}/documents", files={"file": ("n.txt", m.encode())}, data={"label": "public"},
               follow_redirects=False)
    assert r.status_code in (401, 403) and counts() == before  # 403 once the CSRF check runs first
    act_as(app, ATTORNEY)
    page = c.get(f"/cases/{CASE}")
    assert 'enctype="multipart/form-data"' in page.text and 'name="public_file"' in page.text
    r = c.post(f"/cases/{CASE}/documents", files={"file": ("note.txt", f"Note {m}".encode())},
               data={"label": "public", "title": f"Note {m}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/cases/{CASE}?filed=")
    assert f"Note {m}" in c.get(f"/cases/{CASE}").text


def test_case_report_pages_show_public_documents_only(app: object) -> None:
    m = marker()
    svc.attach_to_case(CASE, actor=ATTORNEY, content=b"public text", filename="p.txt", label="public", title=f"Pub {m}")
    svc.attach_to_case(CASE, actor=ATTORNEY, content=b"bci text", filename="b.txt", label="bci", title=f"Bci {m}")
    c = TestClient(app)  # type: ignore[arg-type]
    assert f'href="/cases/{CASE}/report.pdf"' in c.get(f"/cases/{CASE}").text
    for who in (None, GRANTED):
        if who is not None:
            act_as(app, who)
        html = c.get(f"/cases/{CASE}/report.html")
        assert html.status_code == 200 and f"Pub {m}" in html.text and f"Bci {m}" not in html.text
    pdf = c.get(f"/cases/{CASE}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["content-disposition"].startswith("attachment")
    assert c.get("/cases/no-such-case/report.pdf").status_code == 404


def test_openapi_declares_models_and_errors(app: object) -> None:
    spec = TestClient(app).get("/openapi.json").json()  # type: ignore[arg-type]
    post = spec["paths"]["/api/cases/{case_id}/documents"]["post"]
    assert {"400", "401", "403", "404", "413"} <= set(post["responses"])
    assert "multipart/form-data" in post["requestBody"]["content"]
    get = spec["paths"]["/api/documents/{document_id}"]["get"]
    assert "$ref" in json.dumps(get["responses"]["200"]) and "404" in get["responses"]


# --------------------------------------------------------------------------- CLI

def test_cli_case_attach(db: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app as cli

    m = marker()
    conf, pub = tmp_path / "bci.txt", tmp_path / "public.txt"
    conf.write_text(f"Confidential {m}\n")
    pub.write_text("Public version\n")
    r = CliRunner().invoke(cli, ["case", "attach", CASE, str(conf), "--label", "bci", "--public-version", str(pub),
                                 "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["document"]["label"] == "bci" and out["document"]["public_version_id"] == out["public_version"]["id"]
    exe = tmp_path / "petition.pdf"
    exe.write_bytes(EXE)
    before = counts()
    r = CliRunner().invoke(cli, ["case", "attach", CASE, str(exe), "--label", "public"])
    assert r.exit_code == 2 and "executable" in r.stderr
    os.environ["TRADEPOLICY_MAX_UPLOAD_BYTES"] = "10"
    from tradepolicy.config import reset_settings

    reset_settings()
    try:
        r = CliRunner().invoke(cli, ["case", "attach", CASE, str(conf), "--label", "public"])
        assert r.exit_code == 2 and "upload limit" in r.stderr
    finally:
        del os.environ["TRADEPOLICY_MAX_UPLOAD_BYTES"]
        reset_settings()
    assert counts() == before
    r = CliRunner().invoke(cli, ["documents", "show", str(out["public_version"]["id"]), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["label"] == "public"
    r = CliRunner().invoke(cli, ["documents", "show", str(out["document"]["id"])])
    assert r.exit_code == 2  # the local operator holds no grant: not found
