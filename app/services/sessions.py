"""Server-side sessions: the cookie holds a random token, the database decides if it lives."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.core.clock import now
from app.core.errors import NotFound
from app.extensions import db
from app.models import User, UserSession
from app.services import actor, audit, crypto
from app.services.transaction import atomic

# last_seen_at is written at most this often, to keep a write off most requests.
TOUCH_EVERY = timedelta(seconds=30)


def start(user_id: int, user_agent: str | None) -> str:
    """Open a session for the user, from the acting address; returns the token for the
    cookie (stored only hashed)."""
    token = crypto.new_token()
    db.session.add(UserSession(
        token_hash=crypto.digest(token), user_id=user_id, ip=actor.current().ip,
        user_agent=(user_agent or "")[:300] or None,
    ))
    return token


def new_device(user_id: int, user_agent: str | None) -> bool:
    """Whether a sign-in comes from a browser this user has not signed in from before (the
    first sign-in of all is not news)."""
    agent = (user_agent or "")[:300] or None
    seen = db.session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(UserSession.user_agent == agent))
        .where(UserSession.user_id == user_id)).one()
    return seen[0] > 0 and seen[1] == 0


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("iPhone", "an iPhone"), ("iPad", "an iPad"), ("Android", "Android"),
           ("Windows", "Windows"), ("Mac OS X", "a Mac"), ("Linux", "Linux"))


def device_name(user_agent: str | None) -> str:
    """A browser and system a person would recognise, like "Firefox on Windows"."""
    agent = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in agent), "a browser")
    system = next((name for mark, name in SYSTEMS if mark in agent), "an unknown system")
    return f"{browser} on {system}"


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


# Every request's first read, built once (building it afresh cost more than running it).
_SIGNED_IN = (sa.select(UserSession, User).join(User, User.id == UserSession.user_id)
              .where(UserSession.token_hash == sa.bindparam("token_hash"))
              .options(sa.orm.lazyload(User.organisation)))


def resolve(token: str | None, user_id: str, *, background: bool
            ) -> tuple[User | None, UserSession | None, str | None]:
    """The signed-in user for a cookie: (user, session, None), or (None, None, why the
    session ended). Activity extends the idle timer, except background polling. One read
    (session and user together), but for the rare request that must note the activity or
    end the session."""
    found = db.session.execute(_SIGNED_IN, {"token_hash": crypto.digest(token)}).first() \
        if token else None
    if found is None or str(found.UserSession.user_id) != user_id:
        return None, None, None
    record, user = found
    reason = expiry_reason(record)
    if reason:
        if reason != "revoked":
            _expire(record.id, reason)
        return None, None, reason
    if not user.active:
        return None, None, None
    if not background and now() - record.last_seen_at >= TOUCH_EVERY:
        _touch(record.id)
        set_committed_value(record, "last_seen_at", now())  # as written, not a change
    return user, record, None


def seconds_left(record: UserSession) -> int:
    """How long the session lives without further activity: until the idle time-out, or
    the absolute limit if that comes first."""
    cfg = current_app.config
    ends = min(record.last_seen_at + timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
               record.created_at + timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]))
    return max(0, int((ends - now()).total_seconds()))


def keep_alive(record: UserSession) -> int:
    """The person chose to stay signed in: note the activity now; returns the seconds
    left."""
    _touch(record.id)
    set_committed_value(record, "last_seen_at", now())
    return seconds_left(record)


@atomic
def _expire(record_id: int, reason: str) -> None:
    record = db.session.get(UserSession, record_id)
    revoke(record, reason)
    audit.record("session.expired", actor_user_id=record.user_id, subject_type="session",
                 subject_id=record.id, detail={"why": reason})


@atomic
def _touch(record_id: int) -> None:
    """Note activity, extending the idle timer (at most every TOUCH_EVERY)."""
    db.session.execute(sa.update(UserSession).where(UserSession.id == record_id)
                       .values(last_seen_at=now()).execution_options(
                           synchronize_session=False))


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


@atomic
def end_all(user: User, reason: str) -> None:
    """Sign the user out everywhere (their own choice, or after a change of password or
    authenticator)."""
    revoke_all(user.id, reason)
    audit.record("session.revoked_all", detail={"why": reason})


@atomic
def end_own(user: User, session_id: int) -> None:
    """End one of the user's own sessions."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id:
        raise NotFound()
    revoke(record, "ended by user")
    audit.record("session.revoked", subject_type="session", subject_id=record.id)


@atomic
def sign_out(session_id: int | None) -> None:
    """End this session on the server, so a copy of the cookie is useless."""
    record = db.session.get(UserSession, session_id) if session_id else None
    if record is not None:
        revoke(record, "signed out")
        audit.record("session.signed_out", subject_type="session", subject_id=record.id)


def active_for(user_id: int) -> list[UserSession]:
    """The user's sessions that are still valid, newest first."""
    rows = db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [row for row in rows if expiry_reason(row) is None]
