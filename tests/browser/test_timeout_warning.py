"""The session time-out warning in Chromium: it opens by itself, takes the focus, is read
out, and both "Stay signed in" and Escape keep the session (keyboard only)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_the_warning_comes_before_the_time_out_and_the_keyboard_can_stay(
        live_app, live_server, page, size):
    _, email, secret = make_user(live_app, role="data_entry")
    _sign_in(page, live_server, email, secret)
    live_app.config["SESSION_WARN_SECONDS"] = live_app.config["SESSION_IDLE_MINUTES"] * 60 - 2
    page.goto(live_server + "/children/")  # the warning is due two seconds after loading
    dialog = page.locator("#ta-timeout-dialog")
    dialog.wait_for(state="visible", timeout=10000)
    assert page.evaluate("document.activeElement.id") == "ta-timeout-stay"
    assert "You will be signed out in" in page.inner_text("#ta-timeout-live")
    check_accessible(page, "96-timeout-warning")
    with page.expect_response(lambda r: r.url.endswith("/account/keep-alive")) as kept:
        page.keyboard.press("Enter")
    assert kept.value.status == 200
    dialog.wait_for(state="hidden")
    dialog.wait_for(state="visible", timeout=10000)  # two seconds before the new time-out
    with page.expect_response(lambda r: r.url.endswith("/account/keep-alive")):
        page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.locator("h1").inner_text().startswith("Children")


def test_after_the_time_out_signing_in_again_returns_to_the_page(live_app, live_server, page):
    """The end of the journey: nobody answers the warning, the page leaves for the sign-in
    page when time runs out, which says why, and signing in again returns to the page
    the person was on. The browser's clock and the server's move on together."""
    _, email, secret = make_user(live_app, role="data_entry")
    idle = live_app.config["SESSION_IDLE_MINUTES"] * 60
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        page.clock.install()
        _sign_in(page, live_server, email, secret)
        page.wait_for_selector("header button:has-text('Sign out')")
        page.goto(live_server + "/children/?sort=name")
        assert page.locator("h1").inner_text().startswith("Children")
        traveller.shift(timedelta(seconds=idle + 60))  # the server's idle time-out passed
        with page.expect_navigation(url=re.compile(r"/sign-in$"), timeout=20000):
            page.clock.fast_forward(f"{idle // 60 + 1}:00")  # and the page's
        assert "had not used TeamAround" in page.inner_text("main")
        check_accessible(page, "96a-timed-out-sign-in")
        traveller.shift(timedelta(seconds=31))  # a new sign-in code
        _sign_in(page, live_server, email, secret)
        page.wait_for_url(live_server + "/children/?sort=name")
        assert page.locator("h1").inner_text().startswith("Children")
