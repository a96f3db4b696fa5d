"""/api/datasets: the dataset registry and its status."""

from __future__ import annotations

from fastapi import APIRouter

from tradepolicy.api.schemas import DatasetList, errors
from tradepolicy.api.security import requires
from tradepolicy.services import datasets as svc

router = APIRouter(tags=["datasets"])


@router.get("/datasets", dependencies=[requires("public.read")], response_model=DatasetList, responses=errors())
def list_datasets() -> DatasetList:
    """Each dataset with its status: mirror / cache / missing / corrupt."""
    rows = svc.list_datasets()
    return DatasetList(count=len(rows), datasets=rows)
