"""Subject access pages under axe-core: log a request, see it on the board."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessible, nav_to
from tests.browser.test_add_child import _date, _sign_in
from tests.conftest import make_user
from tests.integration.children_helpers import make_child

pytestmark = pytest.mark.browser


def test_log_a_subject_access_request(live_app, live_server, page):
    manager_id, email, secret = make_user(live_app, email="manager@county.example",
                                          organisation="County Council")
    child_id = make_child(live_app, manager_id)
    _sign_in(page, live_server, email, secret)
    nav_to(page, "Subject access")
    check_accessible(page, "90-sar-board")
    page.click("text=Log a request")
    page.click("button:has-text('Log the request')")
    check_accessible(page, "91-sar-new-errors")
    page.fill("#child", str(child_id))
    page.fill("#requester_name", "Sarah O'Neill")
    page.check("input[name=requester_relationship][value=parent]")
    page.check("input[name=channel][value=email]")
    _date(page, "received_on", "2", "11", "2026")
    page.click("button:has-text('Log the request')")
    assert "SAR-00001" in page.inner_text("h1")
    check_accessible(page, "92-sar-detail")
    page.click("text=Organisation details")  # a report needs the controller's details
    page.fill("#email", "not an address")
    page.click("button:has-text('Save')")
    check_accessible(page, "92a-organisation-errors")
    page.fill("#email", "office@county.example")
    page.fill("#address", "County Hall\n1 High Street\nExeter EX1 1AA")
    page.fill("#dpo_name", "Dee Pio")
    page.fill("#dpo_contact", "dpo@county.example")
    page.click("button:has-text('Save')")
    check_accessible(page, "92b-organisation-saved")
    page.goto(live_server + "/subject-access/1")
    page.fill("#c-identity", "Passport seen in person")
    page.click("button:has-text('Record the checks')")
    page.click("button:has-text('Prepare the report for release')")
    assert "Waiting for a colleague" in page.inner_text(".govuk-task-list")
    check_accessible(page, "92d-sar-tasks-prepared")
    page.goto(live_server + "/subject-access")
    assert "Waiting for approval" in page.inner_text("table")
    check_accessible(page, "92c-sar-board-states")
    page.click("header button:has-text('Sign out')")
    _, deputy, deputy_secret = make_user(live_app, email="deputy@county.example",
                                         organisation="County Council")
    _sign_in(page, live_server, deputy, deputy_secret)
    page.goto(live_server + "/subject-access/1")
    page.click("text=Read and approve the report")
    check_accessible(page, "92e-sar-approve")
    page.click("button:has-text('Approve the report')")
    assert "Open the prepared report and read it" in page.inner_text("main")
    check_accessible(page, "92f-sar-approve-refused")
    assert page.request.get(live_server + "/subject-access/1/prepared").body()[:5] == b"%PDF-"
    page.reload()
    assert "Opened" in page.inner_text("main")
    page.click("button:has-text('Approve the report')")
    assert "Completed" in page.inner_text(".govuk-task-list")
    check_accessible(page, "92g-sar-approved")
    page.click("button:has-text('Release: create a secure link')")
    assert "by a secure link?" in page.inner_text("h1")
    check_accessible(page, "92h-sar-release-confirm")
    page.click("text=No, not yet")
    assert "SAR-00001" in page.inner_text("h1")


def test_correction_pages(live_app, live_server, page):
    manager_id, email, secret = make_user(live_app, email="manager@county.example",
                                          organisation="County Council")
    child_id = make_child(live_app, manager_id)
    _sign_in(page, live_server, email, secret)
    page.goto(live_server + "/corrections")
    check_accessible(page, "93-corrections")
    page.click("text=Log a correction request")
    page.fill("#child", str(child_id))
    page.fill("#requester_name", "Sarah O'Neill")
    _date(page, "received_on", "2", "11", "2026")
    page.fill("#what_is_wrong", "Wrong date of birth")
    page.click("button:has-text('Log the correction request')")
    check_accessible(page, "94-correction-detail")
    page.check("input[name=decision][value=refuse]")
    page.fill("#detail", "The certificate shows the 14th")
    page.click("button:has-text('Record the decision')")
    assert "Refused" in page.inner_text("#decision")
    check_accessible(page, "95-correction-decided")
