"""Correction requests (UK GDPR art. 16): logged (from a subject access report or alone),
decided by the management team (accepted with the change made, or refused with the
reason), answered by letter. Every step audited."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.clock import now
from app.core.errors import NotFound, Refused
from app.extensions import db
from app.models import CorrectionRequest, User
from app.services import audit, pdf, records
from app.services.subject_access import management
from app.services.transaction import atomic


def _event(action: str, request: CorrectionRequest, **detail) -> None:
    audit.record(action, subject_type="correction_request", subject_id=request.id,
                 child_id=request.child_id, reason_category="subject_access",
                 detail=detail or None)


def find(user: User, request_id: int) -> CorrectionRequest:
    """One correction request, for the management team."""
    management(user)
    return records.get(CorrectionRequest, request_id)


@atomic
def log(user: User, reference: int, *, requester_name: str, received_on,
        what_is_wrong: str, subject_access_id: int | None = None) -> CorrectionRequest:
    """Record a request to correct the record the reference names."""
    management(user)
    child = records.held(reference)
    request = CorrectionRequest(child_id=child.id, requester_name=requester_name,
                                received_on=received_on, what_is_wrong=what_is_wrong,
                                subject_access_id=subject_access_id,
                                created_by_user_id=user.id)
    db.session.add(request)
    db.session.flush()
    _event("correction.received", request, what=what_is_wrong)
    return request


@atomic
def decide(user: User, request_id: int, *, accept: bool, detail: str) -> None:
    """Accept (saying what was changed: make the change on the record itself, where it is
    audited too) or refuse (saying why)."""
    request = find(user, request_id)
    if request.status != "open":
        raise Refused("This correction request has already been decided")
    if not detail.strip():
        raise Refused("Say what was changed" if accept else "Give the reason for refusing")
    request.status = "accepted" if accept else "refused"
    request.change_made, request.decision_reason = ((detail, None) if accept
                                                    else (None, detail))
    request.decided_by_user_id, request.decided_at = user.id, now()
    _event(f"correction.{request.status}", request, detail=detail)


def letter(user: User, request_id: int) -> tuple[CorrectionRequest, bytes]:
    """The letter telling the requester the decision (decided requests only), rendered
    outside any lock; the printing is audited."""
    request = find(user, request_id)
    if request.status == "open":
        raise NotFound()
    body = pdf.render("corrections/letter.html", item=request, today=now().date())
    _printed(request.id)
    return request, body


@atomic
def _printed(request_id: int) -> None:
    _event("correction.letter_generated", db.session.get(CorrectionRequest, request_id))


def open_requests(user: User) -> list[CorrectionRequest]:
    """Undecided correction requests, oldest first."""
    management(user)
    return list(db.session.scalars(sa.select(CorrectionRequest).where(
        CorrectionRequest.status == "open").order_by(CorrectionRequest.id)))
