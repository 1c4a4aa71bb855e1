"""Releasing a subject access report: second approval, post or passphrase-protected link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine

from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    check_identity,
    events,
    make_child,
    person,
    set_controller,
)
from tests.integration.test_stored_documents import pdf_text


def _logged(app):
    """Two of the management team, and a request logged by the first (identity unchecked)."""
    first, first_id = person(app, "admin", "County Council", "manager@county.example")
    second, _ = person(app, "admin", "County Council", "deputy@county.example")
    child_id = make_child(app, first_id)
    set_controller(app, first_id)
    location = first.post("/subject-access/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "requester_relationship": "parent", "channel": "email",
        "received_on": ["2", "11", "2026"], "csrf_token": csrf_token(first, "/")}).location
    return first, second, location


def _prepared(app):
    first, second, location = _logged(app)
    check_identity(first, location)
    assert first.post(location + "/prepare",
                      data={"csrf_token": csrf_token(first, "/")}).status_code == 302
    return first, second, location


def test_release_needs_a_second_approver(app):
    first, second, location = _prepared(app)
    token = csrf_token(first, "/")
    assert first.post(location + "/approve", data={"csrf_token": token}).status_code == 303
    assert first.post(location + "/release/post", data={"csrf_token": token}).status_code == 303
    assert "must approve" in first.get(location).get_data(as_text=True)
    assert second.post(location + "/approve",
                       data={"csrf_token": csrf_token(second, "/")}).status_code == 302
    posted = first.post(location + "/release/post", data={"csrf_token": token})
    assert posted.status_code == 200 and posted.data[:5] == b"%PDF-"
    assert events(app, "sar.approved") and events(app, "sar.released")


def test_one_person_settings_can_switch_second_approval_off(make_app):
    app = make_app(SAR_SECOND_APPROVAL=False)
    first, _, location = _prepared(app)
    assert first.post(location + "/approve",
                      data={"csrf_token": csrf_token(first, "/")}).status_code == 302


def _released_link(app):
    first, second, location = _prepared(app)
    second.post(location + "/approve", data={"csrf_token": csrf_token(second, "/")})
    page = first.post(location + "/release/link",
                      data={"csrf_token": csrf_token(first, "/")}).get_data(as_text=True)
    link = re.search(r'id="document-link">http://localhost([^<]+)<', page).group(1)
    passphrase = re.search(r'id="passphrase">([0-9-]+)<', page).group(1)
    return link, passphrase


def _collect(client, passphrase):
    return client.post("/documents", data={"passphrase": passphrase,
                                           "csrf_token": csrf_token(client, "/documents")})


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
