"""Email: people are told when something needs them, and never what it is about.

A message is queued in the unit of work that has something to tell (an outbox row, its
body encrypted: a one-time link is a secret until it is sent), so it is sent exactly when
that work commits and is never lost if sending fails. The job queue's consumer sends what
is due every few seconds (send_due), outside any request, retrying a failure with
backoff for as long as it takes; administrators see what failed and why. Once sent, only
who, which kind and when are kept (the management team's record of every email).

No message carries a child's name, date of birth, identifier, address or reason: only who
it is from, that something is waiting, and a link to sign in and see it. Links are built
on PUBLIC_BASE_URL, never on the Host a request came with.

Configured by MAIL_URL (smtp://user:password@host:587 for STARTTLS, smtps://...:465 for
implicit TLS, smtp://host:25?tls=none for a relay on the same host) or MAIL_HOST,
MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_SECURITY, MAIL_CAFILE; MAIL_SENDER is the
From address. With none, email is off and the portal shows its one-time links on screen as
before."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import defer

from app.core.clock import now
from app.extensions import db
from app.models import Organisation, OutgoingEmail, User
from app.services import audit, crypto
from app.services.transaction import atomic

log = logging.getLogger(__name__)

SUBJECTS = {
    "invitation": "You are invited to TeamAround",
    "authenticator_reset": "Set up your authenticator app for TeamAround again",
    "sar_link": "The information you asked for is ready to download",
    "mediated_new": "A look-up request is waiting in TeamAround",
    "mediated_answered": "There is a reply to your look-up request",
    "sar_awaiting_approval": "A subject access report is waiting for your approval",
    "digest": "What is due in TeamAround",
    "account_locked": "Your TeamAround account has been locked",
    "new_device": "A new sign-in to your TeamAround account",
}
KIND_NAMES = {
    "invitation": "Invitation", "authenticator_reset": "Authenticator reset link",
    "sar_link": "Subject access download link", "mediated_new": "New look-up request",
    "mediated_answered": "Reply to a look-up request",
    "sar_awaiting_approval": "Report awaiting approval", "digest": "Daily digest",
    "account_locked": "Security: account locked", "new_device": "Security: new sign-in",
}
SECURITY = ("account_locked", "new_device")  # cannot be turned off
SECURITIES = ("starttls", "tls", "none")
MAX_AGE = timedelta(days=3)  # unsent after this, a message is given up (its links are dead)
BACKOFF = (60, 300, 900, 3600, 6 * 3600)  # seconds before the 1st, 2nd, ... retry; then 6 h
FAILING_AFTER = 3  # attempts after which administrators are told it is failing
LEASE = timedelta(minutes=2)  # a sender's hold on a message while it talks to the server


@dataclass(frozen=True)
class Settings:
    """Where and how to send."""

    host: str
    port: int
    security: str  # starttls, tls, none
    username: str | None
    password: str | None
    sender: str
    cafile: str | None = None


def settings() -> Settings | None:
    """The SMTP settings, or None when email is off."""
    cfg = current_app.config
    sender = cfg.get("MAIL_SENDER") or "teamaround@localhost"
    if cfg.get("MAIL_URL"):
        url = urlsplit(cfg["MAIL_URL"])
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.scheme not in ("smtp", "smtps"):
            raise ValueError("MAIL_URL must begin smtp:// (STARTTLS) or smtps:// (TLS)")
        implicit = url.scheme == "smtps"
        security = _security(query.get("tls") or ("tls" if implicit else "starttls"))
        return Settings(url.hostname or "localhost", url.port or (465 if implicit else 587),
                        security, unquote(url.username) if url.username else None,
                        unquote(url.password) if url.password else None, sender,
                        query.get("cafile"))
    if cfg.get("MAIL_HOST"):
        security = _security(cfg.get("MAIL_SECURITY") or "starttls")
        return Settings(cfg["MAIL_HOST"],
                        int(cfg.get("MAIL_PORT") or (465 if security == "tls" else 587)),
                        security, cfg.get("MAIL_USERNAME"), cfg.get("MAIL_PASSWORD"), sender,
                        cfg.get("MAIL_CAFILE"))
    return None


def _security(value: str) -> str:
    """starttls, tls or none: anything else is refused (a typo must not mean clear text)."""
    if value.strip().lower() not in SECURITIES:
        raise ValueError(f"The email security setting {value!r} is not one of "
                         f"{', '.join(SECURITIES)}")
    return value.strip().lower()


def check_settings() -> None:
    """Refuse to start with email settings that cannot be right (called by create_app)."""
    settings()


def enabled() -> bool:
    """Whether email is configured (else links are shown on screen)."""
    return settings() is not None


def link(endpoint: str, **values) -> str:
    """An absolute link for a message, on PUBLIC_BASE_URL whatever Host the request had
    (built from the URL map alone: no request context is pushed, so the request's own
    hooks, such as who is acting, are left alone)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def queue(kind: str, to: User | str, *, organisation: Organisation | None = None,
          **context) -> bool:
    """Queue a message in the caller's unit of work (nothing when email is off); returns
    whether one was queued. The templates emails/KIND.txt and .html get the organisation
    it comes from and the context: links and counts, never a child's details."""
    if not enabled():
        return False
    user = to if isinstance(to, User) else None
    address = user.email if user else to
    if not address:
        return False
    sender_name = organisation.name if organisation else _host_name()
    parts = {f: current_app.jinja_env.get_template(f"emails/{kind}.{f}").render(
        sender=sender_name, user=user, **context) for f in ("txt", "html")}  # no request
    # context needed: a job queues messages too
    db.session.add(OutgoingEmail(
        kind=kind, to_address=address, to_user_id=user.id if user else None,
        organisation_id=organisation.id if organisation else None, subject=SUBJECTS[kind],
        body=crypto.encrypt(json.dumps(parts)), status="queued", attempts=0,
        next_attempt_at=now()))
    return True


def _host_name() -> str:
    from app.services import accounts  # it queues messages itself

    host = accounts.host_organisation()
    return host.name if host else "TeamAround"


# ---- sending (the job queue's consumer) --------------------------------------------------

def send_due(limit: int = 20) -> int:
    """Send the messages that are due (each claimed first, so two consumers never send one
    twice); returns how many were sent. One bad message never stops the others."""
    config = settings()
    if config is None:
        return 0
    ids = list(db.session.scalars(sa.select(OutgoingEmail.id).where(
        OutgoingEmail.status.in_(["queued", "sending"]),  # "sending" past its lease: the
        OutgoingEmail.next_attempt_at <= now())          # sender holding it died
        .order_by(OutgoingEmail.id).limit(limit)))
    db.session.rollback()
    sent = 0
    for message_id in ids:
        message = _claim(message_id)
        if message is None:
            continue
        try:
            to, subject, body = message
            _deliver(config, to, subject, json.loads(crypto.decrypt(body)))
        except Exception as error:
            _failed(message_id, error, permanent=_refused_for_good(error))
            log.warning("email %s not sent: %s", message_id, type(error).__name__)
        else:
            _sent(message_id)
            sent += 1
    return sent


def _refused_for_good(error: Exception) -> bool:
    """Whether the server refused the message for good (a 5xx reply to its address or its
    content). A 4xx (greylisting, a full mailbox, a busy server) is tried again later:
    smtplib reports a refused only address as SMTPRecipientsRefused whatever its code."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


@atomic
def _claim(message_id: int) -> tuple[str, str, str] | None:
    """Hold a due message for this sender; its address, subject and encrypted body, or
    None."""
    held = db.session.execute(
        sa.update(OutgoingEmail).where(OutgoingEmail.id == message_id,
                                       OutgoingEmail.status.in_(["queued", "sending"]),
                                       OutgoingEmail.next_attempt_at <= now())
        .values(status="sending", next_attempt_at=now() + LEASE)
        .execution_options(synchronize_session=False))
    if held.rowcount != 1:
        return None
    row = db.session.get(OutgoingEmail, message_id, populate_existing=True)
    return row.to_address, row.subject, row.body


def _deliver(config: Settings, to: str, subject: str, parts: dict) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.sender, to, subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or "localhost")
    message.set_content(parts["txt"])
    message.add_alternative(parts["html"], subtype="html")
    context = ssl.create_default_context(cafile=config.cafile)
    timeout = current_app.config.get("MAIL_TIMEOUT_SECONDS", 10)
    if config.security == "tls":
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=timeout)
    try:
        if config.security == "starttls":
            client.starttls(context=context)
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(message)
    finally:  # once accepted it is sent, whatever QUIT answers
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


@atomic
def _sent(message_id: int) -> None:
    row = db.session.get(OutgoingEmail, message_id)
    row.status, row.sent_at, row.body = "sent", now(), None  # who, which kind, when: no body
    row.attempts += 1
    row.last_error = None


@atomic
def _failed(message_id: int, error: Exception, *, permanent: bool = False) -> None:
    row = db.session.get(OutgoingEmail, message_id)
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:300]
    if permanent:  # the server refuses this message for good: nothing to retry
        row.status, row.body = "failed", None
    else:
        row.status = "queued"
        row.next_attempt_at = now() + timedelta(
            seconds=BACKOFF[min(row.attempts, len(BACKOFF)) - 1])


@atomic
def give_up_old() -> None:
    """Messages unsent after MAX_AGE are given up: their links have expired by now (run
    by the job queue every hour)."""
    db.session.execute(sa.update(OutgoingEmail).where(
        OutgoingEmail.status == "queued", OutgoingEmail.created_at < now() - MAX_AGE)
        .values(status="failed", body=None).execution_options(synchronize_session=False))


@atomic
def expire(keep: timedelta = timedelta(days=365)) -> int:
    """The record of email goes after a year (addresses are personal data too)."""
    return db.session.execute(sa.delete(OutgoingEmail).where(
        OutgoingEmail.created_at < now() - keep)).rowcount


# ---- what administrators see ----------------------------------------------------------------

def recent(limit: int = 200) -> list[OutgoingEmail]:
    """The latest messages, newest first (bodies are not read)."""
    return list(db.session.scalars(sa.select(OutgoingEmail).order_by(
        OutgoingEmail.id.desc()).limit(limit).options(defer(OutgoingEmail.body))))


def failing_count() -> int:
    """Messages still unsent after FAILING_AFTER attempts, or given up, in the last week."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail).where(
        OutgoingEmail.created_at >= now() - timedelta(days=7), sa.or_(
            OutgoingEmail.status == "failed", sa.and_(
                OutgoingEmail.status == "queued",
                OutgoingEmail.attempts >= FAILING_AFTER)))) or 0


@atomic
def retry_now(user: User, message_id: int) -> None:
    """An administrator asks for an unsent message to be tried again at once."""
    row = db.session.get(OutgoingEmail, message_id)
    if row is not None and row.status == "queued":
        row.next_attempt_at = now()
        audit.record("email.retried", subject_type="email", subject_id=row.id,
                     detail={"kind": row.kind})
