"""Reasons before access: every page showing a child's data needs a reason stated for it.

A reason becomes a one-time grant for (user, child, page). Opening the page spends it and
records the view, with the reason, in the audit trail. A reason stated for a child covers
that child's other pages for REASON_COVER_MINUTES after it was stated (default 10): each of
those views is still a grant of its own, spent and audited with the same reason. After
that the last reason is offered as the first choice, never reused silently.
"""

from __future__ import annotations

import enum
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.core.clock import now
from app.database import note_written
from app.extensions import db
from app.models import AccessGrant, Child, User
from app.services import audit, disclosure
from app.services.transaction import atomic

GRANT_UNUSED_LIFETIME = timedelta(minutes=5)   # from stating a reason to opening the page
GRANT_WORKING_LIFETIME = timedelta(minutes=30)  # for corrections posted from that page


class Reason(enum.StrEnum):
    """Why a user looks at a child's record."""

    safeguarding = "safeguarding"
    coordinating = "coordinating"
    updating_record = "updating_record"
    mediated_request = "mediated_request"
    subject_access = "subject_access"
    other = "other"

    @property
    def label(self) -> str:
        """Plain-English reason."""
        return REASON_LABELS[self]


REASON_LABELS = {
    Reason.safeguarding: "Safeguarding or child protection",
    Reason.coordinating: "Coordinating services for the child",
    Reason.updating_record: "Updating the record",
    Reason.mediated_request: "Answering a look-up request",
    Reason.subject_access: "Subject access request",
    Reason.other: "Other",
}


@atomic
def grant(user: User, child_id: int, page: str, category: Reason, text: str | None) -> str:
    """Record a stated reason; returns the one-time token that opens the page."""
    token = secrets.token_urlsafe(24)
    db.session.connection().execute(_NEW, {
        "token": token, "user_id": user.id, "child_id": child_id, "page": page,
        "reason_category": category.value, "reason_text": text or None})
    note_written(db.session)
    return token


# Asked on every page of a record, so built once (building them cost more than running them)
_LAST = (sa.select(AccessGrant)
         .where(AccessGrant.user_id == sa.bindparam("user_id"),
                AccessGrant.child_id == sa.bindparam("child_id"))
         .order_by(AccessGrant.id.desc()).limit(1))
_GRANT = sa.select(AccessGrant).where(
    AccessGrant.token == sa.bindparam("token"), AccessGrant.user_id == sa.bindparam("user_id"),
    AccessGrant.child_id == sa.bindparam("child_id"), AccessGrant.page == sa.bindparam("page")
).with_for_update()


# Every reason stated and every page opened writes one of these: plain statements, not the
# session's unit of work, whose bookkeeping (a flush) cost more than the writes themselves.
_NEW = sa.insert(AccessGrant)
_SPEND = (sa.update(AccessGrant).where(AccessGrant.id == sa.bindparam("grant_id"))
          .values(first_used_at=sa.bindparam("at")))


def last_reason(user: User, child_id: int) -> AccessGrant | None:
    """The reason this user gave last time for this child (offered, never assumed)."""
    return db.session.scalar(_LAST, {"user_id": user.id, "child_id": child_id})


def _find(user: User, child_id: int, page: str, token: str | None) -> AccessGrant | None:
    if not token:
        return None
    return db.session.scalar(_GRANT, {"token": token, "user_id": user.id,
                                      "child_id": child_id, "page": page})


@atomic
def open_page(user: User, child: Child, page: str, token: str | None) -> AccessGrant | None:
    """Spend a grant on a page view and audit it: the one the token names, else a new one
    under a reason still covering the child; None means "ask for a reason"."""
    found = _find(user, child.id, page, token)
    covering = None
    if found is None or found.first_used_at is not None or \
            now() - found.created_at > GRANT_UNUSED_LIFETIME:
        covering = _covering(user, child.id)
        if covering is None:
            return None
        found = AccessGrant(token=secrets.token_urlsafe(24), user_id=user.id,
                            child_id=child.id, page=page,
                            reason_category=covering.reason_category,
                            reason_text=covering.reason_text,
                            created_at=covering.created_at,  # the cover never stretches
                            first_used_at=now())
        db.session.add(found)
    else:
        moment = now()
        db.session.connection().execute(_SPEND, {"grant_id": found.id, "at": moment})
        set_committed_value(found, "first_used_at", moment)  # as written
    detail = {"page": page, "reason": found.reason_text}
    if covering is not None:
        detail["same_reason_as_grant"] = covering.id
    audit.record("child.viewed", subject_type="page", child_id=child.id,
                 reason_category=found.reason_category, shielded=child.shielded,
                 detail=detail)
    return found


def cover() -> timedelta:
    """How long a stated reason covers the child's other pages."""
    return timedelta(minutes=current_app.config["REASON_COVER_MINUTES"])


def covered(user: User, child_id: int) -> bool:
    """True while a reason this user stated for this child still covers its pages."""
    return _covering(user, child_id) is not None


def _covering(user: User, child_id: int) -> AccessGrant | None:
    """The reason this user stated for this child within the cover, if any: the last one
    (last_reason), while it is young enough. A grant made under a cover carries the time
    its reason was stated, so it never extends it."""
    if cover() <= timedelta(0):
        return None
    last = last_reason(user, child_id)
    return last if last is not None and last.created_at >= now() - cover() else None


@atomic
def name_for_prompt(user: User, child: Child) -> str:
    """The child's name as a search result shows it, for the reason prompt; the look is
    audited (an id typed into the address bar names a child only on the record)."""
    audit.record("child.named", subject_type="reason_prompt", child_id=child.id,
                 shielded=child.shielded)
    return disclosure.project_row(user, child).name


def working(user: User, child_id: int, page: str, token: str | None) -> AccessGrant | None:
    """A grant already spent on this page, still good for posting corrections from it."""
    found = _find(user, child_id, page, token)
    if found is None or found.first_used_at is None:
        return None
    if now() - found.first_used_at > GRANT_WORKING_LIFETIME:
        return None
    return found
