"""Helpers for child-record tests: users in organisations, children made through services."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Child, User
from app.services import children
from tests.conftest import csrf_token, make_user, sign_in

MARKERS = {"postcode": "ZZ9 9ZZ", "street": "7 Marigold Crescent", "phone": "01632 960 777",
           "school": "Quillfeather Academy", "camhs": "Zephyr CAMHS Team"}


def details(given="Amelia", family="O'Neill", dob="2016-02-14", **extra):
    return {"given_names": given, "family_name": family, "other_names": None,
            "gender": "female", "date_of_birth": dob, "address_line1": MARKERS["street"],
            "address_line2": None, "town": "Bristol", "postcode": MARKERS["postcode"], **extra}


def service(kind="education_setting", name=None, **extra):
    return {"service_type": kind, "service_name": name or MARKERS["school"],
            "practitioner_name": "Ms Head", "practitioner_role": "Head teacher",
            "phone": MARKERS["phone"], "email": None, "address": None, "start_date": None,
            "lead_professional": False, "caf_completed": False, "consent_given_by": None,
            "consent_relationship": None, "consent_date": None, **extra}


CONSENT = {"consent_given_by": "Amelia O'Neill", "consent_relationship": "The young person",
           "consent_date": "2026-01-05"}


def person(app, role, org, email):
    """Make a user and return (client signed in, user id)."""
    user_id, email, secret = make_user(app, role=role, organisation=org, email=email,
                                       name=email.split("@")[0].title())
    client = app.test_client()
    assert sign_in(client, email, secret).status_code == 302
    return client, user_id


def make_child(app, user_id, *, data=None):
    """Create a child as the given user, through the service layer."""
    with app.app_context():
        user = db.session.get(User, user_id)
        child = children.create_from_draft(user, data or {
            "details": details(), "identifiers": {"nhs": "9434765919"},
            "carers": [], "services": [service()]})
        db.session.commit()
        return child.id


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def events(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.seq)).all()


def children_count(app):
    return count(app, Child)


def open_record(client, child_id, page="record", category="coordinating", detail="",
                item=None):
    """State a reason and open the page; returns the page response."""
    url = f"/children/{child_id}/reason?page={page}" + (f"&item={item}" if item else "")
    token = csrf_token(client, "/")
    response = client.post(url, data={"category": category, "detail": detail,
                                      "csrf_token": token})
    if response.status_code != 302:
        return response
    return client.get(response.location)


def grant_from(response) -> str:
    return re.search(r"grant=([\w-]+)", response.request.url or "").group(1)


def set_controller(app, manager_id):
    """The host's postal address and its data protection officer (reports need them)."""
    with app.app_context():
        host = db.session.get(User, manager_id).organisation
        host.address, host.dpo_name = "County Hall, 1 High Street, Exeter EX1 1AA", "Dee Pio"
        host.dpo_contact = "dpo@county.example, County Hall, Exeter EX1 1AA"
        db.session.commit()


def approve(client, location: str):
    """Open the prepared report, as an approver must first, then approve it."""
    client.get(location + "/prepared")
    return client.post(location + "/approve", data={"csrf_token": csrf_token(client, "/")})


def collect_document(client, passphrase: str):
    """Enter a download link's passphrase as a parent would, then download the report
    from the page it leads to; returns the last response (the PDF, or the refusal)."""
    entered = client.post("/documents", data={
        "passphrase": passphrase, "csrf_token": csrf_token(client, "/documents")})
    if entered.status_code != 303:
        return entered
    assert "Your documents are ready" in client.get(entered.location).get_data(as_text=True)
    return client.get("/documents/report.pdf")


def check_identity(client, location: str) -> None:
    """Record that identity was checked on a subject access request's page."""
    response = client.post(location + "/checks", data={
        "c-identity": "Passport seen in person", "c-responsibility": "Birth certificate",
        "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302, response.get_data(as_text=True)


def ask_for_look_up(client, addressed_to, urgency="routine", **fields):
    """A requester asks an organisation to look Amelia O'Neill up (a mediated request)."""
    token = csrf_token(client, "/requests/new")
    return client.post("/requests/new", data={
        "requester_name": "Nina Nurse", "requester_organisation": "Riverside Youth",
        "requester_role": "School nurse", "requester_contact": "nina@riverside.example",
        "addressed_to": str(addressed_to), "child_given_names": "Amelia",
        "child_family_name": "O'Neill", "child_date_of_birth": ["14", "2", "2016"],
        "reason": "Immunisation follow-up", "urgency": urgency, "csrf_token": token,
        **fields})
