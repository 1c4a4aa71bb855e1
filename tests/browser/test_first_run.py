"""A newcomer's first run in headless Chromium: setup link, enrolment, sign-in; axe on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine

from tests.browser.conftest import check_accessible, nav_to
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _setup_link(app) -> str:
    result = app.test_cli_runner().invoke(args=["setup-link"])
    return re.search(r"(http://\S+/setup/\S+)", result.output).group(1)


def test_first_run_setup_enrolment_and_sign_in(live_app, live_server, page):
    with time_machine.travel("2026-03-02 09:00:05 +0000", tick=True) as traveller:
        page.goto(_setup_link(live_app))
        assert page.url.endswith("/setup")  # the token left the address bar
        check_accessible(page, "01-setup")
        page.click("text=Continue")  # nothing filled in: errors, linked from a summary
        assert page.locator(".govuk-error-summary").is_visible()
        check_accessible(page, "02-setup-errors")

        page.fill("#organisation_name", "Hilltop School")
        page.check("input[value=independent_school]")
        page.fill("#name", "Ann Admin")
        page.fill("#email", "ann@hilltop.example")
        page.check("input[name=role_category][value=head_teacher]")
        for name, day in (("training", ("1", "11", "2025")), ("dbs", ("15", "6", "2025"))):
            page.fill(f"#{name}-day", day[0])
            page.fill(f"#{name}-month", day[1])
            page.fill(f"#{name}-year", day[2])
        page.click("text=Continue")

        assert "Create your password" in page.inner_text("h1")
        check_accessible(page, "03-password")
        page.fill("#password", "hilltop school rocks")
        page.fill("#confirm", "hilltop school rocks")
        page.click("button:has-text('Continue')")
        assert "must not contain your organisation" in page.inner_text(".govuk-error-summary")
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.click("button:has-text('Continue')")

        assert "authenticator" in page.inner_text("h1")
        assert page.locator(".ta-qr svg").count() == 1
        assert page.get_attribute("#code", "autocomplete") == "one-time-code"
        page.click("text=I cannot scan the QR code")
        check_accessible(page, "04-authenticator")
        key = page.inner_text("#totp-key").replace(" ", "")
        otp = pyotp.TOTP(key)
        page.fill("#code", otp.now())
        page.click("button:has-text('Confirm')")

        assert "recovery codes" in page.inner_text("h1")
        assert page.locator("#recovery-codes li").count() == 10
        check_accessible(page, "05-recovery-codes")
        page.click("text=I have saved my codes: sign in")

        check_accessible(page, "06-sign-in")
        page.fill("#email", "ann@hilltop.example")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Continue')")
        check_accessible(page, "07-code")
        traveller.shift(timedelta(seconds=30))  # the enrolment code's step is spent
        page.fill("#code", otp.now())
        page.click("button:has-text('Sign in')")

        assert "Sign the acceptable use policy" in page.inner_text("h1")  # first sign-in
        check_accessible(page, "07b-access")
        page.click("text=Read and sign the policy")
        page.click("button:has-text('Sign the policy')")
        assert "Tick the box" in page.inner_text(".govuk-error-summary")
        check_accessible(page, "07c-policy-error")
        page.check("#agree")
        page.click("button:has-text('Sign the policy')")

        assert "Hello, Ann Admin" in page.inner_text("h1")
        check_accessible(page, "08-home")
        page.click("text=See where you are signed in")
        assert page.locator("text=This browser").count() == 1
        check_accessible(page, "09-sessions")
        page.click("a.ta-header__name")
        nav_to(page, "Users")
        check_accessible(page, "10-users")
        page.click("text=Invite a user")
        check_accessible(page, "11-invite")
