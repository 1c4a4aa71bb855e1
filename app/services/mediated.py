"""Mediated access: requesters ask; brokers of the addressed organisation (or the management
team) claim, look the child up under the request's reason, and disclose what the policy
allows and no more. Every step records who acted and on whose behalf. A stored answer goes
through the policy again whenever it is shown (services/stored_documents.py)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.models import AuditEvent, Child, MediatedRequest, Organisation, RequestStatus, Role, User
from app.services import audit, disclosure, notifications, pdf, records, stored_documents
from app.services.transaction import atomic

REASON = "mediated_request"

# A look-up here takes time; a child at risk today cannot wait for it
URGENT_ADVICE = ("This is not the way to report a child at risk. If a child is in immediate "
                 "danger, call 999 now. If you think a child is at risk of harm today, call "
                 "the children's social care team (out of hours: the emergency duty team) of "
                 "the council where the child lives, then ask here if you still need to.")


def may_broker(user: User, request: MediatedRequest) -> bool:
    """Practitioners of the organisation asked, and the management team."""
    return user.is_management or (user.role == Role.practitioner
                                  and user.organisation_id == request.addressed_to_id)


def find_own(user: User, request_id: int) -> MediatedRequest:
    """One of the requester's own requests (anyone else's is not found)."""
    found = db.session.get(MediatedRequest, request_id)
    if found is None or found.requester_user_id != user.id:
        raise NotFound()
    return found


def find_for_broker(user: User, request_id: int) -> MediatedRequest:
    """A request this broker may handle."""
    found = records.get(MediatedRequest, request_id)
    if not may_broker(user, found):
        raise NotAllowed()
    return found


def _audit(action: str, request: MediatedRequest, *, by_requester: bool = False, **fields):
    """A broker's step is taken on the requester's behalf; the requester's own is not."""
    audit.record(action, on_behalf_of_user_id=None if by_requester else request.requester_user_id,
                 subject_type="mediated_request", subject_id=request.id,
                 reason_category=REASON, **fields)


@atomic
def create(*, requester: User | None, logged_by: User | None, values: dict) -> MediatedRequest:
    """A new request, by a requester or logged by staff on someone's behalf."""
    request = MediatedRequest(requester_user_id=requester.id if requester else None,
                              logged_by_user_id=logged_by.id if logged_by else None, **values)
    db.session.add(request)
    db.session.flush()
    _audit("mediated.created", request, by_requester=logged_by is None,
           detail={"child": f"{values['child_given_names']} {values['child_family_name']}"})
    notifications.mediated_created(request)
    return request


def mine(user: User) -> list[MediatedRequest]:
    """A requester's own requests, newest first."""
    return list(db.session.scalars(sa.select(MediatedRequest).where(
        MediatedRequest.requester_user_id == user.id).order_by(MediatedRequest.id.desc())))


def queue(user: User) -> list[MediatedRequest]:
    """Requests this broker may handle that are not finished, urgent and oldest first."""
    query = sa.select(MediatedRequest).where(MediatedRequest.status.in_(
        [RequestStatus.open, RequestStatus.in_progress]))
    if not user.is_management:
        query = query.where(MediatedRequest.addressed_to_id == user.organisation_id)
    return list(db.session.scalars(query.order_by(MediatedRequest.urgent.desc(),
                                                  MediatedRequest.id)))


@atomic
def claim(user: User, request: MediatedRequest) -> bool:
    """Claim an open request; one conditional UPDATE, so two brokers cannot both win."""
    if not may_broker(user, request):
        raise NotAllowed()
    won = db.session.execute(
        sa.update(MediatedRequest)
        .where(MediatedRequest.id == request.id, MediatedRequest.status == RequestStatus.open)
        .values(status=RequestStatus.in_progress, claimed_by_user_id=user.id, claimed_at=now())
        .execution_options(synchronize_session=False)).rowcount == 1
    if won:
        db.session.refresh(request)
        _audit("mediated.claimed", request)
    return won


def find_working(user: User, request_id: int) -> MediatedRequest:
    """A request this broker has claimed and is answering."""
    request = find_for_broker(user, request_id)
    if request.claimed_by_user_id != user.id or request.status != RequestStatus.in_progress:
        raise NotAllowed()
    return request


def child_to_answer(user: User, request: MediatedRequest, child_id: int) -> Child:
    """The child this broker looks at to answer the request (their own claimed request,
    and a record they may open)."""
    find_working(user, request.id)
    return records.open_record(user, child_id)


def _working(user: User, request: MediatedRequest) -> None:
    if request.status != RequestStatus.in_progress or request.claimed_by_user_id != user.id:
        raise Refused("Claim this request before you work on it")


@atomic
def options(user: User, request: MediatedRequest, child: Child):
    """The fields the policy lets this request be told; looking is audited under it."""
    _working(user, request)
    if not disclosure.may_open(user, child):
        raise NotAllowed()
    _audit("child.viewed", request, child_id=child.id, shielded=child.shielded,
           detail={"page": "mediated answer", "request": request.reference})
    return disclosure.mediated_fields(child)


@atomic
def answer(user: User, request: MediatedRequest, child: Child, keys: list[str]) -> None:
    """Disclose the chosen fields (never more than the policy allows) and close."""
    _working(user, request)
    if not disclosure.may_open(user, child):
        raise NotAllowed()
    allowed = {key: (label, value) for key, label, value in disclosure.mediated_fields(child)}
    if not keys or any(key not in allowed for key in keys):
        raise Refused("Choose what to tell them from the list")
    # Stored with their keys: the policy checks each part again whenever it is delivered
    disclosed = [(key, *allowed[key]) for key in allowed if key in keys]
    request.child_id, request.answer = child.id, json.dumps(disclosed)
    request.status, request.answered_at = RequestStatus.answered, now()
    _audit("mediated.answered", request, child_id=child.id,
           shielded=child.shielded, detail={"disclosed": [label for _, label, _ in disclosed]})
    notifications.mediated_closed(request)


@atomic
def decline(user: User, request: MediatedRequest, reason: str) -> None:
    """Close the request without an answer; the reason is required and shown."""
    _working(user, request)
    if not reason.strip():
        raise Refused("Give the reason for declining")
    request.status, request.decline_reason = RequestStatus.declined, reason.strip()
    request.answered_at = now()
    _audit("mediated.declined", request, detail={"reason": reason})
    notifications.mediated_closed(request)


def disclosed(request: MediatedRequest) -> tuple[list[tuple[str, str]], int]:
    """What the requester may see of the answer today, through the policy as it stands now
    (a shield after the answer withdraws whereabouts from it), and how many parts the policy
    now withholds."""
    return stored_documents.answer_now(request)


@atomic
def view_answer(user: User, request_id: int):
    """The requester's own request and what they may see of its answer today (the policy
    applied again); (request, shown parts, how many parts are now withheld). Looking at an
    answer is audited."""
    request = find_own(user, request_id)
    shown, withheld = disclosed(request)
    if request.status == RequestStatus.answered:
        _audit("mediated.answer_viewed", request, by_requester=True, child_id=request.child_id,
               detail={"withheld": withheld} if withheld else None)
    return request, shown, withheld


def letter(user: User, request_id: int) -> tuple[MediatedRequest, bytes]:
    """The answer as a printable letter, from the organisation of the broker who answered
    (through the policy again, like the page), rendered outside any lock; the download is
    audited."""
    request = find_own(user, request_id)
    if request.status != RequestStatus.answered:
        raise NotFound()
    broker = db.session.get(User, request.claimed_by_user_id)
    sender = db.session.get(Organisation, broker.organisation_id if broker
                            else request.addressed_to_id)
    shown, withheld = disclosed(request)
    body = pdf.render("mediated/letter.html", item=request, disclosed=shown, withheld=withheld,
                      organisation=sender, broker=broker)
    _letter_given(request.id, withheld)
    return request, body


@atomic
def _letter_given(request_id: int, withheld: int) -> None:
    request = db.session.get(MediatedRequest, request_id)
    _audit("mediated.letter_downloaded", request, by_requester=True,
           child_id=request.child_id, detail={"withheld": withheld} if withheld else None)


def closed_unmatched(as_of: date) -> list[int]:
    """Requests closed without a record (declined, or never matched) longer ago than
    MEDIATED_RETENTION_DAYS (a year): they hold a child's details as the requester typed
    them, and nothing else needs them."""
    days = current_app.config["MEDIATED_RETENTION_DAYS"]
    cutoff = datetime.combine(as_of - timedelta(days=days), time(0))
    return list(db.session.scalars(sa.select(MediatedRequest.id).where(
        MediatedRequest.child_id.is_(None),
        MediatedRequest.status.in_([RequestStatus.answered, RequestStatus.declined]),
        MediatedRequest.answered_at < cutoff).order_by(MediatedRequest.id)))


def delete_closed(ids: list[int]) -> None:
    """Delete the requests and erase the details of their own audit events (the child's
    name as typed, the reason for declining); each leaves an event that names no child."""
    if not ids:
        return
    audit.erase(sa.select(AuditEvent.seq).where(AuditEvent.subject_type == "mediated_request",
                                                AuditEvent.subject_id.in_(ids),
                                                AuditEvent.action.like("mediated.%")))
    db.session.execute(sa.delete(MediatedRequest).where(MediatedRequest.id.in_(ids))
                       .execution_options(synchronize_session=False))
    for request_id in ids:
        audit.record("mediated.expired", subject_type="mediated_request", subject_id=request_id)
