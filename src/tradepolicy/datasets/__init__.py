"""Dataset registry, mirror and readers.

Typed readers live in ``tradepolicy.datasets.readers``, one module per dataset family.
"""

from tradepolicy.datasets.registry import (
    Dataset,
    DatasetFile,
    FileStatus,
    catalog,
    dataset_path,
    dataset_status,
    fetch,
    file_status,
    get_dataset,
    how_to_get,
    is_available,
    read_dataset,
    resolve_reader,
)

__all__ = [
    "Dataset",
    "DatasetFile",
    "FileStatus",
    "catalog",
    "dataset_path",
    "dataset_status",
    "fetch",
    "file_status",
    "get_dataset",
    "how_to_get",
    "is_available",
    "read_dataset",
    "resolve_reader",
]
