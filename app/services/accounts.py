"""Organisations, users, sign-in checks, lockout, invitations and first-run setup."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.extensions import db
from app.models import (
    Invitation,
    Organisation,
    OrganisationKind,
    Role,
    RoleCategory,
    SetupToken,
    User,
)
from app.models.user import email_key
from app.services import audit, crypto, eligibility, passwords, totp


class AccountError(ValueError):
    """A request the rules refuse, with a message fit to show the user."""


def any_user_exists() -> bool:
    """True once the first account has been created."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0


def host_organisation() -> Organisation | None:
    """The organisation whose admins are the management team."""
    return db.session.scalar(sa.select(Organisation).where(Organisation.is_host.is_(True)))


def find_or_create_organisation(name: str, kind: OrganisationKind = OrganisationKind.other):
    """Return the organisation called name, creating it (as host if it is the first)."""
    name = " ".join(name.split())
    org = db.session.scalar(
        sa.select(Organisation).where(Organisation.name_key == Organisation.key_for(name))
    )
    if org is None:
        first = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0
        org = Organisation(name=name, name_key=Organisation.key_for(name), kind=kind,
                           is_host=first)
        db.session.add(org)
        db.session.flush()
    return org


def find_user_by_email(email: str, *, lock: bool = False) -> User | None:
    """Look a user up case-insensitively; lock the row for a read-modify-write."""
    query = sa.select(User).where(User.email_key == email_key(email))
    if lock:
        query = query.with_for_update(of=User)
    return db.session.scalar(query)


def create_user(*, email: str, name: str, role: Role, organisation: Organisation,
                password: str, totp_secret: str, totp_last_step: int | None = None,
                eligible: dict | None = None) -> User:
    """Create an enrolled user; the caller has already applied the password policy.

    `eligible` gives the eligibility record (see services/eligibility.py); by default the
    user is nominated, trained, has signed the policy and was DBS-checked today.
    """
    if find_user_by_email(email):
        raise AccountError("There is already an account with this email address")
    today, moment = now().date(), now()
    record = {"role_category": RoleCategory.other, "nominated_at": moment,
              "training_completed_on": today, "dbs_checked_on": today,
              "policy_version": eligibility.POLICY_VERSION, "policy_signed_at": moment,
              **(eligible or {})}
    user = User(email=email.strip(), email_key=email_key(email), name=name.strip(), role=role,
                organisation_id=organisation.id, password_hash=passwords.hash_password(password),
                totp_secret_enc=crypto.encrypt(totp_secret), totp_last_step=totp_last_step,
                **record)
    db.session.add(user)
    db.session.flush()
    return user


def is_locked(user: User) -> bool:
    """True while the account is inside its lockout window."""
    return user.locked_until is not None and user.locked_until > now()


def record_failure(user: User, *, stage: str, ip: str | None) -> None:
    """Count a failed attempt against the account; lock it at the threshold."""
    cfg = current_app.config
    moment = now()
    if user.locked_until is not None and user.locked_until <= moment:
        user.failed_attempts, user.locked_until = 0, None
    user.failed_attempts += 1
    audit.record("sign_in", outcome="failure", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, detail={"stage": stage})
    if user.failed_attempts >= cfg["LOCKOUT_THRESHOLD"] and user.locked_until is None:
        user.locked_until = moment + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
        audit.record("account.locked", outcome="success", actor_user_id=user.id, ip=ip,
                     organisation_id=user.organisation_id)


def check_password(email: str, password: str, ip: str | None) -> User | None:
    """First sign-in step. None for an unknown, inactive or locked account or a wrong password.

    All four cost one argon2 verification, so they look alike from outside.
    """
    user = find_user_by_email(email, lock=True)
    if user is None or not user.active or is_locked(user):
        passwords.verify_password(None, password)
        if user is None:
            audit.record("sign_in", outcome="failure", ip=ip, detail={"stage": "unknown account"})
        else:
            stage = "account locked" if user.active else "account deactivated"
            audit.record("sign_in", outcome="refused", actor_user_id=user.id, ip=ip,
                         organisation_id=user.organisation_id, detail={"stage": stage})
        return None
    ok, rehash = passwords.verify_password(user.password_hash, password)
    if not ok:
        record_failure(user, stage="password", ip=ip)
        return None
    if rehash:
        user.password_hash = passwords.hash_password(password)
    return user


def check_second_factor(user: User, code: str, ip: str | None) -> str | None:
    """Second step: a TOTP code (current or previous step, never reused) or a recovery code.

    Returns "totp" or "recovery" on success, None on failure (counted towards lockout).
    """
    if not user.active or is_locked(user):
        audit.record("sign_in", outcome="refused", actor_user_id=user.id, ip=ip,
                     organisation_id=user.organisation_id, detail={"stage": "account locked"})
        return None
    step = totp.matching_step(totp.user_secret(user), code)
    if step is not None:
        if totp.claim_step(user.id, step):
            return "totp"
        audit.record("totp.replay_refused", outcome="refused", actor_user_id=user.id, ip=ip,
                     organisation_id=user.organisation_id)
        record_failure(user, stage="code already used", ip=ip)
        return None
    if totp.use_recovery_code(user.id, code):
        audit.record("recovery_code.used", actor_user_id=user.id, ip=ip,
                     organisation_id=user.organisation_id,
                     detail={"left": totp.recovery_codes_left(user.id)})
        return "recovery"
    record_failure(user, stage="code", ip=ip)
    return None


def record_success(user: User, ip: str | None, method: str) -> None:
    """Clear the failure counter and audit the sign-in."""
    user.failed_attempts, user.locked_until = 0, None
    audit.record("sign_in", outcome="success", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, detail={"method": method})


def invite(*, email: str, name: str, role: Role, organisation: Organisation,
           invited_by: User | None, ip: str | None, role_category: RoleCategory | None = None,
           training_on=None, dbs_on=None) -> str:
    """Create a one-time invitation (72 hours by default); returns the token for the link."""
    if find_user_by_email(email):
        raise AccountError("There is already an account with this email address")
    db.session.execute(  # only the newest invitation to an address works
        sa.update(Invitation).where(Invitation.email_key == email_key(email),
                                    Invitation.used_at.is_(None))
        .values(used_at=now()).execution_options(synchronize_session=False))
    token = crypto.new_token()
    hours = current_app.config["INVITATION_HOURS"]
    invitation = Invitation(
        token_hash=crypto.digest(token), email=email.strip(), email_key=email_key(email),
        name=name.strip(), role=role, organisation_id=organisation.id,
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=now() + timedelta(hours=hours), role_category=role_category,
        training_completed_on=training_on, dbs_checked_on=dbs_on,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("user.invited", actor_user_id=invited_by.id if invited_by else None, ip=ip,
                 organisation_id=organisation.id, subject_type="invitation",
                 subject_id=invitation.id, detail={"role": role.value})
    return token


def live_invitation(*, token: str | None = None, invitation_id: int | None = None):
    """An unused, unexpired invitation by token or id, else None."""
    query = sa.select(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at > now())
    if token is not None:
        query = query.where(Invitation.token_hash == crypto.digest(token))
    else:
        query = query.where(Invitation.id == invitation_id)
    return db.session.scalar(query)


def choose_password(invitation: Invitation, password: str) -> None:
    """Keep the invitee's password (hashed) and a fresh TOTP key until the first code."""
    invitation.pending_password_hash = passwords.hash_password(password)
    invitation.pending_totp_enc = crypto.encrypt(totp.new_secret())


def complete_enrolment(invitation: Invitation, code: str, ip: str | None):
    """Confirm the authenticator with its first code; create the user and recovery codes.

    Returns (user, recovery_codes), or None when the code is wrong.
    """
    secret = crypto.decrypt(invitation.pending_totp_enc)
    step = totp.matching_step(secret, code)
    if step is None:
        return None
    claimed = db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now()).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    if find_user_by_email(invitation.email):
        raise AccountError("There is already an account with this email address")
    # The invitation is the nomination: by the inviting administrator (or at first-run
    # setup). The policy is signed by the user at first sign-in.
    user = User(email=invitation.email, email_key=invitation.email_key, name=invitation.name,
                role=invitation.role, organisation_id=invitation.organisation_id,
                password_hash=invitation.pending_password_hash,
                totp_secret_enc=invitation.pending_totp_enc, totp_last_step=step,
                role_category=invitation.role_category,
                nominated_by_user_id=invitation.invited_by_id,
                nominated_at=invitation.created_at,
                training_completed_on=invitation.training_completed_on,
                dbs_checked_on=invitation.dbs_checked_on)
    db.session.add(user)
    db.session.flush()
    codes = totp.issue_recovery_codes(user.id)
    audit.record("user.enrolled", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, subject_type="invitation",
                 subject_id=invitation.id, detail={"role": user.role.value})
    return user, codes


def new_setup_token(hours: int = 24) -> str:
    """A one-time first-run link token; earlier unused ones stop working."""
    db.session.execute(sa.update(SetupToken).where(SetupToken.used_at.is_(None))
                       .values(used_at=now()).execution_options(synchronize_session=False))
    token = crypto.new_token()
    db.session.add(SetupToken(token_hash=crypto.digest(token),
                              expires_at=now() + timedelta(hours=hours)))
    return token


def live_setup_token(token: str) -> SetupToken | None:
    """The setup token if unused, unexpired, and nobody has an account yet."""
    if any_user_exists():
        return None
    return db.session.scalar(sa.select(SetupToken).where(
        SetupToken.token_hash == crypto.digest(token), SetupToken.used_at.is_(None),
        SetupToken.expires_at > now()))


def complete_setup(setup: SetupToken, *, organisation_name: str, kind: OrganisationKind,
                   admin_name: str, admin_email: str, ip: str | None,
                   role_category: RoleCategory | None = None, training_on=None,
                   dbs_on=None) -> Invitation:
    """Create (or rename) the host organisation and invite its first administrator."""
    setup.used_at = now()
    host = host_organisation()
    if host is None:
        host = find_or_create_organisation(organisation_name, kind)
    else:  # an earlier setup was abandoned before its admin enrolled
        host.name, host.name_key, host.kind = (
            organisation_name, Organisation.key_for(organisation_name), kind)
    host.is_host = True
    token = invite(email=admin_email, name=admin_name, role=Role.admin, organisation=host,
                   invited_by=None, ip=ip, role_category=role_category,
                   training_on=training_on, dbs_on=dbs_on)
    audit.record("setup.completed", ip=ip, organisation_id=host.id)
    return live_invitation(token=token)


def live_reenrolment(token: str) -> User | None:
    """The user an administrator's authenticator-reset link belongs to, while it works."""
    return db.session.scalar(sa.select(User).where(
        User.reenrol_token_hash == crypto.digest(token), User.reenrol_expires_at > now(),
        User.totp_enrolled.is_(False), User.active.is_(True)))


def complete_reenrolment(user: User, password: str, code: str, ip: str | None):
    """Password plus the first code of the new app; returns new recovery codes, or None."""
    if is_locked(user):
        passwords.verify_password(None, password)
        return None
    ok, _ = passwords.verify_password(user.password_hash, password)
    step = totp.matching_step(crypto.decrypt(user.pending_totp_enc), code) if ok else None
    if step is None:
        record_failure(user, stage="re-enrolment", ip=ip)
        return None
    user.totp_secret_enc, user.pending_totp_enc = user.pending_totp_enc, None
    user.totp_last_step, user.totp_enrolled = step, True
    user.reenrol_token_hash = user.reenrol_expires_at = None
    codes = totp.issue_recovery_codes(user.id)
    audit.record("totp.reenrolled", actor_user_id=user.id, ip=ip,
                 organisation_id=user.organisation_id, detail={"after": "administrator reset"})
    return codes
