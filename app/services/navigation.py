"""Where each person can go, and what is waiting for them: the service navigation of every
page (by role) and the home page's short list of things to do, each a count and a link.

Counting reads only: nothing here opens a record, so nothing here is audited; each count
is of work the person may already see on the page it links to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.core.clock import now
from app.extensions import db
from app.models import (
    ChildDraft,
    ContactRequest,
    ImportJob,
    ImportStatus,
    MediatedRequest,
    RequestStatus,
    Role,
    SubjectAccessRequest,
    User,
)
from app.services import mail, mediated, shielding, subject_access


@dataclass(frozen=True)
class Section:
    """One item of the service navigation: its label, its page, and the pages (endpoint
    prefixes) that count as being in it."""

    label: str
    endpoint: str
    covers: tuple[str, ...]


FIND = Section("Find a child", "search.index", ("search.", "records."))
CHILDREN = Section("Children", "children.index", ("children.", "imports."))
LOOK_UPS = Section("Look-up requests", "mediated.queue",
                   ("mediated.queue", "mediated.claim", "mediated.work", "mediated.choose",
                    "mediated.decline"))
ASK = Section("Your look-ups", "mediated.mine", ("mediated.",))
SUBJECT_ACCESS = Section("Subject access", "subject_access.board",
                         ("subject_access.", "corrections."))
SHIELDS = Section("Shields", "shields.reviews",
                  ("shields.reviews", "shields.review", "shields.queue", "shields.answer"))
ARCHIVE = Section("Archive", "archive.due", ("archive.",))
AUDIT = Section("Audit", "audit.trail",
                ("audit.trail", "audit.watch", "audit.export", "audit.child_history"))
USERS = Section("Users", "admin.users", ("admin.", "eligibility."))


def sections(user: User) -> list[Section]:
    """The navigation for this person, in the order of their work."""
    if user.role == Role.requester:
        return [ASK]
    found = []
    if user.role == Role.practitioner or user.is_management:
        found.append(FIND)
    if user.role in (Role.data_entry, Role.practitioner) or user.is_management:
        found.append(CHILDREN)
    if user.role == Role.practitioner or user.is_management:
        found.append(LOOK_UPS)
    if user.is_management:
        found += [SUBJECT_ACCESS, SHIELDS, ARCHIVE, AUDIT]
    if user.is_admin:
        found.append(USERS)
    return found


def current(found: list[Section], endpoint: str | None) -> Section | None:
    """The section the page at this endpoint belongs to, if any."""
    return next((s for s in found if endpoint and endpoint.startswith(s.covers)), None)


@dataclass(frozen=True)
class Waiting:
    """Something waiting for the person: how many, what (singular, plural), and where."""

    count: int
    one: str
    many: str
    endpoint: str
    urgent: bool = False

    @property
    def text(self) -> str:
        """"1 report awaiting your approval", "3 reports ..."."""
        return self.one if self.count == 1 else self.many


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def waiting(user: User) -> list[Waiting]:
    """What is waiting for this person now (only what they may act on), most pressing
    first; empty counts are left out."""
    found: list[Waiting] = []
    if user.is_management:
        found += _management(user)
    if user.role == Role.practitioner or user.is_management:
        queue = mediated.queue(user)
        urgent = sum(1 for r in queue if r.urgent)
        found.append(Waiting(urgent, "urgent look-up request to answer",
                             "urgent look-up requests to answer", "mediated.queue", True))
        found.append(Waiting(len(queue) - urgent, "look-up request to answer",
                             "look-up requests to answer", "mediated.queue"))
    if user.role == Role.requester:
        found.append(Waiting(_count(sa.select(MediatedRequest.id).where(
            MediatedRequest.requester_user_id == user.id,
            MediatedRequest.status.in_([RequestStatus.answered, RequestStatus.declined]),
            MediatedRequest.answered_at >= now() - timedelta(days=14))),
            "look-up answered in the last 14 days", "look-ups answered in the last 14 days",
            "mediated.mine"))
    if user.role != Role.requester:
        found.append(Waiting(_count(sa.select(ImportJob.id).where(
            ImportJob.user_id == user.id, ImportJob.status == ImportStatus.previewed)),
            "import to check and confirm", "imports to check and confirm", "imports.index"))
        found.append(Waiting(_count(sa.select(ChildDraft.id).where(
            ChildDraft.user_id == user.id)), "child you started to add",
            "children you started to add", "children.index"))
    return sorted((w for w in found if w.count), key=lambda w: not w.urgent)


def _management(user: User) -> list[Waiting]:
    today = now().date()
    board = subject_access.board(user, today)
    return [
        Waiting(sum(1 for row in board if row.days_left is not None and row.days_left < 0),
                "subject access request overdue", "subject access requests overdue",
                "subject_access.board", True),
        Waiting(shielding.due_count(within_days=7),  # as the daily email counts them
                "shield review due within 7 days or overdue",
                "shield reviews due within 7 days or overdue", "shields.reviews",
                urgent=shielding.overdue_count() > 0),
        Waiting(mail.failing_count(), "email failing to send", "emails failing to send",
                "admin.emails", True),
        Waiting(_count(sa.select(SubjectAccessRequest.id).where(
            SubjectAccessRequest.status == "awaiting_approval",
            SubjectAccessRequest.prepared_by_user_id != user.id)),
            "subject access report awaiting your approval",
            "subject access reports awaiting your approval", "subject_access.board"),
        Waiting(sum(1 for row in board if row.days_left is not None
                    and 0 <= row.days_left <= 7),
                "subject access request due within 7 days",
                "subject access requests due within 7 days", "subject_access.board"),
        Waiting(_count(sa.select(ContactRequest.id).where(ContactRequest.status == "open")),
                "request to put people in touch", "requests to put people in touch",
                "shields.queue"),
    ]
