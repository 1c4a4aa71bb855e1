"""An administrator invites a practitioner, who enrols and signs in for the first time
(signing the acceptable use policy); axe-core on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine

from tests.browser.conftest import check_accessible, nav_to
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_invite_enrol_and_first_sign_in(live_app, live_server, page):
    _, email, secret = make_user(live_app, email="boss@hilltop.example", name="Bo Boss")
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True) as traveller:
        _sign_in(page, live_server, email, secret)
        nav_to(page, "Users")
        page.click("text=Invite a user")
        page.fill("#name", "Pat Practitioner")
        page.fill("#email", "pat@hilltop.example")
        page.check("input[name=role][value=practitioner]")
        page.check("input[name=role_category][value=pastoral_lead]")
        _date(page, "training", "20", "2", "2026")
        _date(page, "dbs", "10", "1", "2026")
        page.click("button:has-text('Create invitation')")
        check_accessible(page, "60-invited")
        link = page.inner_text("#invitation-link").strip()
        page.click("header button:has-text('Sign out')")

        page.goto(link)
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.click("button:has-text('Continue')")
        page.click("text=I cannot scan the QR code")
        key = re.sub(r"\s", "", page.inner_text("#totp-key"))
        page.fill("#code", pyotp.TOTP(key).now())
        page.click("button:has-text('Confirm')")
        page.click("text=I have saved my codes: sign in")
        traveller.shift(timedelta(seconds=30))
        page.fill("#email", "pat@hilltop.example")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Continue')")
        page.fill("#code", pyotp.TOTP(key).now())
        page.click("button:has-text('Sign in')")
        assert "Sign the acceptable use policy" in page.inner_text("h1")
        check_accessible(page, "61-first-sign-in")
        page.click("text=Read and sign the policy")
        check_accessible(page, "62-policy")
        page.check("#agree")
        page.click("button:has-text('Sign the policy')")
        assert "Hello, Pat Practitioner" in page.inner_text("h1")
        check_accessible(page, "63-home")
        page.click("header button:has-text('Sign out')")

        traveller.shift(timedelta(seconds=30))
        _sign_in(page, live_server, email, secret)
        page.goto(live_server + "/admin/users")
        page.click("text=Pat Practitioner")
        check_accessible(page, "64-user-admin")
        page.goto(live_server + "/admin/eligibility")
        check_accessible(page, "65-lapsing")
