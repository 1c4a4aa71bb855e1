"""Subject access intake, checks and the clock (the report comes next)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from app.extensions import db
from app.models import SubjectAccessRequest
from tests.conftest import csrf_token
from tests.integration.children_helpers import events, make_child, person


def _log(client, child_id, received=("31", "1", "2026"), id_needed=False):
    data = {"child": str(child_id), "requester_name": "Sarah O'Neill",
            "requester_relationship": "parent", "channel": "letter",
            "received_on": list(received), "csrf_token": csrf_token(client, "/")}
    if id_needed:
        data["id_needed"] = "y"
    return client.post("/subject-access/new", data=data)


def test_only_the_management_team(app):
    head, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id)
    assert head.get("/subject-access").status_code == 403
    assert _log(head, child_id).status_code == 403


def test_intake_and_the_deadline_across_a_weekend(app):
    with time_machine.travel(datetime(2026, 2, 2, 10, tzinfo=UTC), tick=True):
        manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
        child_id = make_child(app, manager_id)
        response = _log(manager, child_id)
        assert response.status_code == 302
        page = manager.get(response.location).get_data(as_text=True)
        assert '"due">2 March 2026' in page  # 28 February 2026 is a Saturday
        board = manager.get("/subject-access").get_data(as_text=True)
        assert "SAR-00001" in board and "28 days" in board
        assert events(app, "sar.received")[0].child_id == child_id


def test_id_needed_starts_the_clock_on_receipt_of_id(app):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=True):
        manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
        child_id = make_child(app, manager_id)
        location = _log(manager, child_id, received=("2", "3", "2026"), id_needed=True).location
        assert "The clock starts when proof of identity arrives" in manager.get(
            location).get_data(as_text=True)
        manager.post(location + "/checks", data={
            "c-identity": "Passport seen in person", "c-responsibility": "Birth certificate",
            "c-id_received_on": ["2", "3", "2026"], "csrf_token": csrf_token(manager, "/")})
        assert "\"due\">2 April 2026" in manager.get(location).get_data(as_text=True)


def test_extension_only_within_the_first_month_and_pauses(app):
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=UTC), tick=True):
        manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
        child_id = make_child(app, manager_id)
        location = _log(manager, child_id).location  # received 31 January, due 2 March
        late = manager.post(location + "/extend", data={
            "x-reason": "Many records", "csrf_token": csrf_token(manager, "/")})
        assert late.status_code == 422 and "within the first month" in late.get_data(
            as_text=True)
        location = _log(manager, child_id, received=("20", "2", "2026")).location
        ok = manager.post(location + "/extend", data={
            "x-reason": "Records held by five organisations",
            "csrf_token": csrf_token(manager, "/")})
        assert ok.status_code == 302
        assert '"due">20 May 2026' in manager.get(location).get_data(as_text=True)
        manager.post(location + "/pause", data={"csrf_token": csrf_token(manager, "/")})
        with app.app_context():
            assert db.session.get(SubjectAccessRequest, 2).paused_on is not None
        assert events(app, "sar.extended") and events(app, "sar.paused")


def test_destruction_takes_subject_access_requests_with_the_child(app):
    from datetime import date

    from app.models import Child
    from app.services import retention

    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, manager_id)
    _log(manager, child_id, received=("2", "11", "2026"))
    with app.app_context():
        retention.archive(db.session.get(Child, child_id), "test",
                          retention._moment(date(2026, 11, 3)))
        db.session.commit()
        assert retention.run(date(2032, 11, 3), dry_run=False).destroyed == [child_id]
        db.session.commit()
        assert db.session.query(SubjectAccessRequest).count() == 0
