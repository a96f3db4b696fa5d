"""The dataset registry: what each external dataset is, where it comes from, and its checksums.

A dataset is read from the offline mirror (``TRADEPOLICY_DATA_MIRROR``, laid out like
``shared/data``) or from the download cache (``TRADEPOLICY_CACHE_DIR``). Every file is
identified by its sha256; a file whose checksum does not match is never read.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml

from tradepolicy.config import get_settings
from tradepolicy.errors import (
    DatasetCorruptError,
    DatasetMissingError,
    FetchError,
    NotFoundError,
    RegistryError,
)
from tradepolicy.literals import DatasetStatus


@dataclass(frozen=True, slots=True)
class DatasetFile:
    """One file of a dataset: its path inside the dataset folder, size in bytes and sha256."""

    path: str
    bytes: int
    sha256: str
    url: str | None = None

    @property
    def is_doc(self) -> bool:
        """True for curation notes (PROVENANCE, README, LICENSE): not needed to use the data."""
        name = self.path.rsplit("/", 1)[-1].upper()
        return name.endswith(".MD") or name.startswith(("LICENSE", "README"))


@dataclass(frozen=True, slots=True)
class Dataset:
    """A registered dataset: identity, provenance and files."""

    id: str
    title: str
    upstream: str
    licence: str
    citation: str
    files: tuple[DatasetFile, ...]
    readers: tuple[str, ...] = ()

    def file(self, path: str) -> DatasetFile:
        """Return the registered file ``path`` of this dataset."""
        for f in self.files:
            if f.path == path:
                return f
        raise NotFoundError(
            f"Dataset {self.id!r} has no file {path!r}.",
            field="path",
            expected="one of " + ", ".join(f.path for f in self.files),
            example=self.files[0].path,
        )


@dataclass(frozen=True, slots=True)
class FileStatus:
    """Where a dataset file was found and whether its checksum holds."""

    dataset: str
    path: str
    status: DatasetStatus
    location: str | None


_REQUIRED = ("id", "title", "upstream", "licence", "citation", "files")


def _load_catalog_text(text: str, source: str) -> dict[str, Dataset]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"Dataset catalog is not valid YAML: {exc}", where=source) from exc
    out: dict[str, Dataset] = {}
    for i, entry in enumerate(raw.get("datasets", [])):
        for key in _REQUIRED:
            if key not in entry:
                raise RegistryError(
                    f"Dataset entry {i} lacks {key!r}.",
                    where=f"{source}: datasets[{i}]",
                    field=key,
                    expected="a string (files: a list of {path, bytes, sha256})",
                    example="id: agtpa",
                )
        files = []
        for j, f in enumerate(entry["files"]):
            sha = str(f.get("sha256", ""))
            if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                raise RegistryError(
                    "A dataset file's sha256 is not 64 lowercase hex digits.",
                    where=f"{source}: datasets[{i}].files[{j}]",
                    field="sha256",
                    expected="64 lowercase hex digits",
                    example="e589fa44...ca5 (64 characters)",
                )
            files.append(DatasetFile(str(f["path"]), int(f["bytes"]), sha, f.get("url")))
        out[entry["id"]] = Dataset(
            id=entry["id"],
            title=entry["title"],
            upstream=entry["upstream"],
            licence=entry["licence"],
            citation=entry["citation"],
            files=tuple(files),
            readers=tuple(entry.get("readers", ())),
        )
    return out


@cache
def catalog() -> dict[str, Dataset]:
    """Return every registered dataset, keyed by id."""
    text = resources.files("tradepolicy.datasets").joinpath("catalog.yaml").read_text("utf-8")
    return _load_catalog_text(text, "tradepolicy/datasets/catalog.yaml")


def get_dataset(dataset_id: str) -> Dataset:
    """Return the registered dataset ``dataset_id``."""
    cat = catalog()
    if dataset_id not in cat:
        raise NotFoundError(
            f"Unknown dataset {dataset_id!r}.",
            field="dataset",
            expected="one of " + ", ".join(sorted(cat)),
            example="agtpa",
        )
    return cat[dataset_id]


def sha256_of(path: Path, *, chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of the file at ``path``."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _candidates(dataset_id: str, path: str) -> list[tuple[DatasetStatus, Path]]:
    settings = get_settings()
    out: list[tuple[DatasetStatus, Path]] = []
    if settings.data_mirror is not None:
        out.append(("mirror", Path(settings.data_mirror) / dataset_id / path))
    out.append(("cache", Path(settings.cache_dir) / "datasets" / dataset_id / path))
    return out


@cache
def _verified(path: str, mtime_ns: int, size: int, sha: str) -> bool:
    return sha256_of(Path(path)) == sha


def file_status(dataset_id: str, path: str) -> FileStatus:
    """Return where the file is and whether its sha256 matches (mirror first, then cache)."""
    f = get_dataset(dataset_id).file(path)
    corrupt: Path | None = None
    for status, candidate in _candidates(dataset_id, path):
        if candidate.is_file():
            st = candidate.stat()
            if _verified(str(candidate), st.st_mtime_ns, st.st_size, f.sha256):
                return FileStatus(dataset_id, path, status, str(candidate))
            corrupt = corrupt or candidate
    if corrupt is not None:
        return FileStatus(dataset_id, path, "corrupt", str(corrupt))
    return FileStatus(dataset_id, path, "missing", None)


def dataset_status(dataset_id: str) -> DatasetStatus:
    """Return the worst status over a dataset's files: corrupt > missing > cache > mirror."""
    order: dict[DatasetStatus, int] = {"mirror": 0, "cache": 1, "missing": 2, "corrupt": 3}
    statuses = [file_status(dataset_id, f.path).status for f in get_dataset(dataset_id).files
                if not f.is_doc]
    return max(statuses, key=lambda s: order[s])


def how_to_get(dataset_id: str) -> str:
    """Return the sentence that tells a user how to obtain a dataset."""
    ds = get_dataset(dataset_id)
    return (
        f"Point TRADEPOLICY_DATA_MIRROR at a folder holding {dataset_id}/ "
        f"(e.g. ../shared/data), or run `tradepolicy data fetch {dataset_id}` "
        f"(upstream: {ds.upstream})."
    )


def dataset_path(dataset_id: str, path: str) -> Path:
    """Return the verified local path of a dataset file.

    Raises
    ------
    DatasetMissingError
        The file is in neither the mirror nor the cache; the message says how to get it.
    DatasetCorruptError
        The file exists but its sha256 does not match the registry.
    """
    st = file_status(dataset_id, path)
    if st.status == "missing":
        raise DatasetMissingError(
            f"Dataset file {dataset_id}/{path} is not available. {how_to_get(dataset_id)}",
            field="dataset",
            expected="a mirror or cached copy with the registered sha256",
            example="TRADEPOLICY_DATA_MIRROR=../shared/data",
        )
    if st.status == "corrupt":
        expected = get_dataset(dataset_id).file(path).sha256
        raise DatasetCorruptError(
            f"Dataset file {st.location} does not match its registered sha256.",
            where=st.location,
            field="sha256",
            expected=expected,
            example=f"sha256sum {st.location}",
        )
    assert st.location is not None
    return Path(st.location)


_READER = re.compile(r"^(?P<module>[\w.]+):(?P<func>\w+)(?:\((?P<arg>[\w./-]*)\))?$")


def resolve_reader(spec: str) -> Callable[[], Any]:
    """Return a zero-argument callable for a catalog reader spec ``module:function[(arg)]``."""
    m = _READER.match(spec)
    if m is None:
        raise RegistryError(
            f"Malformed reader spec {spec!r}.", field="readers",
            expected="module:function or module:function(arg)",
            example="tradepolicy.datasets.readers.hts:read_hts_edition(2025)",
        )
    func = getattr(importlib.import_module(m["module"]), m["func"])
    arg = m["arg"]
    if arg is None or arg == "":
        return cast(Callable[[], Any], func)
    value: Any = int(arg) if arg.isdigit() else arg
    return lambda: func(value)


def read_dataset(dataset_id: str, reader: int = 0) -> Any:
    """Read a dataset with its registered reader (the first by default): a typed frame."""
    ds = get_dataset(dataset_id)
    if not ds.readers:
        raise NotFoundError(f"Dataset {dataset_id!r} has no registered reader.", field="dataset")
    if not 0 <= reader < len(ds.readers):
        raise NotFoundError(f"Dataset {dataset_id!r} has {len(ds.readers)} reader(s).", field="reader",
                            expected=f"0..{len(ds.readers) - 1}", example="0")
    return resolve_reader(ds.readers[reader])()


def is_available(dataset_id: str, path: str | None = None) -> bool:
    """Return True when the dataset (or one file of it) is present and verified."""
    if path is not None:
        return file_status(dataset_id, path).status in ("mirror", "cache")
    return dataset_status(dataset_id) in ("mirror", "cache")


def fetch(dataset_id: str, *, timeout: float = 10.0) -> list[Path]:
    """Download every file of a dataset into the cache and verify its sha256.

    A file is written to a temporary name and moved into place only once its checksum
    holds, so a failed download leaves no partial file.
    """
    ds = get_dataset(dataset_id)
    cache_root = Path(get_settings().cache_dir) / "datasets" / dataset_id
    written: list[Path] = []
    data_files = [f for f in ds.files if not f.is_doc]
    for f in data_files:
        if f.url is None:
            raise FetchError(
                f"File {dataset_id}/{f.path} has no direct download address; "
                f"get it from {ds.upstream} and place it in {cache_root}. No file was written.",
                field="url",
                expected="a registered download URL",
                example=ds.upstream,
            )
    for f in data_files:
        assert f.url is not None
        target = cache_root / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(f.url, timeout=timeout) as resp:
                while block := resp.read(1 << 20):
                    out.write(block)
            got = sha256_of(tmp)
            if got != f.sha256:
                raise DatasetCorruptError(
                    f"Downloaded {f.url} but its sha256 is {got}.",
                    where=f.url,
                    field="sha256",
                    expected=f.sha256,
                )
            tmp.replace(target)
            written.append(target)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise FetchError(
                f"Could not download {f.url}: {exc}. No file was written. "
                f"Without network access, use an offline mirror: {how_to_get(dataset_id)}",
                where=f.url,
            ) from exc
        finally:
            if tmp.exists():
                tmp.unlink()
    return written
