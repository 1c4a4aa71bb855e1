"""Getting an account and an authenticator app: first-run setup, invitations (a password,
then the first code), and setting up a new authenticator app, either after an
administrator's reset (with a one-time link and the password) or by choice."""

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
from app.services import audit, crypto, mail, passwords, sessions, totp
from app.services.accounts import (
    AccountError,
    WrongPassword,
    any_user_exists,
    by,
    find_or_create_organisation,
    find_user_by_email,
    host_organisation,
    is_locked,
    record_failure,
)
from app.services.transaction import atomic


@atomic
def invite(*, email: str, name: str, role: Role, organisation: Organisation,
           invited_by: User | None, role_category: RoleCategory | None = None,
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
    audit.record("user.invited", organisation_id=organisation.id, subject_type="invitation",
                 subject_id=invitation.id, detail={"role": role.value})
    mail.queue("invitation", invitation.email, organisation=organisation, hours=hours,
               link=mail.link("enrol.accept", token=token))
    return token


def live_invitation(*, token: str | None = None, invitation_id: int | None = None):
    """An unused, unexpired invitation by token or id, else None."""
    query = sa.select(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at > now())
    if token is not None:
        query = query.where(Invitation.token_hash == crypto.digest(token))
    else:
        query = query.where(Invitation.id == invitation_id)
    return db.session.scalar(query)


def choose_password(invitation: Invitation, password: str) -> list[str]:
    """Keep the invitee's password (hashed, outside any lock) and a fresh TOTP key until
    the first code; returns what is wrong with the password (nothing kept then)."""
    problems = passwords.policy_problems(password, organisation_name=invitation.organisation.name,
                                         email=invitation.email)
    if not problems:
        _keep_password(invitation.id, passwords.hash_password(password))
    return problems


@atomic
def _keep_password(invitation_id: int, password_hash: str) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    invitation.pending_password_hash = password_hash
    invitation.pending_totp_enc = crypto.encrypt(totp.new_secret())


@atomic
def complete_enrolment(invitation: Invitation, code: str):
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
    audit.record("user.enrolled", **by(user), subject_type="invitation",
                 subject_id=invitation.id, detail={"role": user.role.value})
    return user, codes


@atomic
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


@atomic
def complete_setup(setup: SetupToken, *, organisation_name: str, kind: OrganisationKind,
                   admin_name: str, admin_email: str, role_category: RoleCategory | None = None,
                   training_on=None, dbs_on=None) -> Invitation:
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
                   invited_by=None, role_category=role_category,
                   training_on=training_on, dbs_on=dbs_on)
    audit.record("setup.completed", organisation_id=host.id)
    return live_invitation(token=token)


def live_reenrolment(token: str) -> User | None:
    """The user an administrator's authenticator-reset link belongs to, while it works."""
    return db.session.scalar(sa.select(User).where(
        User.reenrol_token_hash == crypto.digest(token), User.reenrol_expires_at > now(),
        User.totp_enrolled.is_(False), User.active.is_(True)))


@atomic
def pending_secret(user: User) -> str:
    """The new authenticator key waiting for its first code (made on first asking)."""
    if not user.pending_totp_enc:
        user.pending_totp_enc = crypto.encrypt(totp.new_secret())
    return crypto.decrypt(user.pending_totp_enc)


def _switch_authenticator(user: User, step: int, after: str) -> list[str]:
    """The pending key becomes the user's; new recovery codes (returned, shown once)."""
    user.totp_secret_enc, user.pending_totp_enc = user.pending_totp_enc, None
    user.totp_last_step, user.totp_enrolled = step, True
    user.reenrol_token_hash = user.reenrol_expires_at = None
    codes = totp.issue_recovery_codes(user.id)
    audit.record("totp.reenrolled", **by(user), subject_type="user", subject_id=user.id,
                 detail={"after": after})
    return codes


def complete_reenrolment(user: User, password: str, code: str):
    """After an administrator's reset: password plus the first code of the new app;
    returns new recovery codes, or None (counted towards the lockout). The password is
    checked outside any lock."""
    if is_locked(user):
        passwords.verify_password(None, password)
        return None
    ok, _ = passwords.verify_password(user.password_hash, password)
    return _finish_reenrolment(user.id, ok, code)


@atomic
def _finish_reenrolment(user_id: int, password_ok: bool, code: str):
    user = db.session.get(User, user_id, with_for_update={"of": User})
    step = totp.matching_step(crypto.decrypt(user.pending_totp_enc), code) \
        if password_ok and not is_locked(user) else None
    if step is None:
        record_failure(user, stage="re-enrolment")
        return None
    return _switch_authenticator(user, step, "administrator reset")


def begin_new_authenticator(user: User, password: str) -> None:
    """By choice: the signed-in user's password first (checked outside any lock), then a
    new key waits for its code."""
    ok, _ = passwords.verify_password(user.password_hash, password)
    _pend_new_authenticator(user.id, ok)


@atomic
def _pend_new_authenticator(user_id: int, password_ok: bool) -> None:
    user = db.session.get(User, user_id)
    if not password_ok:
        record_failure(user, stage="current password")
        raise WrongPassword("Your current password is not right")
    user.pending_totp_enc = crypto.encrypt(totp.new_secret())


@atomic
def confirm_new_authenticator(user: User, code: str) -> list[str] | None:
    """The new app's first code: it replaces the old one and every session ends (sign in
    again). Returns the new recovery codes, or None for a wrong code."""
    step = totp.matching_step(crypto.decrypt(user.pending_totp_enc), code)
    if step is None:
        return None
    codes = _switch_authenticator(user, step, "changed by the user")
    sessions.end_all(user, "authenticator changed")
    return codes
