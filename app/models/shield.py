"""Shields (whereabouts withheld), their reviews, and brokered contact requests."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db


class ShieldCategory(enum.StrEnum):
    """Why showing where the child is could put someone at risk."""

    domestic_violence = "domestic_violence"
    adoption = "adoption"
    police_protection = "police_protection"
    other = "other"

    @property
    def label(self) -> str:
        """Plain-English category."""
        return {"domestic_violence": "Domestic violence or abuse",
                "adoption": "Adoption with no birth-family contact",
                "police_protection": "Police protection", "other": "Other"}[self.value]


class Shield(db.Model):
    """A shield on a child's record: in force from the moment it is requested."""

    __tablename__ = "shields"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    category: Mapped[ShieldCategory] = mapped_column(
        sa.Enum(ShieldCategory, native_enum=False, length=30))
    reason_text: Mapped[str | None] = mapped_column(sa.String(1000))
    requested_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    review_due: Mapped[date] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    ended_at: Mapped[datetime | None]

    reviews: Mapped[list[ShieldReview]] = relationship(order_by="ShieldReview.id",
                                                      cascade="all, delete-orphan")


class ShieldReview(db.Model):
    """A management-team decision on a shield: keep it, or remove it, and why."""

    __tablename__ = "shield_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    shield_id: Mapped[int] = mapped_column(sa.ForeignKey("shields.id"), index=True)
    reviewed_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=now)
    decision: Mapped[str] = mapped_column(sa.String(10))  # "keep" or "remove"
    reason: Mapped[str] = mapped_column(sa.String(1000))


class ContactKind(enum.StrEnum):
    """What the management team is asked to broker."""

    shielded = "shielded"
    sensitive = "sensitive"


class ContactRequest(db.Model):
    """A practitioner asks the management team to broker contact they cannot make direct."""

    __tablename__ = "contact_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    involvement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("involvements.id"))
    kind: Mapped[ContactKind] = mapped_column(sa.Enum(ContactKind, native_enum=False, length=20))
    requested_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=now)
    message: Mapped[str] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    outcome: Mapped[str | None] = mapped_column(sa.String(1000))
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
