"""Server-side sessions: the cookie holds a random token, the database decides if it lives."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.extensions import db
from app.models import UserSession
from app.services import crypto

# last_seen_at is written at most this often, to keep a write off most requests.
TOUCH_EVERY = timedelta(seconds=30)


def start(user_id: int, ip: str | None, user_agent: str | None) -> str:
    """Open a session for the user; returns the token for the cookie (stored only hashed)."""
    token = crypto.new_token()
    db.session.add(UserSession(
        token_hash=crypto.digest(token), user_id=user_id, ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    ))
    return token


def expiry_reason(record: UserSession) -> str | None:
    """Why the session is no longer valid ('revoked', 'idle', 'absolute'), or None."""
    cfg = current_app.config
    moment = now()
    if record.revoked_at is not None:
        return "revoked"
    if moment - record.created_at >= timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]):
        return "absolute"
    if moment - record.last_seen_at >= timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
        return "idle"
    return None


def find(token: str) -> UserSession | None:
    """The session record for a cookie token, whatever its state."""
    return db.session.scalar(
        sa.select(UserSession).where(UserSession.token_hash == crypto.digest(token))
    )


def get(record_id: int) -> UserSession | None:
    """The session record with this id."""
    return db.session.get(UserSession, record_id)


def touch(record: UserSession) -> None:
    """Note activity, extending the idle timer (not called for background polling)."""
    moment = now()
    if moment - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = moment


def revoke(record: UserSession, reason: str) -> None:
    """End one session server-side; a copied cookie for it is dead from now on."""
    if record.revoked_at is None:
        record.revoked_at = now()
        record.revoked_reason = reason


def revoke_all(user_id: int, reason: str) -> int:
    """End every live session of the user; returns how many were ended."""
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def active_for(user_id: int) -> list[UserSession]:
    """The user's sessions that are still valid, newest first."""
    rows = db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [row for row in rows if expiry_reason(row) is None]
