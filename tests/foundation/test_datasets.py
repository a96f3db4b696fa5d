from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from tests.helpers import requires_dataset
from tradepolicy.config import reset_settings
from tradepolicy.datasets import (
    catalog,
    dataset_path,
    dataset_status,
    fetch,
    file_status,
    get_dataset,
)
from tradepolicy.datasets.registry import _load_catalog_text
from tradepolicy.errors import (
    DatasetCorruptError,
    DatasetMissingError,
    FetchError,
    NotFoundError,
    RegistryError,
)

SHARED_MANIFEST = Path(__file__).resolve().parents[3] / "shared" / "data" / "MANIFEST.tsv"


def test_catalog_has_one_entry_per_shared_folder() -> None:
    ids = set(catalog())
    assert {"agtpa", "us-hts", "section301-china", "baci-shrimp-2018", "wiod-zylkin"} <= ids
    for ds in catalog().values():
        assert ds.upstream and ds.licence and ds.citation and ds.files
        assert all(len(f.sha256) == 64 for f in ds.files)


@pytest.mark.skipif(not SHARED_MANIFEST.exists(), reason="shared/data is absent: no manifest to compare")
def test_catalog_matches_manifest() -> None:
    # Source: shared/data/MANIFEST.tsv, the sha256 of every mirrored file.
    rows = [line.split("\t") for line in SHARED_MANIFEST.read_text().splitlines()[1:]]
    manifest = {r[0]: r[2] for r in rows}
    registered = {f"{d.id}/{f.path}": f.sha256 for d in catalog().values() for f in d.files}
    assert registered == manifest


@requires_dataset("hs-nomenclature")
def test_mirror_file_is_verified_and_typed_reader_works() -> None:
    from tradepolicy.datasets.readers.hs import read_hs_nomenclature

    assert file_status("hs-nomenclature", "sections.csv").status == "mirror"
    df = read_hs_nomenclature()
    # PROVENANCE: 6,940 rows with levels 2/4/6, plus one "TOTAL" row at level 5 in the file.
    assert len(df) == 6940 and set(df["level"]) == {2, 4, 5, 6}
    assert (df["level"] == 6).sum() > 5000


def _fake_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> Path:
    mirror = tmp_path / "mirror"
    target = mirror / "gsim-4x4-example" / "gsim_4x4_elasticities.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(content)
    monkeypatch.setenv("TRADEPOLICY_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("TRADEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    reset_settings()
    return target


def test_corrupt_mirror_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _fake_mirror(tmp_path, monkeypatch, b"not the real file\n")
    try:
        assert file_status("gsim-4x4-example", "gsim_4x4_elasticities.csv").status == "corrupt"
        assert dataset_status("gsim-4x4-example") == "corrupt"
        with pytest.raises(DatasetCorruptError) as info:
            dataset_path("gsim-4x4-example", "gsim_4x4_elasticities.csv")
        assert info.value.where == str(target)
        assert info.value.expected == get_dataset("gsim-4x4-example").file("gsim_4x4_elasticities.csv").sha256
    finally:
        reset_settings()


def test_missing_dataset_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEPOLICY_DATA_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setenv("TRADEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    reset_settings()
    try:
        assert dataset_status("agtpa") == "missing"
        with pytest.raises(DatasetMissingError, match=r"TRADEPOLICY_DATA_MIRROR.*tradepolicy data fetch agtpa"):
            dataset_path("agtpa", "reference_coefficients.csv")
    finally:
        reset_settings()


def test_cache_copy_counts_when_mirror_lacks_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = b"a,b\n1,2\n"
    sha = hashlib.sha256(content).hexdigest()
    monkeypatch.setenv("TRADEPOLICY_DATA_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setenv("TRADEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    reset_settings()
    try:
        import tradepolicy.datasets.registry as reg

        text = f"datasets:\n- {{id: tiny, title: t, upstream: u, licence: l, citation: c, files: [{{path: x.csv, bytes: 8, sha256: {sha}}}]}}\n"
        monkeypatch.setattr(reg, "catalog", lambda: _load_catalog_text(text, "test"))
        target = tmp_path / "cache" / "datasets" / "tiny" / "x.csv"
        target.parent.mkdir(parents=True)
        target.write_bytes(content)
        assert reg.file_status("tiny", "x.csv").status == "cache"
        assert reg.dataset_path("tiny", "x.csv") == target
    finally:
        reset_settings()


def test_fetch_without_network_fails_fast_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEPOLICY_CACHE_DIR", str(tmp_path / "cache"))
    reset_settings()
    try:
        start = time.monotonic()
        with pytest.raises(FetchError, match="No file was written"):
            fetch("gegravity-sample", timeout=5)
        assert time.monotonic() - start < 30
        cache = tmp_path / "cache"
        leftovers = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
        assert leftovers == []
    finally:
        reset_settings()


def test_fetch_of_dataset_without_direct_address_says_where() -> None:
    with pytest.raises(FetchError, match="no direct download address"):
        fetch("us-hts")


def test_unknown_dataset() -> None:
    with pytest.raises(NotFoundError, match="Unknown dataset"):
        get_dataset("nope")


def test_catalog_rejects_bad_sha() -> None:
    text = "datasets:\n- {id: x, title: t, upstream: u, licence: l, citation: c, files: [{path: a, bytes: 1, sha256: abc}]}\n"
    with pytest.raises(RegistryError) as info:
        _load_catalog_text(text, "cat.yaml")
    assert info.value.field == "sha256" and "datasets[0].files[0]" in (info.value.where or "")


def test_environment_is_restored() -> None:
    assert os.environ.get("TRADEPOLICY_DATABASE_URL", "").startswith("sqlite:///")


def _reader_params() -> list:
    return [pytest.param(ds.id, spec, id=f"{ds.id}:{spec.split(':')[1]}")
            for ds in catalog().values() for spec in ds.readers]


def test_every_dataset_has_a_registered_reader() -> None:
    assert all(ds.readers for ds in catalog().values())


@pytest.mark.parametrize(("dataset_id", "spec"), _reader_params())
def test_reader_returns_a_frame_whose_columns_are_documented(dataset_id: str, spec: str) -> None:
    """Each reader's docstring names every column it returns (documented columns and units)."""
    import inspect

    import pandas as pd

    from tradepolicy.datasets import is_available, resolve_reader

    if not is_available(dataset_id):
        pytest.skip(f"dataset {dataset_id} is absent from mirror and cache")
    func_name = spec.split(":")[1].split("(")[0]
    module = __import__(spec.split(":")[0], fromlist=[func_name])
    doc = (inspect.getdoc(getattr(module, func_name)) or "") + (inspect.getdoc(module) or "")
    out = resolve_reader(spec)()
    frames = [v for v in (out if isinstance(out, tuple) else (out,)) if isinstance(v, pd.DataFrame)]
    if not frames and isinstance(out, dict):
        assert out, spec
        return
    assert frames, f"{spec} returned {type(out).__name__}, not a frame"
    # A backticked token with "*" documents a family of columns, e.g. ``*_indicator``.
    import re

    families = [re.compile("^" + re.escape(t).replace(r"\*", r"\w*") + "$")
                for t in re.findall(r"`+(\w*\*[\w*]*)`+", doc)]
    for df in frames:
        assert len(df) > 0
        undocumented = [c for c in map(str, df.columns)
                        if c not in doc and not any(f.match(c) for f in families)]
        assert not undocumented, f"{spec}: columns not named in its docstring: {undocumented}"


def test_read_dataset_uses_the_registered_reader() -> None:
    from tradepolicy.datasets import is_available, read_dataset

    if not is_available("ustr-special301"):
        pytest.skip("ustr-special301 absent")
    df = read_dataset("ustr-special301")
    # PROVENANCE: Ukraine was a Priority Foreign Country in 2005, 2013 and 2014.
    pfc = df[df["status"] == "PFC"]
    assert sorted(pfc["year"]) == [2005, 2013, 2014] and set(pfc["country"]) == {"Ukraine"}
    with pytest.raises(NotFoundError):
        read_dataset("ustr-special301", reader=5)
