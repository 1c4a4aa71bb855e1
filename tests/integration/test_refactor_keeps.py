"""Behaviour the thin-views refactor (issue 13) must keep: who acted and on whose behalf,
outside a request too, and a wrong service on a record is not found."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Child, MediatedRequest, Organisation, ShieldCategory, User
from app.services import shielding
from tests.conftest import csrf_token
from tests.integration.children_helpers import (
    details,
    events,
    make_child,
    open_record,
    person,
    service,
)


def _org_id(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def _ask(app, requester):
    requester.post("/requests/new", data={
        "requester_name": "Nina Nurse", "requester_organisation": "Riverside Youth",
        "requester_role": "School nurse", "requester_contact": "nina@riverside.example",
        "addressed_to": str(_org_id(app, "Hilltop School")), "child_given_names": "Amelia",
        "child_family_name": "O'Neill", "child_date_of_birth": ["14", "2", "2016"],
        "reason": "Immunisation follow-up", "urgency": "routine",
        "csrf_token": csrf_token(requester, "/requests/new")})
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(MediatedRequest.id)))


def _answer_as(broker, request_id, child_id):
    token = csrf_token(broker, "/")
    assert broker.post(f"/requests/{request_id}/claim",
                       data={"csrf_token": token}).status_code == 302
    broker.post(f"/requests/{request_id}/work", data={
        "family_name": "O'Neill", "date_of_birth": ["14", "2", "2016"], "csrf_token": token})
    page = broker.get(f"/requests/{request_id}/children/{child_id}").get_data(as_text=True)
    fields = re.findall(r'name="field" type="checkbox" value="([^"]+)"', page)
    assert broker.post(f"/requests/{request_id}/children/{child_id}",
                       data={"field": fields, "csrf_token": token}).status_code == 302


def test_a_requester_reading_their_own_answer_is_not_acting_on_their_own_behalf(app):
    """A broker's steps are on the requester's behalf; reading the answer and downloading
    the letter are the requester's own."""
    _, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    broker, _ = person(app, "practitioner", "Hilltop School", "dep@hilltop.example")
    requester, _ = person(app, "requester", "Riverside Youth", "nina@riverside.example")
    child_id = make_child(app, head_id)
    request_id = _ask(app, requester)
    _answer_as(broker, request_id, child_id)
    assert requester.get(f"/requests/{request_id}").status_code == 200
    assert requester.get(f"/requests/{request_id}/letter.pdf").status_code == 200
    assert events(app, "mediated.answered")[-1].on_behalf_of_user_id is not None
    for action in ("mediated.answer_viewed", "mediated.letter_downloaded", "mediated.created"):
        assert events(app, action)[-1].on_behalf_of_user_id is None, action


def test_a_service_given_a_user_outside_a_request_still_names_them(app):
    """A command, a script, `flask shell` or a job calling a service with a user acts as
    that user: its events name them and their organisation."""
    _, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id)
    with app.app_context():
        head = db.session.get(User, head_id)
        shielding.request(head, db.session.get(Child, child_id),
                          ShieldCategory.domestic_violence, "Fled to a refuge")
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "shield.requested"))
        assert (event.actor_user_id, event.organisation_id) == (head_id, head.organisation_id)
        created = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "child.created"))
        assert created.actor_user_id == head_id


def test_asking_about_a_service_not_on_the_record_is_still_not_found(app):
    """Asking to reach a service of another child's record: not found, asked or posted."""
    head, head_id = person(app, "practitioner", "Hilltop School", "head@hilltop.example")
    child_id = make_child(app, head_id)
    other_id = make_child(app, head_id, data={"details": details(given="Bea"),
                                              "identifiers": {}, "carers": [],
                                              "services": [service()]})
    with app.app_context():
        foreign = db.session.get(Child, other_id).involvements[0].id
    page = open_record(head, child_id, page="contact_service", item=foreign)
    assert page.status_code == 404
    response = head.post(page.request.url, data={"message": "Please ask them to call me",
                                                 "csrf_token": csrf_token(head, "/")})
    assert response.status_code == 404
