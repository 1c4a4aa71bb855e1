"""A child's record: basic details, identifiers, carers and involvements. No case notes."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.kinds import SENSITIVE, ChildStatus, Gender, Scheme, ServiceType
from app.models.organisation import Organisation


def _enum(kind, length=30):
    return sa.Enum(kind, native_enum=False, length=length)


class Child(db.Model):
    """The child: who they are and where they live. Nothing about needs or concerns."""

    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_names: Mapped[str] = mapped_column(sa.String(200))
    family_name: Mapped[str] = mapped_column(sa.String(200))
    other_names: Mapped[str | None] = mapped_column(sa.String(400))
    gender: Mapped[Gender] = mapped_column(_enum(Gender, 20))
    date_of_birth: Mapped[date] = mapped_column(index=True)
    address_line1: Mapped[str | None] = mapped_column(sa.String(200))
    address_line2: Mapped[str | None] = mapped_column(sa.String(200))
    town: Mapped[str | None] = mapped_column(sa.String(100))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    date_of_death: Mapped[date | None]
    status: Mapped[ChildStatus] = mapped_column(_enum(ChildStatus, 20), default=ChildStatus.active,
                                                index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    # True while an active shield exists (kept by services/shielding.py, used by queries)
    shielded: Mapped[bool] = mapped_column(default=False)
    # Retention (services/retention.py)
    archived_at: Mapped[datetime | None] = mapped_column(index=True)
    archive_reason: Mapped[str | None] = mapped_column(sa.String(40))
    left_england_on: Mapped[date | None]
    stay_until: Mapped[date | None]  # consent to stay past 18 (to 20, or to 25)
    stay_consent: Mapped[str | None] = mapped_column(sa.String(400))  # who, when, why
    # Normalised keys for matching and search (lower case, no accents or punctuation).
    family_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    given_key: Mapped[str] = mapped_column(sa.String(200))
    created_by_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"),
                                                            index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    identifiers: Mapped[list[Identifier]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Identifier.scheme")
    carers: Mapped[list[Carer]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Carer.id")
    involvements: Mapped[list[Involvement]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Involvement.id")
    name_keys: Mapped[list[ChildNameKey]] = relationship(cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        """Given names then family name."""
        return f"{self.given_names} {self.family_name}"

    def identifier(self, scheme: Scheme) -> str | None:
        """The value of one identifier scheme, if recorded."""
        return next((i.value for i in self.identifiers if i.scheme == scheme), None)


class Identifier(db.Model):
    """One identifier of a child; at most one per scheme."""

    __tablename__ = "identifiers"
    __table_args__ = (
        sa.UniqueConstraint("child_id", "scheme", name="uq_identifiers_child_scheme"),
        sa.Index("ix_identifiers_scheme_value", "scheme", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"))
    scheme: Mapped[Scheme] = mapped_column(_enum(Scheme, 10))
    value: Mapped[str] = mapped_column(sa.String(40))
    # A local reference belongs to the organisation that recorded it (None for the others)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))

    child: Mapped[Child] = relationship(back_populates="identifiers")


class Carer(db.Model):
    """A parent or carer of the child."""

    __tablename__ = "carers"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    relationship_to_child: Mapped[str] = mapped_column(sa.String(60))
    parental_responsibility: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str | None] = mapped_column(sa.String(400))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    recorded_by_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))

    child: Mapped[Child] = relationship(back_populates="carers")


class Involvement(db.Model):
    """A service working with the child, recorded (and owned) by one organisation."""

    __tablename__ = "involvements"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_type: Mapped[ServiceType] = mapped_column(_enum(ServiceType, 30))
    service_name: Mapped[str] = mapped_column(sa.String(200))
    practitioner_name: Mapped[str | None] = mapped_column(sa.String(200))
    practitioner_role: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str | None] = mapped_column(sa.String(400))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    lead_professional: Mapped[bool] = mapped_column(default=False)
    caf_completed: Mapped[bool] = mapped_column(default=False)
    consent_given_by: Mapped[str | None] = mapped_column(sa.String(200))
    consent_relationship: Mapped[str | None] = mapped_column(sa.String(60))
    consent_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    # Contact details leave the live record a year after the end (or when kept, later)
    keep_contact_until: Mapped[date | None]
    contact_archived_at: Mapped[datetime | None]

    child: Mapped[Child] = relationship(back_populates="involvements")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def is_sensitive(self) -> bool:
        """Sexual health, mental health or substance misuse."""
        return self.service_type in SENSITIVE

    def is_current(self, today: date) -> bool:
        """True unless the involvement has ended."""
        return self.end_date is None or self.end_date > today


class ChildDraft(db.Model):
    """A child being entered step by step; deleted on save or cancel, ignored after a day."""

    __tablename__ = "child_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class AccessGrant(db.Model):
    """A stated reason letting one user see one page of one child's record, once.

    The first GET spends it; POST-backs from that page (correcting the record) may use it
    for a short while after. A new look needs a new reason.
    """

    __tablename__ = "access_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    page: Mapped[str] = mapped_column(sa.String(40))
    reason_category: Mapped[str] = mapped_column(sa.String(40))
    reason_text: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
    first_used_at: Mapped[datetime | None]


class ChildNameKey(db.Model):
    """A normalised family name a child is known by (current or previous), for search.

    Keys are lower case without accents, hyphens, apostrophes or spaces, so that
    "O'Neill", "ONeill" and "o neill" meet; one row per distinct key.
    """

    __tablename__ = "child_name_keys"
    __table_args__ = (sa.UniqueConstraint("child_id", "key", name="uq_child_name_keys_child_key"),
                      sa.Index("ix_child_name_keys_key_dob", "key", "date_of_birth"),
                      sa.Index("ix_child_name_keys_key_given", "key", "given", "child_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"))
    # No index on key alone: the two above begin with it and answer every query on it, and
    # each index is written for every key of every child an import adds (0019)
    key: Mapped[str] = mapped_column(sa.String(200))
    # False for previous or other names, which a shield withholds from most searchers
    current: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Copies of the child's date of birth and given names (lower case, no spaces), so that
    # each minimum search is answered from one index on this table
    date_of_birth: Mapped[date | None]
    given: Mapped[str | None] = mapped_column(sa.String(200))
    # True for a previous name of a shielded child: most searchers must not match it
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
