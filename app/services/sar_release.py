"""Releasing a subject access report: prepared, approved by a second member of the
management team (configurable off for one-person settings), then delivered by post or by
a link that needs a passphrase sent separately (14 days, 5 wrong passphrases)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import SubjectAccessRequest, User
from app.services import audit, crypto, passwords
from app.services.children import NotAllowed, Refused
from app.services.clock import now

LINK_DAYS = 14
MAX_FAILURES = 5


def _audit(action: str, user: User | None, request: SubjectAccessRequest, ip, **detail):
    audit.record(action, actor_user_id=user.id if user else None, ip=ip,
                 organisation_id=user.organisation_id if user else None,
                 subject_type="subject_access_request", subject_id=request.id,
                 child_id=request.child_id, reason_category="subject_access",
                 detail=detail or None)


def _management(user: User) -> None:
    if not user.is_management:
        raise NotAllowed()


def prepare(user: User, request: SubjectAccessRequest, document: bytes, *, ip) -> None:
    """Fix the report as it will be sent; any earlier approval no longer counts."""
    _management(user)
    if request.status not in ("open", "awaiting_approval"):
        raise Refused("This report has already been approved or released")
    request.report_pdf, request.prepared_by_user_id, request.prepared_at = (
        document, user.id, now())
    request.approved_by_user_id = request.approved_at = None
    request.status = "awaiting_approval"
    _audit("sar.prepared", user, request, ip, bytes=len(document))


def approve(user: User, request: SubjectAccessRequest, *, ip) -> None:
    """A second member of the management team approves the prepared report."""
    _management(user)
    if request.status != "awaiting_approval":
        raise Refused("Prepare the report before it can be approved")
    if current_app.config["SAR_SECOND_APPROVAL"] and user.id == request.prepared_by_user_id:
        raise Refused("A second member of the management team must approve the report "
                      "you prepared")
    request.approved_by_user_id, request.approved_at = user.id, now()
    request.status = "approved"
    _audit("sar.approved", user, request, ip)


def _released(user: User, request: SubjectAccessRequest, how: str) -> None:
    _management(user)
    if request.status != "approved":
        raise Refused("The report must be approved before it is released")
    request.status, request.released_at, request.delivery = "released", now(), how


def release_by_post(user: User, request: SubjectAccessRequest, *, ip) -> bytes:
    """Release for printing and posting; returns the approved PDF."""
    _released(user, request, "post")
    _audit("sar.released", user, request, ip, delivery="post")
    return request.report_pdf


def release_by_link(user: User, request: SubjectAccessRequest, *, ip) -> tuple[str, str]:
    """Release by link; returns (token for the link, passphrase to send separately)."""
    _released(user, request, "link")
    token = crypto.new_token()
    passphrase = "-".join(f"{secrets.randbelow(10000):04d}" for _ in range(3))
    request.link_token_hash = crypto.digest(token)
    request.link_expires_at = now() + timedelta(days=LINK_DAYS)
    request.passphrase_hash = passwords.hash_password(passphrase)
    request.link_failures = 0
    _audit("sar.released", user, request, ip, delivery="link")
    return token, passphrase


def live_link(token: str) -> SubjectAccessRequest | None:
    """The request a download link belongs to, while it still works."""
    request = db.session.scalar(sa.select(SubjectAccessRequest).where(
        SubjectAccessRequest.link_token_hash == crypto.digest(token)))
    if request is None or request.link_expires_at <= now():
        return None
    if request.link_failures >= MAX_FAILURES:
        return None
    return request


def collect(request: SubjectAccessRequest, passphrase: str, *, ip) -> bytes | None:
    """The PDF for the right passphrase; a wrong one counts towards the limit of 5."""
    ok, _ = passwords.verify_password(request.passphrase_hash, passphrase.strip())
    if not ok:
        db.session.execute(sa.update(SubjectAccessRequest)
                           .where(SubjectAccessRequest.id == request.id)
                           .values(link_failures=SubjectAccessRequest.link_failures + 1)
                           .execution_options(synchronize_session=False))
        _audit("sar.passphrase_refused", None, request, ip)
        return None
    _audit("sar.downloaded", None, request, ip)
    return request.report_pdf
