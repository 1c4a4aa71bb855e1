"""People who sign in, their sessions, recovery codes and invitations."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.organisation import Organisation


class Role(enum.StrEnum):
    """What a user may do; the host organisation's admins are the management team."""

    admin = "admin"
    practitioner = "practitioner"
    data_entry = "data_entry"
    requester = "requester"

    @property
    def label(self) -> str:
        """Plain-English name of the role."""
        return {
            "admin": "Administrator",
            "practitioner": "Practitioner",
            "data_entry": "Data entry",
            "requester": "Requester (asks through a look-up request)",
        }[self.value]


class RoleCategory(enum.StrEnum):
    """The job a user does: access is only for eligible roles."""

    head_teacher = "head_teacher"
    deputy = "deputy"
    administrator = "administrator"
    pastoral_lead = "pastoral_lead"
    senco = "senco"
    voluntary_worker = "voluntary_worker"
    social_care = "social_care"
    health = "health"
    other = "other"

    @property
    def label(self) -> str:
        """Plain-English name of the role category."""
        return {"head_teacher": "Head teacher", "deputy": "Deputy head teacher",
                "administrator": "Administrator",
                "pastoral_lead": "Pastoral or child-protection lead",
                "senco": "SEN teacher or SENCO",
                "voluntary_worker": "Voluntary-organisation worker",
                "social_care": "Social care worker", "health": "Health professional",
                "other": "Other eligible role"}[self.value]


def email_key(email: str) -> str:
    """Normalised email used for case-insensitive uniqueness and look-up."""
    return email.strip().casefold()


class User(UserMixin, db.Model):
    """A person with an account: password (argon2id) plus TOTP."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    totp_secret_enc: Mapped[str] = mapped_column(sa.Text)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    pending_totp_enc: Mapped[str | None] = mapped_column(sa.Text)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    password_changed_at: Mapped[datetime] = mapped_column(default=now)
    # Eligibility (ContactPoint's conditions): see services/eligibility.py
    role_category: Mapped[RoleCategory | None] = mapped_column(
        sa.Enum(RoleCategory, native_enum=False, length=30))
    nominated_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    nominated_at: Mapped[datetime | None]
    training_completed_on: Mapped[date | None]
    policy_version: Mapped[str | None] = mapped_column(sa.String(20))
    policy_signed_at: Mapped[datetime | None]
    dbs_checked_on: Mapped[date | None]
    totp_enrolled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    totp_reset_at: Mapped[datetime | None]
    reenrol_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    reenrol_expires_at: Mapped[datetime | None]
    # the management team's daily email of what is due (security notices cannot be off)
    daily_digest: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organisation: Mapped[Organisation] = relationship(lazy="joined",
                                                      foreign_keys=[organisation_id])

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def is_management(self) -> bool:
        """True for admins of the host organisation: the management team."""
        return self.role == Role.admin and self.organisation.is_host

    @property
    def is_admin(self) -> bool:
        """True for any administrator (management team or setting administrator)."""
        return self.role == Role.admin


class RecoveryCode(db.Model):
    """A single-use recovery code, stored only as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    used_at: Mapped[datetime | None]


class UserSession(db.Model):
    """A server-side session record; the cookie carries only a random token."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_seen_at: Mapped[datetime] = mapped_column(default=now)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(40))


class Invitation(db.Model):
    """A one-time link inviting a person to enrol; holds their choices until TOTP confirms."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    pending_password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    pending_totp_enc: Mapped[str | None] = mapped_column(sa.Text)
    role_category: Mapped[RoleCategory | None] = mapped_column(
        sa.Enum(RoleCategory, native_enum=False, length=30))
    training_completed_on: Mapped[date | None]
    dbs_checked_on: Mapped[date | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class SetupToken(db.Model):
    """The one-time first-run link that creates the host organisation and first admin."""

    __tablename__ = "setup_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
