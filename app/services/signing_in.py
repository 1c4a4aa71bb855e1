"""Signing in: the password, then a code from the authenticator app (each step claimed
once) or a recovery code; every failure counts towards the lockout, and every outcome is
audited as the user concerned, before they are signed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from app.core.clock import now
from app.extensions import db
from app.models import User
from app.services import audit, passwords, sessions, totp
from app.services.accounts import by, find_user_by_email, is_locked, record_failure
from app.services.transaction import atomic


@atomic
def check_password(email: str, password: str) -> User | None:
    """First step. None for an unknown, inactive or locked account or a wrong password.

    All four cost one argon2 verification, so they look alike from outside.
    """
    user = find_user_by_email(email, lock=True)
    if user is None or not user.active or is_locked(user):
        passwords.verify_password(None, password)
        if user is None:
            audit.record("sign_in", outcome="failure", detail={"stage": "unknown account"})
        else:
            stage = "account locked" if user.active else "account deactivated"
            audit.record("sign_in", outcome="refused", **by(user), detail={"stage": stage})
        return None
    ok, rehash = passwords.verify_password(user.password_hash, password)
    if not ok:
        record_failure(user, stage="password")
        return None
    if rehash:
        user.password_hash = passwords.hash_password(password)
    return user


def pending_user(user_id: int, started: datetime) -> User | None:
    """The user who passed the password step, if it was recent enough; locked for update,
    so that parallel wrong codes each count towards the lockout."""
    if now() - started > timedelta(minutes=current_app.config["SIGN_IN_PENDING_MINUTES"]):
        return None
    return db.session.get(User, user_id, with_for_update={"of": User})


def check_second_factor(user: User, code: str) -> str | None:
    """A TOTP code (current or previous step, never reused) or a recovery code.

    Returns "totp" or "recovery" on success, None on failure (counted towards lockout).
    """
    if not user.active or is_locked(user):
        audit.record("sign_in", outcome="refused", **by(user),
                     detail={"stage": "account locked"})
        return None
    step = totp.matching_step(totp.user_secret(user), code)
    if step is not None:
        if totp.claim_step(user.id, step):
            return "totp"
        audit.record("totp.replay_refused", outcome="refused", **by(user))
        record_failure(user, stage="code already used")
        return None
    if totp.use_recovery_code(user.id, code):
        audit.record("recovery_code.used", **by(user),
                     detail={"left": totp.recovery_codes_left(user.id)})
        return "recovery"
    record_failure(user, stage="code")
    return None


@atomic
def second_step(user: User, code: str, user_agent: str | None) -> tuple[str, str] | None:
    """Check the code; on success clear the failure count, audit the sign-in and open a
    session. Returns (how: "totp" or "recovery", the session token), or None."""
    method = check_second_factor(user, code)
    if method is None:
        return None
    user.failed_attempts, user.locked_until = 0, None
    audit.record("sign_in", outcome="success", **by(user), detail={"method": method})
    return method, sessions.start(user.id, user_agent)


@atomic
def change_password(user: User, current: str, new: str) -> dict[str, list[str]]:
    """A new password for the signed-in user, after their current one: returns what is
    wrong, by field ("current", "password"); nothing means it was changed, and every
    session ended. A wrong current password counts towards the lockout."""
    ok, _ = passwords.verify_password(user.password_hash, current)
    if not ok:
        record_failure(user, stage="current password")
        return {"current": ["Your current password is not right"]}
    problems = passwords.policy_problems(new, organisation_name=user.organisation.name,
                                         email=user.email)
    if problems:
        return {"password": problems}
    user.password_hash, user.password_changed_at = passwords.hash_password(new), now()
    audit.record("password.changed", subject_type="user", subject_id=user.id)
    sessions.end_all(user, "password changed")
    return {}
