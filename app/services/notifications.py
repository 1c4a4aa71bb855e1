"""Who is told of what (services/mail.py sends it): each message says only that something
waits, from whom, with a link to sign in. Called inside the unit of work that made the
news, so a message exists exactly when its news was committed. (It is imported by the
services that make news, so it imports those it counts from only where it counts.)"""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.extensions import db
from app.models import (
    MediatedRequest,
    Organisation,
    OutgoingEmail,
    Role,
    SubjectAccessRequest,
    User,
)
from app.services import mail
from app.services.transaction import atomic


def _active(query) -> list[User]:
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def management() -> list[User]:
    """The management team: administrators of the host organisation."""
    return _active(sa.select(User).join(Organisation, Organisation.id == User.organisation_id)
                   .where(Organisation.is_host.is_(True), User.role == Role.admin))


def mediated_created(request: MediatedRequest) -> None:
    """Whoever may handle it (mediated.may_broker): the practitioners of the organisation
    asked, and the management team."""
    asked = db.session.get(Organisation, request.addressed_to_id)
    brokers = {user.id: user for user in (*_active(sa.select(User).where(
        User.organisation_id == asked.id, User.role == Role.practitioner)), *management())}
    for broker in brokers.values():
        mail.queue("mediated_new", broker, organisation=asked, urgent=request.urgent,
                   link=mail.link("mediated.queue"))


def mediated_closed(request: MediatedRequest) -> None:
    """The requester, when they have an account (a request logged by phone has none)."""
    requester = (db.session.get(User, request.requester_user_id)
                 if request.requester_user_id else None)
    if requester is not None and requester.active:
        mail.queue("mediated_answered", requester,
                   organisation=db.session.get(Organisation, request.addressed_to_id),
                   reference=request.reference,
                   link=mail.link("mediated.detail", request_id=request.id))


def awaiting_approval(request: SubjectAccessRequest, preparer: User) -> None:
    """The rest of the management team, when a second approval is needed."""
    if not current_app.config["SAR_SECOND_APPROVAL"]:
        return
    for person in management():
        if person.id != preparer.id:
            mail.queue("sar_awaiting_approval", person, organisation=person.organisation,
                       reference=request.reference,
                       link=mail.link("subject_access.approval", request_id=request.id))


def digest_items(person: User) -> list[tuple[int, str]]:
    """What is due for the management team: shield reviews due within 7 days or overdue,
    subject access deadlines within 7 days, users whose access lapses or has lapsed."""
    from app.services import eligibility, shielding, subject_access  # they use this module

    today = now().date()
    reviews = shielding.due_count(within_days=7)  # as the home page counts them
    deadlines = sum(1 for row in subject_access.board(person, today)
                    if row.days_left is not None and row.days_left <= 7)
    users = list(db.session.scalars(sa.select(User).where(User.active.is_(True))))
    lapsing = len(eligibility.lapsed_and_lapsing(users))
    words = ((reviews, "shield review due within 7 days or overdue",
              "shield reviews due within 7 days or overdue"),
             (deadlines, "subject access request due within 7 days or overdue",
              "subject access requests due within 7 days or overdue"),
             (lapsing, "user whose access has lapsed or lapses soon",
              "users whose access has lapsed or lapses soon"))
    return [(n, one if n == 1 else many) for n, one, many in words if n]


def daily_digests() -> int:
    """Queue the day's digest for each member of the management team who wants it and has
    something due; returns how many. What is due is counted before the unit of work, which
    holds SQLite's write lock only to queue the messages."""
    today = datetime.combine(now().date(), time(0))
    already = set(db.session.scalars(sa.select(OutgoingEmail.to_user_id).where(
        OutgoingEmail.kind == "digest", OutgoingEmail.created_at >= today)))
    due = [(person.id, items) for person in management()  # a second consumer's run (or a
           if person.daily_digest and person.id not in already  # rerun) sends no more
           and (items := digest_items(person))]
    db.session.rollback()  # end the read
    return _queue_digests(due, today) if due else 0


DIGEST_LOCK = 0x7A5E_D1  # PostgreSQL advisory lock: one consumer queues the day's digests


@atomic
def _queue_digests(due: list[tuple[int, list]], today: datetime) -> int:
    """Every consumer runs the hourly job: the first to get here queues; the others, then
    holding the lock after it (SQLite's write lock, or an advisory lock on PostgreSQL, where
    two units of work could otherwise each find no digest yet), find it done."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": DIGEST_LOCK})
    already = set(db.session.scalars(sa.select(OutgoingEmail.to_user_id).where(
        OutgoingEmail.kind == "digest", OutgoingEmail.created_at >= today)))
    queued = 0
    for person_id, items in due:
        person = db.session.get(User, person_id)
        if person_id not in already and mail.queue(
                "digest", person, organisation=person.organisation, items=items,
                link=mail.link("main.index")):
            queued += 1
    return queued
