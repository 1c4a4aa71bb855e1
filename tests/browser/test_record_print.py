"""A printed record is the record: its marking and its facts, none of the links and
toggles that change it (issue 17 review: "Correct the details", "Merge", "Add a parent or
carer", "End this involvement" and "shield this record" were printed)."""

from __future__ import annotations

import pytest

from tests.browser.test_add_child import _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import MARKERS, details, make_child, service

pytestmark = pytest.mark.browser

CONTROLS = ("See this record as someone else would", "Correct the details",
            "Merge a duplicate record into this one", "Record a death",
            "Correct the identifiers", "Add a parent or carer", "End this involvement",
            "shield this record")


def test_a_printed_record_shows_no_controls(live_app, live_server, page):
    manager_id, email, secret = make_user(live_app, email="manager@county.example",
                                          organisation="County Council")
    child_id = make_child(live_app, manager_id, data={
        "details": details(), "identifiers": {"nhs": "9434765919"},
        "carers": [{"name": "Sarah O'Neill", "relationship": "Mother",
                    "parental_responsibility": "yes", "address": None,
                    "phone": "07700 900 555", "email": None}],
        "services": [service()]})
    _sign_in(page, live_server, email, secret)
    page.goto(f"{live_server}/children/{child_id}/reason?page=record")
    page.check("input[name=category][value=coordinating]")
    page.click("button:has-text('Continue')")
    main = page.locator("main")
    for control in CONTROLS:  # on screen, each is there to use
        assert main.get_by_text(control).first.is_visible(), control
    assert main.locator(".govuk-summary-card__actions").first.is_visible()
    page.emulate_media(media="print")
    for control in CONTROLS:
        assert not main.get_by_text(control).first.is_visible(), control
    assert not main.locator(".govuk-summary-card__actions").first.is_visible()  # Change, Remove
    assert not main.get_by_text("Change", exact=True).first.is_visible()
    text = page.inner_text("main")  # the facts are all printed
    for fact in ("Sarah O'Neill", "943 476 5919", MARKERS["street"], MARKERS["school"]):
        assert fact in text, fact
