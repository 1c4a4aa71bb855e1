"""Throwing away a half-entered child and deactivating an account each ask first, on a
page of their own, on a desktop and on a phone; axe on each page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_destructive_actions_ask_first(live_app, live_server, page, size):
    _, email, secret = make_user(live_app, email="ann@hilltop.example", name="Ann Admin")
    staff_id, _, _ = make_user(live_app, role="practitioner", email="pat@hilltop.example",
                               name="Pat Smith")
    _sign_in(page, live_server, email, secret)
    page.goto(live_server + "/children/")
    page.click("button:has-text('Add a child')")
    page.click("a:has-text('Cancel and throw this away')")
    assert page.inner_text("h1") == "Throw away this child\u2019s details?"
    check_accessible(page, f"70-discard-{size[0]}")
    page.click("a:has-text('No, go back')")
    assert "/details" in page.url  # back where they were, nothing lost
    page.click("a:has-text('Cancel and throw this away')")
    page.click("button:has-text('Yes, throw it away')")
    assert "Nothing was saved" in page.inner_text("main")

    page.goto(f"{live_server}/admin/users/{staff_id}")
    page.click("a:has-text('Deactivate')")
    assert page.inner_text("h1") == "Deactivate Pat Smith\u2019s account?"
    check_accessible(page, f"71-deactivate-{size[0]}")
    page.click("button:has-text('Yes, deactivate the account')")
    assert "Account deactivated" in page.inner_text("main")
