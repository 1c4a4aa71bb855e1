"""Correction requests: logged, decided (accepted or refused with reason), letter, audited."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Child, CorrectionRequest
from app.services import retention
from tests.conftest import csrf_token
from tests.integration.children_helpers import events, make_child, person
from tests.integration.test_subject_access import _pdf_text


def _log(client, child_id):
    return client.post("/corrections/new", data={
        "child": str(child_id), "requester_name": "Sarah O'Neill",
        "received_on": ["2", "11", "2026"],
        "what_is_wrong": "Her date of birth is 15 February, not 14",
        "csrf_token": csrf_token(client, "/")})


def test_only_management(app):
    head, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    assert head.get("/corrections").status_code == 403
    assert _log(head, make_child(app, head_id)).status_code == 403


def test_accepted_and_refused_with_letters(app):
    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, manager_id)
    location = _log(manager, child_id).location
    empty = manager.post(location, data={"decision": "refuse", "detail": "",
                                         "csrf_token": csrf_token(manager, "/")})
    assert empty.status_code == 422
    assert manager.get(location + "/letter.pdf").status_code == 404  # not decided yet
    done = manager.post(location, data={"decision": "accept",
                                        "detail": "Date of birth corrected to 15 February 2016",
                                        "csrf_token": csrf_token(manager, "/")})
    assert done.status_code == 302
    text = _pdf_text(manager.get(location + "/letter.pdf").data)
    assert "We agreed" in text and "15 February 2016" in text
    again = manager.post(location, data={"decision": "refuse", "detail": "x",
                                         "csrf_token": csrf_token(manager, "/")})
    assert again.status_code == 422  # already decided
    second = _log(manager, child_id).location
    manager.post(second, data={"decision": "refuse", "detail": "The birth certificate shows "
                               "the 14th", "csrf_token": csrf_token(manager, "/")})
    text = _pdf_text(manager.get(second + "/letter.pdf").data)
    assert "not to change" in text and "Information Commissioner" in text
    actions = {e.action for e in events(app, "correction.received")
               + events(app, "correction.accepted") + events(app, "correction.refused")
               + events(app, "correction.letter_generated")}
    assert actions == {"correction.received", "correction.accepted", "correction.refused",
                       "correction.letter_generated"}


def test_destroyed_with_the_child(app):
    manager, manager_id = person(app, "admin", "County Council", "manager@county.example")
    child_id = make_child(app, manager_id)
    _log(manager, child_id)
    with app.app_context():
        retention.archive(db.session.get(Child, child_id), "test",
                          retention._moment(date(2026, 11, 3)))
        db.session.commit()
        assert retention.run(date(2032, 11, 3), dry_run=False).destroyed == [child_id]
        db.session.commit()
        assert db.session.query(CorrectionRequest).count() == 0
