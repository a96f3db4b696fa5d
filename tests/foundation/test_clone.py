"""A fresh clone needs nothing outside itself (other than ../shared) to install and run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def sh(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    r = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{args} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="not a git checkout")
def test_fresh_clone_installs_and_runs(tmp_path: Path) -> None:
    clone = tmp_path / "main"
    sh("git", "clone", "-q", str(REPO), str(clone), cwd=tmp_path)
    shared = REPO.parent / "shared"
    if shared.exists():
        (tmp_path / "shared").symlink_to(shared)
    # The Makefile's two commands exist and refer only to paths inside the clone or ../shared.
    makefile = (clone / "Makefile").read_text()
    assert "\nrun:" in makefile and "\ntest:" in makefile
    dry = sh("make", "-n", "run", cwd=clone)
    assert str(REPO) not in dry
    # Build and install the clone's package alone (no deps: they are those of this venv);
    # this fails if a module, migration, template or YAML the package needs is not committed.
    site = tmp_path / "site"
    sh(sys.executable, "-m", "pip", "install", "-q", "--no-deps",
       "--target", str(site), str(clone), cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": str(site),
           "TRADEPOLICY_DATABASE_URL": f"sqlite:///{tmp_path / 'clone.db'}",
           "TRADEPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    code = ("import tradepolicy, sys; assert tradepolicy.__file__.startswith(sys.argv[1]), tradepolicy.__file__;"
            "from tradepolicy.cli import main; sys.argv=['tradepolicy','db','init']; main()")
    sh(sys.executable, "-c", code, str(site), cwd=tmp_path, env=env)
    out = sh(sys.executable, "-c",
             "import sys; from tradepolicy.cli import main; sys.argv=['tradepolicy','agreements','show','usmca','--json']; main()",
             cwd=tmp_path, env=env)
    assert '"implemented": "2020-07-01"' in out
    # The clone's own foundation tests pass against the clone's code.
    env_tests = {**env, "PYTHONPATH": f"{site}{os.pathsep}{clone}"}
    sh(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/foundation/test_reference_loader.py",
       "tests/foundation/test_store.py", cwd=clone, env=env_tests)
