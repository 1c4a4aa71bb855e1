"""Releasing a subject access report: second approval, post or passphrase-protected link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine

from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    approve,
    check_identity,
    collect_document,
    events,
    make_child,
    person,
    set_controller,
)
from tests.integration.test_stored_documents import pdf_text

POSTAL = "1 Station Road\nBath\nBA1 1AA"  # the requester's, for a report sent by post


def _logged(app, address=POSTAL):
    """Two of the management team, and a request logged by the first (identity unchecked)."""
    first, first_id = person(app, "admin", "County Council", "manager@county.example")
    second, _ = person(app, "admin", "County Council", "deputy@county.example")
    child_id = make_child(app, first_id)
    set_controller(app, first_id)
    location = first.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email", "requester_address": address,
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(first, "/")}).location
    return first, second, location


def _prepared(app, address=POSTAL):
    first, second, location = _logged(app, address)
    check_identity(first, location)
    assert first.post(location + "/prepare",
                      data={"csrf_token": csrf_token(first, "/")}).status_code == 302
    return first, second, location


def test_release_needs_a_second_approver(app):
    first, second, location = _prepared(app)
    token = csrf_token(first, "/")
    assert first.post(location + "/approve", data={"csrf_token": token}).status_code == 303
    assert first.post(location + "/release/post",
                      data={"confirm": "yes", "csrf_token": token}).status_code == 303
    assert "must approve" in first.get(location).get_data(as_text=True)
    assert approve(second, location).status_code == 302
    posted = first.post(location + "/release/post",
                        data={"confirm": "yes", "csrf_token": token})
    assert posted.status_code == 200 and posted.data[:5] == b"%PDF-"
    assert events(app, "sar.approved") and events(app, "sar.released")


def test_one_person_settings_can_switch_second_approval_off(make_app):
    app = make_app(SAR_SECOND_APPROVAL=False)
    first, _, location = _prepared(app)
    assert approve(first, location).status_code == 302


def _released_link(app):
    first, second, location = _prepared(app)
    approve(second, location)
    page = first.post(location + "/release/link", data={
        "confirm": "yes", "csrf_token": csrf_token(first, "/")}).get_data(as_text=True)
    link = re.search(r'id="document-link">http://localhost([^<]+)<', page).group(1)
    passphrase = re.search(r'id="passphrase">([0-9-]+)<', page).group(1)
    return link, passphrase


def _collect(client, passphrase):
    return collect_document(client, passphrase)


def test_the_link_reveals_nothing_before_the_passphrase(app):
    link, passphrase = _released_link(app)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 302
    page = visitor.get("/documents").get_data(as_text=True)
    for marker in ("Amelia", "O&#39;Neill", "SAR-", "Sarah"):
        assert marker not in page
    # the parent's page names who sent it and how to reach their DPO (issue 17)
    assert "From County Council" in page and "dpo@county.example" in page
    downloaded = _collect(visitor, passphrase)
    assert downloaded.status_code == 200 and downloaded.data[:5] == b"%PDF-"
    assert events(app, "sar.downloaded")


def test_five_wrong_passphrases_close_the_link(app):
    link, passphrase = _released_link(app)
    visitor = app.test_client()
    visitor.get(link)
    for _ in range(5):
        assert _collect(visitor, "0000-0000-0000").status_code == 422
    assert visitor.get("/documents").status_code == 404
    assert app.test_client().get(link).status_code == 404
    assert len(events(app, "sar.passphrase_refused")) == 5


def test_the_link_expires_after_14_days(app):
    link, _ = _released_link(app)
    later = datetime.now(UTC) + timedelta(days=14, minutes=1)
    with time_machine.travel(later, tick=False):
        assert app.test_client().get(link).status_code == 404


def test_a_report_is_not_prepared_without_the_controllers_details(app):
    first, first_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, first_id)
    location = first.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(first, "/")}).location
    page = first.get(location).get_data(as_text=True)
    assert "your organisation&#39;s postal address" in page
    assert first.post(location + "/prepare",
                      data={"csrf_token": csrf_token(first, "/")}).status_code == 303
    assert "Before a report can be sent" in first.get(location).get_data(as_text=True)
    assert not events(app, "sar.prepared")
    token = csrf_token(first, "/admin/organisation")
    saved = first.post("/admin/organisation", data={
        "address": "County Hall, Exeter EX1 1AA", "phone": "", "email": "",
        "dpo_name": "Dee Pio", "dpo_contact": "dpo@county.example", "csrf_token": token})
    assert saved.status_code == 302 and events(app, "organisation.changed")
    check_identity(first, location)
    assert first.post(location + "/prepare",
                      data={"csrf_token": csrf_token(first, "/")}).status_code == 302
    text = pdf_text(first.get(location + "/report.pdf").data)
    assert "Dee Pio" in text and "County Hall, Exeter EX1 1AA" in text


def test_no_report_before_identity_is_checked_and_a_prepared_one_stays_on_the_board(app):
    """Issue 17's findings: "prepare" worked while identity was still "Not yet" checked,
    and a prepared request vanished from the board, so the second approver could not find
    it. Both are regression tests now."""
    from app.models import SubjectAccessRequest
    from tests.integration.children_helpers import count

    first, second, location = _logged(app)
    refused = first.post(location + "/prepare", data={"csrf_token": csrf_token(first, "/")})
    assert "Record the identity checks first" in first.get(refused.location).get_data(
        as_text=True)
    assert count(app, SubjectAccessRequest, SubjectAccessRequest.report_pdf.is_not(None)) == 0
    check_identity(first, location)
    first.post(location + "/prepare", data={"csrf_token": csrf_token(first, "/")})
    board = second.get("/subject-access").get_data(as_text=True)
    assert "1 open" in board and "Waiting for approval" in board


def _task_status(page: str, title: str) -> str:
    """The status beside one task of the request's task list, as text."""
    found = re.search(re.escape(title) + r"\s*</(?:a|div)>.*?govuk-task-list__status[^>]*>(.*?)</div>",
                      page, re.S)
    assert found, f"no task {title!r}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_request_page_is_a_task_list_each_step_locked_until_the_last_is_done(app):
    """Issue 17: the page was a stack of grey buttons, "Prepare" offered while identity was
    "Not yet" checked. Now four tasks, each locked until the one before is done."""
    first, second, location = _logged(app)
    page = first.get(location).get_data(as_text=True)
    assert _task_status(page, "Check identity and parental responsibility") == "Incomplete"
    for later in ("Prepare the report", "Approve the report", "Release the report"):
        assert _task_status(page, later) == "Cannot start yet"
    assert "Prepare the report for release" not in page
    check_identity(first, location)
    first.post(location + "/prepare", data={"csrf_token": csrf_token(first, "/")})
    mine = first.get(location).get_data(as_text=True)
    assert _task_status(mine, "Prepare the report") == "Completed"
    assert _task_status(mine, "Approve the report") == "Waiting for a colleague"
    theirs = second.get(location).get_data(as_text=True)
    assert _task_status(theirs, "Approve the report") == "Incomplete"
    assert _task_status(theirs, "Release the report") == "Cannot start yet"
    approve(second, location)
    done = second.get(location).get_data(as_text=True)
    assert _task_status(done, "Approve the report") == "Completed"
    assert _task_status(done, "Release the report") == "Incomplete"


def test_the_approver_must_open_the_prepared_report_first(app):
    """Issue 17: the approver could approve without opening the PDF. The approval page
    opens the report exactly as it will be sent; approving before opening it is refused;
    the opening is audited."""
    from app.models import SubjectAccessRequest
    from tests.integration.children_helpers import count

    first, second, location = _prepared(app)
    page = second.get(location + "/approve").get_data(as_text=True)
    assert "Approve the report" in page and "Open the prepared report" in page
    assert "Manager" in page or "manager@county.example" in page  # who prepared it
    refused = second.post(location + "/approve", data={"csrf_token": csrf_token(second, "/")})
    assert refused.status_code == 303
    assert "Open the prepared report and read it before you approve it" in second.get(
        refused.location).get_data(as_text=True)
    assert count(app, SubjectAccessRequest, SubjectAccessRequest.status == "approved") == 0
    opened = second.get(location + "/prepared")
    assert opened.status_code == 200 and opened.data[:5] == b"%PDF-"
    assert opened.headers["Content-Disposition"].startswith("inline")
    assert "Opened" in second.get(location + "/approve").get_data(as_text=True)
    assert events(app, "sar.prepared_opened")
    assert second.post(location + "/approve",
                       data={"csrf_token": csrf_token(second, "/")}).status_code == 302
    assert count(app, SubjectAccessRequest, SubjectAccessRequest.status == "approved") == 1


def test_opening_a_prepared_report_after_a_shield_withdraws_it(app):
    """The prepared report is a stored document: opening it checks the facts it was built
    on first, as every delivery does; a shield since withdraws it and nothing is served."""
    from app.extensions import db
    from app.models import Child, ShieldCategory, SubjectAccessRequest, User
    from app.services import shielding
    from tests.integration.children_helpers import count

    first, second, location = _prepared(app)
    with app.app_context():
        request = db.session.get(SubjectAccessRequest, 1)
        manager = db.session.get(User, request.prepared_by_user_id)
        shielding.request(manager, db.session.get(Child, request.child_id),
                          ShieldCategory.domestic_violence, "Fled to a refuge")
        db.session.commit()
    opened = second.get(location + "/prepared")
    assert opened.data[:5] != b"%PDF-"
    assert count(app, SubjectAccessRequest, SubjectAccessRequest.status == "open") == 1
    assert not events(app, "sar.prepared_opened")


def test_releasing_asks_for_confirmation_on_a_page_of_its_own(app):
    """Issue 17 item 2: a release (irreversible) happened on the first press. Now a page
    says what will happen, to whom, and only "Yes, release it" releases."""
    from app.models import SubjectAccessRequest
    from tests.integration.children_helpers import count

    first, second, location = _prepared(app)
    approve(second, location)
    for how, words in (("post", "by post?"), ("link", "by a secure link?")):
        asked = first.post(f"{location}/release/{how}",
                           data={"csrf_token": csrf_token(first, "/")})
        page = asked.get_data(as_text=True)
        assert asked.status_code == 200 and f"Release the report to Sarah O&#39;Neill {words}" \
            in page and "Yes, release it" in page
        assert count(app, SubjectAccessRequest, SubjectAccessRequest.status == "released") == 0
    released = first.post(location + "/release/post",
                          data={"confirm": "yes", "csrf_token": csrf_token(first, "/")})
    assert released.data[:5] == b"%PDF-"
    assert count(app, SubjectAccessRequest, SubjectAccessRequest.status == "released") == 1


def test_after_a_wrong_then_the_right_passphrase_nothing_says_it_was_wrong(app):
    """Issue 17: after a successful download the parent's page still said "That passphrase
    is not right" (the download did not replace the page). The right passphrase now leads
    to a page of its own that says so, and the report downloads from there."""
    link, passphrase = _released_link(app)
    parent = app.test_client()
    parent.get(link)
    token = csrf_token(parent, "/documents")
    wrong = parent.post("/documents", data={"passphrase": "0000-0000-0000", "csrf_token": token})
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    right = parent.post("/documents", data={"passphrase": passphrase, "csrf_token": token})
    assert right.status_code == 303 and right.location.endswith("/documents/ready")
    page = parent.get(right.location).get_data(as_text=True)
    assert "Your documents are ready" in page and "not right" not in page
    assert "Amelia" not in page and "SAR-" not in page  # still nothing about the child
    assert parent.get("/documents/report.pdf").data[:5] == b"%PDF-"
    assert app.test_client().get("/documents/report.pdf").status_code == 302  # not opened


def test_a_report_is_not_released_by_post_without_a_postal_address(app):
    """Issue 17 review: "by post" was allowed with no address to post it to. The page
    offers only the secure link, says why, and a post asked for anyway is refused with a
    GOV.UK error; nothing is released."""
    from app.models import SubjectAccessRequest
    from tests.integration.children_helpers import count

    first, second, location = _prepared(app, address="")
    approve(second, location)
    page = first.get(location).get_data(as_text=True)
    assert "Release: download to print and post" not in page
    assert "There is no postal address for Sarah O&#39;Neill" in page
    assert "Release: create a secure link" in page
    for data in ({}, {"confirm": "yes"}):
        refused = first.post(location + "/release/post",
                             data={**data, "csrf_token": csrf_token(first, "/")})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and refused.data[:5] != b"%PDF-"
        assert "<title>Error: " in html and "govuk-error-summary" in html
        assert re.search(r'<a href="#release">The report cannot be posted: there is no '
                         r"postal address for the requester\. Release it by a secure link "
                         r"instead\.</a>", html), html[:3000]
        assert count(app, SubjectAccessRequest, SubjectAccessRequest.status == "released") == 0
    assert not events(app, "sar.released")
    linked = first.post(location + "/release/link",
                        data={"confirm": "yes", "csrf_token": csrf_token(first, "/")})
    assert linked.status_code == 200 and 'id="passphrase"' in linked.get_data(as_text=True)
