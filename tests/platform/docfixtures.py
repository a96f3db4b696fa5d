"""Small documents made in the test (no data file is committed): PDF, DOCX, XLSX, CSV, TXT."""

from __future__ import annotations

import io
import zipfile


def pdf_bytes(text: str) -> bytes:
    """A minimal valid one-page PDF 1.4 showing ``text`` in Helvetica (written by hand, xref included)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 712 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


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
