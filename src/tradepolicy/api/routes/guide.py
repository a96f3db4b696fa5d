"""/api/guide: ranked full-text search of the guide."""

from __future__ import annotations

from fastapi import APIRouter, Query

from tradepolicy.api.schemas import GuideEntryEnvelope, errors
from tradepolicy.api.security import requires
from tradepolicy.services import guide as svc
from tradepolicy.services.guide import GuideReply

router = APIRouter(tags=["guide"])


@router.get("/guide", dependencies=[requires("public.read")], response_model=GuideReply,
            responses=errors(401, 403))
def ask(
    q: str = Query(..., min_length=1, max_length=500, description="a question, e.g. 'How does USTR negotiate?'"),
    limit: int = Query(5, ge=1, le=50),
) -> GuideReply:
    """Answer a question with the best-matching guide entries, or say that the guide does not cover it."""
    return svc.answer(q, limit=limit).reply()


@router.get("/guide/entries/{entry_id}", dependencies=[requires("public.read")], response_model=GuideEntryEnvelope, responses=errors(404))
def entry(entry_id: str) -> GuideEntryEnvelope:
    """One guide entry."""
    return GuideEntryEnvelope(entry=svc.get_entry(entry_id))
