"""Shared fixtures: an isolated database and cache per test worker, and dataset skips."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# Before tradepolicy reads its settings: the mirror, when the shared data are beside the repo.
if "TRADEPOLICY_DATA_MIRROR" not in os.environ and (SHARED_DATA / "MANIFEST.tsv").exists():
    os.environ["TRADEPOLICY_DATA_MIRROR"] = str(SHARED_DATA)


def _point_at(root: Path) -> str:
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines

    url = f"sqlite:///{root / 'tradepolicy.db'}"
    os.environ["TRADEPOLICY_DATABASE_URL"] = url
    os.environ["TRADEPOLICY_CACHE_DIR"] = str(root / "cache")
    os.environ["TRADEPOLICY_USER"] = "pytest"
    dispose_engines()
    reset_settings()
    return url


@pytest.fixture(scope="session", autouse=True)
def _session_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every test worker gets its own SQLite database with the registry loaded."""
    from tradepolicy.services.registry import init_database

    url = _point_at(tmp_path_factory.mktemp("tradepolicy"))
    init_database()
    yield url


@pytest.fixture
def fresh_db(tmp_path: Path, _session_db: str) -> Iterator[str]:
    """A new, initialised database for tests that change what is stored."""
    from tradepolicy.services.registry import init_database

    url = _point_at(tmp_path)
    init_database()
    yield url
    _point_at(Path(_session_db.removeprefix("sqlite:///")).parent)


@pytest.fixture
def client_as():  # type: ignore[no-untyped-def]
    """Factory: ``client_as("analyst", grants=[("bci", "case:X")], session=False)`` -> a signed-in TestClient."""
    from tests.helpers import client_as as factory

    return factory
