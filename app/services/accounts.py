"""Organisations and users: the host, creating accounts, finding them, and the lockout
that every check of a password or code counts towards."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import NotAllowed, Refused
from app.extensions import db
from app.models import Organisation, OrganisationKind, Role, RoleCategory, User
from app.models.user import email_key
from app.services import audit, crypto, eligibility, mail, passwords
from app.services.transaction import atomic


class AccountError(Refused):
    """A request the rules refuse, with a message fit to show the user."""


def by(user: User) -> dict:
    """Audit fields naming the user as the one acting, for steps taken before they are
    signed in (signing in, enrolling, resetting)."""
    return {"actor_user_id": user.id, "organisation_id": user.organisation_id}


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


def organisation_choices(user: User | None = None) -> list[tuple[int, str]]:
    """Organisations to choose from (id, name): every one, or for a setting administrator
    only their own."""
    query = sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if user is not None and not user.is_management:
        query = query.where(Organisation.id == user.organisation_id)
    return [(i, n) for i, n in db.session.execute(query)]


def organisation_for(user: User, organisation_id: int) -> Organisation:
    """An organisation this administrator may invite into: any, for the management team;
    a setting administrator's own."""
    if not (user.is_management or organisation_id == user.organisation_id):
        raise NotAllowed()
    return db.session.get(Organisation, organisation_id)


@atomic
def update_organisation(actor: User, values: dict) -> None:
    """An administrator records their own organisation's address, contacts and (for the
    host) its data protection officer."""
    if actor.role != Role.admin:
        raise NotAllowed()
    organisation = db.session.get(Organisation, actor.organisation_id)
    changed = sorted(k for k, v in values.items() if getattr(organisation, k) != (v or None))
    for name, value in values.items():
        setattr(organisation, name, value or None)
    audit.record("organisation.changed", subject_type="organisation",
                 subject_id=organisation.id, detail={"changed": changed})


def find_user_by_email(email: str, *, lock: bool = False) -> User | None:
    """Look a user up case-insensitively; lock the row for a read-modify-write."""
    query = sa.select(User).where(User.email_key == email_key(email))
    if lock:
        query = query.with_for_update(of=User)
    return db.session.scalar(query)


def create_user(*, email: str, name: str, role: Role, organisation: Organisation,
                totp_secret: str, password: str | None = None, password_hash: str | None = None,
                totp_last_step: int | None = None, eligible: dict | None = None) -> User:
    """Create an enrolled user; the caller has already applied the password policy (and
    may have hashed the password already, outside any lock).

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
    password_hash = password_hash or passwords.hash_password(password)
    user = User(email=email.strip(), email_key=email_key(email), name=name.strip(), role=role,
                organisation_id=organisation.id, password_hash=password_hash,
                totp_secret_enc=crypto.encrypt(totp_secret), totp_last_step=totp_last_step,
                **record)
    db.session.add(user)
    db.session.flush()
    return user


def add_by_operator(*, organisation_name: str, kind: OrganisationKind, password: str,
                    **details) -> User:
    """An operator's `users create`: the organisation (created if new, the first becoming
    the host) and an enrolled user in it, with its audit event, as one unit of work (the
    password hashed before it begins)."""
    return _add(organisation_name, kind, password_hash=passwords.hash_password(password),
                **details)


@atomic
def _add(organisation_name: str, kind: OrganisationKind, **details) -> User:
    organisation = find_or_create_organisation(organisation_name, kind)
    user = create_user(organisation=organisation, **details)
    audit.record("user.created", organisation_id=organisation.id, subject_type="user",
                 subject_id=user.id, detail={"via": "cli", "role": user.role.value})
    return user


def is_locked(user: User) -> bool:
    """True while the account is inside its lockout window."""
    return user.locked_until is not None and user.locked_until > now()


def record_failure(user: User, *, stage: str, counted: bool = False) -> None:
    """Count a failed attempt against the account (unless it was counted when it began);
    lock it at the threshold."""
    cfg = current_app.config
    moment = now()
    if not counted and user.locked_until is not None and user.locked_until <= moment:
        user.failed_attempts, user.locked_until = 0, None
    if not counted:
        user.failed_attempts += 1
    audit.record("sign_in", outcome="failure", **by(user), detail={"stage": stage})
    if user.failed_attempts >= cfg["LOCKOUT_THRESHOLD"] and user.locked_until is None:
        user.locked_until = moment + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
        audit.record("account.locked", outcome="success", **by(user))
        mail.queue("account_locked", user, organisation=user.organisation,
                   minutes=cfg["LOCKOUT_MINUTES"], link=mail.link("auth.sign_in"))


class WrongPassword(AccountError):
    """A password check failed: the failure is counted (and kept) towards the lockout."""

    keep = True


@atomic
def set_daily_digest(user: User, wanted: bool) -> None:
    """A member of the management team turns their daily email on or off (security
    notices cannot be turned off)."""
    user.daily_digest = wanted
    audit.record("user.digest_changed", subject_type="user", subject_id=user.id,
                 detail={"on": wanted})
