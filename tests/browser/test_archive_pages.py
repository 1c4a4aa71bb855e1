"""The retention and archive pages under axe-core."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services import retention
from app.services.clock import now
from tests.browser.conftest import check_accessible
from tests.browser.test_add_child import _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import details, make_child, service

pytestmark = pytest.mark.browser


def test_retention_and_archive_pages(live_app, live_server, page):
    manager_id, email, secret = make_user(live_app, email="manager@county.example",
                                          organisation="County Council")
    today = now().date()
    born = retention.anniversary(today, -18).isoformat()
    make_child(live_app, manager_id, data={"details": details(dob=born),
                                           "services": [service()]})
    make_child(live_app, manager_id, data={"details": details(given="Bea"), "services": []})
    with live_app.app_context():
        retention.run(today, dry_run=False)
        db.session.commit()
    _sign_in(page, live_server, email, secret)
    page.goto(live_server + "/retention")
    check_accessible(page, "70-retention-due")
    page.goto(live_server + "/archive")
    check_accessible(page, "71-archive")
    page.click("table a")
    page.click("button:has-text('Open the archived record')")
    check_accessible(page, "72-archive-reason-error")
    page.check("input[name=reason][value=child_death_review]")
    page.fill("#detail", "CDR 2026/3")
    page.click("button:has-text('Open the archived record')")
    assert "Archived record, opened for: Child death review" in page.inner_text("main")
    check_accessible(page, "73-archived-record")
