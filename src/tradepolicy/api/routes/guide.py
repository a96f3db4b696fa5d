"""/api/guide: ranked full-text search of the guide."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from tradepolicy.api.schemas import GuideAnswer, GuideEntryEnvelope, errors
from tradepolicy.services import guide as svc

router = APIRouter(tags=["guide"])


@router.get("/guide", response_model=GuideAnswer, responses=errors(400))
def ask(
    q: str = Query(..., min_length=1, max_length=500, description="a question, e.g. 'How does USTR negotiate?'"),
    limit: int = Query(5, ge=1, le=50),
) -> dict[str, Any]:
    """Answer a question with the best-matching guide entries."""
    hits = svc.ask(q, limit=limit)
    return {"ok": True, "q": q, "count": len(hits), "results": hits}


@router.get("/guide/entries/{entry_id}", response_model=GuideEntryEnvelope, responses=errors(404))
def entry(entry_id: str) -> dict[str, Any]:
    """One guide entry."""
    return {"ok": True, "entry": svc.get_entry(entry_id)}
