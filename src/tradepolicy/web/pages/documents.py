"""Web pages of the documents domain: the case page's upload form posts here.

The list of a case's documents is shown on the case page (``web/pages/law.py``); downloads
go to ``/api/documents/{id}/content`` (attachment, ``nosniff``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from tradepolicy.api.routes.documents import upload_to_case
from tradepolicy.api.security import requires
from tradepolicy.platform.principal import Principal
from tradepolicy.reports import download_headers, media_type

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/documents")
async def case_document_form(request: Request, case_id: Annotated[str, Path(max_length=120)],
                             principal: Annotated[Principal, requires("documents.write")]) -> Response:
    """File a document from the case page's form, then show the case."""
    res = await upload_to_case(request, case_id, principal)
    return RedirectResponse(f"/cases/{quote(case_id)}?filed={res.document.id}#documents", status_code=303)


def case_report_response(request: Request, case_id: str, fmt: str, principal: Principal) -> Response:
    """Answer ``/cases/ID/report.html`` or ``.pdf``: the case report with its public documents.

    (Served from the case route in ``web/pages/law.py``, whose ``/cases{suffix}`` catches the path.)
    """
    from tradepolicy.reports.cases import render_case_report

    data = render_case_report(case_id, principal, fmt=fmt, where=request.client.host if request.client else "")
    headers = download_headers(f"{case_id}-report.pdf") if fmt == "pdf" else {"X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=media_type(fmt), headers=headers)

