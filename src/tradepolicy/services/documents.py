"""Documents shared by every workflow: content-addressed blobs, sniffed types, labels, search.

A document is a file filed in a scope (``case:ID``, ``docket:ID``...) with a confidentiality
label. Its bytes live once in ``blobs`` under their sha256, however often they are filed; the
``documents`` row (append-only) names the file, its media type *sniffed from the content* (PDF,
DOCX, XLSX, CSV, TXT; anything else is refused), its size, label, scope, the text extracted for
search, and, for a confidential document, the id of its public version.

Reads go through the policy (``platform.policy.can_read``): a document the principal may not
read raises ``NotFoundError`` exactly as a missing one does, is never listed, counted or found
by search, and every confidential read appends one access-log entry (``platform.access.log_read``)
in the same transaction.

Functions taking a ``session`` work inside the caller's transaction (workflows compose them);
the ``*_case_*`` helpers and :func:`read_document` open their own, for the shells.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import logging
import re
import zipfile
import zlib
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tradepolicy.config import get_settings
from tradepolicy.errors import InputError, NotFoundError, PayloadTooLargeError
from tradepolicy.platform.access import log_read
from tradepolicy.platform.labels import check_label, is_confidential
from tradepolicy.platform.policy import can_read
from tradepolicy.platform.principal import Principal
from tradepolicy.store import audit
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import Proceeding, utcnow
from tradepolicy.store.models_platform import Blob, Document

log = logging.getLogger("tradepolicy.documents")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TXT = "text/plain"
KINDS: dict[str, str] = {PDF: "PDF", DOCX: "DOCX", XLSX: "XLSX", CSV: "CSV", TXT: "TXT"}
EXTENSIONS: dict[str, tuple[str, ...]] = {PDF: (".pdf",), DOCX: (".docx",), XLSX: (".xlsx",),
                                          CSV: (".csv",), TXT: (".txt", ".text", ".md")}
ALLOWED = "PDF, DOCX, XLSX, CSV or TXT"

MAX_TEXT_CHARS = 2_000_000
"""Extracted text kept for search, per document (the file itself is kept whole)."""
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_RATIO = 200
"""A DOCX/XLSX whose parts expand more than this many times its size is refused (zip bomb)."""
MAX_ZIP_EXPANDED = 1 << 30
"""Nor may its parts expand to more than 1 GiB in all, whatever its size."""
MAX_XML_PART = 64 << 20
"""At most this much of a DOCX part is read for its text."""
SCOPE = re.compile(r"^[a-z][a-z0-9_]{0,39}:[A-Za-z0-9][A-Za-z0-9._:/-]{0,150}$|^\*$")
MAX_DOCUMENT_ID = 2**31 - 1
_ZIP_ERRORS = (RuntimeError, NotImplementedError, zipfile.BadZipFile, OSError, EOFError, zlib.error)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A filed document's metadata (never its bytes or text).

    ``kind`` is the short type name (``PDF``); ``media_type`` the sniffed MIME type;
    ``public_version_id`` links a confidential document to its public version.
    """

    id: int
    sha256: str
    filename: str
    media_type: str
    kind: str
    size: int
    label: str
    scope: str
    title: str
    public_version_id: int | None
    text_chars: int
    created_at: dt.datetime
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings)."""
        out = asdict(self)
        out["created_at"] = self.created_at.isoformat()
        return out


@dataclass(frozen=True, slots=True)
class DocumentHit:
    """A search result: the document and a short excerpt of its text around the first match."""

    document: DocumentInfo
    snippet: str


@dataclass(frozen=True, slots=True)
class AttachResult:
    """What ``attach_to_case`` filed: the document, and its public version when one was filed with it."""

    document: DocumentInfo
    public_version: DocumentInfo | None = None


# --------------------------------------------------------------------------- limits and sniffing

def max_upload_bytes() -> int:
    """Return the largest document one may file (``TRADEPOLICY_MAX_UPLOAD_BYTES``)."""
    return int(get_settings().max_upload_bytes)


def check_size(size: int, *, where: str = "file", limit: int | None = None) -> None:
    """Raise ``PayloadTooLargeError`` naming the limit when ``size`` exceeds it."""
    limit = max_upload_bytes() if limit is None else limit
    if size > limit:
        raise PayloadTooLargeError(
            f"The file is larger than the upload limit of {limit:,} bytes ({limit / 2**20:.1f} MiB).",
            where=where, field="file", expected=f"at most {limit:,} bytes (TRADEPOLICY_MAX_UPLOAD_BYTES)",
            example="split the file, or raise TRADEPOLICY_MAX_UPLOAD_BYTES on the server",
        )


def _refuse(what: str, *, where: str = "file") -> InputError:
    return InputError(f"{what} Only {ALLOWED} documents are accepted (the type is read from the content, not the name).",
                      where=where, field="file", expected=ALLOWED, example="petition.pdf")


def _zip_kind(content: bytes, where: str) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(f"The file looks like a ZIP archive but cannot be opened ({exc}).", where=where) from exc
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        expanded = sum(i.file_size for i in infos)
        if (len(infos) > MAX_ZIP_ENTRIES or expanded > MAX_ZIP_EXPANDED
                or expanded > max(MAX_ZIP_RATIO * len(content), 10 * 2**20)):
            raise _refuse(f"The archive expands to {expanded:,} bytes in {len(infos):,} parts: refused as a zip bomb.",
                          where=where)
        if "[Content_Types].xml" not in names:
            raise _refuse("The file is a ZIP archive, not an Office document.", where=where)
        try:
            with zf.open("[Content_Types].xml") as fh:
                types = fh.read(200_000).decode("utf-8", "replace")
        except _ZIP_ERRORS as exc:
            raise _refuse(f"The Office archive cannot be read ({exc}).", where=where) from exc
        if "macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse("Macro-enabled Office files (.docm, .xlsm) are refused.", where=where)
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    raise _refuse("The file is an Office archive but neither a Word document nor an Excel workbook.", where=where)


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decode_text(content: bytes) -> str | None:
    """Return ``content`` as text when it is UTF-8 (or UTF-16 with a BOM, or Windows-1252) text."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            value = content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in content:
        return None
    else:
        try:
            value = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                value = content.decode("cp1252")
            except UnicodeDecodeError:
                return None
    sample = value[:200_000]
    controls = len(_CONTROLS.findall(sample))
    if controls > len(sample) // 1000:
        return None
    return value


def _looks_like_csv(value: str) -> bool:
    lines = [ln for ln in value.splitlines()[:50] if ln.strip()]
    if len(lines) < 2:
        return False
    for delimiter in (",", ";", "\t", "|"):
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() > 1:
            return True
    return False


def sniff_media_type(content: bytes, *, where: str = "file") -> str:
    """Return the media type of ``content`` read from its bytes, or raise ``InputError``.

    PDF by its ``%PDF-`` header, DOCX and XLSX as ZIP archives with the Office parts
    (``word/document.xml``, ``xl/workbook.xml``), CSV and TXT as text (CSV when the first
    lines split into the same number (>1) of fields). Executables, images, archives, legacy
    Office files and anything else are refused, naming the allowed types.

    >>> sniff_media_type(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff_media_type(b"Tariff notes")
    'text/plain'
    """
    if not content:
        raise _refuse("The file is empty.", where=where)
    head = content[:1024]
    if b"%PDF-" in head:
        return PDF
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content, where)
    if content.startswith(b"MZ") or content.startswith(b"\x7fELF"):
        raise _refuse("The file is an executable program.", where=where)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse("The file is a legacy Office document (.doc/.xls); save it as DOCX or XLSX.", where=where)
    value = _decode_text(content)
    if value is None:
        raise _refuse("The file is binary content of an unsupported type.", where=where)
    return CSV if _looks_like_csv(value) else TXT


# --------------------------------------------------------------------------- text extraction

def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            return ""  # a password-protected PDF is kept, but cannot be searched
        pages = list(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _refuse(f"The file starts like a PDF but cannot be read ({exc}).") from exc
    parts: list[str] = []
    total = 0
    for page in pages:
        try:
            chunk = page.extract_text() or ""
        except Exception:  # one unreadable page must not refuse the document
            log.warning("pypdf could not extract the text of one page")
            chunk = ""
        parts.append(chunk)
        total += len(chunk)
        if total >= MAX_TEXT_CHARS:
            break
    return "\n".join(parts)


_DOCX_TOKEN = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|(</w:p>)|(<w:tab/>)|(<w:br/>)")


def _docx_text(content: bytes) -> str:
    """Text of a DOCX: the ``w:t`` runs of the body, footnotes and endnotes (no XML parser needed)."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        names = set(zf.namelist())
        for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
            if part not in names:
                continue
            with zf.open(part) as fh:
                xml = fh.read(MAX_XML_PART).decode("utf-8", "replace")
            for m in _DOCX_TOKEN.finditer(xml):
                if m.group(1) is not None:
                    out.append(html.unescape(m.group(1)))
                elif m.group(2) or m.group(4):
                    out.append("\n")
                else:
                    out.append("\t")
    return "".join(out)


def _xlsx_text(content: bytes) -> str:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise _refuse(f"The workbook cannot be read ({type(exc).__name__}: {exc}).") from exc
    out: list[str] = []
    total = 0
    try:
        for ws in wb.worksheets:
            out.append(f"# {ws.title}")
            for row in ws.iter_rows(values_only=True):
                line = "\t".join("" if v is None else str(v) for v in row).rstrip("\t")
                if line:
                    out.append(line)
                    total += len(line)
                if total >= MAX_TEXT_CHARS:
                    return "\n".join(out)
    finally:
        wb.close()
    return "\n".join(out)


def extract_text(content: bytes, media_type: str) -> str:
    """Return the text of a document for search (at most ``MAX_TEXT_CHARS`` characters).

    pypdf for PDF, the ``w:t`` runs of ``word/document.xml`` for DOCX, openpyxl for XLSX (one
    line per row, cells tab-separated, a ``# Sheet`` line per sheet), the decoded text for
    CSV/TXT. A PDF that is password-protected yields ``""``.

    >>> extract_text(b"Tariff, rate", "text/plain")
    'Tariff, rate'
    """
    if media_type == PDF:
        value = _pdf_text(content)
    elif media_type == DOCX:
        try:
            value = _docx_text(content)
        except _ZIP_ERRORS as exc:
            raise _refuse(f"The Word document cannot be read ({exc}).") from exc
    elif media_type == XLSX:
        value = _xlsx_text(content)
    elif media_type in (CSV, TXT):
        value = _decode_text(content) or ""
    else:
        raise _refuse(f"No text extraction for {media_type!r}.")
    return value.replace("\x00", "")[:MAX_TEXT_CHARS]


def clean_filename(name: str, media_type: str | None = None) -> str:
    """Return a safe display name: the last path part, no control or quote characters, ≤ 200 chars.

    When ``media_type`` is given and the name's extension does not match it, the right extension
    is appended (``report.exe`` sniffed as PDF is kept as ``report.exe.pdf``).

    >>> clean_filename("../../etc/x.pdf", "application/pdf")
    'x.pdf'
    """
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = re.sub(r'[\x00-\x1f\x7f"<>|*?:]', "", base).strip().strip(".") or "document"
    if media_type in EXTENSIONS and not base.lower().endswith(EXTENSIONS[media_type]):
        base += EXTENSIONS[media_type][0]
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) <= 8 else base[:200]
    return base


def check_scope(scope: str) -> str:
    """Return ``scope`` if it has the form ``kind:ID`` (``case:A-570-893``), else raise ``InputError``."""
    if not isinstance(scope, str) or not SCOPE.match(scope):
        raise InputError(f"Scope {scope!r} is not of the form kind:ID.", field="scope",
                         expected="kind:ID with letters, digits, . _ : / -", example="case:A-570-893")
    return scope


# --------------------------------------------------------------------------- storage

def _info(doc: Document) -> DocumentInfo:
    return DocumentInfo(id=doc.id, sha256=doc.sha256, filename=doc.filename, media_type=doc.media_type,
                        kind=KINDS.get(doc.media_type, doc.media_type), size=doc.size, label=doc.label,
                        scope=doc.scope, title=doc.title, public_version_id=doc.public_version_id,
                        text_chars=len(doc.text or ""), created_at=doc.created_at, created_by=doc.created_by)


def _store_blob(session: Session, sha: str, content: bytes) -> bool:
    """Insert the blob unless its sha256 is stored already; return True when it was new."""
    if session.execute(select(Blob.sha256).where(Blob.sha256 == sha)).first() is not None:
        return False
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        stmt = (sqlite.insert(Blob) if dialect == "sqlite" else postgresql.insert(Blob)).values(
            sha256=sha, size=len(content), content=content).on_conflict_do_nothing(index_elements=["sha256"])
        result = session.execute(stmt)
        return bool(getattr(result, "rowcount", 1))
    session.add(Blob(sha256=sha, size=len(content), content=content))
    session.flush()
    return True


def _has_fts(session: Session) -> bool:
    """Return True on SQLite when the FTS5 index ``documents_fts`` exists (asked each time: a restore may change it)."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    return session.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts'")).first() is not None


def put_document(
    session: Session,
    actor: Principal,
    *,
    content: bytes,
    filename: str,
    label: str,
    scope: str,
    title: str = "",
    public_version_id: int | None = None,
    require_public_version: bool = False,
) -> DocumentInfo:
    """File a document in ``scope`` with ``label``; the bytes are stored once per sha256.

    The size limit (``TRADEPOLICY_MAX_UPLOAD_BYTES``) and the type (sniffed from the content)
    are checked before anything is written. ``public_version_id`` links a confidential document
    to the public version filed in the same scope; ``require_public_version=True`` (a workflow
    rule, e.g. a BCI submission must come with its public version) refuses a confidential
    document without one. One audit entry is written; the caller's transaction commits it.
    """
    label = check_label(label)
    scope = check_scope(scope)
    if not isinstance(content, bytes | bytearray | memoryview):
        raise InputError("Document content must be bytes.", field="content", expected="bytes", example="b'%PDF-1.7'")
    content = bytes(content)
    check_size(len(content), where=filename or "file")
    sha = hashlib.sha256(content).hexdigest()
    # The same bytes filed before: their type and text are known (no second sniff or extraction).
    known = session.execute(select(Document.media_type, Document.text).where(Document.sha256 == sha).limit(1)).first()
    media_type = known[0] if known else sniff_media_type(content, where=clean_filename(filename))
    if is_confidential(label):
        if public_version_id is None and require_public_version:
            raise InputError(f"A {label.upper()} document must name its public version.", field="public_version_id",
                             expected="the id of the public version filed in the same scope",
                             example="--public-version petition-public.pdf")
    elif public_version_id is not None:
        raise InputError("A public document is its own public version; public_version_id is only for BCI, APO "
                         "or restricted documents.", field="public_version_id", expected="no value for a public document")
    if public_version_id is not None:
        pub = session.get(Document, public_version_id) if 0 < public_version_id <= MAX_DOCUMENT_ID else None
        if pub is None or pub.label != "public" or pub.scope != scope:
            raise InputError(f"No public document {public_version_id} in {scope}.", field="public_version_id",
                             expected=f"the id of a public document filed in {scope}", example="12")
    text_value = known[1] if known else extract_text(content, media_type)
    new_blob = _store_blob(session, sha, content)
    name = clean_filename(filename, media_type)
    doc = Document(sha256=sha, filename=name, media_type=media_type, size=len(content), label=label, scope=scope,
                   title=(title or name)[:500], text=text_value, public_version_id=public_version_id,
                   created_at=utcnow(), created_by=actor.name)
    session.add(doc)
    session.flush()
    if _has_fts(session) and text_value:
        session.execute(text("INSERT INTO documents_fts(rowid, text) VALUES (:id, :text)"),
                        {"id": doc.id, "text": text_value})
    shown = {"sha256": sha, "size": len(content), "media_type": media_type, "label": label, "scope": scope,
             "public_version_id": public_version_id, "new_blob": new_blob}
    if not is_confidential(label):
        shown["filename"] = name
    audit.record(session, actor=actor.name, action="file", entity="document", entity_id=str(doc.id),
                 before=None, after=shown)
    return _info(doc)


def _readable(session: Session, principal: Principal, document_id: int) -> Document:
    doc = None
    if isinstance(document_id, int) and 0 < document_id <= MAX_DOCUMENT_ID:
        doc = session.get(Document, document_id)
    if doc is None or not can_read(principal, doc.label, doc.scope):
        raise NotFoundError(f"No document {document_id}.", where=f"/api/documents/{document_id}", field="document_id",
                            expected="the id of a document you may read", example="1")
    return doc


def document_info(session: Session, principal: Principal, document_id: int, *, where: str = "") -> DocumentInfo:
    """Return a document's metadata; NotFound when missing or unreadable; logs a confidential read."""
    doc = _readable(session, principal, document_id)
    log_read(session, principal, entity="document", entity_id=str(doc.id), label=doc.label, scope=doc.scope,
             where=where, action="read")
    return _info(doc)


def get_document(session: Session, principal: Principal, document_id: int, *,
                 where: str = "") -> tuple[DocumentInfo, bytes]:
    """Return a document's metadata and bytes; NotFound when missing or unreadable; logs a confidential read."""
    doc = _readable(session, principal, document_id)
    content = session.execute(select(Blob.content).where(Blob.sha256 == doc.sha256)).scalar_one()
    log_read(session, principal, entity="document", entity_id=str(doc.id), label=doc.label, scope=doc.scope,
             where=where, action="download")
    return _info(doc), bytes(content)


def document_text(session: Session, principal: Principal, document_id: int, *, where: str = "") -> str:
    """Return a document's extracted text; NotFound when missing or unreadable; logs a confidential read."""
    doc = _readable(session, principal, document_id)
    log_read(session, principal, entity="document", entity_id=str(doc.id), label=doc.label, scope=doc.scope,
             where=where, action="read_text")
    return doc.text or ""


def list_documents(session: Session, principal: Principal, scope: str, *, where: str = "") -> list[DocumentInfo]:
    """Return the documents of ``scope`` the principal may read, oldest first.

    Unreadable documents are left out (so the count does not leak them); each confidential
    document listed appends one access-log entry (``action="list"``), as its title is shown.
    """
    rows = session.scalars(select(Document).where(Document.scope == scope).order_by(Document.id)).all()
    out: list[DocumentInfo] = []
    for doc in rows:
        if not can_read(principal, doc.label, doc.scope):
            continue
        log_read(session, principal, entity="document", entity_id=str(doc.id), label=doc.label, scope=doc.scope,
                 where=where, action="list")
        out.append(_info(doc))
    return out


def _snippet(value: str, tokens: list[str], width: int = 90) -> str:
    low = value.lower()
    pos = min((p for p in (low.find(t.lower()) for t in tokens) if p >= 0), default=0)
    start = max(0, pos - width)
    chunk = " ".join(value[start: pos + width].split())
    return ("…" if start else "") + chunk + ("…" if pos + width < len(value) else "")


def search_documents(session: Session, principal: Principal, query: str, *, scope: str | None = None,
                     limit: int = 50, where: str = "") -> list[DocumentHit]:
    """Full-text search over the documents' extracted text, limited to what the principal may read.

    SQLite uses the FTS5 table ``documents_fts`` (every word must occur); other databases fall
    back to a case-insensitive ``LIKE`` on each word. Each confidential hit shown is logged.
    """
    tokens = re.findall(r"\w+", query or "")[:12]
    if not tokens or len(query) > 500:
        raise InputError("A search needs one to twelve words (at most 500 characters).", field="q",
                         expected="words to find in the documents' text", example="q=antidumping shrimp")
    limit = max(1, min(int(limit), 500))
    q = select(Document)
    if _has_fts(session):
        match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        ids = [r[0] for r in session.execute(
            text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q ORDER BY rank LIMIT 5000"),
            {"q": match})]
        if not ids:
            return []
        q = q.where(Document.id.in_(ids))
    else:
        for t in tokens:
            escaped = t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(Document.text.ilike(f"%{escaped}%", escape="\\"))
    if scope is not None:
        q = q.where(Document.scope == scope)
    hits: list[DocumentHit] = []
    for doc in session.scalars(q.order_by(Document.id.desc())):
        if not can_read(principal, doc.label, doc.scope):
            continue
        log_read(session, principal, entity="document", entity_id=str(doc.id), label=doc.label, scope=doc.scope,
                 where=where, action="search")
        hits.append(DocumentHit(document=_info(doc), snippet=_snippet(doc.text or "", tokens)))
        if len(hits) >= limit:
            break
    return hits


# --------------------------------------------------------------------------- shell helpers (own transaction)

def _case_scope(session: Session, case_id: str) -> str:
    if not isinstance(case_id, str) or len(case_id) > 120 or session.get(Proceeding, case_id) is None:
        raise NotFoundError(f"No case {case_id!r}.", where=f"/cases/{case_id}", field="case_id",
                            expected="an existing case id (tradepolicy case list)", example="ds543")
    return f"case:{case_id}"


def attach_to_case(
    case_id: str,
    *,
    actor: Principal,
    content: bytes,
    filename: str,
    label: str,
    title: str = "",
    public_content: bytes | None = None,
    public_filename: str | None = None,
    public_version_id: int | None = None,
    require_public_version: bool = False,
) -> AttachResult:
    """File a document on a case (scope ``case:ID``), with its public version if one is given.

    ``public_content`` files the public version first (label ``public``) and links the document
    to it; ``public_version_id`` links to one already filed. One transaction: a refused file
    stores nothing, the public version included.
    """
    if public_content is not None and public_version_id is not None:
        raise InputError("Give the public version as a file or as an id, not both.", field="public_version_id",
                         expected="one of public file / public_version_id", example="--public-version public.pdf")
    with transaction() as s:
        scope = _case_scope(s, case_id)
        pub = None
        if public_content is not None:
            if not is_confidential(check_label(label)):
                raise InputError("Only a BCI, APO or restricted document has a separate public version.",
                                 field="public_version", expected="--label bci|apo|restricted", example="--label bci")
            # the public version gets its own name: the confidential title may itself be confidential
            pub = put_document(s, actor, content=public_content, filename=public_filename or "public-version",
                               label="public", scope=scope, title="")
            public_version_id = pub.id
        doc = put_document(s, actor, content=content, filename=filename, label=label, scope=scope, title=title,
                           public_version_id=public_version_id, require_public_version=require_public_version)
    return AttachResult(document=doc, public_version=pub)


def case_documents(case_id: str, principal: Principal, *, where: str = "") -> list[DocumentInfo]:
    """Return the documents of a case the principal may read (confidential listings are logged)."""
    with transaction() as s:
        scope = _case_scope(s, case_id)
        return list_documents(s, principal, scope, where=where)


def read_document(principal: Principal, document_id: int, *, where: str = "") -> tuple[DocumentInfo, bytes]:
    """Return a document and its bytes in one transaction with its access-log entry."""
    with transaction() as s:
        return get_document(s, principal, document_id, where=where)


def read_document_info(principal: Principal, document_id: int, *, where: str = "") -> DocumentInfo:
    """Return a document's metadata in one transaction with its access-log entry."""
    with transaction() as s:
        return document_info(s, principal, document_id, where=where)


def find_documents(principal: Principal, query: str, *, scope: str | None = None, limit: int = 50,
                   where: str = "") -> list[DocumentHit]:
    """Search the documents in one transaction (with the access-log entries of confidential hits)."""
    with transaction() as s:
        return search_documents(s, principal, query, scope=scope, limit=limit, where=where)


def stored_counts() -> dict[str, int]:
    """Return how many documents and distinct blobs are stored (for tests and ``db`` reports)."""
    from sqlalchemy import func

    with read_session() as s:
        return {"documents": int(s.scalar(select(func.count()).select_from(Document)) or 0),
                "blobs": int(s.scalar(select(func.count()).select_from(Blob)) or 0)}
