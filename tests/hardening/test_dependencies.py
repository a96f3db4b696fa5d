"""Dependencies (issue 9): a lock file used by make, bounds, extras, no duplicates."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
LOCK = (REPO / "requirements" / "test.lock").read_text()


def _name(req: str) -> str:
    return re.split(r"[\s<>=!~\[;]", req, maxsplit=1)[0].lower().replace("_", "-")


def _pins() -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", LOCK, re.M)}


def test_every_dependency_is_pinned_with_hashes() -> None:
    pins = _pins()
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"],
              *project["optional-dependencies"]["postgres"], *project["optional-dependencies"]["dask"]]
    missing = [r for r in wanted if not r.startswith("tradepolicy") and _name(r) not in pins]
    assert not missing, f"not in requirements/test.lock (run `make lock`): {missing}"
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", LOCK)
    unhashed = [b.split("==")[0] for b in blocks[1:] if "--hash=sha256:" not in b]
    assert not unhashed, unhashed
    assert "file://" not in LOCK and "/tmp/" not in LOCK  # nothing machine-specific


def test_make_installs_from_the_lock() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile and "LOCK := requirements/test.lock" in makefile


def test_bounds_extras_and_no_duplicates() -> None:
    project = PYPROJECT["project"]
    runtime = {_name(r): r for r in project["dependencies"]}
    for pkg in ("pandas", "pyfixest", "numpy"):
        assert "<" in runtime[pkg], f"{pkg} needs an upper bound: {runtime[pkg]}"
    assert "dask" not in runtime, "Dask is the optional extra `dask`"
    extras = project["optional-dependencies"]
    every = [r for group in (project["dependencies"], *extras.values()) for r in group]
    assert sum(_name(r) == "psycopg" for r in every) == 1, "psycopg is listed once (the postgres extra)"
    test = {_name(r) for r in extras["test"]}
    assert not test & {"ruff", "mypy", "pandas-stubs", "types-pyyaml"}, "lint/type tools belong in `dev`"
    assert {"ruff", "mypy"} <= {_name(r) for r in extras["dev"]}
    for unused in ("duckdb", "httpx"):
        assert unused not in runtime, f"{unused} is not used at run time"
    # openpyxl is used at run time since the documents work (XLSX text extraction in
    # services/documents.py) and the remedies .xlsx input: a runtime dependency, bounded.
    assert "<" in runtime["openpyxl"], f"openpyxl needs an upper bound: {runtime['openpyxl']}"
