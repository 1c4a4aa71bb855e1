"""Signing in: the password, then a code from the authenticator app (each step claimed
once) or a recovery code; every failure counts towards the lockout, and every outcome is
audited as the user concerned, before they are signed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from app.core.clock import format_datetime, now
from app.extensions import db
from app.models import User
from app.services import audit, mail, passwords, sessions, totp
from app.services.accounts import by, find_user_by_email, is_locked, record_failure
from app.services.transaction import atomic


def check_password(email: str, password: str) -> User | None:
    """First step. None for an unknown, inactive or locked account or a wrong password.

    All four cost one argon2 verification, so they look alike from outside. The attempt is
    counted towards the lockout before the password is checked (so parallel guesses cannot
    outrun the limit) and the count given back if it was right; the slow check itself runs
    outside any unit of work, holding no lock.
    """
    attempt = _begin_attempt(email)
    if attempt is None:
        passwords.verify_password(None, password)
        return None
    user_id, stored = attempt
    ok, rehash = passwords.verify_password(stored, password)
    return _end_attempt(user_id, ok, passwords.hash_password(password) if ok and rehash
                        else None)


@atomic
def _begin_attempt(email: str) -> tuple[int, str] | None:
    """Refuse an unknown, inactive or locked account (audited); otherwise count the attempt
    and return what checking the password needs."""
    user = find_user_by_email(email, lock=True)
    if user is None:
        audit.record("sign_in", outcome="failure", detail={"stage": "unknown account"})
        return None
    if user.active and not is_locked(user) and user.locked_until is not None:
        user.failed_attempts, user.locked_until = 0, None  # the lockout has run out
    busy = user.failed_attempts >= current_app.config["LOCKOUT_THRESHOLD"]
    if not user.active or is_locked(user) or busy:
        stage = "account deactivated" if not user.active else "account locked"
        audit.record("sign_in", outcome="refused", **by(user), detail={"stage": stage})
        return None
    user.failed_attempts += 1
    return user.id, user.password_hash


@atomic
def _end_attempt(user_id: int, ok: bool, new_hash: str | None) -> User | None:
    """A right password gives the counted attempt back (and may bring a stronger hash); a
    wrong one keeps it, is audited, and may lock the account."""
    user = db.session.get(User, user_id, with_for_update={"of": User})
    if not ok:
        record_failure(user, stage="password", counted=True)
        return None
    user.failed_attempts = max(user.failed_attempts - 1, 0)
    if new_hash:
        user.password_hash = new_hash
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
    if sessions.new_device(user.id, user_agent):
        mail.queue("new_device", user, organisation=user.organisation,
                   when=format_datetime(now()), device=sessions.device_name(user_agent),
                   link=mail.link("account.session_list"))
    return method, sessions.start(user.id, user_agent)


def change_password(user: User, current: str, new: str) -> dict[str, list[str]]:
    """A new password for the signed-in user, after their current one: returns what is
    wrong, by field ("current", "password"); nothing means it was changed, and every
    session ended. A wrong current password counts towards the lockout. Both slow steps
    (checking the old, hashing the new) run outside any lock."""
    problems = {}
    ok, _ = passwords.verify_password(user.password_hash, current)
    if not ok:
        _wrong_current_password(user.id)
        problems["current"] = ["Your current password is not right"]
    weak = passwords.policy_problems(new, organisation_name=user.organisation.name,
                                     email=user.email)
    if weak:
        problems["password"] = weak
    if problems:
        return problems
    _set_password(user.id, passwords.hash_password(new))
    return {}


@atomic
def _wrong_current_password(user_id: int) -> None:
    record_failure(db.session.get(User, user_id), stage="current password")


@atomic
def _set_password(user_id: int, password_hash: str) -> None:
    user = db.session.get(User, user_id)
    user.password_hash, user.password_changed_at = password_hash, now()
    audit.record("password.changed", subject_type="user", subject_id=user.id)
    sessions.end_all(user, "password changed")
