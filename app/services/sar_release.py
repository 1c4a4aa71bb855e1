"""Releasing a subject access report: prepared, approved by a second member of the
management team (configurable off for one-person settings), then delivered by post or by
a link that needs a passphrase sent separately (14 days, 5 wrong passphrases).

The prepared PDF is a stored document: it keeps the digest of the disclosure facts it was
built on, and every step that delivers it (approval, release, each download) checks them
again. A report whose facts changed (a shield, a sensitive service or its consent, a merge)
is withdrawn, with the reason, and must be prepared and approved again."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Child, SubjectAccessRequest, User
from app.services import audit, crypto, disclosure, passwords, records, sar_report

LINK_DAYS = 14
MAX_FAILURES = 5
CHANGED = ("The record changed after the report was prepared (a shield, a sensitive service "
           "or its consent, or a merge)")


class Withdrawn(Refused):
    """The report was built on facts that no longer hold: it has been withdrawn (commit)."""


def _audit(action: str, user: User | None, request: SubjectAccessRequest, ip, **detail):
    audit.record(action, actor_user_id=user.id if user else None, ip=ip,
                 organisation_id=user.organisation_id if user else None,
                 subject_type="subject_access_request", subject_id=request.id,
                 child_id=request.child_id, reason_category="subject_access",
                 detail=detail or None)


def _management(user: User) -> None:
    if not user.is_management:
        raise NotAllowed()


def current_basis(request: SubjectAccessRequest) -> str:
    """The digest of the facts a report for this request would be built on today."""
    child = records.surviving(db.session.get(Child, request.child_id))
    return disclosure.basis_digest(child)


def undelivered(request: SubjectAccessRequest) -> bool:
    """Prepared, approved, or released by a link nobody has used yet."""
    return request.status in ("awaiting_approval", "approved") or (
        request.status == "released" and request.delivered_at is None)


def withdraw(request: SubjectAccessRequest, why: str, *, user: User | None, ip) -> None:
    """Take back a prepared report that has not been delivered (it must be prepared and
    approved again); after delivery, only stop its link working."""
    if not undelivered(request):
        if request.link_expires_at and request.link_expires_at > now():
            request.link_expires_at = now()
            _audit("sar.link_revoked", user, request, ip, reason=why)
        return
    request.status, request.report_pdf, request.basis_digest = "open", None, None
    request.prepared_by_user_id = request.prepared_at = None
    request.approved_by_user_id = request.approved_at = None
    request.released_at = request.delivery = request.link_expires_at = None
    request.link_token_hash = request.passphrase_hash = None
    request.withdrawn_at, request.withdrawn_reason = now(), why[:300]
    _audit("sar.withdrawn", user, request, ip, reason=why)


def _sound(user: User | None, request: SubjectAccessRequest, ip) -> None:
    """Withdraw and refuse a report whose facts changed since it was prepared."""
    if request.basis_digest != current_basis(request):
        withdraw(request, CHANGED, user=user, ip=ip)
        raise Withdrawn(f"{CHANGED}. It has been withdrawn: prepare it again.")


def prepare(user: User, request: SubjectAccessRequest, document: bytes, basis: str, *,
            ip) -> None:
    """Fix the report as it will be sent, with the digest of the facts it was built on
    (taken before it was built); any earlier approval no longer counts."""
    _management(user)
    if request.status not in ("open", "awaiting_approval"):
        raise Refused("This report has already been approved or released")
    missing = sar_report.missing_details(sar_report.controller())
    if missing:
        raise Refused("Before a report can be sent, record " + " and ".join(missing)
                      + " under Organisation details")
    request.report_pdf, request.prepared_by_user_id, request.prepared_at = (
        document, user.id, now())
    request.basis_digest = basis
    request.approved_by_user_id = request.approved_at = None
    request.withdrawn_at = request.withdrawn_reason = None
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
    _sound(user, request, ip)
    request.approved_by_user_id, request.approved_at = user.id, now()
    request.status = "approved"
    _audit("sar.approved", user, request, ip)


def _released(user: User, request: SubjectAccessRequest, how: str, ip) -> None:
    _management(user)
    if request.status != "approved":
        raise Refused("The report must be approved before it is released")
    _sound(user, request, ip)
    request.status, request.released_at, request.delivery = "released", now(), how


def release_by_post(user: User, request: SubjectAccessRequest, *, ip) -> bytes:
    """Release for printing and posting; returns the approved PDF."""
    _released(user, request, "post", ip)
    request.delivered_at = now()
    _audit("sar.released", user, request, ip, delivery="post")
    return request.report_pdf


def release_by_link(user: User, request: SubjectAccessRequest, *, ip) -> tuple[str, str]:
    """Release by link; returns (token for the link, passphrase to send separately)."""
    _released(user, request, "link", ip)
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
    if request is None or request.link_expires_at is None or request.link_expires_at <= now():
        return None
    if request.link_failures >= MAX_FAILURES:
        return None
    return request


def collect(request: SubjectAccessRequest, passphrase: str, *, ip) -> bytes | None:
    """The PDF for the right passphrase; a wrong one counts towards the limit of 5. A report
    whose facts changed is withdrawn instead (Withdrawn; the caller commits either way)."""
    ok, _ = passwords.verify_password(request.passphrase_hash, passphrase.strip())
    if not ok:
        db.session.execute(sa.update(SubjectAccessRequest)
                           .where(SubjectAccessRequest.id == request.id)
                           .values(link_failures=SubjectAccessRequest.link_failures + 1)
                           .execution_options(synchronize_session=False))
        _audit("sar.passphrase_refused", None, request, ip)
        return None
    _sound(None, request, ip)
    request.delivered_at = request.delivered_at or now()
    _audit("sar.downloaded", None, request, ip)
    return request.report_pdf
