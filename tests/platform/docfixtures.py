"""Small documents made in the test (no data file is committed): PDF, DOCX, XLSX, CSV, TXT."""

from __future__ import annotations

import io
import zipfile


def pdf_bytes(text: str) -> bytes:
    """A real one-page PDF holding ``text`` (rendered by WeasyPrint)."""
    from weasyprint import HTML

    return bytes(HTML(string=f"<p>{text}</p>").write_pdf())


def _entry(name: str) -> zipfile.ZipInfo:
    """A ZIP entry with a fixed date, so the same text gives the same bytes (and sha256)."""
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 2, 3, 4, 5))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def docx_bytes(text: str, *, macro: bool = False) -> bytes:
    """A minimal Word document (the parts Word itself needs) with one paragraph of ``text``."""
    ctype = ("application/vnd.ms-word.document.macroEnabled.main+xml" if macro else
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_entry("[Content_Types].xml"),
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   f'<Override PartName="/word/document.xml" ContentType="{ctype}"/></Types>')
        z.writestr(_entry("_rels/.rels"),
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr(_entry("word/document.xml"),
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f'<w:body><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p><w:p><w:r><w:t>Second &amp; last</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


def xlsx_bytes(text: str) -> bytes:
    """A workbook (openpyxl) with a header row and ``text`` in B2."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["hts", "note"])
    ws.append(["0306.17.00", text])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bytes() -> bytes:
    """A plain ZIP archive (not an Office document)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    return buf.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def zip_bomb_docx() -> bytes:
    """A DOCX whose document.xml expands about 1000 times (refused before anything reads it)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:t>" + b" " * (40 << 20) + b"</w:t>")
    return buf.getvalue()
