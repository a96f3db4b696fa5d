"""Browser (Debian chromium via Playwright): the public docket page, a submission form with a BCI version
refused for a leak then accepted, posting, search and export; an exclusion granted and seen in the duty
stack page; the Congress page; restricted clearance pages hide what the visitor has no grant for."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.coordination.conftest import BCI_TEXT, LEAKY_TEXT, PUBLIC_TEXT
from tests.foundation.test_e2e import free_port
from tests.helpers import requires_dataset

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCKET = "USTR-2026-0301"
pytestmark = [
    pytest.mark.browser, pytest.mark.xdist_group("server"), requires_dataset("us-hts"),
    requires_dataset("section301-china"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("coordination-serve")
    env = {**os.environ, "TRADEPOLICY_DATABASE_URL": f"sqlite:///{root / 'serve.db'}",
           "TRADEPOLICY_CACHE_DIR": str(root / "cache")}
    exe = str(Path(sys.executable).with_name("tradepolicy"))

    def cli(*args: str) -> str:
        r = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    cli("db", "init")
    cli("docket", "open", DOCKET, "--title", "Browser test review", "--procedure", "comment_docket",
        "--opens", dt.date.today().isoformat())
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-init"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/dockets", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        env["_cli"] = exe
        yield base, env
    finally:
        proc.terminate()
        proc.wait(10)


def _cli(env: dict[str, str], *args: str) -> str:
    r = subprocess.run([env["_cli"], *args], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_docket_submission_post_search_export_in_chromium(site: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, env = site
    for name, text in (("P_acme.txt", PUBLIC_TEXT), ("BCI_acme.txt", BCI_TEXT), ("P_leaky.txt", LEAKY_TEXT)):
        (tmp_path / name).write_text(text)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                       headless=True, args=FLAGS)
        page = browser.new_page()
        page.goto(base + "/dockets")
        page.click(f"a[href='/dockets/{DOCKET}']")
        page.wait_for_url(f"**/dockets/{DOCKET}")
        assert "docket.comments" in page.inner_text("main") and "UNCONFIRMED" in page.inner_text("main")
        page.click("text=Submit a comment")
        # a BCI version whose public version leaks a bracketed item: refused, overlap shown, nothing stored
        page.fill("input[name=commenter]", "Acme Valves")
        page.select_option("select[name=commenter_type]", "company")
        page.fill("input[name=hts]", "8481.80.10")
        page.fill("input[name=countries]", "CHN")
        page.set_input_files("input[name=file]", str(tmp_path / "P_leaky.txt"))
        page.set_input_files("input[name=bci_file]", str(tmp_path / "BCI_acme.txt"))
        page.click("button:has-text('Submit')")
        err = page.inner_text("#error")
        assert "Big Box Stores Inc." in err and "Nothing was stored" in err
        page.screenshot(path=str(ARTIFACTS / "docket-leak-refused.png"), full_page=True)
        # the corrected public version is received
        page.set_input_files("input[name=file]", str(tmp_path / "P_acme.txt"))
        page.set_input_files("input[name=bci_file]", str(tmp_path / "BCI_acme.txt"))
        page.click("button:has-text('Submit')")
        received = page.inner_text("#received")
        assert f"{DOCKET}-0001" in received and "3 bracketed item(s)" in received
        # not public until posted (staff posts through the CLI)
        page.goto(f"{base}/dockets/{DOCKET}")
        assert "No comments." in page.inner_text("#comments")
        _cli(env, "docket", "post", f"{DOCKET}-0001")
        page.goto(f"{base}/dockets/{DOCKET}")
        assert "Acme Valves" in page.inner_text("#comments")
        # search through the page's form
        page.fill("input[name=q]", "valves")
        page.click("button:has-text('Filter')")
        assert f"{DOCKET}-0001" in page.inner_text("#comments")
        page.screenshot(path=str(ARTIFACTS / "docket.png"), full_page=True)
        # export twins: public fields only
        csv_body = page.request.get(f"{base}/dockets/{DOCKET}.csv").text()
        assert "Acme Valves" in csv_body and "Big Box Stores" not in csv_body
        browser.close()


def test_exclusion_in_stack_congress_and_restricted_pages_in_chromium(site: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, env = site
    _cli(env, "docket", "open", "USTR-2019-0999", "--title", "Exclusions", "--procedure", "s301_exclusions",
         "--opens", "2019-06-30")
    req = json.loads(_cli(env, "exclusions", "request", "USTR-2019-0999", "--requester", "Acme", "--hts10",
                          "8481801020", "--product", "Brass ball valves", "--rationale", "No U.S. source",
                          "--on", "2019-07-01", "--json"))
    _cli(env, "exclusions", "decide", req["id"], "--decision", "granted", "--published", "2020-08-01",
         "--notice", "EXAMPLE notice", "--from", "2019-09-24")
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                       headless=True, args=FLAGS)
        page = browser.new_page()
        page.goto(base + "/exclusions")
        assert req["id"] in page.inner_text("main") and "2019-09-24 to 2021-07-31 (retroactive)" in page.inner_text("main")
        page.goto(base + "/tariffs/line/8481.80.10.20?origin=CHN&date=2020-01-15")
        inside = page.inner_text("main")
        page.goto(base + "/tariffs/line/8481.80.10.20?origin=CHN&date=2021-08-01")
        outside = page.inner_text("main")
        assert req["id"] in inside and req["id"] not in outside
        page.goto(base + "/congress/usmca-negotiation")
        assert "2018-09-30" in page.inner_text("#deadlines") and "2018-08-31" in page.inner_text("#record")
        page.goto(base + "/committees/actpn?case=usmca-negotiation")
        assert "2018-09-30" in page.inner_text("#report-due")
        page.goto(base + "/clearance")
        assert "None you may read." in page.inner_text("main")
        browser.close()
