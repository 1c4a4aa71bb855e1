"""The archive, for the management team only: what is due to be archived or destroyed,
the archived records, and opening one for its limited reasons (every opening audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.core.clock import now
from app.core.dates import anniversary
from app.core.errors import NotAllowed, NotFound
from app.extensions import db
from app.models import Child, ChildStatus, User
from app.services import audit, disclosure, retention_rules
from app.services.retention_rules import (
    ARCHIVE_AGE,
    DESTROY_AFTER_YEARS,
    archive_due,
    destroy_due,
)
from app.services.transaction import atomic


@dataclass
class Upcoming:
    """A record due to be archived or destroyed soon."""

    child: Child
    due: date
    what: str


def upcoming(today: date, days: int = 90) -> list[Upcoming]:
    """Archives and destructions due in the next `days` days, soonest first."""
    horizon = today + timedelta(days=days)
    born_by = anniversary(horizon, -ARCHIVE_AGE)
    candidates = db.session.scalars(sa.select(Child).where(
        Child.status == ChildStatus.active,
        sa.or_(Child.date_of_birth <= born_by, Child.date_of_death.is_not(None),
               Child.left_england_on.is_not(None), Child.stay_until.is_not(None))))
    rows = []
    for child in candidates:
        due = archive_due(child)
        if due and due[0] <= horizon:
            rows.append(Upcoming(child, due[0], f"archive: {due[1]}"))
    archived_by = datetime.combine(anniversary(horizon, -DESTROY_AFTER_YEARS), time(23, 59))
    for child in db.session.scalars(sa.select(Child).where(
            Child.status == ChildStatus.archived, Child.archived_at <= archived_by)):
        rows.append(Upcoming(child, destroy_due(child), "destroy"))
    return sorted(rows, key=lambda row: row.due)


def archived(limit: int = 500) -> list[Child]:
    """Archived records, newest first (for the management team's archive list)."""
    return list(db.session.scalars(sa.select(Child).where(
        Child.status == ChildStatus.archived).order_by(Child.archived_at.desc()).limit(limit)))


def _management(user: User) -> None:
    if not user.is_management:
        raise NotAllowed()


def due(user: User) -> list[tuple[disclosure.RowView, date, str]]:
    """Records due to be archived or destroyed in the next 90 days, soonest first."""
    _management(user)
    return [(disclosure.project_row(user, item.child), item.due, item.what)
            for item in upcoming(now().date())]


@atomic
def listed(user: User) -> list[tuple[disclosure.RowView, object, str, date]]:
    """Archived records, newest first, with when and why, and when they are destroyed (the
    look at the list is audited)."""
    _management(user)
    rows = [(disclosure.project_row(user, child), child.archived_at, child.archive_reason,
             retention_rules.destroy_due(child)) for child in archived()]
    audit.record("archive.listed", detail={"records": len(rows)})
    return rows


def find(user: User, child_id: int) -> Child:
    """An archived record."""
    _management(user)
    child = db.session.get(Child, child_id)
    if child is None or child.status != ChildStatus.archived:
        raise NotFound()
    return child


@atomic
def open_record(user: User, child: Child, reason: str, detail: str) -> disclosure.ChildView:
    """The archived record in full, for one of the limited reasons; the opening is audited."""
    _management(user)
    audit.record("archive.viewed", child_id=child.id, shielded=child.shielded,
                 reason_category=reason, detail={"reason": detail})
    return disclosure.project(user, child, disclosure.Purpose.archive)
