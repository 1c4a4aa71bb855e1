"""Pages no journey had walked under axe-core yet: the parent's download by passphrase,
the glossary and the audit trail (each at both sizes)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import csrf_token, make_user
from tests.integration.children_helpers import (
    approve,
    check_identity,
    make_child,
    person,
    set_controller,
)

pytestmark = pytest.mark.browser


def _released_by_link(app, base: str) -> tuple[str, str]:
    """A request logged, checked, prepared, approved by a colleague and released by a
    secure link, over HTTP as the management team would; returns (link, passphrase) as
    the release page shows them (email is off in the live app)."""
    first, first_id = person(app, "admin", "County Council", "manager@county.example")
    second, _ = person(app, "admin", "County Council", "deputy@county.example")
    set_controller(app, first_id)
    child_id = make_child(app, first_id)
    location = first.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(first, "/")}).location
    check_identity(first, location)
    assert first.post(location + "/prepare",
                      data={"csrf_token": csrf_token(first, "/")}).status_code == 302
    assert approve(second, location).status_code == 302
    released = first.post(location + "/release/link", data={
        "confirm": "yes", "csrf_token": csrf_token(first, "/")}).get_data(as_text=True)
    link = re.search(r'id="document-link">([^<]+)<', released).group(1)
    passphrase = re.search(r'id="passphrase">([0-9-]+)<', released).group(1)
    assert link.startswith(base + "/documents/")
    return link, passphrase


def test_a_parent_downloads_the_report_with_the_passphrase(live_app, live_server, page):
    link, passphrase = _released_by_link(live_app, live_server)
    page.goto(link)  # the token leaves the address bar at once
    page.wait_for_url(live_server + "/documents")
    assert "Download your documents" in page.inner_text("h1")
    check_accessible(page, "97-documents-passphrase")

    page.fill("#passphrase", "0000-0000-0000")
    with page.expect_navigation():
        page.click("form button:has-text('Download')")
    summary = page.locator(".govuk-error-summary")
    assert "That passphrase is not right" in summary.inner_text()
    assert "That passphrase is not right" in page.inner_text("#passphrase-error")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    check_accessible(page, "97a-documents-wrong-passphrase")

    page.fill("#passphrase", passphrase)
    with page.expect_navigation():
        page.click("form button:has-text('Download')")
    page.wait_for_url(live_server + "/documents/ready")
    assert "Your documents are ready" in page.inner_text("main")
    assert "That passphrase is not right" not in page.inner_text("body")
    assert page.locator(".govuk-error-summary").count() == 0
    check_accessible(page, "97b-documents-ready")
    download = page.request.get(live_server + "/documents/report.pdf")  # this browser's
    assert download.ok and download.body()[:5] == b"%PDF-"


def test_the_glossary(live_server, page):
    page.goto(live_server + "/words")
    assert page.locator("h1").inner_text()
    assert "UPN" in page.inner_text("main")
    check_accessible(page, "98-words")


def test_the_audit_trail_with_events(live_app, live_server, page):
    manager_id, email, secret = make_user(live_app, email="manager@county.example",
                                          organisation="County Council")
    make_child(live_app, manager_id)
    make_child(live_app, manager_id)
    _sign_in(page, live_server, email, secret)
    page.wait_for_selector("header button:has-text('Sign out')")
    page.goto(live_server + "/audit")
    assert "Audit" in page.inner_text("h1")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 3  # the two children made and the sign-in, at least
    check_accessible(page, "99-audit-trail")
    page.click("summary:has-text('Filter the trail')")
    page.fill("#date_from-day", "31")
    page.fill("#date_from-month", "2")
    page.fill("#date_from-year", "2026")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    assert page.locator(".govuk-error-summary").is_visible()
    check_accessible(page, "99a-audit-trail-errors")
