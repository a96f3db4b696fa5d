"""Submitted files: media type sniffed from the content (never from the name), size limit, text.

Accepted: PDF, DOCX, XLSX, CSV and plain text (UTF-8). The docket stores each file as a platform
document (``services.documents`` when present); this module only decides what a file is.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from tradepolicy.errors import InputError

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest accepted submission or attachment (10 MiB)."""

ACCEPTED = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "text/csv": "CSV",
    "text/plain": "TXT",
}


@dataclass(frozen=True, slots=True)
class SniffedFile:
    """A checked file: its name, media type, size and extracted text."""

    filename: str
    media_type: str
    size: int
    text: str


def sniff(content: bytes, filename: str) -> str | None:
    """Return the media type of ``content`` (PDF, DOCX, XLSX, CSV, TXT) or None when unsupported.

    >>> sniff(b"%PDF-1.7 ...", "a.pdf")
    'application/pdf'
    >>> sniff(b"a,b 1,2", "x.csv")
    'text/csv'
    >>> sniff(bytes([137, 80, 78, 71, 0]), "x.png") is None
    True
    """
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return None
    if b"\x00" in content[:4096]:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/csv" if filename.lower().endswith(".csv") else "text/plain"


def extract_text(content: bytes, media_type: str) -> str:
    """Return the searchable text of a file (empty when none can be extracted)."""
    if media_type.startswith("text/"):
        return content.decode("utf-8", errors="replace")
    try:
        if media_type == "application/pdf":
            from pypdf import PdfReader

            return "\n".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages)
        if media_type.endswith("wordprocessingml.document"):
            import re
            import zipfile

            with zipfile.ZipFile(io.BytesIO(content)) as z:  # the w:t text runs of the main part
                xml = z.read("word/document.xml").decode("utf-8", errors="replace")
            return "\n".join(" ".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", para))
                             for para in re.split(r"</w:p>", xml))
        if media_type.endswith("spreadsheetml.sheet"):
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            return "\n".join(" ".join(str(c) for c in row if c is not None)
                             for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
    except Exception:  # a damaged file: stored, but with no searchable text
        return ""
    return ""


def check_file(content: bytes, filename: str, *, field: str = "file", limit: int = MAX_FILE_BYTES) -> SniffedFile:
    """Return the checked file, or raise ``InputError`` naming ``field`` (type or size)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or len(name) > 200:
        raise InputError(f"A file needs a name of 1 to 200 characters (got {filename!r}).", field=field,
                         expected="a file name", example="P_acme_comment.pdf")
    if len(content) > limit:
        raise InputError(f"File {name!r} is {len(content):,} bytes; the limit is {limit:,} bytes.",
                         field=field, expected=f"at most {limit:,} bytes", example="split the exhibits into attachments")
    if not content:
        raise InputError(f"File {name!r} is empty.", field=field, expected="a non-empty file",
                         example="P_acme_comment.pdf")
    media = sniff(content, name)
    if media is None:
        raise InputError(f"File {name!r} is not a supported type (its content is neither PDF, DOCX, XLSX, CSV nor UTF-8 text).",
                         field=field, expected=" | ".join(ACCEPTED.values()), example="P_acme_comment.pdf")
    return SniffedFile(name, media, len(content), extract_text(content, media))
