"""The children list with its filters, on a desktop and a phone; axe on each state."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import details, make_child

pytestmark = pytest.mark.browser


def test_filtering_the_children_list(live_app, live_server, page, size):
    user_id, email, secret = make_user(live_app, role="data_entry", email="sam@hilltop.example")
    for given, family in (("Amelia", "O'Neill"), ("Ben", "Abbott"), ("Cara", "Abbott")):
        make_child(live_app, user_id, data={"details": details(given=given, family=family),
                                            "services": []})
    _sign_in(page, live_server, email, secret)
    page.goto(live_server + "/children/")
    assert "3 children" in page.inner_text("caption")
    check_accessible(page, f"80-children-{size[0]}")
    page.fill("#f-name", "abb")
    page.keyboard.press("Enter")
    page.wait_for_selector("caption:has-text('2 children match')")
    assert page.url.removeprefix(live_server) == "/children/"  # no name in the address
    check_accessible(page, f"81-children-filtered-{size[0]}")
    page.fill("#f-born", "12")
    page.click("button:has-text('Show children')")
    assert "Enter a year like 2015" in page.inner_text(".govuk-error-summary")
    check_accessible(page, f"82-children-error-{size[0]}")


def test_a_printed_list_has_a_marking_and_no_header_buttons_or_addresses(live_app,
                                                                          live_server, page):
    user_id, email, secret = make_user(live_app, role="data_entry", email="sam@hilltop.example")
    make_child(live_app, user_id)
    _sign_in(page, live_server, email, secret)
    page.goto(live_server + "/children/")
    assert not page.is_visible(".ta-print-marking")  # on screen: no marking
    page.emulate_media(media="print")
    assert page.is_visible(".ta-print-marking")
    assert page.inner_text(".ta-print-marking").startswith("OFFICIAL-SENSITIVE. Printed on ")
    for hidden in ("header", "footer", "button:has-text('Add a child')", "form"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.is_visible("table") and "Amelia O'Neill" in page.inner_text("table")
    link = page.locator("table a").first
    after = link.evaluate("e => getComputedStyle(e, '::after').content")
    assert after in ("none", "normal"), after  # no " (/children/1/reason)" after the name
