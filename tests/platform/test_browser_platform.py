"""Browser test, JavaScript on: sign in, use htmx and the case form, sign out, under the real
CSP, with no Content-Security-Policy violation reported by chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.foundation.test_e2e import add_server_user, server  # noqa: F401  (module fixture: the real server)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("server"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make test installs it)"),
]


def test_sign_in_htmx_form_and_sign_out_without_csp_violations(server: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    name, password = add_server_user(server, "attorney")
    console: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM,
                                                       headless=True, args=FLAGS)
        page = browser.new_page()
        page.on("console", lambda msg: console.append(msg.text))
        page.goto(server + "/cases/ds543")
        assert "Sign in" in page.inner_text("header")
        page.click("header a:has-text('Sign in')")
        page.wait_for_url(lambda url: "/signin" in url)
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", password)
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/cases/ds543")
        assert name in page.inner_text("header")
        # htmx (served from /static) still works under script-src 'self'.
        page.goto(server + "/guide")
        page.fill("input[name=q]", "What are USTR's enforcement priorities?")
        page.click("button:has-text('Ask')")
        page.wait_for_selector("#guide-results article")
        # The case page's form carries the session's CSRF token.
        page.goto(server + "/cases/ustr-301-china-ip")
        assert "Record an event" in page.locator("main").inner_text()
        assert page.locator("main form[method=post] input[name=csrf_token]").count() == 1
        page.click("header button:has-text('Sign out')")
        page.wait_for_url(server + "/")
        assert "Sign in" in page.inner_text("header")
        me = page.request.get(server + "/api/me").json()
        assert me["anonymous"] is True
        browser.close()
    violations = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert not violations, violations
