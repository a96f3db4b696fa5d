"""Dataset status, verification and fetch, for the shells."""

from __future__ import annotations

from typing import Any

from tradepolicy.datasets import catalog, dataset_status, fetch, file_status


def list_datasets() -> list[dict[str, Any]]:
    """Return each registered dataset with its status: mirror / cache / missing / corrupt."""
    return [
        {
            "id": ds.id,
            "title": ds.title,
            "status": dataset_status(ds.id),
            "files": len(ds.files),
            "bytes": sum(f.bytes for f in ds.files),
            "licence": ds.licence,
            "upstream": ds.upstream,
            "citation": ds.citation,
            "readers": list(ds.readers),
        }
        for ds in catalog().values()
    ]


def verify_all() -> list[dict[str, Any]]:
    """Check every registered file's sha256; return one row per file."""
    rows = []
    for ds in catalog().values():
        for f in ds.files:
            st = file_status(ds.id, f.path)
            rows.append({"dataset": ds.id, "path": f.path, "status": st.status,
                         "location": st.location, "sha256": f.sha256})
    return rows


def fetch_dataset(dataset_id: str) -> list[str]:
    """Download a dataset into the cache (verified); return the paths written."""
    return [str(p) for p in fetch(dataset_id)]
