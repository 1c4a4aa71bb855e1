"""A practitioner searches, states a reason and reads the child's record; axe on each page."""

from __future__ import annotations

import pytest
import time_machine

from tests.browser.conftest import SIZES, check_accessible, nav_to
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import details, make_child, service

pytestmark = pytest.mark.browser


def searcher(live_app) -> tuple[str, str]:
    """A host, a school that recorded Amelia, and a practitioner elsewhere who will search
    for her: the practitioner's email and authenticator secret."""
    make_user(live_app, email="manager@county.example", organisation="County Council")
    school_id, _, _ = make_user(live_app, role="data_entry", email="sam@hilltop.example",
                                organisation="Hilltop School")
    make_child(live_app, school_id, data={"details": details(), "services": [service()]})
    _, email, secret = make_user(live_app, role="practitioner", email="ola@riverside.example",
                                 organisation="Riverside Youth")
    return email, secret


def test_search_reason_and_record(live_app, live_server, page):
    email, secret = searcher(live_app)
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True):
        _sign_in(page, live_server, email, secret)
        nav_to(page, "Find a child")
        check_accessible(page, "40-search")
        page.fill("#family_name", "oneill")
        page.wait_for_selector("#search-needs")  # as-you-type: says what else is needed
        assert "date of birth" in page.inner_text("#results .govuk-error-message")
        assert "Add a date of birth" in page.inner_text("#search-status")
        check_accessible(page, "41-search-needs-more")
        _date(page, "date_of_birth", "14", "2", "2016")
        page.wait_for_selector("#results >> text=1 child matches")
        assert page.inner_text("#search-status") == "1 child matches"  # what is read out
        assert page.get_attribute("#results", "aria-live") is None
        check_accessible(page, "42-search-results")
        page.click("#results a:has-text(\"Amelia O'Neill\")")
        page.check("input[name=category][value=other]")
        page.click("button:has-text('Continue')")
        assert "Say why" in page.inner_text(".govuk-error-summary")
        check_accessible(page, "43-reason-error")
        page.fill("#detail", "Youth club safeguarding check")
        page.click("button:has-text('Continue')")
        assert page.inner_text("h1") == "Amelia O'Neill"
        assert "Record my involvement" in page.inner_text("main")
        check_accessible(page, "44-record")
        page.click("text=Record my involvement")  # the reason covers the record's pages
        assert page.inner_text("h1") == "Record my involvement"
        check_accessible(page, "45-record-involvement")
        page.click("a:has-text('Your account')")
        page.goto(live_server + "/account/history")
        assert "Youth club safeguarding check" in page.inner_text("main")
        check_accessible(page, "46-own-history")


@pytest.mark.parametrize("size", [SIZES["phone"]], ids=["phone"])
def test_results_fit_a_phone_as_cards_and_a_search_without_javascript_has_a_summary(
        live_app, live_server, page):
    """Issue 17 item 6: on a phone the live results were 970 px wide on a 390 px screen;
    without JavaScript "add a date of birth" was not an error (no summary, no styling)."""
    email, secret = searcher(live_app)
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True):
        _sign_in(page, live_server, email, secret)
        page.goto(live_server + "/search")
        page.fill("#family_name", "oneill")
        _date(page, "date_of_birth", "14", "2", "2016")
        page.wait_for_selector("#results >> text=1 child matches")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("getComputedStyle(document.querySelector('#results tr'))"
                             ".display") == "block"  # a card
        check_accessible(page, "47-search-results-390")
        page.context.route("**/*.js", lambda route: route.abort())  # no JavaScript
        page.goto(live_server + "/search")
        page.fill("#family_name", "oneill")
        page.click("button:has-text('Search')")
        summary = page.inner_text(".govuk-error-summary")
        assert "There is a problem" in summary and "Add a date of birth" in summary
        assert page.get_attribute(".govuk-error-summary a", "href") == "#date_of_birth-day"
        check_accessible(page, "48-search-needs-more-no-js")


def test_pressing_search_with_too_little_shows_the_error_summary_with_javascript_on(
        live_app, live_server, page):
    """Pressing Search (not the as-you-type update) with a family name but no date of
    birth: the page's GOV.UK error summary, taking the focus, and the date field marked,
    as without JavaScript; not only a message in the results column."""
    email, secret = searcher(live_app)
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True):
        _sign_in(page, live_server, email, secret)
        page.goto(live_server + "/search")
        page.wait_for_selector("body.js-enabled")
        page.fill("#family_name", "oneill")
        with page.expect_navigation():
            page.click("form button:has-text('Search')")
        summary = page.locator(".govuk-error-summary")
        summary.wait_for()
        assert "Add a date of birth" in summary.inner_text()
        assert page.get_attribute(".govuk-error-summary a", "href") == "#date_of_birth-day"
        page.wait_for_function("document.activeElement.classList"
                               ".contains('govuk-error-summary')")
        assert page.title().startswith("Error:")
        assert page.locator(".govuk-form-group--error:has(#date_of_birth-day)").count() == 1
        assert "Add a date of birth" in page.inner_text("#date_of_birth-error")
        assert page.locator("#date_of_birth-day.govuk-input--error").count() == 1
        assert page.input_value("#family_name") == "oneill"  # what was typed stays
        check_accessible(page, "48a-search-needs-more-submitted")
        _date(page, "date_of_birth", "14", "2", "2016")  # as-you-type still works after
        page.wait_for_selector("#results >> text=1 child matches")
