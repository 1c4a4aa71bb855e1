"""Administering users: setting administrators act on their own organisation's users, the
management team on everyone's. Nobody raises their own role. Every action is audited."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import RecoveryCode, Role, RoleCategory, User
from app.services import audit, crypto, mail, records, sessions
from app.services.transaction import atomic


def may_manage(actor: User, target: User) -> bool:
    """Management team: anyone. Setting administrators: their own organisation's users."""
    if actor.is_management:
        return True
    return actor.role == Role.admin and actor.organisation_id == target.organisation_id


def find(actor: User, user_id: int) -> User:
    """A user this administrator looks after."""
    target = records.get(User, user_id)
    _check(actor, target)
    return target


def scope(actor: User, *, active_only: bool = False) -> list[User]:
    """The users this administrator looks after, by name."""
    query = sa.select(User).order_by(User.name)
    if active_only:
        query = query.where(User.active.is_(True))
    if not actor.is_management:
        query = query.where(User.organisation_id == actor.organisation_id)
    return list(db.session.scalars(query))


def _check(actor: User, target: User) -> None:
    if not may_manage(actor, target):
        raise NotAllowed()


def _audit(target: User, action: str, **detail) -> None:
    audit.record(action, organisation_id=target.organisation_id,
                 subject_type="user", subject_id=target.id, detail=detail or None)


@atomic
def update_eligibility(actor: User, target: User, *, role_category: RoleCategory | None,
                       training_on: date | None, dbs_on: date | None, nominate: bool) -> None:
    """Record the role category, training and DBS dates, and nominate or withdraw it."""
    _check(actor, target)
    if actor.id == target.id:
        raise Refused("You cannot record your own eligibility: ask another administrator")
    target.role_category = role_category
    target.training_completed_on = training_on
    target.dbs_checked_on = dbs_on
    if nominate and target.nominated_at is None:
        target.nominated_by_user_id, target.nominated_at = actor.id, now()
    elif not nominate:
        target.nominated_by_user_id, target.nominated_at = None, None
    _audit(target, "user.eligibility_changed", nominated=nominate,
           training=str(training_on), dbs=str(dbs_on),
           category=role_category.value if role_category else None)


@atomic
def change_role(actor: User, target: User, role: Role) -> None:
    """Change someone else's role (never your own)."""
    _check(actor, target)
    if actor.id == target.id:
        raise Refused("You cannot change your own role: ask another administrator")
    before = target.role
    target.role = role
    sessions.revoke_all(target.id, "role changed")
    _audit(target, "user.role_changed", before=before.value, after=role.value)


@atomic
def set_active(actor: User, target: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate an account."""
    _check(actor, target)
    if actor.id == target.id:
        raise Refused("You cannot deactivate your own account")
    target.active = active
    if not active:
        sessions.revoke_all(target.id, "deactivated")
    _audit(target, "user.activated" if active else "user.deactivated")


@atomic
def unlock(actor: User, target: User) -> None:
    """Lift a lockout after too many failed attempts."""
    _check(actor, target)
    target.failed_attempts, target.locked_until = 0, None
    _audit(target, "user.unlocked")


@atomic
def end_sessions(actor: User, target: User) -> int:
    """Sign the user out everywhere."""
    _check(actor, target)
    ended = sessions.revoke_all(target.id, "ended by administrator")
    _audit(target, "user.sessions_revoked", ended=ended)
    return ended


@atomic
def reset_authenticator(actor: User, target: User, reason: str) -> str:
    """Withdraw the user's authenticator app; returns a one-time set-up link token."""
    _check(actor, target)
    if not reason.strip():
        raise Refused("Give the reason for resetting the authenticator app")
    token = crypto.new_token()
    target.totp_enrolled, target.totp_reset_at = False, now()
    target.reenrol_token_hash = crypto.digest(token)
    target.reenrol_expires_at = now() + timedelta(hours=current_app.config["INVITATION_HOURS"])
    target.pending_totp_enc = None
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == target.id).delete()
    sessions.revoke_all(target.id, "authenticator reset")
    _audit(target, "user.totp_reset", reason=reason)
    mail.queue("authenticator_reset", target, organisation=actor.organisation,
               hours=current_app.config["INVITATION_HOURS"],
               link=mail.link("enrol.reenrol_link", token=token))
    return token


@atomic
def act(actor: User, target: User, action: str) -> None:
    """Deactivate, reactivate, unlock, or sign the user out everywhere ("sign-out")."""
    if action in ("deactivate", "reactivate"):
        set_active(actor, target, action == "reactivate")
    elif action == "unlock":
        unlock(actor, target)
    else:
        end_sessions(actor, target)
