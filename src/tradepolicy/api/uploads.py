"""Multipart uploads read under a size limit, *while* the body arrives.

FastAPI's ``UploadFile`` parameters parse the whole body before the route runs; a route that
takes files calls :func:`read_multipart` instead, which refuses a body larger than the limit
(413 in the error shape) from its ``Content-Length`` before reading, or as soon as the bytes
read pass the limit, and spools file parts to temporary files (not memory) meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from tradepolicy.errors import InputError, PayloadTooLargeError

FORM_SLACK = 64 * 1024
"""Bytes allowed beyond the file limit for the multipart boundaries, headers and text fields."""


@dataclass
class Upload:
    """A parsed multipart form: text fields and files (bytes, each within the limit)."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _too_large(limit: int, where: str) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"The upload is larger than the limit of {limit:,} bytes ({limit / 2**20:.1f} MiB).", where=where,
        field="file", expected=f"at most {limit:,} bytes per file (TRADEPOLICY_MAX_UPLOAD_BYTES)",
        example="split the file, or ask the administrator to raise TRADEPOLICY_MAX_UPLOAD_BYTES")


async def read_multipart(request: Request, *, max_file_bytes: int, max_files: int = 2,
                         max_fields: int = 20) -> Upload:
    """Parse a ``multipart/form-data`` body, refusing it (413) once it exceeds the limit.

    The whole body may hold ``max_files`` files of ``max_file_bytes`` each plus
    :data:`FORM_SLACK`; each file is checked against ``max_file_bytes`` again after parsing.
    """
    where = request.url.path
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise InputError("Send the document as multipart/form-data.", where=where, field="Content-Type",
                         expected="multipart/form-data", example="curl -F file=@petition.pdf -F label=public ...")
    budget = max_files * max_file_bytes + FORM_SLACK
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > budget:
        raise _too_large(max_file_bytes, where)

    async def counted() -> AsyncGenerator[bytes, None]:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > budget:
                raise _too_large(max_file_bytes, where)
            yield chunk

    # A check that ran before the route (the CSRF check of a browser form post reads its token
    # field) may have parsed the form already; Starlette keeps it on the request. The body was
    # then bounded by the server's body limit, and each file is still checked below.
    form = getattr(request, "_form", None)
    if form is None:
        parser = MultiPartParser(request.headers, counted(), max_files=max_files, max_fields=max_fields)
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise InputError(f"The multipart body is malformed: {exc.message}.", where=where, field="body",
                             expected="multipart/form-data with a 'file' part", example="-F file=@petition.pdf") from exc
    elif sum(1 for _, v in form.multi_items() if isinstance(v, UploadFile)) > max_files:
        raise InputError(f"At most {max_files} files per upload.", where=where, field="file",
                         expected=f"at most {max_files} file parts", example="-F file=@petition.pdf")
    out = Upload()
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.size is not None and value.size > max_file_bytes:
                    raise _too_large(max_file_bytes, where)
                data = await value.read(max_file_bytes + 1)
                if len(data) > max_file_bytes:
                    raise _too_large(max_file_bytes, where)
                if data or value.filename:
                    out.files[key] = (value.filename or key, data)
            else:
                out.fields[key] = str(value)[:10_000]
    finally:
        await form.close()
    return out
