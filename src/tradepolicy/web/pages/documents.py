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

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/documents")
async def case_document_form(request: Request, case_id: Annotated[str, Path(max_length=120)],
                             principal: Annotated[Principal, requires("documents.write")]) -> Response:
    """File a document from the case page's form, then show the case."""
    res = await upload_to_case(request, case_id, principal)
    return RedirectResponse(f"/cases/{quote(case_id)}?filed={res.document.id}#documents", status_code=303)
