"""A practitioner searches, states a reason and reads the child's record; axe on each page."""

from __future__ import annotations

import pytest
import time_machine

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import details, make_child, service

pytestmark = pytest.mark.browser


def test_search_reason_and_record(live_app, live_server, page):
    make_user(live_app, email="manager@county.example", organisation="County Council")
    school_id, _, _ = make_user(live_app, role="data_entry", email="sam@hilltop.example",
                                organisation="Hilltop School")
    make_child(live_app, school_id, data={"details": details(), "services": [service()]})
    _, email, secret = make_user(live_app, role="practitioner", email="ola@riverside.example",
                                 organisation="Riverside Youth")
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True):
        _sign_in(page, live_server, email, secret)
        page.click("text=Find a child")
        check_accessible(page, "40-search")
        page.fill("#family_name", "oneill")
        page.wait_for_selector("#search-needs")  # as-you-type: says what else is needed
        assert "date of birth" in page.inner_text("#results")
        check_accessible(page, "41-search-needs-more")
        _date(page, "date_of_birth", "14", "2", "2016")
        page.wait_for_selector("text=1 child matches")
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
