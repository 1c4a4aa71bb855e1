"""The email pages a management team sees (the outbox record, the daily email choice) and
the invitation sent by email, under axe on a desktop and a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessible, nav_to
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_email_pages(live_app, live_server, page):
    live_app.config["MAIL_URL"] = "smtp://127.0.0.1:9?tls=none"  # queued; never reached
    _, email, secret = make_user(live_app, email="manager@county.example",
                                 organisation="County Council")
    _sign_in(page, live_server, email, secret)
    nav_to(page, "Users")
    page.click("text=Invite a user")
    page.fill("#name", "Pat Practitioner")
    page.fill("#email", "pat@riverside.example")
    page.check("input[name=role][value=practitioner]")
    page.select_option("#organisation", index=0)
    page.check("input[name=role_category][value=head_teacher]")
    _date(page, "training", "1", "11", "2025")
    _date(page, "dbs", "1", "6", "2025")
    page.click("button:has-text('Create invitation')")
    assert "We have emailed Pat Practitioner" in page.inner_text("main")
    check_accessible(page, "97-invitation-emailed")
    page.goto(live_server + "/admin/emails")
    assert "Waiting to send" in page.inner_text("table")
    check_accessible(page, "97a-emails")
    page.goto(live_server + "/account/")
    page.click("button:has-text('Turn the daily email off')")
    assert "Your daily email is off." in page.inner_text("main")
    check_accessible(page, "97b-daily-email-off")
