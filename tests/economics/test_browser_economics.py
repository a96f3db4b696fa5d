"""Browser test, JavaScript off: run an example from /economics, read its chart and table,
download the CSV (Debian chromium driven by Playwright against the real server)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.foundation.test_e2e import add_server_user, server  # noqa: F401  (module fixture: the real server)
from tests.helpers import requires_dataset

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("server"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]


@requires_dataset("baci-shrimp-2018")
def test_run_example_results_page_and_csv_without_javascript(server: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            java_script_enabled=False, accept_downloads=True,
        )
        page = browser.new_page()
        name, password = add_server_user(server, "analyst")  # running and storing a scenario: runs.write
        page.goto(server + "/signin?next=/economics")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", password)
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/economics")
        row = page.locator("tr", has=page.locator("input[name=example][value='shrimp-preference-smart']"))
        row.locator("button[type=submit]").click()
        page.wait_for_url("**/economics/runs/*")
        main = page.inner_text("main")
        assert "Sign convention" in main and "ECU" in main
        assert page.locator("svg.bars rect").count() >= 10             # the chart, server-rendered
        assert page.locator("table th:has-text('iso3')").count() == 1  # the table by country
        page.screenshot(path=str(ARTIFACTS / "economics-run.png"), full_page=True)
        with page.expect_download() as dl:
            page.click("a:has-text('CSV (by country)')")
        csv = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
        assert csv[0].startswith("iso3,imports_base") and any(line.startswith("ECU,") for line in csv)
        browser.close()
