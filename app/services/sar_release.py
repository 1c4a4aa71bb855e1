"""Releasing a subject access report: prepared, approved by a second member of the
management team (configurable off for one-person settings), then delivered by post or by
a link that needs a passphrase sent separately (14 days, 5 wrong passphrases).

The prepared PDF is a stored document: it keeps the digest of the disclosure facts it was
built on, and every step that delivers it (approval, release, each download) checks them
again. A report whose facts changed (a shield, a sensitive service or its consent, a merge)
is withdrawn, with the reason, and must be prepared and approved again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import format_date, now
from app.core.errors import Refused
from app.extensions import db
from app.models import AuditEvent, Child, SubjectAccessRequest, User
from app.services import (
    crypto,
    disclosure,
    mail,
    notifications,
    passwords,
    pdf,
    records,
    sar_report,
)
from app.services.subject_access import find, record_event
from app.services.transaction import atomic

OPENED = "sar.prepared_opened"
LINK_DAYS = 14
MAX_FAILURES = 5
CHANGED = ("The record changed after the report was prepared (a shield, a sensitive service "
           "or its consent, or a merge)")


class Withdrawn(Refused):
    """The report was built on facts that no longer hold: it has been withdrawn, and the
    withdrawal is kept."""

    keep = True


def current_basis(request: SubjectAccessRequest) -> str:
    """The digest of the facts a report for this request would be built on today (the
    record read afresh, and held against a concurrent change until this one commits)."""
    child = records.surviving(db.session.get(
        Child, request.child_id, populate_existing=True, with_for_update={"read": True}))
    return disclosure.basis_digest(child, records.merge_tree(child.id))


def undelivered(request: SubjectAccessRequest) -> bool:
    """Prepared, approved, or released by a link nobody has used yet."""
    return request.status in ("awaiting_approval", "approved") or (
        request.status == "released" and request.delivered_at is None)


def withdraw(request: SubjectAccessRequest, why: str) -> None:
    """Take back a prepared report that has not been delivered (it must be prepared and
    approved again); after delivery, only stop its link working."""
    if not undelivered(request):
        if request.link_expires_at and request.link_expires_at > now():
            request.link_expires_at = now()
            record_event("sar.link_revoked", request, reason=why)
        return
    request.status, request.report_pdf, request.basis_digest = "open", None, None
    request.prepared_by_user_id = request.prepared_at = None
    request.approved_by_user_id = request.approved_at = None
    request.released_at = request.delivery = request.link_expires_at = None
    request.link_token_hash = request.passphrase_hash = None
    request.withdrawn_at, request.withdrawn_reason = now(), why[:300]
    record_event("sar.withdrawn", request, reason=why)


def _sound(request: SubjectAccessRequest) -> None:
    """Withdraw and refuse a report whose facts changed since it was prepared."""
    if request.basis_digest != current_basis(request):
        withdraw(request, CHANGED)
        raise Withdrawn(f"{CHANGED}. It has been withdrawn: prepare it again.")


def document(user: User, request_id: int, kind: str) -> tuple[SubjectAccessRequest, bytes]:
    """The report as it would be sent today, or the officer's redaction log, for the
    management team to read (nothing is stored); rendered outside any lock, then the look
    is audited."""
    request = find(user, request_id)
    report = sar_report.build(request)
    body = pdf.render(f"subject_access/{kind}.html", item=request, report=report,
                      today=now().date(), signatory=user.name)
    _looked(request.id, kind, len(report.redactions))
    return request, body


@atomic
def _looked(request_id: int, kind: str, withheld: int) -> None:
    record_event(f"sar.{kind}_generated", db.session.get(SubjectAccessRequest, request_id),
                 withheld=withheld)


def prepare(user: User, request_id: int) -> None:
    """Fix the report as it will be sent, with the digest of the facts it was built on
    (taken before it was built); any earlier approval no longer counts. The PDF is
    rendered outside any lock; storing it checks again that nothing changed meanwhile."""
    request = find(user, request_id)
    _may_prepare(request)
    report = sar_report.build(request)
    document = pdf.render("subject_access/report.html", item=request, report=report,
                          today=now().date(), signatory=user.name)
    _store(user, request_id, document, report.basis)


def _may_prepare(request: SubjectAccessRequest) -> None:
    if request.status not in ("open", "awaiting_approval"):
        raise Refused("This report has already been approved or released")
    if request.checked_on is None or (request.id_needed and request.id_received_on is None):
        raise Refused("Record the identity checks first: a report goes only to someone "
                      "whose identity has been checked")
    missing = sar_report.missing_details(sar_report.controller())
    if missing:
        raise Refused("Before a report can be sent, record " + " and ".join(missing)
                      + " under Organisation details")


@atomic
def _store(user: User, request_id: int, document: bytes, basis: str) -> None:
    request = find(user, request_id)
    _may_prepare(request)
    if basis != current_basis(request):
        raise Refused("The record changed while the report was being prepared: prepare "
                      "it again")
    request.report_pdf, request.prepared_by_user_id, request.prepared_at = (
        document, user.id, now())
    request.basis_digest = basis
    request.approved_by_user_id = request.approved_at = None
    request.withdrawn_at = request.withdrawn_reason = None
    request.status = "awaiting_approval"
    record_event("sar.prepared", request, bytes=len(document))
    notifications.awaiting_approval(request, user)


@atomic
def prepared_copy(user: User, request_id: int) -> tuple[SubjectAccessRequest, bytes]:
    """The prepared report exactly as it will be sent, for the management team to read
    before approving or releasing it: checked against the record first (a stored document
    is shown only while the facts it was built on hold), and the look is audited."""
    request = find(user, request_id)
    if not undelivered(request) or request.report_pdf is None:
        raise Refused("There is no prepared report to open: prepare it first")
    _sound(request)
    record_event(OPENED, request)
    return request, request.report_pdf


def opened_by(user: User, request: SubjectAccessRequest) -> bool:
    """Whether the user has opened the report as it was last prepared."""
    return request.prepared_at is not None and db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.actor_user_id == user.id, AuditEvent.action == OPENED,
            AuditEvent.subject_type == "subject_access_request",
            AuditEvent.subject_id == request.id,
            AuditEvent.occurred_at >= request.prepared_at)) > 0


def _approvable(user: User, request_id: int, not_prepared: str) -> SubjectAccessRequest:
    """A prepared report this user may approve (not one they prepared, when a second
    approval is needed), or Refused."""
    request = find(user, request_id)
    if request.status != "awaiting_approval":
        raise Refused(not_prepared)
    if current_app.config["SAR_SECOND_APPROVAL"] and user.id == request.prepared_by_user_id:
        raise Refused("A second member of the management team must approve the report "
                      "you prepared")
    return request


def awaiting(user: User, request_id: int) -> tuple[SubjectAccessRequest, str, bool]:
    """A report awaiting this user's approval, who prepared it, and whether this user has
    opened it yet; Refused when it is not theirs to approve."""
    request = _approvable(user, request_id, "There is no prepared report waiting for "
                                            "approval")
    preparer = db.session.get(User, request.prepared_by_user_id)
    return request, preparer.name if preparer else "A colleague", opened_by(user, request)


@atomic
def approve(user: User, request_id: int) -> None:
    """A second member of the management team approves the prepared report, having opened
    it."""
    request = _approvable(user, request_id, "Prepare the report before it can be approved")
    if not opened_by(user, request):
        raise Refused("Open the prepared report and read it before you approve it")
    _sound(request)
    request.approved_by_user_id, request.approved_at = user.id, now()
    request.status = "approved"
    record_event("sar.approved", request)


@dataclass
class Task:
    """One step of answering a request, as the task list shows it to this user."""

    key: str  # checks, prepare, approve, release
    title: str
    status: str  # done, todo, waiting (for someone else), locked (an earlier step first)
    hint: str | None = None


def tasks(user: User, request: SubjectAccessRequest) -> list[Task]:
    """The four steps in order, each locked until the one before is done."""
    checked = request.checked_on is not None and not (
        request.id_needed and request.id_received_on is None)
    prepared = request.status in ("awaiting_approval", "approved", "released")
    approved = request.status in ("approved", "released")
    prepare_hint = (f"Withdrawn on {format_date(request.withdrawn_at)}: {request.withdrawn_reason}"
                    if request.withdrawn_at and not prepared else None)
    if checked and not prepared and (missing := sar_report.missing_details(
            sar_report.controller())):
        prepare_hint = "First record " + " and ".join(missing) + " under Organisation details"
    own = (current_app.config["SAR_SECOND_APPROVAL"]
           and request.prepared_by_user_id == user.id)
    return [
        Task("checks", "Check identity and parental responsibility",
             "done" if checked else "todo",
             "Waiting for proof of identity" if request.checked_on and not checked else None),
        Task("prepare", "Prepare the report",
             "done" if prepared else "todo" if checked else "locked", prepare_hint),
        Task("approve", "Approve the report",
             "done" if approved else "locked" if not prepared
             else "waiting" if own else "todo",
             "Another member of the management team approves the report you prepared"
             if own and not approved else None),
        Task("release", "Release the report",
             "done" if request.status == "released" else "todo" if approved else "locked"),
    ]


NO_ADDRESS = ("The report cannot be posted: there is no postal address for the requester. "
              "Release it by a secure link instead.")


def postable(request: SubjectAccessRequest) -> bool:
    """Whether there is an address to post the report to."""
    return bool((request.requester_address or "").strip())


def _released(user: User, request_id: int, how: str) -> SubjectAccessRequest:
    request = find(user, request_id)
    if request.status != "approved":
        raise Refused("The report must be approved before it is released")
    _sound(request)
    if how == "post" and not postable(request):
        raise Refused(NO_ADDRESS)
    request.status, request.released_at, request.delivery = "released", now(), how
    return request


@atomic
def release_by_post(user: User, request_id: int) -> tuple[SubjectAccessRequest, bytes]:
    """Release for printing and posting; returns the approved PDF."""
    request = _released(user, request_id, "post")
    request.delivered_at = now()
    record_event("sar.released", request, delivery="post")
    return request, request.report_pdf


def release_by_link(user: User, request_id: int) -> tuple[SubjectAccessRequest, str, str]:
    """Release by link; returns (the request, token for the link, passphrase to send
    separately). The passphrase is hashed before the unit of work begins."""
    passphrase = "-".join(f"{secrets.randbelow(10000):04d}" for _ in range(3))
    request, token = _release_link(user, request_id, passwords.hash_password(passphrase))
    return request, token, passphrase


@atomic
def _release_link(user: User, request_id: int, passphrase_hash: str):
    request = _released(user, request_id, "link")
    token = crypto.new_token()
    request.link_token_hash = crypto.digest(token)
    request.link_expires_at = now() + timedelta(days=LINK_DAYS)
    request.passphrase_hash = passphrase_hash
    request.link_failures = 0
    record_event("sar.released", request, delivery="link")
    if request.requester_email:
        mail.queue("sar_link", request.requester_email, organisation=sar_report.controller(),
                   days=LINK_DAYS, link=mail.link("documents.link", token=token))
    return request, token


def sender() -> dict:
    """Who sent a download link, as its page names them: the organisation that runs the
    directory and how to reach its data protection officer (no child, no requester)."""
    host = sar_report.controller()
    return {"name": host.name if host else "the organisation that sent you the link",
            "contact": sar_report.dpo_contact(host)}


def live_link(token: str) -> SubjectAccessRequest | None:
    """The request a download link belongs to, while it still works."""
    request = db.session.scalar(sa.select(SubjectAccessRequest).where(
        SubjectAccessRequest.link_token_hash == crypto.digest(token)))
    if request is None or request.link_expires_at is None or request.link_expires_at <= now():
        return None
    if request.link_failures >= MAX_FAILURES:
        return None
    return request


def collect(request: SubjectAccessRequest, passphrase: str) -> bool:
    """Whether the passphrase opens the link (checked outside any lock); a wrong one counts
    towards the limit of 5. A report whose facts changed is withdrawn instead (Withdrawn).
    The document itself comes from download(), as often as the page asks."""
    ok, _ = passwords.verify_password(request.passphrase_hash, passphrase.strip())
    return _unlock(request.id, ok)


@atomic
def _unlock(request_id: int, passphrase_ok: bool) -> bool:
    request = db.session.get(SubjectAccessRequest, request_id)
    if not passphrase_ok:
        db.session.execute(sa.update(SubjectAccessRequest)
                           .where(SubjectAccessRequest.id == request.id)
                           .values(link_failures=SubjectAccessRequest.link_failures + 1)
                           .execution_options(synchronize_session=False))
        record_event("sar.passphrase_refused", request)
        return False
    _sound(request)
    record_event("sar.link_opened", request)
    return True


@atomic
def download(request_id: int) -> tuple[str, bytes]:
    """The released report (reference, PDF) for someone whose passphrase opened its link:
    checked against the record again, its delivery recorded and each download audited."""
    request = db.session.get(SubjectAccessRequest, request_id)
    _sound(request)
    request.delivered_at = request.delivered_at or now()
    record_event("sar.downloaded", request)
    return request.reference, request.report_pdf
