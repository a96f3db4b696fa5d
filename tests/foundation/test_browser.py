"""Browser test: Debian chromium driven by Playwright opens the dashboard and the USMCA page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.foundation.test_e2e import server  # noqa: F401  (module fixture: the real server)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("server"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_dashboard_and_usmca_in_chromium(server: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
        )
        page = browser.new_page()
        page.goto(server + "/")
        assert "Trade policy workbench" in page.inner_text("h1")
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.click("a[href='/agreements']")
        page.wait_for_url("**/agreements")
        page.click("a[href='/agreements/usmca']")
        page.wait_for_url("**/agreements/usmca")
        assert "2020-07-01" in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / "usmca.png"), full_page=True)
        page.goto(server + "/guide")
        page.fill("input[name=q]", "What are USTR's enforcement priorities?")
        page.click("button:has-text('Ask')")
        page.wait_for_selector("#guide-results article")
        assert page.locator("#guide-results article").count() >= 1
        browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 5000
