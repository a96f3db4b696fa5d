"""Browser test: Debian chromium (Playwright) walks the barrier registry, the NTE, Special 301 and TFA pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("server"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a database with the seeds and the illustrative TFA example loaded by the CLI."""
    from tests.foundation.test_e2e import free_port

    root = tmp_path_factory.mktemp("promote-serve")
    env = {**os.environ, "TRADEPOLICY_DATABASE_URL": f"sqlite:///{root / 'serve.db'}",
           "TRADEPOLICY_CACHE_DIR": str(root / "cache")}
    exe = str(Path(sys.executable).with_name("tradepolicy"))
    subprocess.run([exe, "db", "init"], env=env, check=True, capture_output=True)
    subprocess.run([exe, "tfa", "example"], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/api/agreements", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_promote_pages_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                       headless=True, args=FLAGS)
        page = browser.new_page()
        page.goto(server + "/barriers")
        page.fill("input[name=partner]", "JPN")
        page.click("button:has-text('Filter')")
        page.wait_for_url("**/barriers?partner=JPN**")
        assert page.locator("#barriers tbody tr").count() == 5
        page.click("a[href='/barriers/NTE25-JPN-01']")
        page.wait_for_url("**/barriers/NTE25-JPN-01")
        assert "rice" in page.inner_text("#public-summary").lower()
        assert page.inner_text("#coverage").strip()
        page.screenshot(path=str(ARTIFACTS / "promote-barrier.png"), full_page=True)
        page.goto(server + "/nte?year=2026")
        assert page.locator("#chapters tbody tr").count() >= 5
        page.click("#nte-html")
        page.wait_for_load_state()
        assert "Contents" in page.content() and "Trade summary" in page.content()
        page.goto(server + "/special301")
        page.fill("input[name=country]", "UKR")
        page.click("button:has-text('Filter')")
        page.click("#history-link")
        page.wait_for_url("**/special301/UKR")
        assert page.locator("#chart svg").count() == 1
        page.goto(server + "/tfa")
        page.click("a[href='/tfa/XEB']")
        page.wait_for_url("**/tfa/XEB")
        assert "%" in page.inner_text("#rate")
        page.screenshot(path=str(ARTIFACTS / "promote-tfa.png"), full_page=True)
        browser.close()
