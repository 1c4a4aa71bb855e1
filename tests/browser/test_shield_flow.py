"""A practitioner shields a record; another organisation's practitioner then sees no
whereabouts anywhere. axe-core on each page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import MARKERS, details, make_child, service

pytestmark = pytest.mark.browser


def _open(page, base):
    page.goto(base + "/search")
    page.fill("#family_name", "O'Neill")
    _date(page, "date_of_birth", "14", "2", "2016")
    page.click("form button:has-text('Search')")
    page.wait_for_selector("text=1 child matches")
    page.click("#results a:has-text(\"Amelia O'Neill\")")
    page.check("input[name=category][value=safeguarding]")
    page.click("button:has-text('Continue')")


def test_shield_takes_effect_for_everyone_else(live_app, live_server, page):
    make_user(live_app, email="manager@county.example", organisation="County Council")
    school_id, _, _ = make_user(live_app, role="data_entry", email="sam@hilltop.example",
                                organisation="Hilltop School")
    make_child(live_app, school_id, data={"details": details(), "services": [service()]})
    _, head, head_secret = make_user(live_app, role="practitioner", organisation="Hilltop School",
                                     email="head@hilltop.example")
    _, ola, ola_secret = make_user(live_app, role="practitioner", organisation="Riverside Youth",
                                   email="ola@riverside.example")

    _sign_in(page, live_server, head, head_secret)
    _open(page, live_server)
    assert MARKERS["street"] in page.inner_text("main")
    page.click("text=shield this record")  # the reason just given covers it
    check_accessible(page, "50-shield-request")
    page.check("input[name=category][value=domestic_violence]")
    page.fill("#reason", "Mother and child in a refuge")
    page.click("button:has-text('Shield this record now')")
    assert "shielded now" in page.inner_text("main")
    page.click("header button:has-text('Sign out')")

    _sign_in(page, live_server, ola, ola_secret)
    _open(page, live_server)
    main = page.inner_text("main")
    assert "Withheld: this record is shielded" in main
    for marker in ("street", "postcode", "school", "phone"):
        assert MARKERS[marker] not in page.content(), marker
    check_accessible(page, "51-shielded-record")
    page.click("text=Ask the management team to put you in touch")
    page.fill("#message", "I run the youth club she attends; please ask mum to call me")
    check_accessible(page, "52-contact-request")
    page.click("button:has-text('Send to the management team')")
    assert "gone to the management team" in page.inner_text("main")


def test_the_management_team_sees_a_record_as_others_would(live_app, live_server,
                                                                      page):
    _, manager, secret = make_user(live_app, email="manager@county.example",
                                   organisation="County Council")
    school_id, _, _ = make_user(live_app, role="data_entry", email="sam@hilltop.example",
                                organisation="Hilltop School")
    child_id = make_child(live_app, school_id, data={"details": details(),
                                                     "services": [service()]})
    make_user(live_app, role="practitioner", organisation="Riverside Youth",
              email="ola@riverside.example")
    _sign_in(page, live_server, manager, secret)
    page.goto(f"{live_server}/children/{child_id}/reason")
    page.check("input[name=category][value=coordinating]")
    page.click("button:has-text('Continue')")
    page.click("text=See this record as someone else would")  # the reason covers it
    check_accessible(page, "53-preview-choose")
    page.check("input[name=role][value=data_entry]")
    page.select_option("#organisation", label="Riverside Youth")
    page.click("button:has-text('Show me')")
    assert "data entry staff at Riverside Youth" in page.inner_text("#previewing")
    assert page.locator("#cannot-open").is_visible()
    page.check("input[name=role][value=practitioner]")
    page.click("button:has-text('Show me')")
    assert MARKERS["street"] in page.inner_text(".ta-preview")
    check_accessible(page, "54-preview-shown")
