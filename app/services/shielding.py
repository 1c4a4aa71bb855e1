"""Shields: requested by any practitioner (in force at once), reviewed by the management team
within 7 days and every 6 months after; removing one always needs a recorded decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.clock import now
from app.core.dates import add_months
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Child, Role, Shield, ShieldCategory, ShieldReview, User
from app.services import audit, records, stored_documents
from app.services.children import hide_previous_names
from app.services.transaction import atomic

FIRST_REVIEW_DAYS = 7
REVIEW_MONTHS = 6


def may_request(user: User) -> bool:
    """Any practitioner (and the management team) can shield a record."""
    return user.role == Role.practitioner or user.is_management


def active_shield(child: Child) -> Shield | None:
    """The shield in force on the child, if any."""
    return db.session.scalar(sa.select(Shield).where(Shield.child_id == child.id,
                                                     Shield.active.is_(True)))


@atomic
def request(user: User, child: Child, category: ShieldCategory, reason: str | None,
            ) -> Shield:
    """Shield the record now; the first review falls due in 7 days."""
    if not may_request(user):
        raise NotAllowed()
    if child.shielded:
        raise Refused("This record is already shielded")
    today = now().date()
    shield = Shield(child_id=child.id, category=category, reason_text=reason or None,
                    requested_by_user_id=user.id,
                    review_due=today + timedelta(days=FIRST_REVIEW_DAYS))
    db.session.add(shield)
    child.shielded = True
    hide_previous_names(child)
    db.session.flush()
    audit.record("shield.requested", shielded=True,
                 subject_type="shield",
                 subject_id=shield.id, child_id=child.id,
                 detail={"category": category.value, "reason": reason})
    stored_documents.facts_changed(child, "The record was shielded")
    return shield


@atomic
def review(user: User, shield: Shield, *, keep: bool, reason: str) -> None:
    """Record the management team's decision: keep (next review in 6 months) or remove."""
    if not user.is_management:
        raise NotAllowed()
    if not shield.active:
        raise Refused("This shield has already been removed")
    if not (reason or "").strip():
        raise Refused("Give the reason for the decision")
    today = now().date()
    db.session.add(ShieldReview(shield_id=shield.id, reviewed_by_user_id=user.id,
                                decision="keep" if keep else "remove", reason=reason))
    child = db.session.get(Child, shield.child_id)
    if keep:
        shield.review_due = add_months(today, REVIEW_MONTHS)
    else:
        shield.active, shield.ended_at = False, now()
        db.session.flush()
        child.shielded = active_shield(child) is not None  # another shield may still stand
        hide_previous_names(child)
    db.session.flush()
    audit.record("shield.kept" if keep else "shield.removed", subject_type="shield",
                 subject_id=shield.id, child_id=child.id, shielded=True,
                 detail={"reason": reason, "next_review": shield.review_due.isoformat()
                         if keep else None})
    if not keep and not child.shielded:
        stored_documents.facts_changed(child, "The shield was removed")


def find(user: User, shield_id: int) -> Shield:
    """A shield, for the management team to review."""
    if not user.is_management:
        raise NotAllowed()
    return records.get(Shield, shield_id)


@dataclass
class DueReview:
    """A shield awaiting review, as the review list shows it."""

    shield_id: int
    child_id: int
    child_name: str
    category: str
    requested_on: date
    due: date
    overdue: bool
    first: bool


def _due_within(days: int):
    return sa.and_(Shield.active.is_(True),
                   Shield.review_due <= now().date() + timedelta(days=days))


def due_reviews(within_days: int = 30) -> list[DueReview]:
    """Active shields whose review is overdue or due soon, most urgent first."""
    today = now().date()
    rows = db.session.execute(
        sa.select(Shield, Child.given_names, Child.family_name)
        .join(Child, Child.id == Shield.child_id)
        .where(_due_within(within_days))
        .order_by(Shield.review_due))
    return [DueReview(shield_id=s.id, child_id=s.child_id, child_name=f"{g} {f}",
                      category=s.category.label, requested_on=s.requested_at.date(),
                      due=s.review_due, overdue=s.review_due < today, first=not s.reviews)
            for s, g, f in rows]


def due_count(within_days: int = 7) -> int:
    """How many shield reviews are overdue or due within so many days (as due_reviews
    finds them: the home page counts what the daily email counts)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Shield).where(
        _due_within(within_days)))


def overdue_count() -> int:
    """How many shield reviews are past their date."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Shield).where(
        Shield.active.is_(True), Shield.review_due < now().date()))
