"""Dataset status, verification and fetch, for the shells."""

from __future__ import annotations

from tradepolicy.datasets import catalog, dataset_status, fetch, file_status
from tradepolicy.services.typed import ServiceModel


class DatasetInfo(ServiceModel):
    """A registered dataset and its status (mirror / cache / missing / corrupt)."""

    id: str
    title: str
    status: str
    files: int
    bytes: int
    licence: str
    upstream: str
    citation: str
    readers: list[str]


class FileCheck(ServiceModel):
    """One registered file's sha256 check."""

    dataset: str
    path: str
    status: str
    location: str | None
    sha256: str


def list_datasets() -> list[DatasetInfo]:
    """Return each registered dataset with its status: mirror / cache / missing / corrupt."""
    return [
        DatasetInfo(
            id=ds.id,
            title=ds.title,
            status=dataset_status(ds.id),
            files=len(ds.files),
            bytes=sum(f.bytes for f in ds.files),
            licence=ds.licence,
            upstream=ds.upstream,
            citation=ds.citation,
            readers=list(ds.readers),
        )
        for ds in catalog().values()
    ]


def verify_all() -> list[FileCheck]:
    """Check every registered file's sha256; return one row per file."""
    rows = []
    for ds in catalog().values():
        for f in ds.files:
            st = file_status(ds.id, f.path)
            rows.append(FileCheck(dataset=ds.id, path=f.path, status=st.status,
                                  location=st.location, sha256=f.sha256))
    return rows


def fetch_dataset(dataset_id: str) -> list[str]:
    """Download a dataset into the cache (verified); return the paths written."""
    return [str(p) for p in fetch(dataset_id)]
