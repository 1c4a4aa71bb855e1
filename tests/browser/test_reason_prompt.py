"""The reason prompt, as a practitioner meets it on a desktop and on a phone, by keyboard
alone: it names the child and the page, offers the last reason first, and shows the text
box only for "Other". axe-core on each state."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import details, make_child, service

pytestmark = pytest.mark.browser


def test_the_reason_prompt_by_keyboard(live_app, live_server, page, size):
    school_id, _, _ = make_user(live_app, role="data_entry", email="sam@hilltop.example",
                                organisation="Hilltop School")
    child_id = make_child(live_app, school_id, data={"details": details(),
                                                     "services": [service()]})
    _, email, secret = make_user(live_app, role="practitioner", email="pat@hilltop.example",
                                 organisation="Hilltop School")
    live_app.config["REASON_COVER_MINUTES"] = 0  # asked on each visit, to see the offer
    _sign_in(page, live_server, email, secret)
    page.goto(f"{live_server}/children/{child_id}/reason?page=record")
    assert page.inner_text("h1") == "Why do you need to see Amelia O'Neill\u2019s record?"
    assert not page.is_visible("#detail")  # revealed only by "Other"
    check_accessible(page, f"60-reason-{size[0]}")

    page.focus("input[name=category] >> nth=0")
    for _ in range(5):  # down the radios to "Other", the last
        page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=category][value=other]")
    assert page.is_visible("#detail")
    check_accessible(page, f"61-reason-other-{size[0]}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "detail"
    page.keyboard.type("Checking a referral from the GP")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text(\"Amelia O'Neill\")")

    page.goto(f"{live_server}/children/{child_id}/reason?page=details")
    assert page.inner_text("h1") == ("Why do you need to see Amelia O'Neill\u2019s details, to "
                                     "correct them?")
    first = page.locator("input[name=category]").first
    assert first.get_attribute("value") == "again"
    label = page.inner_text(f"label[for={first.get_attribute('id')}]")
    assert label == "The same as last time: Other (“Checking a referral from the GP”)"
    check_accessible(page, f"62-reason-again-{size[0]}")
    page.focus("input[name=category] >> nth=0")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Correct the details')")
