"""Brokered contact: when a practitioner cannot see whom to contact (a shielded record, a
sensitive service), the management team asks on their behalf and records the outcome."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.clock import now
from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.models import Child, ChildStatus, ContactKind, ContactRequest, Involvement, User
from app.services import audit, disclosure
from app.services.transaction import atomic

OUTCOMES = {"contacted": "The management team passed your details on; expect contact",
            "declined": "The service decided not to make contact",
            "not_needed": "Contact was not needed or not possible"}


def on_record(child: Child, involvement_id: int) -> Involvement:
    """One of the record's services; any other is not found."""
    involvement = db.session.get(Involvement, involvement_id)
    if involvement is None or involvement.child_id != child.id:
        raise NotFound()
    return involvement


@atomic
def ask(user: User, child: Child, kind: ContactKind, message: str, *,
        involvement_id: int | None) -> ContactRequest:
    """Ask the management team to put you in touch (about one of the record's services, or
    about the child: a service that is not on the record is not found)."""
    if involvement_id is not None:
        on_record(child, involvement_id)
    if not message.strip():
        raise Refused("Say why you need contact")
    request = ContactRequest(child_id=child.id, involvement_id=involvement_id, kind=kind,
                             requested_by_user_id=user.id, message=message.strip())
    db.session.add(request)
    db.session.flush()
    audit.record("contact.requested", child_id=child.id,
                 subject_type="contact_request",
                 subject_id=request.id, shielded=child.shielded,
                 detail={"kind": kind.value, "message": message})
    return request


@atomic
def close(user: User, request: ContactRequest, outcome: str, note: str) -> None:
    """The management team records what happened; the requester sees only the outcome."""
    if not user.is_management:
        raise NotAllowed()
    if request.status != "open":
        raise Refused("This request has already been answered")
    if outcome not in OUTCOMES:
        raise Refused("Choose what happened")
    request.status, request.outcome = outcome, (note or "").strip() or None
    request.closed_at, request.closed_by_user_id = now(), user.id
    audit.record("contact.answered", child_id=request.child_id,
                 subject_type="contact_request",
                 subject_id=request.id, on_behalf_of_user_id=request.requested_by_user_id,
                 detail={"outcome": outcome, "note": note})


def mine(user: User) -> list[ContactRequest]:
    """The user's own requests, newest first."""
    return list(db.session.scalars(sa.select(ContactRequest).where(
        ContactRequest.requested_by_user_id == user.id).order_by(ContactRequest.id.desc())))


def queue() -> list[ContactRequest]:
    """Open requests for the management team, oldest first."""
    return list(db.session.scalars(sa.select(ContactRequest).where(
        ContactRequest.status == "open").order_by(ContactRequest.id)))


def find(user: User, request_id: int) -> ContactRequest:
    """A contact request to broker, while its record is in the directory (an archived
    record's own limited reasons apply instead)."""
    if not user.is_management:
        raise NotAllowed()
    found = db.session.get(ContactRequest, request_id)
    if found is None or db.session.get(Child, found.child_id).status != ChildStatus.active:
        raise NotFound()
    return found


@atomic
def broker_view(user: User, request: ContactRequest) -> tuple[disclosure.ChildView, list]:
    """What the management team needs to broker it: the record and the service asked
    about, seen in full (the look is audited)."""
    child = db.session.get(Child, request.child_id)
    view = disclosure.project(user, child, disclosure.Purpose.contact_broker)
    services = [s for s in view.services if request.involvement_id in (None, s.id)]
    audit.record("contact.broker_viewed", child_id=child.id, shielded=child.shielded,
                 reason_category="coordinating", subject_type="contact_request",
                 subject_id=request.id)
    return view, services
