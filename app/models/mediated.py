"""Mediated access: a requester without access asks; an authorised broker answers."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import now
from app.extensions import db


class RequestStatus(enum.StrEnum):
    """Where a request is."""

    open = "open"
    in_progress = "in_progress"
    answered = "answered"
    declined = "declined"

    @property
    def label(self) -> str:
        """Plain-English status."""
        return {"open": "Waiting to be answered", "in_progress": "Being answered",
                "answered": "Answered", "declined": "Declined"}[self.value]


class MediatedRequest(db.Model):
    """A look-up asked for by someone without access of their own."""

    __tablename__ = "mediated_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    logged_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requester_name: Mapped[str] = mapped_column(sa.String(200))
    requester_organisation: Mapped[str] = mapped_column(sa.String(200))
    requester_role: Mapped[str] = mapped_column(sa.String(100))
    requester_contact: Mapped[str] = mapped_column(sa.String(300))
    addressed_to_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    child_given_names: Mapped[str] = mapped_column(sa.String(200))
    child_family_name: Mapped[str] = mapped_column(sa.String(200))
    child_date_of_birth: Mapped[date | None]
    child_other_details: Mapped[str | None] = mapped_column(sa.String(500))
    reason: Mapped[str] = mapped_column(sa.String(1000))
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RequestStatus] = mapped_column(
        sa.Enum(RequestStatus, native_enum=False, length=20), default=RequestStatus.open,
        index=True)
    claimed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"), index=True)
    answer: Mapped[str | None] = mapped_column(sa.Text)  # JSON list of [label, value]
    answered_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def reference(self) -> str:
        """The reference quoted on the letter."""
        return f"MR-{self.id:06d}"
