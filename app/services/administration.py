"""Administering users: setting administrators act on their own organisation's users, the
management team on everyone's. Nobody raises their own role. Every action is audited."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from app.core.clock import now
from app.extensions import db
from app.models import Organisation, RecoveryCode, Role, RoleCategory, User
from app.services import audit, crypto, sessions
from app.services.children import NotAllowed, Refused


def may_manage(actor: User, target: User) -> bool:
    """Management team: anyone. Setting administrators: their own organisation's users."""
    if actor.is_management:
        return True
    return actor.role == Role.admin and actor.organisation_id == target.organisation_id


def _check(actor: User, target: User) -> None:
    if not may_manage(actor, target):
        raise NotAllowed()


def _audit(actor: User, target: User, action: str, ip: str | None, **detail) -> None:
    audit.record(action, actor_user_id=actor.id, organisation_id=target.organisation_id,
                 subject_type="user", subject_id=target.id, ip=ip, detail=detail or None)


def update_eligibility(actor: User, target: User, *, role_category: RoleCategory | None,
                       training_on: date | None, dbs_on: date | None, nominate: bool,
                       ip: str | None) -> None:
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
    _audit(actor, target, "user.eligibility_changed", ip, nominated=nominate,
           training=str(training_on), dbs=str(dbs_on),
           category=role_category.value if role_category else None)


def change_role(actor: User, target: User, role: Role, *, ip: str | None) -> None:
    """Change someone else's role (never your own)."""
    _check(actor, target)
    if actor.id == target.id:
        raise Refused("You cannot change your own role: ask another administrator")
    before = target.role
    target.role = role
    sessions.revoke_all(target.id, "role changed")
    _audit(actor, target, "user.role_changed", ip, before=before.value, after=role.value)


def set_active(actor: User, target: User, active: bool, *, ip: str | None) -> None:
    """Deactivate (ending every session) or reactivate an account."""
    _check(actor, target)
    if actor.id == target.id:
        raise Refused("You cannot deactivate your own account")
    target.active = active
    if not active:
        sessions.revoke_all(target.id, "deactivated")
    _audit(actor, target, "user.activated" if active else "user.deactivated", ip)


def unlock(actor: User, target: User, *, ip: str | None) -> None:
    """Lift a lockout after too many failed attempts."""
    _check(actor, target)
    target.failed_attempts, target.locked_until = 0, None
    _audit(actor, target, "user.unlocked", ip)


def end_sessions(actor: User, target: User, *, ip: str | None) -> int:
    """Sign the user out everywhere."""
    _check(actor, target)
    ended = sessions.revoke_all(target.id, "ended by administrator")
    _audit(actor, target, "user.sessions_revoked", ip, ended=ended)
    return ended


def reset_authenticator(actor: User, target: User, reason: str, *, ip: str | None) -> str:
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
    _audit(actor, target, "user.totp_reset", ip, reason=reason)
    return token


def update_organisation(actor: User, organisation: Organisation, values: dict, *,
                        ip: str | None) -> None:
    """An administrator records their own organisation's address, contacts and (for the
    host) its data protection officer."""
    if actor.role != Role.admin or actor.organisation_id != organisation.id:
        raise NotAllowed()
    changed = sorted(k for k, v in values.items() if getattr(organisation, k) != (v or None))
    for name, value in values.items():
        setattr(organisation, name, value or None)
    audit.record("organisation.changed", actor_user_id=actor.id, ip=ip,
                 organisation_id=organisation.id, subject_type="organisation",
                 subject_id=organisation.id, detail={"changed": changed})
