"""A requester asks; a broker claims, finds the child and answers; the requester reads the
answer and downloads the letter. axe-core on every page."""

from __future__ import annotations

import pytest
import time_machine

from tests.browser.conftest import check_accessible, nav_to
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import MARKERS, details, make_child, service

pytestmark = pytest.mark.browser


def test_request_from_creation_to_printed_answer(live_app, live_server, page):
    make_user(live_app, email="manager@county.example", organisation="County Council")
    broker_id, broker, broker_secret = make_user(
        live_app, role="practitioner", email="head@hilltop.example", name="Hana Head",
        organisation="Hilltop School")
    make_child(live_app, broker_id, data={"details": details(), "services": [service()]})
    _, nurse, nurse_secret = make_user(live_app, role="requester", name="Nina Nurse",
                                       email="nina@riverside.example",
                                       organisation="Riverside Youth")
    with time_machine.travel("2026-03-02 10:00:05 +0000", tick=True) as traveller:
        _sign_in(page, live_server, nurse, nurse_secret)
        page.click("text=Ask for a look-up")
        check_accessible(page, "80-request-new")
        page.fill("#requester_role", "School nurse")
        page.select_option("#addressed_to", label="Hilltop School")
        page.fill("#child_given_names", "Amelia")
        page.fill("#child_family_name", "O'Neill")
        _date(page, "child_date_of_birth", "14", "2", "2016")
        page.fill("#reason", "Immunisation follow-up")
        page.check("input[name=urgency][value=routine]")
        page.click("button:has-text('Send the request')")
        check_accessible(page, "81-request-list")
        page.click("header button:has-text('Sign out')")

        traveller.shift(30)
        _sign_in(page, live_server, broker, broker_secret)
        nav_to(page, "Look-up requests")
        check_accessible(page, "82-queue")
        page.click("button:has-text('Claim')")
        page.fill("#family_name", "O'Neill")
        _date(page, "date_of_birth", "14", "2", "2016")
        page.click("form button:has-text('Search')")
        check_accessible(page, "83-work")
        page.click("table a:has-text(\"Amelia O'Neill\")")
        check_accessible(page, "84-choose")
        page.check("input[value=name]")
        page.check("input[value^='service:']")
        page.click("button:has-text('Send the answer')")
        assert "has been answered" in page.inner_text("main")
        page.click("header button:has-text('Sign out')")

        traveller.shift(30)
        _sign_in(page, live_server, nurse, nurse_secret)
        page.goto(live_server + "/requests")
        page.click("table a")
        assert MARKERS["school"] in page.inner_text("#answer")
        check_accessible(page, "85-answer")
        with page.expect_download() as download:
            page.click("text=Download the letter to print (PDF)")
        with open(download.value.path(), "rb") as letter:
            assert letter.read(5) == b"%PDF-"
