"""/api documents: file a document on a case, read its metadata, download it, search.

Routes parse, call ``tradepolicy.services.documents`` and answer; the service decides what the
principal may read (an unreadable document is a 404, exactly like a missing one) and logs each
confidential read with the client's address.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tradepolicy.api.schemas import (  # the one error shape (one OpenAPI component)
    ErrorOut,
)
from tradepolicy.api.security import current_principal, requires
from tradepolicy.api.uploads import read_multipart
from tradepolicy.errors import InputError
from tradepolicy.platform.principal import Principal
from tradepolicy.services import documents as svc

router = APIRouter(tags=["documents"])

DocumentId = Annotated[int, Path(ge=1, le=svc.MAX_DOCUMENT_ID, description="Document id")]
CaseId = Annotated[str, Path(max_length=120, description="Case id, e.g. ds543")]
Viewer = Annotated[Principal, Depends(current_principal)]
Filer = Annotated[Principal, requires("documents.write")]


class DocumentOut(BaseModel):
    """A filed document's metadata (never its content)."""

    id: int
    sha256: str = Field(description="sha256 of the content (blobs are stored once per sha256)")
    filename: str
    media_type: str = Field(description="Sniffed from the content")
    kind: str = Field(description="PDF | DOCX | XLSX | CSV | TXT")
    size: int
    label: str = Field(description="public | bci | apo | restricted")
    scope: str = Field(description="e.g. case:ds543")
    title: str
    public_version_id: int | None = Field(None, description="The public version of a confidential document")
    text_chars: int = Field(description="Characters of text extracted for search")
    created_at: dt.datetime
    created_by: str
    content_url: str


class DocumentResponse(BaseModel):
    """``GET /api/documents/{id}``."""

    ok: bool = True
    document: DocumentOut


class AttachOut(BaseModel):
    """``POST /api/cases/{id}/documents``: the document, and its public version if filed with it."""

    ok: bool = True
    document: DocumentOut
    public_version: DocumentOut | None = None


class DocumentListOut(BaseModel):
    """The documents of a case that the caller may read."""

    ok: bool = True
    count: int
    documents: list[DocumentOut]


class HitOut(BaseModel):
    """A search hit: the document and an excerpt around the first match."""

    document: DocumentOut
    snippet: str


class SearchOut(BaseModel):
    """Search results the caller may read."""

    ok: bool = True
    count: int
    hits: list[HitOut]


E = {
    400: {"model": ErrorOut, "description": "Bad input (type refused, bad label, bad link)"},
    401: {"model": ErrorOut, "description": "Not signed in"},
    403: {"model": ErrorOut, "description": "Role lacks the permission"},
    404: {"model": ErrorOut, "description": "No such document or case (or not readable by the caller)"},
    413: {"model": ErrorOut, "description": "Larger than TRADEPOLICY_MAX_UPLOAD_BYTES"},
    422: {"model": ErrorOut, "description": "Invalid parameter"},
}


def _err(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: E[c] for c in codes}


def document_out(info: svc.DocumentInfo) -> DocumentOut:
    """Return the API model of a document."""
    return DocumentOut(**{k: v for k, v in info.to_dict().items() if k != "created_at"},
                       created_at=info.created_at, content_url=f"/api/documents/{info.id}/content")


def client(request: Request) -> str:
    """Return the client address for the access log."""
    return request.client.host if request.client else ""


def content_disposition(filename: str) -> str:
    """Return an ``attachment`` Content-Disposition with an ASCII fallback and the UTF-8 name."""
    from tradepolicy.reports import download_headers

    return download_headers(filename)["Content-Disposition"]


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file", "label"],
            "properties": {
                "file": {"type": "string", "format": "binary", "description": "PDF, DOCX, XLSX, CSV or TXT"},
                "label": {"type": "string", "enum": ["public", "bci", "apo", "restricted"]},
                "title": {"type": "string", "maxLength": 500},
                "public_file": {"type": "string", "format": "binary",
                                "description": "The public version of a confidential document"},
                "public_version_id": {"type": "integer", "description": "Or: id of a public document already filed"},
            }}}},
    }
}


async def upload_to_case(request: Request, case_id: str, principal: Principal) -> svc.AttachResult:
    """Read a multipart upload under the size limit and file it on the case (shared by the page form)."""
    limit = svc.max_upload_bytes()
    form = await read_multipart(request, max_file_bytes=limit, max_files=2)
    if "file" not in form.files:
        raise InputError("The upload has no 'file' part.", where=request.url.path, field="file",
                         expected="a multipart part named 'file'", example="-F file=@petition.pdf")
    filename, content = form.files["file"]
    pub_name, pub_content = form.files.get("public_file", (None, None))
    pv = (form.fields.get("public_version_id") or "").strip()
    if pv and (not pv.isdigit() or len(pv) > 10 or not 0 < int(pv) <= svc.MAX_DOCUMENT_ID):
        raise InputError(f"public_version_id {pv[:20]!r} is not a document id.", field="public_version_id",
                         expected=f"an integer from 1 to {svc.MAX_DOCUMENT_ID}", example="12")
    return await run_in_threadpool(
        svc.attach_to_case, case_id, actor=principal, content=content, filename=filename,
        label=form.fields.get("label", ""), title=form.fields.get("title", "")[:500],
        public_content=pub_content, public_filename=pub_name,
        public_version_id=int(pv) if pv else None)


@router.post("/cases/{case_id}/documents", status_code=201, response_model=AttachOut,
             responses=_err(400, 401, 403, 404, 413, 422), openapi_extra=_UPLOAD_BODY)
async def attach(request: Request, case_id: CaseId, principal: Filer) -> AttachOut:
    """File a document on a case (multipart: file, label, optional title and public version)."""
    res = await upload_to_case(request, case_id, principal)
    return AttachOut(document=document_out(res.document),
                     public_version=document_out(res.public_version) if res.public_version else None)


@router.get("/cases/{case_id}/documents", response_model=DocumentListOut, dependencies=[requires("public.read")],
            responses=_err(404, 422))
def case_documents(request: Request, case_id: CaseId,
                   principal: Viewer) -> DocumentListOut:
    """List the documents of a case that the caller may read."""
    docs = svc.case_documents(case_id, principal, where=client(request))
    return DocumentListOut(count=len(docs), documents=[document_out(d) for d in docs])


@router.get("/documents/search", response_model=SearchOut, dependencies=[requires("public.read")],
            responses=_err(400, 422))
def search(request: Request, principal: Viewer, q: Annotated[str, Query(min_length=1, max_length=500)],
           scope: Annotated[str | None, Query(max_length=200)] = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> SearchOut:
    """Search the text of the documents the caller may read."""
    hits = svc.find_documents(principal, q, scope=scope, limit=limit, where=client(request))
    return SearchOut(count=len(hits), hits=[HitOut(document=document_out(h.document), snippet=h.snippet)
                                             for h in hits])


@router.get("/documents/{document_id}", response_model=DocumentResponse, dependencies=[requires("public.read")],
            responses=_err(404, 422))
def document(request: Request, document_id: DocumentId,
             principal: Viewer) -> DocumentResponse:
    """Return a document's metadata (404 when missing or not readable by the caller)."""
    return DocumentResponse(document=document_out(svc.read_document_info(principal, document_id,
                                                                         where=client(request))))


@router.get("/documents/{document_id}/content", response_class=Response, dependencies=[requires("public.read")],
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "The file, as an attachment with its sniffed media type"},
                       **_err(404, 422)})
def document_content(request: Request, document_id: DocumentId,
                     principal: Viewer) -> Response:
    """Download a document (attachment, sniffed media type, ``nosniff``)."""
    info, content = svc.read_document(principal, document_id, where=client(request))
    headers = {"Content-Disposition": content_disposition(info.filename), "X-Content-Type-Options": "nosniff",
               "Cache-Control": "private, no-store" if info.label != "public" else "public, max-age=300",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    return Response(content, media_type=info.media_type, headers=headers)
