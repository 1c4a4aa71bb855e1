"""Subject access requests: intake, identity and parental-responsibility checks, the clock
(pauses for clarification, extensions within the first month) and the board.

The report is built in sar_report.py (on the disclosure policy) and released in
sar_release.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.core.clock import now
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Child, SubjectAccessRequest, User
from app.services import audit, deadlines, disclosure, records
from app.services.transaction import atomic

RELATIONSHIPS = {"young_person": "The young person", "parent": "Parent",
                 "carer": "Carer with parental responsibility", "other": "Someone else"}
CHANNELS = {"letter": "Letter", "email": "Email", "phone": "Phone", "in_person": "In person"}
STATES = {"received": "Received", "awaiting_id": "Waiting for proof of identity",
          "preparing": "Checks done: prepare the report",
          "awaiting_approval": "Waiting for approval", "approved": "Approved: release it",
          "released": "Released: not yet downloaded"}


def management(user: User) -> None:
    """Subject access is the management team's work."""
    if not user.is_management:
        raise NotAllowed()


def find(user: User, request_id: int) -> SubjectAccessRequest:
    """One request, for the management team."""
    management(user)
    return records.get(SubjectAccessRequest, request_id)


def record_event(action: str, request: SubjectAccessRequest, **detail) -> None:
    """An audit event about the request, under the subject access reason."""
    audit.record(action, subject_type="subject_access_request", subject_id=request.id,
                 child_id=request.child_id, reason_category="subject_access",
                 detail=detail or None)


def clock_start(request: SubjectAccessRequest) -> date | None:
    """Receipt, or receipt of ID when ID was needed; None while waiting for ID."""
    if request.id_needed:
        return request.id_received_on
    return request.received_on


def paused_days(request: SubjectAccessRequest, today: date) -> int:
    """Days the clock stood still waiting for clarification (so far, if still paused)."""
    if request.paused_on is None:
        return 0
    return ((request.resumed_on or today) - request.paused_on).days


def due(request: SubjectAccessRequest, today: date | None = None) -> date | None:
    """When the response is due, or None until the clock has started."""
    start = clock_start(request)
    if start is None:
        return None
    return deadlines.due_date(start, extended=request.extended,
                              paused_days=paused_days(request, today or now().date()))


@atomic
def create(user: User, reference: int, values: dict) -> SubjectAccessRequest:
    """Log a request as received, about the record the reference names."""
    management(user)
    child = records.held(reference)
    values = {**values, "requester_address": values.get("requester_address") or None,
              "requester_email": values.get("requester_email") or None}
    request = SubjectAccessRequest(child_id=child.id, created_by_user_id=user.id, **values)
    if values["requester_relationship"] != "young_person":
        request.requester_carer_id = disclosure.match_carer(child, values["requester_name"])
    db.session.add(request)
    db.session.flush()
    record_event("sar.received", request, relationship=values["requester_relationship"])
    return request


@atomic
def record_checks(user: User, request_id: int, *, identity: str, responsibility: str | None,
                  id_received_on: date | None) -> None:
    """What was seen to prove identity (and parental responsibility), by whom, when."""
    request = find(user, request_id)
    if not identity.strip():
        raise Refused("Say what was seen to check their identity")
    request.identity_evidence, request.responsibility_evidence = identity, responsibility or None
    request.checked_by_user_id, request.checked_on = user.id, now().date()
    if request.id_needed:
        request.id_received_on = id_received_on or now().date()
    record_event("sar.checked", request, identity=identity, responsibility=responsibility)


@atomic
def pause_or_resume(user: User, request_id: int, action: str) -> None:
    """Stop the clock while clarification is asked for (once), or restart it."""
    request = find(user, request_id)
    if action == "pause":
        if request.paused_on is not None:
            raise Refused("The clock has already been paused once for clarification")
        request.paused_on = now().date()
    else:
        if request.paused_on is None or request.resumed_on is not None:
            raise Refused("The clock is not paused")
        request.resumed_on = now().date()
    record_event(f"sar.{action}d", request)


@atomic
def extend(user: User, request_id: int, reason: str) -> None:
    """Extend by two months for a complex request: only within the first month."""
    request = find(user, request_id)
    start = clock_start(request)
    today = now().date()
    if request.extended:
        raise Refused("This request has already been extended")
    if not reason.strip():
        raise Refused("Give the reason for the extension")
    if start is None or not deadlines.may_extend(start, today, paused_days(request, today)):
        raise Refused("An extension can be recorded only within the first month")
    request.extended, request.extension_reason, request.extended_on = True, reason, today
    record_event("sar.extended", request, reason=reason)


def carers(request: SubjectAccessRequest) -> list[tuple[int, str]]:
    """The parents and carers on the record, one of whom may be the requester."""
    child = records.surviving(db.session.get(Child, request.child_id))
    return [(c.id, f"{c.name} ({c.relationship_to_child})") for c in child.carers]


@atomic
def link_carer(user: User, request_id: int, carer_id: int | None) -> None:
    """Say which entry on the record is the requester's own (their data is never withheld
    from them), or that none is; a report already prepared is withdrawn, since it changes."""
    from app.services import sar_release

    request = find(user, request_id)
    if carer_id is not None and carer_id not in dict(carers(request)):
        raise Refused("Choose one of the parents and carers on the record")
    if request.status == "released" and request.delivered_at is not None:
        raise Refused("The report has been delivered: log a new request instead")
    if carer_id != request.requester_carer_id and request.status != "open":
        sar_release.withdraw(request, "The requester's entry on the record changed")
    request.requester_carer_id = carer_id
    record_event("sar.requester_linked", request, carer=carer_id)


def state(request: SubjectAccessRequest) -> str | None:
    """Where the request is (a key of STATES), or None once the report has been delivered
    (posted, or downloaded from its link)."""
    if request.status == "released":
        return None if request.delivered_at else "released"
    if request.status in ("awaiting_approval", "approved"):
        return request.status
    if request.id_needed and request.id_received_on is None:
        return "awaiting_id"
    return "preparing" if request.checked_on else "received"


@dataclass
class BoardRow:
    """One request on the board: every request not yet delivered."""

    request: SubjectAccessRequest
    state: str
    due: date | None
    days_left: int | None
    colour: str  # ok, soon (amber), overdue (red), waiting (no clock yet)

    @property
    def state_label(self) -> str:
        """Plain-English state."""
        return STATES[self.state]


def board(user: User, today: date | None = None) -> list[BoardRow]:
    """Every request not yet delivered, by state (in the order of the work), then most
    urgent first."""
    management(user)
    today = today or now().date()
    rows = []
    for request in db.session.scalars(sa.select(SubjectAccessRequest).where(sa.or_(
            SubjectAccessRequest.status != "released",
            SubjectAccessRequest.delivered_at.is_(None))).order_by(SubjectAccessRequest.id)):
        when, where = due(request, today), state(request)
        if when is None:
            rows.append(BoardRow(request, where, None, None, "waiting"))
        else:
            rows.append(BoardRow(request, where, when, deadlines.days_left(when, today),
                                 deadlines.urgency(when, today)))
    order = list(STATES)
    return sorted(rows, key=lambda row: (order.index(row.state), row.due is None,
                                         row.due or today))
