"""Correction requests (UK GDPR art. 16): logged (from a subject access report or alone),
decided by the management team (accepted with the change made, or refused with the
reason), answered by letter. Every step audited."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.clock import now
from app.extensions import db
from app.models import Child, CorrectionRequest, User
from app.services import audit
from app.services.children import NotAllowed, Refused


def _audit(action: str, user: User, request: CorrectionRequest, ip, **detail) -> None:
    audit.record(action, actor_user_id=user.id, ip=ip, organisation_id=user.organisation_id,
                 subject_type="correction_request", subject_id=request.id,
                 child_id=request.child_id, reason_category="subject_access",
                 detail=detail or None)


def log(user: User, child: Child, *, requester_name: str, received_on, what_is_wrong: str,
        subject_access_id: int | None, ip) -> CorrectionRequest:
    """Record a request to correct the record."""
    if not user.is_management:
        raise NotAllowed()
    request = CorrectionRequest(child_id=child.id, requester_name=requester_name,
                                received_on=received_on, what_is_wrong=what_is_wrong,
                                subject_access_id=subject_access_id,
                                created_by_user_id=user.id)
    db.session.add(request)
    db.session.flush()
    _audit("correction.received", user, request, ip, what=what_is_wrong)
    return request


def decide(user: User, request: CorrectionRequest, *, accept: bool, detail: str, ip) -> None:
    """Accept (saying what was changed: make the change on the record itself, where it is
    audited too) or refuse (saying why)."""
    if not user.is_management:
        raise NotAllowed()
    if request.status != "open":
        raise Refused("This correction request has already been decided")
    if not detail.strip():
        raise Refused("Say what was changed" if accept else "Give the reason for refusing")
    request.status = "accepted" if accept else "refused"
    request.change_made, request.decision_reason = ((detail, None) if accept
                                                    else (None, detail))
    request.decided_by_user_id, request.decided_at = user.id, now()
    _audit(f"correction.{request.status}", user, request, ip, detail=detail)


def open_requests() -> list[CorrectionRequest]:
    """Undecided correction requests, oldest first."""
    return list(db.session.scalars(sa.select(CorrectionRequest).where(
        CorrectionRequest.status == "open").order_by(CorrectionRequest.id)))
