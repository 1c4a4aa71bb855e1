"""Find a child by keyboard alone, on a desktop and on a phone: the skip link, the boxes in
order, the live results, the result's link to the reason prompt; axe on each state."""

from __future__ import annotations

import pytest
import time_machine

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.browser.test_search_flow import searcher

pytestmark = pytest.mark.browser


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element is focused (failing if it never is)."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_find_a_child_by_keyboard(live_app, live_server, page, size):
    email, secret = searcher(live_app)
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True):
        _sign_in(page, live_server, email, secret)
        check_accessible(page, f"49-home-{size[0]}")
        page.goto(live_server + "/search")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        page.keyboard.press("Enter")
        _tab_to(page, "#family_name")
        page.keyboard.type("oneill")
        _tab_to(page, "#date_of_birth-day")
        page.keyboard.type("14")
        page.keyboard.press("Tab")
        page.keyboard.type("2")
        page.keyboard.press("Tab")
        page.keyboard.type("2016")
        page.wait_for_selector("#results >> text=1 child matches")
        check_accessible(page, f"49a-search-keyboard-{size[0]}")
        _tab_to(page, "#results a")
        page.keyboard.press("Enter")
        page.wait_for_selector("legend h1:has-text('Why do you need to see')")
        check_accessible(page, f"49b-reason-from-keyboard-{size[0]}")
