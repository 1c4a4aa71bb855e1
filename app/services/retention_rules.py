"""When records are due to leave the directory, be destroyed, or lose their contact
details (DOMAIN.md "Retention"); and which records are due on a given day, read without
any lock."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.dates import anniversary
from app.extensions import db
from app.models import Child, ChildStatus, Involvement

ARCHIVE_AGE = 18
DESTROY_AFTER_YEARS = 6
CONTACT_YEARS = 1
MAX_KEEP_CONTACT_YEARS = 5


def archive_due(child: Child) -> tuple[date, str] | None:
    """When (and why) the child's record is due to be archived, if ever yet known."""
    dues = []
    adult = anniversary(child.date_of_birth, ARCHIVE_AGE)
    if child.stay_until and child.stay_until > adult:
        dues.append((child.stay_until, "consent to stay ended"))
    else:
        dues.append((adult, "18th birthday"))
    if child.date_of_death:
        dues.append((anniversary(child.date_of_death, 1), "one year after death"))
    if child.left_england_on:
        dues.append((child.left_england_on, "left England"))
    return min(dues)


def destroy_due(child: Child) -> date | None:
    """When an archived record is due to be destroyed."""
    if child.archived_at is None:
        return None
    return anniversary(child.archived_at.date(), DESTROY_AFTER_YEARS)


def contact_archive_due(involvement: Involvement) -> date | None:
    """When an ended involvement's contact details leave the live record."""
    if involvement.end_date is None:
        return None
    due = anniversary(involvement.end_date, CONTACT_YEARS)
    if involvement.keep_contact_until:
        limit = anniversary(involvement.end_date, MAX_KEEP_CONTACT_YEARS)
        due = max(due, min(involvement.keep_contact_until, limit))
    return due


def archive_candidates(as_of: date) -> dict[str, list[int]]:
    """Records due to be archived by as_of, by rule (read without a lock)."""
    old_enough = anniversary(as_of, -ARCHIVE_AGE) + timedelta(days=1)
    rows = db.session.execute(sa.select(
        Child.id, Child.date_of_birth, Child.stay_until, Child.date_of_death,
        Child.left_england_on).where(
        Child.status == ChildStatus.active, sa.or_(
            Child.date_of_birth <= old_enough, Child.date_of_death.is_not(None),
            Child.left_england_on.is_not(None))).order_by(Child.id))
    due: dict[str, list[int]] = {}
    for row in rows:
        when = archive_due(row)
        if when and when[0] <= as_of:
            due.setdefault(when[1], []).append(row.id)
    return due


def destroy_candidates(as_of: date, just_archived: set[int]) -> list[int]:
    rows = db.session.execute(sa.select(Child.id, Child.archived_at).where(
        Child.status == ChildStatus.archived).order_by(Child.id))
    return [row.id for row in rows if row.id not in just_archived
            and anniversary(row.archived_at.date(), DESTROY_AFTER_YEARS) <= as_of]


def contact_candidates(as_of: date) -> list[int]:
    ended = db.session.scalars(sa.select(Involvement).where(
        Involvement.end_date.is_not(None), Involvement.contact_archived_at.is_(None))
        .order_by(Involvement.id))
    return [i.id for i in ended if (due := contact_archive_due(i)) and due <= as_of]
